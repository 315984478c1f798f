"""Count the year's (month's, quarter's) figures with SQL aggregates, and say which cases each counts.

Every figure is a condition on one table (disputes or petitions) within the period and scope; the
same condition counts the figure here and lists its cases in the queue (?figure=...), so a number
can always be checked case by case.
"""

import calendar
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, false, func, or_, select, true

from casetrack.domain import petition_workflow as pw
from casetrack.domain import screening as sc
from casetrack.domain import statistics as st
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    DisputeType,
    IntensifiedPeriod,
    Petition,
    PetitionCategory,
    ScreeningFinding,
    ScreeningRound,
    Township,
    Village,
)
from casetrack.services import screening


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


@dataclass(frozen=True)
class Scope:
    """Which townships a report covers: one, or all (a county admin)."""

    townships: tuple[Township, ...]
    all_townships: bool = False

    @property
    def ids(self) -> list[int]:
        return [t.id for t in self.townships]

    @property
    def name(self) -> str:
        return "全部乡镇" if self.all_townships else "、".join(t.name for t in self.townships)

    @property
    def key(self) -> str:
        return "county" if self.all_townships else f"township:{self.townships[0].id}"


# ------------------------------------------------------------ the conditions behind each figure

D, P = Dispute, Petition
NOT_MERGED = D.merged_into_id.is_(None)
REGISTERED = D.status != wf.DisputeState.NOT_ACCEPTED.value
SUCCEEDED = D.outcome == wf.Outcome.SUCCEEDED.value

DISPUTE_CONDITIONS: dict[str, Callable[[], object]] = {
    "registered": lambda: REGISTERED,
    "not_accepted": lambda: D.status == wf.DisputeState.NOT_ACCEPTED.value,
    "mediated": lambda: and_(REGISTERED, D.outcome.is_not(None)),
    "succeeded": lambda: SUCCEEDED,
    "failed": lambda: D.outcome == wf.Outcome.FAILED.value,
    "ended": lambda: D.outcome == wf.Outcome.ENDED.value,
    "in_progress": lambda: and_(REGISTERED, D.outcome.is_(None)),
    "performed": lambda: and_(SUCCEEDED, D.performance == wf.Performance.PERFORMED.value),
    "performance_known": lambda: and_(SUCCEEDED, D.performance.is_not(None)),
    "succeeded_village": lambda: and_(SUCCEEDED, D.level == wf.Level.VILLAGE.value),
    "succeeded_within_township": lambda: and_(SUCCEEDED, D.level.in_([wf.Level.VILLAGE.value, wf.Level.TOWNSHIP.value])),
    "prevented_criminal": lambda: and_(REGISTERED, D.prevented_criminal.is_(True)),
    "prevented_group_petition": lambda: and_(REGISTERED, D.prevented_group_petition.is_(True)),
    "found_by_screening": lambda: and_(D.source == wf.Source.INITIATIVE.value, D.screening_round_id.is_not(None)),
}
"""Disputes registered in the period (merged duplicates excluded) that a figure counts."""

SATISFIED = (wf.Satisfaction.SATISFIED.value, wf.Satisfaction.BASICALLY.value)

PETITION_CONDITIONS: dict[str, Callable[[], object]] = {
    "received": lambda: P.repeat_of_id.is_(None),
    "all": lambda: true(),
    "repeat": lambda: P.repeat_of_id.is_not(None),
    "cross_level": lambda: P.cross_level.is_(True),
    "to_province_or_beijing": lambda: P.level.in_([pw.Level.PROVINCE.value, pw.Level.BEIJING.value]),
    "rated": lambda: P.satisfaction.is_not(None),
    "satisfied": lambda: P.satisfaction.in_(SATISFIED),
    "disruptive": lambda: P.disruptive.is_(True),
}
"""Petitions received in the period that a figure counts (all petitions, repeats included, unless said)."""


def _collective(scope: Scope):
    """Group visits: people at or above each township's own threshold."""
    return or_(false(), *(
        and_(P.township_id == t.id, P.persons >= int(t.setting("collective_threshold"))) for t in scope.townships
    ))


def _due(start, end, as_of):
    """Petitions whose 办结期限 falls in [start, end] and has passed by as_of, or that were answered already."""
    return and_(P.opinion_due_on >= start, P.opinion_due_on <= end,
                or_(P.opinion_due_on < as_of, P.answered_on.is_not(None)))


def _on_time(start, end, as_of):
    return and_(_due(start, end, as_of), P.answered_on.is_not(None), P.answered_on <= P.opinion_due_on)


def dispute_condition(figure: str, period: Period, scope: Scope):
    """Return the WHERE clause of the disputes a figure counts."""
    if figure not in DISPUTE_CONDITIONS:
        raise DomainError("未知的统计项:%(figure)s", figure=figure)
    return and_(D.township_id.in_(scope.ids), D.registered_on >= period.start, D.registered_on <= period.end,
                NOT_MERGED, DISPUTE_CONDITIONS[figure]())


def petition_condition(figure: str, period: Period, scope: Scope, as_of: date):
    """Return the WHERE clause of the petitions a figure counts."""
    in_scope = P.township_id.in_(scope.ids)
    if figure == "due":
        return and_(in_scope, _due(period.start, period.end, as_of))
    if figure == "on_time":
        return and_(in_scope, _on_time(period.start, period.end, as_of))
    received = and_(in_scope, P.received_on >= period.start, P.received_on <= period.end)
    if figure == "collective":
        return and_(received, _collective(scope))
    if figure not in PETITION_CONDITIONS:
        raise DomainError("未知的统计项:%(figure)s", figure=figure)
    return and_(received, PETITION_CONDITIONS[figure]())


def figure_condition(key: str, period: Period, scope: Scope, as_of: date) -> tuple[type, object]:
    """Return (model, WHERE clause) for "disputes.x" or "petitions.y": the cases behind a figure."""
    section, _, figure = key.partition(".")
    if section == "disputes":
        aliases = {"mediation_rate": "mediated", "success_rate": "succeeded", "performed_rate": "performed",
                   "village_share": "succeeded_village", "within_township_share": "succeeded_within_township",
                   "prevented_criminal_persons": "prevented_criminal",
                   "prevented_group_petition_persons": "prevented_group_petition"}
        return Dispute, dispute_condition(aliases.get(figure, figure), period, scope)
    if section == "petitions":
        aliases = {"persons": "all", "on_time_rate": "on_time", "satisfaction_rate": "satisfied"}
        return Petition, petition_condition(aliases.get(figure, figure), period, scope, as_of)
    raise DomainError("未知的统计项:%(figure)s", figure=key)


# ------------------------------------------------------------ counting
#
# The counting statements are built once and reused with their values as parameters: building and keying a
# fresh statement costs SQLAlchemy more than SQLite takes to run it on a year of a township's cases, so a
# report of ~20 statements was several times the time of the same SQL written by hand (benchmarks/report.py).

_STATEMENTS: dict[tuple, object] = {}


def _statement(key: tuple, build: Callable[[], object]):
    """Return the statement cached under key, building it the first time."""
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS.setdefault(key, build())
    return statement


def _in_period(column, township_column):
    """Rows of the townships :ids whose date column falls in [:start, :end]."""
    return and_(township_column.in_(bindparam("ids", expanding=True)), column >= bindparam("start"),
                column <= bindparam("end"))


def _disputes_in_period():
    return and_(_in_period(D.registered_on, D.township_id), NOT_MERGED)


def _names(model, scope: Scope) -> dict:
    """id -> name of the scope's villages, dispute types or petition categories."""
    statement = _statement(("names", model.__name__), lambda: select(model.id, model.name).where(
        model.township_id.in_(bindparam("ids", expanding=True))))
    return dict(db.session.execute(statement, {"ids": scope.ids}).all())


DISPUTE_COUNTS = ["registered", "not_accepted", "succeeded", "failed", "ended", "in_progress", "performed",
                  "performance_known", "succeeded_village", "prevented_criminal", "prevented_group_petition",
                  "found_by_screening"]


def _dispute_counts_statement():
    columns = [func.count().filter(DISPUTE_CONDITIONS[n]()).label(n) for n in DISPUTE_COUNTS]
    columns += [
        func.count().filter(and_(SUCCEEDED, D.level == wf.Level.TOWNSHIP.value)).label("succeeded_township"),
        func.coalesce(func.sum(D.prevented_criminal_persons).filter(DISPUTE_CONDITIONS["prevented_criminal"]()), 0)
        .label("prevented_criminal_persons"),
        func.coalesce(func.sum(D.prevented_group_petition_persons)
                      .filter(DISPUTE_CONDITIONS["prevented_group_petition"]()), 0)
        .label("prevented_group_petition_persons"),
    ]
    return select(*columns).where(_disputes_in_period())


def _count_disputes(period: Period, scope: Scope) -> tuple[st.DisputeCounts, int]:
    """Count the period's disputes; also return how many were found by screening (for the screening figures)."""
    params = {"ids": scope.ids, "start": period.start, "end": period.end}
    row = db.session.execute(_statement(("disputes",), _dispute_counts_statement), params).one()._asdict()
    found = int(row.pop("found_by_screening"))

    def breakdown(name: str, column, label=lambda v: v, among=REGISTERED) -> dict:
        statement = _statement(("disputes", name), lambda: select(column, func.count()).select_from(D).where(
            _disputes_in_period(), among).group_by(column).order_by(column))
        return _merge((label(value), count) for value, count in db.session.execute(statement, params).all())

    type_names, village_names = _names(DisputeType, scope), _names(Village, scope)
    return st.DisputeCounts(
        **{k: int(v) for k, v in row.items()},
        by_type=breakdown("by_type", D.dispute_type_id, type_names.get),
        by_village=breakdown("by_village", D.village_id, village_names.get),
        by_source=breakdown("by_source", D.source, lambda v: wf.Source(v).label),
        by_channel=breakdown("by_channel", D.channel, lambda v: wf.Channel(v).label),
        by_level=breakdown("by_level", D.level, lambda v: wf.Level(v).label, among=SUCCEEDED),
        by_month={int(m): c for m, c in breakdown("by_month", func.extract("month", D.registered_on)).items()},
    ), found


def _merge(rows) -> dict:
    """Add up breakdown rows (name, count) that share a name (the same type or village name in several townships).

    Rows are pairs, not a dict: a dict keyed by name would already have kept only the last township's count.
    """
    merged: dict[str, int] = {}
    for name, count in rows:
        merged[name] = merged.get(name, 0) + count
    return merged


PETITION_COUNTS = ("received", "repeat", "cross_level", "to_province_or_beijing", "rated", "satisfied", "disruptive")


def _petition_counts_statement(townships: int):
    """The received petitions' counts; group visits compare persons with each township's own threshold."""
    collective = or_(false(), *(
        and_(P.township_id == bindparam(f"township_{i}"), P.persons >= bindparam(f"threshold_{i}"))
        for i in range(townships)))
    columns = [func.count().filter(PETITION_CONDITIONS[n]()).label(n) for n in PETITION_COUNTS]
    columns += [func.coalesce(func.sum(P.persons), 0).label("persons"),
                func.count().filter(collective).label("collective")]
    return select(*columns).where(_in_period(P.received_on, P.township_id))


def _due_statement():
    """Petitions due in the period (by their 办结期限: an index range) and those of them answered in time."""
    due = _due(bindparam("start", type_=P.opinion_due_on.type), bindparam("end", type_=P.opinion_due_on.type),
               bindparam("as_of", type_=P.opinion_due_on.type))
    return select(func.count(), func.count().filter(P.answered_on.is_not(None), P.answered_on <= P.opinion_due_on)
                  ).where(P.township_id.in_(bindparam("ids", expanding=True)), due)


def _count_petitions(period: Period, scope: Scope, as_of: date) -> st.PetitionCounts:
    params = {"ids": scope.ids, "start": period.start, "end": period.end, "as_of": as_of}
    thresholds = {}
    for i, t in enumerate(scope.townships):
        thresholds |= {f"township_{i}": t.id, f"threshold_{i}": int(t.setting("collective_threshold"))}
    count = len(scope.townships)
    statement = _statement(("petitions", count), lambda: _petition_counts_statement(count))
    row = db.session.execute(statement, params | thresholds).one()._asdict()
    due, on_time = db.session.execute(_statement(("petitions", "due"), _due_statement), params).one()

    def breakdown(name: str, column, label) -> dict:
        # 分列的受理件数: the matters counted in `received`, so a repeat petition is not counted twice.
        statement = _statement(("petitions", name), lambda: select(column, func.count()).where(
            _in_period(P.received_on, P.township_id), PETITION_CONDITIONS["received"]()).group_by(column))
        return _merge((label(value), count) for value, count in db.session.execute(statement, params).all())

    village_names, category_names = _names(Village, scope), _names(PetitionCategory, scope)
    return st.PetitionCounts(
        **{k: int(v) for k, v in row.items()}, due=due, on_time=on_time or 0,
        by_channel=breakdown("by_channel", P.channel, lambda v: pw.Channel(v).label),
        by_village=breakdown("by_village", P.village_id, lambda v: village_names.get(v, "未指明村")),
        by_category=breakdown("by_category", P.category_id, category_names.get),
    )


def _count_screening(period: Period, scope: Scope, as_of: date, found: int) -> st.ScreeningCounts:
    end = min(period.end, as_of)
    if end < period.start:
        return st.ScreeningCounts(due=0, held=0, nil=0, found=0)
    totals = [_screening_compliance(t, period.start, end, as_of) for t in scope.townships]
    return st.ScreeningCounts(due=sum(c.due for c in totals), held=sum(c.held for c in totals),
                              nil=sum(c.nil for c in totals), found=found)


def _rounds_statement():
    R = ScreeningRound
    nil = ~select(ScreeningFinding.id).where(ScreeningFinding.round_id == R.id).exists()
    return select(R.level, R.village_id, R.held_on, nil).where(
        R.township_id == bindparam("township"), R.held_on >= bindparam("start", type_=R.held_on.type),
        R.held_on <= bindparam("end", type_=R.held_on.type)).order_by(R.held_on)


def _intensified_statement():
    I = IntensifiedPeriod  # noqa: E741
    return select(I.name, I.starts_on, I.ends_on, I.interval, I.applies_to).where(
        I.township_id == bindparam("township"), I.starts_on <= bindparam("end", type_=I.starts_on.type),
        I.ends_on >= bindparam("start", type_=I.ends_on.type)).order_by(I.starts_on)


def _screening_compliance(township: Township, start: date, end: date, today: date) -> sc.Compliance:
    """Count what screening.board(township, start, end, today).overall counts, without building the board.

    The same schedule (the township's intervals, and its intensified periods as screening.intensified_periods
    reads them) and the same cell rule (domain.screening.cell_status); but the rounds are read as
    (unit, date, nil) rows rather than loaded as objects with their findings, and each period looks only at
    its own unit's rounds within its dates (bisect over the sorted dates) instead of at every round of the
    unit. A year's board for a township of 7 villages is ~400 periods × ~50 rounds each, which made the
    screening figures most of the report's time. tests/reports/test_figures.py holds the two equal.
    """
    intense = db.session.execute(_statement(("screening", "intensified"), _intensified_statement),
                                 {"township": township.id, "start": start, "end": end}).all()
    periods = {level: sc.schedule(start, end, screening.interval_for(township, level),
                                  [sc.IntensePeriod(name, starts, ends, interval)
                                   for name, starts, ends, interval, applies_to in intense
                                   if applies_to in (level, "both")])
               for level in ("village", "township")}
    window_start = min(p.start for level in periods.values() for p in level)
    window_end = max(p.end for level in periods.values() for p in level)
    rounds: dict[tuple[str, int | None], list[sc.RoundRecord]] = {}
    for level, village_id, held_on, is_nil in db.session.execute(
            _statement(("screening", "rounds"), _rounds_statement),
            {"township": township.id, "start": window_start, "end": window_end}):
        unit = (level, village_id if level == "village" else None)
        rounds.setdefault(unit, []).append(sc.RoundRecord(held_on, bool(is_nil)))
    village_ids = db.session.execute(_statement(("screening", "villages"), lambda: select(Village.id).where(
        Village.township_id == bindparam("township"))), {"township": township.id}).scalars()
    units = [(periods["village"], rounds.get(("village", v), [])) for v in village_ids]
    units.append((periods["township"], rounds.get(("township", None), [])))
    return sc.combine(sc.compliance(_cells(unit_periods, records, today)) for unit_periods, records in units)


def _cells(periods: list[sc.Period], records: list[sc.RoundRecord], today: date):
    """Each period's cell status, given only the rounds held within its dates (records sorted by date)."""
    days = [r.held_on for r in records]
    for p in periods:
        yield sc.cell_status(p, records[bisect_left(days, p.start):bisect_right(days, p.end)], today)


def figures(period: Period, scope: Scope, as_of: date) -> dict:
    """Return the report's figures in the JSON contract's shape, with every definition."""
    disputes, found = _count_disputes(period, scope)
    return {
        "year": period.year,
        "period": period.key,
        "township": scope.name,
        "disputes": st.dispute_figures(disputes),
        "petitions": st.petition_figures(_count_petitions(period, scope, as_of)),
        "screening": st.screening_figures(_count_screening(period, scope, as_of, found)),
        "definitions": dict(st.DEFINITIONS),
    }


def closures_by_month(period: Period, scope: Scope) -> dict[int, int]:
    """Count disputes whose mediation concluded in each month of the period (for the intake/closure chart)."""
    month = func.extract("month", D.closed_on)
    rows = db.session.execute(
        select(month, func.count()).where(
            D.township_id.in_(scope.ids), D.closed_on >= period.start, D.closed_on <= period.end,
            D.outcome.is_not(None), NOT_MERGED,
        ).group_by(month)
    ).all()
    return {int(m): c for m, c in rows}


def case_ids(period: Period, scope: Scope) -> tuple[list[int], list[int]]:
    """Return the ids of the disputes and petitions registered in the period, for the case lists."""
    disputes = db.session.execute(select(D.id).where(dispute_condition("registered", period, scope))
                                  .order_by(D.registered_on, D.id)).scalars().all()
    petitions = db.session.execute(select(P.id).where(petition_condition("all", period, scope, period.end))
                                   .order_by(P.received_on, P.id)).scalars().all()
    return list(disputes), list(petitions)


def is_nil_return(figures: dict) -> bool:
    """Tell whether a monthly return is a nil return (零报告): nothing registered, received or found."""
    d, p, s = figures["disputes"], figures["petitions"], figures["screening"]
    return d["registered"] + d["not_accepted"] == 0 and p["received"] + p["repeat"] == 0 and s["found"] == 0
