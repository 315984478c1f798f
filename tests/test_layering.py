"""The house's one direction of dependency (../shared/architecture.md): web → forms/services → domain, models
used by services. Read from the source's import statements, so a new upward import fails here, not in review."""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "casetrack"
FRAMEWORKS = {"flask", "flask_babel", "flask_login", "flask_migrate", "flask_sqlalchemy", "flask_wtf",
              "sqlalchemy", "werkzeug", "wtforms"}

# For each layer, the casetrack layers it must not import. The domain also imports no framework at all.
FORBIDDEN = {
    "domain": {"models", "services", "web", "forms", "ledger", "documents", "permissions", "extensions", "cli", "i18n"},
    "models": {"services", "web", "forms", "ledger", "documents", "permissions", "cli"},
    "permissions": {"services", "web", "forms", "ledger", "documents", "cli"},
    "services": {"web", "forms", "cli"},
    "ledger": {"web", "forms", "cli"},
    "documents": {"web", "forms", "cli"},
    "forms": {"web", "cli"},
    "i18n": {"web", "forms", "services", "models", "cli"},
}


def _imports(path: Path) -> set[str]:
    """Every module name an import statement in the file names (absolute names only; the package uses no
    relative imports)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _layer(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) in FORBIDDEN)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_imports_only_its_own_layer_and_those_below(path):
    layer = _layer(path)
    upward = sorted(
        name for name in _imports(path)
        if name.startswith("casetrack.") and name.split(".")[1] in FORBIDDEN[layer]
    )
    assert upward == [], f"{layer} must not import {upward}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_is_pure_python(path):
    frameworks = sorted(name for name in _imports(path) if name.split(".")[0] in FRAMEWORKS)
    assert frameworks == [], f"the domain must not import {frameworks}"


def test_the_guard_sees_every_layer():
    """A renamed folder would make the tests above pass on nothing."""
    assert {_layer(p) for p in _modules()} == set(FORBIDDEN)


# --- web never builds an unscoped query ------------------------------------------------------------------------
# The reach hook (casetrack/permissions.py) limits every ORM query of a request; these are the ways past it. A web
# module may name the way out only with its reason here, so widening what a page shows is a reviewed decision.

SCOPED_TABLES = ("disputes", "parties", "attachments", "petitions", "petitioners", "screening_rounds")
COUNTY_WIDE_ALLOWED = {
    "holidays.py": "one holiday calendar serves every township: recomputing limits after an edit touches all their "
                   "cases, and nothing of them is shown to the admin",
}
_SCOPED_TABLE = re.compile(r"\b(" + "|".join(SCOPED_TABLES) + r")\b", re.IGNORECASE)


def _unscoped_queries(source: str) -> list[str]:
    """Every way past the reach hook in a module's source: the named escape (COUNTY_WIDE, county_wide), a Core
    statement over a bare Table (`X.__table__`, `table("disputes")`) or raw SQL naming a scoped table."""
    found = []
    for node in ast.walk(ast.parse(source)):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in ("COUNTY_WIDE", "county_wide"):
            found.append(f"line {node.lineno}: {name}")
        elif name == "__table__":
            found.append(f"line {node.lineno}: a Core statement over __table__")
        if isinstance(node, ast.Call):
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            sql = " ".join(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
            if func in ("text", "table") and _SCOPED_TABLE.search(sql):
                found.append(f"line {node.lineno}: {func}() over {_SCOPED_TABLE.search(sql).group(1)}")
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "web").rglob("*.py")), ids=lambda p: p.name)
def test_web_never_builds_an_unscoped_query(path):
    found = _unscoped_queries(path.read_text(encoding="utf-8"))
    if path.name in COUNTY_WIDE_ALLOWED:
        found = [f for f in found if not f.endswith(("COUNTY_WIDE", "county_wide"))]
    assert found == [], f"web/{path.name} reaches past the user's reach: {found}"


def test_the_unscoped_query_guard_sees_each_way_past_the_hook():
    """The guard above must not pass on nothing: each escape it looks for is found in a sample."""
    sample = '''
with permissions.county_wide():
    db.session.execute(select(Dispute).execution_options(**COUNTY_WIDE))
db.session.execute(select(Petition.__table__))
db.session.execute(text("SELECT * FROM screening_rounds"))
db.session.execute(sa.table("parties").select())
db.session.execute(text("SELECT 1 FROM users"))
'''
    assert sorted(_unscoped_queries(sample)) == [  # the users table is not scoped: line 7 is not found
        "line 2: county_wide", "line 3: COUNTY_WIDE", "line 4: a Core statement over __table__",
        "line 5: text() over screening_rounds", "line 6: table() over parties"]
