"""Tests for the holiday calendar and day counting (casetrack.domain.holiday_calendar).

Expected dates are checked against the State Council holiday plans:
2024 Spring Festival 02-10..02-17 off, make-up workdays 02-04 (Sun) and 02-18 (Sun);
2024 National Day 10-01..10-07 off, make-up workdays 09-29 (Sun) and 10-12 (Sat);
2025 Spring Festival 01-28..02-04 off, make-up workdays 01-26 (Sun) and 02-08 (Sat).
Years the package does not know (2027 on) are estimated from the statutory festivals, without 调休.
"""

from datetime import date, datetime
from pathlib import Path

import pytest

from casetrack.domain.holiday_calendar import (
    HolidayCalendar,
    add_calendar_days,
    add_working_days,
    holiday_calendar_from_rows,
    parse_holiday_file,
)
from casetrack.domain.holiday_notice import looks_like_notice, parse_holiday_notice

D = date
PACKAGE = HolidayCalendar()

# An admin plan for 2027, which chinese-calendar 1.11.0 does not know.
ADMIN_2027_ROWS = [
    (D(2027, 1, 1), "holiday"),
    (D(2027, 1, 2), "holiday"),
    (D(2027, 1, 3), "holiday"),
    *[(D(2027, 10, day), "holiday") for day in range(1, 8)],
    (D(2027, 9, 26), "workday"),
    (D(2027, 10, 9), "workday"),
]


# ------------------------------------------------------------ calendar days


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (D(2024, 2, 15), 15, D(2024, 3, 1)),  # the domain example, across 2024-02-29
        (D(2023, 2, 15), 15, D(2023, 3, 2)),  # non-leap February
        (D(2024, 2, 14), 15, D(2024, 2, 29)),  # ends on the leap day
        (D(2023, 2, 13), 15, D(2023, 2, 28)),  # ends on 2023-02-28
        (D(2024, 12, 20), 15, D(2025, 1, 4)),  # across the year end
        (D(2024, 1, 31), 0, D(2024, 1, 31)),
    ],
)
def test_calendar_days_end_on_the_nth_day_after_start(start, days, expected):
    assert add_calendar_days(start, days) == expected


def test_calendar_days_need_no_holiday_plan_when_not_rolling():
    assert add_calendar_days(D(2027, 9, 16), 15) == D(2027, 10, 1)


@pytest.mark.parametrize(
    "start, roll, expected",
    [
        (D(2024, 9, 16), False, D(2024, 10, 1)),  # lands on National Day, roll off
        (D(2024, 9, 16), True, D(2024, 10, 8)),  # rolled past the whole holiday week
        (D(2024, 9, 20), True, D(2024, 10, 8)),  # lands on Sat 10-05 inside the holiday
        (D(2024, 9, 28), True, D(2024, 10, 14)),  # a plain Sunday is a rest day too: Mon 10-14
        (D(2024, 9, 27), True, D(2024, 10, 12)),  # make-up Saturday is a working day
        (D(2025, 1, 14), True, D(2025, 2, 5)),  # lands on 2025-01-29 (Spring Festival)
        (D(2026, 9, 16), True, D(2026, 10, 8)),  # 2026, the last year the package knows
        (D(2026, 2, 1), True, D(2026, 2, 24)),  # 02-16 除夕, 春节 02-15..02-23
    ],
)
def test_a_last_day_on_a_rest_day_rolls_to_the_next_working_day(start, roll, expected):
    assert add_calendar_days(start, 15, PACKAGE, roll_holiday=roll) == expected


def test_roll_holiday_without_calendar_is_refused():
    with pytest.raises(ValueError):
        add_calendar_days(D(2024, 9, 16), 15, None, roll_holiday=True)


@pytest.mark.parametrize("days", [-1, 1.5, True])
def test_day_counts_must_be_non_negative_integers(days):
    with pytest.raises(ValueError):
        add_calendar_days(D(2024, 1, 1), days)
    with pytest.raises(ValueError):
        add_working_days(D(2024, 1, 1), days, PACKAGE)


def test_datetime_start_is_treated_as_its_date():
    assert add_calendar_days(datetime(2024, 2, 15, 23, 30), 15) == D(2024, 3, 1)


# ------------------------------------------------------------ working days


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (D(2024, 9, 27), 1, D(2024, 9, 29)),  # make-up Sunday counts
        (D(2024, 9, 27), 5, D(2024, 10, 10)),  # 09-29, 09-30, 10-08, 10-09, 10-10
        (D(2024, 10, 8), 5, D(2024, 10, 14)),  # make-up Saturday 10-12 is day 4
        (D(2024, 9, 30), 1, D(2024, 10, 8)),  # the holiday week is skipped
        (D(2025, 1, 24), 5, D(2025, 2, 7)),  # 01-26, 01-27, 02-05, 02-06, 02-07
        (D(2025, 1, 24), 6, D(2025, 2, 8)),  # make-up Saturday 02-08
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # across the whole Spring Festival
        (D(2024, 2, 23), 5, D(2024, 3, 1)),  # plain weekend, across 2024-02-29
        (D(2024, 5, 10), 0, D(2024, 5, 10)),
    ],
)
def test_working_days_skip_weekends_and_holidays_and_count_make_up_days(start, days, expected):
    assert add_working_days(start, days, PACKAGE) == expected


@pytest.mark.parametrize(
    "day, working, public_holiday",
    [
        (D(2024, 9, 29), True, False),  # make-up Sunday
        (D(2024, 10, 12), True, False),  # make-up Saturday
        (D(2024, 10, 1), False, True),
        (D(2024, 10, 5), False, True),  # Saturday inside the holiday
        (D(2024, 10, 13), False, False),  # plain Sunday
        (D(2024, 10, 8), True, False),
        (D(2025, 1, 28), False, True),  # 除夕, a statutory day off from 2025
        (D(2024, 2, 29), True, False),
    ],
)
def test_package_calendar_classifies_days(day, working, public_holiday):
    assert PACKAGE.is_working_day(day) is working
    assert PACKAGE.is_public_holiday(day) is public_holiday


@pytest.mark.parametrize("day, working", [
    (D(2027, 3, 1), True),  # an ordinary Monday
    (D(2027, 1, 1), False),  # 元旦
    (D(2027, 2, 5), False),  # 除夕 (Friday)
    (D(2027, 2, 8), False),  # 初三 (Monday)
    (D(2027, 2, 9), True),  # no 调休 is guessed: Tuesday counts as worked
    (D(2027, 10, 1), False),
    (D(2027, 10, 4), True),  # the estimate has 国庆 10-01..03 only
    (D(2030, 2, 4), False),  # 2030 春节 (02-02..05)
])
def test_a_year_the_package_does_not_know_is_estimated_not_refused(day, working):
    assert PACKAGE.is_working_day(day) is working
    assert PACKAGE.is_estimated_year(day.year) and not PACKAGE.knows_year(day.year)


@pytest.mark.parametrize("year", [2003, 2027])
def test_package_knows_only_2004_to_2026(year):
    assert PACKAGE.knows_year(2004) and PACKAGE.knows_year(2026)
    assert not PACKAGE.knows_year(year)


def test_working_days_into_an_unknown_year_use_the_estimate():
    # Thu 12-31 (package), 2027-01-01 元旦 (estimated), weekend, then Mon 01-04 .. Thu 01-07
    assert add_working_days(D(2026, 12, 30), 5, PACKAGE) == D(2027, 1, 7)


def test_an_entered_plan_makes_a_year_known():
    calendar = holiday_calendar_from_rows(ADMIN_2027_ROWS, plan_years=[2027])
    assert calendar.knows_year(2027) and calendar.knows_year(2026)
    assert not PACKAGE.knows_year(2027)
    # 2026-12-31 (package), then 2027-01-01..03 off, then 01-04..01-07
    assert add_working_days(D(2026, 12, 30), 5, calendar) == D(2027, 1, 7)
    assert calendar.is_working_day(D(2027, 9, 26))  # entered make-up Sunday
    assert calendar.is_public_holiday(D(2027, 10, 2))
    assert not calendar.is_public_holiday(D(2027, 10, 16))  # a plain Saturday
    assert calendar.is_working_day(D(2027, 2, 5))  # the plan has no 春节: the estimate is gone


def test_one_entered_day_keeps_every_other_day_of_its_year():
    # The bug of issue 13: one entry for 2026-03-02 made 2026-10-01 a working day.
    calendar = holiday_calendar_from_rows([(D(2026, 3, 2), "holiday")])
    assert not calendar.is_working_day(D(2026, 3, 2))
    assert not calendar.is_working_day(D(2026, 10, 1))
    assert calendar.is_working_day(D(2026, 9, 20))  # the package's make-up Sunday kept too
    assert calendar.differences(2026) == sorted([*PACKAGE.differences(2026), (D(2026, 3, 2), "休")])


def test_entered_days_add_to_the_estimate_of_an_unknown_year():
    calendar = holiday_calendar_from_rows([(D(2027, 2, 9), "holiday"), (D(2027, 2, 20), "workday")])
    assert not calendar.is_working_day(D(2027, 2, 9)) and not calendar.is_working_day(D(2027, 2, 5))
    assert calendar.is_working_day(D(2027, 2, 20))
    assert calendar.is_estimated_year(2027)  # single days are no whole plan


def test_a_whole_plan_replaces_the_package_for_its_year():
    # Entered as the whole 2024 plan with National Day only: 09-29 is no longer a make-up workday.
    calendar = holiday_calendar_from_rows([(D(2024, 10, day), "holiday") for day in range(1, 8)], plan_years=[2024])
    assert not calendar.is_working_day(D(2024, 9, 29))
    assert calendar.is_working_day(D(2024, 9, 16))  # the package's 中秋 is not in that plan
    assert calendar.is_working_day(D(2025, 1, 26))  # other years still use the package


def test_single_admin_entries_override_the_package_day_by_day():
    calendar = HolidayCalendar(holidays=frozenset({D(2024, 10, 8)}), workdays=frozenset({D(2024, 10, 13)}))
    assert not calendar.is_working_day(D(2024, 10, 8))
    assert calendar.is_public_holiday(D(2024, 10, 8))
    assert calendar.is_working_day(D(2024, 10, 13))
    assert not calendar.is_working_day(D(2024, 10, 1))  # rest of the package kept
    assert add_working_days(D(2024, 9, 30), 1, calendar) == D(2024, 10, 9)


def test_without_the_package_every_year_is_estimated():
    calendar = HolidayCalendar(use_package=False)
    assert not calendar.knows_year(2024)
    assert not calendar.is_working_day(D(2024, 10, 1))  # 国庆, a statutory day
    assert not calendar.is_working_day(D(2024, 9, 29))  # the real plan worked this Sunday; no 调休 is guessed


# ------------------------------------------------------------ the State Council's notice

NOTICE_2026 = (Path(__file__).parent.parent / "fixtures" / "notice_2026.txt").read_text(encoding="utf-8")


def test_the_2026_notice_gives_exactly_the_packages_2026_days():
    notice = parse_holiday_notice(NOTICE_2026)
    assert notice.year == 2026
    calendar = holiday_calendar_from_rows(notice.rows, plan_years=[2026])
    assert calendar.differences(2026) == PACKAGE.differences(2026)
    # by hand: 25 days differ from the ordinary week, among them 02-14 and 02-28 worked, 02-16 (除夕) off
    assert len(PACKAGE.differences(2026)) == 25
    assert {(D(2026, 2, 14), "班"), (D(2026, 2, 28), "班"), (D(2026, 2, 16), "休")} <= set(calendar.differences(2026))
    assert notice.names[D(2026, 2, 16)] == "春节"


def test_the_notice_reads_half_width_punctuation_and_a_year_given_apart():
    text = ("一、元旦:1月1日(周五)至3日(周日)放假调休,共3天。\n"
            "二、春节:2月14日(周六)、2月28日(周六)上班。\n")
    assert not looks_like_notice("日期,类型\n2027-01-01,休\n")
    assert looks_like_notice(text)
    notice = parse_holiday_notice(text, year=2027)
    assert notice.rows == [(D(2027, 1, 1), "holiday"), (D(2027, 1, 2), "holiday"), (D(2027, 1, 3), "holiday"),
                           (D(2027, 2, 14), "workday"), (D(2027, 2, 28), "workday")]


@pytest.mark.parametrize("text, year, fragment", [
    ("一、元旦:1月1日至3日放假调休,共3天。", None, "未找到年份"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦:1月1日至3日放假,共4天。", None, "第2行:放假日期共3天"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦:1月1日放假。", 2026, "与指定的年份2026不符"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦:2月30日放假。", None, "第2行:日期“2月30日”无效"),
])
def test_a_bad_notice_is_refused_naming_the_line(text, year, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_holiday_notice(text, year)


def test_calendar_refuses_a_day_that_is_both_holiday_and_workday():
    with pytest.raises(ValueError):
        HolidayCalendar(holidays={D(2024, 10, 1)}, workdays={D(2024, 10, 1)})


def test_rows_with_an_unknown_kind_are_refused():
    with pytest.raises(ValueError):
        holiday_calendar_from_rows([(D(2027, 1, 1), "off")])


# ------------------------------------------------------------ holiday file


def test_parse_holiday_file_reads_chinese_kinds():
    text = "\ufeff日期,类型\n2027-10-01,假日\n2027-10-02,休\n\n2027-09-26,班\n2027-10-09,调休上班\n2027-10-10,工作日\n"
    assert parse_holiday_file(text) == [
        (D(2027, 10, 1), "holiday"),
        (D(2027, 10, 2), "holiday"),
        (D(2027, 9, 26), "workday"),
        (D(2027, 10, 9), "workday"),
        (D(2027, 10, 10), "workday"),
    ]


def test_parse_holiday_file_accepts_english_header_and_spreadsheet_dates():
    text = "date,kind\r\n2027/1/1,holiday\r\n2027-01-02 , 休 \r\n"
    assert parse_holiday_file(text) == [(D(2027, 1, 1), "holiday"), (D(2027, 1, 2), "holiday")]


def test_parsed_file_builds_a_working_calendar():
    calendar = holiday_calendar_from_rows(parse_holiday_file("日期,类型\n2027-01-04,假日\n"))
    # 2027-01-01 (元旦, estimated), the weekend, then 01-04 entered as off -> Tue 01-05
    assert add_working_days(D(2026, 12, 31), 1, calendar) == D(2027, 1, 5)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "文件为空"),
        ("日期,类型\n", "没有日期行"),
        ("日,类\n2027-01-01,休\n", "第1行"),
        ("2027-01-01,休\n", "表头"),
        ("日期,类型\n2027-01-01,休\n20270102,休\n", "第3行"),
        ("日期,类型\n2027-02-30,休\n", "第2行:日期“2027-02-30”无效"),
        ("日期,类型\n2027-01-01,放风\n", "第2行:类型“放风”无效"),
        ("日期,类型\n2027-01-01\n", "第2行:应有两列"),
        ("日期,类型\n2027-01-01,休\n2027-01-01,班\n", "第3行:2027-01-01与第2行的类型矛盾"),
    ],
)
def test_parse_holiday_file_rejects_bad_input_naming_the_line(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_holiday_file(text)
    assert fragment in str(info.value)
