"""Count the year's (month's, quarter's) figures with SQL aggregates, and say which cases each counts.

A period's figures count the cases registered (received) in it, each as it stood at the period's end, or on the
day the report is made when that is earlier (``cut``): two runs for a closed period give the same figures.
Every figure is a condition on one table (disputes or petitions) within the period and scope
(``services.figure_conditions``); the same condition counts the figure here and lists its cases in the queue
(?figure=...), so a number can always be checked case by case.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, and_, bindparam, case, false, func, or_, select, text

from casetrack import clock
from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain import statistics as st
from casetrack.domain import warnings as warning_rules
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.domain.figures import AS_AT, DEFINITIONS
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    DisputeType,
    IntensifiedPeriod,
    NaturalVillage,
    Petition,
    PetitionCategory,
    RiskWarning,
    Township,
    Village,
    WarningEvent,
)
from casetrack.services import figure_conditions as fc
from casetrack.services import screening_figures, time_limits

# The tests and benchmarks name periods through this module; the application uses domain.periods.Period.
year_period, quarter_period, month_period = Period.of_year, Period.of_quarter, Period.of_month
parse_period, previous_period = Period.parse, Period.previous


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


def cut_of(period: Period, as_of: date) -> date:
    """The day the period's cases are counted as at: its last day, or the report's day when earlier."""
    return min(period.end, as_of)


def _collective(scope: Scope, visits: bool = True):
    """Group visits (来访) of at least each township's own threshold; or, visits=False, as many on other channels."""
    channel = P.channel == pw.Channel.VISIT.value if visits else P.channel != pw.Channel.VISIT.value
    return and_(channel, or_(false(), *(
        and_(P.township_id == t.id, P.persons >= int(t.setting("collective_threshold"))) for t in scope.townships
    )))


def _due(start, end, as_of):
    """Petitions whose 办结期限 falls in [start, end] and has passed by as_of, or that were answered already."""
    return and_(P.opinion_due_on >= start, P.opinion_due_on <= end,
                or_(P.opinion_due_on < as_of, P.answered_on.is_not(None)))


def _on_time(start, end, as_of):
    return and_(_due(start, end, as_of), P.answered_on.is_not(None), P.answered_on <= P.opinion_due_on)


def dispute_condition(figure: str, period: Period, scope: Scope, as_of: date | None = None):
    """Return the WHERE clause of the disputes a figure counts, as at the period's end (or as_of when earlier)."""
    if figure not in fc.DISPUTE_CONDITIONS:
        raise DomainError("未知的统计项:%(figure)s", figure=figure)
    cut = cut_of(period, as_of or period.end)
    return and_(D.township_id.in_(scope.ids), D.registered_on >= period.start, D.registered_on <= cut,
                D.not_merged, fc.DISPUTE_CONDITIONS[figure](cut))


def petition_condition(figure: str, period: Period, scope: Scope, as_of: date):
    """Return the WHERE clause of the petitions a figure counts."""
    in_scope = P.township_id.in_(scope.ids)
    if figure == "due":
        return and_(in_scope, _due(period.start, period.end, as_of))
    if figure == "on_time":
        return and_(in_scope, _on_time(period.start, period.end, as_of))
    received = and_(in_scope, P.received_on >= period.start, P.received_on <= cut_of(period, as_of))
    if figure in ("collective", "collective_other"):
        return and_(received, _collective(scope, visits=figure == "collective"))
    if figure == "timely_decided":
        return P.id.in_(_timely_decided_ids(period, scope, as_of) or [-1])
    if figure not in fc.PETITION_CONDITIONS:
        raise DomainError("未知的统计项:%(figure)s", figure=figure)
    return and_(received, fc.PETITION_CONDITIONS[figure](cut_of(period, as_of)))


def figure_condition(key: str, period: Period, scope: Scope, as_of: date) -> tuple[type, object]:
    """Return (model, WHERE clause) for "disputes.x" or "petitions.y": the cases behind a figure."""
    section, _, figure = key.partition(".")
    if section == "disputes":
        return Dispute, dispute_condition(fc.DISPUTE_ALIASES.get(figure, figure), period, scope, as_of)
    if section == "petitions":
        return Petition, petition_condition(fc.PETITION_ALIASES.get(figure, figure), period, scope, as_of)
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


def _cut():
    return bindparam("cut", type_=Date())


def _in_period(column, township_column):
    """Rows of the townships :ids whose date column falls in [:start, :end]."""
    return and_(township_column.in_(bindparam("ids", expanding=True)), column >= bindparam("start", type_=Date()),
                column <= bindparam("end", type_=Date()))


def _disputes_in_period():
    return and_(_in_period(D.registered_on, D.township_id), D.not_merged)


def _names(model, scope: Scope) -> dict:
    """id -> name of the scope's villages, dispute types or petition categories."""
    statement = _statement(("names", model.__name__), lambda: select(model.id, model.name).where(
        model.township_id.in_(bindparam("ids", expanding=True))))
    return dict(db.session.execute(statement, {"ids": scope.ids}).all())


DISPUTE_COUNTS = ["registered", "accepted", "pending_decision", "not_accepted", "succeeded", "failed", "ended",
                  "in_progress", "performed", "performance_known", "succeeded_village", "succeeded_township",
                  "vt_accepted", "vt_mediated", "vt_succeeded", "major", "major_responsible", "legal_aid",
                  "judicial_applied", "judicial_confirmed", "judicial_rejected", "judicial_withdrawn",
                  "prevented_criminal", "prevented_group_petition",
                  # referrals in and out, 不予受理 grounds, objections, agreement forms (issue 19)
                  "referred_in", "court_docking", "police_docking", "petition_docking",
                  *(f"referred_out_{r.value}" for r in wf.ReferralOut),
                  *(f"not_accepted_{g.value}" for g in wf.NotAcceptedGround),
                  "objected", "written_agreements", "oral_agreements"]


def _dispute_counts_statement():
    cut = _cut()
    columns = [func.count().filter(fc.DISPUTE_CONDITIONS[n](cut)).label(n) for n in DISPUTE_COUNTS]
    columns += [
        func.coalesce(func.sum(D.prevented_criminal_persons).filter(
            fc.DISPUTE_CONDITIONS["prevented_criminal"](cut)), 0).label("prevented_criminal_persons"),
        func.coalesce(func.sum(D.prevented_group_petition_persons).filter(
            fc.DISPUTE_CONDITIONS["prevented_group_petition"](cut)), 0).label("prevented_group_petition_persons"),
        func.coalesce(func.sum(D.agreement_amount_fen).filter(
            fc.DISPUTE_CONDITIONS["agreement_amount"](cut)), 0).label("agreement_amount_fen"),
    ]
    return select(*columns).where(_disputes_in_period())


def _count_disputes(period: Period, scope: Scope, cut: date) -> st.DisputeCounts:
    """Count the period's disputes as at the cut."""
    params = {"ids": scope.ids, "start": period.start, "end": cut, "cut": cut}  # registered by the cut
    row = db.session.execute(_statement(("disputes",), _dispute_counts_statement), params).one()._asdict()

    def breakdown(name: str, column, label=lambda v: v, among=fc.registered) -> dict:
        # Grouped by position: an expression with constants (the level as at the cut) written twice would carry
        # different bound parameters, which PostgreSQL does not take for the same expression.
        statement = _statement(("disputes", name), lambda: select(column(_cut()), func.count()).select_from(D).where(
            _disputes_in_period(), among(_cut())).group_by(text("1")).order_by(text("1")))
        return _merge((label(value), count) for value, count in db.session.execute(statement, params).all())

    type_names, village_names = _names(DisputeType, scope), _names(Village, scope)
    return st.DisputeCounts(
        **{k: int(v) for k, v in row.items()},
        by_type=breakdown("by_type", lambda _c: D.dispute_type_id, type_names.get),
        by_village=breakdown("by_village", lambda _c: D.village_id, village_names.get),
        by_source=breakdown("by_source", lambda _c: D.source, lambda v: wf.Source(v).label),
        by_channel=breakdown("by_channel", lambda _c: D.channel, lambda v: wf.Channel(v).label),
        by_referral_origin=breakdown("by_referral_origin", lambda _c: D.referral_origin,
                                     lambda v: wf.ReferralOrigin(v).label if v else "未注明",
                                     among=fc.DISPUTE_CONDITIONS["referred_in"]),
        by_level=breakdown("by_level", fc.level_at, lambda v: wf.Level(v).label, among=fc.DISPUTE_CONDITIONS["succeeded"]),
        by_month={int(m): c for m, c in breakdown(
            "by_month", lambda _c: func.extract("month", D.registered_on)).items()},
    )


def _merge(rows) -> dict:
    """Add up breakdown rows (name, count) that share a name (the same type or village name in several townships).

    Rows are pairs, not a dict: a dict keyed by name would already have kept only the last township's count.
    """
    merged: dict[str, int] = {}
    for name, count in rows:
        merged[name] = merged.get(name, 0) + count
    return merged


PETITION_COUNTS = ("received", "repeat", "accepted", "forwarded", "not_accepted", "undecided", "cross_level",
                   "to_province_or_beijing", "answered", "rated", "satisfied", "disruptive", "visits", "supervised",
                   "routed", "from_above", "assigned", "police_referred", "leader_visits")


def _petition_counts_statement(townships: int):
    """The received petitions' counts; group visits compare persons with each township's own threshold."""
    many = or_(false(), *(
        and_(P.township_id == bindparam(f"township_{i}"), P.persons >= bindparam(f"threshold_{i}"))
        for i in range(townships)))
    visit = P.channel == pw.Channel.VISIT.value
    cut = _cut()
    columns = [func.count().filter(fc.PETITION_CONDITIONS[n](cut)).label(n) for n in PETITION_COUNTS]
    columns += [func.coalesce(func.sum(P.persons), 0).label("persons"),
                func.coalesce(func.sum(P.persons).filter(visit), 0).label("visit_persons"),
                func.count().filter(and_(many, visit)).label("collective"),
                func.count().filter(and_(many, ~visit)).label("collective_other"),
                func.coalesce(func.sum(P.persons).filter(fc.PETITION_CONDITIONS["leader_visits"](cut)), 0)
                .label("leader_visit_persons"),
                # 领导接访日: the days on which a leader received visits (one day with two leaders is one day)
                func.count(func.distinct(case((fc.PETITION_CONDITIONS["leader_visits"](cut), P.received_on))))
                .label("leader_reception_days")]
    return select(*columns).where(_in_period(P.received_on, P.township_id))


def _due_statement():
    """Petitions due in the period (by their 办结期限: an index range) and those of them answered in time."""
    due = _due(bindparam("start", type_=P.opinion_due_on.type), bindparam("due_end", type_=P.opinion_due_on.type),
               bindparam("as_of", type_=P.opinion_due_on.type))
    return select(func.count(), func.count().filter(P.answered_on.is_not(None), P.answered_on <= P.opinion_due_on)
                  ).where(P.township_id.in_(bindparam("ids", expanding=True)), due)


def _decisions_statement():
    """The received matters decided by the cut: when received and when decided, to judge the 15-day limit."""
    return select(P.id, P.township_id, P.received_on, P.decided_on).where(
        _in_period(P.received_on, P.township_id), fc.PETITION_CONDITIONS["decided"](_cut()))


def _timely_decided_ids(period: Period, scope: Scope, as_of: date) -> list[int]:
    """The matters decided within 15 days of receipt (期满日遇休息日顺延, the township's deadline policy)."""
    params = {"ids": scope.ids, "start": period.start, "end": cut_of(period, as_of), "cut": cut_of(period, as_of)}
    policies = {t.id: time_limits.policy_for(t) for t in scope.townships}
    limits: dict[tuple[int, date], date] = {}
    timely = []
    for petition_id, township_id, received_on, decided_on in db.session.execute(
            _statement(("petitions", "decisions"), _decisions_statement), params):
        key = (township_id, received_on)
        if key not in limits:  # a year has at most 366 receipt days: the calendar is consulted once for each
            limits[key] = dl.petition_acceptance_deadline(received_on, policies[township_id]).due
        if decided_on <= limits[key]:
            timely.append(petition_id)
    return timely


def _count_petitions(period: Period, scope: Scope, as_of: date) -> st.PetitionCounts:
    cut = cut_of(period, as_of)  # received by the cut
    params = {"ids": scope.ids, "start": period.start, "end": cut, "due_end": period.end, "as_of": as_of, "cut": cut}
    thresholds = {}
    for i, t in enumerate(scope.townships):
        thresholds |= {f"township_{i}": t.id, f"threshold_{i}": int(t.setting("collective_threshold"))}
    count = len(scope.townships)
    statement = _statement(("petitions", count), lambda: _petition_counts_statement(count))
    row = db.session.execute(statement, params | thresholds).one()._asdict()
    due, on_time = db.session.execute(_statement(("petitions", "due"), _due_statement), params).one()

    def breakdown(name: str, column, label) -> dict:
        # 分列的收到件数: the matters counted in `received`, so a repeat petition is not counted twice.
        statement = _statement(("petitions", name), lambda: select(column, func.count()).where(
            _in_period(P.received_on, P.township_id), fc.FIRST).group_by(column))
        return _merge((label(value), count) for value, count in db.session.execute(statement, params).all())

    village_names, category_names = _names(Village, scope), _names(PetitionCategory, scope)
    return st.PetitionCounts(
        **{k: int(v) for k, v in row.items()}, due=due, on_time=on_time or 0,
        timely_decided=len(_timely_decided_ids(period, scope, as_of)),
        quiet_periods=_quiet_periods(period, scope, cut),
        by_channel=breakdown("by_channel", P.channel, lambda v: pw.Channel(v).label),
        by_village=breakdown("by_village", P.village_id, lambda v: village_names.get(v, "未指明村")),
        by_category=breakdown("by_category", P.category_id, category_names.get),
    )


def _quiet_periods(period: Period, scope: Scope, cut: date) -> tuple[str, ...]:
    """The named periods (春节, 全国两会 …) begun in the period and ended by the cut in which no petition of the scope
    reached 省 or 进京, in date order.

    One not yet over is not claimed (a petition may still come). Townships name their own periods: a name shared by
    several townships of a county report is claimed only when every one of its periods was quiet.
    """
    named = db.session.execute(select(IntensifiedPeriod.name, IntensifiedPeriod.starts_on, IntensifiedPeriod.ends_on)
                               .where(IntensifiedPeriod.township_id.in_(scope.ids),
                                      IntensifiedPeriod.starts_on >= period.start, IntensifiedPeriod.ends_on <= cut)
                               .order_by(IntensifiedPeriod.starts_on, IntensifiedPeriod.id)).all()
    quiet: dict[str, bool] = {}
    for name, starts_on, ends_on in named:
        reached = db.session.execute(select(func.count()).select_from(P).where(
            P.township_id.in_(scope.ids), P.received_on >= starts_on, P.received_on <= ends_on,
            fc.PETITION_CONDITIONS["to_province_or_beijing"](cut))).scalar_one()
        quiet[name] = quiet.get(name, True) and not reached
    return tuple(name for name, was_quiet in quiet.items() if was_quiet)


def _count_warnings(period: Period, scope: Scope, cut: date) -> st.WarningCounts:
    """Count the early warnings (预警) raised in the period, each at its level as at the cut (domain.warnings.tally)."""
    rows = db.session.execute(select(RiskWarning.id, RiskWarning.since, RiskWarning.resolved_on).where(
        RiskWarning.township_id.in_(scope.ids), RiskWarning.since >= period.start, RiskWarning.since <= cut)).all()
    levels: dict[int, list] = {r.id: [] for r in rows}
    if levels:
        for warning_id, at, level in db.session.execute(
                select(WarningEvent.warning_id, WarningEvent.at, WarningEvent.level).where(
                    WarningEvent.warning_id.in_(list(levels)), WarningEvent.action.in_(("raised", "changed")))
                .order_by(WarningEvent.warning_id, WarningEvent.id)):
            levels[warning_id].append((clock.to_beijing(at).date(), level))
    raised = [warning_rules.RaisedWarning(r.since, r.resolved_on, tuple(levels[r.id])) for r in rows]
    return st.WarningCounts(**warning_rules.tally(raised, period.start, cut))


def grid(scope: Scope) -> dict[str, int]:
    """The three-level grid (乡、村、自然村网格): how many cells of each level the scope has."""
    villages = db.session.execute(select(func.count()).select_from(Village).where(
        Village.township_id.in_(scope.ids))).scalar_one()
    natural = db.session.execute(select(func.count()).select_from(NaturalVillage).join(Village).where(
        Village.township_id.in_(scope.ids))).scalar_one()
    return {"townships": len(scope.ids), "villages": villages, "natural_villages": natural}


def comparable(previous: Period, scope: Scope) -> bool:
    """Compare with the previous period only when casetrack holds all of it: each township's first record is on or
    before the previous period's first day (a township that began within it holds only part of its cases)."""
    days = [d for d in (screening_figures.first_record(t) for t in scope.townships) if d is not None]
    return bool(days) and max(days) <= previous.start


def figures(period: Period, scope: Scope, as_of: date) -> dict:
    """Return the report's figures in the JSON contract's shape, with every definition."""
    cut = cut_of(period, as_of)
    return {
        "year": period.year,
        "period": period.key,
        "township": scope.name,
        "as_at": cut.isoformat(),
        "complete": cut >= period.end,
        "disputes": st.dispute_figures(_count_disputes(period, scope, cut)),
        "petitions": st.petition_figures(_count_petitions(period, scope, as_of)),
        "screening": st.screening_figures(screening_figures.count(period.start, period.end, scope.townships, as_of)),
        "warnings": st.warning_figures(_count_warnings(period, scope, cut)),
        "grid": grid(scope),
        "definitions": {"as_at": AS_AT, **DEFINITIONS},
    }


def closures_by_month(period: Period, scope: Scope, as_of: date | None = None) -> dict[int, int]:
    """Count the period's disputes whose mediation concluded in each month by the cut (for the intake/closure chart)."""
    month = func.extract("month", D.closed_on)
    cut = cut_of(period, as_of or period.end)
    rows = db.session.execute(
        select(month, func.count()).where(
            D.township_id.in_(scope.ids), D.closed_on >= period.start, D.closed_on <= cut,
            D.outcome.is_not(None), D.not_merged,
        ).group_by(month)
    ).all()
    return {int(m): c for m, c in rows}


def case_ids(period: Period, scope: Scope, as_of: date | None = None) -> tuple[list[int], list[int]]:
    """Return the ids of the disputes and petitions registered in the period, for the case lists."""
    disputes = db.session.execute(select(D.id).where(dispute_condition("registered", period, scope, as_of))
                                  .order_by(D.registered_on, D.id)).scalars().all()
    petitions = db.session.execute(select(P.id).where(petition_condition("all", period, scope, as_of or period.end))
                                   .order_by(P.received_on, P.id)).scalars().all()
    return list(disputes), list(petitions)


def is_nil_return(figures: dict) -> bool:
    """Tell whether a monthly return is a nil return (零报告): nothing registered, received or found."""
    d, p, s = figures["disputes"], figures["petitions"], figures["screening"]
    return (d["registered"] + d["not_accepted"] == 0 and p["received"] + p["repeat"] == 0
            and s.get("findings", s["found"]) == 0)
