"""Monthly returns (月报): by the 5th a township submits the previous month's figures; the county accepts them
(frozen) or sends them back with a reason; the township corrects and submits again. Every version is kept.

The figures are those of the township's own monthly report as at the month's end (services.statistics via
report_files.render: the JSON of /reports/<year>/<month>.json, text and nil return included), stored as JSON
when submitted. A month with nothing registered, received or found is a nil return (零报告), submitted the same.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from casetrack import permissions
from casetrack.clock import now_utc, to_beijing
from casetrack.domain.errors import DomainError
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import MonthlyReturn, ReturnStatus, Township, User
from casetrack.services import report_files
from casetrack.services import statistics as stats

DUE_DAY = 5  # 每月5日前报送上月月报


def due_on(period: Period) -> date:
    """The last day to submit a month's return: the 5th of the next month."""
    return period.end + timedelta(days=DUE_DAY)


def month_figures(township: Township, period: Period, today: date) -> dict:
    """The month's figures as the township's own report gives them, as at the month's end (or today if earlier)."""
    scope = stats.Scope((township,))
    body = report_files.render(period, scope, stats.figures(period, scope, today), "json", today)
    return json.loads(body)


def versions(township_id: int, period: Period) -> list[MonthlyReturn]:
    """Every submitted version of a township's return for the month, oldest first."""
    return list(db.session.execute(select(MonthlyReturn).where(
        MonthlyReturn.township_id == township_id, MonthlyReturn.period == period.key
    ).order_by(MonthlyReturn.version)).scalars())


def submit(township: Township, period: Period, by: User, today: date, note: str = "") -> MonthlyReturn:
    """Submit (or, once sent back, submit again) the township's return for an ended month."""
    if not permissions.can_submit_returns(by) or by.township_id != township.id:
        raise DomainError("只有本乡镇的乡干部可以报送月报。")
    if period.kind != "month":
        raise DomainError("月报按月报送。")
    if today <= period.end:
        raise DomainError("%(p)s尚未结束,月末后才能报送。", p=period.label)
    earlier = versions(township.id, period)
    latest = earlier[-1] if earlier else None
    if latest is not None and latest.status == ReturnStatus.SUBMITTED.value:
        raise DomainError("%(p)s的月报已报送,正等待县里审核。", p=period.label)
    if latest is not None and latest.status == ReturnStatus.ACCEPTED.value:
        raise DomainError("%(p)s的月报已被接收,数字已冻结。", p=period.label)
    figures = month_figures(township, period, today)
    row = MonthlyReturn(
        township_id=township.id, period=period.key, version=(latest.version + 1) if latest else 1,
        status=ReturnStatus.SUBMITTED.value, figures=figures, nil_return=bool(figures.get("nil_return")),
        note=note.strip(), submitted_by_id=by.id, submitted_at=now_utc(), late=today > due_on(period),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _reviewable(row: MonthlyReturn, by: User) -> None:
    if not permissions.can_review_return(by, row):
        raise DomainError("只有本县的县级账号可以审核月报。")
    newest = db.session.execute(select(func.max(MonthlyReturn.version)).where(
        MonthlyReturn.township_id == row.township_id, MonthlyReturn.period == row.period)).scalar_one()
    if row.version != newest or row.status != ReturnStatus.SUBMITTED.value:
        raise DomainError("这份月报已审核过或已有新的版本。")


def accept(row: MonthlyReturn, by: User) -> MonthlyReturn:
    """Accept a submitted return: its figures are frozen as they were submitted."""
    _reviewable(row, by)
    row.status, row.reviewed_by_id, row.reviewed_at = ReturnStatus.ACCEPTED.value, by.id, now_utc()
    db.session.flush()
    return row


def send_back(row: MonthlyReturn, by: User, reason: str) -> MonthlyReturn:
    """Send a submitted return back with the reason; the township corrects and submits a new version."""
    reason = reason.strip()
    if not reason:
        raise DomainError("请写明退回的理由。")
    _reviewable(row, by)
    row.status, row.reviewed_by_id, row.reviewed_at, row.review_reason = (
        ReturnStatus.SENT_BACK.value, by.id, now_utc(), reason)
    db.session.flush()
    return row


@dataclass
class ReturnState:
    """Where a township's return for a month stands: its newest version (or none), and whether it is late."""

    township: Township
    period: Period
    latest: MonthlyReturn | None
    due: date
    late: bool  # submitted after the due day, or not yet submitted and the due day has passed

    @property
    def label(self) -> str:
        if self.latest is None:
            return "逾期未报" if self.late else "未报送"
        return self.latest.status_enum.label + ("(逾期)" if self.late else "")

    @property
    def key(self) -> str:
        if self.latest is None:
            return "late" if self.late else "not_submitted"
        return self.latest.status


def states(townships: list[Township], period: Period, today: date) -> list[ReturnState]:
    """The state of each township's return for the month."""
    ids = [t.id for t in townships]
    newest: dict[int, MonthlyReturn] = {}
    for row in db.session.execute(select(MonthlyReturn).where(
            MonthlyReturn.township_id.in_(ids), MonthlyReturn.period == period.key).order_by(MonthlyReturn.version)
    ).scalars():
        newest[row.township_id] = row
    result = []
    for township in townships:
        latest = newest.get(township.id)
        late = latest.late if latest is not None else today > due_on(period)
        result.append(ReturnState(township, period, latest, due_on(period), late))
    return result


def previous_month(today: date) -> Period:
    """The month whose return is due this month."""
    first = today.replace(day=1) - timedelta(days=1)
    return Period.of_month(first.year, first.month)


def submitted_on(row: MonthlyReturn) -> date:
    return to_beijing(row.submitted_at).date()


def states_by_month(township: Township, months: list[Period], today: date) -> list[tuple[ReturnState, list]]:
    """For the township's own page: each month's state and all its versions, newest month first."""
    return [(states([township], period, today)[0], versions(township.id, period)) for period in months]
