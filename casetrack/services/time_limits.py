"""Apply the statutory time limits (domain/deadlines.py) to stored cases, with the township's settings."""

from dataclasses import dataclass
from datetime import date

from flask import g, has_app_context
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.holiday_calendar import HolidayCalendar, holiday_calendar_from_rows, parse_holiday_file
from casetrack.extensions import db
from casetrack.models import CalendarDay, Dispute, Petition, Township


def holiday_calendar() -> HolidayCalendar:
    """Return the calendar of admin-entered days over the chinese-calendar package (cached per request)."""
    if has_app_context() and "holiday_calendar" in g:
        return g.holiday_calendar
    rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    calendar = holiday_calendar_from_rows(rows) if rows else HolidayCalendar()
    if has_app_context():
        g.holiday_calendar = calendar
    return calendar


def policy_for(township: Township) -> dl.DeadlinePolicy:
    """Build the deadline policy from the township's settings."""
    return dl.DeadlinePolicy(
        roll_holiday=bool(township.setting("roll_holiday")),
        follow_up_days=int(township.setting("follow_up_days")),
        calendar=holiday_calendar(),
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


def _view(deadline: dl.Deadline | None, township: Township, today: date) -> LimitView | None:
    if deadline is None:
        return None
    soon = int(township.setting("due_soon_days"))
    return LimitView(deadline, deadline.days_left(today), deadline.status(today, soon))


def dispute_limit(dispute: Dispute, today: date) -> LimitView | None:
    """Return the limit that binds the committee now, or None when none does."""
    return _view(current_dispute_deadline(dispute), dispute.township, today)


def current_dispute_deadline(dispute: Dispute) -> dl.Deadline | None:
    """Return the deadline for the case's next duty: mediation within a month, then the return visit."""
    policy = policy_for(dispute.township)
    state = dispute.state
    if state in (wf.DisputeState.ACCEPTED, wf.DisputeState.MEDIATING) and dispute.accepted_on:
        return dl.mediation_deadline(dispute.accepted_on, dispute.continuation_agreed, policy)
    if state is wf.DisputeState.CONCLUDED and dispute.outcome == wf.Outcome.SUCCEEDED.value:
        return dl.follow_up_deadline(dispute.performance_deadline or dispute.closed_on, policy)
    return None


def judicial_confirmation_window(dispute: Dispute, today: date) -> LimitView | None:
    """Return the 30-day window to apply for judicial confirmation while it is still useful to show."""
    if (dispute.outcome != wf.Outcome.SUCCEEDED.value or dispute.judicial_confirmation_applied_on
            or dispute.closed_on is None or dispute.state is wf.DisputeState.ARCHIVED):
        return None
    view = _view(dl.judicial_confirmation_deadline(dispute.closed_on, policy_for(dispute.township)),
                 dispute.township, today)
    return view if view.days_left >= 0 else None


def current_petition_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the deadline for the petition's next statutory duty, or None when none binds."""
    policy = policy_for(petition.township)
    state = petition.state
    S = pw.PetitionState
    if state is S.REGISTERED:
        return dl.petition_acceptance_deadline(petition.received_on, policy)
    if state in (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS) and petition.decided_on:
        return dl.petition_opinion_deadline(petition.decided_on, petition.extension_days, policy)
    if state is S.UNDER_REVIEW and petition.review_requested_on:
        return dl.review_answer_deadline(petition.review_requested_on, policy)
    if state is S.UNDER_SECOND_REVIEW and petition.second_review_requested_on:
        return dl.second_review_answer_deadline(petition.second_review_requested_on, policy)
    return None


def petition_limit(petition: Petition, today: date) -> LimitView | None:
    """Return the petition's binding limit as a page shows it."""
    return _view(current_petition_deadline(petition), petition.township, today)


def opinion_deadline(petition: Petition) -> dl.Deadline | None:
    """Return the 60-day (plus extension) limit for the written opinion, once the petition is accepted."""
    if petition.decision not in ("accepted", "assigned") or petition.decided_on is None:
        return None
    return dl.petition_opinion_deadline(petition.decided_on, petition.extension_days, policy_for(petition.township))


def acceptance_deadline(petition: Petition) -> dl.Deadline:
    """Return the 15-day limit to decide on acceptance."""
    return dl.petition_acceptance_deadline(petition.received_on, policy_for(petition.township))


def import_calendar_days(text: str, names: dict | None = None) -> dict[int, int]:
    """Replace the admin calendar for the years in a holiday file; return rows per year."""
    rows = parse_holiday_file(text)
    years = sorted({day.year for day, _kind in rows})
    for year in years:
        db.session.execute(delete(CalendarDay).where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
        ))
    for day, kind in rows:
        db.session.add(CalendarDay(day=day, kind=kind, name=(names or {}).get(day)))
    db.session.flush()
    if has_app_context():
        g.pop("holiday_calendar", None)  # the next limit computed uses the new days
    recompute_due_dates()
    return {year: sum(1 for day, _k in rows if day.year == year) for year in years}


def calendar_gap_warning(today: date) -> str | None:
    """Warn admins when this year's or (from November) next year's holiday plan is unknown."""
    calendar = holiday_calendar()
    for year in (today.year, today.year + 1):
        if year == today.year + 1 and today.month < 11:
            continue
        if not calendar.knows_year(year):
            return (f"{year}年的法定节假日和调休安排尚未录入:按工作日计算的期限将无法计算。"
                    f"请在国务院办公厅公布后于“设置 → 节假日”录入或用 flask holidays import 导入。")
    return None


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


def recompute_due_dates(township_id: int | None = None) -> int:
    """Recompute stored limits of open cases, after a calendar or township setting changed."""
    count = 0
    for model, open_states in ((Dispute, ["accepted", "mediating", "concluded"]), (Petition, None)):
        query = select(model)
        if open_states:
            query = query.where(model.status.in_(open_states))
        if township_id is not None:
            query = query.where(model.township_id == township_id)
        for record in db.session.execute(query).scalars():
            _stored_limits(record)
            count += 1
    db.session.flush()
    return count
