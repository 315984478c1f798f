"""The house's one direction of dependency (../shared/architecture.md): web → forms/services → domain, models
used by services. Read from the source's import statements, so a new upward import fails here, not in review."""

import ast
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
