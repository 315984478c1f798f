"""The screening schedule (矛盾纠纷排查): which rounds are due, and who held, reported nil or missed them.

Villages screen weekly and the township every half month by default (每周一排查 / 每半月一排查); the
intervals are township settings. Named periods around holidays and sensitive times (重大节假日、敏感
时期) demand rounds more often: inside such a period its own interval applies, and the part of an
ordinary period outside it stays due as before.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from casetrack.domain.errors import N_

INTERVALS = {"day": N_("每日"), "week": N_("每周"), "half_month": N_("每半月"), "month": N_("每月")}

HELD, NIL, MISSED, DUE, FUTURE = "held", "nil", "missed", "due", "future"
CELL_LABELS = {HELD: "已排查", NIL: "零上报", MISSED: "未排查", DUE: "本期待排查", FUTURE: "未到期"}


@dataclass(frozen=True)
class Period:
    """A stretch of days in which one round is expected."""

    start: date
    end: date
    focus: str | None = None  # the intensified period's name, when it demands this round

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.strftime("%m-%d")
        return f"{self.start:%m-%d}—{self.end:%m-%d}"


@dataclass(frozen=True)
class IntensePeriod:
    """A named period that demands more frequent rounds, e.g. 春节 daily."""

    name: str
    start: date
    end: date
    interval: str = "day"


def _interval_start(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())  # weeks run Monday to Sunday, across a year end too
    if interval == "half_month":
        return day.replace(day=1 if day.day <= 15 else 16)
    if interval == "month":
        return day.replace(day=1)
    raise ValueError(f"未知的排查周期:{interval}")


def _interval_end(start: date, interval: str) -> date:
    if interval == "day":
        return start
    if interval == "week":
        return start + timedelta(days=6)
    last = calendar.monthrange(start.year, start.month)[1]
    if interval == "half_month":
        return start.replace(day=15) if start.day == 1 else start.replace(day=last)
    return start.replace(day=last)


def period_of(day: date, interval: str) -> Period:
    """Return the ordinary period of an interval that contains a day."""
    start = _interval_start(day, interval)
    return Period(start, _interval_end(start, interval))


def _plain_periods(start: date, end: date, interval: str) -> list[Period]:
    periods, cursor = [], _interval_start(start, interval)
    while cursor <= end:
        periods.append(Period(cursor, _interval_end(cursor, interval)))
        cursor = _interval_end(cursor, interval) + timedelta(days=1)
    return periods


def schedule(start: date, end: date, interval: str, intense: Iterable[IntensePeriod] = ()) -> list[Period]:
    """Return the periods that overlap [start, end], intensified where a named period demands more."""
    if end < start:
        raise ValueError("结束日期不能早于开始日期")
    intense = sorted(intense, key=lambda p: p.start)
    result: list[Period] = []
    for period in _plain_periods(start, end, interval):
        pieces = [period]
        for special in intense:
            next_pieces = []
            for piece in pieces:
                if piece.focus or special.end < piece.start or special.start > piece.end:
                    next_pieces.append(piece)
                    continue
                if piece.start < special.start:
                    next_pieces.append(Period(piece.start, special.start - timedelta(days=1)))
                inner_start, inner_end = max(piece.start, special.start), min(piece.end, special.end)
                for sub in _plain_periods(inner_start, inner_end, special.interval):
                    next_pieces.append(Period(max(sub.start, inner_start), min(sub.end, inner_end), special.name))
                if piece.end > special.end:
                    next_pieces.append(Period(special.end + timedelta(days=1), piece.end))
            pieces = next_pieces
        result.extend(pieces)
    unique = sorted(set(result), key=lambda p: (p.start, p.end))
    return unique


def report_day(period: Period) -> date:
    """Return the day that places a schedule period in exactly one report period (month, quarter, year).

    A week belongs to the report period holding its Thursday, as ISO weeks belong to years, so a week
    across 31 December counts once; a half-month, a month or a day lies within one month and is placed by
    itself. A piece of a week cut short by an intensified period is placed by its week's Thursday, kept within
    the piece's own days.
    """
    thursday = period.start - timedelta(days=period.start.weekday()) + timedelta(days=3)
    return min(max(period.start, thursday), period.end)


def report_periods(periods: Iterable[Period], start: date, end: date, since: date | None = None) -> list[Period]:
    """Keep the schedule periods whose report day falls in [start, end] (and that end on or after since)."""
    return [p for p in periods if start <= report_day(p) <= end and (since is None or p.end >= since)]


@dataclass(frozen=True)
class RoundRecord:
    """What the board needs of a round: its date and whether it found anything."""

    held_on: date
    nil: bool


def cell_status(period: Period, rounds: Iterable[RoundRecord], today: date) -> str:
    """Classify one unit's period: held, nil (零上报), missed, due now, or not yet begun."""
    inside = [r for r in rounds if period.contains(r.held_on)]
    if any(not r.nil for r in inside):
        return HELD
    if inside:
        return NIL
    if period.start > today:
        return FUTURE
    if period.end >= today:
        return DUE
    return MISSED


@dataclass(frozen=True)
class Compliance:
    """Rounds due and held for one unit (a village or the township) over a date range.

    A nil report (零上报) is a real round: it counts as held.
    """

    due: int
    with_findings: int
    nil: int
    missed: int

    @property
    def held(self) -> int:
        return self.with_findings + self.nil

    @property
    def rate(self) -> float | None:
        return self.held / self.due if self.due else None


def compliance(statuses: Iterable[str]) -> Compliance:
    """Count a row of cells: a period is due once it has ended or a round was held in it."""
    statuses = list(statuses)
    found, nil, missed = statuses.count(HELD), statuses.count(NIL), statuses.count(MISSED)
    return Compliance(due=found + nil + missed, with_findings=found, nil=nil, missed=missed)


def combine(rows: Iterable[Compliance]) -> Compliance:
    """Add up several units' compliance into an overall figure."""
    rows = list(rows)
    return Compliance(
        due=sum(r.due for r in rows), with_findings=sum(r.with_findings for r in rows),
        nil=sum(r.nil for r in rows), missed=sum(r.missed for r in rows),
    )
