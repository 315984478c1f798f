"""The report's screening figures (排查): rounds due and held, and what they found, per report period.

Each schedule period (a village's week, the township's half-month, a day of an intensified period) belongs to
exactly one report period: the one holding its report day (``domain.screening.report_day``: a week's Thursday,
as ISO weeks do), so months add up to quarters and quarters to the year, and a round on 31 December counts
once. Periods are due only from the township's first record in casetrack: the years before it used casetrack
have nothing due.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Date, bindparam, case, func, select

from casetrack.domain import screening as sc
from casetrack.domain import statistics as st
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    IntensifiedPeriod,
    Petition,
    ScreeningFinding,
    ScreeningRound,
    Township,
    Village,
)
from casetrack.services import screening

R, F = ScreeningRound, ScreeningFinding
WEEK = timedelta(days=6)  # a week reaching across the report period's edges is looked at, then placed by its Thursday

_STATEMENTS: dict[str, object] = {}


def _statement(name: str, build):
    if name not in _STATEMENTS:
        _STATEMENTS[name] = build()
    return _STATEMENTS[name]


def _rounds_statement():
    """Each round of a township in a window: its unit, day, and how many findings, registered or resolved."""
    return (select(R.level, R.village_id, R.held_on, func.count(F.id),
                   func.count(F.dispute_id), func.count(case((F.is_dispute.is_(False) & F.dispute_id.is_(None), 1))))
            .outerjoin(F, F.round_id == R.id)
            .where(R.township_id == bindparam("township"), R.held_on >= bindparam("start", type_=Date()),
                   R.held_on <= bindparam("end", type_=Date()))
            .group_by(R.id, R.level, R.village_id, R.held_on).order_by(R.held_on))


def _intensified_statement():
    I = IntensifiedPeriod  # noqa: E741
    return select(I.name, I.starts_on, I.ends_on, I.interval, I.applies_to).where(
        I.township_id == bindparam("township"), I.starts_on <= bindparam("end", type_=Date()),
        I.ends_on >= bindparam("start", type_=Date())).order_by(I.starts_on)


def _first_statement():
    """The township's first record: its first dispute, petition or round (each an index's first entry)."""
    township = bindparam("township")
    firsts = [select(func.min(column)).where(owner == township).scalar_subquery()
              for column, owner in ((Dispute.registered_on, Dispute.township_id),
                                    (Petition.received_on, Petition.township_id), (R.held_on, R.township_id))]
    return select(*firsts)


def first_record(township: Township) -> date | None:
    days = [d for d in db.session.execute(_statement("first", _first_statement), {"township": township.id}).one()
            if d is not None]
    return min(days) if days else None


class _Tally:
    def __init__(self) -> None:
        self.findings = self.registered = self.resolved = self.intensified = 0
        self.statuses: list[str] = []
        self.names: list[str] = []


def _township(township: Township, start: date, end: date, today: date) -> tuple[sc.Compliance, _Tally]:
    """The township's compliance and findings over the schedule periods that belong to [start, end]."""
    tally = _Tally()
    since = first_record(township)
    if since is None or since > end or start > today:
        return sc.compliance([]), tally
    window_start, window_end = start - WEEK, end + WEEK
    window = {"township": township.id, "start": window_start, "end": window_end}
    intense = db.session.execute(_statement("intensified", _intensified_statement), window).all()
    periods = {level: sc.report_periods(
        sc.schedule(window_start, window_end, screening.interval_for(township, level),
                    [sc.IntensePeriod(name, starts, ends, interval)
                     for name, starts, ends, interval, applies_to in intense if applies_to in (level, "both")]),
        start, end, since) for level in ("village", "township")}
    rounds: dict[tuple[str, int | None], list] = {}
    for level, village_id, held_on, found, registered, resolved in db.session.execute(
            _statement("rounds", _rounds_statement), window):
        unit = (level, village_id if level == "village" else None)
        rounds.setdefault(unit, []).append((held_on, found, registered, resolved))
    village_ids = db.session.execute(_statement("villages", lambda: select(Village.id).where(
        Village.township_id == bindparam("township"))), {"township": township.id}).scalars()
    units = [(periods["village"], rounds.get(("village", v), [])) for v in village_ids]
    units.append((periods["township"], rounds.get(("township", None), [])))
    for unit_periods, records in units:
        tally.statuses.extend(_cells(unit_periods, records, today, tally))
    return sc.compliance(tally.statuses), tally


def _cells(periods: list[sc.Period], records: list[tuple], today: date, tally: _Tally):
    """Each period's cell status, given only the rounds held within its dates (records sorted by date)."""
    days = [r[0] for r in records]
    for p in periods:
        inside = records[bisect_left(days, p.start):bisect_right(days, p.end)]
        for _held_on, found, registered, resolved in inside:
            tally.findings += found
            tally.registered += registered
            tally.resolved += resolved
        status = sc.cell_status(p, [sc.RoundRecord(held_on, found == 0) for held_on, found, *_ in inside], today)
        if p.focus:
            tally.intensified += status in (sc.HELD, sc.NIL)
            if p.focus not in tally.names:
                tally.names.append(p.focus)
        yield status


def count(start: date, end: date, townships: Iterable[Township], today: date) -> st.ScreeningCounts:
    """Count the screening figures of the schedule periods belonging to [start, end], as on today."""
    due = held = nil = with_findings = findings = registered = resolved = intensified = 0
    names: list[str] = []
    for township in townships:
        compliance, tally = _township(township, start, end, today)
        intensified += tally.intensified
        names += [n for n in tally.names if n not in names]
        due, held, nil = due + compliance.due, held + compliance.held, nil + compliance.nil
        with_findings += compliance.with_findings
        findings, registered, resolved = findings + tally.findings, registered + tally.registered, \
            resolved + tally.resolved
    return st.ScreeningCounts(due=due, held=held, nil=nil, found=with_findings, findings=findings,
                              found_registered=registered, found_resolved=resolved, intensified_held=intensified,
                              intensified_names=tuple(names))
