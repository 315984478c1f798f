"""A Babel extractor for the domain's enum labels, so the English interface can translate them.

The domain layer has no Flask and writes its labels as plain tuples (Member = ("key", "标签")) or in
*_LABELS dictionaries; the
ledger, the report and the timeline need those Chinese words exactly. This extractor adds each label of a
LabelledEnum subclass to the catalogue (beside whatever gettext calls the file holds), and the web layer
translates a label when it shows one (templating's `tr_label`, forms.base.labelled_choices).
"""

import ast

from babel.messages.extract import extract_python


def extract_enum_labels(fileobj, keywords, comment_tags, options):
    """Babel extraction method: the file's gettext calls, then its LabelledEnum and *_LABELS labels."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id.endswith("LABELS") for t in node.targets)):
            for value in node.value.values:  # KIND_LABELS = {KIND_ACCEPTANCE: "受理期限", ...}
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.lineno, None, value.value, ["label"]
            continue
        if not isinstance(node, ast.ClassDef) or not any(_names_labelled_enum(base) for base in node.bases):
            continue
        for statement in node.body:
            value = getattr(statement, "value", None)
            if (isinstance(statement, ast.Assign) and isinstance(value, ast.Tuple) and len(value.elts) == 2
                    and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)):
                yield statement.lineno, None, value.elts[1].value, [f"label of {node.name}"]


def _names_labelled_enum(base: ast.expr) -> bool:
    return (isinstance(base, ast.Name) and base.id == "LabelledEnum") or (
        isinstance(base, ast.Attribute) and base.attr == "LabelledEnum")
