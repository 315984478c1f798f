"""Statutory time limits for petitions (信访) and disputes (矛盾纠纷).

Pure Python: every date is passed in, nothing here reads the clock.

One rule for every period counted in days or months (docs/time-limits.md):
- the day it starts from is not counted (《民法典》第二百零一条); a month ends on the same day of the
  next month, or that month's last day (第二百零二条);
- when the last day is a rest day -- a Saturday or Sunday that is no make-up workday (调休), or a
  statutory holiday -- the period ends on the next working day (《民法典》第二百零三条;《民事诉讼法》第八十五条).
A township may choose the strict reading (no roll) for its own duties only (``DeadlinePolicy.roll_holiday``
off); a petitioner's or a party's own windows (复查/复核 requests, 司法确认) always roll.
A date counted in a year whose holiday plan is not entered yet is an estimate (``Deadline.estimated``, 暂定).
"""

from __future__ import annotations

import calendar as _month_calendar
from dataclasses import dataclass
from datetime import date

from casetrack.domain.errors import N_, DomainError
from casetrack.domain.holiday_calendar import (
    HOLIDAY,
    WORKDAY,
    HolidayCalendar,
    UnknownCalendarYear,
    _as_date,
    add_calendar_days,
    add_working_days,
    holiday_calendar_from_rows,
    parse_holiday_file,
    roll_to_working_day,
)

__all__ = [
    "HOLIDAY",
    "WORKDAY",
    "HolidayCalendar",
    "UnknownCalendarYear",
    "ExtensionRefused",
    "WindowClosed",
    "Deadline",
    "DeadlinePolicy",
    "add_calendar_days",
    "add_working_days",
    "holiday_calendar_from_rows",
    "parse_holiday_file",
    "petition_acceptance_deadline",
    "assignment_objection_deadline",
    "petition_opinion_deadline",
    "check_extension",
    "review_request_deadline",
    "review_answer_deadline",
    "second_review_request_deadline",
    "second_review_answer_deadline",
    "check_request_in_window",
    "mediation_deadline",
    "judicial_confirmation_deadline",
    "follow_up_deadline",
    "is_overdue_on",
    "request_days_late",
    "RULE_LABELS",
    "add_months",
    "KIND_LABELS",
    "KIND_ACCEPTANCE",
    "KIND_ASSIGNMENT_OBJECTION",
    "KIND_OPINION",
    "KIND_REVIEW_REQUEST",
    "KIND_REVIEW_ANSWER",
    "KIND_SECOND_REVIEW_REQUEST",
    "KIND_SECOND_REVIEW_ANSWER",
    "KIND_MEDIATION",
    "KIND_JUDICIAL_CONFIRMATION",
    "KIND_FOLLOW_UP",
    "KIND_COMPLETION_REPORT",
    "completion_report_deadline",
]

ACCEPTANCE_DAYS = 15
ASSIGNMENT_OBJECTION_WORKING_DAYS = 5
OPINION_DAYS = 60
MAX_EXTENSION_DAYS = 30
REVIEW_DAYS = 30
JUDICIAL_CONFIRMATION_DAYS = 30

KIND_ACCEPTANCE = "acceptance"
KIND_ASSIGNMENT_OBJECTION = "assignment_objection"
KIND_OPINION = "opinion"
KIND_REVIEW_REQUEST = "review_request"
KIND_REVIEW_ANSWER = "review_answer"
KIND_SECOND_REVIEW_REQUEST = "second_review_request"
KIND_SECOND_REVIEW_ANSWER = "second_review_answer"
KIND_MEDIATION = "mediation"
KIND_JUDICIAL_CONFIRMATION = "judicial_confirmation"
KIND_FOLLOW_UP = "follow_up"
KIND_COMPLETION_REPORT = "completion_report"

KIND_LABELS = {
    KIND_ACCEPTANCE: "受理期限",
    KIND_ASSIGNMENT_OBJECTION: "交办异议期限",
    KIND_OPINION: "办结期限",
    KIND_REVIEW_REQUEST: "复查申请期限",
    KIND_REVIEW_ANSWER: "复查答复期限",
    KIND_SECOND_REVIEW_REQUEST: "复核申请期限",
    KIND_SECOND_REVIEW_ANSWER: "复核答复期限",
    KIND_MEDIATION: "调解期限",
    KIND_JUDICIAL_CONFIRMATION: "司法确认申请期限",
    KIND_FOLLOW_UP: "回访期限",
    KIND_COMPLETION_REPORT: "交办办理期限",
}

RULE_ROLLED = "rolled"
RULE_WORKDAY = "workday"
RULE_STRICT = "strict"
RULE_WORKING_DAYS = "working_days"
RULE_AGREED = "agreed"
RULE_SET = "set"

RULE_LABELS = {
    RULE_ROLLED: "期满日为休息日,顺延至其后第一个工作日",
    RULE_WORKDAY: "期满日为工作日,无需顺延",
    RULE_STRICT: "严格计算:期满日遇休息日不顺延(本乡镇设置)",
    RULE_WORKING_DAYS: "按工作日计算,跳过周末和法定节假日",
    RULE_AGREED: "双方当事人约定的延续调解期限",
    RULE_SET: "交办机关指定的办理期限,按指定日期计",
}

ROLL_BASIS = N_("期间开始的当日不计入,期满日遇休息日顺延至其后第一个工作日(《民法典》第二百零一条、第二百零三条;《民事诉讼法》第八十五条)")
STRICT_BASIS = N_("期间开始的当日不计入(《民法典》第二百零一条);本乡镇选择期满日遇休息日不顺延")
EXTENSION_BASIS = N_("经批准延长%(days)s日(延长不得超过30日,并告知信访人延期理由),自原期满日起连续计算")
FOLLOW_UP_BASIS = N_("本乡镇设置:协议履行期限届满后%(days)s日内回访(无全国统一规定)")
CONTINUED_BASIS = N_("双方当事人同意延续调解,以约定的日期为期限")
MONTH_BASIS = N_("(到期月的对应日为期满日,无对应日的为月末日,《民法典》第二百零二条)")
BASIS_TEMPLATES = (EXTENSION_BASIS, FOLLOW_UP_BASIS)
"""A time limit's basis is Chinese, as the documents and the API give it; its pieces are N_ texts and these
templates, so the web layer can show it in the reader's language (templating.translate_basis)."""

LEADER_ROLE = "leader"


class ExtensionRefused(DomainError):
    """A petition extension breaks Art. 34 of the 信访工作条例."""


class WindowClosed(DomainError):
    """A review request falls outside its statutory window."""

    def __init__(self, template: str, due: date | None = None, /, **params: object):
        self.due = due
        super().__init__(template, **params)


@dataclass(frozen=True)
class Deadline:
    """One computed time limit with its legal basis."""

    kind: str
    label: str
    starts: date
    due: date
    basis: str
    rule: str = RULE_WORKDAY
    unrolled: date | None = None  # the last day before any roll; None when it equals due
    estimated: bool = False  # 暂定: counted in a year whose holiday plan is not entered yet

    @property
    def rule_label(self) -> str:
        """Return which rule gave the date, in the domain's words."""
        return RULE_LABELS[self.rule]

    def days_left(self, today: date) -> int:
        """Return the days from today to the due date, negative when overdue."""
        return (self.due - _as_date(today)).days

    def status(self, today: date, soon_days: int = 3) -> str:
        """Classify the deadline on today as "overdue", "due_soon" or "on_track"."""
        left = self.days_left(today)
        if left < 0:
            return "overdue"
        if left <= soon_days:
            return "due_soon"
        return "on_track"


@dataclass(frozen=True)
class DeadlinePolicy:
    """Township settings that shape limits."""

    roll_holiday: bool = True  # off: the strict reading, for the township's own duties only
    follow_up_days: int = 30
    calendar: HolidayCalendar | None = None
    due_soon_days: int = 3  # a limit this many days away or fewer is shown as 即将到期

    def effective_calendar(self) -> HolidayCalendar:
        """Return the configured calendar, or the chinese_calendar package alone."""
        return self.calendar if self.calendar is not None else HolidayCalendar()


_DEFAULT_POLICY = DeadlinePolicy()


def _calendar_deadline(
    kind: str, starts: date, days: int, basis: str, policy: DeadlinePolicy, *, petitioners_window: bool = False,
    end: date | None = None,
) -> Deadline:
    """Build a deadline counted in calendar days (or ending on end): rolled past a rest day unless strict."""
    starts = _as_date(starts)
    last_day = end if end is not None else add_calendar_days(starts, days)
    if not (policy.roll_holiday or petitioners_window):
        return Deadline(kind, KIND_LABELS[kind], starts, last_day, f"{basis};{STRICT_BASIS}", RULE_STRICT)
    calendar = policy.effective_calendar()
    due = roll_to_working_day(last_day, calendar)
    estimated = calendar.is_estimated_year(last_day.year) or calendar.is_estimated_year(due.year)
    if due != last_day:
        return Deadline(kind, KIND_LABELS[kind], starts, due, f"{basis};{ROLL_BASIS}", RULE_ROLLED, last_day, estimated)
    return Deadline(kind, KIND_LABELS[kind], starts, due, f"{basis};{ROLL_BASIS}", RULE_WORKDAY, None, estimated)


# ---------------------------------------------------------------- petitions


def petition_acceptance_deadline(
    received: date, policy: DeadlinePolicy = _DEFAULT_POLICY, *, from_above: bool = False,
) -> Deadline:
    """Return the 15-day limit to accept, forward or assign a petition and tell the petitioner.

    A matter forwarded (转送) or assigned (交办) from above counts from the day the township received it
    (Art. 23, third paragraph): the petitioner is told in writing how it was received and will be handled.
    """
    basis = N_("《信访工作条例》第二十二条、第二十三条:收到信访事项之日起15日内决定受理、转送或交办,并告知信访人")
    if from_above:
        basis = N_("《信访工作条例》第二十三条第三款:对上级转送、交办的信访事项,自收到之日起15日内"
                 "书面告知信访人接收情况以及处理途径和程序")
    return _calendar_deadline(KIND_ACCEPTANCE, received, ACCEPTANCE_DAYS, basis, policy)


def completion_report_deadline(assigned_received: date, set_due: date) -> Deadline:
    """Return the limit a higher body set for an assigned (交办) matter and its 办结报告: the date it named.

    The date is the higher body's own, so it is taken as set, without any roll (Art. 22 (三)).
    """
    basis = N_("《信访工作条例》第二十二条第一款第(三)项:交由有权处理的机关、单位办理的,"
             "在指定办理期限内反馈结果,提交办结报告")
    kind = KIND_COMPLETION_REPORT
    return Deadline(kind, KIND_LABELS[kind], _as_date(assigned_received), _as_date(set_due), basis, RULE_SET)


def assignment_objection_deadline(assigned: date, policy: DeadlinePolicy = _DEFAULT_POLICY) -> Deadline:
    """Return the 5-working-day limit for a body to object to an assigned petition."""
    assigned = _as_date(assigned)
    calendar = policy.effective_calendar()
    due = add_working_days(assigned, ASSIGNMENT_OBJECTION_WORKING_DAYS, calendar)
    basis = N_("《信访工作条例》第二十三条:对转送、交办的信访事项有异议的,自收到之日起5个工作日内提出")
    kind = KIND_ASSIGNMENT_OBJECTION
    estimated = any(calendar.is_estimated_year(y) for y in range(assigned.year, due.year + 1))
    return Deadline(kind, KIND_LABELS[kind], assigned, due, basis, RULE_WORKING_DAYS, None, estimated)


def check_extension(
    extension_days: int,
    approver_role: str | None,
    reason: str | None,
    previous_extensions: int,
) -> None:
    """Raise ExtensionRefused unless a petition extension satisfies Art. 34."""
    if approver_role != LEADER_ROLE:
        raise ExtensionRefused("延期须经领导批准")
    if isinstance(extension_days, bool) or not isinstance(extension_days, int):
        raise ExtensionRefused("延期天数须为整数(1至30日)")
    if extension_days < 1:
        raise ExtensionRefused("延期天数至少为1日")
    if extension_days > MAX_EXTENSION_DAYS:
        raise ExtensionRefused("延期不得超过30日")
    if reason is None or not reason.strip():
        raise ExtensionRefused("请填写延期理由,并告知信访人")
    if previous_extensions:
        raise ExtensionRefused("办理期限只能延长一次")


def petition_opinion_deadline(
    accepted: date, extension_days: int = 0, policy: DeadlinePolicy = _DEFAULT_POLICY
) -> Deadline:
    """Return the 60-day limit (plus any approved extension) to handle a petition and answer in writing."""
    if isinstance(extension_days, bool) or not isinstance(extension_days, int) or extension_days < 0:
        raise ValueError(f"延期天数必须是非负整数,收到:{extension_days!r}")
    if extension_days > MAX_EXTENSION_DAYS:
        raise ExtensionRefused("延期不得超过30日")
    basis = N_("《信访工作条例》第三十四条:自受理之日起60日内办结")
    if extension_days:
        # the extension counts from the unrolled 60th day: due = roll(accepted + 60 + extension)
        basis += ";" + EXTENSION_BASIS % {"days": extension_days}
    return _calendar_deadline(KIND_OPINION, accepted, OPINION_DAYS + extension_days, basis, policy)


def review_request_deadline(opinion_delivered: date, policy: DeadlinePolicy = _DEFAULT_POLICY) -> Deadline:
    """Return the 30-day window for the petitioner to ask for a review (复查)."""
    basis = N_("《信访工作条例》第三十五条:自收到书面答复之日起30日内请求复查")
    return _calendar_deadline(KIND_REVIEW_REQUEST, opinion_delivered, REVIEW_DAYS, basis, policy,
                              petitioners_window=True)


def review_answer_deadline(review_requested: date, policy: DeadlinePolicy = _DEFAULT_POLICY) -> Deadline:
    """Return the 30-day limit to answer a review request."""
    basis = N_("《信访工作条例》第三十五条:自收到复查请求之日起30日内提出复查意见并书面答复")
    return _calendar_deadline(KIND_REVIEW_ANSWER, review_requested, REVIEW_DAYS, basis, policy)


def second_review_request_deadline(
    review_delivered: date, policy: DeadlinePolicy = _DEFAULT_POLICY
) -> Deadline:
    """Return the 30-day window for the petitioner to ask for a second review (复核)."""
    basis = N_("《信访工作条例》第三十六条:自收到复查意见书面答复之日起30日内请求复核")
    return _calendar_deadline(KIND_SECOND_REVIEW_REQUEST, review_delivered, REVIEW_DAYS, basis, policy,
                              petitioners_window=True)


def second_review_answer_deadline(
    second_review_requested: date, policy: DeadlinePolicy = _DEFAULT_POLICY
) -> Deadline:
    """Return the 30-day limit to answer a second review request."""
    basis = N_("《信访工作条例》第三十六条:自收到复核请求之日起30日内提出复核意见")
    return _calendar_deadline(KIND_SECOND_REVIEW_ANSWER, second_review_requested, REVIEW_DAYS, basis, policy)


def request_days_late(requested: date, deadline: Deadline) -> int:
    """Return how many days after its window a petitioner's request came, 0 when in time.

    Software never takes a petitioner's right away: a late request is recorded with a warning, and
    whether it is still accepted is for the body to decide (《信访工作条例》第三十五条、第三十六条).
    """
    return max(0, (_as_date(requested) - deadline.due).days)


def check_request_in_window(requested: date, deadline: Deadline) -> None:
    """Raise WindowClosed when a request is dated before its window opens (a wrong date, not lateness)."""
    requested = _as_date(requested)
    if requested < deadline.starts:
        raise WindowClosed("申请日期早于期限起算日(%(date)s),请核对日期", deadline.due, date=deadline.starts.isoformat())


# ---------------------------------------------------------------- disputes


def add_months(start: date, months: int) -> date:
    """Return the same day months later, clamped to the end of a shorter month."""
    start = _as_date(start)
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last_day = _month_calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def mediation_deadline(
    accepted: date, continuation_agreed: bool = False, policy: DeadlinePolicy = _DEFAULT_POLICY,
    continued_until: date | None = None,
) -> Deadline | None:
    """Return the one-month mediation limit, or the date both parties agreed to continue until.

    An old continuation recorded without a date (before the agreed date was asked) binds no limit.
    """
    accepted = _as_date(accepted)
    basis = N_("《人民调解工作若干规定》第三十三条:调解纠纷一般在一个月内调结")
    if continued_until is not None:
        basis += ";" + CONTINUED_BASIS
        return Deadline(KIND_MEDIATION, KIND_LABELS[KIND_MEDIATION], accepted, _as_date(continued_until), basis,
                        RULE_AGREED)
    if continuation_agreed:
        return None
    basis += MONTH_BASIS
    return _calendar_deadline(KIND_MEDIATION, accepted, 0, basis, policy, end=add_months(accepted, 1))


def judicial_confirmation_deadline(
    agreement_effective: date, policy: DeadlinePolicy = _DEFAULT_POLICY
) -> Deadline:
    """Return the 30-day window for both parties to apply to a court for judicial confirmation."""
    basis = N_("《人民调解法》第三十三条:自调解协议生效之日起30日内共同向人民法院申请司法确认")
    return _calendar_deadline(
        KIND_JUDICIAL_CONFIRMATION, agreement_effective, JUDICIAL_CONFIRMATION_DAYS, basis, policy,
        petitioners_window=True,
    )


def follow_up_deadline(performance_deadline: date, policy: DeadlinePolicy = _DEFAULT_POLICY) -> Deadline:
    """Return the return-visit limit set by the township after the agreement's performance deadline."""
    days = policy.follow_up_days
    basis = FOLLOW_UP_BASIS % {"days": days}
    return _calendar_deadline(KIND_FOLLOW_UP, performance_deadline, days, basis, policy)


def is_overdue_on(deadline: Deadline | None, done_on: date | None, today: date) -> bool:
    """Tell whether a deadline was missed: done after it, or still open after it."""
    if deadline is None:
        return False
    end = _as_date(done_on) if done_on is not None else _as_date(today)
    return end > deadline.due
