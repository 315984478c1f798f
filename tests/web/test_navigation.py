"""The layout's navigation (web/navigation.py): each role sees the pages its permissions open, in the menu's order,
the page being read is marked, the phone's bar names a mediator's cases as theirs, and every link it shows opens."""

import pytest
from lxml import html as lxml_html

from tests.conftest import login

EVERYONE = ["待办", "工作台", "案件队列", "信访", "排查", "预警"]
# The side menu each role reads, worked out from casetrack.permissions by hand: 登记纠纷 for those who register
# (mediators, staff), 我督办的 for leaders, 统计报表 for all but mediators, 月报 and 台账 for a township's staff,
# 县级汇总 and 设置 for the admin without a township.
SIDE = {
    "mediator1": ["待办", "工作台", "案件队列", "登记纠纷", "信访", "排查", "预警", "手机访问"],
    "staff": ["待办", "工作台", "案件队列", "登记纠纷", "信访", "排查", "预警", "统计报表", "月报", "台账", "手机访问"],
    "leader": ["待办", "工作台", "案件队列", "信访", "排查", "预警", "我督办的", "统计报表", "手机访问"],
    "admin": ["待办", "工作台", "案件队列", "信访", "排查", "预警", "统计报表", "县级汇总", "设置", "手机访问"],
}


def _menu(client, path: str, where: str) -> list:
    page = lxml_html.fromstring(client.get(path, follow_redirects=True).get_data(as_text=True))
    return page.xpath(f"//nav[contains(concat(' ', normalize-space(@class), ' '), ' {where} ')]//a")


def _label(link) -> str:
    return (link.text or "").strip()


@pytest.mark.parametrize("username", list(SIDE))
def test_each_role_sees_the_pages_its_permissions_open_and_each_opens(client, world, username):
    login(client, username)
    links = _menu(client, "/inbox", "sidenav")
    assert [_label(a) for a in links] == SIDE[username]
    for link in links:
        assert client.get(link.get("href"), follow_redirects=True).status_code == 200, link.get("href")


def test_the_page_being_read_is_marked_and_only_it(client, world):
    login(client, "staff")
    for path, current in (("/queue", "案件队列"), ("/inbox", "待办"), ("/screening", "排查"), ("/reports", "统计报表")):
        marked = [_label(a) for a in _menu(client, path, "sidenav") if a.get("aria-current") == "page"]
        assert marked == [current], path
    assert not [a for a in _menu(client, "/queue", "bottombar") if a.get("aria-current")]


def test_the_phone_bar_names_a_mediators_cases_as_theirs(client, world):
    login(client, "mediator1")
    assert [_label(a) for a in _menu(client, "/inbox", "bottombar")] == ["首页", "待办", "登记纠纷", "我的案件", "信访",
                                                                          "排查"]
    client.post("/auth/logout")
    login(client, "leader")
    assert [_label(a) for a in _menu(client, "/inbox", "bottombar")] == ["首页", "待办", "案件", "信访", "排查"]


def test_the_menu_reads_in_english_when_english_is_chosen(client, world):
    login(client, "staff")
    client.post("/auth/language", data={"locale": "en", "next": "/inbox"})
    labels = [_label(a) for a in _menu(client, "/inbox", "sidenav")]
    assert len(labels) == len(SIDE["staff"]) and not any(label in EVERYONE for label in labels), labels
