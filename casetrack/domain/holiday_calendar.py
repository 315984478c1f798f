"""Public holidays, make-up workdays (调休) and day counting.

Pure Python: dates are always passed in, nothing here reads the clock.  The
State Council publishes each year's holiday plan (放假安排) around November of
the year before, so the calendar combines admin-entered rows with the
``chinese_calendar`` package (which knows 2004-2026); admin rows win.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

from casetrack.domain.errors import DomainError

HOLIDAY = "holiday"
WORKDAY = "workday"

# Accepted spellings of the 类型 column in an imported holiday file.
KIND_ALIASES = {
    "假日": HOLIDAY,
    "休": HOLIDAY,
    "放假": HOLIDAY,
    "holiday": HOLIDAY,
    "班": WORKDAY,
    "调休上班": WORKDAY,
    "工作日": WORKDAY,
    "上班": WORKDAY,
    "workday": WORKDAY,
}

_HEADERS = (("日期", "类型"), ("date", "kind"))
_DATE_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


class UnknownCalendarYear(DomainError):
    """The holiday plan of a year is neither entered by the admin nor known to the package."""

    def __init__(self, year: int):
        self.year = year
        super().__init__("%(year)s年的节假日安排尚未录入,无法计算工作日,请管理员录入该年放假安排。", year=year)


def _as_date(d: date) -> date:
    """Return the plain date of a date or datetime."""
    return d.date() if isinstance(d, datetime) else d


@cache
def package_knows_year(year: int) -> bool:
    """Tell whether the chinese_calendar package has the holiday plan of a year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays and make-up workdays (调休); admin entries win over the chinese_calendar package."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    admin_years: frozenset[int] = frozenset()
    use_package: bool = True

    def __post_init__(self) -> None:
        holidays = frozenset(_as_date(d) for d in self.holidays)
        workdays = frozenset(_as_date(d) for d in self.workdays)
        clash = holidays & workdays
        if clash:
            first = min(clash).isoformat()
            raise ValueError(f"{first}不能既是假日又是调休上班日")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)
        object.__setattr__(self, "admin_years", frozenset(int(y) for y in self.admin_years))

    def knows_year(self, year: int) -> bool:
        """Tell whether working days can be computed for a year."""
        if year in self.admin_years:
            return True
        return self.use_package and package_knows_year(year)

    def _check_year(self, d: date) -> None:
        """Raise UnknownCalendarYear when the year of d is not known."""
        if not self.knows_year(d.year):
            raise UnknownCalendarYear(d.year)

    def is_working_day(self, d: date) -> bool:
        """Tell whether d is a working day (make-up workdays count, holidays and weekends do not)."""
        d = _as_date(d)
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        self._check_year(d)
        if d.year in self.admin_years:
            return d.weekday() < 5
        return chinese_calendar.is_workday(d)

    def is_public_holiday(self, d: date) -> bool:
        """Tell whether d is a statutory holiday day off, not a plain weekend."""
        d = _as_date(d)
        if d in self.holidays:
            return True
        if d in self.workdays:
            return False
        self._check_year(d)
        if d.year in self.admin_years:
            return False
        on_holiday, name = chinese_calendar.get_holiday_detail(d)
        return bool(on_holiday and name)

    def next_working_day(self, d: date) -> date:
        """Return the first working day after d."""
        d = _as_date(d) + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d


def _check_days(days: int) -> None:
    """Reject a negative or non-integer number of days."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"期限天数必须是非负整数,收到:{days!r}")


def add_calendar_days(
    start: date,
    days: int,
    calendar: HolidayCalendar | None = None,
    roll_holiday: bool = False,
) -> date:
    """Return the Nth calendar day after start, optionally rolled past a public holiday."""
    _check_days(days)
    end = _as_date(start) + timedelta(days=days)
    if roll_holiday:
        if calendar is None:
            raise ValueError("顺延节假日需要提供节假日日历")
        if calendar.is_public_holiday(end):
            end = calendar.next_working_day(end)
    return end


def add_working_days(start: date, days: int, calendar: HolidayCalendar) -> date:
    """Return the Nth working day after start, skipping weekends and holidays."""
    _check_days(days)
    d = _as_date(start)
    remaining = days
    while remaining:
        d += timedelta(days=1)
        if calendar.is_working_day(d):
            remaining -= 1
    return d


def holiday_calendar_from_rows(rows: Iterable[tuple[date, str]]) -> HolidayCalendar:
    """Build a calendar from admin rows of (date, "holiday" | "workday")."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    for raw_day, kind in rows:
        day = _as_date(raw_day)
        if not isinstance(day, date):
            raise ValueError(f"日期无效:{raw_day!r}")
        if kind == HOLIDAY:
            holidays.add(day)
        elif kind == WORKDAY:
            workdays.add(day)
        else:
            raise ValueError(f"{day.isoformat()}的类型无效:{kind!r}(应为 holiday 或 workday)")
    years = frozenset(d.year for d in holidays | workdays)
    return HolidayCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays), admin_years=years)


def _parse_date(raw: str, line_no: int) -> date:
    """Parse YYYY-MM-DD (or YYYY/M/D as spreadsheets save it) or raise a Chinese ValueError."""
    match = _DATE_RE.match(raw)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(f"第{line_no}行:日期“{raw}”无效,应为YYYY-MM-DD格式,例如2025-10-01")


def parse_holiday_file(text: str) -> list[tuple[date, str]]:
    """Parse an admin holiday CSV (header 日期,类型 or date,kind) into (date, kind) rows."""
    text = text.lstrip("\ufeff")
    rows: list[tuple[date, str]] = []
    seen: dict[date, tuple[str, int]] = {}
    header_seen = False
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line.replace("，", ","))))]
        while cells and not cells[-1]:
            cells.pop()
        if not header_seen:
            if tuple(c.lower() for c in cells[:2]) not in _HEADERS:
                raise ValueError(f"第{line_no}行:表头应为“日期,类型”(或 date,kind),实际为“{line.strip()}”")
            header_seen = True
            continue
        if len(cells) < 2:
            raise ValueError(f"第{line_no}行:应有两列(日期,类型),实际为“{line.strip()}”")
        day = _parse_date(cells[0], line_no)
        kind = KIND_ALIASES.get(cells[1].lower())
        if kind is None:
            raise ValueError(f"第{line_no}行:类型“{cells[1]}”无效,应为 假日/休 或 班/调休上班/工作日")
        if day in seen:
            earlier_kind, earlier_line = seen[day]
            if earlier_kind != kind:
                raise ValueError(f"第{line_no}行:{day.isoformat()}与第{earlier_line}行的类型矛盾")
            continue
        seen[day] = (kind, line_no)
        rows.append((day, kind))
    if not header_seen:
        raise ValueError("文件为空:第1行应为表头“日期,类型”")
    if not rows:
        raise ValueError("文件中没有日期行:请在表头下逐行填写“日期,类型”")
    return rows
