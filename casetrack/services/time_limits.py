"""Apply the statutory time limits (domain/deadlines.py) to stored cases, with the township's settings."""

from dataclasses import dataclass
from datetime import date

from flask import g, has_app_context
from sqlalchemy import Date, Integer, String, column, event, select, text
from sqlalchemy.orm import Session

from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.deadline_facts import DisputeFacts, PetitionFacts
from casetrack.domain.errors import N_
from casetrack.domain.holiday_calendar import HolidayCalendar, holiday_calendar_from_rows, parse_holiday_file
from casetrack.domain.holiday_notice import looks_like_notice, parse_holiday_notice
from casetrack.extensions import db
from casetrack.models import CalendarDay, CalendarPlan, Dispute, Petition, Township
from casetrack.services.timeline import record_event

REASON_CALENDAR = "节假日安排变更"
REASON_RULE = "本乡镇期限计算规则变更"
REASON_KEYS = {REASON_CALENDAR: "calendar", REASON_RULE: "rule"}  # as timeline parameters (domain/timeline.py)


def holiday_calendar() -> HolidayCalendar:
    """Return the county-wide calendar: entered days over the entered plans, the package or the estimate."""
    if has_app_context() and "holiday_calendar" in g:
        return g.holiday_calendar
    rows, plans = [], []
    for entry in db.session.execute(_CALENDAR_ENTRIES):
        if entry.day is None:
            plans.append(entry.year)
        else:
            rows.append((entry.day, entry.kind))
    calendar = holiday_calendar_from_rows(rows, plans) if rows or plans else HolidayCalendar()
    if has_app_context():
        g.holiday_calendar = calendar
    return calendar


_CALENDAR_ENTRIES = text(
    "SELECT day, kind, NULL AS year FROM calendar_days UNION ALL SELECT NULL, NULL, year FROM calendar_plans"
).columns(column("day", Date), column("kind", String), column("year", Integer))
"""The entered days (day, kind) and, with no day, the years whose whole plan is entered: one statement."""


def policy_for(township: Township) -> dl.DeadlinePolicy:
    """Build the deadline policy from the township's settings: its own duties roll unless it chose strict."""
    return dl.DeadlinePolicy(
        roll_holiday=not township.setting("strict_period_end"),
        follow_up_days=int(township.setting("follow_up_days")),
        calendar=holiday_calendar(),
        due_soon_days=int(township.setting("due_soon_days")),
    )


@dataclass(frozen=True)
class LimitView:
    """A deadline as a page shows it: the limit, days left and a due-soon / overdue mark."""

    deadline: dl.Deadline
    days_left: int
    status: str  # overdue | due_soon | on_track

    @property
    def status_label(self) -> str:
        return {"overdue": "已超期", "due_soon": "即将到期", "on_track": "未到期"}[self.status]


def limit_note(*deadlines: dl.Deadline | None) -> str:
    """Say, for an export, which rule gave each date: rolled (and from what), strict, agreed; 暂定 when estimated."""
    parts = []
    for deadline in deadlines:
        if deadline is None:
            continue
        rolled = f"(原期满日{deadline.unrolled.isoformat()})" if deadline.unrolled else ""
        estimated = ",暂定" if deadline.estimated else ""
        parts.append(f"{deadline.label}:{deadline.rule_label}{rolled}{estimated}")
    return ";".join(parts)


def _view(deadline: dl.Deadline | None, township: Township, today: date, soon: int | None = None) -> LimitView | None:
    if deadline is None:
        return None
    soon = int(township.setting("due_soon_days")) if soon is None else soon
    return LimitView(deadline, deadline.days_left(today), deadline.status(today, soon))


def dispute_facts(dispute: Dispute) -> DisputeFacts:
    """Read what a stored dispute's limit depends on."""
    return DisputeFacts(dispute.state, dispute.accepted_on, bool(dispute.continuation_agreed), dispute.continued_until,
                        dispute.outcome, dispute.performance_deadline, dispute.closed_on)


def petition_facts(petition: Petition) -> PetitionFacts:
    """Read what a stored petition's limits depend on."""
    return PetitionFacts(
        petition.state, petition.received_on, petition.decision, petition.decided_on,
        petition.extension_days, petition.review_requested_on, petition.second_review_requested_on, petition.source,
        petition.assigned_due_on, petition.completion_report_on, petition.legal_route,
    )


def limit_of(facts: DisputeFacts | PetitionFacts, township: Township, today: date,
             policy: dl.DeadlinePolicy | None = None) -> LimitView | None:
    """Return the limit that binds a case of these facts now, as a page shows it (the queue reads rows, not cases).

    A page listing many cases of one township passes the township's policy_for once, rather than have it read
    from the settings and the calendar for every row."""
    policy = policy or policy_for(township)
    deadline = (dispute_deadline(facts, township, policy) if isinstance(facts, DisputeFacts)
                else petition_deadline(facts, township, policy))
    return _view(deadline, township, today, policy.due_soon_days)


def dispute_limit(dispute: Dispute, today: date) -> LimitView | None:
    """Return the limit that binds the committee now, or None when none does."""
    return _view(current_dispute_deadline(dispute), dispute.township, today)


def current_dispute_deadline(dispute: Dispute) -> dl.Deadline | None:
    """Return the deadline for the case's next duty: mediation within a month, then the return visit."""
    return dispute_deadline(dispute_facts(dispute), dispute.township)


def dispute_deadline(facts: DisputeFacts, township: Township,
                     policy: dl.DeadlinePolicy | None = None) -> dl.Deadline | None:
    """Return the deadline for a dispute's next duty from its facts, or None when none binds."""
    policy = policy or policy_for(township)
    state = facts.state
    if state in (wf.DisputeState.ACCEPTED, wf.DisputeState.MEDIATING) and facts.accepted_on:
        return dl.mediation_deadline(facts.accepted_on, facts.continuation_agreed, policy, facts.continued_until)
    if state is wf.DisputeState.CONCLUDED and facts.outcome is wf.Outcome.SUCCEEDED:
        return dl.follow_up_deadline(facts.performance_deadline or facts.closed_on, policy)
    return None


def judicial_confirmation_deadline(dispute: Dispute) -> dl.Deadline | None:
    """Return the parties' 30-day window from the agreement taking effect (协议生效日期, else the agreement date)."""
    effective = dispute.agreement_effective_on or dispute.closed_on
    if dispute.outcome != wf.Outcome.SUCCEEDED or effective is None:
        return None
    return dl.judicial_confirmation_deadline(effective, policy_for(dispute.township))


def judicial_confirmation_window(dispute: Dispute, today: date) -> LimitView | None:
    """Return the window to apply for judicial confirmation while it is open, archived or not."""
    if dispute.judicial_confirmation_applied_on:
        return None
    deadline = judicial_confirmation_deadline(dispute)
    view = _view(deadline, dispute.township, today)
    return view if view is not None and view.days_left >= 0 else None


def second_review_request_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 复核 window, counted from when the petitioner received the review answer (Art. 36)."""
    received = petition.review_delivered_on or petition.review_answered_on
    if received is None:
        return None
    return dl.second_review_request_deadline(received, policy_for(petition.township))


def review_request_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 复查 window, counted from delivery of the written opinion (Art. 35)."""
    if petition.delivered_on is None:
        return None
    return dl.review_request_deadline(petition.delivered_on, policy_for(petition.township))


def completion_report_deadline(petition: Petition | PetitionFacts) -> dl.Deadline | None:
    """Return the 办理期限 a higher body set for a matter it assigned (交办), by which the 办结报告 is due."""
    facts = _petition(petition)
    if facts.source is not pw.Source.ASSIGNED_IN or facts.assigned_due_on is None:
        return None
    return dl.completion_report_deadline(facts.received_on, facts.assigned_due_on)


def objection_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 5-working-day window to object to a matter forwarded or assigned from above (Art. 23)."""
    if not _from_above(petition):
        return None
    return dl.assignment_objection_deadline(petition.received_on, policy_for(petition.township))


def review_answer_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 复查 body's 30-day limit to answer (Art. 35): the higher body's, shown as information only."""
    if petition.review_requested_on is None:
        return None
    return dl.review_answer_deadline(petition.review_requested_on, policy_for(petition.township))


def second_review_answer_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 复核 body's 30-day limit to answer (Art. 36): the higher body's, shown as information only."""
    if petition.second_review_requested_on is None:
        return None
    return dl.second_review_answer_deadline(petition.second_review_requested_on, policy_for(petition.township))


def current_petition_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the deadline for the township's next statutory duty on the petition, or None when none binds."""
    return petition_deadline(petition_facts(petition), petition.township)


def petition_deadline(facts: PetitionFacts, township: Township,
                      policy: dl.DeadlinePolicy | None = None) -> dl.Deadline | None:
    """Return the deadline for the township's next statutory duty on a petition of these facts.

    复查 and 复核 are the next-higher body's acts (Art. 35-36): their answer limits bind that body, not the
    township, so they are never the township's current limit. A matter assigned from above (交办) also owes its
    办结报告 by the date the higher body set; the earlier of that and the state's own limit binds.
    """
    policy = policy or policy_for(township)
    state = facts.state
    S = pw.PetitionState
    own = None
    if state is S.REGISTERED:
        own = dl.petition_acceptance_deadline(facts.received_on, policy, from_above=facts.from_above)
    elif state in (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS) and facts.decided_on:
        own = dl.petition_opinion_deadline(facts.decided_on, facts.extension_days, policy)
    report = None
    if pw.is_open(state) and facts.completion_report_on is None:
        report = completion_report_deadline(facts)
    candidates = [d for d in (own, report) if d is not None]
    return min(candidates, key=lambda d: d.due) if candidates else None


def petition_limit(petition: Petition, today: date) -> LimitView | None:
    """Return the petition's binding limit as a page shows it."""
    return _view(current_petition_deadline(petition), petition.township, today)


def opinion_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 60-day (plus extension) limit for the written opinion, once the petition is accepted."""
    return petition_opinion_deadline(petition_facts(petition), petition.township)


def petition_opinion_deadline(facts: PetitionFacts, township: Township) -> dl.Deadline | None:
    """Return the 60-day (plus extension) opinion limit of a petition of these facts, once it is accepted.

    A matter routed into a legal procedure at acceptance (依法分类处理, Art. 31) leaves the 60-day track.
    """
    if facts.decision is None or not facts.decision.handled or facts.decided_on is None or facts.legal_route:
        return None
    return dl.petition_opinion_deadline(facts.decided_on, facts.extension_days, policy_for(township))


def acceptance_deadline(petition: Petition) -> dl.Deadline:
    """Return the 15-day limit to decide on acceptance (for a matter from above: to tell the petitioner, Art. 23)."""
    return dl.petition_acceptance_deadline(petition.received_on, policy_for(petition.township),
                                           from_above=_from_above(petition))


def _from_above(petition: Petition) -> bool:
    return pw.Source(petition.source or pw.Source.OWN).from_above  # a new petition's default comes at INSERT


def _petition(petition: Petition | PetitionFacts) -> PetitionFacts:
    return petition if isinstance(petition, PetitionFacts) else petition_facts(petition)


def import_calendar_days(
    text: str, names: dict | None = None, *, year: int | None = None, whole_plan: bool = False, actor=None,
) -> dict[int, int]:
    """Enter holiday days from a CSV (日期,类型) or the State Council's notice; return days entered per year.

    Entered days add to or correct the year's other days, never drop them. The notice is a whole plan,
    so its year is no longer an estimate; a CSV is one when whole_plan says so. Every open case's stored
    limit is then recomputed, and each one that moved says so in its timeline.
    """
    if looks_like_notice(text):
        notice = parse_holiday_notice(text, year)
        rows, names, planned, source = notice.rows, {**notice.names, **(names or {})}, {notice.year}, "notice"
    else:
        rows = parse_holiday_file(text)
        if year is not None and any(day.year != year for day, _kind in rows):
            raise ValueError(f"文件中有不属于{year}年的日期")
        planned, source = ({day.year for day, _kind in rows} if whole_plan else set()), "csv"
    for day, kind in rows:
        entered = db.session.get(CalendarDay, day)
        if entered is None:
            db.session.add(CalendarDay(day=day, kind=kind, name=(names or {}).get(day)))
        else:  # a correction: the same day entered again with another kind or name
            entered.kind, entered.name = kind, (names or {}).get(day) or entered.name
    for plan_year in planned:
        if db.session.get(CalendarPlan, plan_year) is None:
            db.session.add(CalendarPlan(year=plan_year, source=source))
    db.session.flush()
    forget_calendar()
    recompute_due_dates(REASON_CALENDAR, actor=actor)
    years = sorted({day.year for day, _kind in rows})
    return {y: sum(1 for day, _k in rows if day.year == y) for y in years}


def forget_calendar() -> None:
    """Drop the request's cached calendar, so the next limit computed uses the days just entered."""
    if has_app_context():
        g.pop("holiday_calendar", None)


def year_differences(year: int) -> list[tuple[date, str]]:
    """Return the days of a year that differ from the ordinary week, as the calendar now stands."""
    return holiday_calendar().differences(year)


CALENDAR_GAP = N_("%(year)s年的法定节假日和调休安排尚未录入:该年的期限暂按法定节日估算(不含调休),标为“暂定”。"
                  "请在国务院办公厅公布后于“设置 → 节假日”录入或用 flask holidays import 导入。")


def calendar_gap_year(today: date) -> int | None:
    """Return this year, or (from 1 November) next year, when its holiday plan is not entered."""
    calendar = holiday_calendar()
    for year in (today.year, today.year + 1):
        if year == today.year + 1 and today.month < 11:
            continue
        if not calendar.knows_year(year):
            return year
    return None


def calendar_gap_warning(today: date) -> str | None:
    """Warn admins when this year's or (from 1 November) next year's holiday plan is not entered (Chinese; the
    web shows CALENDAR_GAP in the reader's language)."""
    year = calendar_gap_year(today)
    return CALENDAR_GAP % {"year": year} if year else None


def _stored_limits(record) -> None:
    """Store the binding limit on a dispute or petition so the queue and statistics can use SQL."""
    if isinstance(record, Dispute):
        deadline = current_dispute_deadline(record)
        record.due_on = deadline.due if deadline else None
    elif isinstance(record, Petition):
        opinion = opinion_deadline(record)
        record.opinion_due_on = opinion.due if opinion else None
        deadline = current_petition_deadline(record)
        record.due_on = deadline.due if deadline else None


def _keep_due_dates(session, flush_context, instances) -> None:
    with session.no_autoflush:
        for record in [*session.new, *session.dirty]:
            if not isinstance(record, Dispute | Petition):
                continue
            if record.township is None and record.township_id is not None:
                record.township = session.get(Township, record.township_id)
            if record.township is None:
                continue
            if record.status is None:  # a new case: its column default is applied only at INSERT
                record.status = "registered"
            _stored_limits(record)


def init_app(app) -> None:
    """Keep every dispute's and petition's stored limit in step with its state, whatever code changes it."""
    if not event.contains(Session, "before_flush", _keep_due_dates):
        event.listen(Session, "before_flush", _keep_due_dates)


def _due_dates(record) -> dict[str, date | None]:
    if isinstance(record, Petition):
        return {"due_on": record.due_on, "opinion_due_on": record.opinion_due_on}
    return {"due_on": record.due_on}


def recompute_due_dates(reason: str = REASON_CALENDAR, township_id: int | None = None, actor=None) -> int:
    """Recompute stored limits after the calendar or a township's rule changed; return how many moved.

    Each case whose date moved gets one timeline entry saying from what to what and why.
    """
    forget_calendar()
    moved = 0
    for model, open_states in ((Dispute, ["accepted", "mediating", "concluded"]), (Petition, None)):
        query = select(model)
        if open_states:
            query = query.where(model.status.in_(open_states))
        if township_id is not None:
            query = query.where(model.township_id == township_id)
        for record in db.session.execute(query).scalars():
            before = _due_dates(record)
            _stored_limits(record)
            changes = {label: (old, new) for (label, old), new in zip(before.items(), _due_dates(record).values(),
                                                                      strict=True) if old != new}
            if not changes:
                continue
            moved += 1
            petition = record if isinstance(record, Petition) else None
            record_event(None if petition else record, actor, "due_recomputed",
                         {"reason_key": REASON_KEYS.get(reason, reason)}, changes, petition=petition)
    db.session.flush()
    return moved
