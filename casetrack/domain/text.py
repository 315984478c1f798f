"""Characters a case's text may not hold: what PostgreSQL cannot store (NUL) and what XML 1.0 forbids, so the
DOCX and XLSX files built from a case always open."""

import re

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
"""Control characters other than tab and line breaks, U+FFFE/U+FFFF and lone surrogates."""

_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})


def clean_pasted(text: str) -> str:
    """Turn the line and page breaks that come along with text pasted from Word (\\v, \\f, U+2028/9) into
    ordinary line breaks; they are meant as such, and a clerk cannot see them to delete them."""
    return text.translate(_BREAKS)


def has_unstorable(text: str) -> bool:
    """Tell whether the text holds a character a case may not store (after clean_pasted)."""
    return bool(UNSTORABLE.search(text))
