"""Babel extractors for the domain's enum labels and refusal messages, so the English interface can translate them.

The domain layer has no Flask and writes its labels as plain tuples (Member = ("key", "标签")) or in
*_LABELS dictionaries; the
ledger, the report and the timeline need those Chinese words exactly. This extractor adds each label of a
LabelledEnum subclass to the catalogue (beside whatever gettext calls the file holds), and the web layer
translates a label when it shows one (templating's `tr_label`, forms.base.labelled_choices).

A DomainError (or any subclass of it, found by reading the package's class statements) is raised with a
constant Chinese template: DomainError("当前状态为“%(state)s”,不能指派调解员。", state=label). Both
extractors add the first argument of every such call, and of super().__init__ inside such a class, to the
catalogue; casetrack/i18n.py translates it when it shows the refusal. Texts a refusal is built from
(the name of a date, a reason) are marked with domain.errors.N_, one of pybabel's default keywords.

A ledger (台账) problem's reason is given the same way, as a BadValue (casetrack/ledger/format.py) with a
constant template: BadValue("不能小于%(low)s", low=low); a LedgerError built directly takes a constant
message. Both extractors add the first argument of every call to BadValue (or a class derived from it) and
the message of every LedgerError(...) call that is a constant; casetrack.i18n.ledger_message shows it.
"""

import ast
import functools
from pathlib import Path

from babel.messages.extract import extract_python


def extract_messages(fileobj, keywords, comment_tags, options):
    """Babel extraction method: the file's gettext calls, then its DomainError templates and ledger reasons."""
    yield from extract_python(fileobj, keywords, comment_tags, options)
    tree = _parse(fileobj, options)
    yield from domain_error_templates(tree)
    yield from ledger_reasons(tree)


def extract_enum_labels(fileobj, keywords, comment_tags, options):
    """Babel extraction method: what extract_messages finds, then the LabelledEnum and *_LABELS labels."""
    yield from extract_messages(fileobj, keywords, comment_tags, options)
    tree = _parse(fileobj, options)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node.func) == "Figure":  # domain/figures.py: label, definition
            for arg in node.args[1:4:2]:
                yield from _constant(arg, "figure")
            continue
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


def _parse(fileobj, options) -> ast.Module:
    fileobj.seek(0)
    return ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))


def domain_error_templates(tree: ast.Module):
    """Yield (line, None, template, comments) for each DomainError raised, or built, in a module."""
    names = domain_error_names()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in names:
            for call in ast.walk(node):  # UnknownCalendarYear(year): super().__init__("%(year)s年...", year=year)
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"
                        and isinstance(call.func.value, ast.Call) and _callee(call.func.value.func) == "super"):
                    yield from _template(call, node.name)
        elif isinstance(node, ast.Call) and _callee(node.func) in names:
            yield from _template(node, _callee(node.func))


def ledger_reasons(tree: ast.Module):
    """Yield (line, None, template, comments) for each ledger reason: BadValue's template, LedgerError's message."""
    names = bad_value_names()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _callee(node.func)
        if callee in names:
            yield from _template(node, callee)
        elif callee == "LedgerError":  # LedgerError(sheet, row, column, value, message)
            message = node.args[4] if len(node.args) > 4 else next(
                (k.value for k in node.keywords if k.arg == "message"), None)
            yield from _constant(message, callee)


def _template(call: ast.Call, name: str):
    yield from _constant(call.args[0] if call.args else None, name)


def _constant(node: ast.expr | None, name: str):
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        yield node.lineno, None, node.value, [name]


def _callee(func: ast.expr) -> str | None:
    """Return the called name: DomainError(...) and dl.ExtensionRefused(...) alike."""
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def domain_error_names(package: Path = Path(__file__).parent) -> frozenset[str]:
    """Return the names of DomainError and of every class in the package that derives from it."""
    return derived_names("DomainError", package)


def bad_value_names(package: Path = Path(__file__).parent) -> frozenset[str]:
    """Return the names of the ledger's BadValue and of every class in the package that derives from it."""
    return derived_names("BadValue", package)


@functools.cache
def derived_names(root: str, package: Path = Path(__file__).parent) -> frozenset[str]:
    """Return root and the names of every class in the package that derives from it."""
    bases = _class_bases(package)
    names = {root}
    while grown := {name for name, of in bases.items() if of & names} - names:
        names |= grown
    return frozenset(names)


@functools.cache
def _class_bases(package: Path) -> dict[str, frozenset[str]]:
    """Return each class name in the package with the names of its bases."""
    bases: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(filter(None, map(_callee, node.bases)))
    return {name: frozenset(of) for name, of in bases.items()}
