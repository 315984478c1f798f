"""Figure formulas, definitions and comparisons of casetrack.domain.statistics."""

import ast
import dataclasses
from pathlib import Path

import pytest

from casetrack.domain import statistics
from casetrack.domain.statistics import (
    DEFINITIONS,
    LABELS,
    RATE_KEYS,
    DisputeCounts,
    PetitionCounts,
    ScreeningCounts,
    change,
    dispute_figures,
    drift,
    format_rate,
    petition_figures,
    rate,
    scalar_figures,
    screening_figures,
    targets_missed,
)

DISPUTE_KEYS = (
    "registered accepted pending_decision not_accepted mediated succeeded failed ended in_progress mediation_rate "
    "success_rate village_township performed_rate village_share within_township_share major major_responsible "
    "legal_aid judicial_applied judicial_confirmed judicial_rejected judicial_withdrawn "
    "prevented_criminal prevented_criminal_persons "
    "prevented_group_petition prevented_group_petition_persons "
    "referred_in court_docking police_docking petition_docking referred_out_litigation referred_out_pre_litigation "
    "referred_out_arbitration referred_out_administrative not_accepted_special_body not_accepted_already_handled "
    "not_accepted_party_refused not_accepted_other objected written_agreements oral_agreements agreement_amount "
    "by_referral_origin by_type by_village by_source by_channel by_level by_month"
).split()
PETITION_KEYS = (
    "received accepted assigned routed from_above forwarded not_accepted undecided timely_decided timely_decided_rate "
    "supervised persons visits visit_persons leader_reception_days leader_visits leader_visit_persons collective "
    "collective_other repeat cross_level to_province_or_beijing due on_time on_time_rate answered rated rating_rate "
    "satisfied satisfaction_rate disruptive police_referred quiet_periods by_channel "
    "by_village by_category"
).split()
SCREENING_KEYS = ["due", "held", "nil", "found", "findings", "found_registered", "found_resolved", "rate",
                  "intensified_held", "intensified_periods"]
LISTS = {"petitions.quiet_periods", "screening.intensified_periods"}  # names, not figures: no definition
VILLAGE_TOWNSHIP_KEYS = ["accepted", "mediated", "succeeded", "mediation_rate", "success_rate"]


def disputes(**overrides) -> DisputeCounts:
    # fmt: off
    values = dict(
        registered=54, not_accepted=2, succeeded=50, failed=3, ended=1, in_progress=0,
        performed=47, performance_known=48, succeeded_village=40, succeeded_township=8,
        prevented_criminal=2, prevented_criminal_persons=5,
        prevented_group_petition=1, prevented_group_petition_persons=12,
        accepted=54, pending_decision=0, vt_accepted=50, vt_mediated=50, vt_succeeded=46,
    )
    # fmt: on
    values.update(overrides)
    if "registered" in overrides and "accepted" not in overrides:
        values["accepted"] = values["registered"]  # every registered case accepted, unless the test says not
    return DisputeCounts(**values)


def zero_disputes() -> DisputeCounts:
    names = [f.name for f in dataclasses.fields(DisputeCounts) if not f.name.startswith("by_")]
    return DisputeCounts(**dict.fromkeys(names, 0))


def petitions(**overrides) -> PetitionCounts:
    # fmt: off
    values = dict(
        received=12, persons=30, collective=2, repeat=3, cross_level=1, to_province_or_beijing=0,
        due=10, on_time=9, rated=8, satisfied=7, disruptive=1,
        accepted=9, forwarded=1, not_accepted=1, undecided=1, timely_decided=10, answered=8, collective_other=1,
    )
    # fmt: on
    values.update(overrides)
    return PetitionCounts(**values)


def report(d=None, p=None, s=None) -> dict:
    return {
        "year": 2020,
        "township": "斜坡乡",
        "disputes": dispute_figures(d or disputes()),
        "petitions": petition_figures(p or petitions()),
        "screening": screening_figures(s or ScreeningCounts(due=416, held=410, nil=380, found=15)),
    }


# --- rate -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(1, 2, 0.5), (0, 5, 0.0), (5, 5, 1.0), (0, 0, None), (49, 50, 0.98)],
)
def test_rate(numerator, denominator, expected):
    assert rate(numerator, denominator) == expected


@pytest.mark.parametrize(("numerator", "denominator"), [(-1, 5), (1, -5), (6, 5), (1, 0)])
def test_rate_refuses_impossible_counts(numerator, denominator):
    with pytest.raises(ValueError):
        rate(numerator, denominator)


@pytest.mark.parametrize("cls", [DisputeCounts, PetitionCounts, ScreeningCounts])
def test_counts_refuse_negative_numbers(cls):
    names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("by_")]
    values = dict.fromkeys(names, 0)
    values[names[0]] = -1
    with pytest.raises(ValueError):
        cls(**values)


# --- disputes ----------------------------------------------------------------------------------


def test_dispute_figures_have_exactly_the_agreed_keys():
    assert list(dispute_figures(disputes())) == DISPUTE_KEYS


def test_dispute_figures_on_a_known_year():
    # of the 54: 6 referred in (3 by a court, 2 by the police, 1 by the petition office); of the 3 failed, 2 pointed
    # to a suit and 1 to the court's 诉前调解; the 2 declined: 1 on Art. 22 (一), 1 on another ground; 42 written and
    # 8 oral agreements involving 12,345.50 yuan in all
    figs = dispute_figures(disputes(
        referred_in=6, court_docking=3, police_docking=2, petition_docking=1, referred_out_litigation=2,
        referred_out_pre_litigation=1, not_accepted_special_body=1, not_accepted_other=1, written_agreements=42,
        oral_agreements=8, agreement_amount_fen=1_234_550, by_referral_origin={"法院委派": 2, "法院委托": 1}))
    scalars = {k: v for k, v in figs.items() if not k.startswith("by_")}
    assert scalars == {
        "registered": 54,
        "accepted": 54,
        "pending_decision": 0,
        "not_accepted": 2,
        "mediated": 54,
        "succeeded": 50,
        "failed": 3,
        "ended": 1,
        "in_progress": 0,
        "mediation_rate": 1.0,
        "success_rate": 50 / 54,
        "village_township": {"accepted": 50, "mediated": 50, "succeeded": 46, "mediation_rate": 1.0,
                             "success_rate": 46 / 50},
        "performed_rate": 47 / 48,
        "village_share": 0.8,
        "within_township_share": 0.96,
        "major": 0,
        "major_responsible": 0,
        "legal_aid": 0,
        "judicial_applied": 0, "judicial_confirmed": 0, "judicial_rejected": 0, "judicial_withdrawn": 0,
        "prevented_criminal": 2,
        "prevented_criminal_persons": 5,
        "prevented_group_petition": 1,
        "prevented_group_petition_persons": 12,
        "referred_in": 6, "court_docking": 3, "police_docking": 2, "petition_docking": 1,
        "referred_out_litigation": 2, "referred_out_pre_litigation": 1, "referred_out_arbitration": 0,
        "referred_out_administrative": 0, "not_accepted_special_body": 1, "not_accepted_already_handled": 0,
        "not_accepted_party_refused": 0, "not_accepted_other": 1, "objected": 0,
        "written_agreements": 42, "oral_agreements": 8, "agreement_amount": 12345.5,
    }
    assert figs["by_referral_origin"] == {"法院委派": 2, "法院委托": 1}


def test_mediated_counts_success_failure_and_ended_but_not_in_progress():
    figs = dispute_figures(
        disputes(
            registered=40,
            succeeded=20,
            failed=5,
            ended=5,
            in_progress=10,
            succeeded_village=15,
            succeeded_township=5,
        )
    )
    assert figs["mediated"] == 30
    assert figs["mediation_rate"] == 0.75
    assert figs["success_rate"] == 0.5


def test_success_rate_divides_by_accepted_not_by_mediated_nor_registered():
    counts = disputes(registered=12, accepted=10, succeeded=4, failed=4, ended=0, in_progress=2, succeeded_village=4)
    figs = dispute_figures(dataclasses.replace(counts, succeeded_township=0))
    assert figs["success_rate"] == 0.4  # 4 of the 10 accepted; 2 registered cases not yet decided


def test_village_township_rates_divide_its_own_counts():
    figs = dispute_figures(disputes(vt_accepted=8, vt_mediated=6, vt_succeeded=4))
    assert figs["village_township"] == {"accepted": 8, "mediated": 6, "succeeded": 4, "mediation_rate": 0.75,
                                        "success_rate": 0.5}
    assert dispute_figures(disputes(vt_accepted=0, vt_mediated=0, vt_succeeded=0))["village_township"][
        "mediation_rate"] is None


@pytest.mark.parametrize(
    ("village", "township", "succeeded", "village_share", "within"),
    [(40, 8, 50, 0.8, 0.96), (0, 0, 4, 0.0, 0.0), (3, 1, 4, 0.75, 1.0), (0, 0, 0, None, None)],
)
def test_level_shares(village, township, succeeded, village_share, within):
    figs = dispute_figures(
        disputes(succeeded=succeeded, succeeded_village=village, succeeded_township=township)
    )
    assert (figs["village_share"], figs["within_township_share"]) == (village_share, within)


def test_an_empty_year_has_no_rates():
    figs = dispute_figures(zero_disputes())
    for key in ("mediation_rate", "success_rate", "performed_rate", "village_share", "within_township_share"):
        assert figs[key] is None
    assert figs["mediated"] == 0


def test_performed_rate_ignores_agreements_of_unknown_performance():
    figs = dispute_figures(disputes(performed=3, performance_known=4))
    assert figs["performed_rate"] == 0.75
    assert dispute_figures(disputes(performed=0, performance_known=0))["performed_rate"] is None


def test_breakdowns_are_copied_and_months_sorted():
    by_type = {"邻里": 20, "婚姻家庭": 10}
    counts = disputes(by_type=by_type, by_month={12: 1, 1: 4, 6: 2})
    figs = dispute_figures(counts)
    assert figs["by_type"] == by_type and figs["by_type"] is not by_type
    assert list(figs["by_month"].items()) == [(1, 4), (6, 2), (12, 1)]
    assert figs["by_village"] == {} and figs["by_level"] == {}


# --- petitions and screening ------------------------------------------------------------------


def test_petition_figures_on_a_known_year():
    figs = petition_figures(petitions(by_channel={"来访": 8, "网上": 4}))
    assert list(figs) == PETITION_KEYS
    assert figs["on_time_rate"] == 0.9
    assert figs["satisfaction_rate"] == 0.875
    assert figs["timely_decided_rate"] == 10 / 11  # accepted 9 + forwarded 1 + not accepted 1 decided
    assert figs["rating_rate"] == 1.0 and figs["supervised"] == 0
    assert (figs["received"], figs["persons"], figs["collective"], figs["repeat"]) == (12, 30, 2, 3)
    assert figs["by_channel"] == {"来访": 8, "网上": 4}


def test_petition_rates_are_none_without_due_or_rated_petitions():
    figs = petition_figures(petitions(due=0, on_time=0, rated=0, satisfied=0))
    assert figs["on_time_rate"] is None and figs["satisfaction_rate"] is None


@pytest.mark.parametrize(
    ("due", "held", "expected"),
    [(52, 52, 1.0), (52, 39, 0.75), (52, 60, 1.0), (0, 0, None), (0, 3, None)],
)
def test_screening_rate_is_held_over_due_capped_at_one(due, held, expected):
    figs = screening_figures(ScreeningCounts(due=due, held=held, nil=0, found=0))
    assert list(figs) == SCREENING_KEYS
    assert figs["rate"] == expected


# --- definitions and labels -------------------------------------------------------------------


def test_every_figure_has_a_definition_and_a_label():
    sections = {"disputes": DISPUTE_KEYS, "petitions": PETITION_KEYS, "screening": SCREENING_KEYS,
                "warnings": ["raised", "red", "yellow", "blue", "resolved"]}
    expected = {f"{section}.{key}" for section, keys in sections.items() for key in keys}
    expected = expected - {"disputes.village_township"} - LISTS | {f"disputes.village_township.{k}" for k in VILLAGE_TOWNSHIP_KEYS}
    assert set(DEFINITIONS) == expected
    assert set(LABELS) == expected
    assert all(text.strip() for text in [*DEFINITIONS.values(), *LABELS.values()])


def test_rate_keys_are_exactly_the_fraction_figures():
    figs = report()
    # a sum of money (协议涉及金额, yuan to the fen) is the one other figure that is not a whole number
    fractions = {k for k, v in scalar_figures(figs).items() if isinstance(v, float) and k != "disputes.agreement_amount"}
    assert RATE_KEYS == fractions


@pytest.mark.parametrize(
    ("key", "label", "fragment"),
    [
        ("disputes.mediation_rate", "调处率(全部)", "受理纠纷数"),
        ("disputes.success_rate", "调解成功率(全部)", "受理纠纷数"),
        ("disputes.village_township.mediation_rate", "调处率", "乡村两级受理数"),
        ("disputes.village_township.success_rate", "调解成功率", "司法部"),
        ("petitions.timely_decided_rate", "及时受理率", "15日"),
        ("disputes.village_share", "村级化解占比", "小事不出村"),
        ("disputes.within_township_share", "乡级以内化解占比", "大事不出乡"),
        ("petitions.satisfaction_rate", "满意率", "基本满意"),
        ("petitions.received", "收到信访(件)", "重复信访"),
        ("petitions.accepted", "受理信访(件)", "交办"),
    ],
)
def test_definitions_state_the_formula(key, label, fragment):
    assert LABELS[key] == label
    assert fragment in DEFINITIONS[key]


# --- format_rate ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "100%"),
        (0.975, "97.5%"),
        (39 / 40, "97.5%"),
        (49 / 50, "98%"),
        (1 / 3, "33.3%"),
        (2 / 3, "66.7%"),
        (0.0, "0%"),
        (50 / 54, "92.6%"),
        (0.0125, "1.3%"),
        (0.0225, "2.3%"),
        (0.9995, "100%"),
        (0.99949, "99.9%"),
        (0.0005, "0.1%"),
        (1 / 8, "12.5%"),
        (None, "—"),
    ],
)
def test_format_rate_rounds_half_up_to_one_decimal(value, text):
    assert format_rate(value) == text


# --- comparisons ------------------------------------------------------------------------------


def test_scalar_figures_flattens_sections_and_skips_breakdowns():
    flat = scalar_figures(report())
    assert flat["disputes.mediated"] == 54
    assert flat["screening.rate"] == pytest.approx(410 / 416)
    assert "year" not in flat and "township.township" not in flat
    assert not any(key.split(".")[1].startswith("by_") for key in flat)
    assert flat["disputes.village_township.success_rate"] == 46 / 50
    assert len(flat) == 46 + 32 + 9  # 46 dispute figures (4 of 司法确认, 16 of referrals), 32 petition, 9 screening


@pytest.mark.parametrize(
    ("targets", "missed"),
    [
        ({"disputes.success_rate": 0.9}, set()),  # 92.6% ≥ 90%
        ({"disputes.success_rate": 0.95}, {"disputes.success_rate"}),
        ({"petitions.on_time_rate": 0.9}, set()),  # exactly on target is not missed
        (
            {"disputes.mediation_rate": 1.0, "petitions.satisfaction_rate": 0.9},
            {"petitions.satisfaction_rate"},
        ),
        ({"screening.held": 416}, {"screening.held"}),  # a count target works the same way
        ({}, set()),
    ],
)
def test_targets_missed(targets, missed):
    assert targets_missed(report(), targets) == missed


def test_a_rate_without_data_misses_no_target():
    figs = report(d=zero_disputes())
    assert targets_missed(figs, {"disputes.success_rate": 0.9, "disputes.mediation_rate": 1.0}) == set()


@pytest.mark.parametrize("targets", [{"disputes.sucess_rate": 0.9}, {"disputes.success_rate": 95}])
def test_targets_refuse_unknown_keys_and_percent_numbers(targets):
    with pytest.raises(ValueError):
        targets_missed(report(), targets)


def test_drift_is_empty_when_nothing_changed():
    assert drift(report(), report()) == {}


def test_drift_lists_changed_scalars_with_both_values():
    frozen = report()
    current = report(d=disputes(failed=2, in_progress=1, by_type={"邻里": 1}))
    assert drift(frozen, current) == {
        "disputes.failed": (3, 2),
        "disputes.in_progress": (0, 1),
        "disputes.mediated": (54, 53),
        "disputes.mediation_rate": (1.0, 53 / 54),
    }


def test_drift_reports_a_rate_that_became_none_and_a_missing_figure():
    frozen = report()
    current = report(p=petitions(due=0, on_time=0))
    del current["screening"]["found"]
    result = drift(frozen, current)
    assert result["petitions.on_time_rate"] == (0.9, None)
    assert result["petitions.due"] == (10, 0)
    assert result["screening.found"] == (15, None)


def test_change_subtracts_previous_from_current():
    previous = report(
        d=disputes(registered=60, succeeded=50, failed=8, ended=2), p=petitions(due=10, on_time=9)
    )
    current = report(d=disputes(), p=petitions(due=20, on_time=19))
    result = change(previous, current)
    assert set(result) == set(scalar_figures(current))
    assert result["disputes.registered"] == -6
    assert result["disputes.mediated"] == -6
    assert result["disputes.succeeded"] == 0
    assert result["petitions.on_time_rate"] == 0.05  # 0.95 - 0.9, free of float noise
    assert result["disputes.mediation_rate"] == 0.0


def test_change_is_none_when_either_side_is_none():
    result = change(report(d=zero_disputes()), report())
    assert result["disputes.success_rate"] is None
    assert result["disputes.registered"] == 54
    result = change(report(), report(d=zero_disputes()))
    assert result["disputes.success_rate"] is None


# --- purity -----------------------------------------------------------------------------------


def test_module_is_pure_python():
    tree = ast.parse(Path(statistics.__file__).read_text(encoding="utf-8"))
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
    assert imported <= {"__future__", "dataclasses", "decimal", "casetrack"}
    assert "today(" not in Path(statistics.__file__).read_text(encoding="utf-8")


def test_a_year_frozen_before_issue_14_states_no_figure_it_never_counted():
    """A pre-issue-14 snapshot: 受理 was registered (disputes) and received (petitions); the rest it lacks is None."""
    frozen = {"year": 2025,
              "disputes": {"registered": 7, "mediated": 5, "succeeded": 3, "mediation_rate": 5 / 7, "success_rate": 3 / 7},
              "petitions": {"received": 4, "to_province_or_beijing": 0},
              "screening": {"due": 130, "held": 3, "nil": 2, "found": 1, "rate": 3 / 130}}
    figs = statistics.complete_frozen(frozen)
    d, p, s = figs["disputes"], figs["petitions"], figs["screening"]
    assert (d["accepted"], d["village_township"]["mediated"]) == (7, 5)  # the old words: 7 registered, 5 mediated
    assert (d["pending_decision"], d["major"], d["major_responsible"], d["legal_aid"]) == (None,) * 4
    assert (p["accepted"], p["to_province_or_beijing"]) == (4, 0)  # counted then, a real 0
    assert all(p[k] is None for k in ("forwarded", "not_accepted", "undecided", "timely_decided", "supervised",
                                      "collective_other", "answered", "visits", "visit_persons", "rating_rate"))
    assert (s["findings"], s["found_registered"], s["found_resolved"], s["intensified_held"]) == (1, 1, None, None)
    assert frozen["petitions"] == {"received": 4, "to_province_or_beijing": 0}  # the snapshot itself is untouched


def test_a_year_frozen_before_leader_receptions_and_police_referrals_shows_them_as_not_counted():
    """A snapshot frozen with issue 14's figures but before 交办, 领导接访 and 移交公安 were counted apart: None, not 0."""
    frozen = {"year": 2025, "petitions": {"received": 4, "accepted": 4, "disruptive": 1, "visits": 2}}
    p = statistics.complete_frozen(frozen)["petitions"]
    assert (p["accepted"], p["disruptive"], p["visits"]) == (4, 1, 2)
    assert all(p[k] is None for k in statistics.NOT_COUNTED_BEFORE_RECEPTIONS)
    assert "assigned" not in frozen["petitions"]
