"""Write planned ledger rows: new cases in bulk inserts, changed cases one by one with a timeline event.

New cases are full cases: their state, dates, outcome and level are set as the workflow verbs would
have set them, so the queue, the time limits and the annual figures treat them like cases entered by
hand. What a ledger cannot say is filled the plain way and noted here: a dispute past 登记 was accepted
on its registration day; an archived one was filed on its close date; a petition's opinion in the
ledger is taken as delivered on the day it was given.
"""

import json
from collections import defaultdict
from datetime import date
from functools import lru_cache

from sqlalchemy import JSON, Boolean, Date, DateTime, insert, select, update

from casetrack.clock import now_utc
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.deadline_facts import DisputeFacts, PetitionFacts
from casetrack.extensions import db
from casetrack.ledger import format as ledger_format
from casetrack.ledger.format import DISPUTE, join_names, split_number
from casetrack.ledger.lookups import TownshipBook
from casetrack.ledger.validation import petition_status
from casetrack.models import (
    CaseCounter,
    CaseEvent,
    Dispute,
    Party,
    Petition,
    Petitioner,
    Township,
    dispute_mediators,
)
from casetrack.services import time_limits
from casetrack.services.numbering import format_case_number, raise_counter_to

BATCH = 2000
DS = wf.DisputeState
REGISTERED, NOT_ACCEPTED, ARCHIVED = DS.REGISTERED.value, DS.NOT_ACCEPTED.value, DS.ARCHIVED.value
APPLICANT, RESPONDENT = wf.PartySide.APPLICANT.value, wf.PartySide.RESPONDENT.value
NOT_ACCEPTED_REASON = ledger_format.NOT_ACCEPTED_REASON
COUNTER_KIND = {DISPUTE: "dispute", "petition": "petition"}


def split_mediators(book: TownshipBook, names) -> tuple[list[int], list[str]]:
    """Split 调解员 names into the ids of the township's mediators and staff, and names without an account."""
    ids, others = [], []
    for name in names or ():
        user_id = book.mediator_ids.get(name)
        if user_id is None:
            others.append(name)
        elif user_id not in ids:
            ids.append(user_id)
    return ids, others


def assign_numbers(book: TownshipBook, kind: str, rows: list, taken: set[str]) -> list[tuple[str, int, int]]:
    """Return (number, year, seq) for each row: its own number, or the next free one of its year."""
    township = db.session.get(Township, book.township_id)
    prefix = book.case_prefix if kind == DISPUTE else book.petition_prefix
    highest: dict[int, int] = {}
    for row in rows:
        parts = split_number(row.values.number) if row.values.number else None
        if parts and parts[1] == prefix:
            highest[parts[0]] = max(highest.get(parts[0], 0), parts[2])
    blank_years = defaultdict(int)
    for row in rows:
        if row.values.number is None:
            blank_years[_day(kind, row.values).year] += 1
    for year in set(highest) | set(blank_years):
        raise_counter_to(township, year, COUNTER_KIND[kind], highest.get(year, 0))
    db.session.flush()
    fresh = {year: _reserve(book, kind, year, count, prefix, taken) for year, count in blank_years.items()}
    result = []
    for row in rows:
        if row.values.number is None:
            result.append(fresh[_day(kind, row.values).year].pop(0))
            continue
        parts = split_number(row.values.number)
        year, seq = (parts[0], parts[2]) if parts else (_day(kind, row.values).year, 0)
        result.append((row.values.number, year, seq))
    return result


def _reserve(book: TownshipBook, kind: str, year: int, count: int, prefix: str, taken: set[str]) -> list:
    """Take count running numbers of a year in one counter update, skipping numbers already in use."""
    numbers = []
    while len(numbers) < count:
        need = count - len(numbers)
        last = db.session.execute(
            update(CaseCounter)
            .where(CaseCounter.township_id == book.township_id, CaseCounter.year == year,
                   CaseCounter.kind == COUNTER_KIND[kind])
            .values(last=CaseCounter.last + need).returning(CaseCounter.last)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        for seq in range(last - need + 1, last + 1):
            number = format_case_number(year, prefix, seq)
            if number not in taken:
                numbers.append((number, year, seq))
    return numbers


def _day(kind: str, values):
    return values.registered_on if kind == DISPUTE else values.received_on


def _sqlite_value(column):
    """Return how the sqlite3 driver is handed a column's value, as SQLAlchemy's SQLite types would store it."""
    kind = column.type
    if isinstance(kind, JSON):
        return lambda v: None if v is None else json.dumps(v)
    if isinstance(kind, DateTime):  # one import stamps every row with the same moment
        return lru_cache(maxsize=64)(lambda v: None if v is None else v.strftime("%Y-%m-%d %H:%M:%S.%f"))
    if isinstance(kind, Date):
        return lru_cache(maxsize=4096)(lambda v: None if v is None else v.isoformat())
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else int(v)
    return None


def _insert(table, params: list[dict]) -> None:
    """Insert rows in bulk, the fastest way each database offers.

    On SQLite the rows go straight to the driver in one executemany: SQLAlchemy's per-row parameter
    processing costs more than SQLite's own work here. Values are converted as SQLAlchemy's SQLite types
    store them. On PostgreSQL they are streamed with COPY, many times faster than one INSERT per row.
    """
    if not params:
        return
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql" and connection.dialect.driver == "psycopg":
        _copy(connection, table, params)
        return
    if dialect != "sqlite":
        connection.execute(insert(table), params)
        return
    names = list(params[0])
    convert = [(i, f) for i, f in enumerate(_sqlite_value(table.c[name]) for name in names) if f is not None]
    rows = []
    for param in params:
        row = [param[name] for name in names]
        for index, to_driver in convert:
            row[index] = to_driver(row[index])
        rows.append(tuple(row))
    marks = ", ".join("?" * len(names))
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows)


def _copy(connection, table, params: list[dict]) -> None:
    """Stream rows into a PostgreSQL table with COPY, in the session's transaction (psycopg 3)."""
    names = list(params[0])
    to_json = [i for i, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for param in params:
                row = [param[name] for name in names]
                for index in to_json:
                    row[index] = None if row[index] is None else json.dumps(row[index])
                copy.write_row(row)


def _insert_returning_ids(table, params: list[dict]) -> list[int]:
    """Insert cases in bulk and return their ids in the order given.

    INSERT … RETURNING in parameter order makes SQLAlchemy insert one row at a time on SQLite (the
    tables have no insert sentinel), so there the ids are read back by their numbers, unique per township.
    On PostgreSQL the ids are drawn from the table's sequence first and written with the rows: reading
    2,000 numbers back from a table that grows in the same transaction took seconds a batch.
    """
    if not params:
        return []
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        ids = sorted(connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%(table)s, 'id')) FROM generate_series(1, %(count)s)",
            {"table": table.name, "count": len(params)}).scalars())
        _insert(table, [{"id": case_id, **param} for case_id, param in zip(ids, params, strict=True)])
        return ids
    _insert(table, params)
    numbers = [p["number"] for p in params]
    ids = dict(db.session.execute(
        select(table.c.number, table.c.id).where(table.c.township_id == params[0]["township_id"],
                                                 table.c.number.in_(numbers))
    ).all())
    return [ids[number] for number in numbers]


def _event(kind: str, case_id: int, actor_id, params: dict, changes: dict, at) -> dict:
    return {"dispute_id": case_id if kind == DISPUTE else None, "petition_id": None if kind == DISPUTE else case_id,
            "actor_id": actor_id, "action": "ledger_import", "params": params, "summary": None, "changes": changes,
            "at": at}


def _import_notes(book: TownshipBook, values, mediators: bool) -> dict:
    """The import entry's changes: the ledger's mediators (with those without an account) and remarks."""
    notes = {}
    if mediators and values.mediators:
        notes["mediators"] = [None, join_names(values.mediators)]
        _ids, others = split_mediators(book, values.mediators)
        if others:
            notes["unlinked_mediators"] = [None, join_names(others)]
    if values.remarks:
        notes["remarks"] = [None, values.remarks]
    return notes


def _due(deadline) -> date | None:
    return deadline.due if deadline else None


def _limit(cache: dict, key: tuple, compute) -> date | None:
    """Return a stored limit, computed once per distinct set of facts in an import."""
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def declined_values(v, declined: bool) -> dict:
    """The 不予受理 ground and reason of a declined case: the row's, else 其他 with "台账未载明…"."""
    if not declined:
        return {"not_accepted_ground": None, "not_accepted_reason": None}
    ground, text = ledger_format.ground_parts(v.not_accepted_ground)
    return {"not_accepted_ground": ground or ledger_format.OTHER_GROUND,
            "not_accepted_reason": text or (None if ground not in (None, ledger_format.OTHER_GROUND) else NOT_ACCEPTED_REASON)}


def issue19_values(v) -> dict:
    """A 委托移送 case's origin, a failed case's referrals out and an agreement's amount, as the columns hold them."""
    return {"referral_origin": v.referral_origin, "referral_body": v.referral_body,
            "referral_received_on": v.referral_received_on,
            "channels_told": "、".join(v.channels_told) if v.channels_told else None,
            "agreement_amount_fen": v.agreement_amount}


def dispute_row(book: TownshipBook, v, number: str, year: int, seq: int, actor_id, now, township,
                limits: dict) -> dict:
    """Return the disputes-table values of a new case as the workflow verbs would have left it."""
    status = v.status
    declined = status == NOT_ACCEPTED or (status == ARCHIVED and v.outcome is None)
    accepted_on = v.registered_on if status != REGISTERED and not declined else None
    due = _limit(limits, (status, accepted_on, v.outcome, v.closed_on), lambda: _due(time_limits.dispute_deadline(
        DisputeFacts(status, accepted_on, outcome=v.outcome, closed_on=v.closed_on), township)))
    return {
        "township_id": book.township_id, "village_id": v.village, "natural_village_id": v.natural_village,
        "number": number, "year": year, "seq": seq, "registered_on": v.registered_on,
        "dispute_type_id": v.dispute_type, "source": v.source, "channel": v.channel, "summary": v.summary,
        "people_involved": v.people_involved, "risk_level": v.risk_level, "police_reported": False,
        "remarks": v.remarks or None, "unlinked_mediators": join_names(split_mediators(book, v.mediators)[1]) or None,
        "status": status, "level": v.level, "accepted_on": accepted_on,
        **declined_values(v, declined), "continuation_agreed": False,
        **issue19_values(v),
        "outcome": v.outcome, "closed_on": v.closed_on, "agreement_form": v.agreement_form,
        "legal_aid_referred": False, "performance": v.performance,
        "archived_on": v.closed_on if status == ARCHIVED else None,
        "prevented_criminal": v.prevented_criminal,
        "prevented_criminal_persons": v.people_involved if v.prevented_criminal else 0,
        "prevented_group_petition": v.prevented_group_petition,
        "prevented_group_petition_persons": v.people_involved if v.prevented_group_petition else 0,
        "due_on": due,  # what the before-flush hook of services.time_limits stores for a case entered by hand
        "created_by_id": actor_id, "created_at": now, "updated_at": now, "version": 1,
    }


def petition_row(book: TownshipBook, v, number: str, year: int, seq: int, actor_id, now, repeat_of_id,
                 township, limits: dict) -> dict:
    """Return the petitions-table values of a new petition as the workflow verbs would have left it."""
    status = petition_status(v)
    source = v.source or pw.Source.OWN.value
    key = (status, v.decision, v.received_on, v.decided_on, v.extension_days, source, v.assigned_due_on,
           v.completion_report_on)

    def compute():
        facts = PetitionFacts(status, v.received_on, v.decision, v.decided_on, v.extension_days, source=source,
                              assigned_due_on=v.assigned_due_on, completion_report_on=v.completion_report_on)
        return (_due(time_limits.petition_deadline(facts, township)),
                _due(time_limits.petition_opinion_deadline(facts, township)))

    due, opinion_due = _limit(limits, key, compute)
    return {
        "township_id": book.township_id, "village_id": v.village, "number": number, "year": year, "seq": seq,
        "received_on": v.received_on, "channel": v.channel, "persons": v.persons, "category_id": v.category,
        "request": v.request, "level": v.level, "cross_level": v.cross_level, "disruptive": v.disruptive,
        "repeat_of_id": repeat_of_id, "status": status, "decision": v.decision,
        "decided_on": v.decided_on, "extension_days": v.extension_days or 0,
        "extension_approved_by_id": v.extension_approver if v.extension_days else None,
        "opinion": v.opinion, "answered_on": v.answered_on, "delivered_on": v.answered_on,
        "satisfaction": v.satisfaction, "closed_on": v.decided_on if v.decision == pw.Decision.NOT_ACCEPTED else None,
        "due_on": due, "opinion_due_on": opinion_due,
        "source": source, "source_body": v.source_body if source != pw.Source.OWN.value else None,
        "source_reference": v.source_reference, "assigned_due_on": v.assigned_due_on,
        "completion_report_on": v.completion_report_on, "leader_received_by": v.leader_received_by,
        "police_referred_on": v.police_referred_on if v.disruptive else None, "remarks": v.remarks or None,
        "created_by_id": actor_id, "created_at": now, "updated_at": now, "version": 1,
    }


def create_cases(kind: str, book: TownshipBook, rows: list, actor_id, filename: str) -> int:
    """Insert new cases of one township in batches, with their people, mediators and a 由台账导入 event."""
    if not rows:
        return 0
    now = now_utc()
    township = db.session.get(Township, book.township_id)
    limits: dict = {}
    taken = set(book.existing_numbers(kind)) | {r.values.number for r in rows if r.values.number}
    numbers = assign_numbers(book, kind, rows, taken)
    repeat_ids = dict(book.existing_numbers(kind)) if kind != DISPUTE else {}
    # a repeat of a petition in this same file is inserted after it, to point at its id
    later = {i for i, r in enumerate(rows)
             if kind != DISPUTE and r.values.repeat_of and r.values.repeat_of not in repeat_ids}

    def by_day(index: int):  # in registration order most indexes grow at their end: faster inserts
        return _day(kind, rows[index].values)

    first = sorted((i for i in range(len(rows)) if i not in later), key=by_day)
    batches = [group[start:start + BATCH] for group in (first, sorted(later, key=by_day))
               for start in range(0, len(group), BATCH)]
    for indexes in batches:
        batch = [(rows[i], numbers[i]) for i in indexes]
        if kind == DISPUTE:
            params = [dispute_row(book, r.values, *n, actor_id, now, township, limits) for r, n in batch]
            ids = _insert_returning_ids(Dispute.__table__, params)
        else:
            params = [petition_row(book, r.values, *n, actor_id, now, repeat_ids.get(r.values.repeat_of), township,
                                   limits) for r, n in batch]
            ids = _insert_returning_ids(Petition.__table__, params)
            repeat_ids.update((n[0], case_id) for (_r, n), case_id in zip(batch, ids, strict=True))
        people, mediators, events = [], [], []
        for (row, _n), case_id in zip(batch, ids, strict=True):
            v = row.values
            if kind == DISPUTE:
                position = 0
                for side, names in ((APPLICANT, v.applicants), (RESPONDENT, v.respondents or ())):
                    for name in names:
                        people.append({"dispute_id": case_id, "side": side, "position": position, "name": str(name),
                                       "id_number": getattr(name, "id_number", None)})
                        position += 1
                if v.mediators:
                    user_ids, _others = split_mediators(book, v.mediators)
                    mediators += [{"dispute_id": case_id, "user_id": user_id} for user_id in user_ids]
            else:
                people += [{"petition_id": case_id, "position": i, "name": str(name), "is_representative": False,
                            "id_number": getattr(name, "id_number", None)} for i, name in enumerate(v.petitioners)]
            where = {"filename": filename, "sheet": row.sheet, "row": row.row}
            events.append(_event(kind, case_id, actor_id, where, _import_notes(book, v, kind == DISPUTE), now))
            row.case_id = case_id
        _insert(Party.__table__ if kind == DISPUTE else Petitioner.__table__, people)
        _insert(dispute_mediators, mediators)
        _insert(CaseEvent.__table__, events)
    return len(rows)

