"""The time-limit service: which limit binds a stored petition now, the township's settings, and the
admin holiday calendar (entered years win over the chinese-calendar package; an unknown year is an error)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import deadlines as dl
from casetrack.extensions import db
from casetrack.models import CalendarDay
from casetrack.services import time_limits
from tests.petition_factories import PLAN_2027, PLAN_2027_ROWS, STEP_DAY, make_petition, set_township_settings

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

RECEIVED = date(2024, 1, 10)


def _calendar_rows() -> list[tuple[date, str]]:
    return [tuple(row) for row in db.session.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day))]


# --------------------------------------------------------------------------- the binding limit per state


@pytest.mark.parametrize("state, label, starts_after, days", [
    ("registered", "受理期限", 0, 15),
    ("accepted", "办结期限", STEP_DAY["accepted"], 60),
    ("assigned", "办结期限", STEP_DAY["accepted"], 60),
    ("in_progress", "办结期限", STEP_DAY["accepted"], 60),
    ("under_review", "复查答复期限", STEP_DAY["under_review"], 30),
    ("under_second_review", "复核答复期限", STEP_DAY["under_second_review"], 30),
])
def test_an_open_petition_is_bound_by_the_limit_of_its_next_duty(world, state, label, starts_after, days):
    petition = make_petition(world.staff, world.township, state=state, received_on=RECEIVED)
    deadline = time_limits.current_petition_deadline(petition)
    starts = RECEIVED + timedelta(days=starts_after)
    assert (deadline.label, deadline.starts, deadline.due) == (label, starts, starts + timedelta(days=days))


@pytest.mark.parametrize("state", ["not_accepted", "forwarded", "answered", "delivered", "rated", "reviewed", "closed"])
def test_no_limit_binds_a_petition_waiting_on_the_petitioner_or_ended(world, state):
    petition = make_petition(world.staff, world.township, state=state, received_on=RECEIVED)
    assert time_limits.current_petition_deadline(petition) is None
    assert time_limits.petition_limit(petition, clock.today()) is None


def test_the_acceptance_limit_is_15_days_after_receipt(world):
    petition = make_petition(world.staff, world.township, received_on=date(2024, 2, 15))
    assert time_limits.acceptance_deadline(petition).due == date(2024, 3, 1)


def test_the_opinion_limit_is_60_days_after_acceptance_plus_the_approved_extension(world):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=date(2024, 2, 28))
    assert petition.decided_on == date(2024, 3, 1)
    assert time_limits.opinion_deadline(petition).due == date(2024, 4, 30)
    petition.extension_days, petition.extension_approved_by_id = 30, world.leader.id
    assert time_limits.opinion_deadline(petition).due == date(2024, 5, 30)


def test_there_is_no_opinion_limit_before_acceptance(world):
    assert time_limits.opinion_deadline(make_petition(world.staff, world.township)) is None


# --------------------------------------------------------------------------- days left and the marks


@pytest.mark.parametrize("received_days_ago, due_soon_days, status, label, days_left", [
    (40, None, "overdue", "已超期", -25),
    (16, None, "overdue", "已超期", -1),
    (15, None, "due_soon", "即将到期", 0),
    (12, None, "due_soon", "即将到期", 3),
    (11, None, "on_track", "未到期", 4),
    (11, 7, "due_soon", "即将到期", 4),
    (13, 1, "on_track", "未到期", 2),
])
def test_a_limit_is_marked_overdue_or_due_soon_by_the_townships_setting(
        world, received_days_ago, due_soon_days, status, label, days_left):
    if due_soon_days is not None:
        set_township_settings(world.township, due_soon_days=due_soon_days)
    today = clock.today()
    petition = make_petition(world.staff, world.township, received_on=today - timedelta(days=received_days_ago))
    view = time_limits.petition_limit(petition, today)
    assert (view.status, view.status_label, view.days_left) == (status, label, days_left)


# --------------------------------------------------------------------------- roll_holiday


@pytest.mark.parametrize("roll_holiday, due", [(False, date(2024, 10, 1)), (True, date(2024, 10, 8))])
def test_a_limit_ending_on_national_day_moves_only_when_the_township_says_so(world, roll_holiday, due):
    set_township_settings(world.township, roll_holiday=roll_holiday)
    registered = make_petition(world.staff, world.township, received_on=date(2024, 9, 16))
    accepted = make_petition(world.staff, world.township, state="accepted", received_on=date(2024, 7, 31))
    assert accepted.decided_on == date(2024, 8, 2)

    assert time_limits.current_petition_deadline(registered).due == due
    assert time_limits.current_petition_deadline(accepted).due == due
    assert ("顺延至节后第一个工作日" in time_limits.acceptance_deadline(registered).basis) is roll_holiday


def test_the_policy_follows_the_township_settings(world):
    assert time_limits.policy_for(world.township).roll_holiday is False
    assert time_limits.policy_for(world.township).follow_up_days == 30
    set_township_settings(world.township, roll_holiday=True, follow_up_days=45)
    policy = time_limits.policy_for(world.township)
    assert (policy.roll_holiday, policy.follow_up_days) == (True, 45)


# --------------------------------------------------------------------------- the holiday calendar


def test_a_working_day_limit_in_a_year_nobody_knows_is_a_clear_error(world):
    with pytest.raises(dl.UnknownCalendarYear, match="2027年的节假日安排尚未录入,无法计算工作日"):
        dl.assignment_objection_deadline(date(2027, 2, 4), time_limits.policy_for(world.township))
    # a limit reaching into the unknown year from a known one is refused too, not guessed
    with pytest.raises(dl.UnknownCalendarYear):
        dl.assignment_objection_deadline(date(2026, 12, 30), time_limits.policy_for(world.township))


@pytest.mark.parametrize("assigned, due", [
    (date(2027, 2, 4), date(2027, 2, 17)),  # Fri 5th, then the Spring Festival, Sun 14th (make-up), Mon-Wed
    (date(2027, 9, 30), date(2027, 10, 13)),  # National Day week, Fri 8th, Sat 9th (make-up), Mon-Wed
    (date(2027, 3, 1), date(2027, 3, 8)),  # an ordinary week
])
def test_an_imported_year_lets_working_day_limits_count_its_holidays_and_make_up_days(world, assigned, due):
    counts = time_limits.import_calendar_days(PLAN_2027)
    assert counts == {2027: len(PLAN_2027_ROWS)}
    policy = time_limits.policy_for(world.township)
    assert dl.assignment_objection_deadline(assigned, policy).due == due


def test_entered_days_win_over_the_package(world):
    policy = time_limits.policy_for(world.township)
    # the package: Mid-Autumn Fri 25 Sep, then Mon-Wed, then the National Day week until Thu 8 Oct
    assert dl.assignment_objection_deadline(date(2026, 9, 24), policy).due == date(2026, 10, 9)

    time_limits.import_calendar_days("日期,类型\n2026-09-28,休\n")

    # an entered year is the whole plan for that year: Fri 25 Sep, (Mon 28 off), Tue 29 - Fri 2 Oct
    policy = time_limits.policy_for(world.township)
    assert dl.assignment_objection_deadline(date(2026, 9, 24), policy).due == date(2026, 10, 2)


def test_importing_a_year_replaces_that_years_days_only(app):
    time_limits.import_calendar_days("日期,类型\n2027-01-01,休\n2027-02-14,班\n2028-01-01,休\n")
    counts = time_limits.import_calendar_days("日期,类型\n2027/1/1,假日\n2027-01-02,放假\n")
    db.session.commit()

    assert counts == {2027: 2}
    assert _calendar_rows() == [
        (date(2027, 1, 1), "holiday"), (date(2027, 1, 2), "holiday"), (date(2028, 1, 1), "holiday")]


@pytest.mark.parametrize("text, message", [
    ("日期,类型\n2027-01-01,休\n2027-02-30,休\n", "第3行:日期“2027-02-30”无效"),
    ("日期,类型\n2027-01-01,睡觉\n", "第2行:类型“睡觉”无效"),
    ("日期,类型\n2027-01-01,休\n2027-01-01,班\n", "第3行:2027-01-01与第2行的类型矛盾"),
    ("day,type\n2027-01-01,休\n", "第1行:表头应为“日期,类型”"),
    ("日期,类型\n", "文件中没有日期行"),
])
def test_a_bad_holiday_file_is_refused_with_its_line_and_stores_nothing(app, text, message):
    time_limits.import_calendar_days("日期,类型\n2027-05-01,休\n")
    with pytest.raises(ValueError, match=message):
        time_limits.import_calendar_days(text)
    assert _calendar_rows() == [(date(2027, 5, 1), "holiday")]


# --------------------------------------------------------------------------- the admins' warning


@pytest.mark.parametrize("today, year", [
    (date(2026, 10, 31), None),  # next year's plan is not due yet
    (date(2026, 11, 1), 2027),
    (date(2026, 12, 31), 2027),
    (date(2027, 1, 4), 2027),  # the year has begun and is still unknown
    (date(2025, 12, 1), None),  # the package knows 2025 and 2026
])
def test_admins_are_warned_when_a_years_plan_is_missing(app, today, year):
    warning = time_limits.calendar_gap_warning(today)
    if year is None:
        assert warning is None
    else:
        assert warning.startswith(f"{year}年的法定节假日和调休安排尚未录入")


def test_the_warning_goes_once_the_plan_is_entered_and_returns_for_the_next_year(app):
    time_limits.import_calendar_days(PLAN_2027)
    assert time_limits.calendar_gap_warning(date(2026, 11, 15)) is None
    assert time_limits.calendar_gap_warning(date(2027, 10, 31)) is None
    assert time_limits.calendar_gap_warning(date(2027, 11, 1)).startswith("2028年")
