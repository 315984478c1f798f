"""Report periods: a year, a quarter or a month, by key ("2025", "2025-q1", "2025-03")."""

import calendar
from dataclasses import dataclass
from datetime import date

from casetrack.domain.errors import DomainError


@dataclass(frozen=True)
class Period:
    """A reporting period: a year, a month or a quarter."""

    key: str  # "2025", "2025-03", "2025-q1"
    start: date
    end: date

    @property
    def label(self) -> str:
        if len(self.key) == 4:
            return f"{self.key}年"
        if "q" in self.key:
            return f"{self.start.year}年第{self.key[-1]}季度"
        return f"{self.start.year}年{self.start.month}月"

    @property
    def year(self) -> int:
        return self.start.year


def year_period(year: int) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise DomainError("月份应为1至12。")
    return Period(f"{year}-{month:02d}", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise DomainError("季度应为1至4。")
    first = 3 * (quarter - 1) + 1
    return Period(f"{year}-q{quarter}", date(year, first, 1),
                  date(year, first + 2, calendar.monthrange(year, first + 2)[1]))


def parse_period(key: str) -> Period:
    """Read "2025", "2025-03" or "2025-q1"."""
    try:
        if len(key) == 4:
            return year_period(int(key))
        year, rest = key.split("-")
        if rest.lower().startswith("q"):
            return quarter_period(int(year), int(rest[1:]))
        return month_period(int(year), int(rest))
    except ValueError as bad:
        raise DomainError("统计期间“%(key)s”无效,应为 2025、2025-03 或 2025-q1。", key=key) from bad


def previous_period(period: Period) -> Period:
    """The period before: the year, quarter or month before."""
    key = period.key
    if len(key) == 4:
        return year_period(period.year - 1)
    if "q" in key:
        quarter = int(key[-1])
        return quarter_period(period.year - (quarter == 1), 4 if quarter == 1 else quarter - 1)
    month = period.start.month
    return month_period(period.year - (month == 1), 12 if month == 1 else month - 1)
