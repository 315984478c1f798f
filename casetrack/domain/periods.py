"""Report periods: a year, a quarter or a month, by key ("2025", "2025-q1", "2025-03")."""

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from casetrack.domain.errors import DomainError

Kind = Literal["year", "quarter", "month"]


@dataclass(frozen=True)
class Period:
    """A reporting period: a year, a quarter or a month, from start to end (both included)."""

    kind: Kind
    start: date
    end: date

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def of_quarter(cls, year: int, quarter: int) -> "Period":
        if not 1 <= quarter <= 4:
            raise DomainError("季度应为1至4。")
        first = 3 * (quarter - 1) + 1
        return cls("quarter", date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def of_month(cls, year: int, month: int) -> "Period":
        if not 1 <= month <= 12:
            raise DomainError("月份应为1至12。")
        return cls("month", date(year, month, 1), _month_end(year, month))

    @classmethod
    def parse(cls, key: str) -> "Period":
        """Read "2025", "2025-03" or "2025-q1"."""
        try:
            if len(key) == 4:
                return cls.of_year(int(key))
            year, rest = key.split("-")
            if rest.lower().startswith("q"):
                return cls.of_quarter(int(year), int(rest[1:]))
            return cls.of_month(int(year), int(rest))
        except ValueError as bad:
            raise DomainError("统计期间“%(key)s”无效,应为 2025、2025-03 或 2025-q1。", key=key) from bad

    @property
    def year(self) -> int:
        return self.start.year

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def month(self) -> int:
        return self.start.month

    @property
    def key(self) -> str:
        """The period's key in URLs, the JSON and frozen snapshots: "2025", "2025-q1", "2025-03"."""
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-q{self.quarter}"
        return f"{self.year}-{self.month:02d}"

    @property
    def label(self) -> str:
        """The period as the report names it: 2025年, 2025年第1季度, 2025年3月."""
        if self.kind == "year":
            return f"{self.year}年"
        if self.kind == "quarter":
            return f"{self.year}年第{self.quarter}季度"
        return f"{self.year}年{self.month}月"

    def previous(self) -> "Period":
        """The period before, of the same kind: the year, quarter or month before."""
        if self.kind == "year":
            return Period.of_year(self.year - 1)
        if self.kind == "quarter":
            return Period.of_quarter(self.year - (self.quarter == 1), 4 if self.quarter == 1 else self.quarter - 1)
        return Period.of_month(self.year - (self.month == 1), 12 if self.month == 1 else self.month - 1)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
