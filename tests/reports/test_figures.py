"""Each figure of the JSON contract, computed on a hand-made year with answers known in advance.

The year is tests.reports.YearData: its docstring lists every case and why each figure is what it is.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from casetrack import clock
from casetrack.domain import statistics as st
from casetrack.domain.figures import NOT_RECORDED
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from casetrack.services import statistics as stats

from . import (
    EXPECTED_DISPUTES_2025,
    EXPECTED_PETITIONS_2025,
    EXPECTED_SCREENING_2025,
    YearData,
    browse_as,
    dispute,
    petition,
)

CONTRACT = {
    "disputes": ["registered", "not_accepted", "mediated", "succeeded", "failed", "ended", "in_progress",
                 "mediation_rate", "success_rate", "performed_rate", "village_share", "within_township_share",
                 "prevented_criminal", "prevented_group_petition", "by_type", "by_village", "by_source", "by_month"],
    "petitions": ["received", "persons", "collective", "repeat", "cross_level", "to_province_or_beijing", "due",
                  "on_time", "on_time_rate", "rated", "satisfied", "satisfaction_rate", "disruptive", "by_channel",
                  "by_village"],
    "screening": ["due", "held", "nil", "rate"],
}


@pytest.fixture
def year(world) -> YearData:
    return YearData(world)


def _json(expected: dict) -> dict:
    """The expected figures as they come out of JSON (by_month keys become strings)."""
    return {k: ({str(m): n for m, n in v.items()} if k == "by_month" else v) for k, v in expected.items()}


def _figure(figures: dict, key: str):
    """The value of "section.key" (or "section.group.key") in a figures dict."""
    value = figures
    for part in key.split("."):
        value = value[part]
    return value


def _get_json(app, username: str, url: str) -> dict:
    response = browse_as(app, username).get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    return response.get_json()


# ------------------------------------------------------------ the whole contract, via GET /reports/<year>.json

def test_year_json_holds_every_figure_of_the_contract_with_the_known_answers(app, year):
    figures = _get_json(app, "staff", "/reports/2025.json")

    assert figures["year"] == 2025
    assert figures["township"] == "斜沟乡"
    for section, keys in CONTRACT.items():
        assert set(keys) <= set(figures[section]), section
    assert figures["disputes"] == _json(EXPECTED_DISPUTES_2025)
    assert figures["petitions"] == EXPECTED_PETITIONS_2025
    assert figures["screening"] == EXPECTED_SCREENING_2025


def test_every_figure_has_its_definition(app, year):
    figures = _get_json(app, "staff", "/reports/2025.json")

    definitions = figures["definitions"]
    for section, keys in CONTRACT.items():
        for key in keys:
            assert definitions.get(f"{section}.{key}"), f"{section}.{key} has no definition"
    assert "不予受理" in definitions["disputes.registered"] and "本期末" in definitions["disputes.accepted"]
    assert "不重复计数" in definitions["petitions.received"]


def test_rates_are_fractions_and_breakdowns_add_up_to_their_figure(app, year):
    figures = _get_json(app, "staff", "/reports/2025.json")

    for key in st.RATE_KEYS:
        value = _figure(figures, key)
        assert value is None or 0 <= value <= 1, key
    d, p = figures["disputes"], figures["petitions"]
    for breakdown in ("by_type", "by_village", "by_source", "by_channel", "by_month"):
        assert sum(d[breakdown].values()) == d["registered"], breakdown
    assert sum(d["by_level"].values()) == d["succeeded"]
    for breakdown in ("by_channel", "by_village", "by_category"):  # 分列的受理件数: repeats not counted twice
        assert sum(p[breakdown].values()) == p["received"], breakdown


# ------------------------------------------------------------ the cases the issue names

def test_a_year_is_by_registration_date_registered_12_30_concluded_01_06_counts_in_the_earlier_year(app, year):
    y2024 = _get_json(app, "staff", "/reports/2024.json")["disputes"]
    y2025 = _get_json(app, "staff", "/reports/2025.json")["disputes"]

    # y, as at 2024-12-31: accepted 12-30 and still in mediation; its agreement of 2025-01-06 is not 2024's
    assert (y2024["registered"], y2024["accepted"], y2024["in_progress"]) == (1, 1, 1)
    assert (y2024["mediated"], y2024["succeeded"], y2024["mediation_rate"]) == (0, 0, 0.0)
    assert y2024["by_month"] == {"12": 1}
    assert _ids("disputes.in_progress", 2024) == {year.y.id} and _ids("disputes.mediated", 2024) == set()
    assert y2025["mediated"] == 5  # a, b, c, d, e: not y, concluded in 2025 but registered in 2024
    assert _ids("disputes.mediated", 2025) == {year.a.id, year.b.id, year.c.id, year.d.id, year.e.id}
    # Its conclusion shows in 2025's closures (the chart of cases concluded each month), in January.
    assert stats.closures_by_month(stats.year_period(2025), _scope(year.world), clock.today())[1] == 2  # y, a
    assert _get_json(app, "staff", "/reports/2024.json")["disputes"] == y2024  # a second run: the same figures


def test_a_zero_denominator_gives_null_not_zero(app, year):
    y2024 = _get_json(app, "staff", "/reports/2024.json")
    assert y2024["disputes"]["performed_rate"] is None  # y succeeded, its performance is not known yet
    assert y2024["petitions"]["due"] == 0 and y2024["petitions"]["on_time_rate"] is None

    # 2023 is before 斜沟乡's first record (p0, 2024-12-20): nothing was due, not "all missed"
    empty = _get_json(app, "staff", "/reports/2023.json")
    for key in st.RATE_KEYS:
        assert _figure(empty, key) is None, key
    assert empty["disputes"]["registered"] == 0
    assert empty["screening"]["due"] == 0

    not_begun = _get_json(app, "staff", f"/reports/{clock.today().year + 1}.json")["screening"]
    assert not_begun == {"due": 0, "held": 0, "nil": 0, "found": 0, "findings": 0, "found_registered": 0,
                         "found_resolved": 0, "rate": None, "intensified_held": 0, "intensified_periods": []}


def test_a_not_accepted_case_counts_in_not_accepted_and_nowhere_else(app, year):
    d = _get_json(app, "staff", "/reports/2025.json")["disputes"]

    assert d["not_accepted"] == 1
    assert _ids("disputes.not_accepted", 2025) == {year.n.id}
    assert year.n.id not in _ids("disputes.registered", 2025)
    assert year.n.id not in _ids("disputes.in_progress", 2025)
    assert year.n.id not in _ids("disputes.accepted", 2025) | _ids("disputes.pending_decision", 2025)
    assert d["registered"] == 7 and d["mediation_rate"] == 5 / 6  # 5 of the 6 accepted (not n, not h)


def test_a_not_accepted_case_flagged_as_prevented_is_not_counted_as_prevented(app, year):
    """防止民转刑 counts among 受理纠纷 (its definition): a 不予受理 case carrying the flag stays out."""
    year.n.prevented_criminal, year.n.prevented_criminal_persons = True, 4
    db.session.commit()

    d = _get_json(app, "staff", "/reports/2025.json")["disputes"]

    assert (d["prevented_criminal"], d["prevented_criminal_persons"]) == (1, 3)
    assert _ids("disputes.prevented_criminal", 2025) == {year.a.id}


def test_a_merged_duplicate_is_counted_nowhere(app, year):
    for figure in ("registered", "succeeded", "mediated"):
        assert year.m.id not in _ids(f"disputes.{figure}", 2025)


def test_a_repeat_petition_counts_in_repeat_not_in_received(app, year):
    p = _get_json(app, "staff", "/reports/2025.json")["petitions"]

    assert (p["received"], p["repeat"]) == (4, 1)
    assert _ids("petitions.repeat", 2025) == {year.p3.id}
    assert _ids("petitions.received", 2025) == {year.p1.id, year.p2.id, year.p4.id, year.p5.id}
    assert p["persons"] == 10  # 人次 includes the repeat visit's person (its definition says so)


def test_an_extended_petition_answered_in_time_is_on_time_and_a_late_one_is_due_but_not(app, year):
    db.session.refresh(year.p1)
    db.session.refresh(year.p2)
    # accepted 03-03: 60 days + 30 approved = Sun 06-01, inside 端午 2025 (05-31..06-02) -> Tue 06-03
    assert year.p1.opinion_due_on == date(2025, 6, 3)
    assert year.p2.opinion_due_on == date(2025, 5, 6)  # 03-03 + 60 = 05-02, inside 劳动节 (05-01..05) -> 05-06

    p = _get_json(app, "staff", "/reports/2025.json")["petitions"]

    assert _ids("petitions.on_time", 2025) == {year.p0.id, year.p1.id}  # p1 answered 05-20, after day 60
    assert _ids("petitions.due", 2025) == {year.p0.id, year.p1.id, year.p2.id, year.p4.id}
    assert year.p2.id not in _ids("petitions.on_time", 2025)  # answered 05-10, due 05-06
    assert year.p5.id not in _ids("petitions.due", 2025)  # due 2026-01-20: next year's
    assert (p["due"], p["on_time"], p["on_time_rate"]) == (4, 2, 0.5)


def test_an_open_petition_is_due_only_once_its_deadline_has_passed(app, world):
    """A deadline in the period that has not passed yet is not due (nothing late can be said yet)."""
    from datetime import timedelta

    world.township.settings = {**(world.township.settings or {}), "strict_period_end": True}  # plain 60 days
    db.session.commit()
    today = clock.today()
    received = date(today.year, today.month, 1)
    open_one = petition(world.staff, world.township, received, accepted_on=received)
    db.session.refresh(open_one)
    assert open_one.opinion_due_on == received + timedelta(days=60) > today

    figures = stats.figures(stats.year_period(open_one.opinion_due_on.year), _scope(world), today)
    assert figures["petitions"]["due"] == 0
    later = stats.figures(stats.year_period(open_one.opinion_due_on.year), _scope(world),
                          open_one.opinion_due_on + timedelta(days=1))
    assert (later["petitions"]["due"], later["petitions"]["on_time"]) == (1, 0)  # once passed: due, and late


def test_collective_uses_the_township_threshold(app, year):
    year.world.township.settings = {**year.world.township.settings, "collective_threshold": 7}
    db.session.commit()

    assert _get_json(app, "staff", "/reports/2025.json")["petitions"]["collective"] == 0


def test_flags_and_levels_of_petitions(app, year):
    t, s = year.world.township, year.world.staff
    province = petition(s, t, date(2025, 9, 1), level="province", cross_level=True, disruptive=True)
    beijing = petition(s, t, date(2025, 9, 2), level="beijing")
    petition(s, t, date(2025, 9, 3), level="city")

    p = _get_json(app, "staff", "/reports/2025.json")["petitions"]

    assert (p["to_province_or_beijing"], p["cross_level"], p["disruptive"]) == (2, 1, 1)
    assert _ids("petitions.to_province_or_beijing", 2025) == {province.id, beijing.id}


def test_screening_found_counts_disputes_registered_from_a_screening_round(app, world):
    from casetrack.services import screening
    from casetrack.services.places import dispute_types

    today = clock.today()
    found = screening.record_round(world.staff, world.township, "village", world.village.id, date(2025, 6, 3),
                                   "王调解", [screening.FindingData("两户争水", is_dispute=True)], today)
    screening.register_finding_as_dispute(found.findings[0], world.staff, dispute_types(world.township.id)[0].id,
                                          ["张三"], ["李四"], "两户因灌溉用水发生争执", today)
    db.session.commit()

    figures = _get_json(app, "staff", "/reports/2025/6.json")

    assert figures["screening"]["found"] == 1  # one round with a finding
    assert (figures["screening"]["findings"], figures["screening"]["found_registered"]) == (1, 1)
    assert figures["screening"]["found_resolved"] == 0
    assert figures["disputes"]["by_source"] == {"主动调解": 1}
    assert figures["screening"]["held"] == 1 and figures["screening"]["nil"] == 0


def test_month_and_quarter_figures(app, year):
    march = _get_json(app, "staff", "/reports/2025/3.json")
    q1 = _get_json(app, "staff", "/reports/2025/q1.json")

    assert march["period"] == "2025-03"
    assert (march["disputes"]["registered"], march["disputes"]["mediated"]) == (2, 2)  # c, d
    assert march["disputes"]["by_month"] == {"3": 2}
    assert (march["petitions"]["received"], march["petitions"]["persons"]) == (2, 7)  # p1, p2
    # weeks whose Thursday is in March (from 03-03, 03-10, 03-17, 03-24: 4) × 2 villages + 2 half-months = 10;
    # the week from 03-31 is April's (Thursday 04-03)
    assert march["screening"] == {"due": 10, "held": 3, "nil": 2, "found": 1, "findings": 1, "found_registered": 0,
                                  "found_resolved": 1, "rate": 3 / 10, "intensified_held": 0,
                                  "intensified_periods": []}

    assert q1["period"] == "2025-q1"
    assert (q1["disputes"]["registered"], q1["disputes"]["succeeded"]) == (4, 3)  # a, b, c, d
    assert q1["petitions"]["due"] == 1  # p0, due 02-19; p1 and p2 fall due in Q2
    assert q1["screening"]["due"] == 13 * 2 + 6  # Thursdays 01-02 … 03-27: 13 weeks


# ------------------------------------------------------------ scope: a county admin, staff, a mediator

def test_county_admin_sums_both_townships_with_all_and_sees_one_with_its_id(app, year):
    world = year.world
    county = _get_json(app, "admin", "/reports/2025.json?township=all")
    default = _get_json(app, "admin", "/reports/2025.json")
    one = _get_json(app, "admin", f"/reports/2025.json?township={world.other_township.id}")
    home = _get_json(app, "admin", f"/reports/2025.json?township={world.township.id}")

    assert county == default
    assert county["township"] == "全部乡镇"
    assert one["township"] == "东岭乡"
    assert (one["disputes"]["registered"], one["disputes"]["succeeded"], one["petitions"]["received"]) == (2, 1, 1)
    assert home["disputes"] == _json(EXPECTED_DISPUTES_2025)
    for section in ("disputes", "petitions", "screening"):
        for key, value in county[section].items():
            if isinstance(value, int):
                assert value == home[section][key] + one[section][key], f"{section}.{key}"
    assert county["disputes"]["village_share"] == 2 / 4
    # Both townships have their own 邻里 type and 村务管理 category: the county adds them up by name.
    assert county["disputes"]["by_type"] == {"邻里": 6, "婚姻家庭": 1, "合同": 1, "其他": 1}
    assert county["disputes"]["by_village"] == {"斜沟村": 5, "王家庄村": 2, "东岭村": 2}
    assert county["petitions"]["by_category"] == {"村务管理": 5}
    assert county["petitions"]["by_village"] == {"斜沟村": 1, "王家庄村": 1, "未指明村": 3}
    for breakdown in ("by_type", "by_village", "by_source", "by_month"):
        assert sum(county["disputes"][breakdown].values()) == county["disputes"]["registered"], breakdown


def test_staff_see_their_own_township_whatever_they_ask(app, year):
    figures = _get_json(app, "farstaff", f"/reports/2025.json?township={year.world.township.id}")
    assert figures["township"] == "东岭乡"
    assert figures["disputes"]["registered"] == 2

    assert _get_json(app, "staff", "/reports/2025.json?township=all")["township"] == "斜沟乡"


def test_an_unknown_township_is_not_found(app, year):
    assert browse_as(app, "admin").get("/reports/2025.json?township=999").status_code == 404


@pytest.mark.parametrize("url", ["/reports/2025", "/reports/2025.json", "/reports/2025/3", "/reports/2025/q1.md",
                                 "/reports/2025.xlsx"])
def test_a_mediator_is_refused(app, year, url):
    assert browse_as(app, "mediator1").get(url).status_code == 403


def test_a_leader_may_read(app, year):
    assert _get_json(app, "leader", "/reports/2025.json")["disputes"]["registered"] == 7


def test_reports_need_a_login(app, year):
    response = app.test_client().get("/reports/2025.json")
    assert response.status_code in (302, 401)


# ------------------------------------------------------------ the queue's conditions select exactly the counted cases

def _scope(world, which: str = "home") -> stats.Scope:
    if which == "all":
        return stats.Scope((world.township, world.other_township), all_townships=True)
    return stats.Scope((world.township if which == "home" else world.other_township,))


def _ids(key: str, year: int, scope: stats.Scope | None = None) -> set[int]:
    from casetrack.models import Township

    scope = scope or stats.Scope((db.session.execute(select(Township).order_by(Township.id)).scalars().first(),))
    model, where = stats.figure_condition(key, stats.parse_period(str(year)), scope, clock.today())
    return set(db.session.execute(select(model.id).where(where)).scalars())


RATE_PARTS = {
    "disputes.mediation_rate": ("disputes.mediated", "disputes.accepted"),
    "disputes.success_rate": ("disputes.succeeded", "disputes.accepted"),
    "disputes.village_township.mediation_rate": ("disputes.village_township.mediated",
                                                 "disputes.village_township.accepted"),
    "disputes.village_township.success_rate": ("disputes.village_township.succeeded",
                                               "disputes.village_township.accepted"),
    "petitions.timely_decided_rate": ("petitions.timely_decided", "petitions.decided"),
    "petitions.rating_rate": ("petitions.rated", "petitions.answered"),
    "disputes.performed_rate": ("disputes.performed", "disputes.performance_known"),
    "disputes.village_share": ("disputes.succeeded_village", "disputes.succeeded"),
    "disputes.within_township_share": ("disputes.succeeded_within_township", "disputes.succeeded"),
    "petitions.on_time_rate": ("petitions.on_time", "petitions.due"),
    "petitions.satisfaction_rate": ("petitions.satisfied", "petitions.rated"),
}
SUMMED = {"petitions.persons": Petition.persons, "petitions.visit_persons": Petition.persons,
          "petitions.leader_visit_persons": Petition.persons,
          "disputes.prevented_criminal_persons": Dispute.prevented_criminal_persons,
          "disputes.prevented_group_petition_persons": Dispute.prevented_group_petition_persons}


def test_figure_condition_selects_exactly_the_cases_each_figure_counts(app, year):
    checked = 0
    for period_key in ("2025", "2024", "2025-03", "2025-q2", "2025-09"):
        for which in ("home", "far", "all"):
            checked += _check_conditions(stats.parse_period(period_key), _scope(year.world, which))
    assert checked == 5 * 3 * 78


def _check_conditions(period: stats.Period, scope: stats.Scope) -> int:
    today = clock.today()
    figures = stats.figures(period, scope, today)
    flat = st.scalar_figures({k: figures[k] for k in ("disputes", "petitions")})
    # 46 dispute figures (4 of 司法确认, 16 of referrals, grounds and agreements), 32 petition figures
    assert len(flat) == 46 + 32

    def count(key: str) -> int:
        model, where = stats.figure_condition(key, period, scope, today)
        return db.session.execute(select(func.count()).select_from(model).where(where)).scalar_one()

    where_ = f"{period.key} {scope.name}"
    for key, value in flat.items():
        if key in NOT_RECORDED:  # 督办 of petitions: null, and its ?figure= list is empty
            assert value is None and count(key) == 0, (key, where_)
        elif key in RATE_PARTS:
            numerator, denominator = (count(k) for k in RATE_PARTS[key])
            assert value == (numerator / denominator if denominator else None), (key, where_)
            assert count(key) == numerator, (key, where_)  # the rate's link lists its numerator's cases
        elif key in SUMMED:
            model, where = stats.figure_condition(key, period, scope, today)
            total = db.session.execute(select(func.coalesce(func.sum(SUMMED[key]), 0)).where(where)).scalar_one()
            assert total == value, (key, where_)
        elif key == "petitions.leader_reception_days":  # the days of the visits a leader received
            model, where = stats.figure_condition(key, period, scope, today)
            days = db.session.execute(select(func.count(func.distinct(Petition.received_on))).where(where)).scalar_one()
            assert days == value, (key, where_)
        elif key == "disputes.agreement_amount":  # yuan, summed from the fen the cases hold
            model, where = stats.figure_condition(key, period, scope, today)
            total = db.session.execute(select(func.coalesce(func.sum(Dispute.agreement_amount_fen), 0))
                                       .where(where)).scalar_one()
            assert total / 100 == value, (key, where_)
        else:
            assert count(key) == value, (key, where_)
    return len(flat)


def test_figure_condition_refuses_an_unknown_figure(app, world):
    from casetrack.domain.errors import DomainError

    for key in ("disputes.nonsense", "petitions.nonsense", "nonsense.registered"):
        with pytest.raises(DomainError):
            stats.figure_condition(key, stats.year_period(2025), _scope(world), clock.today())


def test_figures_add_up(app, year):
    """registered = pending + in progress + mediated; mediated = succeeded + failed + ended, for every scope."""
    for which in ("home", "far", "all"):
        d = stats.figures(stats.year_period(2025), _scope(year.world, which), clock.today())["disputes"]
        assert d["registered"] == d["pending_decision"] + d["in_progress"] + d["mediated"]
        assert d["accepted"] == d["in_progress"] + d["mediated"]
        assert d["mediated"] == d["succeeded"] + d["failed"] + d["ended"]


def test_a_case_in_the_other_township_never_leaks_into_a_township_figure(app, year):
    home, far = _scope(year.world), _scope(year.world, "far")
    for key in ("disputes.registered", "disputes.succeeded", "disputes.in_progress"):
        assert not _ids(key, 2025, home) & {year.o1.id, year.o2.id}, key
        assert _ids(key, 2025, far) <= {year.o1.id, year.o2.id}, key
    assert _ids("petitions.received", 2025, far) == {year.q1.id}
    assert year.q1.id not in _ids("petitions.received", 2025, home)


def test_a_dispute_in_a_later_year_is_not_in_this_year(app, world):
    dispute(world.staff, world.village, date(2026, 1, 2))
    figures = stats.figures(stats.year_period(2025), _scope(world), clock.today())
    assert figures["disputes"]["registered"] == 0


# ------------------------------------------------------------ screening: each schedule period in one report period

def test_screening_months_add_up_to_quarters_and_quarters_to_the_year(app, year):
    """With intensified periods (春节 daily for all, 两会 weekly for the township only) and a changed interval,
    every schedule period is counted in exactly one month, so the sums agree."""
    from casetrack.models import IntensifiedPeriod
    from casetrack.services import screening

    world, today = year.world, clock.today()
    t = world.township
    db.session.add(IntensifiedPeriod(township_id=t.id, name="春节", starts_on=date(2025, 1, 25),
                                     ends_on=date(2025, 2, 4), interval="day", applies_to="both"))
    db.session.add(IntensifiedPeriod(township_id=t.id, name="两会", starts_on=date(2025, 3, 1),
                                     ends_on=date(2025, 3, 15), interval="week", applies_to="township"))
    for day in (date(2025, 1, 27), date(2025, 1, 28), date(2025, 2, 3)):
        screening.record_round(world.staff, t, "village", world.village.id, day, "王调解", [], today)
    screening.record_round(world.staff, t, "township", None, date(2025, 3, 10), "刘明",
                           [screening.FindingData("两户争水")], today)
    db.session.commit()

    def totals(keys: list[str]) -> tuple:
        got = [stats.figures(stats.parse_period(k), _scope(world), today)["screening"] for k in keys]
        return tuple(sum(g[name] for g in got) for name in ("due", "held", "nil", "found", "findings"))

    for settings in ({}, {"screening_township_interval": "month", "screening_village_interval": "half_month"}):
        t.settings = {**t.settings, **settings}
        db.session.commit()
        year_total = totals(["2025"])
        if not settings:
            # held: 斜沟村 three 春节 days and the weeks of 03-03 and 03-10; the township's 两会 weeks of 03-03
            # and 03-10 (its round of 03-10 with a finding; YearData's of 03-03)
            assert year_total[1:4] == (7, 5, 2)
        assert totals([f"2025-q{q}" for q in range(1, 5)]) == year_total
        for q in range(1, 5):
            months = [f"2025-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
            assert totals(months) == totals([f"2025-q{q}"]), (settings, q)


def test_a_round_on_31_december_counts_once_in_the_year_holding_its_weeks_thursday(app, world):
    """The week of Mon 2024-12-30 has its Thursday on 2025-01-02: a round on 2024-12-31 is 2025's, not 2024's."""
    from casetrack.services import screening

    today = clock.today()
    screening.record_round(world.staff, world.township, "village", world.village.id, date(2024, 12, 10), "王调解",
                           [], today)
    screening.record_round(world.staff, world.township, "village", world.village.id, date(2024, 12, 31), "王调解",
                           [screening.FindingData("两户争水,已当场说和")], today)
    db.session.commit()
    y2024 = stats.figures(stats.year_period(2024), _scope(world), today)["screening"]
    y2025 = stats.figures(stats.year_period(2025), _scope(world), today)["screening"]
    # 2024, from the first record (12-10): the weeks of 12-09, 12-16, 12-23 × 2 villages + the half-months
    # 12-01..15 and 12-16..31 = 8 due; held: 斜沟村's week of 12-09 only
    assert (y2024["due"], y2024["held"], y2024["findings"]) == (8, 1, 0)
    # 2025: 52 weeks × 2 + 24 = 128; held: 斜沟村's week of 12-30 (the round of 12-31), with its finding
    assert (y2025["due"], y2025["held"], y2025["found"], y2025["findings"], y2025["found_resolved"]) == (128, 1, 1, 1, 1)


# ------------------------------------------------------------ each definition on a hand-made case

def test_a_county_case_and_a_judicial_one_are_out_of_the_village_township_figures(app, world):
    """乡村两级 = 人民调解 at 村 or 乡: a case escalated to the county and a 司法调解 case are counted apart."""
    from casetrack.services import disputes as dispute_services

    s, v = world.staff, world.village
    village = dispute(s, v, date(2025, 4, 1), state="concluded", outcome="succeeded", closed_on=date(2025, 4, 8))
    county = dispute(s, v, date(2025, 4, 2), state="concluded", outcome="succeeded", closed_on=date(2025, 4, 9),
                     level="county")
    judicial = dispute(s, v, date(2025, 4, 3), state="concluded", outcome="failed", closed_on=date(2025, 4, 10))
    dispute_services.update_facts(judicial, s, {"channel": "judicial"}, None)
    db.session.commit()

    d = stats.figures(stats.year_period(2025), _scope(world), clock.today())["disputes"]
    # all three accepted and mediated; only `village` is people's mediation at 村/乡
    assert (d["accepted"], d["mediated"], d["succeeded"]) == (3, 3, 2)
    assert d["village_township"] == {"accepted": 1, "mediated": 1, "succeeded": 1, "mediation_rate": 1.0,
                                     "success_rate": 1.0}
    assert d["by_channel"] == {"人民调解": 2, "司法调解": 1}
    assert d["by_level"] == {"村": 1, "县": 1}
    assert _ids("disputes.village_township.mediated", 2025) == {village.id}
    assert county.id in _ids("disputes.mediated", 2025)


def test_a_case_escalated_after_the_period_counts_at_its_level_on_the_last_day(app, world):
    """Escalated to the township on 04-02: March's figures see it at the village, April's at the township."""
    from casetrack.services import disputes as dispute_services

    s = world.staff
    case = dispute(s, world.village, date(2025, 3, 28), state="mediating")
    dispute_services.escalate(case, s, "村调委会调解未果", on=date(2025, 4, 2))
    result = dispute_services.Conclusion(outcome=dispute_services.wf.Outcome.SUCCEEDED, closed_on=date(2025, 4, 5),
                                         agreement_form=dispute_services.wf.AgreementForm.ORAL,
                                         agreement_terms="赔偿五百元")
    dispute_services.conclude(case, s, result, clock.today())
    db.session.commit()

    march = stats.figures(stats.month_period(2025, 3), _scope(world), clock.today())["disputes"]
    q1 = stats.figures(stats.quarter_period(2025, 1), _scope(world), clock.today())["disputes"]
    assert (march["in_progress"], march["mediated"]) == (1, 0) and q1 == march  # as at 03-31
    year_figures = stats.figures(stats.year_period(2025), _scope(world), clock.today())["disputes"]
    assert year_figures["by_level"] == {"乡": 1} and year_figures["village_share"] == 0.0


def test_a_case_registered_on_the_last_day_is_pending_and_the_report_made_early_says_so(app, world):
    dispute(world.staff, world.village, date(2025, 12, 31))
    d = stats.figures(stats.year_period(2025), _scope(world), clock.today())["disputes"]
    assert (d["registered"], d["accepted"], d["pending_decision"], d["mediation_rate"]) == (1, 0, 1, None)

    early = stats.figures(stats.year_period(2025), _scope(world), date(2025, 12, 7))
    assert (early["as_at"], early["complete"]) == ("2025-12-07", False)
    assert early["disputes"]["registered"] == 0  # registered after the report was made
    assert stats.figures(stats.year_period(2025), _scope(world), clock.today())["complete"] is True


def test_forwarded_undecided_and_late_petitions_and_a_joint_letter(app, world):
    from casetrack.services import petitions as petition_services

    s, t, today = world.staff, world.township, clock.today()
    forwarded = petition(s, t, date(2025, 5, 6))
    petition_services.decide(forwarded, s, "forwarded", date(2025, 5, 9), today, "县自然资源局")
    late = petition(s, t, date(2025, 5, 6))
    # received 05-06: 15 days end 05-21 (a Wednesday); decided 05-22 is late
    petition_services.decide(late, s, "not_accepted", date(2025, 5, 22), today, "已经依法终结")
    undecided = petition(s, t, date(2025, 12, 30))
    after_year_end = petition(s, t, date(2025, 12, 29))
    petition_services.decide(after_year_end, s, "accepted", date(2026, 1, 5), today)
    letter = petition(s, t, date(2025, 6, 1), channel="letter", persons=8)
    visit = petition(s, t, date(2025, 6, 2), channel="visit", persons=5)
    db.session.commit()

    p = stats.figures(stats.year_period(2025), _scope(world), today)["petitions"]
    # received: forwarded, late, undecided, after_year_end, letter, visit = 6; as at 12-31 decided: 2
    assert (p["received"], p["accepted"], p["forwarded"], p["not_accepted"], p["undecided"]) == (6, 0, 1, 1, 4)
    assert (p["timely_decided"], p["timely_decided_rate"]) == (1, 1 / 2)
    assert (p["collective"], p["collective_other"]) == (1, 1)  # the visit of 5; the joint letter of 8 apart
    assert _ids("petitions.undecided", 2025) == {undecided.id, after_year_end.id, letter.id, visit.id}
    assert _ids("petitions.timely_decided", 2025) == {forwarded.id}
    assert p["supervised"] == 0  # no 督办 recorded on these petitions
    assert stats.figures(stats.year_period(2026), _scope(world), today)["petitions"]["accepted"] == 0  # by receipt


def test_comparison_only_where_casetrack_holds_the_whole_previous_period(app, year):
    """A period is compared with the previous one only when the township's first record is on or before that
    period's first day: 斜沟乡 began on 2024-12-20, so it holds all of January 2025 but only part of December and
    of the year 2024."""
    scope, county = _scope(year.world), _scope(year.world, "all")
    previous_of = stats.previous_period
    assert not stats.comparable(previous_of(stats.year_period(2025)), scope)  # 2024 begins 01-01 < 12-20
    assert not stats.comparable(previous_of(stats.month_period(2025, 1)), scope)  # December 2024 begins 12-01
    assert stats.comparable(previous_of(stats.month_period(2025, 2)), scope)  # January 2025 begins 01-01 > 12-20

    petition(year.world.staff, year.world.township, date(2024, 1, 1))  # a record on 2024's first day
    assert stats.comparable(previous_of(stats.year_period(2025)), scope)  # 2024-01-01 <= 2024-01-01
    assert not stats.comparable(previous_of(stats.year_period(2024)), scope)  # 2023 is not held
    # all townships: 东岭乡 began on 2025-05-05, so the county holds none of its 2024 and part of its May 2025
    assert not stats.comparable(previous_of(stats.year_period(2025)), county)
    assert not stats.comparable(previous_of(stats.month_period(2025, 6)), county)  # May begins 05-01 < 05-05
    assert stats.comparable(previous_of(stats.month_period(2025, 7)), county)  # June begins 06-01 > 05-05


def test_the_further_sentences_figures_major_disputes_legal_aid_quiet_periods_grid(app, world):
    """重大矛盾纠纷 with and without 领导包案, a failed case referred to legal aid, 春节 without a petition to the
    province while 全国两会 had one, intensified rounds, and the grid of 斜沟乡 (2 villages, 2 natural villages)."""
    from casetrack.models import IntensifiedPeriod
    from casetrack.services import disputes as dispute_services
    from casetrack.services import screening

    s, v, t, today = world.staff, world.village, world.township, clock.today()
    named, unnamed = dispute(s, v, date(2025, 2, 3)), dispute(s, v, date(2025, 2, 4))
    named.responsible_unit, named.responsible_leader, named.responsible_person = "乡综治中心", "李乡长", "王干事"
    named.risk_level = unnamed.risk_level = "major"  # both major; only `named` has its unit, leader and person
    failed = dispute(s, v, date(2025, 5, 6), state="mediating")
    dispute_services.conclude(failed, s, dispute_services.Conclusion(
        outcome=dispute_services.wf.Outcome.FAILED, closed_on=date(2025, 5, 9), channels_told=["诉讼"],
        legal_aid_referred=True), today)
    db.session.add(IntensifiedPeriod(township_id=t.id, name="春节", starts_on=date(2025, 1, 25),
                                     ends_on=date(2025, 2, 4), interval="day", applies_to="village"))
    db.session.add(IntensifiedPeriod(township_id=t.id, name="全国两会", starts_on=date(2025, 3, 4),
                                     ends_on=date(2025, 3, 11), interval="day", applies_to="village"))
    petition(s, t, date(2025, 3, 5), level="beijing")
    screening.record_round(s, t, "village", v.id, date(2025, 1, 27), "王调解", [], today)
    screening.record_round(s, t, "village", v.id, date(2025, 3, 6), "王调解", [], today)
    db.session.commit()

    figures = stats.figures(stats.year_period(2025), _scope(world), today)
    d, p, sc = figures["disputes"], figures["petitions"], figures["screening"]
    assert (d["major"], d["major_responsible"], d["legal_aid"]) == (2, 1, 1)
    assert p["quiet_periods"] == ["春节"]  # the Beijing petition of 03-05 fell in 全国两会
    assert (sc["intensified_held"], sc["intensified_periods"]) == (2, ["春节", "全国两会"])
    assert figures["grid"] == {"townships": 1, "villages": 2, "natural_villages": 2}
    assert _ids("disputes.major_responsible", 2025, _scope(world)) == {named.id}
    assert _ids("disputes.legal_aid", 2025, _scope(world)) == {failed.id}


def test_quiet_periods_are_those_ended_by_the_cut_and_quiet_in_every_township(app, world):
    """A named period is said to have had no 赴省进京 petition only once it is over, and in the county's report only
    when every township's period of that name was quiet."""
    from casetrack.models import IntensifiedPeriod

    home, far = world.township, world.other_township
    for township, name, starts, ends in ((home, "春节", date(2025, 1, 25), date(2025, 2, 4)),
                                         (home, "全国两会", date(2025, 3, 4), date(2025, 3, 11)),
                                         (far, "全国两会", date(2025, 3, 5), date(2025, 3, 10)),
                                         (home, "国庆", date(2025, 10, 1), date(2025, 10, 7))):
        db.session.add(IntensifiedPeriod(township_id=township.id, name=name, starts_on=starts, ends_on=ends,
                                         interval="day", applies_to="village"))
    petition(world.far_staff, far, date(2025, 3, 6), level="beijing")  # 东岭乡 went to Beijing during 全国两会
    db.session.commit()

    def quiet(period, which="home", as_of=None):
        return stats.figures(period, _scope(world, which), as_of or clock.today())["petitions"]["quiet_periods"]

    # 斜沟乡: none of its own petitions reached 省/进京; 东岭乡's is not 斜沟乡's
    assert quiet(stats.year_period(2025)) == ["春节", "全国两会", "国庆"]
    # the county: 全国两会 was not quiet in 东岭乡 (03-06 falls in both townships' 全国两会), so it is not claimed
    assert quiet(stats.year_period(2025), "all") == ["春节", "国庆"]
    assert quiet(stats.year_period(2025), "far") == []
    # March as at 03-08: 全国两会 (to 03-11) is not over, so nothing is claimed yet; as at 03-31 it is
    assert quiet(stats.month_period(2025, 3), as_of=date(2025, 3, 8)) == []
    assert quiet(stats.month_period(2025, 3)) == ["全国两会"]
    # the year as at 10-05: 国庆 (to 10-07) not over
    assert quiet(stats.year_period(2025), as_of=date(2025, 10, 5)) == ["春节", "全国两会"]


def test_judicial_confirmation_counts_applications_and_court_results_known_by_the_cut(app, world):
    """司法确认 (人民调解法 Art. 33) in the year's figures, as at the period's end: two agreements of 2025 whose
    parties applied in November; the court confirmed one on 2025-12-10 and rejected the other on 2026-01-06.
    As at 2025-12-31 (the report made in 2026): 2 applied, 1 confirmed, 0 rejected; the rejection counts in a
    report as at 2026-01-06 or later, which a 2025 report never is."""
    from casetrack.domain import workflow as wf
    from casetrack.services import judicial_confirmation as jc

    s, v, today = world.staff, world.village, clock.today()
    confirmed = dispute(s, v, date(2025, 10, 8), state="concluded", outcome="succeeded", closed_on=date(2025, 10, 20))
    rejected = dispute(s, v, date(2025, 10, 9), state="concluded", outcome="succeeded", closed_on=date(2025, 10, 21))
    dispute(s, v, date(2025, 10, 10), state="concluded", outcome="succeeded", closed_on=date(2025, 10, 22))  # none
    jc.record_judicial_confirmation(confirmed, s, date(2025, 11, 3), "县人民法院", today)
    jc.record_judicial_confirmation(rejected, s, date(2025, 11, 4), "县人民法院", today)
    jc.record_court_result(confirmed, s, wf.CourtResult.CONFIRMED, date(2025, 12, 10), today)
    jc.record_court_result(rejected, s, wf.CourtResult.REJECTED, date(2026, 1, 6), today)
    db.session.commit()

    d = stats.figures(stats.year_period(2025), _scope(world), today)["disputes"]
    assert (d["judicial_applied"], d["judicial_confirmed"], d["judicial_rejected"], d["judicial_withdrawn"]) == \
        (2, 1, 0, 0)
    assert _ids("disputes.judicial_applied", 2025, _scope(world)) == {confirmed.id, rejected.id}
    assert _ids("disputes.judicial_confirmed", 2025, _scope(world)) == {confirmed.id}
    # the fourth quarter alone, as at 2025-12-31: the same cases, the same answers
    q4 = stats.figures(stats.quarter_period(2025, 4), _scope(world), today)["disputes"]
    assert (q4["judicial_applied"], q4["judicial_confirmed"], q4["judicial_rejected"]) == (2, 1, 0)


def test_petitions_supervised_routed_and_from_above_are_counted_as_at_the_periods_end(app, world):
    """#19: 督办 (once per matter, by its day), 导入法定程序 apart from 受理, and matters sent down from above."""
    from casetrack.domain import petition_workflow as pw
    from casetrack.services import petitions as petition_services
    from casetrack.services import supervision

    s, t, today = world.staff, world.township, clock.today()
    supervised_twice = petition(s, t, date(2025, 5, 6), accepted_on=date(2025, 5, 8))
    supervised_late = petition(s, t, date(2025, 5, 7), accepted_on=date(2025, 5, 8))
    for record, on in ((supervised_twice, date(2025, 6, 1)), (supervised_twice, date(2025, 7, 1)),
                       (supervised_late, date(2026, 1, 10))):
        made = supervision.supervise_petition(record, world.leader, "请加快办理", today, today)
        made.supervised_on = on  # hand-made: the day the leader supervised it
    routed = petition(s, t, date(2025, 8, 4))
    petition_services.route_to_procedure(routed, s, pw.LegalRoute.ARBITRATION, "县劳动人事争议仲裁委员会",
                                         date(2025, 8, 6), today)
    routed_after = petition(s, t, date(2025, 12, 29))
    petition_services.route_to_procedure(routed_after, s, pw.LegalRoute.LITIGATION, "县人民法院", date(2026, 1, 4), today)
    intake = petition_services.PetitionIntake(
        received_on=date(2025, 9, 1), channel=pw.Channel.ONLINE, category_id=supervised_twice.category_id,
        request="反映村道硬化工程款", petitioners=[petition_services.PetitionerData("钱二")],
        source=pw.Source.ASSIGNED_IN, source_body="县信访局", assigned_due_on=date(2025, 10, 1))
    from_above = petition_services.register_petition(s, t, intake, today)
    db.session.commit()

    p = stats.figures(stats.year_period(2025), _scope(world), today)["petitions"]
    assert (p["supervised"], p["routed"], p["from_above"]) == (1, 1, 1)
    assert (p["received"], p["accepted"], p["undecided"]) == (5, 2, 2)  # routed_after still undecided at 12-31
    assert p["timely_decided"] == 3 and p["timely_decided_rate"] == 1.0  # 2 accepted + 1 routed, all within 15 days
    assert _ids("petitions.supervised", 2025) == {supervised_twice.id}
    assert _ids("petitions.routed", 2025) == {routed.id}
    assert _ids("petitions.from_above", 2025) == {from_above.id}
    june = stats.figures(stats.month_period(2025, 5), _scope(world), today)["petitions"]
    assert june["supervised"] == 0  # as at 05-31 neither had been supervised yet


def test_a_petition_counts_as_gone_to_the_province_from_the_day_it_got_there(app, world):
    """#14's leftover for petitions: 赴省进京 as at the period's end, by the day the level was reached."""
    from casetrack.domain import petition_workflow as pw
    from casetrack.domain.errors import DomainError
    from casetrack.services import petitions as petition_services

    s, t, today = world.staff, world.township, clock.today()
    later = petition(s, t, date(2025, 5, 6))
    petition_services.record_level(later, s, pw.Level.COUNTY, date(2025, 6, 2), today)
    petition_services.record_level(later, s, pw.Level.PROVINCE, date(2025, 8, 10), today)
    at_once = petition(s, t, date(2025, 5, 7), level="beijing")
    db.session.commit()
    with pytest.raises(DomainError, match="只能高于"):
        petition_services.record_level(later, s, pw.Level.CITY, date(2025, 9, 1), today)
    db.session.rollback()

    def gone(period, as_of=today):
        return stats.figures(period, _scope(world), as_of)["petitions"]["to_province_or_beijing"]

    assert gone(stats.quarter_period(2025, 2)) == 1  # as at 06-30 only the one registered at 进京; the other at 县
    assert gone(stats.year_period(2025), date(2025, 8, 9)) == 1  # a report made before it got there
    assert gone(stats.year_period(2025)) == 2
    assert _ids("petitions.to_province_or_beijing", 2025) == {later.id, at_once.id}
    assert later.province_reached_on == date(2025, 8, 10) and at_once.province_reached_on is None


def test_assigned_leader_receptions_and_police_referrals_as_at_the_periods_end(app, world):
    """交办 within 受理; 领导接访: two visits a leader received on one day and one on another, a visit without a
    leader, a letter; 缠访闹访: one referred to the police in 2025, one in 2026, one never."""
    from casetrack.domain import petition_workflow as pw
    from casetrack.services import petitions as petition_services

    s, t, today = world.staff, world.township, clock.today()

    def visit(on: date, persons: int, leader: str | None):
        intake = petition_services.PetitionIntake(
            received_on=on, channel=pw.Channel.VISIT, category_id=_category_id(t), request="反映宅基地审批",
            persons=persons, petitioners=[petition_services.PetitionerData("孙大", is_representative=True)],
            leader_received_by=leader)
        return petition_services.register_petition(s, t, intake, today)

    a = visit(date(2025, 3, 5), 2, "李乡长")
    b = visit(date(2025, 3, 5), 1, "王书记")  # the same reception day, another leader: one day
    c = visit(date(2025, 6, 5), 3, "李乡长")
    visit(date(2025, 6, 6), 4, None)
    assigned = petition(s, t, date(2025, 4, 1))
    petition_services.decide(assigned, s, "assigned", date(2025, 4, 3), today, "乡自然资源所")
    petition_services.decide(a, s, "accepted", date(2025, 3, 6), today)
    referred, referred_late, kept = (petition(s, t, date(2025, 5, d), disruptive=True) for d in (6, 7, 8))
    petition_services.record_disruptive(referred, s, date(2025, 5, 20), today)
    petition_services.record_disruptive(referred_late, s, date(2026, 1, 5), today)
    db.session.commit()

    p = stats.figures(stats.year_period(2025), _scope(world), today)["petitions"]
    assert (p["accepted"], p["assigned"]) == (2, 1)  # a accepted, `assigned` 交办: both 受理
    assert (p["visits"], p["visit_persons"]) == (4, 10)
    assert (p["leader_reception_days"], p["leader_visits"], p["leader_visit_persons"]) == (2, 3, 6)
    assert (p["disruptive"], p["police_referred"]) == (3, 1)
    assert _ids("petitions.assigned", 2025) == {assigned.id}
    assert _ids("petitions.leader_visits", 2025) == {a.id, b.id, c.id}
    assert _ids("petitions.police_referred", 2025) == {referred.id}
    assert kept.police_referred_on is None
    march = stats.figures(stats.month_period(2025, 3), _scope(world), today)["petitions"]
    assert (march["leader_reception_days"], march["leader_visits"], march["leader_visit_persons"]) == (1, 2, 3)
    may = stats.figures(stats.month_period(2025, 5), _scope(world), today)["petitions"]
    assert may["police_referred"] == 1  # referred on 05-20; the other only in 2026


def test_disruptive_counts_a_matter_from_the_day_it_was_found_so(app, world):
    """缠访闹访 as at the period's end: marked at intake counts from receipt; found later by the step, from that
    day, or from its referral to the police when earlier (a matter sent to the police was 缠访闹访 by then)."""
    from casetrack.services import petitions as petition_services

    s, t = world.staff, world.township
    at_intake = petition(s, t, date(2025, 5, 6), disruptive=True)
    found_in_june = petition(s, t, date(2025, 5, 9))
    petition_services.record_disruptive(found_in_june, s, None, date(2025, 6, 10))
    referred_in_december = petition(s, t, date(2025, 11, 3))
    petition_services.record_disruptive(referred_in_december, s, date(2025, 12, 20), date(2026, 1, 8))
    found_next_year = petition(s, t, date(2025, 12, 1))
    petition_services.record_disruptive(found_next_year, s, None, date(2026, 1, 8))
    db.session.commit()
    assert (found_in_june.disruptive_on, referred_in_december.disruptive_on) == (date(2025, 6, 10), date(2025, 12, 20))

    def disruptive(period):
        return stats.figures(period, _scope(world), clock.today())["petitions"]["disruptive"]

    assert _ids("petitions.disruptive", 2025) == {at_intake.id, found_in_june.id, referred_in_december.id}
    assert disruptive(stats.year_period(2025)) == 3
    assert disruptive(stats.month_period(2025, 5)) == 1  # at_intake; found_in_june not yet at 05-31
    assert disruptive(stats.month_period(2025, 12)) == 0  # found_next_year: only on 2026-01-08


def test_a_leader_is_named_only_for_a_visit(app, world):
    from casetrack.domain import petition_workflow as pw
    from casetrack.domain.errors import DomainError
    from casetrack.models import Petition
    from casetrack.services import petitions as petition_services

    intake = petition_services.PetitionIntake(
        received_on=date(2025, 3, 5), channel=pw.Channel.LETTER, category_id=_category_id(world.township),
        request="反映宅基地审批", petitioners=[petition_services.PetitionerData("孙大")], leader_received_by="李乡长")
    with pytest.raises(DomainError, match="只有来访才能填写接访领导"):
        petition_services.register_petition(world.staff, world.township, intake, clock.today())
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Petition)).scalar_one() == 0


def _category_id(township) -> int:
    from . import category

    return category(township).id
