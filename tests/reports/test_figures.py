"""Each figure of the JSON contract, computed on a hand-made year with answers known in advance.

The year is tests.reports.YearData: its docstring lists every case and why each figure is what it is.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from casetrack import clock
from casetrack.domain import statistics as st
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
    assert "不含不予受理" in definitions["disputes.registered"]
    assert "不重复计数" in definitions["petitions.received"]


def test_rates_are_fractions_and_breakdowns_add_up_to_their_figure(app, year):
    figures = _get_json(app, "staff", "/reports/2025.json")

    for key in st.RATE_KEYS:
        section, name = key.split(".")
        value = figures[section][name]
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

    assert (y2024["registered"], y2024["mediated"], y2024["succeeded"], y2024["mediation_rate"]) == (1, 1, 1, 1.0)
    assert y2024["by_month"] == {"12": 1}
    assert y2025["mediated"] == 5  # a, b, c, d, e: not y, concluded in 2025 but registered in 2024
    assert _ids("disputes.mediated", 2025) == {year.a.id, year.b.id, year.c.id, year.d.id, year.e.id}
    assert _ids("disputes.mediated", 2024) == {year.y.id}


def test_a_zero_denominator_gives_null_not_zero(app, year):
    y2024 = _get_json(app, "staff", "/reports/2024.json")
    assert y2024["disputes"]["performed_rate"] is None  # y succeeded, its performance is not known yet
    assert y2024["petitions"]["due"] == 0 and y2024["petitions"]["on_time_rate"] is None

    empty = _get_json(app, "staff", "/reports/2023.json")
    for key in st.RATE_KEYS - {"screening.rate"}:  # 2023's screening rounds were due, and all missed: 0%
        section, name = key.split(".")
        assert empty[section][name] is None, key
    assert empty["disputes"]["registered"] == 0
    assert empty["screening"]["rate"] == 0.0 and empty["screening"]["due"] > 0

    not_begun = _get_json(app, "staff", f"/reports/{clock.today().year + 1}.json")["screening"]
    assert not_begun == {"due": 0, "held": 0, "nil": 0, "found": 0, "rate": None}


def test_a_not_accepted_case_counts_in_not_accepted_and_nowhere_else(app, year):
    d = _get_json(app, "staff", "/reports/2025.json")["disputes"]

    assert d["not_accepted"] == 1
    assert _ids("disputes.not_accepted", 2025) == {year.n.id}
    assert year.n.id not in _ids("disputes.registered", 2025)
    assert year.n.id not in _ids("disputes.in_progress", 2025)
    assert d["registered"] == 7 and d["mediation_rate"] == 5 / 7  # the rate's denominator leaves it out too


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

    assert figures["screening"]["found"] == 1
    assert figures["disputes"]["by_source"] == {"主动调解": 1}
    assert figures["screening"]["held"] == 1 and figures["screening"]["nil"] == 0


def test_month_and_quarter_figures(app, year):
    march = _get_json(app, "staff", "/reports/2025/3.json")
    q1 = _get_json(app, "staff", "/reports/2025/q1.json")

    assert march["period"] == "2025-03"
    assert (march["disputes"]["registered"], march["disputes"]["mediated"]) == (2, 2)  # c, d
    assert march["disputes"]["by_month"] == {"3": 2}
    assert (march["petitions"]["received"], march["petitions"]["persons"]) == (2, 7)  # p1, p2
    # weeks overlapping March (Feb 24 – Apr 6: 6) × 2 villages + 2 half-months
    assert march["screening"] == {"due": 14, "held": 3, "nil": 2, "found": 0, "rate": 3 / 14}

    assert q1["period"] == "2025-q1"
    assert (q1["disputes"]["registered"], q1["disputes"]["succeeded"]) == (4, 3)  # a, b, c, d
    assert q1["petitions"]["due"] == 1  # p0, due 02-19; p1 and p2 fall due in Q2
    assert q1["screening"]["due"] == 14 * 2 + 6


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
    "disputes.mediation_rate": ("disputes.mediated", "disputes.registered"),
    "disputes.success_rate": ("disputes.succeeded", "disputes.registered"),
    "disputes.performed_rate": ("disputes.performed", "disputes.performance_known"),
    "disputes.village_share": ("disputes.succeeded_village", "disputes.succeeded"),
    "disputes.within_township_share": ("disputes.succeeded_within_township", "disputes.succeeded"),
    "petitions.on_time_rate": ("petitions.on_time", "petitions.due"),
    "petitions.satisfaction_rate": ("petitions.satisfied", "petitions.rated"),
}
SUMMED = {"petitions.persons": Petition.persons,
          "disputes.prevented_criminal_persons": Dispute.prevented_criminal_persons,
          "disputes.prevented_group_petition_persons": Dispute.prevented_group_petition_persons}


def test_figure_condition_selects_exactly_the_cases_each_figure_counts(app, year):
    checked = 0
    for period_key in ("2025", "2024", "2025-03", "2025-q2", "2025-09"):
        for which in ("home", "far", "all"):
            checked += _check_conditions(stats.parse_period(period_key), _scope(year.world, which))
    assert checked == 5 * 3 * 29


def _check_conditions(period: stats.Period, scope: stats.Scope) -> int:
    today = clock.today()
    figures = stats.figures(period, scope, today)
    flat = st.scalar_figures({k: figures[k] for k in ("disputes", "petitions")})
    assert len(flat) == 16 + 13

    def count(key: str) -> int:
        model, where = stats.figure_condition(key, period, scope, today)
        return db.session.execute(select(func.count()).select_from(model).where(where)).scalar_one()

    where_ = f"{period.key} {scope.name}"
    for key, value in flat.items():
        if key in RATE_PARTS:
            numerator, denominator = (count(k) for k in RATE_PARTS[key])
            assert value == (numerator / denominator if denominator else None), (key, where_)
            assert count(key) == numerator, (key, where_)  # the rate's link lists its numerator's cases
        elif key in SUMMED:
            model, where = stats.figure_condition(key, period, scope, today)
            total = db.session.execute(select(func.coalesce(func.sum(SUMMED[key]), 0)).where(where)).scalar_one()
            assert total == value, (key, where_)
        else:
            assert count(key) == value, (key, where_)
    return len(flat)


def test_figure_condition_refuses_an_unknown_figure(app, world):
    from casetrack.domain.errors import DomainError

    for key in ("disputes.nonsense", "petitions.nonsense", "nonsense.registered"):
        with pytest.raises(DomainError):
            stats.figure_condition(key, stats.year_period(2025), _scope(world), clock.today())


def test_figures_add_up(app, year):
    """registered = mediated + in progress; mediated = succeeded + failed + ended, for every scope."""
    for which in ("home", "far", "all"):
        d = stats.figures(stats.year_period(2025), _scope(year.world, which), clock.today())["disputes"]
        assert d["registered"] == d["mediated"] + d["in_progress"]
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


# ------------------------------------------------------------ screening figures agree with the screening board

def test_screening_figures_count_what_the_screening_board_counts(app, year):
    """The figures count screening compliance without building the board page; both must agree, with
    intensified periods (春节 daily for all, 两会 weekly for the township only), a changed interval, and
    periods still running on the day of the report."""
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
    screening.record_round(world.staff, world.other_township, "village", world.far_village.id,
                           date(2025, 3, 4), "东岭调解员", [], today)
    db.session.commit()

    def compare(period_key: str, as_of: date, township) -> None:
        period = stats.parse_period(period_key)
        got = stats.figures(period, stats.Scope((township,)), as_of)["screening"]
        end = min(period.end, as_of)
        board = screening.board(township, period.start, end, as_of).overall
        assert (got["due"], got["held"], got["nil"]) == (board.due, board.held, board.nil), (period_key, as_of)

    for period_key in ("2025", "2025-01", "2025-02", "2025-03", "2025-q1", "2024-12"):
        compare(period_key, today, t)
        compare(period_key, today, world.other_township)
    compare("2025-03", date(2025, 3, 10), t)  # the report made mid-month: running periods are not yet due
    compare("2025", date(2025, 2, 1), t)

    t.settings = {**t.settings, "screening_township_interval": "month", "screening_village_interval": "half_month"}
    db.session.commit()
    for period_key in ("2025", "2025-03", "2025-q1"):
        compare(period_key, today, t)

    county = stats.figures(stats.year_period(2025), _scope(world, "all"), today)["screening"]
    home = stats.figures(stats.year_period(2025), _scope(world), today)["screening"]
    far = stats.figures(stats.year_period(2025), _scope(world, "far"), today)["screening"]
    assert county["due"] == home["due"] + far["due"] and county["held"] == home["held"] + far["held"]
