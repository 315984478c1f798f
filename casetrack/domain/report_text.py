"""Sentences of the annual report (法治政府建设工作报告) written from the year's figures.

Pure Python.  ``figures`` is the report dict built from ``casetrack.domain.statistics``:
``{"year": 2020, "township": "...", "disputes": dispute_figures(...),
"petitions": petition_figures(...), "screening": screening_figures(...)}``.

The sentences use the punctuation of the report's contract: "," and ";" as the
township's text writes them, with （）。“” full-width.  Sentence functions return a clause without the final "。"; ``report_paragraphs``
joins clauses into paragraphs that end in "。".  A rate whose denominator was 0 is
never printed: its clause is left out, or the paragraph says plainly there were none.

With ``Wording(rounded=True)`` every count in the paragraphs is written the way the
source report writes it ("50余起", see ``approximate_count``); rates stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from casetrack.domain.statistics import format_rate

COMMA = ","  # the contract writes the headline sentence with this comma
SEMICOLON = ";"
PERIOD = "\u3002"  # 。


@dataclass(frozen=True)
class Wording:
    """The township's wording settings for the report."""

    rounded: bool = False  # write counts as "50余起" instead of "53起"
    township_name: str = ""  # overrides figures["township"] in the opening sentence
    period_label: str = ""  # "2025年第1季度" for a quarter or month; the year is used when empty


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


def mediation_sentence(figs: dict, wording: Wording = Wording()) -> str:
    """Write the headline clause: disputes mediated by the two levels and the mediation rate."""
    d = figs["disputes"]
    clause = f"乡村两级调解组织共调处各类矛盾纠纷{count_text(d['mediated'], wording)}起"
    if d["mediation_rate"] is None:
        return clause
    return f"{clause}{COMMA}调处率达{format_rate(d['mediation_rate'])}"


def province_beijing_sentence(figs: dict) -> str:
    """Write the clause on petitions that went to the province or to Beijing."""
    n = figs["petitions"]["to_province_or_beijing"]
    if n == 0:
        return "没有发生一起到赴省进京上访案件"
    return f"发生赴省进京上访案件{n}起"


def _span(wording: Wording) -> str:
    """Say "全年" in a year's report and "本期" in a month's or quarter's."""
    return "本期" if wording.period_label else "全年"


def _paragraph(clauses: list[str]) -> str:
    return COMMA.join(clauses) + PERIOD


def dispute_paragraph(figs: dict, wording: Wording = Wording()) -> str:
    """Write the paragraph on disputes registered, mediated and settled."""
    d = figs["disputes"]
    year = figs.get("year")
    place = wording.township_name or figs.get("township") or ""
    when = wording.period_label or (f"{year}年" if year else "")
    opener = f"{when}{COMMA}{place}" if when else f"全年{place}"
    c = partial(count_text, wording=wording)
    if d["registered"] == 0:
        clauses = [f"{opener}未登记受理矛盾纠纷"]
        if d["not_accepted"]:
            clauses.append(f"不予受理{c(d['not_accepted'])}起")
        return _paragraph(clauses)
    registered = f"{opener}共登记受理矛盾纠纷{c(d['registered'])}起"
    if d["not_accepted"]:
        registered += f"（另有不予受理{c(d['not_accepted'])}起）"
    clauses = [registered, mediation_sentence(figs, wording)]
    clauses.append(f"其中调解成功{c(d['succeeded'])}起{COMMA}调解成功率达{format_rate(d['success_rate'])}")
    if d["in_progress"]:
        clauses.append(f"尚在调解中{c(d['in_progress'])}起")
    text = COMMA.join(clauses)
    if d["performed_rate"] is not None:
        text += f"{SEMICOLON}履行情况已知的调解协议中{COMMA}调后履行率为{format_rate(d['performed_rate'])}"
    return text + PERIOD


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


def screening_sentence(figs: dict, wording: Wording = Wording()) -> str:
    """Write the sentence on screening rounds held and the disputes they found."""
    s = figs["screening"]
    c = partial(count_text, wording=wording)
    if s["held"] == 0 and s["due"] == 0:
        return f"{_span(wording)}未安排矛盾纠纷排查{PERIOD}"
    held = f"{_span(wording)}开展矛盾纠纷排查{c(s['held'])}次"
    if s["rate"] is not None:
        held += f"（应排查{c(s['due'])}次{COMMA}排查完成率{format_rate(s['rate'])}）"
    clauses = [held]
    if s["nil"]:
        clauses.append(f"其中零上报{c(s['nil'])}次")
    if s["found"]:
        clauses.append(f"通过排查发现矛盾纠纷{c(s['found'])}起")
    else:
        clauses.append("未排查出矛盾纠纷")
    return _paragraph(clauses)


def petition_paragraph(figs: dict, wording: Wording = Wording()) -> str:
    """Write the paragraph on petitions received, answered on time, satisfaction and 赴省进京."""
    p = figs["petitions"]
    c = partial(count_text, wording=wording)
    if p["received"] == 0:
        clauses = [f"{_span(wording)}未受理信访事项"]
    else:
        clauses = [f"{_span(wording)}受理信访事项{c(p['received'])}件{c(p['persons'])}人次"]
        if p["collective"]:
            clauses.append(f"其中集体访{c(p['collective'])}批")
        else:
            clauses.append("无集体访")
    if p["repeat"]:
        clauses.append(f"重复信访{c(p['repeat'])}件已关联首次信访、不重复计数")
    if p["on_time_rate"] is not None:
        clauses.append(
            f"按期办结率达{format_rate(p['on_time_rate'])}"
            f"（到期应办结{c(p['due'])}件{COMMA}按期办结{c(p['on_time'])}件）"
        )
    if p["satisfaction_rate"] is not None:
        clauses.append(
            f"群众满意率达{format_rate(p['satisfaction_rate'])}"
            f"（参与评价的{c(p['rated'])}件中满意和基本满意{c(p['satisfied'])}件）"
        )
    clauses.append(province_beijing_sentence(figs))
    return _paragraph(clauses)


def report_paragraphs(figures: dict, wording: Wording = Wording()) -> list[str]:
    """Write the report's paragraphs for the sections present in the figures."""
    paragraphs: list[str | None] = []
    if "disputes" in figures:
        paragraphs.append(dispute_paragraph(figures, wording))
        paragraphs.append(level_sentence(figures))
        paragraphs.append(prevention_sentence(figures, wording))
    if "screening" in figures:
        paragraphs.append(screening_sentence(figures, wording))
    if "petitions" in figures:
        paragraphs.append(petition_paragraph(figures, wording))
    return [p for p in paragraphs if p]
