"""The screening schedule: weeks and half-months across a year end, nil reports, missed rounds, periods that demand more."""

from datetime import date

import pytest

from casetrack.domain import screening as sc


def labels(periods):
    return [(p.start.isoformat(), p.end.isoformat()) for p in periods]


def test_village_weeks_run_monday_to_sunday_across_the_year_end():
    periods = sc.schedule(date(2025, 12, 25), date(2026, 1, 6), "week")
    assert labels(periods) == [("2025-12-22", "2025-12-28"), ("2025-12-29", "2026-01-04"), ("2026-01-05", "2026-01-11")]


def test_township_half_months_split_on_the_15th_and_the_month_end():
    periods = sc.schedule(date(2024, 1, 20), date(2024, 3, 1), "half_month")
    assert labels(periods) == [("2024-01-16", "2024-01-31"), ("2024-02-01", "2024-02-15"), ("2024-02-16", "2024-02-29"),
                               ("2024-03-01", "2024-03-15")]


def test_half_months_across_a_year_end():
    assert labels(sc.schedule(date(2025, 12, 20), date(2026, 1, 2), "half_month")) == [
        ("2025-12-16", "2025-12-31"), ("2026-01-01", "2026-01-15")]


def test_a_period_that_demands_more_splits_the_week_into_daily_rounds():
    festival = sc.IntensePeriod("春节", date(2026, 2, 16), date(2026, 2, 18), "day")
    periods = sc.schedule(date(2026, 2, 16), date(2026, 2, 22), "week", [festival])
    assert labels(periods) == [("2026-02-16", "2026-02-16"), ("2026-02-17", "2026-02-17"),
                               ("2026-02-18", "2026-02-18"), ("2026-02-19", "2026-02-22")]
    assert [p.focus for p in periods] == ["春节", "春节", "春节", None]


@pytest.mark.parametrize(("rounds", "today", "expected"), [
    ([sc.RoundRecord(date(2026, 3, 4), nil=False)], date(2026, 3, 20), sc.HELD),
    ([sc.RoundRecord(date(2026, 3, 4), nil=True)], date(2026, 3, 20), sc.NIL),
    ([], date(2026, 3, 20), sc.MISSED),
    ([], date(2026, 3, 5), sc.DUE),
    ([], date(2026, 2, 27), sc.FUTURE),
    ([sc.RoundRecord(date(2026, 3, 10), nil=False)], date(2026, 3, 20), sc.MISSED),  # held in the next week
])
def test_a_weeks_cell_is_held_nil_missed_due_or_future(rounds, today, expected):
    week = sc.period_of(date(2026, 3, 4), "week")
    assert sc.cell_status(week, rounds, today) == expected


def test_a_nil_report_counts_as_held_in_the_compliance_rate():
    row = sc.compliance([sc.HELD, sc.NIL, sc.MISSED, sc.NIL, sc.DUE, sc.FUTURE])
    assert (row.due, row.held, row.nil, row.missed) == (4, 3, 2, 1)
    assert row.rate == 0.75


def test_overall_compliance_adds_up_the_units():
    overall = sc.combine([sc.compliance([sc.HELD, sc.MISSED]), sc.compliance([sc.NIL, sc.NIL, sc.NIL])])
    assert (overall.due, overall.held, overall.missed) == (5, 4, 1)
    assert overall.rate == 0.8


def test_no_period_due_yet_gives_no_rate():
    assert sc.compliance([sc.DUE, sc.FUTURE]).rate is None


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError):
        sc.schedule(date(2026, 3, 1), date(2026, 2, 1), "week")
