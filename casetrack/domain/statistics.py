"""Figures for the annual report (年度统计): definitions, formulas and comparisons.

Pure Python.  The database layer counts cases with SQL aggregates for one year
and hands the plain counts in as ``DisputeCounts``, ``PetitionCounts`` and
``ScreeningCounts``; this module turns them into JSON-shaped figure dicts with
the rates, and compares figure sets (targets, frozen snapshots, last year).

Naming: a whole report's figures are ``{"year": ..., "township": ...,
"disputes": {...}, "petitions": {...}, "screening": {...}}`` and one figure is
addressed as ``"section.key"``, e.g. ``"disputes.mediation_rate"``.  That form
keys ``DEFINITIONS``, ``LABELS``, the targets of ``targets_missed`` and the
results of ``scalar_figures``, ``drift`` and ``change``.

Rates are fractions in [0, 1] (``None`` when the denominator is 0); only
``format_rate`` turns them into percent text.  Breakdown dicts (``by_*``) are
copied as given; ``by_month`` keeps int keys 1-12 (JSON turns them into
strings), sorted by month.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

SECTIONS = ("disputes", "petitions", "screening")


def _check_counts(counts: object) -> None:
    for f in fields(counts):
        value = getattr(counts, f.name)
        if isinstance(value, int) and value < 0:
            raise ValueError(f"{type(counts).__name__}.{f.name} must not be negative: {value}")


@dataclass(frozen=True)
class DisputeCounts:
    """Plain counts of one year's disputes, by registration date."""

    registered: int  # registered in the period, excluding 不予受理
    not_accepted: int  # 不予受理
    succeeded: int  # 调解成功
    failed: int  # 调解不成
    ended: int  # 终止
    in_progress: int  # registered - concluded
    performed: int  # agreements performed (已履行)
    performance_known: int  # agreements whose performance is known (已履行/部分履行/未履行)
    succeeded_village: int  # successful, ended at village level
    succeeded_township: int  # successful, ended at township level
    prevented_criminal: int
    prevented_criminal_persons: int
    prevented_group_petition: int
    prevented_group_petition_persons: int
    by_type: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_month: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_counts(self)


@dataclass(frozen=True)
class PetitionCounts:
    """Plain counts of one year's petitions; repeat petitions are not in ``received``."""

    received: int  # matters (件), repeats excluded
    persons: int  # 人次
    collective: int  # group visits (集体访)
    repeat: int  # repeat petitions linked to a first one
    cross_level: int  # 越级
    to_province_or_beijing: int  # level reached 省 or 进京
    due: int  # opinion deadline fell in the period
    on_time: int  # of those, answered by the deadline
    rated: int  # satisfaction recorded
    satisfied: int  # 满意 + 基本满意
    disruptive: int  # 缠访闹访
    by_channel: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_counts(self)


@dataclass(frozen=True)
class ScreeningCounts:
    """Plain counts of one year's screening rounds (排查)."""

    due: int  # rounds due by the schedule
    held: int  # rounds held
    nil: int  # rounds held with a nil report (零上报)
    found: int  # disputes found by screening

    def __post_init__(self) -> None:
        _check_counts(self)


def rate(numerator: int, denominator: int) -> float | None:
    """Return numerator ÷ denominator as a fraction in [0, 1], or None when the denominator is 0."""
    if numerator < 0 or denominator < 0:
        raise ValueError(f"counts must not be negative: {numerator}/{denominator}")
    if numerator > denominator:
        raise ValueError(f"a rate's numerator exceeds its denominator: {numerator}/{denominator}")
    if denominator == 0:
        return None
    return numerator / denominator


def dispute_figures(c: DisputeCounts) -> dict:
    """Compute the dispute figures and rates from the plain counts."""
    mediated = c.succeeded + c.failed + c.ended
    return {
        "registered": c.registered,
        "not_accepted": c.not_accepted,
        "mediated": mediated,
        "succeeded": c.succeeded,
        "failed": c.failed,
        "ended": c.ended,
        "in_progress": c.in_progress,
        "mediation_rate": rate(mediated, c.registered),
        "success_rate": rate(c.succeeded, c.registered),
        "performed_rate": rate(c.performed, c.performance_known),
        "village_share": rate(c.succeeded_village, c.succeeded),
        "within_township_share": rate(c.succeeded_village + c.succeeded_township, c.succeeded),
        "prevented_criminal": c.prevented_criminal,
        "prevented_criminal_persons": c.prevented_criminal_persons,
        "prevented_group_petition": c.prevented_group_petition,
        "prevented_group_petition_persons": c.prevented_group_petition_persons,
        "by_type": dict(c.by_type),
        "by_village": dict(c.by_village),
        "by_source": dict(c.by_source),
        "by_channel": dict(c.by_channel),
        "by_level": dict(c.by_level),
        "by_month": dict(sorted(c.by_month.items())),
    }


def petition_figures(c: PetitionCounts) -> dict:
    """Compute the petition figures and rates from the plain counts."""
    return {
        "received": c.received,
        "persons": c.persons,
        "collective": c.collective,
        "repeat": c.repeat,
        "cross_level": c.cross_level,
        "to_province_or_beijing": c.to_province_or_beijing,
        "due": c.due,
        "on_time": c.on_time,
        "on_time_rate": rate(c.on_time, c.due),
        "rated": c.rated,
        "satisfied": c.satisfied,
        "satisfaction_rate": rate(c.satisfied, c.rated),
        "disruptive": c.disruptive,
        "by_channel": dict(c.by_channel),
        "by_village": dict(c.by_village),
        "by_category": dict(c.by_category),
    }


def screening_figures(c: ScreeningCounts) -> dict:
    """Compute the screening figures; extra rounds beyond those due do not lift the rate above 100%."""
    return {
        "due": c.due,
        "held": c.held,
        "nil": c.nil,
        "found": c.found,
        "rate": rate(min(c.held, c.due), c.due),
    }


# "section.key" -> Chinese definition shown beside the figure.
DEFINITIONS: dict[str, str] = {
    "disputes.registered": "受理纠纷数 = 当年登记的矛盾纠纷件数(不含不予受理)",
    "disputes.not_accepted": "不予受理数 = 当年登记后决定不予受理的矛盾纠纷件数",
    "disputes.mediated": "调处数 = 受理纠纷中调解已结束的件数:调解成功 + 调解不成 + 终止",
    "disputes.succeeded": "调解成功数 = 受理纠纷中达成调解协议(书面或口头)的件数",
    "disputes.failed": "调解不成数 = 受理纠纷中调解不成、已告知当事人其他救济途径的件数",
    "disputes.ended": "终止数 = 受理纠纷中因当事人拒绝调解或撤回申请而终止的件数",
    "disputes.in_progress": "调解中 = 受理纠纷数 − 调处数",
    "disputes.mediation_rate": "调处率 = 调处数(调解成功+调解不成+终止)÷ 受理纠纷数(当年登记、不含不予受理)",
    "disputes.success_rate": "调解成功率 = 调解成功数 ÷ 受理纠纷数(司法部统计口径)",
    "disputes.performed_rate": "调后履行率 = 已履行的调解协议数 ÷ 履行情况已知(已履行、部分履行、未履行)的调解协议数",
    "disputes.village_share": "村级化解占比(小事不出村)= 在村级化解的调解成功数 ÷ 调解成功数",
    "disputes.within_township_share": "乡级以内化解占比(大事不出乡)= 在村级或乡级化解的调解成功数 ÷ 调解成功数",
    "disputes.prevented_criminal": "防止民转刑件数 = 受理纠纷中标记为防止民转刑的件数",
    "disputes.prevented_criminal_persons": "防止民转刑人数 = 标记为防止民转刑的纠纷涉及的人数",
    "disputes.prevented_group_petition": "防止群体性上访件数 = 受理纠纷中标记为防止群体性上访的件数",
    "disputes.prevented_group_petition_persons": "防止群体性上访人数 = 标记为防止群体性上访的纠纷涉及的人数",
    "disputes.by_type": "按纠纷类型分列的受理纠纷数",
    "disputes.by_village": "按行政村分列的受理纠纷数",
    "disputes.by_source": "按案件来源分列的受理纠纷数",
    "disputes.by_channel": "按调解渠道(人民调解、行政调解、司法调解)分列的受理纠纷数",
    "disputes.by_level": "按化解层级(村、乡、县)分列的调解成功数",
    "disputes.by_month": "按登记月份分列的受理纠纷数",
    "petitions.received": "受理信访事项件数 = 当年登记的信访事项件数(重复信访关联首件,不重复计数)",
    "petitions.persons": "信访人次 = 当年登记的信访事项(含重复信访)的信访人数合计",
    "petitions.collective": "集体访批数 = 当年登记的信访事项(含重复信访)中信访人数达到集体访标准(设置项,默认5人)的批数",
    "petitions.repeat": "重复信访件数 = 已关联到首次信访、不计入受理件数的信访事项件数",
    "petitions.cross_level": "越级访件数 = 标记为越级的信访事项件数",
    "petitions.to_province_or_beijing": "赴省进京上访件数 = 到达层级为省或进京的信访事项件数",
    "petitions.due": "应办结件数 = 办结期限(受理之日起60日,含经批准的延期)届满日在本期内、且已届满或已办结的信访事项件数",
    "petitions.on_time": "按期办结件数 = 应办结件数中在期限内出具处理意见的件数",
    "petitions.on_time_rate": "按期办结率 = 按期办结件数 ÷ 应办结件数",
    "petitions.rated": "参评件数 = 已记录满意度评价(满意、基本满意、不满意)的信访事项件数",
    "petitions.satisfied": "满意件数 = 评价为满意或基本满意的件数",
    "petitions.satisfaction_rate": "满意率 = (满意 + 基本满意)÷ 参评件数",
    "petitions.disruptive": "缠访闹访件数 = 标记为缠访闹访的信访事项件数",
    "petitions.by_channel": "按信访渠道(网上、来信、来电、传真、来访)分列的受理件数",
    "petitions.by_village": "按行政村分列的受理件数",
    "petitions.by_category": "按信访事项类别分列的受理件数",
    "screening.due": "应排查次数 = 按排查制度(村每周一次、乡每半月一次,重点时段加密)本期内已届满或已排查的期数",
    "screening.held": "实际排查次数 = 应排查的各期中已开展排查(含零上报)的期数",
    "screening.nil": "零上报次数 = 已排查的各期中只有零上报(未发现矛盾纠纷)的期数",
    "screening.found": "排查发现纠纷数 = 通过排查发现、以主动调解登记的矛盾纠纷件数",
    "screening.rate": "排查完成率 = 实际排查次数(超出应排查次数的部分不计)÷ 应排查次数",
}

# "section.key" -> short Chinese label.
LABELS: dict[str, str] = {
    "disputes.registered": "受理纠纷",
    "disputes.not_accepted": "不予受理",
    "disputes.mediated": "调处",
    "disputes.succeeded": "调解成功",
    "disputes.failed": "调解不成",
    "disputes.ended": "终止",
    "disputes.in_progress": "调解中",
    "disputes.mediation_rate": "调处率",
    "disputes.success_rate": "调解成功率",
    "disputes.performed_rate": "调后履行率",
    "disputes.village_share": "村级化解占比",
    "disputes.within_township_share": "乡级以内化解占比",
    "disputes.prevented_criminal": "防止民转刑(件)",
    "disputes.prevented_criminal_persons": "防止民转刑(人)",
    "disputes.prevented_group_petition": "防止群体性上访(件)",
    "disputes.prevented_group_petition_persons": "防止群体性上访(人)",
    "disputes.by_type": "按类型",
    "disputes.by_village": "按村",
    "disputes.by_source": "按来源",
    "disputes.by_channel": "按调解渠道",
    "disputes.by_level": "按化解层级",
    "disputes.by_month": "按月份",
    "petitions.received": "受理信访(件)",
    "petitions.persons": "信访人次",
    "petitions.collective": "集体访",
    "petitions.repeat": "重复信访",
    "petitions.cross_level": "越级访",
    "petitions.to_province_or_beijing": "赴省进京上访",
    "petitions.due": "应办结",
    "petitions.on_time": "按期办结",
    "petitions.on_time_rate": "按期办结率",
    "petitions.rated": "参评",
    "petitions.satisfied": "满意(含基本满意)",
    "petitions.satisfaction_rate": "满意率",
    "petitions.disruptive": "缠访闹访",
    "petitions.by_channel": "按信访渠道",
    "petitions.by_village": "按村",
    "petitions.by_category": "按事项类别",
    "screening.due": "应排查",
    "screening.held": "实际排查",
    "screening.nil": "零上报",
    "screening.found": "排查发现纠纷",
    "screening.rate": "排查完成率",
}

# The "section.key" figures that are fractions in [0, 1].
RATE_KEYS = frozenset(
    {
        "disputes.mediation_rate",
        "disputes.success_rate",
        "disputes.performed_rate",
        "disputes.village_share",
        "disputes.within_township_share",
        "petitions.on_time_rate",
        "petitions.satisfaction_rate",
        "screening.rate",
    }
)


def scalar_figures(figures: dict) -> dict[str, int | float | None]:
    """Flatten a report's section dicts into "section.key" -> value for the non-dict figures."""
    flat: dict[str, int | float | None] = {}
    for section, values in figures.items():
        if not isinstance(values, dict):
            continue  # "year", "township": labels of the report, not figures
        for key, value in values.items():
            if not isinstance(value, dict | list | tuple):
                flat[f"{section}.{key}"] = value
    return flat


def targets_missed(figures: dict, targets: dict[str, float]) -> set[str]:
    """Return the "section.key" targets whose figure is below target; a None figure misses nothing."""
    flat = scalar_figures(figures)
    missed = set()
    for key, target in targets.items():
        if key not in DEFINITIONS:
            raise ValueError(f"unknown figure in targets: {key!r}")
        if key in RATE_KEYS and not 0 <= target <= 1:
            raise ValueError(f"a rate target is a fraction in [0, 1], not {target!r}: {key}")
        value = flat.get(key)
        if value is not None and value < target:
            missed.add(key)
    return missed


def drift(frozen: dict, current: dict) -> dict[str, tuple]:
    """Return "section.key" -> (frozen value, current value) for every scalar figure that differs."""
    old, new = scalar_figures(frozen), scalar_figures(current)
    keys = list(old) + [k for k in new if k not in old]
    return {k: (old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)}


def change(previous: dict, current: dict) -> dict[str, int | float | None]:
    """Return current − previous per "section.key" scalar figure, None when either side is None."""
    old, new = scalar_figures(previous), scalar_figures(current)
    result: dict[str, int | float | None] = {}
    for key in list(new) + [k for k in old if k not in new]:
        before, after = old.get(key), new.get(key)
        if not _is_number(before) or not _is_number(after):
            result[key] = None
        elif isinstance(before, float) or isinstance(after, float):
            result[key] = round(after - before, 10)  # 0.95 - 0.9 -> 0.05, not 0.04999999999999993
        else:
            result[key] = after - before
    return result


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_rate(r: float | None) -> str:
    """Format a fraction as a percent rounded half up to one decimal, dropping ".0"; "—" for None."""
    if r is None:
        return "—"
    # repr() gives the shortest decimal that round-trips, so 0.975 is 97.5, not 97.4999…
    percent = (Decimal(repr(float(r))) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if percent == percent.to_integral_value():
        return f"{int(percent)}%"
    return f"{percent}%"
