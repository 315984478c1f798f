"""The queue's tabs, filters, sorts and reach, proved on hand-made cases: every tab lists exactly the items it
should for every role, with the same count in the tab bar; every filter and sort does what the page says."""

from datetime import date, datetime

import pytest
from sqlalchemy import update

from casetrack.extensions import db
from casetrack.models import Dispute, Role
from casetrack.services import accounts, review
from casetrack.services.places import dispute_types

from ..conftest import PASSWORD
from . import browse_as, days, dispute, numbers, petition, read_queue, supervise

TABS = ["pending", "mediating", "due_soon", "overdue", "major", "follow_up", "petitions", "returned", "all"]


class Cases:
    """Cases in every corner of the tabs, in 斜沟乡 (two villages, and petitions with no village) and 东岭乡.

    `tabs[name]` is the set of tabs an item belongs to besides 全部; `where[name]` is its village key
    ("village", "other_village", "far_village", None for a petition of the township, "far" for one of 东岭乡).
    """

    def __init__(self, world):
        w = world
        staff, far = w.staff, w.far_staff
        self.items, self.tabs, self.where = {}, {}, {}

        def add(name, item, tabs, where):
            self.items[name], self.tabs[name], self.where[name] = item, set(tabs), where

        v, ov = w.village, w.other_village
        add("pending", dispute(staff, v, date(2026, 10, 8)), {"pending"}, "village")
        add("major_pending", dispute(staff, ov, date(2026, 9, 15), risk="major"), {"pending", "major"}, "other_village")
        add("accepted", dispute(staff, v, date(2026, 9, 1), state="accepted", due=days(20)), {"mediating"}, "village")
        add("mediating", dispute(staff, ov, date(2026, 9, 1), state="mediating", due=days(10),
                                 mediators=[w.other_mediator]), {"mediating"}, "other_village")
        add("due_today", dispute(staff, v, date(2026, 9, 2), state="mediating", due=days(0)),
            {"mediating", "due_soon"}, "village")
        add("due_in_3", dispute(staff, v, date(2026, 9, 3), state="mediating", due=days(3)),
            {"mediating", "due_soon"}, "village")
        add("due_in_4", dispute(staff, v, date(2026, 9, 4), state="mediating", due=days(4)), {"mediating"}, "village")
        add("overdue", dispute(staff, ov, date(2026, 9, 5), state="mediating", due=days(-5)),
            {"mediating", "overdue"}, "other_village")
        supervised = dispute(staff, v, date(2026, 9, 6), state="accepted", due=days(15))
        supervise(supervised, w.leader, days(10))
        add("supervised", supervised, {"mediating", "major"}, "village")
        add("follow_up", dispute(staff, v, days(-20), state="concluded", outcome="succeeded"), {"follow_up"}, "village")
        add("failed", dispute(staff, v, date(2026, 5, 10), state="concluded", outcome="failed", risk="major"),
            {"major"}, "village")  # concluded, not archived: still open, so still 重大
        add("visited", dispute(staff, ov, date(2025, 3, 1), state="visited"), set(), "other_village")
        add("archived", dispute(staff, ov, date(2024, 6, 1), state="archived", outcome="failed", risk="major"),
            set(), "other_village")
        add("not_accepted", dispute(staff, ov, date(2025, 8, 1), state="not_accepted", risk="major"),
            set(), "other_village")
        returned = dispute(staff, v, date(2026, 10, 1), state="mediating", due=days(12), mediators=[w.mediator])
        review.send_back(returned, staff, "当事人身份证号码与调解笔录不一致,请核对")
        db.session.commit()
        add("returned", returned, {"mediating", "returned"}, "village")
        self.merged = dispute(staff, v, date(2026, 10, 9))
        review.merge(self.merged, self.items["pending"], staff)
        db.session.commit()

        t = w.township
        add("p_pending", petition(staff, t, days(-3), village=v), {"pending"}, "village")
        # accepted the day after receipt: the 60-day limit for the opinion ends in 2 days / ended 5 days ago
        add("p_due_soon", petition(staff, t, days(-59), state="accepted", village=v), {"petitions", "due_soon"},
            "village")
        add("p_overdue", petition(staff, t, days(-66), state="accepted", village=ov), {"petitions", "overdue"},
            "other_village")
        add("p_handling", petition(staff, t, days(-38), state="in_progress", village=v), {"petitions"},
            "village")
        add("p_answered", petition(staff, t, date(2026, 9, 20), state="answered", village=ov), {"petitions"},
            "other_village")
        add("p_delivered", petition(staff, t, date(2026, 8, 1), state="delivered"), set(), None)
        add("p_closed", petition(staff, t, date(2025, 4, 1), state="closed"), set(), None)

        fv, ft = w.far_village, w.other_township
        add("far_pending", dispute(far, fv, date(2026, 10, 8)), {"pending"}, "far_village")
        add("far_overdue", dispute(far, fv, date(2026, 9, 5), state="mediating", due=days(-3)),
            {"mediating", "overdue"}, "far_village")
        add("far_p_overdue", petition(far, ft, days(-66), state="accepted", village=fv), {"petitions", "overdue"},
            "far_village")
        add("far_p_handling", petition(far, ft, days(-38), state="in_progress"), {"petitions"}, "far")

    def expected(self, tab: str, visible) -> set[str]:
        return {item.number for name, item in self.items.items()
                if (tab == "all" or tab in self.tabs[name]) and visible(self.where[name])}


@pytest.fixture
def cases(world) -> Cases:
    return Cases(world)


TOWNSHIP_PLACES = {"village", "other_village", None}
REACH = {
    "staff": TOWNSHIP_PLACES,
    "leader": TOWNSHIP_PLACES,
    "mediator1": {"village"},
    "mediator2": {"other_village"},
    "farstaff": {"far_village", "far"},
    "farmediator": {"far_village"},
    "admin": TOWNSHIP_PLACES | {"far_village", "far"},  # a county admin (no township) reads every township
    "townadmin": TOWNSHIP_PLACES,  # an admin of 斜沟乡 reads only it
}


@pytest.mark.parametrize("username", list(REACH))
def test_every_tab_lists_exactly_its_items_within_the_users_reach_and_counts_them(app, world, cases, username):
    if username == "townadmin":
        accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=world.township)
        db.session.commit()
    client = browse_as(app, username)
    reach = REACH[username]
    expected_counts = {tab: len(cases.expected(tab, reach.__contains__)) for tab in TABS}
    for tab in TABS:
        page = read_queue(client, tab=tab)
        expected = cases.expected(tab, reach.__contains__)
        assert set(page.numbers) == expected, (username, tab)
        assert len(page.numbers) == len(expected), (username, tab)  # no item twice
        assert page.current_tab == tab
        assert page.total == len(expected)
        assert page.counts == expected_counts, (username, tab)
        assert cases.merged.number not in page.html  # a merged duplicate is in no tab
    assert read_queue(client).current_tab == "all"  # no tab asked: 全部


def test_the_counts_are_what_the_hand_made_cases_say(app, world, cases):
    """Spell the staff's tab bar out, so the expectations above are not only computed."""
    page = read_queue(browse_as(app, "staff"))
    assert page.counts == {"pending": 3, "mediating": 8, "due_soon": 3, "overdue": 2, "major": 3, "follow_up": 1,
                           "petitions": 4, "returned": 1, "all": 22}
    i = cases.items
    assert set(read_queue(browse_as(app, "staff"), tab="due_soon").numbers) == numbers(
        i["due_today"], i["due_in_3"], i["p_due_soon"])
    assert set(read_queue(browse_as(app, "staff"), tab="overdue").numbers) == numbers(i["overdue"], i["p_overdue"])


def test_a_registered_petitions_acceptance_limit_puts_it_on_due_soon_and_overdue(app, world):
    """A petition's 15-day acceptance limit is stored when it is registered, not only on its next change."""
    soon = petition(world.staff, world.township, days(-13), village=world.village)  # limit in 2 days
    late = petition(world.staff, world.township, days(-20), village=world.village)  # limit passed 5 days ago
    assert (soon.due_on, late.due_on) == (days(2), days(-5))
    for username in ("staff", "mediator1"):
        client = browse_as(app, username)
        assert read_queue(client, tab="due_soon").numbers == [soon.number]
        assert read_queue(client, tab="overdue").numbers == [late.number]
        assert set(read_queue(client, tab="pending").numbers) == {soon.number, late.number}


def test_the_due_soon_window_follows_the_township_setting(app, world, cases):
    world.township.settings = {**(world.township.settings or {}), "due_soon_days": 4}
    db.session.commit()
    page = read_queue(browse_as(app, "staff"), tab="due_soon")
    i = cases.items
    assert set(page.numbers) == numbers(i["due_today"], i["due_in_3"], i["due_in_4"], i["p_due_soon"])


def test_the_mediators_queue_offers_no_bulk_actions_and_staffs_does(app, world, cases):
    assert read_queue(browse_as(app, "mediator1")).checkboxes == 0
    assert read_queue(browse_as(app, "leader")).checkboxes == 0
    staff_page = read_queue(browse_as(app, "staff"))
    disputes_listed = sum(1 for n in staff_page.numbers if "调字" in n)
    assert staff_page.checkboxes == disputes_listed > 0  # one box per dispute; petitions are not bulk-handled


def test_the_queue_needs_a_login(client):
    response = client.get("/queue")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# ---------------------------------------------------------------- filters


class FilterCases:
    def __init__(self, world):
        w, staff = world, world.staff
        v, ov, t = w.village, w.other_village, w.township
        self.a = dispute(staff, v, date(2026, 3, 10), state="mediating", mediators=[w.mediator], applicant="王大山")
        self.b = dispute(staff, ov, date(2026, 5, 20), type_name="婚姻家庭", risk="serious", applicant="刘桂英",
                         summary="因赡养老人费用分担发生争执")
        self.c = dispute(staff, v, date(2025, 12, 31), state="accepted", level="township", type_name="合同",
                         risk="major", applicant="陈志强", respondent="某建材公司", summary="因拖欠货款发生争执")
        self.d = dispute(staff, ov, date(2026, 1, 1), state="mediating", mediators=[w.other_mediator],
                         applicant="孙小红", summary="因排水沟堵塞发生争执")
        self.e = dispute(staff, v, date(2024, 7, 15), state="archived", outcome="failed", type_name="山林土地",
                         applicant="赵铁柱", summary="因山林界址发生争执")
        self.p1 = petition(staff, t, date(2026, 2, 14), state="in_progress", village=v, name="周建国",
                           request="反映低保评定不公")
        self.p2 = petition(staff, t, date(2025, 12, 31), village=ov, name="吴秀兰", request="反映道路硬化工程质量问题")
        self.p3 = petition(staff, t, date(2026, 6, 30), name="王大山", request="反映院墙占道问题长期未解决")
        self.far = dispute(w.far_staff, w.far_village, date(2026, 3, 10), applicant="王大山")
        self.far_p = petition(w.far_staff, w.other_township, date(2026, 6, 30), name="王大山",
                              request="反映院墙占道问题")
        self.types = {ty.name: ty.id for ty in dispute_types(t.id)}


@pytest.fixture
def fc(world) -> FilterCases:
    return FilterCases(world)


def _listed(app, **params) -> set[str]:
    page = read_queue(browse_as(app, "staff"), **params)
    assert page.total == len(page.numbers) == len(set(page.numbers))
    return set(page.numbers)


def test_with_no_filter_staff_see_their_townships_eight_items(app, fc):
    assert _listed(app) == numbers(fc.a, fc.b, fc.c, fc.d, fc.e, fc.p1, fc.p2, fc.p3)


def test_filter_by_kind(app, fc):
    assert _listed(app, kind="dispute") == numbers(fc.a, fc.b, fc.c, fc.d, fc.e)
    assert _listed(app, kind="petition") == numbers(fc.p1, fc.p2, fc.p3)
    assert len(_listed(app, kind="nonsense")) == 8  # an unknown kind is ignored, not an error


def test_filter_by_village(app, world, fc):
    assert _listed(app, village=world.village.id) == numbers(fc.a, fc.c, fc.e, fc.p1)
    assert _listed(app, village=world.other_village.id) == numbers(fc.b, fc.d, fc.p2)
    assert _listed(app, village=world.far_village.id) == set()  # another township's village shows nothing of it


def test_filter_by_dispute_type_leaves_petitions_out(app, fc):
    assert _listed(app, type=fc.types["邻里"]) == numbers(fc.a, fc.d)
    assert _listed(app, type=fc.types["合同"]) == numbers(fc.c)
    assert _listed(app, type=fc.types["征地拆迁"]) == set()


def test_filter_by_status_reads_both_kinds(app, fc):
    assert _listed(app, status="mediating") == numbers(fc.a, fc.d)
    assert _listed(app, status="registered") == numbers(fc.b, fc.p2, fc.p3)  # a dispute and petitions alike
    assert _listed(app, status="in_progress") == numbers(fc.p1)
    assert _listed(app, status="archived") == numbers(fc.e)


def test_filter_by_risk_and_level(app, fc):
    assert _listed(app, risk="serious") == numbers(fc.b)
    assert _listed(app, risk="major") == numbers(fc.c)
    assert _listed(app, level="township") == numbers(fc.c)
    assert _listed(app, level="village") == numbers(fc.a, fc.b, fc.d, fc.e)


def test_filter_by_mediator(app, world, fc):
    assert _listed(app, mediator=world.mediator.id) == numbers(fc.a)
    assert _listed(app, mediator=world.other_mediator.id) == numbers(fc.d)
    assert _listed(app, mediator=world.staff.id) == numbers(fc.e)  # staff mediated the archived case themselves


def test_filter_by_date_range_is_inclusive_at_both_ends(app, fc):
    assert _listed(app, **{"from": "2026-01-01"}) == numbers(fc.a, fc.b, fc.d, fc.p1, fc.p3)
    assert _listed(app, to="2025-12-31") == numbers(fc.c, fc.e, fc.p2)
    assert _listed(app, **{"from": "2025-12-31", "to": "2026-01-01"}) == numbers(fc.c, fc.d, fc.p2)
    assert _listed(app, **{"from": "2026-02-14", "to": "2026-02-14"}) == numbers(fc.p1)
    assert len(_listed(app, **{"from": "not-a-date"})) == 8  # a bad date is ignored


def test_free_text_searches_number_party_names_and_summary(app, fc):
    assert _listed(app, q=fc.c.number) == numbers(fc.c)
    assert _listed(app, q=fc.p1.number) == numbers(fc.p1)
    assert _listed(app, q="王大山") == numbers(fc.a, fc.p3)  # a party and a petitioner; not 东岭乡's namesake
    assert _listed(app, q="某建材公司") == numbers(fc.c)  # a respondent is a party too
    assert _listed(app, q="占道") == numbers(fc.a, fc.p3)  # summary and petition request
    assert _listed(app, q="赡养") == numbers(fc.b)
    assert _listed(app, q="低保") == numbers(fc.p1)
    assert _listed(app, q="  周建国 ") == numbers(fc.p1)  # spaces around are trimmed
    assert _listed(app, q="没有这个人") == set()


@pytest.mark.parametrize("personal", ["13812345678", "11010519491231002X", "王大山 13812345678",
                                      "身份证110105194912310"])
def test_an_id_number_or_phone_in_the_search_is_refused_and_not_applied(app, world, fc, personal):
    client = browse_as(app, "staff")
    response = client.get("/queue", query_string={"q": personal, "tab": "all", "village": "", "sort": "deadline"})
    assert response.status_code == 302  # sent back to the queue without the number in the address
    location = response.headers["Location"]
    assert "q=" not in location and "sort=deadline" in location  # the other filters are kept
    page = read_queue(client, location)
    assert any("请勿在搜索中输入身份证号码或电话号码" in message for message in page.flashes)
    assert set(page.numbers) == numbers(fc.a, fc.b, fc.c, fc.d, fc.e, fc.p1, fc.p2, fc.p3)  # not applied
    assert page.total == 8
    digits = "".join(ch for ch in personal if ch.isdigit())
    assert digits not in page.html  # not echoed back into the search box, the tab links or the pager


def test_filters_combine_and_apply_within_a_tab(app, world, fc):
    assert _listed(app, kind="dispute", village=world.village.id, status="mediating") == numbers(fc.a)
    assert _listed(app, tab="mediating", village=world.other_village.id) == numbers(fc.d)
    assert _listed(app, tab="pending", q="王大山") == numbers(fc.p3)
    page = read_queue(browse_as(app, "staff"), village=world.village.id)
    assert page.counts["all"] == 4 and page.counts["mediating"] == 2 and page.counts["petitions"] == 1
    assert page.counts["pending"] == 0


def test_the_filter_form_shows_the_filters_in_force(app, world, fc):
    from lxml import html as lxml_html

    page = read_queue(browse_as(app, "staff"), village=world.other_village.id, kind="dispute", sort="deadline",
                      q="赡养", **{"from": "2026-01-01"})
    tree = lxml_html.fromstring(page.html)
    assert tree.xpath("//select[@id='village']/option[@selected]/@value") == [str(world.other_village.id)]
    assert tree.xpath("//select[@id='kind']/option[@selected]/@value") == ["dispute"]
    assert tree.xpath("//select[@id='sort']/option[@selected]/@value") == ["deadline"]
    assert tree.xpath("//input[@id='q']/@value") == ["赡养"]
    assert tree.xpath("//input[@id='from']/@value") == ["2026-01-01"]
    # the villages offered are the township's own
    assert set(tree.xpath("//select[@id='village']/option/text()")) == {"全部", "斜沟村", "王家庄村"}


# ---------------------------------------------------------------- sorts


class SortCases:
    """Six items whose registration days, limits and last activity are set by hand, all different, so each
    sort's order is fixed by the documented key alone (only the two cases with no limit share one)."""

    def __init__(self, world):
        staff, v, t = world.staff, world.village, world.township
        self.s1 = dispute(staff, v, date(2026, 6, 1), state="mediating", due=days(5))
        # received the day after s1 was registered and accepted the next: the opinion was due 2026-08-02
        self.s2 = petition(staff, t, date(2026, 6, 2), state="accepted")
        self.s3 = dispute(staff, v, date(2025, 1, 10))  # no limit binds a registered dispute
        self.s4 = petition(staff, t, days(-2), state="accepted")  # opinion due in 59 days
        self.s5 = dispute(staff, v, date(2026, 9, 9), state="mediating", due=days(-1))
        self.s6 = dispute(staff, v, date(2024, 11, 11), state="archived", outcome="failed")
        assert self.s2.due_on == date(2026, 8, 2) and self.s4.due_on == days(59)
        assert self.s3.due_on is None and self.s6.due_on is None
        activity = {self.s3: datetime(2026, 11, 20, 9, 0, 0, 500), self.s6: datetime(2026, 11, 20, 9, 0),
                    self.s1: datetime(2026, 10, 1, 12, 0), self.s4: datetime(2026, 9, 30, 18, 30, 1),
                    self.s2: datetime(2026, 9, 30, 18, 30), self.s5: datetime(2024, 1, 1, 0, 0)}
        for item, moment in activity.items():  # a plain UPDATE: no hook moves updated_at on
            model = type(item)
            db.session.execute(update(model).where(model.id == item.id).values(updated_at=moment))
        db.session.commit()
        db.session.expire_all()


@pytest.fixture
def sc(world) -> SortCases:
    return SortCases(world)


def _order(app, **params) -> list[str]:
    return read_queue(browse_as(app, "staff"), **params).numbers


def test_sort_by_registration_date_newest_first(app, sc):
    expected = [x.number for x in (sc.s4, sc.s5, sc.s2, sc.s1, sc.s3, sc.s6)]
    assert _order(app, sort="registered") == expected
    assert _order(app) == expected  # the default
    assert _order(app, sort="bogus") == expected


def test_sort_by_deadline_soonest_first_with_no_limit_last(app, sc):
    listed = _order(app, sort="deadline")
    assert listed[:4] == [x.number for x in (sc.s2, sc.s5, sc.s1, sc.s4)]  # overdue longest first
    assert set(listed[4:]) == {sc.s3.number, sc.s6.number}  # no limit: last, in a fixed order of their own
    assert _order(app, sort="deadline") == listed


def test_sort_by_last_activity_most_recent_first(app, sc):
    expected = [sc.s3, sc.s6, sc.s1, sc.s4, sc.s2, sc.s5]  # microseconds and seconds count
    assert _order(app, sort="activity") == [x.number for x in expected]


def test_a_change_to_a_case_moves_it_to_the_top_of_last_activity(app, world, sc):
    from casetrack.services import disputes as dispute_services

    case = db.session.get(Dispute, sc.s5.id)
    dispute_services.escalate(case, world.staff, "涉及多村,需乡里协调")
    db.session.commit()
    assert _order(app, sort="activity")[0] == sc.s5.number
