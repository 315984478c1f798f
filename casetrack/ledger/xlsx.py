"""Read the worksheets of an .xlsx ledger as rows of cell values: with calamine where that is safe, else openpyxl.

calamine (Rust, through python-calamine) reads a sheet several times faster than openpyxl's read-only mode,
whose parsing was most of an import's time for files saved by Excel or WPS. It is not a drop-in reader, so a
quick scan of the file's XML decides, file by file, and openpyxl (streaming, as before) reads the rest:

- calamine holds a sheet as one dense rectangle from its first to its last value. A stray value far away
  (in XFD1048576, say) would ask for hundreds of gigabytes and abort the whole process, which no ``except``
  catches; a sheet whose rectangle could exceed CALAMINE_CELLS is therefore left to openpyxl.
- calamine reads a few cells differently from openpyxl: error values (#N/A) as blank, whole numbers of 16
  digits or more as inexact floats, ISO date cells (t="d") otherwise. A file holding any of them, or XML
  the scan cannot vouch for (cells without a leading r attribute, prefixed tags), is left to openpyxl.

Before either reads anything, check_size() refuses a workbook too big to read (a "zip bomb": a small upload
that inflates to gigabytes): from the zip's own directory, its number of parts and worksheets, their declared
sizes and compression ratios; then, while the scan reads the XML, the cells its sheets span (rows × widest
column as the XML places them: a sheet's declared <dimension> is not trusted, hand-made files get it wrong).
Python's zipfile never inflates a part past its declared size (a part holding more fails its CRC check),
so the declared sizes bound the scan, and calamine and openpyxl only see a file the scan has read whole.

Either way a row holds what openpyxl's ``values_only`` rows hold, with three differences the importer
treats alike (see format.clean): a blank is "" rather than None, a date without a time is a date rather
than a datetime at midnight, and a whole number is a float (2.0) rather than an int. calamine also
decodes Excel's _x000D_ escapes in text, where openpyxl keeps them as written.
"""

import ctypes
import pickle
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casetrack.domain.errors import N_

CALAMINE_CELLS = 3_000_000  # rows × columns of all sheets' rectangles: ~100 MB in calamine; 100,000 rows × 30
# A 100,000-row ledger is 130 MB of sheet XML compressed about 13 to 1; the 20 MB upload cap holds some 250 MB.
MAX_UNCOMPRESSED = 400 * 1024 * 1024  # bytes of all parts inflated
MAX_RATIO = 100  # inflated ÷ compressed size of one part bigger than RATIO_FROM; deflate bombs reach 1,000
RATIO_FROM = 1024 * 1024
MAX_PARTS = 1000  # files inside the zip; a workbook has a dozen or two
MAX_SHEETS = 100  # worksheets; a hand-kept ledger may keep one a month
MAX_CELLS = 10_000_000  # cells openpyxl would hand over from all sheets: 26 a row, 380,000 rows
_CHUNK = 1 << 22  # bytes of XML scanned at a time, so that the scan's memory does not grow with the file
_BATCH = 1000  # rows pickled together while calamine's copy of a sheet is let go

# Cell and row tags that do not start with r="…", or that carry a namespace prefix: the scan cannot place them.
_UNPLACED = (re.compile(rb'<c(?=[\s/>])(?! r=")'), re.compile(rb'<row(?=[\s/>])(?! r=")'), re.compile(rb':(?:c|row)[\s/>]'))
_LONG_INTEGER = re.compile(rb'<v>\s*[-+]?0*[1-9]\d{15}')  # openpyxl reads it exactly, calamine as a float
_ROW = re.compile(rb'<row r="0*(\d{1,7})"')
_WIDE_COLUMN = re.compile(rb'<c r="([A-Za-z]{2,})')


class Unreadable(Exception):
    """The file is not a workbook that can be read (damaged, truncated, or not a spreadsheet at all)."""


TOO_BIG = N_("工作簿过大或压缩异常(解压后超过 400 MB、单个部件压缩比超过 100 倍、超过 100 个工作表或 1000 万个单元格),"
              "已拒绝读取。请删除多余的工作表、空行和空列后另存为 .xlsx,或分成几个文件导入")
BROKEN = N_("文件已损坏或不是有效的 Excel 工作簿(.xlsx),无法读取。请在 Excel 或 WPS 中打开后另存为 .xlsx,再重新导入")


def _above(number: int) -> bytes:
    """Return a pattern matching a row number greater than number (after leading zeros)."""
    digits = str(number)
    choices = [rb"[1-9]\d{%d,}" % len(digits)]
    for at, digit in enumerate(digits):
        if digit != "9":
            choices.append(digits[:at].encode() + b"[%d-9]" % (int(digit) + 1) + rb"\d{%d}" % (len(digits) - at - 1))
    return b"|".join(choices)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def check_size(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose zip directory declares more than can be read safely (see the module's docstring)."""
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise Unreadable(TOO_BIG)
    if sum(1 for m in members if m.filename.startswith(("xl/worksheets/", "xl/chartsheets/"))
           and m.filename.endswith(".xml")) > MAX_SHEETS:
        raise Unreadable(TOO_BIG)
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
        raise Unreadable(TOO_BIG)
    for member in members:
        if member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise Unreadable(TOO_BIG)


_UNPLACED_CELL = re.compile(rb'<c(?=[\s/>])(?! r=")|:c[\s/>]')
_ROW_BEYOND_EXCEL = re.compile(rb'<row r="0*\d{8,}"')
EXCEL_ROWS = 1_048_576


@dataclass
class _Measure:
    """What the scan found in a file: calamine's rectangles, openpyxl's cells, and whether calamine may read it."""

    rectangle: int = 0  # rows × widest column of each part: the cells calamine would allocate
    cells: int = 0  # the cells openpyxl would hand over: each present row as wide as its last cell
    alike: bool = True  # calamine reads every cell as openpyxl does, and the scan can place every cell

    def add(self, rectangle: int, cells: int, alike: bool) -> None:
        self.rectangle += rectangle
        self.cells += cells
        self.alike = self.alike and alike
        if self.cells > MAX_CELLS:
            raise Unreadable(TOO_BIG)


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, measure: _Measure) -> None:
    """Scan one part of the file into measure; raise Unreadable when it spans more cells than may be read.

    openpyxl (read-only, dimensions reset) yields an empty tuple for a missing row, and a present row as wide
    as its last cell: a stray value in XFD1048576 costs a million empty rows and one wide one, which is fine,
    while a million rows each holding XFD would be 17 billion cells. So the cells counted are 26 a present row
    plus the column number of every cell beyond Z, an upper bound of what openpyxl hands over.
    """
    top_row, widest, carry, alike = 0, 26, b"", True
    cells = 0
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = carry + chunk
            cut = text.rfind(b"<") if chunk else -1  # a tag cut in two goes whole into the next piece
            text, carry = (text[:cut], text[cut:]) if cut > 0 else (text, b"")
            if alike and (b't="e"' in text or b't="d"' in text or _LONG_INTEGER.search(text)):
                alike = False  # an error value, an ISO date cell, or a long whole number
            if alike and any(pattern.search(text) for pattern in _UNPLACED):
                alike = False
            if not alike:  # cells without r="…" are placed one after another: each counts
                cells += len(_UNPLACED_CELL.findall(text))
            if _ROW_BEYOND_EXCEL.search(text):
                raise Unreadable(TOO_BIG)  # no spreadsheet program writes a row past 1,048,576
            cells += 26 * (text.count(b"<row") + text.count(b":row"))  # <rowBreaks> too, at worst a few more
            rows = _ROW.findall(text)
            if rows:
                top_row = max(top_row, *map(int, rows))
                if top_row > EXCEL_ROWS:
                    raise Unreadable(TOO_BIG)
            if alike and re.search(rb'<c r="[A-Za-z]{1,3}0*(?:%s)"' % _above(top_row), text):
                alike = False  # a cell below every row seen so far: its row does not place it
            for letters, count in Counter(_WIDE_COLUMN.findall(text)).items():
                column = _column_number(letters)
                widest = max(widest, column)
                cells += column * count
            if measure.cells + cells > MAX_CELLS:
                raise Unreadable(TOO_BIG)
            if not chunk:
                measure.add(top_row * widest, cells, alike)
                return


def _calamine_can_read(path: Path) -> bool:
    """Tell whether calamine may read the file (see the module's docstring); raise Unreadable for no zip archive,
    or for one too big to read."""
    try:
        measure = _Measure()
        with zipfile.ZipFile(path) as archive:
            check_size(archive)
            for member in archive.infolist():  # every part, whatever its name: a sheet may be called anything
                if not member.is_dir():
                    _scan(archive, member, measure)
        return measure.alike and measure.rectangle <= CALAMINE_CELLS
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError) as broken:  # RuntimeError: an encrypted member
        raise Unreadable(BROKEN) from broken  # a zip that cannot even be listed and inflated is no workbook


def _is_failure(error: BaseException) -> bool:
    # a panic inside the Rust reader arrives as pyo3's PanicException, which derives from BaseException
    return isinstance(error, Exception) or type(error).__name__ == "PanicException"


def _packed(rows: Iterator[list]) -> list[bytes]:
    """Pickle a sheet's rows in batches: about 300 bytes a row, where calamine's cells take over 1 KB."""
    packed, batch = [], []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            packed.append(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
            batch = []
    if batch:
        packed.append(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    return packed


def _unpacked(packed: list[bytes]) -> Iterator[list]:
    """Give the rows back in order, letting go of each batch once it is read."""
    packed.reverse()
    while packed:
        yield from pickle.loads(packed.pop())


def _calamine_sheets(path: Path) -> list[tuple[str, Iterator]] | None:
    """Read every worksheet with calamine; None when calamine cannot read the file.

    Each sheet's rows are packed as soon as it is loaded and calamine's copy is dropped, so that its
    cells (over 100 MB for 100,000 rows) are not held while the rows are checked and the plan grows.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheets = []
            for meta in workbook.sheets_metadata:
                if meta.typ == SheetTypeEnum.WorkSheet:  # as openpyxl's workbook.worksheets: no chart sheets
                    packed = _packed(workbook.get_sheet_by_name(meta.name).iter_rows())
                    sheets.append((meta.name, _unpacked(packed)))
        finally:
            workbook.close()
    except BaseException as failed:
        if _is_failure(failed):
            return None
        raise
    _release_freed_heap()
    return sheets


def _release_freed_heap() -> None:
    """Hand the memory calamine freed back to the system.

    glibc keeps freed small blocks in its heap, and Python's own allocator, which takes its memory in
    separate arenas, would not reuse them: the process would go on holding the sheet's size.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _guarded(rows: Iterator) -> Iterator:
    """Pass openpyxl's streamed rows on; a file found damaged halfway is Unreadable, not a server error."""
    try:
        yield from rows
    except Exception as broken:
        raise Unreadable(BROKEN) from broken


@contextmanager
def worksheets(path: Path):
    """Yield (title, rows) for each worksheet of an .xlsx file; raise Unreadable for a damaged file."""
    sheets = _calamine_sheets(path) if _calamine_can_read(path) else None
    if sheets is not None:
        yield sheets
        return
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as broken:
        raise Unreadable(BROKEN) from broken
    try:
        sheets = []
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()  # hand-made files often declare a wrong used range
            sheets.append((worksheet.title, _guarded(worksheet.iter_rows(values_only=True))))
        yield sheets
    finally:
        workbook.close()
