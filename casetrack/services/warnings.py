"""Keep the early warnings (预警) current: raise, change and resolve them from the rules in domain/warnings.py.

Incrementally on every write: `init_app` watches each ORM flush for the disputes, parties, petitions and
petitioners it writes, and just before the transaction commits re-judges only the subjects they touch — the
people named (as they are now and as they were), the cases, and the village's month — so that a write costs a
handful of indexed queries whatever the size of the database. Writes that bypass the ORM (the ledger import's
bulk statements) are caught by the nightly `flask warnings refresh`, which re-judges whole townships, as does the
passing of time (a case becoming overdue, a sensitive period beginning).

The rules see the whole township whatever the user's reach (a party's cases in other villages count): the work
runs county-wide; what a user is shown is scoped in `visible_warnings`.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import event, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, attributes

from casetrack import clock, permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import warnings as w
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    Party,
    Petition,
    Petitioner,
    RiskWarning,
    Township,
    User,
    Village,
    WarningEvent,
)
from casetrack.services import notifications

log = logging.getLogger(__name__)
PENDING = "casetrack.warnings.pending"
REFRESHING = "casetrack.warnings.refreshing"
OPEN_DISPUTE_STATES = tuple(s.value for s in wf.OPEN_STATES)
CLOSED_PETITION_STATES = (pw.PetitionState.CLOSED.value, pw.PetitionState.NOT_ACCEPTED.value,
                          pw.PetitionState.FORWARDED.value)
LEVEL_RANK = {lv.value: lv.rank for lv in w.WarningLevel}
PETITION_LEVELS = {lv.value: lv for lv in pw.Level}


@dataclass(frozen=True)
class PersonRef:
    """A person as written on a case: who the repeat rules look for."""

    township_id: int
    kind: str  # "party" | "petitioner"
    name: str
    id_number: str | None
    village_id: int | None

    @property
    def key(self) -> str:
        return w.person_key(self.name, self.id_number, self.village_id)


# --- facts from rows ----------------------------------------------------------------------------------------

def _dispute_facts(rows, parties: dict[int, list[w.PartyFacts]]) -> list[w.CaseFacts]:
    return [w.CaseFacts(
        id=d.id, number=d.number, village_id=d.village_id, registered_on=d.registered_on,
        open=d.status in OPEN_DISPUTE_STATES and d.merged_into_id is None,
        parties=tuple(parties.get(d.id, ())), people_involved=d.people_involved or 0, group=bool(d.group_dispute),
        police_reported=bool(d.police_reported), major=d.risk_level == wf.RiskLevel.MAJOR.value,
        has_responsibility=bool(d.responsible_unit and d.responsible_leader and d.responsible_person),
        due_on=d.due_on, prevented_criminal=bool(d.prevented_criminal),
        prevented_group_petition=bool(d.prevented_group_petition),
        counted=d.status != wf.DisputeState.NOT_ACCEPTED.value and d.merged_into_id is None,
    ) for d in rows]


_DISPUTE_COLUMNS = (Dispute.id, Dispute.number, Dispute.village_id, Dispute.registered_on, Dispute.status,
                    Dispute.merged_into_id, Dispute.people_involved, Dispute.group_dispute, Dispute.police_reported,
                    Dispute.risk_level, Dispute.responsible_unit, Dispute.responsible_leader,
                    Dispute.responsible_person, Dispute.due_on, Dispute.prevented_criminal,
                    Dispute.prevented_group_petition)


def _load_cases(condition, with_parties: bool = True) -> list[w.CaseFacts]:
    rows = db.session.execute(select(*_DISPUTE_COLUMNS).where(condition)).all()
    parties: dict[int, list[w.PartyFacts]] = defaultdict(list)
    if with_parties and rows:
        ids = [r.id for r in rows]
        for chunk in _chunks(ids):
            for dispute_id, name, id_number in db.session.execute(
                    select(Party.dispute_id, Party.name, Party.id_number).where(Party.dispute_id.in_(chunk))
                    .order_by(Party.dispute_id, Party.position)):
                parties[dispute_id].append(w.PartyFacts(name, id_number))
    return _dispute_facts(rows, parties)


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


_PETITION_COLUMNS = (Petition.id, Petition.number, Petition.village_id, Petition.received_on, Petition.status,
                     Petition.closed_on, Petition.level, Petition.repeat_of_id)


def _load_petitions(condition, chained: set[int] | None = None) -> list[w.PetitionFacts]:
    rows = db.session.execute(select(*_PETITION_COLUMNS).where(condition)).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    people: dict[int, list[w.PartyFacts]] = defaultdict(list)
    if chained is None:
        chained = set()
        for chunk in _chunks(ids):
            chained.update(db.session.execute(select(Petition.repeat_of_id).where(
                Petition.repeat_of_id.in_(chunk))).scalars())
    for chunk in _chunks(ids):
        for petition_id, name, id_number in db.session.execute(
                select(Petitioner.petition_id, Petitioner.name, Petitioner.id_number)
                .where(Petitioner.petition_id.in_(chunk)).order_by(Petitioner.petition_id, Petitioner.position)):
            people[petition_id].append(w.PartyFacts(name, id_number))
    facts = []
    for p in rows:
        level = PETITION_LEVELS.get(p.level, pw.Level.TOWNSHIP)
        facts.append(w.PetitionFacts(
            id=p.id, number=p.number, village_id=p.village_id, received_on=p.received_on,
            open=p.status not in CLOSED_PETITION_STATES and p.closed_on is None,
            petitioners=tuple(people.get(p.id, ())), level_rank=level.rank, level_label=level.label,
            in_repeat_chain=p.repeat_of_id is not None or p.id in chained))
    return facts


# --- judging subjects ----------------------------------------------------------------------------------------

def _judge_party(person: PersonRef, today: date, t: w.Thresholds) -> w.Finding | None:
    since = today - timedelta(days=t.party_days - 1)
    match = (Party.id_number == person.id_number if person.id_number
             else (Party.name == person.name) & Party.id_number.is_(None))
    ids = select(Party.dispute_id).join(Dispute, Dispute.id == Party.dispute_id).where(
        match, Dispute.township_id == person.township_id, Dispute.registered_on >= since)
    if not person.id_number:
        ids = ids.where(Dispute.village_id == person.village_id)
    cases = _load_cases(Dispute.id.in_(ids))
    return w.repeat_party(person.key, cases, today, t)


def _judge_petitioner(person: PersonRef, today: date, t: w.Thresholds) -> w.Finding | None:
    match = (Petitioner.id_number == person.id_number if person.id_number
             else (Petitioner.name == person.name) & Petitioner.id_number.is_(None))
    ids = select(Petitioner.petition_id).join(Petition, Petition.id == Petitioner.petition_id).where(
        match, Petition.township_id == person.township_id)
    if not person.id_number:
        ids = ids.where(Petition.village_id.is_(None) if not person.village_id
                        else Petition.village_id == person.village_id)
    return w.repeat_petitioner(person.key, _load_petitions(Petition.id.in_(ids)), today, t)


def _judge_month(village: Village, month: date, today: date, t: w.Thresholds) -> w.Finding | None:
    start = w._months_back(month, t.surge_months)
    end = min(w._months_back(month, -1), today + timedelta(days=1))
    counted = (Dispute.village_id == village.id) & (Dispute.status != wf.DisputeState.NOT_ACCEPTED.value) \
        & Dispute.not_merged
    # Count first (one indexed range): the month's cases are read only when the counts can fire the rule.
    this_month, before = db.session.execute(select(
        func.count().filter(Dispute.registered_on >= month), func.count().filter(Dispute.registered_on < month))
        .where(counted, Dispute.registered_on >= start, Dispute.registered_on < end)).one()
    if this_month < t.surge_minimum or this_month < t.surge_ratio * before / t.surge_months:
        return None
    cases = _load_cases(counted & (Dispute.registered_on >= month) & (Dispute.registered_on < end), with_parties=False)
    return w.village_surge(village.id, village.name, month, cases, today, t, before=before)


def _thresholds(township: Township) -> w.Thresholds:
    return w.Thresholds.from_settings(township.settings)


# --- storing findings -------------------------------------------------------------------------------------------

def _apply(township_id: int, judged: dict[tuple[str, str], w.Finding | None], today: date,
           open_rows: dict[tuple[str, str], RiskWarning] | None = None, announce: bool = False) -> dict[str, int]:
    """Raise, change or resolve the stored warnings of these subjects to match the rules' findings.

    announce: tell the people who handle the place at once of a warning that has just turned red (after a write;
    the nightly refresh leaves it to the inbox and the day's digest, so an upgrade does not send thousands).
    """
    turned_red: list[RiskWarning] = []
    if open_rows is None:
        open_rows = {}
        subjects = {s for _r, s in judged}
        for chunk in _chunks(sorted(subjects)):
            for row in db.session.execute(select(RiskWarning).where(
                    RiskWarning.township_id == township_id, RiskWarning.resolved_at.is_(None),
                    RiskWarning.subject.in_(chunk))).scalars():
                open_rows[(row.rule, row.subject)] = row
    counts = {"raised": 0, "changed": 0, "resolved": 0}
    now = clock.now_utc()
    for (rule, subject), finding in judged.items():
        row = open_rows.get((rule, subject))
        if finding is None:
            if row is not None:
                row.resolved_at, row.resolved_on, row.changed_at = now, today, now
                row.events.append(WarningEvent(action="resolved", level=row.level, text=row.text,
                                               params=row.params, at=now))
                counts["resolved"] += 1
            continue
        params = dict(finding.params)
        values = {"level": finding.level.value, "text": finding.text, "village_id": finding.village_id,
                  "dispute_ids": list(finding.dispute_ids), "petition_ids": list(finding.petition_ids),
                  "numbers": list(finding.numbers), "people": list(finding.people)}
        if row is None:
            row = RiskWarning(township_id=township_id, rule=rule, subject=subject, since=today, raised_at=now,
                              changed_at=now, params=params, **values)
            row.events.append(WarningEvent(action="raised", level=row.level, text=row.text, params=params, at=now))
            db.session.add(row)
            counts["raised"] += 1
            if row.level == w.WarningLevel.RED.value:
                turned_red.append(row)
        elif any(getattr(row, k) != v for k, v in values.items()):
            if row.level != values["level"] or row.text != values["text"]:
                row.events.append(WarningEvent(action="changed", level=values["level"], text=values["text"],
                                               params=params, at=now))
            if row.level != w.WarningLevel.RED.value and values["level"] == w.WarningLevel.RED.value:
                turned_red.append(row)
            for k, v in values.items():
                setattr(row, k, v)
            row.params = params
            row.changed_at = now
            counts["changed"] += 1
        elif row.params != params:  # a warning raised before revision 0031 gains its sentence's parameters
            row.params = params
    if announce:
        for row in turned_red:
            notifications.announce_red_warning(row, now)
    return counts


# --- incremental: what a write touched ---------------------------------------------------------------------

def _pending(session: Session) -> dict:
    return session.info.setdefault(PENDING, {"disputes": set(), "petitions": set(), "people": set()})


def _old_people(obj, kind: str, township_id: int | None, village_id: int | None) -> list[PersonRef]:
    """Return the person this party or petitioner was before the flush, if their name or ID number changed."""
    state = attributes.instance_state(obj)
    name_hist = state.attrs.name.history
    id_hist = state.attrs.id_number.history
    if not (name_hist.deleted or id_hist.deleted) or township_id is None:
        return []
    name = name_hist.deleted[0] if name_hist.deleted else obj.name
    id_number = id_hist.deleted[0] if id_hist.deleted else obj.id_number
    return [PersonRef(township_id, kind, name, id_number, village_id)] if name else []


def _collect(session: Session, flush_context, instances) -> None:
    """Note the disputes, petitions and people a flush writes (before_flush)."""
    if session.info.get(REFRESHING):
        return
    pending = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Dispute):
            pending = pending or _pending(session)
            pending["disputes"].add(obj)
        elif isinstance(obj, Petition):
            pending = pending or _pending(session)
            pending["petitions"].add(obj)
        elif isinstance(obj, (Party, Petitioner)):
            pending = pending or _pending(session)
            _note_person(pending, session, obj)


def _note_person(pending: dict, session: Session, person) -> None:
    """Note a party's dispute or a petitioner's petition, and the person as they were before this flush."""
    if isinstance(person, Party):
        kind, case, cases = "party", person.dispute, pending["disputes"]
    else:
        kind, case, cases = "petitioner", person.petition, pending["petitions"]
    if case is None:
        return
    cases.add(case)
    if person in session.deleted:
        pending["people"].add(PersonRef(case.township_id, kind, person.name, person.id_number, case.village_id))
    else:
        pending["people"].update(_old_people(person, kind, case.township_id, case.village_id))


def _refresh_pending(session: Session) -> None:
    """Re-judge what this transaction touched, just before it commits (before_commit)."""
    if session.info.get(REFRESHING):
        return
    if session.new or session.dirty or session.deleted:
        session.flush()  # what is still unflushed is noted (before_flush), written and numbered before it is read
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    session.info[REFRESHING] = True
    try:
        disputes = [d for d in pending["disputes"] if d.id is not None and d in session]
        petitions = [p for p in pending["petitions"] if p.id is not None and p in session]
        try:
            with permissions.county_wide(session), session.no_autoflush, session.begin_nested():
                refresh_touched(disputes, petitions, pending["people"])
        except IntegrityError:
            # Another transaction raised the same warning a moment before (the one-open-warning index): its row
            # stands, this write goes through all the same, and the next write or the nightly refresh reconciles.
            log.info("warnings: a concurrent transaction raised the same warning first")
    finally:
        session.info.pop(REFRESHING, None)
        session.info.pop(PENDING, None)


def _forget(session: Session, *args) -> None:
    session.info.pop(PENDING, None)


def refresh_touched(disputes: list[Dispute], petitions: list[Petition], people=(), today: date | None = None) -> dict:
    """Re-judge the subjects these disputes and petitions (and people as they were) touch; return the counts."""
    today = today or clock.today()
    people = set(people)
    by_township: dict[int, dict] = defaultdict(lambda: {"cases": set(), "people": set(), "months": set()})
    for dispute in disputes:
        touched = by_township[dispute.township_id]
        touched["cases"].add(dispute.id)
        touched["months"].add((dispute.village_id, date(dispute.registered_on.year, dispute.registered_on.month, 1)))
        for party in dispute.parties:
            people.add(PersonRef(dispute.township_id, "party", party.name, party.id_number, dispute.village_id))
    for petition in petitions:
        for person in petition.petitioners:
            people.add(PersonRef(petition.township_id, "petitioner", person.name, person.id_number,
                                 petition.village_id))
    for person in people:
        by_township[person.township_id]["people"].add(person)
    totals = {"raised": 0, "changed": 0, "resolved": 0}
    for township_id, touched in by_township.items():
        township = db.session.get(Township, township_id)
        t = _thresholds(township)
        judged: dict[tuple[str, str], w.Finding | None] = {}
        if touched["cases"]:
            for case in _load_cases(Dispute.id.in_(touched["cases"])):
                judged.update({(r.value, s): f for (r, s), f in w.case_findings(case, today, t).items()})
        for person in touched["people"]:
            if person.kind == "party":
                judged[(w.Rule.REPEAT_PARTY.value, person.key)] = _judge_party(person, today, t)
            else:
                judged[(w.Rule.REPEAT_PETITIONER.value, person.key)] = _judge_petitioner(person, today, t)
        current = date(today.year, today.month, 1)
        for village_id, month in touched["months"]:
            key = w.month_key(village_id, month)
            if month != current and not _is_open(township_id, w.Rule.VILLAGE_SURGE.value, key):
                continue  # an old month is only re-judged while its warning is open
            judged[(w.Rule.VILLAGE_SURGE.value, key)] = _judge_month(db.session.get(Village, village_id), month,
                                                                     today, t)
        for k, v in _apply(township_id, judged, today, announce=True).items():
            totals[k] += v
    return totals


def _is_open(township_id: int, rule: str, subject: str) -> bool:
    return db.session.execute(select(RiskWarning.id).where(
        RiskWarning.township_id == township_id, RiskWarning.rule == rule, RiskWarning.subject == subject,
        RiskWarning.resolved_at.is_(None))).first() is not None


def init_app(app) -> None:
    """Keep warnings current on every ORM write: note what a flush touches, re-judge it before COMMIT."""
    for name, listener in (("before_flush", _collect), ("before_commit", _refresh_pending),
                           ("after_rollback", _forget)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# --- nightly: whole townships ---------------------------------------------------------------------------

def refresh_township(township: Township, today: date | None = None) -> dict:
    """Re-judge every subject of one township; return how many warnings were raised, changed and resolved."""
    today = today or clock.today()
    t = _thresholds(township)
    with permissions.county_wide():
        open_rows = {(r.rule, r.subject): r for r in db.session.execute(select(RiskWarning).where(
            RiskWarning.township_id == township.id, RiskWarning.resolved_at.is_(None))).scalars()}
        months = [w.month_of_key(s)[1] for (rule, s) in open_rows if rule == w.Rule.VILLAGE_SURGE.value]
        # Only what a rule can still count: the party window, the months a surge compares, and open cases (a
        # closed case outside those fires nothing, and its open warning, judged None, is resolved).
        earliest = min([today - timedelta(days=t.party_days - 1),
                        *(w._months_back(m, t.surge_months) for m in (date(today.year, today.month, 1), *months))])
        # Two index ranges, not one OR (which SQLite answers by scanning every dispute of the county).
        recent = _load_cases((Dispute.township_id == township.id) & (Dispute.registered_on >= earliest))
        older_open = _load_cases((Dispute.township_id == township.id) & Dispute.status.in_(OPEN_DISPUTE_STATES)
                                 & (Dispute.registered_on < earliest))
        cases = recent + older_open
        chained = set(db.session.execute(select(Petition.repeat_of_id).where(
            Petition.township_id == township.id, Petition.repeat_of_id.is_not(None))).scalars())
        petitions = _load_petitions((Petition.township_id == township.id)
                                    & (Petition.received_on > w._months_back(today, t.petition_months)), chained)
        facts = w.TownshipFacts(cases, petitions, {v.id: v.name for v in township.villages})
        judged: dict[tuple[str, str], w.Finding | None] = dict.fromkeys(open_rows)
        for finding in w.judge_township(facts, today, t, months):
            judged[(finding.rule.value, finding.subject)] = finding
        return _apply(township.id, judged, today, open_rows)


def refresh_all(today: date | None = None) -> dict[str, dict]:
    """Re-judge every township (the nightly refresh); return the counts by township name."""
    results = {}
    for township in db.session.execute(select(Township).order_by(Township.id)).scalars():
        results[township.name] = refresh_township(township, today)
        db.session.commit()
    return results


# --- reading and acknowledging -------------------------------------------------------------------------------

def warning_scope(user: User):
    """Return a WHERE clause limiting warnings to the user's reach (permissions.warning_scope)."""
    return permissions.warning_scope(user)


def visible_warnings(user: User, level: str | None = None, rule: str | None = None, resolved: bool = False):
    """Return the select of warnings within the user's reach: open ones (or resolved ones), highest level and
    newest first."""
    order = sql_case({"red": 3, "yellow": 2, "blue": 1}, value=RiskWarning.level)
    query = select(RiskWarning).where(warning_scope(user))
    query = query.where(RiskWarning.resolved_at.is_not(None) if resolved else RiskWarning.resolved_at.is_(None))
    if level:
        query = query.where(RiskWarning.level == level)
    if rule:
        query = query.where(RiskWarning.rule == rule)
    if resolved:
        return query.order_by(RiskWarning.resolved_at.desc(), RiskWarning.id.desc())
    return query.order_by(order.desc(), RiskWarning.since.desc(), RiskWarning.id.desc())


def counts_by_level(user: User) -> dict[str, int]:
    """Return the open warnings within the user's reach, counted by level."""
    rows = db.session.execute(select(RiskWarning.level, func.count()).where(
        warning_scope(user), RiskWarning.resolved_at.is_(None)).group_by(RiskWarning.level)).all()
    found = dict(rows)
    return {lv.value: found.get(lv.value, 0) for lv in (w.WarningLevel.RED, w.WarningLevel.YELLOW,
                                                        w.WarningLevel.BLUE)}


def find_visible(user: User, warning_id: int) -> RiskWarning | None:
    return db.session.execute(select(RiskWarning).where(RiskWarning.id == warning_id,
                                                        warning_scope(user))).scalar_one_or_none()


def assignees(warning: RiskWarning) -> list[User]:
    """Return who may be named to follow a warning up: active staff, leaders and mediators of its township."""
    query = select(User).where(User.active.is_(True), or_(User.township_id == warning.township_id,
                                                          User.village_id.in_(select(Village.id).where(
                                                              Village.township_id == warning.township_id))),
                               User.role.in_(("mediator", "staff", "leader")))
    if warning.village_id is not None:
        query = query.where(or_(User.role != "mediator", User.village_id == warning.village_id))
    return list(db.session.execute(query.order_by(User.role, User.id)).scalars())


def acknowledge(warning: RiskWarning, actor: User, note: str, assignee_id: int | None) -> None:
    """Acknowledge a warning (已知悉) with a note and who follows it up; kept in its history."""
    if not warning.is_open:
        raise DomainError("预警已解除,无需再确认。")
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写处置意见。")
    assignee = None
    if assignee_id:
        assignee = next((u for u in assignees(warning) if u.id == assignee_id), None)
        if assignee is None:
            raise DomainError("责任人不属于本乡镇。")
    now = clock.now_utc()
    warning.acknowledged_by_id = actor.id
    warning.acknowledged_at = now
    warning.acknowledged_note = note
    warning.assignee_id = assignee.id if assignee else None
    params = {"actor": actor.display_name, "note": note, "assignee": assignee.display_name if assignee else None}
    warning.events.append(WarningEvent(action="acknowledged", level=warning.level,
                                       text=w.render_acknowledgement(params), params=params, actor_id=actor.id, at=now))
    db.session.flush()


def disputes_of(warnings: list[RiskWarning], user: User) -> dict[int, Dispute]:
    """Return the disputes behind these warnings that the user may see, by id (scoped by the reach hook)."""
    ids = sorted({i for wr in warnings for i in wr.dispute_ids})
    found = {}
    for chunk in _chunks(ids):
        for d in db.session.execute(select(Dispute).where(Dispute.id.in_(chunk), permissions.dispute_scope(user))
                                    ).scalars():
            found[d.id] = d
    return found


def petitions_of(warnings: list[RiskWarning], user: User) -> dict[int, Petition]:
    ids = sorted({i for wr in warnings for i in wr.petition_ids})
    found = {}
    for chunk in _chunks(ids):
        for p in db.session.execute(select(Petition).where(Petition.id.in_(chunk), permissions.petition_scope(user))
                                    ).scalars():
            found[p.id] = p
    return found


# --- the township's settings -------------------------------------------------------------------------------

def settings_of(township: Township) -> w.Thresholds:
    """Return the township's thresholds and sensitive periods (its settings, or the defaults)."""
    return _thresholds(township)


def save_settings(township: Township, values: dict, periods_text: str) -> dict:
    """Store the township's warning thresholds and sensitive periods, then re-judge its warnings by them."""
    periods = w.parse_sensitive_periods(periods_text)
    settings = dict(township.settings or {})
    for key, value in values.items():
        settings[f"warning_{key}"] = float(value) if key == "surge_ratio" else int(value)
    settings["sensitive_periods"] = periods
    township.settings = settings  # a new dict, so the JSON column is seen as changed
    db.session.flush()
    return refresh_township(township)
