"""Read ledger files (.xlsx sheets, .csv files) into rows keyed by column, as hand-kept ledgers come.

The header is the first row holding a kind's required headers, so title and note rows above it are
passed over; blank rows, the template's example row and footer notes (合计, 填表人…) are skipped.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from casetrack.domain.errors import N_
from casetrack.domain.identity import PERSONAL_NUMBER, mask_id_number, mask_phone
from casetrack.ledger.format import (
    BY_HEADER,
    EXAMPLE_MARK,
    EXTRA_HEADERS,
    KINDS,
    LIST_SHEET,
    REQUIRED_HEADERS,
    ROW_NUMBER_HEADER,
    SHEET_NAMES,
    BadValue,
    Column,
    Label,
    LedgerError,
    Notice,
    clean,
    normalise_header,
)
from casetrack.ledger.mapping import IGNORE, LedgerMap, header_target
from casetrack.ledger.xlsx import BROKEN, Unreadable, worksheets
from casetrack.spreadsheet_text import csv_text_back

HEADER_SCAN_ROWS = 50  # title and note rows above the header are few
SAMPLES = 3  # sample values shown beside each header the user is asked to map
_FOOTER_WORDS = ("合计", "总计", "小计", "填表人", "填报人", "制表人", "审核人", "负责人", "注:", "注:", "说明:", "说明:")


@dataclass
class Sheet:
    """One sheet (or CSV file) of a kind: where its header is, which cell holds which column, its rows."""

    kind: str
    name: str
    header_row: int
    columns: list[tuple[int, Column]]
    rows: Iterator[tuple[int, tuple]]  # (row number as the spreadsheet shows it, cells)
    skipped: list[int] = field(default_factory=list)  # footer-note rows passed over, known once rows are read
    unknown: list[tuple[int, str]] = field(default_factory=list)  # (cell index, header) of columns not read
    samples: dict[str, list[str]] = field(default_factory=dict)  # unknown header → first values, as rows are read
    missing: list[str] = field(default_factory=list)  # required headers not found (a sheet whose header row is a guess)

    @property
    def headers(self) -> set[str]:
        return {column.header for _index, column in self.columns}


@dataclass
class LedgerFile:
    """What reading found: the sheets to import, and problems with the file or its headers."""

    name: str
    sheets: list[Sheet] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unmatched: list[Sheet] = field(default_factory=list)  # sheets whose header row lacks required columns, as guessed


def _has_content(cells: tuple) -> bool:
    return any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells)


def _is_footer(cells: tuple) -> bool:
    filled = [c for c in cells if c is not None and c != ""]
    if len(filled) > 2:  # a data row: decided without looking at its text
        return False
    texts = [clean(c) for c in filled if clean(c)]
    return bool(texts) and texts[0].startswith(_FOOTER_WORDS)


def _headers(cells: tuple, kind: str, mapping: LedgerMap | None) -> set[str]:
    """Return the format's headers a row holds, reading known variants and the user's mapping."""
    return {header_target(kind, normalise_header(c), mapping)[0] for c in cells if c is not None}


def _header_kind(cells: tuple, kinds: tuple[str, ...], mapping: LedgerMap | None) -> str | None:
    for kind in kinds:
        headers = _headers(cells, kind, mapping)
        if all(h in headers for h in REQUIRED_HEADERS[kind]):
            return kind
    return None


@dataclass
class _Guess:
    """The row most like a header row, when none holds all required headers: the user may map the rest."""

    kind: str | None = None
    number: int = 0
    cells: tuple = ()
    found: int = 0
    missing: list[str] = field(default_factory=list)
    score: tuple[int, int] = (0, 0)
    after: list[tuple] = field(default_factory=list)  # the rows read after it, for sample values


def _find_header(rows: Iterator[tuple], kinds: tuple[str, ...], mapping: LedgerMap | None
                 ) -> tuple[str | None, int, tuple, _Guess]:
    """Read rows until one holds a kind's required headers; return (kind, row number, cells, best guess)."""
    guess = _Guess()
    for number, cells in enumerate(rows, start=1):
        kind = _header_kind(cells, kinds, mapping)
        if kind:
            return kind, number, cells, guess
        if guess.kind is not None:
            guess.after.append(cells)
        for candidate in kinds:
            headers = _headers(cells, candidate, mapping) - {None, IGNORE}
            missing = [h for h in REQUIRED_HEADERS[candidate] if h not in headers]
            score = (len(REQUIRED_HEADERS[candidate]) - len(missing), len(headers))
            if score > guess.score:
                guess = _Guess(candidate, number, cells, len(headers), missing, score)
        if number >= HEADER_SCAN_ROWS:
            break
    return None, 0, (), guess


def _map_columns(ledger: LedgerFile, sheet_name: str, kind: str, header: tuple, mapping: LedgerMap | None
                 ) -> tuple[list, int | None, list[tuple[int, str]]]:
    """Map cell positions to columns; report unknown and repeated headers, and the variants read.

    The format's own headers and the user's mapping come first; a known variant only takes a column that
    is still free, so a ledger with both 登记日期 and 受理时间 reads 登记日期.
    """
    columns, seen, serial, unknown, variants = [], {}, None, [], []
    for index, cell in enumerate(header):
        text = normalise_header(cell)
        if not text:
            continue
        target, explicit = header_target(kind, text, mapping)
        if target == IGNORE:
            continue
        if target is None:
            if text == ROW_NUMBER_HEADER:
                serial = index
            elif text not in EXTRA_HEADERS:
                unknown.append((index, text))
            continue
        if not explicit:
            variants.append((index, text, target))
            continue
        if target in seen:
            ledger.errors.append(LedgerError(sheet_name, None, text, None, "表头重复出现,请只保留一列"))
            continue
        seen[target] = index
        columns.append((index, BY_HEADER[kind][target]))
    for index, text, target in variants:
        if target in seen:
            unknown.append((index, text))
            continue
        seen[target] = index
        columns.append((index, BY_HEADER[kind][target]))
        ledger.notices.append(Notice(N_("工作表“%(sheet)s”:列“%(column)s”按“%(header)s”读取。"), sheet=sheet_name,
                                     column=text, header=target))
    for _index, text in sorted(unknown):
        ledger.notices.append(Notice(N_("工作表“%(sheet)s”:未知列“%(column)s”,已忽略。"), sheet=sheet_name, column=text))
    return sorted(columns, key=lambda pair: pair[0]), serial, sorted(unknown)


def _masked(text: str) -> str:
    """Return a sample value with any ID number or phone in it masked: it is shown, and not needed whole."""
    return PERSONAL_NUMBER.sub(lambda m: mask_phone(m.group()) if len(m.group()) == 11 else mask_id_number(m.group()),
                               text)


def _sampled(rows: Iterator, unknown: list[tuple[int, str]], samples: dict[str, list[str]]) -> Iterator:
    """Pass rows on, keeping the first values of each unknown column for the mapping form."""
    pending = dict(unknown)
    for number, cells in rows:
        if pending:
            for index, header in list(pending.items()):
                if index < len(cells) and clean(cells[index]):
                    kept = samples.setdefault(header, [])
                    kept.append(_masked(clean(cells[index]))[:40])
                    if len(kept) >= SAMPLES:
                        del pending[index]
        yield number, cells


def _data_rows(rows: Iterator[tuple], header_row: int, serial: int | None, skipped: list) -> Iterator:
    number = header_row
    for cells in rows:
        number += 1
        if not _has_content(cells):
            continue
        if serial is not None and serial < len(cells) and clean(cells[serial]) == EXAMPLE_MARK:
            continue
        if _is_footer(cells):
            skipped.append(number)
            continue
        yield number, cells


def _add_sheet(ledger: LedgerFile, name: str, rows: Iterator[tuple], kinds: tuple[str, ...], must: bool,
               mapping: LedgerMap | None = None) -> None:
    kind, header_row, header, guess = _find_header(rows, kinds, mapping)
    if kind is None:
        if must or guess.found >= 3:
            _keep_guess(ledger, name, guess, mapping)
        if must:
            wanted = tuple(guess.missing or REQUIRED_HEADERS[kinds[0]])
            reason = BadValue("找不到表头行:缺少必填列 %(headers)s", headers=wanted)
            ledger.errors.append(LedgerError.because(name, None, None, None, reason))
        else:
            ledger.notices.append(Notice(N_("工作表“%(sheet)s”中没有台账表头,已跳过。"), sheet=name))
        return
    columns, serial, unknown = _map_columns(ledger, name, kind, header, mapping)
    sheet = Sheet(kind, name, header_row, columns, iter(()), unknown=unknown)
    sheet.rows = _data_rows(rows, header_row, serial, sheet.skipped)
    if unknown:
        sheet.rows = _sampled(sheet.rows, unknown, sheet.samples)
    ledger.sheets.append(sheet)
    ledger.notices.append(Notice(N_("工作表“%(sheet)s”:%(kind)s台账,表头在第%(row)s行。"), sheet=name,
                                 kind=Label(SHEET_NAMES[kind]), row=header_row))


def _keep_guess(ledger: LedgerFile, name: str, guess: _Guess, mapping: LedgerMap | None) -> None:
    """Keep the likeliest header row of a sheet without one, with its unknown columns' first values."""
    if guess.kind is None:
        return
    scratch = LedgerFile(name)
    _columns, _serial, unknown = _map_columns(scratch, name, guess.kind, guess.cells, mapping)
    sheet = Sheet(guess.kind, name, guess.number, [], iter(()), unknown=unknown, missing=guess.missing)
    rows = ((guess.number + 1 + offset, cells) for offset, cells in enumerate(guess.after))
    for _row in _sampled(rows, unknown, sheet.samples):
        pass
    ledger.unmatched.append(sheet)


def decode_csv(raw: bytes) -> str:
    """Decode a CSV saved as UTF-8 (with or without BOM) or as GB18030 by Chinese Excel."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030")


def _csv_rows(text: str) -> Iterator[tuple]:
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield tuple(csv_text_back(cell) for cell in cells)  # export's '= neutralising comes off
    except csv.Error as broken:  # a field over the csv module's 128 KB limit: an unclosed quote, as a rule
        raise Unreadable(CSV_FIELD) from broken


EMPTY = N_("文件是空的(0 字节),请选择填好的台账文件")
OLD_OR_LOCKED = N_("不支持旧版 .xls 文件或设有打开密码的工作簿,请在 Excel 中(取消密码后)另存为 .xlsx 后再导入")
BINARY = N_("不是文本格式的 CSV 文件,无法读取。请在 Excel 或 WPS 中另存为 .xlsx 或“CSV UTF-8(逗号分隔)”后再导入")
CSV_FIELD = N_("CSV 文件中有超过 128 KB 的单元格(通常是引号没有成对),无法读取。请在 Excel 或 WPS 中检查后另存再导入")
ENCODING = N_("无法识别文件编码,请保存为 UTF-8 或 GB18030 编码的 CSV")


@contextmanager
def open_ledger(path: Path | str, name: str | None = None, mapping: LedgerMap | None = None):
    """Open a ledger file and yield a LedgerFile whose sheets stream their rows while it is open.

    A file that cannot be read at all (empty, damaged, old .xls, binary) raises Unreadable, with a
    Chinese message saying what to do; the rows of a damaged .xlsx may raise it while they are read.
    """
    path = Path(path)
    name = name or path.name
    ledger = LedgerFile(name)
    with open(path, "rb") as probe:
        magic = probe.read(8)
    if not magic:
        raise Unreadable(EMPTY)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE2 file: .xls, or an .xlsx locked with a password
        raise Unreadable(OLD_OR_LOCKED)
    if magic.startswith(b"PK"):
        with worksheets(path) as sheets:
            for title, rows in sheets:
                if title == LIST_SHEET:
                    continue
                by_name = [k for k in KINDS if SHEET_NAMES[k] == title.strip()]
                _add_sheet(ledger, title, rows, tuple(by_name) or KINDS, must=bool(by_name), mapping=mapping)
            if not ledger.sheets and not ledger.errors:
                ledger.errors.append(LedgerError(name, None, None, None, "没有找到“矛盾纠纷”或“信访”台账"))
            yield ledger
        return
    # Not a zip archive: CSV text, whatever the name. A CSV renamed .xlsx imports as before, but a file named
    # .xlsx that holds no ledger header is a damaged workbook, not a CSV without headers.
    workbook_named = name.lower().endswith((".xlsx", ".xlsm"))
    raw = path.read_bytes()
    if b"\x00" in raw:  # no text CSV holds a NUL; UTF-16 "Unicode text" and binary files do
        raise Unreadable(BROKEN if workbook_named else BINARY)
    try:
        text = decode_csv(raw)
    except UnicodeDecodeError:
        raise Unreadable(BROKEN if workbook_named else ENCODING) from None
    _add_sheet(ledger, name, _csv_rows(text), KINDS, must=not workbook_named, mapping=mapping)
    if workbook_named and not ledger.sheets:
        raise Unreadable(BROKEN)
    yield ledger
