"""Annual-report sentences of casetrack.domain.report_text, asserted as whole strings."""

import ast
import dataclasses
from pathlib import Path

import pytest

from casetrack.domain import report_text
from casetrack.domain.report_text import (
    OPTIONAL_SENTENCES,
    Wording,
    approximate_count,
    count_text,
    dispute_paragraph,
    disruptive_sentence,
    grid_sentence,
    legal_aid_sentence,
    level_sentence,
    major_sentence,
    mediation_sentence,
    petition_paragraph,
    prevention_sentence,
    province_beijing_sentence,
    quiet_periods_sentence,
    report_paragraphs,
    screening_rule_sentence,
    screening_sentence,
    three_channels_sentence,
    visits_sentence,
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
    # 54 registered, all accepted; 人民调解 at 村/乡: 50 accepted, 50 mediated, 46 succeeded; 4 at the county
    # fmt: off
    values = dict(
        registered=54, accepted=54, pending_decision=0, not_accepted=2, succeeded=50, failed=3, ended=1,
        in_progress=0, performed=47, performance_known=48, succeeded_village=40, succeeded_township=6,
        vt_accepted=50, vt_mediated=50, vt_succeeded=46,
        prevented_criminal=2, prevented_criminal_persons=5,
        prevented_group_petition=1, prevented_group_petition_persons=12,
        by_channel={"人民调解": 52, "司法调解": 2},
    )
    # fmt: on
    values.update(overrides)
    return DisputeCounts(**values)


def petitions(**overrides) -> PetitionCounts:
    # fmt: off
    values = dict(
        received=12, persons=30, collective=2, repeat=3, cross_level=1, to_province_or_beijing=0,
        due=10, on_time=9, rated=8, satisfied=7, disruptive=1,
        accepted=10, forwarded=1, not_accepted=1, undecided=0, timely_decided=11, answered=10, collective_other=1,
        visits=5, visit_persons=14,
    )
    # fmt: on
    values.update(overrides)
    return PetitionCounts(**values)


def zeros(cls):
    names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("by_")
             and f.type not in ("tuple[str, ...]",)]
    return cls(**dict.fromkeys(names, 0))


SCREENING = ScreeningCounts(due=416, held=420, nil=380, found=15, findings=18, found_registered=5, found_resolved=13)


def report(d=None, p=None, s=None, year=2020, township="斜坡乡", **extra) -> dict:
    return {
        "year": year,
        "township": township,
        "disputes": dispute_figures(d or disputes()),
        "petitions": petition_figures(p or petitions()),
        "screening": screening_figures(s or SCREENING),
        **extra,
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


def test_mediation_sentence_counts_peoples_mediation_at_village_and_township_with_the_exact_counts():
    assert mediation_sentence(report()) == "乡村两级调解组织共调处各类矛盾纠纷50起，调处率达100%（乡村两级受理50起，调处50起）"


def test_mediation_sentence_rounded_keeps_the_rate_and_the_brackets_exact():
    figs = report(d=disputes(vt_accepted=54, vt_mediated=53, vt_succeeded=50))
    assert mediation_sentence(figs, ROUNDED) == (
        "乡村两级调解组织共调处各类矛盾纠纷50余起，调处率达98.1%（乡村两级受理54起，调处53起）")


def test_mediation_sentence_without_accepted_disputes_prints_no_rate():
    assert mediation_sentence(EMPTY) == "乡村两级调解组织共调处各类矛盾纠纷0起"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "没有发生一起赴省进京上访案件"), (1, "发生赴省进京上访案件1起"), (3, "发生赴省进京上访案件3起")],
)
def test_province_beijing_sentence(n, text):
    assert province_beijing_sentence(report(p=petitions(to_province_or_beijing=n))) == text


# --- dispute paragraphs -----------------------------------------------------------------------


DISPUTES_2020 = (
    "2020年，斜坡乡共登记矛盾纠纷54起（另有不予受理2起），受理54起；"
    "乡村两级调解组织共调处各类矛盾纠纷50起，调处率达100%（乡村两级受理50起，调处50起），"
    "其中调解成功46起，调解成功率达92%（乡村两级受理50起，调解成功46起）；"
    "另有4起经县级或行政调解、司法调解调处，其中调解成功4起；"
    "履行情况已知的调解协议中，调后履行率为97.9%。"
)


def test_dispute_paragraph():
    assert dispute_paragraph(report()) == DISPUTES_2020


def test_dispute_paragraph_rounded_with_cases_pending_and_in_mediation():
    figs = report(d=disputes(not_accepted=0, accepted=52, pending_decision=2, failed=0, ended=0, in_progress=2,
                             performance_known=0, performed=0, vt_accepted=52, vt_mediated=50))
    assert dispute_paragraph(figs, ROUNDED) == (
        "2020年，斜坡乡共登记矛盾纠纷50余起，受理50余起，待受理2起；"
        "乡村两级调解组织共调处各类矛盾纠纷50起，调处率达96.2%（乡村两级受理52起，调处50起），"
        "其中调解成功40余起，调解成功率达88.5%（乡村两级受理52起，调解成功46起）；"
        "尚在调解中2起。"
    )


def test_a_period_not_over_is_as_at_the_day_never_the_whole_year():
    figs = report(as_at="2026-12-07", complete=False, year=2026)
    assert dispute_paragraph(figs).startswith("截至2026年12月7日，斜坡乡共登记矛盾纠纷54起")
    text = "".join(report_paragraphs(figs))
    assert "全年" not in text
    assert "截至2026年12月7日，开展矛盾纠纷排查420次" in text and "截至2026年12月7日，收到信访事项12件" in text
    assert "截至2026年12月7日，接待群众来访5批14人次。" in text


@pytest.mark.parametrize(
    ("not_accepted", "text"),
    [(0, "2020年，斜坡乡未登记矛盾纠纷。"), (2, "2020年，斜坡乡未登记矛盾纠纷，不予受理2起。")],
)
def test_dispute_paragraph_for_a_year_without_disputes(not_accepted, text):
    figs = report(d=dataclasses.replace(zeros(DisputeCounts), not_accepted=not_accepted))
    assert dispute_paragraph(figs) == text


def test_township_name_in_the_wording_overrides_the_figures():
    figs = report(d=zeros(DisputeCounts), township="")
    assert dispute_paragraph(figs) == "2020年，未登记矛盾纠纷。"
    assert dispute_paragraph(figs, Wording(township_name="斜坡镇")) == "2020年，斜坡镇未登记矛盾纠纷。"


def test_level_sentence():
    assert level_sentence(report()) == (
        "坚持“小事不出村，大事不出乡”，在调解成功的纠纷中，村级化解占80%，乡级以内化解占92%。"
    )


def test_level_sentence_is_left_out_when_nothing_succeeded():
    figs = report(d=disputes(succeeded=0, failed=53, succeeded_village=0, succeeded_township=0, vt_succeeded=0))
    assert level_sentence(figs) is None


def test_three_channels_sentence():
    assert three_channels_sentence(report()) == (
        "坚持人民调解、行政调解、司法调解“三调联动”，登记的矛盾纠纷中人民调解52起、行政调解0起、司法调解2起。")
    assert three_channels_sentence(EMPTY) is None


@pytest.mark.parametrize(
    ("major", "responsible", "text"),
    [(3, 3, "全年登记重大矛盾纠纷3起，均落实了责任单位、责任领导、责任人员。"),
     (3, 1, "全年登记重大矛盾纠纷3起，其中1起落实了责任单位、责任领导、责任人员，2起尚未落实。"),
     (0, 0, None)],
)
def test_major_sentence(major, responsible, text):
    assert major_sentence(report(d=disputes(major=major, major_responsible=responsible))) == text


def test_legal_aid_sentence():
    assert legal_aid_sentence(report(d=disputes(legal_aid=2))) == "对调解不成的纠纷，引导当事人申请法律援助2起。"
    assert legal_aid_sentence(report()) is None


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({}, "成功防止民转刑2起5人，防止群体性上访1起12人。"),
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
    assert prevention_sentence(figs, ROUNDED) == "成功防止民转刑2起5人，防止群体性上访10余起80余人。"


# --- screening ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        (
            (416, 420, 380, 18, 13, 5),
            "全年开展矛盾纠纷排查420次（应排查416次，排查完成率100%），其中零上报380次；"
            "排查发现矛盾纠纷18起，其中当场化解13起，登记调处5起。",
        ),
        (
            (416, 312, 312, 0, 0, 0),
            "全年开展矛盾纠纷排查312次（应排查416次，排查完成率75%），其中零上报312次；未排查出矛盾纠纷。",
        ),
        ((0, 4, 0, 4, 0, 3), "全年开展矛盾纠纷排查4次；排查发现矛盾纠纷4起，其中当场化解0起，登记调处3起，待处理1起。"),
        ((52, 0, 0, 0, 0, 0), "全年开展矛盾纠纷排查0次（应排查52次，排查完成率0%）；未排查出矛盾纠纷。"),
        ((0, 0, 0, 0, 0, 0), "全年未安排矛盾纠纷排查。"),
    ],
)
def test_screening_sentence(counts, text):
    due, held, nil, findings, resolved, registered = counts
    figs = report(s=ScreeningCounts(due=due, held=held, nil=nil, found=min(findings, held), findings=findings,
                                    found_resolved=resolved, found_registered=registered))
    assert screening_sentence(figs) == text


def test_screening_sentence_rounded_keeps_the_due_count_in_brackets_exact():
    assert screening_sentence(report(), ROUNDED) == (
        "全年开展矛盾纠纷排查420次（应排查416次，排查完成率100%），其中零上报380次；"
        "排查发现矛盾纠纷10余起，其中当场化解10余起，登记调处5起。")


def test_screening_rule_sentence_names_the_periods_and_their_rounds():
    figs = report(s=dataclasses.replace(SCREENING, intensified_held=9, intensified_names=("春节", "全国两会")))
    assert screening_rule_sentence(figs) == "坚持各村每周一排查、乡每半月一排查，春节、全国两会等重点时段加密排查9次。"
    assert screening_rule_sentence(report(), Wording(township_interval="month")) == "坚持各村每周一排查、乡每月一排查。"


# --- petitions ---------------------------------------------------------------------------------


PETITIONS_2020 = (
    "全年收到信访事项12件30人次，受理信访事项10件，转送1件，不予受理1件；"
    "其中集体访2批，另有多人联名信访1件；重复信访3件已关联首次信访、不重复计数；"
    "及时受理率达91.7%（已作出决定的12件中，15日内作出决定11件）；"
    "按期办结率达90%（到期应办结10件，按期办结9件）；"
    "群众满意率达87.5%（参与评价的8件中满意和基本满意7件，参评率80%）；没有发生一起赴省进京上访案件。"
)


def test_petition_paragraph():
    assert petition_paragraph(report()) == PETITIONS_2020


def test_petition_paragraph_without_group_visits_ratings_or_due_petitions():
    figs = report(p=petitions(collective=0, collective_other=0, repeat=0, due=0, on_time=0, rated=0, satisfied=0,
                              to_province_or_beijing=1, accepted=6, forwarded=0, not_accepted=0, undecided=6,
                              timely_decided=5))
    assert petition_paragraph(figs) == (
        "全年收到信访事项12件30人次，受理信访事项6件，尚待决定6件；无集体访；"
        "及时受理率达83.3%（已作出决定的6件中，15日内作出决定5件）；发生赴省进京上访案件1起。")


def test_petition_paragraph_rounded_keeps_the_brackets_exact():
    figs = report(
        p=petitions(received=128, persons=305, collective=11, collective_other=0, repeat=0, accepted=128, forwarded=0,
                    not_accepted=0, timely_decided=128, due=120, on_time=117, answered=100, rated=100, satisfied=98)
    )
    assert petition_paragraph(figs, ROUNDED) == (
        "全年收到信访事项120余件300余人次，受理信访事项120余件；其中集体访10余批；"
        "及时受理率达100%（已作出决定的128件中，15日内作出决定128件）；"
        "按期办结率达97.5%（到期应办结120件，按期办结117件）；"
        "群众满意率达98%（参与评价的100件中满意和基本满意98件，参评率100%）；没有发生一起赴省进京上访案件。"
    )


def test_visits_disruptive_and_quiet_periods_sentences():
    figs = report(p=petitions(quiet_periods=("春节", "全国两会")))
    assert visits_sentence(figs) == "全年接待群众来访5批14人次。"
    assert disruptive_sentence(figs) == "依法处置缠访闹访1件。"
    assert quiet_periods_sentence(figs) == "春节、全国两会期间未发生赴省进京上访。"
    assert quiet_periods_sentence(report()) is None


def test_petition_paragraph_counts_assigned_within_accepted_and_the_supervised():
    figs = report(p=petitions(accepted=10, assigned=3, supervised=2))
    assert petition_paragraph(figs).startswith(
        "全年收到信访事项12件30人次，受理信访事项10件（其中交办3件），转送1件，不予受理1件，领导督办2件；")
    rounded = report(p=petitions(received=25, accepted=23, assigned=12, forwarded=1, not_accepted=1, supervised=11,
                                 timely_decided=25))
    assert petition_paragraph(rounded, ROUNDED).startswith(
        "全年收到信访事项20余件30人次，受理信访事项20余件（其中交办12件），转送1件，不予受理1件，领导督办10余件；")


def test_visits_sentence_says_the_leaders_reception_days_where_recorded():
    figs = report(p=petitions(leader_reception_days=2, leader_visits=3, leader_visit_persons=9))
    assert visits_sentence(figs) == "全年接待群众来访5批14人次，其中乡领导接访日接访2次，接待来访群众3批9人次。"
    assert visits_sentence(report()) == "全年接待群众来访5批14人次。"  # no reception recorded: not claimed


def test_disruptive_sentence_says_how_many_went_to_the_police():
    assert disruptive_sentence(report(p=petitions(disruptive=3, police_referred=1))) == (
        "依法处置缠访闹访3件，其中违法行为移交公安机关处理1件。")
    assert disruptive_sentence(report(p=petitions(disruptive=3))) == "依法处置缠访闹访3件。"


def test_grid_sentence():
    figs = report(grid={"townships": 1, "villages": 7, "natural_villages": 23})
    assert grid_sentence(figs) == "构建乡、村、自然村三级网格，共有乡级网格1个、村级网格7个、自然村网格23个。"


# --- whole report ------------------------------------------------------------------------------


def test_report_paragraphs():
    assert report_paragraphs(report()) == [
        DISPUTES_2020,
        "坚持人民调解、行政调解、司法调解“三调联动”，登记的矛盾纠纷中人民调解52起、行政调解0起、司法调解2起。",
        "坚持“小事不出村，大事不出乡”，在调解成功的纠纷中，村级化解占80%，乡级以内化解占92%。",
        "成功防止民转刑2起5人，防止群体性上访1起12人。",
        "坚持各村每周一排查、乡每半月一排查。",
        "全年开展矛盾纠纷排查420次（应排查416次，排查完成率100%），其中零上报380次；"
        "排查发现矛盾纠纷18起，其中当场化解13起，登记调处5起。",
        PETITIONS_2020,
        "全年接待群众来访5批14人次。",
        "依法处置缠访闹访1件。",
    ]


def test_each_optional_sentence_can_be_switched_off():
    figs = report(d=disputes(major=1, major_responsible=1, legal_aid=1), p=petitions(quiet_periods=("春节",)),
                  grid={"townships": 1, "villages": 7, "natural_villages": 23})
    everything = report_paragraphs(figs)
    for key in OPTIONAL_SENTENCES:
        left = report_paragraphs(figs, Wording(omit=frozenset({key})))
        assert len(left) == len(everything) - 1, key
    assert report_paragraphs(figs, Wording(omit=frozenset(OPTIONAL_SENTENCES))) == [
        p for p in everything if p in report_paragraphs(report(d=disputes(major=1, major_responsible=1, legal_aid=1)),
                                                         Wording(omit=frozenset(OPTIONAL_SENTENCES)))]


def test_report_paragraphs_for_an_empty_year():
    assert report_paragraphs(EMPTY) == [
        "2020年，斜坡乡未登记矛盾纠纷。",
        "坚持各村每周一排查、乡每半月一排查。",
        "全年未安排矛盾纠纷排查。",
        "全年未收到信访事项；没有发生一起赴省进京上访案件。",
    ]


FULL = report(d=disputes(major=2, major_responsible=1, legal_aid=1),
              p=petitions(assigned=2, supervised=1, leader_reception_days=1, leader_visits=2, leader_visit_persons=4,
                          police_referred=1, to_province_or_beijing=1, quiet_periods=("春节",)),
              s=ScreeningCounts(due=30, held=28, nil=20, found=8, findings=9, found_registered=3, found_resolved=4,
                                intensified_held=5, intensified_names=("春节", "全国两会")),
              grid={"townships": 1, "villages": 7, "natural_villages": 23}, as_at="2026-12-07", complete=False)


@pytest.mark.parametrize("wording", [Wording(), ROUNDED])
@pytest.mark.parametrize("figs", [EMPTY, report(), report(year=None, township=""), FULL])
def test_report_never_prints_none_or_a_dash_or_ascii_punctuation(figs, wording):
    text = "".join(report_paragraphs(figs, wording))
    assert "None" not in text and "—" not in text
    assert not set(text) & set(",;:()")
    assert all(p.endswith("。") for p in report_paragraphs(figs, wording))


def test_report_paragraphs_write_only_the_sections_given():
    figs = {"year": 2021, "petitions": petition_figures(zeros(PetitionCounts))}
    assert report_paragraphs(figs) == ["全年未收到信访事项；没有发生一起赴省进京上访案件。"]


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
