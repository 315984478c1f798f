"""Count the year's (month's, quarter's) figures with SQL aggregates, and say which cases each counts.

Every figure is a condition on one table (disputes or petitions) within the period and scope; the
same condition counts the figure here and lists its cases in the queue (?figure=...), so a number
can always be checked case by case.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, false, func, or_, select, true

from casetrack.domain import petition_workflow as pw
from casetrack.domain import statistics as st
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import Dispute, DisputeType, Petition, PetitionCategory, Township, Village
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
        raise DomainError(f"统计期间“{key}”无效,应为 2025、2025-03 或 2025-q1。") from bad


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


def _due(period: Period, as_of: date):
    """Petitions whose 办结期限 falls in the period and has passed, or that were answered already."""
    return and_(P.opinion_due_on >= period.start, P.opinion_due_on <= period.end,
                or_(P.opinion_due_on < as_of, P.answered_on.is_not(None)))


def _on_time(period: Period, as_of: date):
    return and_(_due(period, as_of), P.answered_on.is_not(None), P.answered_on <= P.opinion_due_on)


def dispute_condition(figure: str, period: Period, scope: Scope):
    """Return the WHERE clause of the disputes a figure counts."""
    if figure not in DISPUTE_CONDITIONS:
        raise DomainError(f"未知的统计项:{figure}")
    return and_(D.township_id.in_(scope.ids), D.registered_on >= period.start, D.registered_on <= period.end,
                NOT_MERGED, DISPUTE_CONDITIONS[figure]())


def petition_condition(figure: str, period: Period, scope: Scope, as_of: date):
    """Return the WHERE clause of the petitions a figure counts."""
    in_scope = P.township_id.in_(scope.ids)
    if figure == "due":
        return and_(in_scope, _due(period, as_of))
    if figure == "on_time":
        return and_(in_scope, _on_time(period, as_of))
    received = and_(in_scope, P.received_on >= period.start, P.received_on <= period.end)
    if figure == "collective":
        return and_(received, _collective(scope))
    if figure not in PETITION_CONDITIONS:
        raise DomainError(f"未知的统计项:{figure}")
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
    raise DomainError(f"未知的统计项:{key}")


# ------------------------------------------------------------ counting

def _count_disputes(period: Period, scope: Scope) -> st.DisputeCounts:
    base = and_(D.township_id.in_(scope.ids), D.registered_on >= period.start, D.registered_on <= period.end,
                NOT_MERGED)
    names = ["registered", "not_accepted", "succeeded", "failed", "ended", "in_progress", "performed",
             "performance_known", "succeeded_village", "prevented_criminal", "prevented_group_petition"]
    columns = [func.count().filter(DISPUTE_CONDITIONS[n]()).label(n) for n in names]
    columns += [
        func.count().filter(and_(SUCCEEDED, D.level == wf.Level.TOWNSHIP.value)).label("succeeded_township"),
        func.coalesce(func.sum(D.prevented_criminal_persons).filter(DISPUTE_CONDITIONS["prevented_criminal"]()), 0)
        .label("prevented_criminal_persons"),
        func.coalesce(func.sum(D.prevented_group_petition_persons)
                      .filter(DISPUTE_CONDITIONS["prevented_group_petition"]()), 0)
        .label("prevented_group_petition_persons"),
    ]
    row = db.session.execute(select(*columns).where(base)).one()._asdict()

    def breakdown(column, label=lambda v: v, among=REGISTERED) -> dict:
        rows = db.session.execute(
            select(column, func.count()).select_from(D).where(base, among).group_by(column).order_by(column)
        ).all()
        return _merge((label(value), count) for value, count in rows)

    type_names = dict(db.session.execute(select(DisputeType.id, DisputeType.name)
                                         .where(DisputeType.township_id.in_(scope.ids))).all())
    village_names = dict(db.session.execute(select(Village.id, Village.name)
                                            .where(Village.township_id.in_(scope.ids))).all())
    month = func.extract("month", D.registered_on)
    return st.DisputeCounts(
        **{k: int(v) for k, v in row.items()},
        by_type=breakdown(D.dispute_type_id, type_names.get),
        by_village=breakdown(D.village_id, village_names.get),
        by_source=breakdown(D.source, lambda v: wf.Source(v).label),
        by_channel=breakdown(D.channel, lambda v: wf.Channel(v).label),
        by_level=breakdown(D.level, lambda v: wf.Level(v).label, among=SUCCEEDED),
        by_month={int(m): c for m, c in db.session.execute(
            select(month, func.count()).where(base, REGISTERED).group_by(month)).all()},
    )


def _merge(rows) -> dict:
    """Add up breakdown rows (name, count) that share a name (the same type or village name in several townships).

    Rows are pairs, not a dict: a dict keyed by name would already have kept only the last township's count.
    """
    merged: dict[str, int] = {}
    for name, count in rows:
        merged[name] = merged.get(name, 0) + count
    return merged


def _count_petitions(period: Period, scope: Scope, as_of: date) -> st.PetitionCounts:
    received = and_(P.township_id.in_(scope.ids), P.received_on >= period.start, P.received_on <= period.end)
    columns = [func.count().filter(PETITION_CONDITIONS[n]()).label(n)
               for n in ("received", "repeat", "cross_level", "to_province_or_beijing", "rated", "satisfied",
                         "disruptive")]
    columns += [func.coalesce(func.sum(P.persons), 0).label("persons"),
                func.count().filter(_collective(scope)).label("collective")]
    row = db.session.execute(select(*columns).where(received)).one()._asdict()
    in_scope = P.township_id.in_(scope.ids)
    due, on_time = db.session.execute(select(
        func.count().filter(_due(period, as_of)), func.count().filter(_on_time(period, as_of))
    ).where(in_scope)).one()

    def breakdown(column, label) -> dict:
        # 分列的受理件数: the matters counted in `received`, so a repeat petition is not counted twice.
        rows = db.session.execute(select(column, func.count()).where(received, PETITION_CONDITIONS["received"]())
                                  .group_by(column)).all()
        return _merge((label(value), count) for value, count in rows)

    village_names = dict(db.session.execute(select(Village.id, Village.name)
                                            .where(Village.township_id.in_(scope.ids))).all())
    category_names = dict(db.session.execute(select(PetitionCategory.id, PetitionCategory.name)
                                             .where(PetitionCategory.township_id.in_(scope.ids))).all())
    return st.PetitionCounts(
        **{k: int(v) for k, v in row.items()}, due=due, on_time=on_time,
        by_channel=breakdown(P.channel, lambda v: pw.Channel(v).label),
        by_village=breakdown(P.village_id, lambda v: village_names.get(v, "未指明村")),
        by_category=breakdown(P.category_id, category_names.get),
    )


def _count_screening(period: Period, scope: Scope, as_of: date) -> st.ScreeningCounts:
    end = min(period.end, as_of)
    if end < period.start:
        return st.ScreeningCounts(due=0, held=0, nil=0, found=0)
    totals = [screening.board(t, period.start, end, as_of).overall for t in scope.townships]
    found = db.session.execute(select(func.count()).select_from(D).where(
        dispute_condition("found_by_screening", period, scope))).scalar_one()
    return st.ScreeningCounts(due=sum(c.due for c in totals), held=sum(c.held for c in totals),
                              nil=sum(c.nil for c in totals), found=found)


def figures(period: Period, scope: Scope, as_of: date) -> dict:
    """Return the report's figures in the JSON contract's shape, with every definition."""
    return {
        "year": period.year,
        "period": period.key,
        "township": scope.name,
        "disputes": st.dispute_figures(_count_disputes(period, scope)),
        "petitions": st.petition_figures(_count_petitions(period, scope, as_of)),
        "screening": st.screening_figures(_count_screening(period, scope, as_of)),
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
