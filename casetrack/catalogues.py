"""The compiled message catalogues (*.mo), made from the *.po files when missing or older, at app start.

Git keeps only the *.po files, and `make` compiled them; an install by `pip install .` or `pip install -e .`
(the README's PostgreSQL and gunicorn steps) had no *.mo and served no English. Now the app compiles them
itself: beside the *.po when it may write there, otherwise into the instance folder.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

PACKAGE_TRANSLATIONS = Path(__file__).parent / "translations"


def _stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _compile(po: Path, mo: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source)
    mo.parent.mkdir(parents=True, exist_ok=True)
    partial = mo.with_suffix(".mo.part")
    with partial.open("wb") as target:
        write_mo(target, catalog, use_fuzzy=False)
    partial.replace(mo)  # another worker starting at the same time reads a whole file or none


def translation_directory(instance_path: str, source: Path = PACKAGE_TRANSLATIONS) -> str:
    """Return the directory Flask-Babel reads, having compiled every stale catalogue first."""
    pos = sorted(source.glob("*/LC_MESSAGES/messages.po"))
    try:
        for po in pos:
            if _stale(po, po.with_suffix(".mo")):
                _compile(po, po.with_suffix(".mo"))
        return str(source)
    except OSError:  # an installed package may be read-only: compile into the instance folder instead
        target = Path(instance_path) / "translations"
        for po in pos:
            mo = target / po.relative_to(source).with_suffix(".mo")
            if _stale(po, mo):
                _compile(po, mo)
        return str(target)
