"""The county's roll-up (汇总): each township's headline figures side by side, and the county's total.

Every number comes from services.statistics.figures, the very code behind each township's own report
(/reports/<year>), over the township alone (a row) or over all the county's townships at once (the total): a
township's row is its own report's figure, and the total counts the county's cases by the same definitions
(domain.figures), rates included — never an average of the townships' rates.
"""

from dataclasses import dataclass, field
from datetime import date

from casetrack import permissions
from casetrack.domain import statistics as st
from casetrack.domain.errors import N_
from casetrack.domain.figures import FIGURES, RATE_KEYS
from casetrack.domain.periods import Period
from casetrack.models import Township
from casetrack.services import statistics as stats

HEADLINE = (
    "disputes.accepted",  # 受理
    "disputes.mediated",  # 调处
    "disputes.village_township.mediation_rate",  # 调处率
    "disputes.village_township.success_rate",  # 调解成功率
    "disputes.village_share",  # 村级化解占比
    "petitions.accepted",  # 信访受理
    "petitions.on_time_rate",  # 按期办结率
    "screening.rate",  # 排查完成率
)
"""The figures of the county table, in its column order (labels and definitions from domain.figures)."""

COLUMN_LABELS = {"disputes.accepted": N_("受理"), "disputes.mediated": N_("调处"), "petitions.accepted": N_("信访受理")}
"""Shorter column heads where the catalogue's label is long; the others are the catalogue's own."""


def column_label(key: str) -> str:
    return COLUMN_LABELS.get(key, FIGURES[key].label)


@dataclass
class Row:
    """One township's (or the county's) headline figures, and those below the township's own targets."""

    township: Township | None
    values: dict[str, int | float | None]
    missed: set[str] = field(default_factory=set)
    targets: dict[str, float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.township.name if self.township else "合计"


@dataclass
class Rollup:
    period: Period
    rows: list[Row]
    total: Row
    as_at: str
    complete: bool


def headline(figures: dict) -> dict[str, int | float | None]:
    """Pick the headline figures out of a report's figures."""
    flat = st.scalar_figures({k: figures[k] for k in st.SECTIONS})
    return {key: flat.get(key) for key in HEADLINE}


def rollup(period: Period, townships: list[Township], as_of: date, sort: str = "", descending: bool = True) -> Rollup:
    """Count each township's headline figures and the county's total for the period, as at its end (or as_of)."""
    rows = []
    # The figures count only these townships (their ids are in every statement), which the caller has taken from
    # the user's reach; the reach hook's criteria would only repeat that limit on every statement, and an IN
    # over a county's townships added to each costs more than the counting itself (benchmarks/county.py).
    with permissions.county_wide():
        for township in townships:
            figures = stats.figures(period, stats.Scope((township,)), as_of)
            targets = {k: v for k, v in (township.setting("targets") or {}).items() if k in HEADLINE}
            rows.append(Row(township, headline(figures), st.targets_missed(figures, targets), targets))
        county = stats.figures(period, stats.Scope(tuple(townships), all_townships=True), as_of) if townships \
            else None
    if county is None:
        county = {"as_at": min(period.end, as_of).isoformat(), "complete": as_of >= period.end}
    total = Row(None, headline(county) if townships else dict.fromkeys(HEADLINE))
    if sort in HEADLINE:
        rows = sort_rows(rows, sort, descending)
    return Rollup(period, rows, total, county["as_at"], county["complete"])


def sort_rows(rows: list[Row], key: str, descending: bool = True) -> list[Row]:
    """Order rows by one figure; a figure with no value (a rate of nothing) goes last either way."""
    known = [r for r in rows if r.values.get(key) is not None]
    unknown = [r for r in rows if r.values.get(key) is None]
    known.sort(key=lambda r: (r.values[key], -r.township.id if descending else r.township.id), reverse=descending)
    return known + unknown


def shown(key: str, value) -> str:
    """A figure as the table shows it: a rate as a percent, a count as a number, nothing as —."""
    if key in RATE_KEYS:
        return st.format_rate(value)
    return "—" if value is None else str(value)
