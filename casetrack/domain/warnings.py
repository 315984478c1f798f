"""Early warning (预警): the rules that grade a dispute's risk blue, yellow or red (蓝黄红三级预警).

Each rule is a pure function over plain case data (CaseFacts, PetitionFacts) and the township's thresholds
(Thresholds, from its settings), judged on a day passed in. A rule returns Findings: the subject it speaks of
(a person, a village's month, a case), its level, the parameters of the sentence that explains it (rendered by
`render_sentence` in the reader's language, or in Chinese for files), and the cases behind it.
No finding for a subject means its warning, if one was raised, is resolved: every rule asks that at least one of
its cases is still open, so a warning resolves itself when its cases are resolved.

A person is one person by ID number; without one, by name within one village (张三 of 斜沟村 and 张三 of
王家庄村 are two people). services/warnings.py loads the facts, stores the findings and keeps them current.
"""

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from enum import StrEnum

from casetrack.domain.errors import N_


class WarningLevel(StrEnum):
    """蓝 / 黄 / 红, ordered: red is the highest."""

    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {"blue": N_("蓝色预警"), "yellow": N_("黄色预警"), "red": N_("红色预警")}[self.value]

    @property
    def rank(self) -> int:
        return {"blue": 1, "yellow": 2, "red": 3}[self.value]


class Rule(StrEnum):
    """The warning rules, each keyed by what it speaks of."""

    REPEAT_PARTY = "repeat_party"  # a person: same party in several disputes
    REPEAT_PETITIONER = "repeat_petitioner"  # a person: petitions again and again
    MANY_PEOPLE = "many_people"  # a case: many people involved, or 群体性
    VILLAGE_SURGE = "village_surge"  # a village's month: new disputes doubled
    MAJOR_DISPUTE = "major_dispute"  # a case: 重大 without responsibility, or overdue
    PREVENTION_FLAG = "prevention_flag"  # a case: 防止民转刑 / 防止群体性上访 on an open case

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    Rule.REPEAT_PARTY: N_("同一当事人反复涉纠纷"),
    Rule.REPEAT_PETITIONER: N_("重复信访"),
    Rule.MANY_PEOPLE: N_("涉及人数多或群体性"),
    Rule.VILLAGE_SURGE: N_("村纠纷数量激增"),
    Rule.MAJOR_DISPUTE: N_("重大矛盾纠纷未落实或超期"),
    Rule.PREVENTION_FLAG: N_("防止民转刑、防止群体性上访"),
}


@dataclass(frozen=True)
class SensitivePeriod:
    """A named sensitive period (敏感时期: 两会, 国庆 …) set by the township."""

    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class Thresholds:
    """The township's thresholds; each is a township setting named "warning_<field>", with these defaults."""

    party_disputes: int = 3  # same party in this many disputes …
    party_days: int = 180  # … registered within this many days
    petitions: int = 3  # a petitioner's petitions …
    petition_months: int = 12  # … received within this many months
    people_yellow: int = 5  # a dispute involving this many people: yellow
    people_red: int = 20  # … this many: red
    surge_ratio: float = 2.0  # a village's new disputes this month ≥ ratio × the previous months' average …
    surge_minimum: int = 4  # … and at least this many
    surge_months: int = 6  # the previous months averaged
    sensitive_lead_days: int = 7  # a sensitive period counts from this many days before it begins (its eve)
    sensitive_periods: tuple[SensitivePeriod, ...] = ()  # setting "sensitive_periods": [{name, starts_on, ends_on}]

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> "Thresholds":
        """Read the thresholds from a township's settings dict; a missing or blank value keeps the default."""
        settings = settings or {}
        values = {}
        for f in fields(cls):
            if f.name == "sensitive_periods":
                continue
            raw = settings.get(f"warning_{f.name}")
            if raw not in (None, ""):
                values[f.name] = float(raw) if f.name == "surge_ratio" else int(raw)
        periods = []
        for item in settings.get("sensitive_periods") or ():
            try:
                periods.append(SensitivePeriod(str(item["name"]), _as_date(item["starts_on"]), _as_date(item["ends_on"])))
            except (KeyError, TypeError, ValueError):
                continue  # a malformed entry is skipped, not fatal to every write
        return cls(**values, sensitive_periods=tuple(periods))

    def sensitive_period_on(self, day: date) -> SensitivePeriod | None:
        """Return the sensitive period under way on this day, or about to begin (its eve), if any."""
        for period in self.sensitive_periods:
            if period.starts_on - timedelta(days=self.sensitive_lead_days) <= day <= period.ends_on:
                return period
        return None


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class PartyFacts:
    name: str
    id_number: str | None = None


@dataclass(frozen=True)
class CaseFacts:
    """What the rules read of a dispute (矛盾纠纷)."""

    id: int
    number: str
    village_id: int
    registered_on: date
    open: bool  # not yet concluded, not declined, not merged into another case
    parties: tuple[PartyFacts, ...] = ()
    people_involved: int = 2
    group: bool = False  # 群体性纠纷
    police_reported: bool = False  # 可能转化为治安、刑事案件,已报告公安机关
    major: bool = False  # 风险等级:重大
    has_responsibility: bool = True  # 责任单位、责任领导、责任人员 all named
    due_on: date | None = None
    prevented_criminal: bool = False  # 防止民转刑
    prevented_group_petition: bool = False  # 防止群体性上访
    counted: bool = True  # a new dispute for the village's count (not declined, not merged)


@dataclass(frozen=True)
class PetitionFacts:
    """What the rules read of a petition (信访)."""

    id: int
    number: str
    village_id: int | None
    received_on: date
    open: bool
    petitioners: tuple[PartyFacts, ...] = ()
    level_rank: int = 0  # 0 乡, 1 县, 2 市, 3 省, 4 进京
    level_label: str = "乡"
    in_repeat_chain: bool = False  # a repeat (重复信访) or the first petition of one


@dataclass(frozen=True)
class Finding:
    """A warning the rules raise: its subject, level, sentence and the cases behind it."""

    rule: Rule
    subject: str
    level: WarningLevel
    params: Mapping  # the sentence's parameters (JSON values): render_sentence(rule, params)
    village_id: int | None
    dispute_ids: tuple[int, ...] = ()
    petition_ids: tuple[int, ...] = ()
    numbers: tuple[str, ...] = ()
    people: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The sentence in Chinese, as stored beside the parameters and written into files."""
        return render_sentence(self.rule, self.params)


# --- the sentence of a warning ----------------------------------------------------------------------------------
# Rendered from its parameters by a translate function the caller passes (the web: gettext; files: none, Chinese),
# as the timeline's sentences are (domain/timeline.py). The Chinese is the message id.

CLAUSE_SEPARATOR = N_(",")
FULL_STOP = N_("。")
FLAG_SEPARATOR = N_("、")
PREVENTION_FLAGS = {"criminal": N_("防止民转刑"), "group_petition": N_("防止群体性上访")}


def _same(text: str) -> str:
    return text


def render_sentence(rule: Rule | str, params: Mapping, translate=_same) -> str:
    """Return a warning's sentence in the reader's language (translate = gettext) or in Chinese (no translate)."""
    t, p = translate, params
    separator = t(CLAUSE_SEPARATOR)
    rule = Rule(rule)
    if rule is Rule.REPEAT_PARTY:
        text = t(N_("%(name)s在%(days)s天内涉及%(count)s起矛盾纠纷")) % {
            "name": p["name"] or t(N_("当事人")), "days": p["days"], "count": p["count"]}
        if p.get("police"):
            text += separator + t(N_("其中%(police)s起可能转化为治安、刑事案件")) % {"police": p["police"]}
    elif rule is Rule.REPEAT_PETITIONER:
        reasons = []
        if p.get("count"):
            reasons.append(t(N_("%(months)s个月内信访%(count)s次")) % {"months": p["months"], "count": p["count"]})
        if p.get("chain"):
            reasons.append(t(N_("存在重复信访")))
        if p.get("level"):
            reasons.append(t(N_("已到%(level)s级信访")) % {"level": t(p["level"])})
        text = t(N_("信访人%(name)s%(reasons)s")) % {"name": p["name"] or t(N_("信访人")),
                                                   "reasons": separator.join(reasons)}
    elif rule is Rule.MANY_PEOPLE:
        text = t(N_("%(number)s涉及%(people)s人")) % {"number": p["number"], "people": p["people"]}
        if p.get("group"):
            text += separator + t(N_("为群体性纠纷"))
    elif rule is Rule.VILLAGE_SURGE:
        text = t(N_("%(village)s%(year)s年%(month)s月新增矛盾纠纷%(count)s起,前%(months)s个月月均%(average)s起")) % p
    elif rule is Rule.MAJOR_DISPUTE:
        reasons = []
        if p.get("unassigned"):
            reasons.append(t(N_("尚未落实责任单位、责任领导、责任人员")))
        if p.get("due"):
            reasons.append(t(N_("已超过调解期限(%(due)s)")) % {"due": p["due"]})
        if p.get("period"):
            reasons.append(t(N_("正值敏感时期“%(period)s”(%(starts)s至%(ends)s)")) % {
                "period": p["period"], "starts": p["starts"], "ends": p["ends"]})
        text = t(N_("重大矛盾纠纷%(number)s%(reasons)s")) % {"number": p["number"], "reasons": separator.join(reasons)}
    else:  # Rule.PREVENTION_FLAG
        flags = t(FLAG_SEPARATOR).join(t(PREVENTION_FLAGS[flag]) for flag in p["flags"])
        text = t(N_("%(number)s标记为%(flags)s,尚未调结")) % {"number": p["number"], "flags": flags}
    return text + t(FULL_STOP)


def render_acknowledgement(params: Mapping, translate=_same) -> str:
    """Return the history line of a warning's acknowledgement (已知悉): who, their note, who follows it up."""
    text = translate(N_("%(actor)s已知悉:%(note)s")) % {"actor": params["actor"], "note": params["note"]}
    if params.get("assignee"):
        text += translate(N_(";责任人:%(assignee)s")) % {"assignee": params["assignee"]}
    return text


# --- who is one person ----------------------------------------------------------------------------------------

def person_key(name: str, id_number: str | None, village_id: int | None) -> str:
    """Return the key of a person: their ID number (hashed, never stored whole), else name within a village."""
    if id_number:
        return "id:" + hashlib.sha256(id_number.strip().upper().encode()).hexdigest()[:24]
    return f"name:{village_id or 0}:{name.strip()}"


def case_key(dispute_id: int) -> str:
    return f"case:{dispute_id}"


def month_key(village_id: int, month: date) -> str:
    return f"village:{village_id}:{month.year:04d}-{month.month:02d}"


def month_of_key(subject: str) -> tuple[int, date]:
    """Return (village id, first day of the month) of a village-month key."""
    _village, village_id, month = subject.split(":")
    year, mon = month.split("-")
    return int(village_id), date(int(year), int(mon), 1)


def _person_of(cases_or_petitions, key: str, attribute: str) -> PartyFacts | None:
    for item in cases_or_petitions:
        for person in getattr(item, attribute):
            if person_key(person.name, person.id_number, item.village_id) == key:
                return person
    return None


def _latest_village(items) -> int | None:
    ordered = sorted(items, key=lambda i: (getattr(i, "registered_on", None) or i.received_on, i.id))
    return ordered[-1].village_id if ordered else None


# --- the rules -------------------------------------------------------------------------------------------------

def repeat_party(key: str, cases: Iterable[CaseFacts], today: date, t: Thresholds) -> Finding | None:
    """The same party in `party_disputes` or more disputes registered within `party_days` days up to today
    (yellow); red when one of them was marked as possibly turning into a public-order or criminal case."""
    since = today - timedelta(days=t.party_days - 1)
    recent = sorted((c for c in cases if since <= c.registered_on <= today and c.counted), key=lambda c: (c.registered_on, c.id))
    if len(recent) < t.party_disputes or not any(c.open for c in recent):
        return None
    person = _person_of(recent, key, "parties")
    name = person.name if person else "当事人"  # as the warnings list names the people behind it
    police = [c for c in recent if c.police_reported]
    level = WarningLevel.RED if police else WarningLevel.YELLOW
    # The sentence names no case: they may lie in several villages, and a reader sees only those within reach.
    params = {"name": person.name if person else None, "days": t.party_days, "count": len(recent),
              "police": len(police)}
    return Finding(Rule.REPEAT_PARTY, key, level, params, _latest_village(recent), tuple(c.id for c in recent),
                   numbers=tuple(c.number for c in recent), people=(name,))


def _months_back(day: date, months: int) -> date:
    """Return the same day `months` months earlier (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def repeat_petitioner(key: str, petitions: Iterable[PetitionFacts], today: date, t: Thresholds) -> Finding | None:
    """A petitioner with `petitions` or more petitions within `petition_months` months, or in a repeat
    (重复信访) chain (yellow); red when one reached the county or beyond. Only while one of them is open."""
    since = _months_back(today, t.petition_months)
    recent = sorted((p for p in petitions if since < p.received_on <= today), key=lambda p: (p.received_on, p.id))
    if not recent or not any(p.open for p in recent):
        return None
    chain = any(p.in_repeat_chain for p in recent)
    high = [p for p in recent if p.level_rank >= 1]
    if len(recent) < t.petitions and not chain and not high:
        return None
    person = _person_of(recent, key, "petitioners")
    name = person.name if person else "信访人"
    params = {"name": person.name if person else None, "months": t.petition_months,
              "count": len(recent) if len(recent) >= t.petitions else None, "chain": chain,
              "level": max(high, key=lambda p: p.level_rank).level_label if high else None}
    level = WarningLevel.RED if high else WarningLevel.YELLOW
    return Finding(Rule.REPEAT_PETITIONER, key, level, params, _latest_village(recent),
                   petition_ids=tuple(p.id for p in recent), numbers=tuple(p.number for p in recent), people=(name,))


def many_people(case: CaseFacts, t: Thresholds) -> Finding | None:
    """An open dispute involving `people_yellow` or more people (yellow), `people_red` or more, or marked
    群体性 (red)."""
    if not case.open or not (case.group or case.people_involved >= t.people_yellow):
        return None
    red = case.group or case.people_involved >= t.people_red
    params = {"number": case.number, "people": case.people_involved, "group": case.group}
    return _case_finding(Rule.MANY_PEOPLE, case, WarningLevel.RED if red else WarningLevel.YELLOW, params)


def village_surge(village_id: int, village_name: str, month: date, cases: Iterable[CaseFacts], today: date,
                  t: Thresholds, before: int | None = None) -> Finding | None:
    """A village's new disputes in a month at least `surge_ratio` times its monthly average over the
    `surge_months` months before, and at least `surge_minimum` (blue). Only while one of them is open.

    The month is counted up to today when it is the current month; cases are the village's disputes from the
    first of those earlier months on; or, when `before` gives their count, just the month's own.
    """
    first = date(month.year, month.month, 1)
    start = _months_back(first, t.surge_months)
    end = _months_back(first, -1)  # the first day of the next month
    this_month = [c for c in cases if c.counted and first <= c.registered_on < end and c.registered_on <= today]
    if before is None:
        before = sum(1 for c in cases if c.counted and start <= c.registered_on < first)
    average = before / t.surge_months
    if len(this_month) < t.surge_minimum or len(this_month) < t.surge_ratio * average:
        return None
    if not any(c.open for c in this_month):
        return None
    this_month.sort(key=lambda c: (c.registered_on, c.id))
    params = {"village": village_name, "year": first.year, "month": first.month, "count": len(this_month),
              "months": t.surge_months, "average": f"{average:.1f}"}
    return Finding(Rule.VILLAGE_SURGE, month_key(village_id, first), WarningLevel.BLUE, params, village_id,
                   tuple(c.id for c in this_month), numbers=tuple(c.number for c in this_month))


def major_dispute(case: CaseFacts, today: date, t: Thresholds) -> Finding | None:
    """An open major dispute (重大) without its responsible unit, leader and person, or past its time limit
    (yellow); red when past its limit during a sensitive period or on its eve."""
    if not case.open or not case.major:
        return None
    overdue = case.due_on is not None and case.due_on < today
    if case.has_responsibility and not overdue:
        return None
    period = t.sensitive_period_on(today) if overdue else None
    params = {"number": case.number, "unassigned": not case.has_responsibility,
              "due": case.due_on.isoformat() if overdue else None, "period": period.name if period else None,
              "starts": period.starts_on.isoformat() if period else None,
              "ends": period.ends_on.isoformat() if period else None}
    return _case_finding(Rule.MAJOR_DISPUTE, case, WarningLevel.RED if period else WarningLevel.YELLOW, params)


def prevention_flag(case: CaseFacts) -> Finding | None:
    """An open dispute flagged 防止民转刑 or 防止群体性上访 (red)."""
    if not case.open or not (case.prevented_criminal or case.prevented_group_petition):
        return None
    flags = [flag for on, flag in ((case.prevented_criminal, "criminal"),
                                   (case.prevented_group_petition, "group_petition")) if on]
    return _case_finding(Rule.PREVENTION_FLAG, case, WarningLevel.RED, {"number": case.number, "flags": flags})


def _case_finding(rule: Rule, case: CaseFacts, level: WarningLevel, params: dict) -> Finding:
    people = tuple(p.name for p in case.parties)
    return Finding(rule, case_key(case.id), level, params, case.village_id, (case.id,), numbers=(case.number,),
                   people=people)


def case_findings(case: CaseFacts, today: date, t: Thresholds) -> dict[tuple[Rule, str], Finding | None]:
    """Return the three per-case rules' findings for one case, None where a rule does not fire."""
    key = case_key(case.id)
    return {(Rule.MANY_PEOPLE, key): many_people(case, t), (Rule.MAJOR_DISPUTE, key): major_dispute(case, today, t),
            (Rule.PREVENTION_FLAG, key): prevention_flag(case)}


def group_by_person(items: Iterable, attribute: str) -> dict[str, list]:
    """Group cases (attribute "parties") or petitions ("petitioners") by person key; each item once per person."""
    groups: dict[str, dict[int, object]] = defaultdict(dict)
    for item in items:
        for person in getattr(item, attribute):
            groups[person_key(person.name, person.id_number, item.village_id)][item.id] = item
    return {key: list(found.values()) for key, found in groups.items()}


@dataclass
class TownshipFacts:
    """Everything the rules need to judge a whole township (the nightly refresh)."""

    cases: list[CaseFacts] = field(default_factory=list)
    petitions: list[PetitionFacts] = field(default_factory=list)
    village_names: dict[int, str] = field(default_factory=dict)


def judge_township(facts: TownshipFacts, today: date, t: Thresholds,
                   months: Iterable[date] = ()) -> list[Finding]:
    """Return every finding for a township on a day; surges are judged for the current month and `months`."""
    found: list[Finding | None] = []
    for key, cases in group_by_person(facts.cases, "parties").items():
        found.append(repeat_party(key, cases, today, t))
    for key, petitions in group_by_person(facts.petitions, "petitioners").items():
        found.append(repeat_petitioner(key, petitions, today, t))
    for case in facts.cases:
        found.extend(case_findings(case, today, t).values())
    by_village: dict[int, list[CaseFacts]] = defaultdict(list)
    for case in facts.cases:
        by_village[case.village_id].append(case)
    for month in {date(today.year, today.month, 1), *(date(m.year, m.month, 1) for m in months)}:
        for village_id, name in facts.village_names.items():
            found.append(village_surge(village_id, name, month, by_village.get(village_id, []), today, t))
    return [f for f in found if f is not None]


# --- figures ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RaisedWarning:
    """A warning as the figures read it: the day raised, the day resolved, and its level on each day it changed."""

    since: date
    resolved_on: date | None
    levels: tuple[tuple[date, str], ...]  # (day, level) in order: raised, then each change


def tally(warnings: Iterable[RaisedWarning], start: date, cut: date) -> dict[str, int]:
    """Count the warnings raised in [start, cut]: in all, by their level as at the cut, and resolved by the cut."""
    counts = {"raised": 0, "red": 0, "yellow": 0, "blue": 0, "resolved": 0}
    for warning in warnings:
        if not start <= warning.since <= cut:
            continue
        counts["raised"] += 1
        level = next((lv for day, lv in reversed(warning.levels) if day <= cut), None)
        level = level or (warning.levels[0][1] if warning.levels else None)
        if level in counts:
            counts[level] += 1
        if warning.resolved_on is not None and warning.resolved_on <= cut:
            counts["resolved"] += 1
    return counts


# --- settings -----------------------------------------------------------------------------------------------

def parse_sensitive_periods(text: str) -> list[dict]:
    """Read sensitive periods written one a line as "名称,开始日期,结束日期" (2027-03-01); refuse a bad line by number."""
    from casetrack.domain.errors import DomainError

    periods = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        try:
            if len(parts) != 3 or not parts[0]:
                raise ValueError(line)
            starts_on, ends_on = date.fromisoformat(parts[1]), date.fromisoformat(parts[2])
        except ValueError:
            raise DomainError("敏感时期第%(n)s行应写作“名称,开始日期,结束日期”,日期如2027-03-01。", n=number) from None
        if ends_on < starts_on:
            raise DomainError("敏感时期第%(n)s行的结束日期早于开始日期。", n=number)
        periods.append({"name": parts[0], "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return periods


def format_sensitive_periods(periods: Iterable[SensitivePeriod]) -> str:
    return "\n".join(f"{p.name},{p.starts_on.isoformat()},{p.ends_on.isoformat()}" for p in periods)
