"""Sentences of the annual report (法治政府建设工作报告) written from the period's figures.

Pure Python.  ``figures`` is the report dict of ``services.statistics.figures``: ``{"year": 2020, "township":
"...", "as_at": "2020-12-31", "complete": True, "disputes": ..., "petitions": ..., "screening": ..., "grid": ...}``
(``as_at``, ``complete`` and ``grid`` may be absent: a complete period, no grid sentence).

The register is the township report's own, in Chinese punctuation throughout (，；：（）“”。).  A period not yet
over is written "截至2026年12月7日", never "全年".  With ``Wording(rounded=True)`` the headline counts are
written the way the source report writes them ("50余起", see ``approximate_count``), but the counts inside the
brackets that justify a rate stay exact.  A rate whose denominator was 0 is never printed.

Sentences a township may switch off (``Wording.omit``, the township setting ``report_sentences_off``) are named
in ``OPTIONAL_SENTENCES``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from casetrack.domain.statistics import format_rate

COMMA = "\uff0c"  # ，
SEMICOLON = "\uff1b"  # ；
PERIOD = "\u3002"  # 。

OPTIONAL_SENTENCES: dict[str, str] = {
    "three_channels": "三调联动：人民调解、行政调解、司法调解各多少起",
    "screening_rule": "排查制度：各村每周一排查、乡每半月一排查，重点时段加密排查次数",
    "major": "重大矛盾纠纷：件数及落实责任单位、责任领导、责任人员情况",
    "legal_aid": "引导当事人申请法律援助的件数",
    "visits": "接待群众来访的批数和人次，及领导接访日接访情况",
    "grid": "乡、村、自然村三级网格的个数",
    "disruptive": "依法处置缠访闹访的件数及移交公安机关处理的件数",
    "quiet_periods": "春节、全国两会等重点时段未发生赴省进京上访",
}
"""Sentence key -> what it says, for the township's settings page."""

INTERVAL_WORDS = {"day": "每日", "week": "每周", "half_month": "每半月", "month": "每月"}


@dataclass(frozen=True)
class Wording:
    """The township's wording settings for the report."""

    rounded: bool = False  # write headline counts as "50余起" instead of "53起"
    township_name: str = ""  # overrides figures["township"] in the opening sentence
    period_label: str = ""  # "2025年第1季度" for a quarter or month; the year is used when empty
    omit: frozenset[str] = field(default_factory=frozenset)  # OPTIONAL_SENTENCES switched off
    village_interval: str = "week"  # 各村每周一排查
    township_interval: str = "half_month"  # 乡每半月一排查


def approximate_count(n: int) -> str:
    """Write n as the report does: exact below 10, else floored to tens plus 余 (53→50余, 50→50, 128→120余)."""
    if n < 0:
        raise ValueError(f"a count must not be negative: {n}")
    if n < 10:
        return str(n)
    floor = n // 10 * 10
    return str(n) if floor == n else f"{floor}余"


def count_text(n: int, wording: Wording) -> str:
    """Write a count exactly, or approximately when the wording asks for rounded counts."""
    return approximate_count(n) if wording.rounded else str(n)


def _as_at(figs: dict) -> str | None:
    """"截至2026年12月7日" when the period was not over on the report's day, else None."""
    if figs.get("complete", True) or not figs.get("as_at"):
        return None
    year, month, day = (int(part) for part in figs["as_at"].split("-"))
    return f"截至{year}年{month}月{day}日"


def _span(figs: dict, wording: Wording) -> str:
    """Say "全年" in a year's report, "本期" in a month's or quarter's, "截至…，" before the period's end."""
    as_at = _as_at(figs)
    return as_at + COMMA if as_at else ("本期" if wording.period_label else "全年")


def _paragraph(clauses: list[str]) -> str:
    return COMMA.join(clauses) + PERIOD


def mediation_sentence(figs: dict, wording: Wording = Wording()) -> str:
    """Write the headline clause: people's mediation at 村 and 乡, and its 调处率 with the exact counts behind it."""
    vt = figs["disputes"]["village_township"]
    clause = f"乡村两级调解组织共调处各类矛盾纠纷{count_text(vt['mediated'], wording)}起"
    if vt["mediation_rate"] is None:
        return clause
    return (f"{clause}{COMMA}调处率达{format_rate(vt['mediation_rate'])}"
            f"（乡村两级受理{vt['accepted']}起{COMMA}调处{vt['mediated']}起）")


def province_beijing_sentence(figs: dict) -> str:
    """Write the clause on petitions that went to the province or to Beijing."""
    n = figs["petitions"]["to_province_or_beijing"]
    if n == 0:
        return "没有发生一起赴省进京上访案件"
    return f"发生赴省进京上访案件{n}起"


def dispute_paragraph(figs: dict, wording: Wording = Wording()) -> str:
    """Write the paragraph on disputes registered, accepted, mediated and settled."""
    d = figs["disputes"]
    year = figs.get("year")
    place = wording.township_name or figs.get("township") or ""
    when = _as_at(figs) or wording.period_label or (f"{year}年" if year else "全年")
    opener = f"{when}{COMMA}{place}"
    c = partial(count_text, wording=wording)
    if d["registered"] == 0:
        clauses = [f"{opener}未登记矛盾纠纷"]
        if d["not_accepted"]:
            clauses.append(f"不予受理{c(d['not_accepted'])}起")
        return _paragraph(clauses)
    registered = f"{opener}共登记矛盾纠纷{c(d['registered'])}起"
    if d["not_accepted"]:
        registered += f"（另有不予受理{d['not_accepted']}起）"
    clauses = [registered, f"受理{c(d['accepted'])}起"]
    if d["pending_decision"]:
        clauses.append(f"待受理{c(d['pending_decision'])}起")
    text = COMMA.join(clauses) + SEMICOLON + mediation_sentence(figs, wording)
    vt = d["village_township"]
    if vt["success_rate"] is not None:
        text += (f"{COMMA}其中调解成功{c(vt['succeeded'])}起{COMMA}调解成功率达{format_rate(vt['success_rate'])}"
                 f"（乡村两级受理{vt['accepted']}起{COMMA}调解成功{vt['succeeded']}起）")
    outside = d["mediated"] - vt["mediated"]
    if outside:
        text += (f"{SEMICOLON}另有{c(outside)}起经县级或行政调解、司法调解调处"
                 f"{COMMA}其中调解成功{c(d['succeeded'] - vt['succeeded'])}起")
    if d["in_progress"]:
        text += f"{SEMICOLON}尚在调解中{c(d['in_progress'])}起"
    if d["performed_rate"] is not None:
        text += f"{SEMICOLON}履行情况已知的调解协议中{COMMA}调后履行率为{format_rate(d['performed_rate'])}"
    return text + PERIOD


def three_channels_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    """Write the 三调联动 sentence: the registered disputes by channel."""
    d = figs["disputes"]
    if not d["registered"]:
        return None
    by_channel = d["by_channel"]
    counts = "、".join(f"{name}{count_text(by_channel.get(name, 0), wording)}起"
                        for name in ("人民调解", "行政调解", "司法调解"))
    return f"坚持人民调解、行政调解、司法调解“三调联动”{COMMA}登记的矛盾纠纷中{counts}{PERIOD}"


def level_sentence(figs: dict) -> str | None:
    """Write the 小事不出村、大事不出乡 sentence, or None when no dispute was settled."""
    d = figs["disputes"]
    if d["village_share"] is None or d["within_township_share"] is None:
        return None
    return (
        f"坚持“小事不出村{COMMA}大事不出乡”{COMMA}在调解成功的纠纷中{COMMA}"
        f"村级化解占{format_rate(d['village_share'])}{COMMA}"
        f"乡级以内化解占{format_rate(d['within_township_share'])}{PERIOD}"
    )


def major_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    """Write the sentence on major disputes (重大矛盾纠纷) and their 领导包案, or None when there were none."""
    d = figs["disputes"]
    if not d.get("major"):
        return None
    clause = f"{_span(figs, wording)}登记重大矛盾纠纷{count_text(d['major'], wording)}起"
    if d["major_responsible"] == d["major"]:
        return f"{clause}{COMMA}均落实了责任单位、责任领导、责任人员{PERIOD}"
    missing = d["major"] - d["major_responsible"]
    return (f"{clause}{COMMA}其中{d['major_responsible']}起落实了责任单位、责任领导、责任人员{COMMA}"
            f"{missing}起尚未落实{PERIOD}")


def legal_aid_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    n = figs["disputes"].get("legal_aid", 0)
    if not n:
        return None
    return f"对调解不成的纠纷{COMMA}引导当事人申请法律援助{count_text(n, wording)}起{PERIOD}"


def prevention_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    """Write the sentence on escalations prevented, or None when none were recorded."""
    d = figs["disputes"]
    c = partial(count_text, wording=wording)
    clauses = []
    if d["prevented_criminal"]:
        clauses.append(f"防止民转刑{c(d['prevented_criminal'])}起{c(d['prevented_criminal_persons'])}人")
    if d["prevented_group_petition"]:
        clauses.append(
            f"防止群体性上访{c(d['prevented_group_petition'])}起{c(d['prevented_group_petition_persons'])}人"
        )
    if not clauses:
        return None
    return "成功" + _paragraph(clauses)


def screening_rule_sentence(figs: dict, wording: Wording = Wording()) -> str:
    """Write the screening rule, and the named periods with their intensified rounds."""
    rule = (f"坚持各村{INTERVAL_WORDS.get(wording.village_interval, '')}一排查、"
            f"乡{INTERVAL_WORDS.get(wording.township_interval, '')}一排查")
    s = figs["screening"]
    names = s.get("intensified_periods") or []
    if not names:
        return rule + PERIOD
    return f"{rule}{COMMA}{'、'.join(names)}等重点时段加密排查{count_text(s['intensified_held'], wording)}次{PERIOD}"


def screening_sentence(figs: dict, wording: Wording = Wording()) -> str:
    """Write the sentence on screening rounds held and what they found."""
    s = figs["screening"]
    c = partial(count_text, wording=wording)
    span = _span(figs, wording)
    if s["held"] == 0 and s["due"] == 0:
        return f"{span}未安排矛盾纠纷排查{PERIOD}"
    held = f"{span}开展矛盾纠纷排查{c(s['held'])}次"
    if s["rate"] is not None:
        held += f"（应排查{s['due']}次{COMMA}排查完成率{format_rate(s['rate'])}）"
    clauses = [held]
    if s["nil"]:
        clauses.append(f"其中零上报{c(s['nil'])}次")
    findings = s.get("findings", s["found"])
    if not findings:
        return COMMA.join(clauses) + f"{SEMICOLON}未排查出矛盾纠纷{PERIOD}"
    if s.get("found_resolved") is None:  # a year frozen before findings resolved on the spot were counted
        return COMMA.join(clauses) + f"{SEMICOLON}排查发现并登记调处矛盾纠纷{c(s['found_registered'])}起{PERIOD}"
    found = (f"排查发现矛盾纠纷{c(findings)}起{COMMA}其中当场化解{c(s['found_resolved'])}起{COMMA}"
             f"登记调处{c(s['found_registered'])}起")
    waiting = findings - s["found_resolved"] - s["found_registered"]
    if waiting:
        found += f"{COMMA}待处理{c(waiting)}起"
    return COMMA.join(clauses) + SEMICOLON + found + PERIOD


def petition_paragraph(figs: dict, wording: Wording = Wording()) -> str:
    """Write the paragraph on petitions received and decided, answered on time, satisfaction and 赴省进京."""
    p = figs["petitions"]
    c = partial(count_text, wording=wording)
    span = _span(figs, wording)
    if p["received"] == 0:
        parts = [f"{span}未收到信访事项"]
    else:
        decided = [f"受理信访事项{c(p['accepted'])}件"]
        if p.get("assigned"):  # 交办 is counted in 受理: the brackets say how many, exactly
            decided[0] += f"（其中交办{p['assigned']}件）"
        decided += [f"{word}{c(p[key])}件" for key, word in
                    (("forwarded", "转送"), ("not_accepted", "不予受理"), ("undecided", "尚待决定")) if p[key]]
        if p.get("supervised"):
            decided.append(f"领导督办{c(p['supervised'])}件")
        parts = [f"{span}收到信访事项{c(p['received'])}件{c(p['persons'])}人次{COMMA}" + COMMA.join(decided)]
        group = f"其中集体访{c(p['collective'])}批" if p["collective"] else "无集体访"
        if p["collective_other"]:
            group += f"{COMMA}另有多人联名信访{c(p['collective_other'])}件"
        parts.append(group)
    if p["repeat"]:
        parts.append(f"重复信访{c(p['repeat'])}件已关联首次信访、不重复计数")
    if p["timely_decided_rate"] is not None:
        decided_total = p["accepted"] + p["forwarded"] + p["not_accepted"]
        parts.append(f"及时受理率达{format_rate(p['timely_decided_rate'])}"
                     f"（已作出决定的{decided_total}件中{COMMA}15日内作出决定{p['timely_decided']}件）")
    if p["on_time_rate"] is not None:
        parts.append(f"按期办结率达{format_rate(p['on_time_rate'])}"
                     f"（到期应办结{p['due']}件{COMMA}按期办结{p['on_time']}件）")
    if p["satisfaction_rate"] is not None:
        rating = f"{COMMA}参评率{format_rate(p['rating_rate'])}" if p.get("rating_rate") is not None else ""
        parts.append(f"群众满意率达{format_rate(p['satisfaction_rate'])}"
                     f"（参与评价的{p['rated']}件中满意和基本满意{p['satisfied']}件{rating}）")
    parts.append(province_beijing_sentence(figs))
    return SEMICOLON.join(parts) + PERIOD


def visits_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    p = figs["petitions"]
    if not p.get("visits"):
        return None
    c = partial(count_text, wording=wording)
    text = f"{_span(figs, wording)}接待群众来访{c(p['visits'])}批{c(p['visit_persons'])}人次"
    if p.get("leader_visits"):  # 领导接访, where recorded
        text += (f"{COMMA}其中乡领导接访日接访{c(p['leader_reception_days'])}次{COMMA}"
                 f"接待来访群众{c(p['leader_visits'])}批{c(p['leader_visit_persons'])}人次")
    return text + PERIOD


def disruptive_sentence(figs: dict, wording: Wording = Wording()) -> str | None:
    p = figs["petitions"]
    if not p["disruptive"]:
        return None
    text = f"依法处置缠访闹访{count_text(p['disruptive'], wording)}件"
    if p.get("police_referred"):
        text += f"{COMMA}其中违法行为移交公安机关处理{count_text(p['police_referred'], wording)}件"
    return text + PERIOD


def quiet_periods_sentence(figs: dict) -> str | None:
    names = figs["petitions"].get("quiet_periods") or []
    if not names:
        return None
    return f"{'、'.join(names)}期间未发生赴省进京上访{PERIOD}"


def grid_sentence(figs: dict) -> str | None:
    g = figs.get("grid")
    if not g or not g.get("villages"):
        return None
    return (f"构建乡、村、自然村三级网格{COMMA}共有乡级网格{g['townships']}个、村级网格{g['villages']}个、"
            f"自然村网格{g['natural_villages']}个{PERIOD}")


def report_paragraphs(figures: dict, wording: Wording = Wording()) -> list[str]:
    """Write the report's paragraphs for the sections present in the figures, leaving out those switched off."""
    def optional(key: str, sentence: str | None) -> str | None:
        return None if key in wording.omit else sentence

    paragraphs: list[str | None] = []
    if "disputes" in figures:
        paragraphs.append(dispute_paragraph(figures, wording))
        paragraphs.append(optional("three_channels", three_channels_sentence(figures, wording)))
        paragraphs.append(level_sentence(figures))
        paragraphs.append(optional("major", major_sentence(figures, wording)))
        paragraphs.append(optional("legal_aid", legal_aid_sentence(figures, wording)))
        paragraphs.append(prevention_sentence(figures, wording))
    if "screening" in figures:
        paragraphs.append(optional("screening_rule", screening_rule_sentence(figures, wording)))
        paragraphs.append(screening_sentence(figures, wording))
    if "grid" in figures:
        paragraphs.append(optional("grid", grid_sentence(figures)))
    if "petitions" in figures:
        paragraphs.append(petition_paragraph(figures, wording))
        paragraphs.append(optional("visits", visits_sentence(figures, wording)))
        paragraphs.append(optional("disruptive", disruptive_sentence(figures, wording)))
        paragraphs.append(optional("quiet_periods", quiet_periods_sentence(figures)))
    return [p for p in paragraphs if p]


def report_text(figures: dict, wording: Wording = Wording()) -> str:
    """The whole paragraph text (the JSON's ``text``): the paragraphs, one per line."""
    return "\n".join(report_paragraphs(figures, wording))
