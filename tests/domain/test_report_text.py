"""Annual-report sentences of casetrack.domain.report_text, asserted as whole strings."""

import ast
import dataclasses
from pathlib import Path

import pytest

from casetrack.domain import report_text
from casetrack.domain.report_text import (
    Wording,
    approximate_count,
    count_text,
    dispute_paragraph,
    level_sentence,
    mediation_sentence,
    petition_paragraph,
    prevention_sentence,
    province_beijing_sentence,
    report_paragraphs,
    screening_sentence,
)
from casetrack.domain.statistics import (
    DisputeCounts,
    PetitionCounts,
    ScreeningCounts,
    dispute_figures,
    petition_figures,
    screening_figures,
)

ROUNDED = Wording(rounded=True)


def disputes(**overrides) -> DisputeCounts:
    # fmt: off
    values = dict(
        registered=54, not_accepted=2, succeeded=50, failed=3, ended=1, in_progress=0,
        performed=47, performance_known=48, succeeded_village=40, succeeded_township=8,
        prevented_criminal=2, prevented_criminal_persons=5,
        prevented_group_petition=1, prevented_group_petition_persons=12,
    )
    # fmt: on
    values.update(overrides)
    return DisputeCounts(**values)


def petitions(**overrides) -> PetitionCounts:
    # fmt: off
    values = dict(
        received=12, persons=30, collective=2, repeat=3, cross_level=1, to_province_or_beijing=0,
        due=10, on_time=9, rated=8, satisfied=7, disruptive=1,
    )
    # fmt: on
    values.update(overrides)
    return PetitionCounts(**values)


def zeros(cls):
    names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("by_")]
    return cls(**dict.fromkeys(names, 0))


def report(d=None, p=None, s=None, year=2020, township="斜坡乡") -> dict:
    return {
        "year": year,
        "township": township,
        "disputes": dispute_figures(d or disputes()),
        "petitions": petition_figures(p or petitions()),
        "screening": screening_figures(s or ScreeningCounts(due=416, held=420, nil=380, found=15)),
    }


EMPTY = report(d=zeros(DisputeCounts), p=zeros(PetitionCounts), s=zeros(ScreeningCounts))


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (7, "7"),
        (9, "9"),
        (10, "10"),
        (11, "10余"),
        (50, "50"),
        (53, "50余"),
        (99, "90余"),
        (100, "100"),
        (128, "120余"),
        (130, "130"),
        (1005, "1000余"),
    ],
)
def test_approximate_count(n, text):
    assert approximate_count(n) == text


def test_approximate_count_refuses_negative():
    with pytest.raises(ValueError):
        approximate_count(-1)


@pytest.mark.parametrize(("wording", "text"), [(Wording(), "53"), (ROUNDED, "50余")])
def test_count_text_follows_the_wording(wording, text):
    assert count_text(53, wording) == text


# --- headline sentences -----------------------------------------------------------------------


def test_mediation_sentence_default_wording():
    assert mediation_sentence(report()) == "乡村两级调解组织共调处各类矛盾纠纷54起,调处率达100%"


def test_mediation_sentence_rounded_wording_keeps_the_rate_exact():
    figs = report(d=disputes(registered=54, succeeded=50, failed=2, ended=1, in_progress=1))
    assert mediation_sentence(figs, ROUNDED) == "乡村两级调解组织共调处各类矛盾纠纷50余起,调处率达98.1%"


def test_mediation_sentence_uses_the_contracts_comma():
    sentence = mediation_sentence(report())
    assert "纠纷54起,调处率达" in sentence and "\uff0c" not in sentence


def test_mediation_sentence_without_registered_disputes_prints_no_rate():
    assert mediation_sentence(EMPTY) == "乡村两级调解组织共调处各类矛盾纠纷0起"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "没有发生一起到赴省进京上访案件"), (1, "发生赴省进京上访案件1起"), (3, "发生赴省进京上访案件3起")],
)
def test_province_beijing_sentence(n, text):
    assert province_beijing_sentence(report(p=petitions(to_province_or_beijing=n))) == text


# --- dispute paragraphs -----------------------------------------------------------------------


def test_dispute_paragraph():
    assert dispute_paragraph(report()) == (
        "2020年,斜坡乡共登记受理矛盾纠纷54起（另有不予受理2起）,"
        "乡村两级调解组织共调处各类矛盾纠纷54起,调处率达100%,其中调解成功50起,调解成功率达92.6%;"
        "履行情况已知的调解协议中,调后履行率为97.9%。"
    )


def test_dispute_paragraph_rounded_with_cases_still_in_mediation():
    figs = report(
        d=disputes(not_accepted=0, failed=1, ended=0, in_progress=3, performance_known=0, performed=0)
    )
    assert dispute_paragraph(figs, ROUNDED) == (
        "2020年,斜坡乡共登记受理矛盾纠纷50余起,"
        "乡村两级调解组织共调处各类矛盾纠纷50余起,调处率达94.4%,其中调解成功50起,调解成功率达92.6%,"
        "尚在调解中3起。"
    )


@pytest.mark.parametrize(
    ("not_accepted", "text"),
    [(0, "2020年,斜坡乡未登记受理矛盾纠纷。"), (2, "2020年,斜坡乡未登记受理矛盾纠纷,不予受理2起。")],
)
def test_dispute_paragraph_for_a_year_without_disputes(not_accepted, text):
    figs = report(d=dataclasses.replace(zeros(DisputeCounts), not_accepted=not_accepted))
    assert dispute_paragraph(figs) == text


def test_township_name_in_the_wording_overrides_the_figures():
    figs = report(d=zeros(DisputeCounts), township="")
    assert dispute_paragraph(figs) == "2020年,未登记受理矛盾纠纷。"
    assert dispute_paragraph(figs, Wording(township_name="斜坡镇")) == "2020年,斜坡镇未登记受理矛盾纠纷。"


def test_level_sentence():
    assert level_sentence(report()) == (
        "坚持“小事不出村,大事不出乡”,在调解成功的纠纷中,村级化解占80%,乡级以内化解占96%。"
    )


def test_level_sentence_is_left_out_when_nothing_succeeded():
    assert (
        level_sentence(report(d=disputes(succeeded=0, failed=53, succeeded_village=0, succeeded_township=0)))
        is None
    )


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({}, "成功防止民转刑2起5人,防止群体性上访1起12人。"),
        ({"prevented_group_petition": 0, "prevented_group_petition_persons": 0}, "成功防止民转刑2起5人。"),
        ({"prevented_criminal": 0, "prevented_criminal_persons": 0}, "成功防止群体性上访1起12人。"),
        (
            {
                "prevented_criminal": 0,
                "prevented_criminal_persons": 0,
                "prevented_group_petition": 0,
                "prevented_group_petition_persons": 0,
            },
            None,
        ),
    ],
)
def test_prevention_sentence(counts, text):
    assert prevention_sentence(report(d=disputes(**counts))) == text


def test_prevention_sentence_rounded():
    figs = report(d=disputes(prevented_group_petition=12, prevented_group_petition_persons=85))
    assert prevention_sentence(figs, ROUNDED) == "成功防止民转刑2起5人,防止群体性上访10余起80余人。"


# --- screening ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        (
            (416, 420, 380, 15),
            "全年开展矛盾纠纷排查420次（应排查416次,排查完成率100%）,其中零上报380次,通过排查发现矛盾纠纷15起。",
        ),
        (
            (416, 312, 312, 0),
            "全年开展矛盾纠纷排查312次（应排查416次,排查完成率75%）,其中零上报312次,未排查出矛盾纠纷。",
        ),
        ((0, 4, 0, 4), "全年开展矛盾纠纷排查4次,通过排查发现矛盾纠纷4起。"),
        ((52, 0, 0, 0), "全年开展矛盾纠纷排查0次（应排查52次,排查完成率0%）,未排查出矛盾纠纷。"),
        ((0, 0, 0, 0), "全年未安排矛盾纠纷排查。"),
    ],
)
def test_screening_sentence(counts, text):
    due, held, nil, found = counts
    figs = report(s=ScreeningCounts(due=due, held=held, nil=nil, found=found))
    assert screening_sentence(figs) == text


# --- petitions ---------------------------------------------------------------------------------


def test_petition_paragraph():
    assert petition_paragraph(report()) == (
        "全年受理信访事项12件30人次,其中集体访2批,重复信访3件已关联首次信访、不重复计数,"
        "按期办结率达90%（到期应办结10件,按期办结9件）,"
        "群众满意率达87.5%（参与评价的8件中满意和基本满意7件）,没有发生一起到赴省进京上访案件。"
    )


def test_petition_paragraph_without_group_visits_ratings_or_due_petitions():
    figs = report(
        p=petitions(collective=0, repeat=0, due=0, on_time=0, rated=0, satisfied=0, to_province_or_beijing=1)
    )
    assert petition_paragraph(figs) == "全年受理信访事项12件30人次,无集体访,发生赴省进京上访案件1起。"


def test_petition_paragraph_rounded():
    figs = report(
        p=petitions(
            received=128, persons=305, collective=11, repeat=0, due=120, on_time=117, rated=100, satisfied=98
        )
    )
    assert petition_paragraph(figs, ROUNDED) == (
        "全年受理信访事项120余件300余人次,其中集体访10余批,"
        "按期办结率达97.5%（到期应办结120件,按期办结110余件）,"
        "群众满意率达98%（参与评价的100件中满意和基本满意90余件）,没有发生一起到赴省进京上访案件。"
    )


# --- whole report ------------------------------------------------------------------------------


def test_report_paragraphs():
    assert report_paragraphs(report()) == [
        "2020年,斜坡乡共登记受理矛盾纠纷54起（另有不予受理2起）,"
        "乡村两级调解组织共调处各类矛盾纠纷54起,调处率达100%,其中调解成功50起,调解成功率达92.6%;"
        "履行情况已知的调解协议中,调后履行率为97.9%。",
        "坚持“小事不出村,大事不出乡”,在调解成功的纠纷中,村级化解占80%,乡级以内化解占96%。",
        "成功防止民转刑2起5人,防止群体性上访1起12人。",
        "全年开展矛盾纠纷排查420次（应排查416次,排查完成率100%）,其中零上报380次,通过排查发现矛盾纠纷15起。",
        "全年受理信访事项12件30人次,其中集体访2批,重复信访3件已关联首次信访、不重复计数,"
        "按期办结率达90%（到期应办结10件,按期办结9件）,"
        "群众满意率达87.5%（参与评价的8件中满意和基本满意7件）,没有发生一起到赴省进京上访案件。",
    ]


def test_report_paragraphs_for_an_empty_year():
    assert report_paragraphs(EMPTY) == [
        "2020年,斜坡乡未登记受理矛盾纠纷。",
        "全年未安排矛盾纠纷排查。",
        "全年未受理信访事项,没有发生一起到赴省进京上访案件。",
    ]


@pytest.mark.parametrize("wording", [Wording(), ROUNDED])
@pytest.mark.parametrize("figs", [EMPTY, report(), report(year=None, township="")])
def test_report_never_prints_none_or_a_dash_or_mixed_commas(figs, wording):
    text = "".join(report_paragraphs(figs, wording))
    assert "None" not in text and "—" not in text and "\uff0c" not in text
    assert all(p.endswith("。") for p in report_paragraphs(figs, wording))


def test_report_paragraphs_write_only_the_sections_given():
    figs = {"year": 2021, "petitions": petition_figures(zeros(PetitionCounts))}
    assert report_paragraphs(figs) == ["全年未受理信访事项,没有发生一起到赴省进京上访案件。"]


def test_module_is_pure_python():
    source = Path(report_text.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported <= {"__future__", "dataclasses", "functools", "casetrack"}
    assert "today(" not in source
