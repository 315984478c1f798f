"""Write text into exported spreadsheets as text, never as a formula (CSV and formula injection).

A name or summary typed as ``=HYPERLINK("http://x","y")`` must not become a live formula when a clerk opens
an export in Excel or WPS; ``+``, ``-``, ``@``, a tab or a carriage return at the start are read as formulas
(or DDE) by spreadsheet programs too. The scheme is reversible, so that an export imports again unchanged:

- XLSX: such a cell is written as a string cell (openpyxl's data type ``s``, never ``f``) with Excel's
  quotePrefix style, so Excel shows it as typed and keeps it text when the cell is edited. The value
  itself is unchanged, so nothing needs undoing on import.
- CSV (OWASP): a text value whose first character after any leading apostrophes is one of ``= + - @``, tab or
  CR gets one apostrophe in front; import takes one apostrophe off any value of that shape. A value that
  really starts with ``'=`` is written ``''=`` and so comes back as it was.
"""

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTE = re.compile(r"^'*[=+\-@\t\r]")
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def is_risky(text: str) -> bool:
    """Tell whether a spreadsheet program could read this text as a formula."""
    return text.startswith(TRIGGERS)


def csv_text(value):
    """Return a value as a CSV export writes it: text that could start a formula gets a leading apostrophe."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def csv_text_back(text: str) -> str:
    """Undo csv_text on a CSV cell read back: one leading apostrophe goes from a value it was put on."""
    if text.startswith("'") and _QUOTED.match(text):
        return text[1:]
    return text


def as_text_cell(cell) -> None:
    """Make an openpyxl cell holding risky text a string cell shown as typed (data type s, quotePrefix)."""
    if isinstance(cell.value, str) and is_risky(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def text_only(workbook) -> None:
    """Turn every cell of a (not write-only) workbook that openpyxl took for a formula, or could be one, into text.

    casetrack's exports hold no formulas of their own, so any ``=…`` cell came from data.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                as_text_cell(cell)
