"""The inbox (待办): what waits on one person now, computed from the cases each time, never stored.

A line leaves by itself when the work is done, because each kind of line is a query over the state of the
cases: an approved extension has no request left, a corrected case has no send-back note, a held round fills
its period. Every query is limited to the user's reach (permissions.reach_of) explicitly, so the same lines
come out in a request and in the `remind` command, where no user is signed in.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, literal_column, select

from casetrack import permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_
from casetrack.extensions import db
from casetrack.i18n import case_numbers
from casetrack.ledger import history as ledger_history
from casetrack.models import (
    CaseEvent,
    Dispute,
    Petition,
    RiskWarning,
    Role,
    ScreeningRound,
    Supervision,
    Township,
    User,
    Village,
)
from casetrack.services import screening, time_limits

PER_KIND = 10
"""Lines shown of each kind; the page says how many more wait and links to the queue."""

CORRECTED_SHOWN_DAYS = 14
"""A send-back answered by the mediator stays on the staff's list this long unless someone acts on the case."""

OPEN_DISPUTE = (wf.DisputeState.ACCEPTED.value, wf.DisputeState.MEDIATING.value, wf.DisputeState.CONCLUDED.value)
NOT_CONCLUDED = (wf.DisputeState.REGISTERED.value, wf.DisputeState.ACCEPTED.value, wf.DisputeState.MEDIATING.value)
CLOSED = (wf.DisputeState.ARCHIVED.value, wf.DisputeState.NOT_ACCEPTED.value)
PETITION_OPEN = ("accepted", "assigned", "in_progress", "under_review", "under_second_review")

KINDS: dict[str, str] = {
    "red_warning": N_("红色预警待处置"),
    "extension": N_("延期申请待审批"),
    "supervision": N_("督办到期"),
    "major_unassigned": N_("重大纠纷未明确责任单位"),
    "acceptance": N_("待受理"),
    "petition_decision": N_("信访待受理、转送或交办"),
    "due": N_("期限将到或已超期"),
    "corrected": N_("退回补正已答复"),
    "ledger_import": N_("台账导入提示待阅"),
    "returned": N_("退回补正待答复"),
    "screening": N_("本期排查尚未进行"),
    "mediation": N_("调解待办"),
    "follow_up": N_("待回访"),
    "judicial": N_("司法确认申请期内"),
}
"""Each kind of line and its heading, in the order the page shows them."""


@dataclass
class Line:
    """One thing to do: what, on which case, by when, and where to do it."""

    kind: str
    number: str
    endpoint: str
    args: dict
    place: str = ""
    due: date | None = None
    days_left: int | None = None
    status: str | None = None  # overdue | due_soon | on_track, as time_limits.LimitView
    rule: str | None = None  # the limit's name
    basis: str | None = None  # the article it rests on
    note: str | None = None  # the instruction, reason or note that goes with it (shown in the app only)
    petition_id: int | None = None  # an extension request, approved or refused from the line
    import_id: int | None = None  # a ledger import with notices, marked seen from the line
    at: datetime | None = None  # when the import was done
    counts: dict | None = None  # what the import did: created, updated, skipped, notices
    warning: RiskWarning | None = None  # a red warning: its cases and sentence, shown in the reader's language

    @property
    def title(self) -> str:
        return KINDS[self.kind]


@dataclass
class Inbox:
    """A person's lines by kind, with how many of each kind there are in all."""

    lines: dict[str, list[Line]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # the villages' names, read once

    def place(self, record) -> str:
        return self.names.get(record.village_id, "") if record.village_id else ""

    def add(self, kind: str, lines: list[Line], total: int | None = None) -> None:
        if lines or total:
            self.lines[kind] = lines
            self.totals[kind] = len(lines) if total is None else total

    @property
    def count(self) -> int:
        return sum(self.totals.values())

    def all_lines(self) -> list[Line]:
        return [line for kind in KINDS for line in self.lines.get(kind, [])]


def _limit(line: Line, view) -> Line:
    if view is not None:
        line.due, line.days_left, line.status = view.deadline.due, view.days_left, view.status
        line.rule, line.basis = view.deadline.label, view.deadline.basis
    return line


def _plain_due(line: Line, due: date | None, today: date, soon: int) -> Line:
    if due is not None:
        line.due, line.days_left = due, (due - today).days
        line.status = "overdue" if line.days_left < 0 else "due_soon" if line.days_left <= soon else "on_track"
    return line


def _rows(query, limit: int | None = None):
    return db.session.execute(query.limit(limit or PER_KIND)).scalars().all()


def _count(query) -> int:
    return db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


FEW = 500
"""Kinds that are few at any time are read whole (up to this many) without ORDER BY and sorted here, so the
planner picks the index of their condition rather than one that gives the order (and scans a township)."""


def _few(query, key) -> tuple[list, int]:
    rows = list(db.session.execute(query.limit(FEW)).scalars())
    total = len(rows) if len(rows) < FEW else _count(query)
    return sorted(rows, key=key)[:PER_KIND], total


def _listed(query, limit: int | None = None) -> tuple[list, int]:
    """Return the first rows and, when there may be more, how many in all (one COUNT only then)."""
    limit = limit or PER_KIND
    rows = _rows(query, limit + 1)
    if len(rows) <= limit:
        return list(rows), len(rows)
    return list(rows[:limit]), _count(query)


def inbox_for(user: User, today: date, now: datetime) -> Inbox:
    """Return the lines waiting on the user today, by kind, within their reach."""
    inbox = Inbox()
    if permissions.reach_of(user) == permissions.NOWHERE:
        return inbox
    role = user.role
    township_id = user.township_id or (user.village.township_id if user.village else None)
    if township_id is not None:
        db.session.get(Township, township_id)  # in the identity map: each case's limit finds its township there
    # one query for the places' names instead of one lazy load per line
    inbox.names = dict(db.session.execute(select(Village.id, Village.name).where(
        Village.township_id == township_id) if township_id is not None else select(Village.id, Village.name)).all())
    disputes = and_(permissions.dispute_scope(user), Dispute.not_merged)
    petitions = permissions.petition_scope(user)
    # Every query below carries the user's reach itself (disputes, petitions above; rounds by the user's own
    # village or township), as it must outside a request; the reach hook would only add the same limits again,
    # per table, at a cost of a few milliseconds a query and with plans that walk a township's cases.
    with permissions.county_wide():
        if role in (Role.LEADER, Role.STAFF, Role.MEDIATOR):
            _red_warning_lines(inbox, user)
        if role is Role.LEADER:
            _leader_lines(inbox, user, disputes, petitions, today)
        elif role is Role.STAFF:
            _staff_lines(inbox, user, disputes, petitions, today, now)
        elif role is Role.MEDIATOR:
            _mediator_lines(inbox, user, disputes, today, now)
    return inbox


def _soon(user: User) -> int:
    township = user.township or (user.village.township if user.village else None)
    return int(township.setting("due_soon_days")) if township else 3


# --- everyone who handles a place: red warnings (红色预警) nobody has taken in hand yet -----------------------

def _red_warning_lines(inbox: Inbox, user: User) -> None:
    """Open red warnings within the user's reach that nobody has acknowledged; acknowledging takes the line away."""
    rows, total = _few(select(RiskWarning).where(
        permissions.warning_scope(user), RiskWarning.resolved_at.is_(None), RiskWarning.level == "red",
        RiskWarning.acknowledged_at.is_(None)), lambda r: (-r.since.toordinal(), -r.id))
    inbox.add("red_warning", [Line(
        "red_warning", case_numbers(r.numbers, 2) or str(r.since),
        "warnings.detail", {"warning_id": r.id}, place=inbox.names.get(r.village_id, "") if r.village_id else "",
        rule=N_("红色预警"), warning=r) for r in rows], total)


# --- a leader: approvals, their 督办 come due, major disputes nobody answers for ----------------------------

def _leader_lines(inbox: Inbox, user: User, disputes, petitions, today: date) -> None:
    soon = _soon(user)
    rows, total = _few(select(Petition).where(petitions, Petition.extension_requested_days.is_not(None)),
                       lambda p: (p.opinion_due_on or date.max, p.id))
    inbox.add("extension", [_plain_due(Line(
        "extension", p.number, "petitions.detail", {"petition_id": p.id}, petition_id=p.id,
        note=p.extension_requested_reason, rule=N_("办结期限"), basis=N_("《信访工作条例》第三十四条")),
        p.opinion_due_on, today, soon) for p in rows], total)

    pairs = db.session.execute(
        select(Supervision, Dispute).join(Dispute, Dispute.id == Supervision.dispute_id)
        .where(Supervision.leader_id == user.id, Supervision.due_on <= today, disputes,
               Dispute.status.in_(NOT_CONCLUDED))
        .order_by(Supervision.due_on, Supervision.id).limit(PER_KIND)).all()
    lines = [_plain_due(Line(
        "supervision", d.number, "cases.detail", {"case_id": d.id}, place=inbox.place(d), note=s.note,
        rule=N_("督办期限")), s.due_on, today, soon) for s, d in pairs]
    petition_pairs = db.session.execute(  # 督办 on petitions (信访), on the list until the matter is closed
        select(Supervision, Petition).join(Petition, Petition.id == Supervision.petition_id)
        .where(Supervision.leader_id == user.id, Supervision.due_on <= today, petitions,
               Petition.status.in_([state.value for state in pw.OPEN_STATES]))
        .order_by(Supervision.due_on, Supervision.id).limit(PER_KIND)).all()
    lines += [_plain_due(Line(
        "supervision", p.number, "petitions.detail", {"petition_id": p.id}, place=inbox.place(p), note=s.note,
        rule=N_("督办期限")), s.due_on, today, soon) for s, p in petition_pairs]
    lines.sort(key=lambda line: (line.due or today, line.number))
    inbox.add("supervision", lines[:PER_KIND])

    rows, total = _listed(select(Dispute).where(
        disputes, Dispute.risk_level == wf.RiskLevel.MAJOR.value, Dispute.status.not_in(CLOSED),
        Dispute.responsible_unit.is_(None)).order_by(Dispute.registered_on, Dispute.id))
    inbox.add("major_unassigned", [Line("major_unassigned", d.number, "cases.detail", {"case_id": d.id},
                                        place=inbox.place(d)) for d in rows], total)


# --- township staff: decisions to take, limits running out, corrections to look at, the township's round ----

def _staff_lines(inbox: Inbox, user: User, disputes, petitions, today: date, now: datetime) -> None:
    soon = _soon(user)
    rows, total = _listed(select(Dispute).where(disputes, Dispute.status == wf.DisputeState.REGISTERED.value)
                          .order_by(Dispute.registered_on, Dispute.id))
    inbox.add("acceptance", [Line("acceptance", d.number, "cases.detail", {"case_id": d.id}, place=inbox.place(d),
                                  note=None) for d in rows], total)

    # the most urgent first; one with no limit last on either database (SQLite sorts NULL first, PostgreSQL last)
    rows, total = _listed(select(Petition).where(petitions, Petition.status == "registered")
                          .order_by(Petition.due_on.asc().nulls_last(), Petition.id))
    inbox.add("petition_decision", [_limit(Line("petition_decision", p.number, "petitions.detail",
                                                 {"petition_id": p.id}, place=inbox.place(p)),
                                            time_limits.petition_limit(p, today)) for p in rows], total)

    horizon = today + timedelta(days=soon)
    due_disputes, dispute_total = _listed(select(Dispute).where(
        disputes, Dispute.due_on.is_not(None), Dispute.due_on <= horizon).order_by(Dispute.due_on, Dispute.id))
    due_petitions, petition_total = _listed(select(Petition).where(
        petitions, Petition.status != "registered", Petition.due_on.is_not(None), Petition.due_on <= horizon)
        .order_by(Petition.due_on, Petition.id))
    lines = [_limit(Line("due", d.number, "cases.detail", {"case_id": d.id}, place=inbox.place(d)),
                    time_limits.dispute_limit(d, today)) for d in due_disputes]
    lines += [_limit(Line("due", p.number, "petitions.detail", {"petition_id": p.id},
                          place=inbox.place(p)), time_limits.petition_limit(p, today))
              for p in due_petitions]
    lines.sort(key=lambda line: (line.due or today, line.number))
    inbox.add("due", lines[:PER_KIND], dispute_total + petition_total)

    inbox.add("corrected", _corrected_lines(inbox, disputes, now))
    _import_lines(inbox, user.township_id)
    _screening_line(inbox, user.township, "township", None, today)


def _import_lines(inbox: Inbox, township_id: int) -> None:
    """The township's ledger imports with notices nobody has marked seen (a later import of the file replaces one)."""
    rows, total = _listed(ledger_history.waiting(township_id))
    inbox.add("ledger_import", [Line(
        "ledger_import", r.filename, "ledger.import_notices", {"import_id": r.id}, import_id=r.id, at=r.imported_at,
        counts={"created": r.created, "updated": r.updated, "skipped": r.skipped, "notices": r.attention})
        for r in rows], total)


def _corrected_lines(inbox: Inbox, disputes, now: datetime) -> list[Line]:
    """Send-backs the mediator answered lately, until someone else acts on the case or it is sent back again.

    Read from the few recent "corrected" entries (a partial index holds only those), county-wide, then kept to
    the user's reach through their cases: the reach hook's per-table criteria would lead the planner to walk a
    whole township's cases instead.
    """
    recent = db.session.execute(
        select(CaseEvent.dispute_id, CaseEvent.at, CaseEvent.actor_id, CaseEvent.params, CaseEvent.summary)
        .where(CaseEvent.action == literal_column("'corrected'"),
               CaseEvent.at >= now - timedelta(days=CORRECTED_SHOWN_DAYS))
        .order_by(CaseEvent.at.desc()).limit(FEW).execution_options(**permissions.COUNTY_WIDE)).all()
    latest = {}
    for dispute_id, at, actor_id, params, summary in recent:  # the mediator's note; a legacy entry's prose
        latest.setdefault(dispute_id, (at, actor_id, (params or {}).get("note") if params is not None else summary))
    if not latest:
        return []
    cases = db.session.execute(select(Dispute).where(
        disputes, Dispute.id.in_(list(latest)), Dispute.returned_note.is_(None))).scalars().all()
    lines = []
    for dispute in sorted(cases, key=lambda d: latest[d.id][0], reverse=True):
        at, actor_id, summary = latest[dispute.id]
        acted = db.session.execute(select(CaseEvent.id).where(
            CaseEvent.dispute_id == dispute.id, CaseEvent.at > at,
            CaseEvent.actor_id.is_distinct_from(actor_id)).limit(1)).first()
        if acted is None:
            lines.append(Line("corrected", dispute.number, "cases.detail", {"case_id": dispute.id},
                              place=inbox.place(dispute), note=summary))
        if len(lines) == PER_KIND:
            break
    return lines


def _screening_line(inbox: Inbox, township: Township | None, level: str, village, today: date) -> None:
    """Add this period's round when the unit has not held it yet (a nil report counts as held)."""
    if township is None:
        return
    period = screening.period_for(township, level, today)
    unit = ScreeningRound.village_id == village.id if village else ScreeningRound.township_id == township.id
    held = db.session.execute(select(ScreeningRound.id).where(
        unit, ScreeningRound.township_id == township.id, ScreeningRound.level == level,
        ScreeningRound.held_on >= period.start, ScreeningRound.held_on <= period.end).limit(1)).first()
    if held is None:
        line = Line("screening", f"{period.start.isoformat()}—{period.end.isoformat()}", "screening.new",
                    {"level": level}, place=village.name if village else township.name,
                    note=period.focus, rule=N_("排查周期"))
        inbox.add("screening", [_plain_due(line, period.end, today, _soon_for(township))])


def screening_due(user: User, today: date) -> Line | None:
    """Return the round of this period the user's village (a mediator) or township (staff) has not held yet."""
    inbox = Inbox()
    if user.role is Role.MEDIATOR and user.village is not None:
        _screening_line(inbox, user.village.township, "village", user.village, today)
    elif user.role is Role.STAFF:
        _screening_line(inbox, user.township, "township", None, today)
    return (inbox.lines.get("screening") or [None])[0]


def _soon_for(township: Township) -> int:
    return int(township.setting("due_soon_days"))


# --- a village mediator: their cases' next steps, send-backs, the round, 司法确认 windows, return visits -------

def _mediator_lines(inbox: Inbox, user: User, disputes, today: date, now: datetime) -> None:
    village = user.village
    township = village.township
    soon = _soon_for(township)
    in_village = disputes  # the mediator's village: its own indexes (ix_disputes_village_*) find each kind

    rows, total = _few(select(Dispute).where(in_village, Dispute.returned_note.is_not(None)),
                       lambda d: (d.returned_at or now, d.id))
    inbox.add("returned", [Line("returned", d.number, "review.corrected", {"case_id": d.id}, place=inbox.place(d),
                                note=d.returned_note) for d in rows], total)

    _screening_line(inbox, township, "village", village, today)

    rows, total = _listed(select(Dispute).where(
        in_village, Dispute.status.in_((wf.DisputeState.ACCEPTED.value, wf.DisputeState.MEDIATING.value)),
        Dispute.due_on.is_not(None)).order_by(Dispute.due_on, Dispute.id))
    inbox.add("mediation", [_limit(Line("mediation", d.number, "cases.detail", {"case_id": d.id},
                                        place=inbox.place(d)), time_limits.dispute_limit(d, today))
                            for d in rows], total)

    rows, total = _listed(select(Dispute).where(
        in_village, Dispute.status == wf.DisputeState.CONCLUDED.value,
        Dispute.outcome == wf.Outcome.SUCCEEDED.value, Dispute.due_on.is_not(None),
        Dispute.due_on <= today + timedelta(days=max(soon, 7))).order_by(Dispute.due_on, Dispute.id))
    inbox.add("follow_up", [_limit(Line("follow_up", d.number, "cases.detail", {"case_id": d.id},
                                        place=inbox.place(d)), time_limits.dispute_limit(d, today))
                            for d in rows], total)

    # The window runs 30 days from the agreement taking effect (and rolls past a rest day): 45 days back
    # bounds every open one; the exact window is asked of time_limits.
    since = today - timedelta(days=45)
    rows = _rows(select(Dispute).where(  # by township: ix_disputes_confirmation_open holds only open windows
        in_village, Dispute.township_id == township.id, Dispute.outcome == wf.Outcome.SUCCEEDED.value,
        Dispute.judicial_confirmation_applied_on.is_(None), Dispute.closed_on >= since)
        .order_by(Dispute.closed_on, Dispute.id), 200)
    lines = []
    for d in rows:
        window = time_limits.judicial_confirmation_window(d, today)
        if window is not None:
            lines.append(_limit(Line("judicial", d.number, "cases.detail", {"case_id": d.id}, place=inbox.place(d)),
                                window))
    inbox.add("judicial", lines[:PER_KIND], len(lines))
