"""Tests for the statutory time-limit engine (casetrack.domain.deadlines).

Expected dates are checked against the State Council holiday plans:
2024 Spring Festival 02-10..02-17 off, make-up workdays 02-04 (Sun) and 02-18 (Sun);
2024 National Day 10-01..10-07 off, make-up workdays 09-29 (Sun) and 10-12 (Sat);
2025 Spring Festival 01-28..02-04 off, make-up workdays 01-26 (Sun) and 02-08 (Sat);
2026 (国办发明电〔2025〕): 元旦 01-01..03, 春节 02-15..02-23 (除夕 02-16) with 02-14 and 02-28 worked,
清明 04-04..06, 劳动节 05-01..05 with 05-09 worked, 国庆 10-01..07 with 09-20 and 10-10 worked.
Every period: start day not counted; a last day on a rest day rolls to the next working day (民法典 Art. 203),
unless the township chose the strict reading for its own duties; the petitioner's windows always roll.
"""

from datetime import date

import pytest

from casetrack.domain.deadlines import (
    KIND_ACCEPTANCE,
    KIND_FOLLOW_UP,
    KIND_JUDICIAL_CONFIRMATION,
    KIND_MEDIATION,
    KIND_OPINION,
    Deadline,
    DeadlinePolicy,
    ExtensionRefused,
    HolidayCalendar,
    WindowClosed,
    assignment_objection_deadline,
    check_extension,
    check_request_in_window,
    follow_up_deadline,
    holiday_calendar_from_rows,
    is_overdue_on,
    judicial_confirmation_deadline,
    mediation_deadline,
    petition_acceptance_deadline,
    petition_opinion_deadline,
    request_days_late,
    review_answer_deadline,
    review_request_deadline,
    second_review_answer_deadline,
    second_review_request_deadline,
)

D = date
PACKAGE = HolidayCalendar()
ROLL = DeadlinePolicy(roll_holiday=True, calendar=PACKAGE)
STRICT = DeadlinePolicy(roll_holiday=False, calendar=PACKAGE)

# An admin plan for 2027, which chinese-calendar 1.11.0 does not know.
ADMIN_2027_ROWS = [
    (D(2027, 1, 1), "holiday"),
    (D(2027, 1, 2), "holiday"),
    (D(2027, 1, 3), "holiday"),
    *[(D(2027, 10, day), "holiday") for day in range(1, 8)],
    (D(2027, 9, 26), "workday"),
    (D(2027, 10, 9), "workday"),
]


# ------------------------------------------------------------ petitions


def test_acceptance_deadline_is_15_days_from_receipt():
    deadline = petition_acceptance_deadline(D(2024, 2, 15))
    assert deadline == Deadline(KIND_ACCEPTANCE, "受理期限", D(2024, 2, 15), D(2024, 3, 1), deadline.basis)
    assert "第二十二条" in deadline.basis and "15日" in deadline.basis


@pytest.mark.parametrize("policy, expected, rule", [
    (STRICT, D(2024, 10, 1), "strict"), (DeadlinePolicy(), D(2024, 10, 8), "rolled"), (ROLL, D(2024, 10, 8), "rolled"),
])
def test_acceptance_deadline_on_national_day_rolls_unless_the_township_is_strict(policy, expected, rule):
    # 09-16 + 15 = 10-01, National Day (10-01..07 off) -> the first working day after is Tue 10-08
    deadline = petition_acceptance_deadline(D(2024, 9, 16), policy)
    assert deadline.due == expected
    assert deadline.rule == rule
    assert ("民法典》第二百零一条、第二百零三条" in deadline.basis) is (rule == "rolled")
    assert deadline.unrolled == (D(2024, 10, 1) if rule == "rolled" else None)


@pytest.mark.parametrize("function, received, expected", [
    # 02-01 + 15 = 02-16, 除夕 inside the 2026 Spring Festival (02-15..02-23) -> Tue 02-24
    (petition_acceptance_deadline, D(2026, 2, 1), D(2026, 2, 24)),
    # 09-16 + 15 = 10-01 (domain.md's example) -> Thu 10-08
    (petition_acceptance_deadline, D(2026, 9, 16), D(2026, 10, 8)),
    # 03-21 + 15 = 04-05, Sunday inside 清明 (04-04..06) -> Tue 04-07
    (petition_acceptance_deadline, D(2026, 3, 21), D(2026, 4, 7)),
    # 04-16 + 15 = 05-01, 劳动节 (05-01..05) -> Wed 05-06
    (petition_acceptance_deadline, D(2026, 4, 16), D(2026, 5, 6)),
    # 04-24 + 15 = 05-09, a Saturday worked for 劳动节 -> stays
    (petition_acceptance_deadline, D(2026, 4, 24), D(2026, 5, 9)),
    # 02-13 + 15 = 02-28, a Saturday worked for 春节 -> stays
    (petition_acceptance_deadline, D(2026, 2, 13), D(2026, 2, 28)),
    # 02-20 + 15 = Sat 03-07, a plain weekend -> Mon 03-09
    (petition_acceptance_deadline, D(2026, 2, 20), D(2026, 3, 9)),
    # 复查 window: 01-17 + 30 = 02-16 (除夕) -> 02-24
    (review_request_deadline, D(2026, 1, 17), D(2026, 2, 24)),
    # 复核 window: 09-01 + 30 = 10-01 -> 10-08
    (second_review_request_deadline, D(2026, 9, 1), D(2026, 10, 8)),
    # 复查 answer: 04-01 + 30 = 05-01 -> 05-06
    (review_answer_deadline, D(2026, 4, 1), D(2026, 5, 6)),
    # 司法确认: 03-06 + 30 = 04-05 (清明) -> 04-07
    (judicial_confirmation_deadline, D(2026, 3, 6), D(2026, 4, 7)),
])
def test_every_limit_ending_on_a_rest_day_of_2026_ends_on_the_next_working_day(function, received, expected):
    deadline = function(received, DeadlinePolicy())
    assert deadline.due == expected
    assert deadline.estimated is False


@pytest.mark.parametrize("function", [review_request_deadline, second_review_request_deadline,
                                      judicial_confirmation_deadline])
def test_a_petitioners_or_parties_window_rolls_even_when_the_township_is_strict(function):
    # 2024-09-01 + 30 = 10-01 -> 10-08 whatever the township chose
    deadline = function(D(2024, 9, 1), STRICT)
    assert (deadline.due, deadline.rule) == (D(2024, 10, 8), "rolled")


def test_the_townships_own_answer_stays_on_the_holiday_when_it_is_strict():
    assert review_answer_deadline(D(2024, 9, 1), STRICT).due == D(2024, 10, 1)
    assert mediation_deadline(D(2024, 9, 1), policy=STRICT).due == D(2024, 10, 1)


def test_roll_setting_without_a_calendar_falls_back_to_the_package():
    assert petition_acceptance_deadline(D(2024, 9, 16), DeadlinePolicy(roll_holiday=True)).due == D(
        2024, 10, 8
    )


def test_an_entered_plan_for_2027_gives_firm_dates_and_the_estimate_gives_tentative_ones():
    policy = DeadlinePolicy(calendar=holiday_calendar_from_rows(ADMIN_2027_ROWS, plan_years=[2027]))
    planned = petition_acceptance_deadline(D(2027, 9, 16), policy)
    assert (planned.due, planned.estimated) == (D(2027, 10, 8), False)  # 10-01..07 entered as off
    # No plan: the statutory days are estimated (国庆 10-01..03, no 调休): Fri 10-01, Sat, Sun -> Mon 10-04
    estimated = petition_acceptance_deadline(D(2027, 9, 16), ROLL)
    assert (estimated.due, estimated.estimated) == (D(2027, 10, 4), True)


@pytest.mark.parametrize("received, expected", [
    # 2027 春节 estimated: 除夕 Fri 02-05, 初一..初三 02-06..08 -> 01-21 + 15 = 02-05 -> Tue 02-09
    (D(2027, 1, 21), D(2027, 2, 9)),
    # 2030 春节 estimated: 除夕 Sat 02-02, 02-03..05 -> 01-20 + 15 = Mon 02-04 -> Wed 02-06
    (D(2030, 1, 20), D(2030, 2, 6)),
    # 2030 国庆 estimated 10-01..03 (Tue-Thu) -> 09-16 + 15 = 10-01 -> Fri 10-04
    (D(2030, 9, 16), D(2030, 10, 4)),
])
def test_limits_in_years_the_package_does_not_know_are_computed_and_marked_tentative(received, expected):
    deadline = petition_acceptance_deadline(received, DeadlinePolicy())
    assert (deadline.due, deadline.estimated) == (expected, True)


@pytest.mark.parametrize(
    "assigned, expected",
    [
        (D(2024, 9, 27), D(2024, 10, 10)),
        (D(2024, 10, 8), D(2024, 10, 14)),
        (D(2025, 1, 24), D(2025, 2, 7)),
    ],
)
def test_assignment_objection_deadline_is_5_working_days(assigned, expected):
    deadline = assignment_objection_deadline(assigned, DeadlinePolicy(calendar=PACKAGE))
    assert deadline.due == expected
    assert deadline.label == "交办异议期限" and "5个工作日" in deadline.basis


@pytest.mark.parametrize(
    "accepted, extension, policy, expected",
    [
        (D(2024, 1, 1), 0, DeadlinePolicy(), D(2024, 3, 1)),  # leap year
        (D(2023, 1, 1), 0, DeadlinePolicy(), D(2023, 3, 2)),
        (D(2024, 8, 2), 0, STRICT, D(2024, 10, 1)),
        (D(2024, 8, 2), 0, ROLL, D(2024, 10, 8)),
        (D(2024, 8, 2), 30, DeadlinePolicy(), D(2024, 10, 31)),
        (D(2024, 7, 3), 30, ROLL, D(2024, 10, 8)),  # 90 days lands on 10-01
    ],
)
def test_opinion_deadline_is_60_days_plus_extension(accepted, extension, policy, expected):
    deadline = petition_opinion_deadline(accepted, extension, policy)
    assert (deadline.kind, deadline.label, deadline.due) == (KIND_OPINION, "办结期限", expected)
    assert "第三十四条" in deadline.basis
    assert ("延长30日" in deadline.basis) is (extension == 30)


def test_an_extension_counts_from_the_unrolled_end_even_when_that_was_a_holiday():
    # 2024-08-02 + 60 = 10-01 (National Day; alone it would roll to 10-08). Extended by 10 days the
    # limit is roll(08-02 + 70) = 10-11 (a Friday), not 10-08 + 10 = 10-18.
    assert petition_opinion_deadline(D(2024, 8, 2), 0).due == D(2024, 10, 8)
    extended = petition_opinion_deadline(D(2024, 8, 2), 10)
    assert (extended.due, extended.rule) == (D(2024, 10, 11), "workday")
    # 2026-08-02 + 60 = 10-01; + 6 days = 10-07, still inside 国庆 -> Thu 10-08
    assert petition_opinion_deadline(D(2026, 8, 2), 6).due == D(2026, 10, 8)


def test_opinion_deadline_refuses_more_than_30_extension_days():
    with pytest.raises(ExtensionRefused, match="延期不得超过30日"):
        petition_opinion_deadline(D(2024, 1, 1), 31)


def test_check_extension_accepts_a_leader_approved_first_extension():
    assert check_extension(30, "leader", "需补充调查", 0) is None
    assert check_extension(1, "leader", "情况复杂", 0) is None


@pytest.mark.parametrize(
    "days, role, reason, previous, message",
    [
        (10, "staff", "情况复杂", 0, "延期须经领导批准"),
        (10, None, "情况复杂", 0, "延期须经领导批准"),
        (10, "admin", "情况复杂", 0, "延期须经领导批准"),
        (31, "leader", "情况复杂", 0, "延期不得超过30日"),
        (0, "leader", "情况复杂", 0, "至少为1日"),
        (-5, "leader", "情况复杂", 0, "至少为1日"),
        (10, "leader", None, 0, "请填写延期理由,并告知信访人"),
        (10, "leader", "   ", 0, "请填写延期理由,并告知信访人"),
        (10, "leader", "情况复杂", 1, "办理期限只能延长一次"),
    ],
)
def test_check_extension_refusals(days, role, reason, previous, message):
    with pytest.raises(ExtensionRefused) as info:
        check_extension(days, role, reason, previous)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "function, label, article",
    [
        (review_request_deadline, "复查申请期限", "第三十五条"),
        (review_answer_deadline, "复查答复期限", "第三十五条"),
        (second_review_request_deadline, "复核申请期限", "第三十六条"),
        (second_review_answer_deadline, "复核答复期限", "第三十六条"),
    ],
)
@pytest.mark.parametrize(
    "start, expected",
    [
        (D(2024, 1, 31), D(2024, 3, 1)),
        (D(2023, 1, 31), D(2023, 3, 2)),
        (D(2024, 1, 30), D(2024, 2, 29)),
        (D(2024, 9, 1), D(2024, 10, 8)),  # 10-01 is National Day: rolled
    ],
)
def test_review_limits_are_30_days(function, label, article, start, expected):
    deadline = function(start)
    assert (deadline.label, deadline.starts, deadline.due) == (label, start, expected)
    assert article in deadline.basis


def test_review_limits_follow_roll_setting():
    assert review_request_deadline(D(2024, 9, 1), ROLL).due == D(2024, 10, 8)
    assert second_review_answer_deadline(D(2025, 1, 1), ROLL).due == D(2025, 2, 5)  # 01-31 off


@pytest.mark.parametrize("requested", [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 1)])
def test_review_request_within_window_is_accepted(requested):
    check_request_in_window(requested, review_request_deadline(D(2024, 1, 31)))


def test_a_late_request_is_not_refused_but_counted_late():
    deadline = second_review_request_deadline(D(2024, 1, 31))  # 01-31 + 30 = Fri 03-01
    check_request_in_window(D(2024, 3, 4), deadline)  # no refusal: the software takes no right away
    assert request_days_late(D(2024, 3, 4), deadline) == 3
    assert request_days_late(D(2024, 3, 1), deadline) == 0


def test_review_request_before_the_opinion_is_refused():
    with pytest.raises(WindowClosed, match="早于"):
        check_request_in_window(D(2024, 1, 30), review_request_deadline(D(2024, 1, 31)))


# ------------------------------------------------------------ disputes


@pytest.mark.parametrize(
    "accepted, expected",
    [
        (D(2024, 1, 31), D(2024, 2, 29)),
        (D(2023, 1, 31), D(2023, 2, 28)),
        (D(2024, 3, 15), D(2024, 4, 15)),
        (D(2024, 2, 29), D(2024, 3, 29)),
        (D(2023, 2, 28), D(2023, 3, 28)),
        (D(2024, 8, 31), D(2024, 9, 30)),
        (D(2024, 12, 31), D(2025, 1, 31)),
        (D(2024, 9, 1), D(2024, 10, 1)),
    ],
)
def test_mediation_deadline_is_one_calendar_month(accepted, expected):
    deadline = mediation_deadline(accepted, policy=STRICT)  # the month itself (民法典 Art. 202), no roll
    assert (deadline.kind, deadline.label, deadline.due) == (KIND_MEDIATION, "调解期限", expected)
    assert "第三十三条" in deadline.basis


def test_mediation_deadline_rolls_by_default():
    assert mediation_deadline(D(2024, 9, 1)).due == D(2024, 10, 8)
    # 2024-12-31 + one month = 2025-01-31, inside the 2025 Spring Festival (01-28..02-04) -> 02-05
    assert mediation_deadline(D(2024, 12, 31)).due == D(2025, 2, 5)


def test_an_agreed_continuation_date_becomes_the_mediation_limit():
    deadline = mediation_deadline(D(2024, 1, 31), True, continued_until=D(2024, 4, 6))
    assert (deadline.due, deadline.rule) == (D(2024, 4, 6), "agreed")  # the parties' own date, not rolled


def test_mediation_has_no_deadline_once_continuation_is_agreed():
    assert mediation_deadline(D(2024, 1, 31), continuation_agreed=True) is None
    assert is_overdue_on(None, None, D(2030, 1, 1)) is False


@pytest.mark.parametrize(
    "effective, expected",
    [(D(2024, 2, 28), D(2024, 3, 29)), (D(2023, 2, 28), D(2023, 3, 30)), (D(2024, 1, 30), D(2024, 2, 29))],
)
def test_judicial_confirmation_window_is_30_days(effective, expected):
    deadline = judicial_confirmation_deadline(effective)
    assert (deadline.kind, deadline.label, deadline.due) == (
        KIND_JUDICIAL_CONFIRMATION,
        "司法确认申请期限",
        expected,
    )
    assert "人民调解法" in deadline.basis


@pytest.mark.parametrize(
    "policy, expected",
    # 02-29 + 30 = Sat 03-30 -> Mon 04-01; + 7 = Thu 03-07
    [(DeadlinePolicy(), D(2024, 4, 1)), (DeadlinePolicy(follow_up_days=7), D(2024, 3, 7))],
)
def test_follow_up_deadline_uses_township_setting(policy, expected):
    deadline = follow_up_deadline(D(2024, 2, 29), policy)
    assert (deadline.kind, deadline.label, deadline.due) == (KIND_FOLLOW_UP, "回访期限", expected)
    assert f"{policy.follow_up_days}日" in deadline.basis


# ------------------------------------------------------------ status


DUE_MARCH_1 = petition_acceptance_deadline(D(2024, 2, 15))


@pytest.mark.parametrize(
    "today, soon_days, days_left, status",
    [
        (D(2024, 3, 2), 3, -1, "overdue"),
        (D(2024, 3, 1), 3, 0, "due_soon"),
        (D(2024, 2, 27), 3, 3, "due_soon"),
        (D(2024, 2, 26), 3, 4, "on_track"),
        (D(2024, 2, 26), 7, 4, "due_soon"),
        (D(2024, 2, 15), 3, 15, "on_track"),
    ],
)
def test_deadline_days_left_and_status(today, soon_days, days_left, status):
    assert DUE_MARCH_1.days_left(today) == days_left
    assert DUE_MARCH_1.status(today, soon_days=soon_days) == status


@pytest.mark.parametrize(
    "done_on, today, overdue",
    [
        (D(2024, 3, 1), D(2024, 5, 1), False),  # done on the due day
        (D(2024, 2, 20), D(2024, 5, 1), False),  # done early; today no longer matters
        (D(2024, 3, 2), D(2024, 3, 2), True),  # done late
        (None, D(2024, 3, 1), False),
        (None, D(2024, 3, 2), True),
    ],
)
def test_is_overdue_on(done_on, today, overdue):
    assert is_overdue_on(DUE_MARCH_1, done_on, today) is overdue
