"""The time-limit service: which limit binds a stored petition now, the township's settings, and the
county-wide holiday calendar (entered days add to or correct the package's; an unknown year is estimated),
and the recomputation of stored limits, with one timeline entry per moved case, when either changes."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import deadlines as dl
from casetrack.extensions import db
from casetrack.models import CalendarDay, CaseEvent, Petition
from casetrack.services import time_limits
from casetrack.services.timeline import chinese_changes, chinese_sentence
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
])
def test_an_open_petition_is_bound_by_the_limit_of_its_next_duty(world, state, label, starts_after, days):
    set_township_settings(world.township, strict_period_end=True)  # plain counting: which limit binds is tested
    petition = make_petition(world.staff, world.township, state=state, received_on=RECEIVED)
    deadline = time_limits.current_petition_deadline(petition)
    starts = RECEIVED + timedelta(days=starts_after)
    assert (deadline.label, deadline.starts, deadline.due) == (label, starts, starts + timedelta(days=days))


@pytest.mark.parametrize("state", ["not_accepted", "forwarded", "answered", "delivered", "rated", "reviewed", "closed",
                                   "under_review", "under_second_review"])
def test_no_limit_binds_a_petition_waiting_on_the_petitioner_or_ended(world, state):
    """复查 and 复核 are answered by the next-higher body (Art. 35-36): their limits never bind the township."""
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
    # strict counting, so that the marks are tested on any weekday (the roll is tested below)
    set_township_settings(world.township, strict_period_end=True)
    if due_soon_days is not None:
        set_township_settings(world.township, due_soon_days=due_soon_days)
    today = clock.today()
    petition = make_petition(world.staff, world.township, received_on=today - timedelta(days=received_days_ago))
    view = time_limits.petition_limit(petition, today)
    assert (view.status, view.status_label, view.days_left) == (status, label, days_left)


# --------------------------------------------------------------------------- roll_holiday


@pytest.mark.parametrize("strict, due", [(True, date(2024, 10, 1)), (False, date(2024, 10, 8))])
def test_a_limit_ending_on_national_day_rolls_unless_the_township_chose_the_strict_reading(world, strict, due):
    # received 09-16 + 15 = 10-01; accepted 08-02 + 60 = 10-01; National Day 10-01..07 -> Tue 10-08
    set_township_settings(world.township, strict_period_end=strict)
    registered = make_petition(world.staff, world.township, received_on=date(2024, 9, 16))
    accepted = make_petition(world.staff, world.township, state="accepted", received_on=date(2024, 7, 31))
    assert accepted.decided_on == date(2024, 8, 2)

    assert time_limits.current_petition_deadline(registered).due == due
    assert time_limits.current_petition_deadline(accepted).due == due
    assert (time_limits.acceptance_deadline(registered).rule_label == "期满日为休息日,顺延至其后第一个工作日") is not strict


def test_the_policy_follows_the_township_settings(world):
    assert time_limits.policy_for(world.township).roll_holiday is True  # the default: every limit rolls
    assert time_limits.policy_for(world.township).follow_up_days == 30
    set_township_settings(world.township, strict_period_end=True, follow_up_days=45)
    policy = time_limits.policy_for(world.township)
    assert (policy.roll_holiday, policy.follow_up_days) == (False, 45)


# --------------------------------------------------------------------------- the holiday calendar


def test_a_working_day_limit_in_a_year_nobody_entered_is_estimated_not_refused(world):
    # 2027 estimated: 除夕 Fri 02-05, 02-06..08 off, no 调休 -> Tue 9, Wed 10, Thu 11, Fri 12, Mon 15
    deadline = dl.assignment_objection_deadline(date(2027, 2, 4), time_limits.policy_for(world.township))
    assert (deadline.due, deadline.estimated) == (date(2027, 2, 15), True)
    # from a known year into the unknown one: Thu 12-31, (元旦 estimated, weekend), Mon 01-04 .. Thu 01-07
    deadline = dl.assignment_objection_deadline(date(2026, 12, 30), time_limits.policy_for(world.township))
    assert (deadline.due, deadline.estimated) == (date(2027, 1, 7), True)


@pytest.mark.parametrize("assigned, due", [
    (date(2027, 2, 4), date(2027, 2, 17)),  # Fri 5th, then the Spring Festival, Sun 14th (make-up), Mon-Wed
    (date(2027, 9, 30), date(2027, 10, 13)),  # National Day week, Fri 8th, Sat 9th (make-up), Mon-Wed
    (date(2027, 3, 1), date(2027, 3, 8)),  # an ordinary week
])
def test_an_imported_year_lets_working_day_limits_count_its_holidays_and_make_up_days(world, assigned, due):
    counts = time_limits.import_calendar_days(PLAN_2027, whole_plan=True)
    assert counts == {2027: len(PLAN_2027_ROWS)}
    policy = time_limits.policy_for(world.township)
    deadline = dl.assignment_objection_deadline(assigned, policy)
    assert (deadline.due, deadline.estimated) == (due, False)


def test_entered_days_add_to_the_package_and_keep_its_other_days(world):
    policy = time_limits.policy_for(world.township)
    # the package: Mid-Autumn Fri 25 Sep, then Mon-Wed, then the National Day week until Thu 8 Oct
    assert dl.assignment_objection_deadline(date(2026, 9, 24), policy).due == date(2026, 10, 9)

    time_limits.import_calendar_days("日期,类型\n2026-09-28,休\n")

    # Mon 28 now off too; the package's days stay: Tue 29, Wed 30, (Oct 1-7 off), Thu 8, Fri 9, Sat 10 (worked)
    policy = time_limits.policy_for(world.township)
    assert dl.assignment_objection_deadline(date(2026, 9, 24), policy).due == date(2026, 10, 10)
    assert dl.petition_acceptance_deadline(date(2026, 9, 16), policy).due == date(2026, 10, 8)


def test_importing_days_again_adds_and_corrects_never_drops(app):
    time_limits.import_calendar_days("日期,类型\n2027-01-01,休\n2027-02-14,班\n2028-01-01,休\n")
    counts = time_limits.import_calendar_days("日期,类型\n2027/1/1,假日\n2027-01-02,放假\n2027-02-14,休\n")
    db.session.commit()

    assert counts == {2027: 3}
    assert _calendar_rows() == [
        (date(2027, 1, 1), "holiday"), (date(2027, 1, 2), "holiday"), (date(2027, 2, 14), "holiday"),
        (date(2028, 1, 1), "holiday")]


NOTICE_2026 = (__import__("pathlib").Path(__file__).parent.parent / "fixtures" / "notice_2026.txt").read_text("utf-8")


def test_the_2026_notice_imported_as_text_gives_exactly_the_packages_days(app):
    package_days = dl.HolidayCalendar().differences(2026)
    counts = time_limits.import_calendar_days(NOTICE_2026)
    db.session.commit()
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off and 1 + 2 + 1 + 2 days worked, as the notice lists them
    assert counts == {2026: 39}
    assert time_limits.year_differences(2026) == package_days
    assert time_limits.holiday_calendar().knows_year(2026)


# --------------------------------------------------------------------------- recompute on change


def _events(petition, action="due_recomputed"):
    return db.session.execute(select(CaseEvent).where(CaseEvent.petition_id == petition.id,
                                                      CaseEvent.action == action)).scalars().all()


def test_a_calendar_change_recomputes_stored_limits_with_one_event_per_moved_case(world, monkeypatch):
    monkeypatch.setenv("CASETRACK_TEST_TODAY", "2027-03-10")  # the petitions are received before "today"
    # received Thu 2027-01-21 + 15 = Fri 02-05, 除夕 in the estimate -> Tue 02-09 (暂定)
    moved = make_petition(world.staff, world.township, received_on=date(2027, 1, 21))
    # received 2027-03-01 + 15 = Tue 03-16: no holiday near, nothing moves
    still = make_petition(world.staff, world.township, received_on=date(2027, 3, 1))
    db.session.commit()
    assert (moved.due_on, still.due_on) == (date(2027, 2, 9), date(2027, 3, 16))

    # 02-09..02-12 entered as days off too: after Fri 02-05 the next working day is Mon 02-15
    time_limits.import_calendar_days("日期,类型\n" + "".join(f"2027-02-{d:02d},休\n" for d in range(9, 13)))
    db.session.commit()
    db.session.expire_all()

    moved, still = db.session.get(Petition, moved.id), db.session.get(Petition, still.id)
    assert (moved.due_on, still.due_on) == (date(2027, 2, 15), date(2027, 3, 16))
    [event] = _events(moved)
    assert chinese_sentence(event) == "因节假日安排变更重新计算期限"
    assert chinese_changes(event) == {"当前期限": ["2027-02-09", "2027-02-15"]}
    assert _events(still) == []


def test_a_township_choosing_the_strict_reading_recomputes_its_open_cases(world):
    # received 2026-09-16 + 15 = 10-01 -> 10-08 by default; strict: 10-01
    petition = make_petition(world.staff, world.township, received_on=date(2026, 9, 16))
    db.session.commit()
    assert petition.due_on == date(2026, 10, 8)
    set_township_settings(world.township, strict_period_end=True)
    assert time_limits.recompute_due_dates(time_limits.REASON_RULE, world.township.id) == 1
    db.session.commit()
    assert petition.due_on == date(2026, 10, 1)
    [event] = _events(petition)
    assert chinese_sentence(event) == "因本乡镇期限计算规则变更重新计算期限"
    assert chinese_changes(event) == {"当前期限": ["2026-10-08", "2026-10-01"]}


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
    time_limits.import_calendar_days(PLAN_2027, whole_plan=True)
    assert time_limits.calendar_gap_warning(date(2026, 11, 15)) is None
    assert time_limits.calendar_gap_warning(date(2027, 10, 31)) is None
    assert time_limits.calendar_gap_warning(date(2027, 11, 1)).startswith("2028年")
