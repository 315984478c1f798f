"""Public holidays, make-up workdays (调休) and day counting.

Pure Python: dates are always passed in, nothing here reads the clock.  The State Council publishes each
year's holiday plan (放假安排) around November of the year before.  A year's days come from, in order:
the plan an admin entered for that year (the ordinary week plus the entered days); else the
``chinese_calendar`` package (which knows 2004-2026); else an estimate (暂定) from the statutory festival
list of 《全国年节及纪念日放假办法》, computed by the ``holidays`` package, without 调休.  Single entered days
(休 or 班) always add to or correct that base; they never drop the base's other days.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import chinese_calendar
import holidays as festival_package

from casetrack.domain.errors import DomainError

HOLIDAY = "holiday"
WORKDAY = "workday"
REST_MARK, WORK_MARK = "休", "班"

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
    """Kept for callers that still catch it: a year is never unknown now, it is estimated (暂定)."""

    def __init__(self, year: int):
        self.year = year
        super().__init__("%(year)s年的节假日安排尚未录入,无法计算工作日,请管理员录入该年放假安排。", year=year)


def _as_date(d: date) -> date:
    """Return the plain date of a date or datetime."""
    return d.date() if isinstance(d, datetime) else d


@lru_cache(maxsize=8192)
def _package_workday(d: date) -> bool:
    """The package's answer for a day, kept: it checks its whole table's range on every call."""
    return chinese_calendar.is_workday(d)


@cache
def package_knows_year(year: int) -> bool:
    """Tell whether the chinese_calendar package has the holiday plan of a year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def estimated_festivals(year: int) -> dict[date, str]:
    """Return the statutory festival days of a year no plan covers (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆).

    The ``holidays`` package computes the lunar dates for any year; its "observed" substitutes are left
    out, because 调休 is what the State Council decides each year and nobody can estimate it.
    """
    return dict(festival_package.China(years=year, observed=False, language="zh_CN").items())


@dataclass(frozen=True)
class HolidayCalendar:
    """Rest days and working days: entered days over the year's plan, the package or the estimate."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    plan_years: frozenset[int] = frozenset()
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
        object.__setattr__(self, "plan_years", frozenset(int(y) for y in self.plan_years))
        object.__setattr__(self, "_days", {})  # each day's answer, once worked out (the calendar never changes)

    def knows_year(self, year: int) -> bool:
        """Tell whether a year's holiday plan is known (entered or in the package), not estimated."""
        if year in self.plan_years:
            return True
        return self.use_package and package_knows_year(year)

    def is_estimated_year(self, year: int) -> bool:
        """Tell whether a year's days are an estimate (暂定) until its plan is entered."""
        return not self.knows_year(year)

    def _base_is_working_day(self, d: date) -> bool:
        if d.year in self.plan_years:
            return d.weekday() < 5
        if self.use_package and package_knows_year(d.year):
            return _package_workday(d)
        return d.weekday() < 5 and d not in estimated_festivals(d.year)

    def is_working_day(self, d: date) -> bool:
        """Tell whether d is a working day (make-up workdays count, holidays and weekends do not)."""
        d = _as_date(d)
        known = self._days.get(d)
        if known is None:  # the package's answer costs a lookup in its tables: each day is asked once
            if d in self.holidays:
                known = False
            elif d in self.workdays:
                known = True
            else:
                known = self._base_is_working_day(d)
            self._days[d] = known
        return known

    def is_rest_day(self, d: date) -> bool:
        """Tell whether d is a rest day: a weekend that is no make-up workday, or a holiday."""
        return not self.is_working_day(d)

    def is_public_holiday(self, d: date) -> bool:
        """Tell whether d is a rest day falling on a weekday or named as a holiday, not a plain weekend."""
        d = _as_date(d)
        if d in self.holidays:
            return True
        if d in self.workdays or self.is_working_day(d):
            return False
        if d.weekday() < 5:
            return True
        if d.year in self.plan_years:
            return False
        if self.use_package and package_knows_year(d.year):
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
            return bool(on_holiday and name)
        return d in estimated_festivals(d.year)

    def next_working_day(self, d: date) -> date:
        """Return the first working day after d."""
        d = _as_date(d) + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def differences(self, year: int) -> list[tuple[date, str]]:
        """Return every day of a year that differs from the ordinary week: (day, "休") or (day, "班"), sorted."""
        found = []
        day = date(year, 1, 1)
        while day.year == year:
            working = self.is_working_day(day)
            if day.weekday() < 5 and not working:
                found.append((day, REST_MARK))
            elif day.weekday() >= 5 and working:
                found.append((day, WORK_MARK))
            day += timedelta(days=1)
        return found


def _check_days(days: int) -> None:
    """Reject a negative or non-integer number of days."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"期限天数必须是非负整数,收到:{days!r}")


def roll_to_working_day(end: date, calendar: HolidayCalendar) -> date:
    """Return end, or the next working day when end is a rest day (民法典 Art. 203)."""
    end = _as_date(end)
    return end if calendar.is_working_day(end) else calendar.next_working_day(end)


def add_calendar_days(
    start: date,
    days: int,
    calendar: HolidayCalendar | None = None,
    roll_holiday: bool = False,
) -> date:
    """Return the Nth calendar day after start (start not counted); rolled past a rest day when asked."""
    _check_days(days)
    end = _as_date(start) + timedelta(days=days)
    if roll_holiday:
        if calendar is None:
            raise ValueError("顺延需要提供节假日日历")
        end = roll_to_working_day(end, calendar)
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


def holiday_calendar_from_rows(
    rows: Iterable[tuple[date, str]], plan_years: Iterable[int] = ()
) -> HolidayCalendar:
    """Build a calendar from entered rows of (date, "holiday" | "workday") and the years whose plan is entered."""
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
    return HolidayCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays), plan_years=frozenset(plan_years))


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
