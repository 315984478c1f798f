"""Plan a ledger import (what will be created, updated or left unchanged, and every error), then apply it.

The 编号 is the key: a row whose 编号 is stored updates that case, a blank 编号 gets a new number. A row
with a blank 编号 that repeats a stored case exactly (same date, place, type, parties and text) is taken
as that case, so importing the same hand-kept ledger twice does not register its cases twice.
"""

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import aliased

from casetrack import clock
from casetrack.domain.errors import N_
from casetrack.extensions import db
from casetrack.ledger import stored, updating, writing
from casetrack.ledger.format import (
    BY_KEY,
    COLUMNS,
    DISPUTE,
    KINDS,
    PETITION,
    SHEET_NAMES,
    BadValue,
    Label,
    LedgerError,
    Notice,
    normalise_number,
    render_cell,
)
from casetrack.ledger.lookups import Books, TownshipBook
from casetrack.ledger.mapping import LedgerMap
from casetrack.ledger.reading import open_ledger
from casetrack.ledger.saved_maps import load_map
from casetrack.ledger.validation import RULES, RowChecker, merge, next_status, same, with_defaults
from casetrack.ledger.xlsx import Unreadable
from casetrack.models import Dispute, Petition, Township, User

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class HeadersToMap:
    """A sheet's headers casetrack does not know, with their first values, and the required ones not found."""

    kind: str
    sheet: str
    header_row: int
    unknown: list[tuple[str, list[str]]]  # (header, sample values)
    missing: list[str]


@dataclass
class ValuesToMap:
    """A choice column's values that fit none of its labels, for the user to map."""

    kind: str
    header: str
    values: list[str]


@dataclass(slots=True)
class RowPlan:
    """What importing one valid row will do."""

    kind: str
    sheet: str
    row: int
    township_id: int
    values: object  # as given (blank = None) until planned; then the case as it will be
    action: str = CREATE
    case_id: int | None = None
    status: str | None = None  # the state an update moves the case to
    changes: dict | None = None  # header → (old text, new text)


@dataclass
class Plan:
    """An import worked out but not yet written: the rows, what each will do, and every error found."""

    filename: str
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[LedgerError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    books: Books | None = None
    bad_numbers: dict = field(default_factory=lambda: defaultdict(set))  # numbers on rows with errors
    error_rows: dict = field(default_factory=lambda: defaultdict(set))
    unreadable: str | None = None  # why the file could not be read at all (then it is also the one error)
    mapping: LedgerMap = field(default_factory=LedgerMap)  # the saved and given mapping the file was read with
    headers_to_map: list[HeadersToMap] = field(default_factory=list)
    values_to_map: list[ValuesToMap] = field(default_factory=list)

    @property
    def township_id(self) -> int | None:
        """Return the township whose mapping applies (the one given, or the database's only one)."""
        return self.books.default.id if self.books and self.books.default else None

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, dict[str, int]]:
        """Return per kind how many rows will be created, updated, unchanged, and how many have errors."""
        result = {kind: {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "error": len(self.error_rows[kind])} for kind in KINDS}
        for row in self.rows:
            result[row.kind][row.action] += 1
        return result

    def of(self, action: str) -> list[RowPlan]:
        """Return the rows that will take an action, in file order."""
        return [row for row in self.rows if row.action == action]

    def fail(self, row: RowPlan, column: str | None, value, reason: BadValue) -> None:
        """Record an error on a row that passed the cell checks; the row is dropped from the plan."""
        self.errors.append(LedgerError.because(row.sheet, row.row, column, value, reason))
        self.error_rows[row.kind].add((row.sheet, row.row))

    def summary(self) -> list[Notice]:
        """Say in Chinese what the import will do, one line per kind."""
        lines = []
        for kind, n in self.counts().items():
            if not any(n.values()):
                continue
            counted = {"kind": Label(SHEET_NAMES[kind]), "created": n[CREATE], "updated": n[UPDATE],
                       "unchanged": n[UNCHANGED], "errors": n["error"]}
            if n["error"]:
                lines.append(Notice(N_("%(kind)s:新建 %(created)s 件,更新 %(updated)s 件,无变化 %(unchanged)s 件,"
                                       "有错误的行 %(errors)s 行"), **counted))
            else:
                lines.append(Notice(N_("%(kind)s:新建 %(created)s 件,更新 %(updated)s 件,无变化 %(unchanged)s 件"),
                                    **counted))
        return lines


@contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while a ledger's rows are built and written.

    Each of 100,000 rows leaves several tuples alive, and the collector would go over all of them
    again and again; nothing made here forms cycles that need it.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def plan_import(path: Path | str, filename: str | None = None, township: Township | None = None,
                today: date | None = None, mapping: LedgerMap | None = None) -> Plan:
    """Read and check a whole ledger file and work out what importing it would do; writes nothing.

    Headers and values are read with the township's saved mapping, and mapping's entries over it.
    """
    with _collector_paused():
        return _plan(path, filename, township, today, mapping)


def _plan(path: Path | str, filename: str | None, township: Township | None, today: date | None,
          mapping: LedgerMap | None) -> Plan:
    filename = filename or Path(path).name
    try:
        return _plan_readable(path, filename, township, today, mapping)
    except Unreadable as unreadable:  # nothing of a file that cannot be read is kept, not even its first rows
        plan = Plan(filename, books=Books(township), unreadable=str(unreadable))
        plan.errors.append(LedgerError(filename, None, None, None, plan.unreadable))
        return plan


def _plan_readable(path: Path | str, filename: str, township: Township | None, today: date | None,
                   mapping: LedgerMap | None) -> Plan:
    today = today or clock.today()
    books = Books(township)
    plan = Plan(filename, books=books)
    plan.mapping = load_map(plan.township_id).updated(mapping or LedgerMap())
    checkers = []
    with open_ledger(path, plan.filename, plan.mapping) as ledger:
        plan.errors.extend(ledger.errors)
        plan.notices.extend(ledger.notices)
        for sheet in ledger.sheets:
            positions = {column.key: index for index, column in sheet.columns}
            checker = RowChecker(sheet.kind, sheet.name, positions, books, today, plan.mapping)
            checkers.append(checker)
            number_at = positions.get("number")
            for row, cells in sheet.rows:
                values, book, errors = checker.check(row, cells)
                if errors:
                    plan.errors.extend(errors)
                    plan.error_rows[sheet.kind].add((sheet.name, row))
                    if number_at is not None and number_at < len(cells) and cells[number_at]:
                        plan.bad_numbers[sheet.kind].add(_safe_number(cells[number_at]))
                    continue
                plan.rows.append(RowPlan(sheet.kind, sheet.name, row, book.township_id, values))
            plan.notices.extend(Notice(N_("工作表“%(sheet)s”第%(row)s行是表尾说明,已跳过。"), sheet=sheet.name, row=r)
                                for r in sheet.skipped)
        order = {sheet.name: index for index, sheet in enumerate(ledger.sheets)}
        for sheet in [*ledger.unmatched, *ledger.sheets]:  # the samples are complete once the rows are read
            if sheet.unknown or sheet.missing:
                plan.headers_to_map.append(HeadersToMap(
                    sheet.kind, sheet.name, sheet.header_row,
                    [(header, sheet.samples.get(header, [])) for _index, header in sheet.unknown], sheet.missing))
    for checker in checkers:
        for header, values in checker.unknown_values.items():
            if values:
                plan.values_to_map.append(ValuesToMap(checker.kind, header, list(values)))
    _Planner(plan, books).run()
    plan.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row or 0))  # as the file has them, sheet by sheet
    return plan


def _safe_number(cell) -> str:
    try:
        return normalise_number(cell)
    except BadValue:
        return ""


def display(kind: str, key: str, value, book: TownshipBook) -> str:
    """Return a canonical value as the ledger writes it, for messages and change lists."""
    column = BY_KEY[kind][key]
    if column.kind == "user":
        return book.user_names.get(value, "") if value else ""
    names = book.names_for(column.kind) if column.kind in (
        "village", "natural_village", "dispute_type", "category", "township") else None
    shown = render_cell(column, value, names)
    if hasattr(shown, "isoformat"):
        return shown.isoformat()
    return "" if shown is None else str(shown)


def preview_line(row: RowPlan, book: TownshipBook) -> dict:
    """Describe a row that will create a case, for the preview page."""
    v = row.values
    dispute_row = row.kind == DISPUTE
    text = v.summary if dispute_row else v.request
    return {
        "kind": SHEET_NAMES[row.kind], "sheet": row.sheet, "row": row.row, "number": v.number,
        "date": v.registered_on if dispute_row else v.received_on,
        "place": book.village_names.get(v.village, "") if v.village else "",
        "people": "、".join(v.applicants if dispute_row else v.petitioners),
        "text": text if len(text) <= 40 else text[:40] + "…",
    }


class _Planner:
    """Decide create / update / unchanged for checked rows, applying the rules that need the whole file."""

    def __init__(self, plan: Plan, books: Books):
        self.plan, self.books = plan, books

    def book(self, township_id: int) -> TownshipBook:
        return self.books.by_id(township_id)

    def failed(self, row: RowPlan) -> bool:
        return (row.sheet, row.row) in self.plan.error_rows[row.kind]

    def run(self) -> None:
        rows = self.plan.rows
        self._adopt_unnumbered(rows)
        self._duplicates(rows)
        self._repeats(rows)
        self._updates(rows)
        for row in rows:
            if row.action == CREATE and not self.failed(row):
                row.values = with_defaults(row.kind, row.values)
                self._rules(row)
        self.plan.rows = [r for r in rows if not self.failed(r)]

    def _rules(self, row: RowPlan) -> bool:
        problems = RULES[row.kind](row.values)
        for key, reason in problems:
            value = display(row.kind, key, getattr(row.values, key), self.book(row.township_id))
            self.plan.fail(row, BY_KEY[row.kind][key].header, value, reason)
        return not problems

    def _duplicates(self, rows: list[RowPlan]) -> None:
        """Refuse a 编号 twice in the file, or in another township's numbering (Books.numbered_elsewhere)."""
        first: dict[tuple, int] = {}
        for row in rows:
            number = row.values.number
            if number is None:
                continue
            key = (row.kind, row.township_id, number)
            if key in first:
                self.plan.fail(row, "编号", number, BadValue("编号与本表第%(row)s行重复", row=first[key]))
            elif reason := self.books.numbered_elsewhere(row.kind, number, self.book(row.township_id)):
                self.plan.fail(row, "编号", number, reason)
            else:
                first[key] = row.row

    def _adopt_unnumbered(self, rows: list[RowPlan]) -> None:
        """Take a blank-编号 row that repeats a stored case exactly as that case."""
        pending = [r for r in rows if r.values.number is None and not self.failed(r)]
        named = {(r.kind, r.township_id, r.values.number) for r in rows if r.values.number}  # their rows speak for them
        groups = defaultdict(list)
        for row in pending:
            groups[(row.kind, row.township_id)].append(row)
        for (kind, township_id), group in groups.items():
            model = Dispute if kind == DISPUTE else Petition
            day = model.registered_on if kind == DISPUTE else model.received_on
            days = sorted({_content_key(kind, r.values)[0] for r in group})
            ids = []
            for start in range(0, len(days), stored.CHUNK):
                ids += db.session.execute(select(model.id).where(
                    model.township_id == township_id, day.in_(days[start:start + stored.CHUNK])
                ).order_by(model.id)).scalars().all()
            if not ids:
                continue
            known = defaultdict(list)
            for case in stored.READERS[kind](self.book(township_id), ids):
                if (kind, township_id, case.values.number) not in named:
                    known[_content_key(kind, case.values)].append(case.values.number)
            for row in group:
                numbers = known.get(_content_key(kind, row.values))
                if numbers:
                    row.values = row.values._replace(number=numbers.pop(0))

    def _repeats(self, rows: list[RowPlan]) -> None:
        """Point each 重复信访 at the first petition on the matter, in the database or in this file."""
        mine = [r for r in rows if r.kind == PETITION and not self.failed(r)]
        in_file = {(r.township_id, r.values.number): r for r in mine if r.values.number}
        wanted = {(r.township_id, r.values.repeat_of) for r in mine if r.values.repeat_of}
        first_of = {}
        for township_id in {t for t, _n in wanted}:
            numbers = sorted(n for t, n in wanted if t == township_id)
            original = aliased(Petition)
            for start in range(0, len(numbers), stored.CHUNK):
                for number, first in db.session.execute(
                    select(Petition.number, original.number).outerjoin(original, Petition.repeat_of_id == original.id)
                    .where(Petition.township_id == township_id, Petition.number.in_(numbers[start:start + stored.CHUNK]))
                ):
                    first_of[(township_id, number)] = first or number
        bad = self.plan.bad_numbers[PETITION]
        for row in mine:
            target, seen = row.values.repeat_of, set()
            while target is not None:
                if target == row.values.number or target in seen:
                    self.plan.fail(row, "重复信访", row.values.repeat_of, BadValue("重复信访不能指向本件或形成循环"))
                    break
                seen.add(target)
                key = (row.township_id, target)
                if key in in_file and (in_file[key].sheet, in_file[key].row) not in self.plan.error_rows[PETITION]:
                    parent = in_file[key].values.repeat_of
                    if parent is None:
                        row.values = row.values._replace(repeat_of=target)
                        break
                    target = parent
                elif key in first_of and key not in in_file:
                    row.values = row.values._replace(repeat_of=first_of[key])
                    break
                else:
                    if target in bad or key in in_file:
                        reason = BadValue("所指的编号“%(number)s”在本文件中有错误,未能导入", number=target)
                    else:
                        reason = BadValue("所指的编号“%(number)s”的信访事项不存在", number=target)
                    self.plan.fail(row, "重复信访", row.values.repeat_of, reason)
                    break

    def _updates(self, rows: list[RowPlan]) -> None:
        """Compare rows whose 编号 is stored with the stored case; check what the case would become."""
        candidates = defaultdict(list)
        for row in rows:
            if row.values.number is None or self.failed(row):
                continue
            case_id = self.book(row.township_id).existing_numbers(row.kind).get(row.values.number)
            if case_id is not None:
                row.case_id = case_id
                candidates[(row.kind, row.township_id)].append(row)
        for (kind, township_id), group in candidates.items():
            book = self.book(township_id)
            cases = {c.id: c for c in stored.READERS[kind](book, [r.case_id for r in group])}
            for row in group:
                case = cases[row.case_id]
                self._compare(row, case, book)

    def _compare(self, row: RowPlan, case: stored.StoredCase, book: TownshipBook) -> None:
        kind = row.kind
        merged = merge(kind, row.values, case.values)
        changes = {}
        for column, old, new in zip(COLUMNS[kind], case.values, merged, strict=True):
            if not same(column, old, new):
                changes[column.header] = (display(kind, column.key, old, book), display(kind, column.key, new, book))
        row.values = merged
        if not changes:
            row.action, row.status = UNCHANGED, case.status
            return
        row.action, row.changes = UPDATE, changes
        if kind == DISPUTE and case.status == "archived":
            self.plan.fail(row, None, None, BadValue("案件 %(number)s 已归档,不能通过台账修改", number=case.values.number))
            return
        if not self._rules(row):
            return
        try:
            row.status = next_status(kind, case.status, merged)
        except BadValue as refused:
            header = "状态" if kind == DISPUTE else "受理情况"
            self.plan.fail(row, header, display(kind, "status" if kind == DISPUTE else "decision",
                                                merged.status if kind == DISPUTE else merged.decision, book),
                           refused)


def _content_key(kind: str, v) -> tuple:
    """Return what identifies a case without its 编号: date, place or channel, type, people and text."""
    if kind == DISPUTE:
        return (v.registered_on, v.village, v.dispute_type, tuple(sorted(v.applicants or ())), v.summary)
    return (v.received_on, v.channel, v.category, tuple(sorted(v.petitioners or ())), v.request)


class ImportRefused(Exception):
    """The ledger has errors and the caller did not ask for the valid rows alone: nothing was written."""

    def __init__(self, errors: list[LedgerError]):
        self.errors = errors
        super().__init__(f"台账中有 {len(errors)} 处错误,未导入任何内容。")


def apply_plan(plan: Plan, actor: User | None = None, valid_only: bool = False) -> dict[str, dict[str, int]]:
    """Write a plan in the session's transaction (the caller commits); refuse it when it has errors.

    With valid_only the rows without errors are written and the others skipped.
    """
    if plan.errors and not valid_only:
        raise ImportRefused(plan.errors)
    with _collector_paused():
        _apply(plan, actor)
    return plan.counts()


def _apply(plan: Plan, actor: User | None) -> None:
    actor_id = actor.id if actor else None
    for kind in KINDS:
        by_township: dict[int, dict[str, list[RowPlan]]] = defaultdict(lambda: defaultdict(list))
        for row in plan.rows:
            if row.kind == kind:
                by_township[row.township_id][row.action].append(row)
        for township_id, rows in by_township.items():
            book = plan.books.by_id(township_id)
            writing.create_cases(kind, book, rows[CREATE], actor_id, plan.filename)
            updating.update_cases(kind, book, rows[UPDATE], actor, plan.filename)
    db.session.flush()
