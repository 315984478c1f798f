"""Build ledger files for the tests: valid rows by default, any cell overridden, as .xlsx or .csv."""

import csv
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select, text

from casetrack import clock
from casetrack.extensions import db
from casetrack.ledger.format import DISPUTE_COLUMNS, PETITION_COLUMNS
from casetrack.models import CaseEvent, Dispute, Petition

DISPUTE_HEADERS = [c.header for c in DISPUTE_COLUMNS]
PETITION_HEADERS = [c.header for c in PETITION_COLUMNS]
YEAR = (clock.today() - timedelta(days=130)).year  # a year whose first months are past


def day(month: int, day_of_month: int) -> date:
    """Return a date in the test year, well before today."""
    return date(YEAR, month, day_of_month)


def dispute(**cells) -> dict:
    """Return a valid 矛盾纠纷 row of 斜沟乡 with these cells changed (None blanks a cell)."""
    row = {
        "乡镇": "斜沟乡", "所属村": "斜沟村", "登记日期": day(3, 5).isoformat(), "纠纷类别": "邻里",
        "案件来源": "当事人申请", "申请人": "张三", "被申请人": "李四", "简要案情": "因院墙占道发生争执",
        "状态": "已登记",
    }
    row.update(cells)
    return row


def petition(**cells) -> dict:
    """Return a valid 信访 row of 斜沟乡 with these cells changed (None blanks a cell)."""
    row = {
        "乡镇": "斜沟乡", "登记日期": day(3, 5).isoformat(), "信访形式": "来信", "信访人": "赵大民", "人数": 1,
        "事项类别": "村务管理", "诉求摘要": "反映村集体土地补偿款未按时发放", "到达层级": "乡",
    }
    row.update(cells)
    return row


def table(headers: list[str], rows: list[dict]) -> list[list]:
    """Return a header row and the rows' cells under it."""
    return [headers, *([row.get(h) for h in headers] for row in rows)]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write sheets of raw rows to an .xlsx file."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def ledger(path: Path, disputes: list[dict] = (), petitions: list[dict] = ()) -> Path:
    """Write a tidy ledger with both sheets."""
    sheets = {}
    if disputes:
        sheets["矛盾纠纷"] = table(DISPUTE_HEADERS, list(disputes))
    if petitions:
        sheets["信访"] = table(PETITION_HEADERS, list(petitions))
    return write_xlsx(path, sheets)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    """Write raw rows as CSV in an encoding (utf-8-sig for a BOM, gb18030 as Chinese Excel saves)."""
    with open(path, "w", encoding=encoding, newline="") as stream:
        csv.writer(stream).writerows(["" if v is None else v for v in row] for row in rows)
    return path


def count(model) -> int:
    """Count the rows of a table."""
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def dispute_by_number(number: str) -> Dispute:
    db.session.expire_all()
    return db.session.execute(select(Dispute).where(Dispute.number == number)).scalar_one()


def petition_by_number(number: str) -> Petition:
    db.session.expire_all()
    return db.session.execute(select(Petition).where(Petition.number == number)).scalar_one()


def events_of(record) -> list[CaseEvent]:
    column = CaseEvent.dispute_id if isinstance(record, Dispute) else CaseEvent.petition_id
    return list(db.session.execute(select(CaseEvent).where(column == record.id).order_by(CaseEvent.id)).scalars())


KEEP = {"counties", "townships", "villages", "natural_villages", "users", "dispute_types", "petition_categories",
        "calendar_days", "login_throttle"}


def remove_all_cases() -> None:
    """Empty every case table, keeping townships, villages, types and users: a database before its ledgers."""
    db.session.rollback()
    tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP]
    if db.engine.dialect.name == "postgresql":  # TRUNCATE: the timeline's append-only trigger refuses DELETE
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    else:  # SQLite's append-only triggers (migration 0009) refuse DELETE too: lift them for the sweep
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case_events'")).all()
        for name, _sql in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        for name in tables:
            db.session.execute(text(f"DELETE FROM {name}"))
        for _name, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()
