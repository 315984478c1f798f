"""Export a township's year as the ledger: its columns first, so the file imports again unchanged, then the limits.

受理期限, 办结期限, 是否超期 and 期限说明 (which rule gave each date, and 暂定 for a date counted in a year whose
holiday plan is not entered yet) come from casetrack's own deadline rules (domain/deadlines.py with the
township's settings from services/time_limits.py). A dispute has no statutory acceptance limit, so its
受理期限 is blank and its 办结期限 is the one-month mediation limit (none when both parties agreed to
continue, or the date they agreed). 是否超期 is judged on the export date, or on the day the limit was met for a case past it.
A duplicate merged into another case is not a ledger row and is left out.
"""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.ledger import stored
from casetrack.ledger.format import COLUMNS, DISPUTE, EXTRA_HEADERS, KINDS, PETITION, SHEET_NAMES, render_cell
from casetrack.ledger.lookups import TownshipBook
from casetrack.ledger.validation import HANDLED
from casetrack.models import Dispute, Petition, Township
from casetrack.private_files import private_open
from casetrack.services import time_limits
from casetrack.spreadsheet_text import as_text_cell, csv_text, is_risky

DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class Limits:
    """The limits export adds after the ledger's columns."""

    acceptance_due: date | None
    handling_due: date | None
    overdue: bool
    note: str = ""


def _safely(make) -> dl.Deadline | None:
    try:
        return make()
    except DomainError:  # a limit refused by its own rules (an extension past 30 days in old data)
        return None


def dispute_limits(case: stored.StoredCase, policy: dl.DeadlinePolicy, today: date) -> Limits:
    """Return a dispute's mediation limit and whether it was missed."""
    v = case.values
    deadline = None
    if case.accepted_on is not None:
        deadline = _safely(lambda: dl.mediation_deadline(case.accepted_on, case.continuation_agreed, policy,
                                                         case.continued_until))
    done = v.closed_on if v.outcome is not None else None
    return Limits(None, deadline.due if deadline else None, dl.is_overdue_on(deadline, done, today), time_limits.limit_note(deadline))


def petition_limits(case: stored.StoredCase, policy: dl.DeadlinePolicy, today: date) -> Limits:
    """Return a petition's 15-day acceptance and 60-day (plus extension) handling limits and whether one was missed."""
    v = case.values
    acceptance = _safely(lambda: dl.petition_acceptance_deadline(v.received_on, policy))
    handling = None
    if v.decision in HANDLED and v.decided_on is not None:
        handling = _safely(lambda: dl.petition_opinion_deadline(v.decided_on, v.extension_days or 0, policy))
    decided = v.decided_on if v.decision != pw.Decision.PENDING else None
    overdue = dl.is_overdue_on(acceptance, decided, today) or dl.is_overdue_on(handling, v.answered_on, today)
    return Limits(acceptance.due if acceptance else None, handling.due if handling else None, overdue,
                  time_limits.limit_note(acceptance, handling))


LIMITS = {DISPUTE: dispute_limits, PETITION: petition_limits}


def headers(kind: str) -> list[str]:
    """Return the export's header row: the ledger's columns, then the limits."""
    return [c.header for c in COLUMNS[kind]] + list(EXTRA_HEADERS)


def render_values(kind: str, values, book: TownshipBook) -> list:
    """Return a case's ledger cells: labels for values, names for ids, real dates."""
    cells = []
    for column, value in zip(COLUMNS[kind], values, strict=True):
        if column.kind == "user":
            cells.append(book.user_names.get(value) if value else None)
        elif column.kind in ("village", "natural_village", "dispute_type", "category", "township"):
            cells.append(render_cell(column, value, book.names_for(column.kind)))
        else:
            cells.append(render_cell(column, value))
    return cells


def case_ids(kind: str, township_id: int, year: int) -> list[int]:
    """Return the ids of a township's cases registered in a year, oldest first; merged duplicates left out."""
    model = Dispute if kind == DISPUTE else Petition
    day = model.registered_on if kind == DISPUTE else model.received_on
    query = select(model.id).where(
        model.township_id == township_id, day >= date(year, 1, 1), day <= date(year, 12, 31)
    ).order_by(day, model.id)
    if kind == DISPUTE:
        query = query.where(Dispute.not_merged)
    return list(db.session.execute(query).scalars())


def ledger_rows(kind: str, township: Township, year: int, today: date | None = None) -> Iterator[list]:
    """Yield a year's cases of a kind as export rows (ledger cells, then the limits)."""
    today = today or clock.today()
    book = TownshipBook(township)
    policy = time_limits.policy_for(township)
    for case in stored.READERS[kind](book, case_ids(kind, township.id, year)):
        limits = LIMITS[kind](case, policy, today)
        yield [*render_values(kind, case.values, book), limits.acceptance_due, limits.handling_due,
               "是" if limits.overdue else "否", limits.note]


def write_xlsx(target, township: Township, year: int, today: date | None = None) -> dict[str, int]:
    """Write both sheets to an .xlsx path or binary file; return the number of cases per kind."""
    workbook = Workbook(write_only=True)
    counts = {}
    for kind in KINDS:
        sheet = workbook.create_sheet(SHEET_NAMES[kind])
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers(kind), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 28 if header in ("简要案情", "诉求摘要") else 13
        bold = []
        for header in headers(kind):
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        counts[kind] = 0
        for row in ledger_rows(kind, township, year, today):
            sheet.append([_cell(sheet, value) for value in row])
            counts[kind] += 1
    workbook.save(target)
    return counts


def _cell(sheet, value):
    """Return what to append for a value: dates formatted as dates, text that could be a formula as text."""
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str) and is_risky(value):
        cell = WriteOnlyCell(sheet, value=value)
        as_text_cell(cell)
        return cell
    return value


def csv_paths(output: Path | str) -> dict[str, Path]:
    """Return the CSV file of each kind for an output name: 台账.csv → 台账-矛盾纠纷.csv and 台账-信访.csv."""
    output = Path(output)
    stem = output.with_suffix("") if output.suffix.lower() == ".csv" else output
    return {kind: stem.with_name(f"{stem.name}-{SHEET_NAMES[kind]}.csv") for kind in KINDS}


def write_csv(stream, kind: str, township: Township, year: int, today: date | None = None) -> int:
    """Write one kind's rows as CSV text to a stream; dates as YYYY-MM-DD. Return the number of cases."""
    writer = csv.writer(stream)
    writer.writerow(headers(kind))
    count = 0
    for row in ledger_rows(kind, township, year, today):
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date) else csv_text(v) for v in row])
        count += 1
    return count


def export_year(output: Path | str, township: Township, year: int, today: date | None = None) -> dict[str, Path]:
    """Export a year to .xlsx (both sheets) or to one UTF-8 (with BOM, for Excel) .csv per kind."""
    output = Path(output)
    if output.suffix.lower() == ".xlsx":
        with private_open(output) as stream:  # names and cases: readable by their owner only
            write_xlsx(stream, township, year, today)
        return {kind: output for kind in KINDS}
    if output.suffix.lower() != ".csv":
        raise DomainError("导出文件名应以 .xlsx 或 .csv 结尾。")
    paths = csv_paths(output)
    for kind, path in paths.items():
        with private_open(path, "w", encoding="utf-8-sig", newline="") as stream:
            write_csv(stream, kind, township, year, today)
    return paths
