"""Record each ledger import (台账导入记录) and what it noted; the township's staff mark one seen from their inbox.

An import's notices are kept as their Chinese templates and parameters, so the page that lists them shows
them in the reader's language (casetrack/i18n.py): how the file was read (a sheet without a ledger header, a
column not known and ignored, a footer row) and every row left out for its errors (只导入无错误的行). Two
notices only say how a well-formed file was read (the header row found, a common variant of a header); an
import with nothing but those is clean and asks nobody for a look.
"""

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from casetrack.domain.identity import PERSONAL_NUMBER, mask_id_number, mask_phone
from casetrack.extensions import db
from casetrack.ledger.format import Label, LedgerError, Notice
from casetrack.models import LedgerImport, User

INFORMATION = frozenset({
    "工作表“%(sheet)s”:%(kind)s台账,表头在第%(row)s行。",
    "工作表“%(sheet)s”:列“%(column)s”按“%(header)s”读取。",
})
"""The templates of notices that only say how the file was read: no reason to look at the import."""

KEPT = 500
"""Notices and skipped rows' errors kept per import; the record says how many more there were."""

SOURCES = ("web", "cli")


def _masked(text: str) -> str:
    return PERSONAL_NUMBER.sub(lambda m: mask_phone(m.group()) if len(m.group()) == 11 else mask_id_number(m.group()),
                               text)


def _encoded(value: object) -> object:
    """A parameter as JSON keeps it: a Label marked as casetrack's word, text masked, anything else as text."""
    if isinstance(value, Label):
        return {"label": str(value)}
    if isinstance(value, (list, tuple)):
        return [_encoded(item) for item in value]
    if isinstance(value, str):
        return _masked(value)
    if value is None or isinstance(value, (int, float, bool)):
        return value
    return str(value)


def _decoded(value: object) -> object:
    if isinstance(value, dict) and set(value) == {"label"}:
        return Label(value["label"])
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def _notice_entry(notice: str) -> dict:
    if isinstance(notice, Notice):
        return {"template": notice.template, "params": {k: _encoded(v) for k, v in notice.params.items()},
                "attention": notice.template not in INFORMATION}
    return {"template": str(notice), "params": {}, "attention": str(notice) not in INFORMATION}


def _error_entry(error: LedgerError) -> dict:
    return {"error": True, "sheet": error.sheet, "row": error.row, "column": error.column,
            "value": _masked(str(error.value)) if error.value not in (None, "") else None,
            "message": _masked(error.message), "template": error.template,
            "params": {k: _encoded(v) for k, v in error.params.items()}, "attention": True}


def record_import(plan, actor: User | None, source: str, now: datetime) -> list[LedgerImport]:
    """Record an import just written (in the same transaction): one row per township its rows went to.

    A file with a township given (the web, `--township`) or a database of one township is one import; a file
    of several townships' rows is recorded for each of them, with its own counts and the file's notices only:
    its refused rows may be another township's (names, addresses), so they stay with whoever ran the command,
    who was shown them.
    """
    if source not in SOURCES:
        raise ValueError(source)
    one_township = plan.township_id is not None
    townships = [plan.township_id] if one_township else sorted({r.township_id for r in plan.rows})
    entries = [_notice_entry(n) for n in plan.notices]
    if one_township:
        entries += [_error_entry(e) for e in plan.errors]
    attention = sum(1 for entry in entries if entry["attention"])
    skipped = sum(len(rows) for rows in plan.error_rows.values()) if one_township else 0
    records = []
    for township_id in townships:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for row in plan.rows:
            if row.township_id == township_id:
                counts[row.action] += 1
        record = LedgerImport(
            township_id=township_id, user_id=actor.id if actor else None, source=source, filename=plan.filename[:255],
            imported_at=now, created=counts["create"], updated=counts["update"], unchanged=counts["unchanged"],
            skipped=skipped, notices=entries[:KEPT], notices_left_out=max(0, len(entries) - KEPT),
            attention=attention)
        db.session.add(record)
        records.append(record)
    db.session.flush()
    return records


_LATER = aliased(LedgerImport)  # made once: building an alias inspects the mapper


def waiting(township_id: int):
    """Return the query of the township's imports with notices nobody has marked seen, newest first.

    An import leaves by itself when the same file is imported again into the township: the later import
    speaks for it (and waits itself if it still has notices).
    """
    later = _LATER
    return (select(LedgerImport).where(
        LedgerImport.township_id == township_id, LedgerImport.attention > 0, LedgerImport.seen_at.is_(None),
        ~exists().where(later.township_id == LedgerImport.township_id, later.filename == LedgerImport.filename,
                        later.id > LedgerImport.id))
        .order_by(LedgerImport.imported_at.desc(), LedgerImport.id.desc()))


def of_township(township_id: int, limit: int = 100) -> list[LedgerImport]:
    """Return the township's imports, newest first."""
    return list(db.session.execute(select(LedgerImport).where(LedgerImport.township_id == township_id)
                                   .order_by(LedgerImport.imported_at.desc(), LedgerImport.id.desc())
                                   .limit(limit)).scalars())


def find(township_id: int, import_id: int) -> LedgerImport | None:
    """Return one of the township's imports; another township's is not found."""
    return db.session.execute(select(LedgerImport).where(
        LedgerImport.id == import_id, LedgerImport.township_id == township_id)).scalar_one_or_none()


def mark_seen(record: LedgerImport, user: User, now: datetime) -> None:
    """Mark an import's notices seen: it leaves the township staff's inbox. Marking it again changes nothing."""
    if record.seen_at is None:
        record.seen_at, record.seen_by_id = now, user.id
        db.session.flush()


def notices_of(record: LedgerImport) -> tuple[list[Notice], list[LedgerError]]:
    """Return an import's notices and its skipped rows' errors, rebuilt for casetrack/i18n.py to show."""
    notices, errors = [], []
    for entry in record.notices or []:
        params = {k: _decoded(v) for k, v in (entry.get("params") or {}).items()}
        if entry.get("error"):
            # rebuilt as it was recorded: its template (or constant message) was checked where it was raised
            errors.append(LedgerError(sheet=entry.get("sheet") or "", row=entry.get("row"), column=entry.get("column"),
                                      value=entry.get("value"), message=entry.get("message") or "",
                                      template=entry.get("template") or "", params=params))
        elif entry.get("template"):
            notices.append(Notice(entry["template"], **params))
    return notices, errors
