"""Update stored cases from changed ledger rows; each case's timeline says what the ledger changed."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.ledger import format as ledger_format
from casetrack.ledger.format import DISPUTE, PETITION, join_names, split_names
from casetrack.ledger.lookups import TownshipBook
from casetrack.ledger.stored import MEDIATORS
from casetrack.ledger.validation import OUTCOME_COLUMNS
from casetrack.ledger.writing import declined_values, issue19_values, split_mediators
from casetrack.models import Dispute, Party, Petition, Petitioner, User
from casetrack.services.timeline import plain, record_event

CHUNK = 500
DS = wf.DisputeState
_DISPUTE_FIELDS = ("registered_on", "source", "channel", "summary", "people_involved", "risk_level", "level",
                   "outcome", "agreement_form", "closed_on", "performance")
_DISPUTE_IDS = {"village": "village_id", "natural_village": "natural_village_id", "dispute_type": "dispute_type_id"}
_PETITION_FIELDS = ("received_on", "channel", "persons", "request", "level", "cross_level", "decision",
                    "decided_on", "extension_days", "answered_on", "opinion", "satisfaction", "disruptive",
                    "source", "source_body", "source_reference", "assigned_due_on", "completion_report_on",
                    "leader_received_by", "police_referred_on")
_PETITION_IDS = {"village": "village_id", "category": "category_id"}


def _reuse(existing: list, names, make) -> list:
    """Return people for names in the ledger's order, keeping the stored ones (with their ID numbers) by name."""
    pool, result = list(existing), []
    for name in names or ():
        person = next((p for p in pool if p.name == name), None)
        if person is not None:
            pool.remove(person)
        else:
            person = make(str(name))
        if getattr(name, "id_number", None):
            person.id_number = name.id_number
        result.append(person)
    return result


def _update_dispute(dispute: Dispute, row, book: TownshipBook, actor: User | None, filename: str) -> None:
    v, changes = row.values, dict(row.changes)
    outcome_before = dispute.outcome
    for key in _DISPUTE_FIELDS:
        setattr(dispute, key, getattr(v, key))
    for key, attribute in _DISPUTE_IDS.items():
        setattr(dispute, attribute, getattr(v, key))
    dispute.status = row.status
    declined = row.status == DS.NOT_ACCEPTED.value or (row.status == DS.ARCHIVED.value and v.outcome is None)
    if row.status != DS.REGISTERED.value and not declined and dispute.accepted_on is None:
        dispute.accepted_on = v.registered_on
    current = ledger_format.ground_value(dispute.not_accepted_ground, dispute.not_accepted_reason)
    if declined and (dispute.not_accepted_ground is None or current != v.not_accepted_ground):
        stored = declined_values(v, declined)
        if v.not_accepted_ground is None and dispute.not_accepted_reason:  # a hand-written reason stays
            stored["not_accepted_reason"] = dispute.not_accepted_reason
        for key, value in stored.items():
            setattr(dispute, key, value)
    for key, value in issue19_values(v).items():
        setattr(dispute, key, value)
    if row.status == DS.ARCHIVED.value and dispute.archived_on is None:
        dispute.archived_on = v.closed_on
    for flag in ("prevented_criminal", "prevented_group_petition"):
        if getattr(dispute, flag) != getattr(v, flag):
            setattr(dispute, flag, getattr(v, flag))
            setattr(dispute, f"{flag}_persons", v.people_involved if getattr(v, flag) else 0)
    if "申请人" in changes or "被申请人" in changes:
        people = []
        for side, names in ((wf.PartySide.APPLICANT.value, v.applicants), (wf.PartySide.RESPONDENT.value,
                                                                            v.respondents)):
            stored = [p for p in dispute.parties if p.side == side]
            people += _reuse(stored, names, lambda name, side=side: Party(side=side, name=name))
        for position, person in enumerate(people):
            person.position = position
        dispute.parties = people
    if MEDIATORS in changes:
        before = {u.display_name for u in dispute.mediators}
        old_others = [n for n in split_names(changes[MEDIATORS][0]) if n not in before]
        user_ids, others = split_mediators(book, v.mediators)
        dispute.mediators = [db.session.get(User, user_id) for user_id in user_ids]
        dispute.unlinked_mediators = join_names(others) or None
        changes[UNLINKED_MEDIATORS] = (join_names(old_others) or None, join_names(others))
    dispute.remarks = v.remarks or None
    if dispute.outcome != outcome_before:
        _clear_other_outcome(dispute, changes)
    db.session.flush()
    record_event(dispute, actor, "ledger_update", _where(filename, row), _keyed(DISPUTE, changes))


def _clear_other_outcome(dispute: Dispute, changes: dict) -> None:
    """Empty the fields of the case's former outcome that a ledger does not hold (协议内容, 终止原因, ...), as
    recording the new outcome by hand leaves them: an outcome carries none of another's (wf.OUTCOME_FIELDS). The
    ledger's own outcome columns were checked against the new outcome (validation.outcome_rules) and set above.
    Each emptied field goes into the row's changes, so the timeline says what the ledger took away."""
    outcome = wf.Outcome(dispute.outcome) if dispute.outcome else None
    allowed = wf.OUTCOME_FIELDS[outcome].allowed if outcome else ()
    for key in wf.OUTCOME_DETAILS:
        if key in allowed or key in OUTCOME_COLUMNS:
            continue
        old = getattr(dispute, key)
        if not wf.is_filled(old):
            continue
        empty = False if key == "legal_aid_referred" else None
        setattr(dispute, key, empty)
        changes[key] = (plain(old), empty)


def _update_petition(petition: Petition, row, book: TownshipBook, actor: User | None, filename: str) -> None:
    v = row.values
    for key in _PETITION_FIELDS:
        setattr(petition, key, getattr(v, key))
    for key, attribute in _PETITION_IDS.items():
        setattr(petition, attribute, getattr(v, key))
    petition.extension_approved_by_id = v.extension_approver if v.extension_days else None
    if v.repeat_of is None:
        petition.repeat_of_id = None
    elif petition.repeat_of is None or petition.repeat_of.number != v.repeat_of:
        petition.repeat_of_id = db.session.execute(select(Petition.id).where(
            Petition.township_id == book.township_id, Petition.number == v.repeat_of)).scalar_one()
    petition.status = row.status
    if v.decision == pw.Decision.NOT_ACCEPTED and petition.closed_on is None:
        petition.closed_on = v.decided_on
    if v.answered_on is not None and petition.delivered_on is None:
        petition.delivered_on = v.answered_on
    if "信访人" in row.changes:
        people = _reuse(petition.petitioners, v.petitioners, lambda name: Petitioner(name=name))
        for position, person in enumerate(people):
            person.position = position
        petition.petitioners = people
    petition.remarks = v.remarks or None
    db.session.flush()
    record_event(None, actor, "ledger_update", _where(filename, row), _keyed(PETITION, row.changes),
                 petition=petition)


UNLINKED_MEDIATORS = "调解员(无账号)"  # beside the ledger's headers in a row's changes


def _where(filename: str, row) -> dict:
    return {"filename": filename, "sheet": row.sheet, "row": row.row}


def _keyed(kind: str, changes: dict) -> dict:
    """A row's changes keyed by the ledger column's key (registered_on), as the timeline keeps fields."""
    keys = {column.header: column.key for column in ledger_format.COLUMNS[kind]}
    keys[UNLINKED_MEDIATORS] = "unlinked_mediators"
    return {keys.get(header, header): pair for header, pair in changes.items()}


def update_cases(kind: str, book: TownshipBook, rows: list, actor: User | None, filename: str) -> int:
    """Apply changed rows to their stored cases, a chunk of cases loaded at a time."""
    model = Dispute if kind == DISPUTE else Petition
    loads = ([selectinload(Dispute.parties), selectinload(Dispute.mediators)] if kind == DISPUTE
             else [selectinload(Petition.petitioners), selectinload(Petition.repeat_of)])
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        cases = {case.id: case for case in db.session.execute(
            select(model).where(model.id.in_([r.case_id for r in chunk])).options(*loads)
        ).scalars()}
        for row in chunk:
            if kind == DISPUTE:
                _update_dispute(cases[row.case_id], row, book, actor, filename)
            else:
                _update_petition(cases[row.case_id], row, book, actor, filename)
    return len(rows)
