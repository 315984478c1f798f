"""Report periods: a year, a quarter or a month, named by key and label, each with the period before it."""

from datetime import date

import pytest

from casetrack.domain.errors import DomainError
from casetrack.domain.periods import Period


@pytest.mark.parametrize(
    ("period", "kind", "key", "label", "start", "end"),
    [
        (Period.of_year(2025), "year", "2025", "2025年", date(2025, 1, 1), date(2025, 12, 31)),
        # Q1 2024 is January to March; 2024 is a leap year, so February has 29 days but March ends on the 31st
        (Period.of_quarter(2024, 1), "quarter", "2024-q1", "2024年第1季度", date(2024, 1, 1), date(2024, 3, 31)),
        (Period.of_month(2024, 2), "month", "2024-02", "2024年2月", date(2024, 2, 1), date(2024, 2, 29)),
        (Period.of_month(2025, 2), "month", "2025-02", "2025年2月", date(2025, 2, 1), date(2025, 2, 28)),
    ],
)
def test_a_period_knows_its_kind_key_label_and_days(period, kind, key, label, start, end):
    assert (period.kind, period.key, period.label, period.start, period.end) == (kind, key, label, start, end)
    assert Period.parse(key) == period


@pytest.mark.parametrize(
    ("key", "before"),
    [("2025", "2024"), ("2025-q1", "2024-q4"), ("2025-q3", "2025-q2"), ("2025-01", "2024-12"), ("2025-10", "2025-09")],
)
def test_the_previous_period_is_the_one_before_of_the_same_kind(key, before):
    assert Period.parse(key).previous() == Period.parse(before)


@pytest.mark.parametrize("key", ["2025-13", "2025-q5", "2025-q0", "25", "2025-x", "abcd", "2025-03-01"])
def test_a_key_that_names_no_period_is_refused(key):
    with pytest.raises(DomainError):
        Period.parse(key)


def test_a_period_is_frozen():
    with pytest.raises(AttributeError):
        Period.of_year(2025).kind = "month"
