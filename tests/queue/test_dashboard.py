"""The dashboard at /: the tab counts as tiles, what is due today and this week (overdue first), the month's
intake and closures, overdue by village for staff and leaders, and the village's to-do for a mediator."""

from dataclasses import dataclass
from datetime import date

import pytest
from lxml import html as lxml_html

from casetrack.extensions import db
from casetrack.services import review

from . import browse_as, days, dispute, petition, read_queue


@dataclass
class Dashboard:
    title: str
    tiles: dict[str, int]
    due: list[str]
    month: dict[str, int]
    overdue_by_village: dict[str, int]
    returned: list[str]


def read_dashboard(client) -> Dashboard:
    response = client.get("/")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.get_data(as_text=True))

    def section(title):
        found = [s for s in tree.xpath("//section[h2]") if s.xpath("string(h2)") == title]
        return found[0] if found else None

    tiles = {a.get("class").removeprefix("tile-"): int(a.xpath("string(span[@class='num'])"))
             for a in tree.xpath("//ul[@class='tiles']/li/a")}
    due = [s.text_content().strip() for s in section("今天和本周要办").xpath(".//li//strong")]
    month_section = section("本月情况")
    month = dict(zip([dt.text_content() for dt in month_section.xpath(".//dt")],
                     [int(dd.text_content()) for dd in month_section.xpath(".//dd")], strict=True))
    village_section = section("各村超期案件")
    by_village = {tr.xpath("string(td[1])"): int(tr.xpath("string(td[2])"))
                  for tr in village_section.xpath(".//tbody/tr")} if village_section is not None else {}
    returned_section = section("退回补正")
    returned = [a.text_content() for a in returned_section.xpath(".//li/a")] if returned_section is not None else []
    return Dashboard(tree.xpath("string(//h1)").strip(), tiles, due, month, by_village, returned)


class Work:
    """Limits around today and this week in both villages of 斜沟乡, a merged duplicate, and 东岭乡's own."""

    def __init__(self, world):
        s, v, ov, t = world.staff, world.village, world.other_village, world.township
        self.today = dispute(s, v, date(2026, 10, 1), state="mediating", due=days(0))
        self.week = dispute(s, ov, date(2026, 10, 2), state="mediating", due=days(7))
        self.later = dispute(s, v, date(2026, 10, 3), state="accepted", due=days(8))
        self.late1 = dispute(s, v, date(2026, 9, 1), state="mediating", due=days(-3))
        self.late2 = dispute(s, ov, date(2026, 9, 2), state="mediating", due=days(-10))
        self.late3 = dispute(s, ov, date(2026, 9, 3), state="accepted", due=days(-1))
        self.p_soon = petition(s, t, days(-59), state="accepted", village=v)  # opinion due in 2 days
        self.p_late = petition(s, t, days(-70), state="accepted")  # opinion due 9 days ago; no village
        self.merged = dispute(s, v, date(2026, 9, 4), state="accepted", due=days(-2))  # overdue, then merged
        review.merge(self.merged, self.late1, s)
        # this month (today is in late November 2026 when the suite is written; these stay in today's month)
        month_start = days(0).replace(day=1)
        self.new1 = dispute(s, v, month_start)
        self.new2 = dispute(s, ov, days(0))
        self.closed = dispute(s, v, month_start, state="concluded", outcome="failed")  # closed 5 days later
        self.merged_new = dispute(s, v, month_start)
        review.merge(self.merged_new, self.new1, s)
        db.session.commit()
        self.p_new = petition(s, t, days(0))  # its 15-day acceptance limit lies beyond this week
        self.far_late = dispute(world.far_staff, world.far_village, date(2026, 9, 1), state="mediating", due=days(-4))
        self.far_new = dispute(world.far_staff, world.far_village, days(0))
        assert self.closed.closed_on <= days(0)


@pytest.fixture
def work(world) -> Work:
    return Work(world)


def _nums(*cases) -> list[str]:
    return [c.number for c in cases]


@pytest.mark.parametrize("username", ["staff", "leader"])
def test_staff_and_leaders_see_the_townships_work(app, world, work, username):
    client = browse_as(app, username)
    board = read_dashboard(client)
    assert board.title == "工作台 · 斜沟乡"
    w = work
    assert board.due == _nums(w.late2, w.p_late, w.late1, w.late3, w.today, w.p_soon, w.week)  # overdue first
    assert board.month == {"登记纠纷": 3, "调结纠纷": 1, "登记信访": 1}
    assert board.overdue_by_village == {"斜沟村": 1, "王家庄村": 2}
    queue_counts = read_queue(client).counts
    assert board.tiles == {k: queue_counts[k] for k in board.tiles}
    assert set(board.tiles) == {"overdue", "due_soon", "pending", "mediating", "follow_up", "major", "petitions",
                                "returned"}
    assert board.tiles["overdue"] == 4 and board.tiles["due_soon"] == 2


def test_a_mediator_sees_their_villages_to_do(app, world, work):
    client = browse_as(app, "mediator1")
    board = read_dashboard(client)
    w = work
    assert board.title == "工作台 · 斜沟村"
    assert board.due == _nums(w.late1, w.today, w.p_soon)
    assert board.month == {"登记纠纷": 2, "调结纠纷": 1, "登记信访": 0}
    assert board.overdue_by_village == {"斜沟村": 1}
    queue_counts = read_queue(client).counts
    assert board.tiles == {k: queue_counts[k] for k in board.tiles}
    assert board.tiles["overdue"] == 1 and board.tiles["due_soon"] == 2

    review.send_back(db.session.get(type(w.today), w.today.id), world.staff, "请补充现场照片")
    db.session.commit()
    board = read_dashboard(client)
    assert board.returned == [w.today.number] and board.tiles["returned"] == 1


def test_the_other_townships_staff_see_only_theirs(app, world, work):
    board = read_dashboard(browse_as(app, "farstaff"))
    assert board.title == "工作台 · 东岭乡"
    assert board.due == _nums(work.far_late)
    assert board.month == {"登记纠纷": 1, "调结纠纷": 0, "登记信访": 0}
    assert board.overdue_by_village == {"东岭村": 1}


def test_a_county_admin_sees_every_township(app, world, work):
    board = read_dashboard(browse_as(app, "admin"))
    w = work
    assert board.due == _nums(w.late2, w.p_late, w.far_late, w.late1, w.late3, w.today, w.p_soon, w.week)
    assert board.month == {"登记纠纷": 4, "调结纠纷": 1, "登记信访": 1}
    assert board.overdue_by_village == {"东岭村": 1, "斜沟村": 1, "王家庄村": 2}


def test_a_merged_duplicate_is_neither_due_nor_overdue_nor_new_on_the_dashboard(app, world, work):
    for username in ("staff", "mediator1"):
        board = read_dashboard(browse_as(app, username))
        assert work.merged.number not in board.due and work.merged_new.number not in board.due
    assert work.merged.due_on == days(-2)  # it still carries its old limit: the dashboard must leave it out


def test_an_empty_dashboard_says_nothing_is_due(app, world):
    from casetrack import clock
    from casetrack.services import screening

    client = browse_as(app, "staff")
    page = client.get("/").get_data(as_text=True)
    assert "本期排查尚未进行" in page and "本周没有到期的事项。" not in page  # the township's round is due
    screening.record_round(world.staff, world.township, "township", None, clock.today(), "刘明", [], clock.today())
    db.session.commit()
    response = client.get("/")
    assert "本周没有到期的事项。" in response.get_data(as_text=True)
    board = read_dashboard(client)
    assert board.due == [] and board.overdue_by_village == {} and set(board.tiles.values()) == {0}
    assert board.month == {"登记纠纷": 0, "调结纠纷": 0, "登记信访": 0}
