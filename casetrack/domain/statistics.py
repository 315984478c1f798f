"""Figures for the annual report (年度统计): definitions, formulas and comparisons.

Pure Python.  The database layer counts cases with SQL aggregates for one year
and hands the plain counts in as ``DisputeCounts``, ``PetitionCounts`` and
``ScreeningCounts``; this module turns them into JSON-shaped figure dicts with
the rates, and compares figure sets (targets, frozen snapshots, last year).

Naming: a whole report's figures are ``{"year": ..., "township": ...,
"disputes": {...}, "petitions": {...}, "screening": {...}}`` and one figure is
addressed as ``"section.key"``, e.g. ``"disputes.mediation_rate"``.  That form
keys the figure catalogue (``domain.figures``), the targets of ``targets_missed`` and the
results of ``scalar_figures``, ``drift`` and ``change``.

Rates are fractions in [0, 1] (``None`` when the denominator is 0); only
``format_rate`` turns them into percent text.  Breakdown dicts (``by_*``) are
copied as given; ``by_month`` keeps int keys 1-12 (JSON turns them into
strings), sorted by month.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from casetrack.domain.figures import DEFINITIONS, LABELS, RATE_KEYS  # noqa: F401 (the catalogue; read from here too)

SECTIONS = ("disputes", "petitions", "screening", "warnings")


def _check_counts(counts: object) -> None:
    for f in fields(counts):
        value = getattr(counts, f.name)
        if isinstance(value, int) and value < 0:
            raise ValueError(f"{type(counts).__name__}.{f.name} must not be negative: {value}")


@dataclass(frozen=True)
class DisputeCounts:
    """Plain counts of one period's disputes (registered in it), each as it stood at the period's end."""

    registered: int  # registered in the period, excluding those not accepted (不予受理) by its end
    not_accepted: int  # 不予受理 by the period's end
    succeeded: int  # 调解成功 by the period's end
    failed: int  # 调解不成
    ended: int  # 终止
    in_progress: int  # accepted, not concluded by the period's end
    performed: int  # agreements performed (已履行) as last visited by the period's end
    performance_known: int  # agreements whose performance was known by then (已履行/部分履行/未履行)
    succeeded_village: int  # successful, at village level at the period's end
    succeeded_township: int  # successful, at township level at the period's end
    prevented_criminal: int
    prevented_criminal_persons: int
    prevented_group_petition: int
    prevented_group_petition_persons: int
    accepted: int = 0  # 受理 by the period's end
    pending_decision: int = 0  # registered, neither accepted nor declined by the period's end
    vt_accepted: int = 0  # people's mediation (人民调解) at 村 or 乡 at the period's end: accepted
    vt_mediated: int = 0  # ... concluded
    vt_succeeded: int = 0  # ... succeeded
    major: int = 0  # 重大矛盾纠纷 (risk level 重大)
    major_responsible: int = 0  # ... with 责任单位、责任领导、责任人员 all named
    legal_aid: int = 0  # failed mediations whose parties were referred to legal aid (法律援助)
    judicial_applied: int = 0  # agreements whose parties applied for 司法确认 by the period's end
    judicial_confirmed: int = 0  # ... the court confirmed them (确认有效) by the period's end
    judicial_rejected: int = 0  # ... the court rejected the application (驳回)
    judicial_withdrawn: int = 0  # ... the application was withdrawn (撤回)
    referred_in: int = 0  # 委托移送 (registered)
    court_docking: int = 0  # ... referred by a court (法院委派 or 法院委托): 诉调对接
    police_docking: int = 0  # ... by the police: 警调对接
    petition_docking: int = 0  # ... by the petition office, plus 信访转调: 访调对接
    referred_out_litigation: int = 0  # 调解不成, parties sent on: 引导诉讼
    referred_out_pre_litigation: int = 0  # ... 诉前调解
    referred_out_arbitration: int = 0  # ... 仲裁
    referred_out_administrative: int = 0  # ... 行政
    not_accepted_special_body: int = 0  # 不予受理 on 若干规定 Art. 22 (一)
    not_accepted_already_handled: int = 0  # ... Art. 22 (二)
    not_accepted_party_refused: int = 0  # ... a party would not have mediation (人民调解法 Art. 17)
    not_accepted_other: int = 0  # ... another reason, or none recorded
    objected: int = 0  # 主动调解 cases a party clearly refused
    written_agreements: int = 0  # 调解成功, 书面协议
    oral_agreements: int = 0  # 调解成功, 口头协议
    agreement_amount_fen: int = 0  # 协议涉及金额 of the successful mediations, in fen
    by_referral_origin: dict[str, int] = field(default_factory=dict)
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
    """Plain counts of one period's petitions, each as it stood at the period's end; repeats not in ``received``."""

    received: int  # matters (件), repeats excluded
    persons: int  # 人次
    collective: int  # group visits (集体访): 来访 of at least the township's threshold of people
    repeat: int  # repeat petitions linked to a first one
    cross_level: int  # 越级
    to_province_or_beijing: int  # level reached 省 or 进京
    due: int  # opinion deadline fell in the period
    on_time: int  # of those, answered by the deadline
    rated: int  # satisfaction recorded, on an answer given by the period's end
    satisfied: int  # 满意 + 基本满意
    disruptive: int  # 缠访闹访
    accepted: int = 0  # 受理 or 交办 by the period's end
    forwarded: int = 0  # 转送
    not_accepted: int = 0  # 不予受理
    undecided: int = 0  # not decided by the period's end
    timely_decided: int = 0  # decided within the 15-day limit
    answered: int = 0  # written opinion given by the period's end
    collective_other: int = 0  # letters (联名信) and other channels of as many people, apart from 集体访
    visits: int = 0  # 来访 (批), repeats included
    visit_persons: int = 0  # 来访人次
    supervised: int = 0  # 督办 by the period's end
    routed: int = 0  # routed into a legal procedure at acceptance (依法分类处理) by the period's end
    from_above: int = 0  # forwarded or assigned to the township from above
    assigned: int = 0  # 交办 by the period's end (counted in accepted too)
    police_referred: int = 0  # 缠访闹访 whose unlawful conduct went to the police by the period's end
    leader_visits: int = 0  # 来访 received by a leader on a reception day (领导接访), 批
    leader_visit_persons: int = 0  # ... 人次
    leader_reception_days: int = 0  # the days on which a leader received those visits
    quiet_periods: tuple[str, ...] = ()  # named periods (春节, 全国两会 …) with no 赴省进京 petition received
    by_channel: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_counts(self)

    @property
    def decided(self) -> int:
        return self.accepted + self.forwarded + self.not_accepted + self.routed


@dataclass(frozen=True)
class ScreeningCounts:
    """Plain counts of one period's screening rounds (排查), by the schedule periods that belong to it."""

    due: int  # rounds due by the schedule
    held: int  # rounds held
    nil: int  # rounds held with a nil report (零上报)
    found: int  # rounds with findings
    found_registered: int = 0  # findings registered as disputes (登记调处)
    found_resolved: int = 0  # findings resolved on the spot (当场化解)
    findings: int = 0  # everything the rounds found
    intensified_held: int = 0  # rounds held in the named periods that demand more (重点时段加密排查)
    intensified_names: tuple[str, ...] = ()  # those periods' names, in date order

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
        "accepted": c.accepted,
        "pending_decision": c.pending_decision,
        "not_accepted": c.not_accepted,
        "mediated": mediated,
        "succeeded": c.succeeded,
        "failed": c.failed,
        "ended": c.ended,
        "in_progress": c.in_progress,
        "mediation_rate": rate(mediated, c.accepted),
        "success_rate": rate(c.succeeded, c.accepted),
        "village_township": {
            "accepted": c.vt_accepted,
            "mediated": c.vt_mediated,
            "succeeded": c.vt_succeeded,
            "mediation_rate": rate(c.vt_mediated, c.vt_accepted),
            "success_rate": rate(c.vt_succeeded, c.vt_accepted),
        },
        "performed_rate": rate(c.performed, c.performance_known),
        "village_share": rate(c.succeeded_village, c.succeeded),
        "within_township_share": rate(c.succeeded_village + c.succeeded_township, c.succeeded),
        "major": c.major,
        "major_responsible": c.major_responsible,
        "legal_aid": c.legal_aid,
        "judicial_applied": c.judicial_applied,
        "judicial_confirmed": c.judicial_confirmed,
        "judicial_rejected": c.judicial_rejected,
        "judicial_withdrawn": c.judicial_withdrawn,
        "prevented_criminal": c.prevented_criminal,
        "prevented_criminal_persons": c.prevented_criminal_persons,
        "prevented_group_petition": c.prevented_group_petition,
        "prevented_group_petition_persons": c.prevented_group_petition_persons,
        "referred_in": c.referred_in,
        "court_docking": c.court_docking,
        "police_docking": c.police_docking,
        "petition_docking": c.petition_docking,
        "referred_out_litigation": c.referred_out_litigation,
        "referred_out_pre_litigation": c.referred_out_pre_litigation,
        "referred_out_arbitration": c.referred_out_arbitration,
        "referred_out_administrative": c.referred_out_administrative,
        "not_accepted_special_body": c.not_accepted_special_body,
        "not_accepted_already_handled": c.not_accepted_already_handled,
        "not_accepted_party_refused": c.not_accepted_party_refused,
        "not_accepted_other": c.not_accepted_other,
        "objected": c.objected,
        "written_agreements": c.written_agreements,
        "oral_agreements": c.oral_agreements,
        "agreement_amount": c.agreement_amount_fen / 100,  # yuan; fen / 100 is the nearest float to the sum
        "by_referral_origin": dict(c.by_referral_origin),
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
        "accepted": c.accepted,
        "assigned": c.assigned,
        "routed": c.routed,
        "from_above": c.from_above,
        "forwarded": c.forwarded,
        "not_accepted": c.not_accepted,
        "undecided": c.undecided,
        "timely_decided": c.timely_decided,
        "timely_decided_rate": rate(c.timely_decided, c.decided),
        "supervised": c.supervised,
        "persons": c.persons,
        "visits": c.visits,
        "visit_persons": c.visit_persons,
        "leader_reception_days": c.leader_reception_days,
        "leader_visits": c.leader_visits,
        "leader_visit_persons": c.leader_visit_persons,
        "collective": c.collective,
        "collective_other": c.collective_other,
        "repeat": c.repeat,
        "cross_level": c.cross_level,
        "to_province_or_beijing": c.to_province_or_beijing,
        "due": c.due,
        "on_time": c.on_time,
        "on_time_rate": rate(c.on_time, c.due),
        "answered": c.answered,
        "rated": c.rated,
        "rating_rate": rate(c.rated, c.answered),
        "satisfied": c.satisfied,
        "satisfaction_rate": rate(c.satisfied, c.rated),
        "disruptive": c.disruptive,
        "police_referred": c.police_referred,
        "quiet_periods": list(c.quiet_periods),
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
        "findings": c.findings,
        "found_registered": c.found_registered,
        "found_resolved": c.found_resolved,
        "rate": rate(min(c.held, c.due), c.due),
        "intensified_held": c.intensified_held,
        "intensified_periods": list(c.intensified_names),
    }


def complete_frozen(figures: dict) -> dict:
    """Fill in the figures a snapshot frozen before issue 14 lacks, with what it published under the old words.

    Then 受理 meant registered (disputes) and received (petitions), 乡村两级 counted every level and channel, and
    "found" counted the disputes registered from screening. Figures it did not count at all are None (shown "—",
    null in the JSON), never 0: a frozen year must not state a count nobody made.
    """
    figs = {section: dict(values) if isinstance(values, dict) else values for section, values in figures.items()}
    d, p, s = figs.get("disputes"), figs.get("petitions"), figs.get("screening")
    if d is not None and "village_township" not in d:
        d.setdefault("accepted", d["registered"])
        d["village_township"] = {"accepted": d["registered"], "mediated": d["mediated"], "succeeded": d["succeeded"],
                                 "mediation_rate": d["mediation_rate"], "success_rate": d["success_rate"]}
        for key in NOT_COUNTED_BEFORE_14["disputes"]:
            d.setdefault(key, None)
    if d is not None:  # frozen before the court's result was recorded (issue 13)
        for key in NOT_COUNTED_BEFORE_COURT_RESULTS:
            d.setdefault(key, None)
    if d is not None:  # frozen before referrals, grounds and agreement amounts were recorded (issue 19)
        for key in NOT_COUNTED_BEFORE_19:
            d.setdefault(key, None)
        d.setdefault("by_referral_origin", {})
    if p is not None and "accepted" not in p:
        p["accepted"] = p["received"]
        p.update(dict.fromkeys(NOT_COUNTED_BEFORE_14["petitions"]))
        p["quiet_periods"] = []
    if p is not None:  # frozen before 交办, 领导接访 and referrals to the police were counted apart
        for key in NOT_COUNTED_BEFORE_RECEPTIONS:
            p.setdefault(key, None)
    figs.setdefault("warnings", dict.fromkeys(WARNING_KEYS))  # frozen before early warnings (issue 22): not counted
    if s is not None and "findings" not in s:
        s.update({"findings": s["found"], "found_registered": s["found"], "intensified_periods": []})
        s.update(dict.fromkeys(NOT_COUNTED_BEFORE_14["screening"]))
    return figs


NOT_COUNTED_BEFORE_19 = (
    "referred_in", "court_docking", "police_docking", "petition_docking", "referred_out_litigation",
    "referred_out_pre_litigation", "referred_out_arbitration", "referred_out_administrative",
    "not_accepted_special_body", "not_accepted_already_handled", "not_accepted_party_refused", "not_accepted_other",
    "objected", "written_agreements", "oral_agreements", "agreement_amount",
)
"""The dispute figures a snapshot frozen before issue 19 never counted."""

NOT_COUNTED_BEFORE_RECEPTIONS = ("assigned", "leader_reception_days", "leader_visits", "leader_visit_persons",
                                 "police_referred")
"""The petition figures a snapshot frozen before 领导接访 and 移交公安机关 were recorded never counted."""

NOT_COUNTED_BEFORE_COURT_RESULTS = ("judicial_applied", "judicial_confirmed", "judicial_rejected", "judicial_withdrawn")

NOT_COUNTED_BEFORE_14 = {
    "disputes": ("pending_decision", "major", "major_responsible", "legal_aid"),
    "petitions": ("forwarded", "not_accepted", "undecided", "timely_decided", "timely_decided_rate", "supervised",
                  "collective_other", "answered", "rating_rate", "visits", "visit_persons"),
    "screening": ("found_resolved", "intensified_held"),
}
"""The figures a snapshot frozen before issue 14 never counted, by section."""


def scalar_figures(figures: dict) -> dict[str, int | float | None]:
    """Flatten a report's section dicts into "section.key" -> value for the non-dict figures.

    A group of figures that is not a breakdown (``disputes.village_township``) is flattened one level further,
    "disputes.village_township.accepted".
    """
    flat: dict[str, int | float | None] = {}
    for section, values in figures.items():
        if not isinstance(values, dict) or section == "definitions":
            continue  # "year", "township": labels of the report, not figures
        for key, value in values.items():
            if isinstance(value, dict) and section in SECTIONS and not key.startswith("by_"):
                for inner, number in value.items():
                    flat[f"{section}.{key}.{inner}"] = number
            elif not isinstance(value, dict | list | tuple):
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


WARNING_KEYS = ("raised", "red", "yellow", "blue", "resolved")


@dataclass(frozen=True)
class WarningCounts:
    """Plain counts of the early warnings (预警) raised in a period, as they stood at its end."""

    raised: int = 0
    red: int = 0
    yellow: int = 0
    blue: int = 0
    resolved: int = 0

    def __post_init__(self) -> None:
        _check_counts(self)


def warning_figures(c: WarningCounts) -> dict:
    """Return the 预警 section: raised, by level, resolved."""
    return {key: getattr(c, key) for key in WARNING_KEYS}
