"""司法确认 (人民调解法 Art. 33): the parties' application to a court after an agreement, and the court's result."""

from datetime import date

from casetrack.domain import deadlines as dl
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.models import Dispute, User
from casetrack.services import time_limits
from casetrack.services.disputes import _check_date
from casetrack.services.timeline import record_event


def record_judicial_confirmation(
    dispute: Dispute, actor: User, applied_on: date, court: str, today: date,
    effective_on: date | None = None, late_note: str | None = None,
) -> str:
    """Record the parties' application for judicial confirmation (司法确认, 人民调解法 Art. 33).

    The 30 days run from the agreement taking effect (协议生效日期, by default the agreement date) and roll
    past a rest day. An archived case may still record it. A late application is saved with a warning
    and a note: whether the court takes it up is the court's decision. Returns the warning, or "".
    """
    if dispute.outcome != wf.Outcome.SUCCEEDED.value:
        raise DomainError("只有达成调解协议的案件可以申请司法确认。")
    if dispute.judicial_confirmation_applied_on is not None:
        raise DomainError("已记录司法确认申请。")
    _check_date(dispute, applied_on, today, N_("申请日期"))
    if effective_on is not None:
        _check_date(dispute, effective_on, today, N_("协议生效日期"))
        if dispute.closed_on and effective_on < dispute.closed_on:
            raise DomainError("协议生效日期不能早于协议达成日期。")
    effective = effective_on or dispute.agreement_effective_on or dispute.closed_on
    if effective and applied_on < effective:
        raise DomainError("司法确认申请日期不能早于协议生效日期。")
    if not court.strip():
        raise DomainError("请填写受理司法确认的人民法院。")
    if effective_on is not None:
        dispute.agreement_effective_on = effective_on
    window = time_limits.judicial_confirmation_deadline(dispute)
    late = dl.request_days_late(applied_on, window) if window else 0
    warning, late_params = "", {}
    if late:
        if not (late_note or "").strip():
            raise DomainError("申请日期已超过%(limit)s(截至%(date)s)%(days)s日:申请照常登记,请填写逾期说明后保存。",
                              limit=window.label, date=window.due.isoformat(), days=late)
        warning = f"(逾期{late}日,{window.label}截至{window.due.isoformat()};逾期说明:{late_note.strip()})"
        late_params = {"late_days": late, "window": window.label, "window_due": window.due,
                       "late_note": late_note.strip()}
    dispute.judicial_confirmation_applied_on = applied_on
    dispute.judicial_confirmation_court = court.strip()
    db.session.flush()
    record_event(dispute, actor, "judicial_confirmation", {"court": court.strip(), "on": applied_on, **late_params})
    return warning


def record_court_result(dispute: Dispute, actor: User, result: wf.CourtResult, on: date, today: date) -> None:
    """Record what the court decided on the application for judicial confirmation: 确认有效, 驳回 or 撤回."""
    if dispute.judicial_confirmation_applied_on is None:
        raise DomainError("尚未记录司法确认申请。")
    if dispute.judicial_confirmation_result is not None:
        raise DomainError("已记录司法确认结果。")
    _check_date(dispute, on, today, N_("裁定日期"))
    if on < dispute.judicial_confirmation_applied_on:
        raise DomainError("裁定日期不能早于司法确认申请日期。")
    dispute.judicial_confirmation_result = result.value
    dispute.judicial_confirmation_result_on = on
    db.session.flush()
    record_event(dispute, actor, "court_result", {"court_result": result, "on": on},
                 {"court_result": (None, result)})
