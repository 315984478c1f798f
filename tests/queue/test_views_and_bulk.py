"""Saved queue views (save, list, open, overwrite, delete; nobody else's) and staff's bulk actions, where each
item goes through the same rules as a single action: refused items are listed with their reason and left as
they were, the rest applied."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Dispute, Role, SavedView
from casetrack.services import accounts

from ..conftest import PASSWORD
from . import browse_as, days, dispute, events, numbers, read_queue, snapshot


def _views(page_html: str) -> dict[str, str]:
    tree = lxml_html.fromstring(page_html)
    return {a.text_content().strip(): a.get("href") for a in tree.xpath("//section[@class='views']/span/a")}


def _view_ids(user) -> dict[str, int]:
    return dict(db.session.execute(select(SavedView.name, SavedView.id).where(SavedView.user_id == user.id)).all())


@pytest.fixture
def some_cases(world):
    staff = world.staff
    return {
        "a": dispute(staff, world.village, date(2026, 4, 1), state="mediating", due=days(9)),
        "b": dispute(staff, world.other_village, date(2026, 4, 2), state="mediating", due=days(8)),
        "c": dispute(staff, world.other_village, date(2026, 4, 3)),
    }


# ---------------------------------------------------------------- saved views

def test_a_view_is_saved_listed_opened_with_its_filters_and_deleted(app, world, some_cases):
    client = browse_as(app, "staff")
    query = f"tab=mediating&village={world.other_village.id}&sort=deadline"
    response = client.post("/queue/views", data={"name": "王家庄调解中", "query": "?" + query})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/queue?" + query)

    listed = _views(read_queue(client).html)
    assert listed == {"王家庄调解中": "/queue?" + query}

    opened = read_queue(client, listed["王家庄调解中"])
    assert opened.current_tab == "mediating"
    assert opened.numbers == [some_cases["b"].number]
    tree = lxml_html.fromstring(opened.html)
    assert tree.xpath("//select[@id='village']/option[@selected]/@value") == [str(world.other_village.id)]
    assert tree.xpath("//select[@id='sort']/option[@selected]/@value") == ["deadline"]

    view_id = _view_ids(world.staff)["王家庄调解中"]
    assert client.post(f"/queue/views/{view_id}/delete").status_code == 302
    assert _views(read_queue(client).html) == {}
    assert db.session.get(SavedView, view_id) is None


def test_saving_under_the_same_name_replaces_the_view(app, world, some_cases):
    client = browse_as(app, "staff")
    client.post("/queue/views", data={"name": "我的视图", "query": "tab=pending"})
    client.post("/queue/views", data={"name": "我的视图", "query": "tab=overdue"})
    assert _views(read_queue(client).html) == {"我的视图": "/queue?tab=overdue"}
    assert len(_view_ids(world.staff)) == 1


def test_a_view_needs_a_name(app, world):
    client = browse_as(app, "staff")
    response = client.post("/queue/views", data={"name": "  ", "query": "tab=pending"}, follow_redirects=True)
    assert "请填写视图名称。" in response.get_data(as_text=True)
    assert _view_ids(world.staff) == {}


def test_the_save_form_saves_the_filters_not_the_page_position(app, world, some_cases, monkeypatch):
    from casetrack.services import queue as q

    monkeypatch.setattr(q, "PAGE_SIZE", 1)
    client = browse_as(app, "staff")
    first = read_queue(client, kind="dispute", sort="deadline")
    second = read_queue(client, first.links["next"])
    saved_query = lxml_html.fromstring(second.html).xpath("//form[contains(@class, 'save-view')]"
                                                           "//input[@name='query']/@value")[0]
    assert parse_qs(saved_query) == {"kind": ["dispute"], "sort": ["deadline"]}
    assert "after" in parse_qs(urlsplit(first.links["next"]).query)  # the page itself was reached by a cursor


def test_views_are_each_users_own_and_another_cannot_delete_them(app, world):
    accounts.add_user("staff2", PASSWORD, Role.STAFF, township=world.township)
    db.session.commit()
    owner = browse_as(app, "staff")
    owner.post("/queue/views", data={"name": "超期", "query": "tab=overdue"})
    view_id = _view_ids(world.staff)["超期"]

    for username in ("staff2", "leader", "mediator1", "admin", "farstaff"):
        other = browse_as(app, username)
        assert _views(read_queue(other).html) == {}  # not listed for anyone else
        assert other.post(f"/queue/views/{view_id}/delete").status_code == 404
    assert db.session.get(SavedView, view_id) is not None
    assert _views(read_queue(owner).html) == {"超期": "/queue?tab=overdue"}

    assert owner.post("/queue/views/999999/delete").status_code == 404


def test_saved_views_need_a_login(client, world):
    assert client.post("/queue/views", data={"name": "x", "query": ""}).status_code == 302
    assert db.session.execute(select(func.count()).select_from(SavedView)).scalar_one() == 0


# ---------------------------------------------------------------- bulk actions

def _result(response) -> tuple[list[str], list[tuple[str, str]], str]:
    """Read the bulk result page: numbers applied, (number, reason) refused, and the way back."""
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.get_data(as_text=True))
    cards = tree.xpath("//section[contains(@class, 'card')]")
    applied_text = cards[0].xpath("string(p)")
    applied = [n for n in applied_text.split("、") if n]
    refused = [(tr.xpath("string(td[1])"), tr.xpath("string(td[2])")) for tr in tree.xpath("//tbody/tr")]
    back = tree.xpath("//a[contains(@class, 'button')]/@href")[-1]
    return applied, refused, back


def test_bulk_accept_applies_to_the_registered_and_refuses_the_one_already_mediating(app, world):
    r1 = dispute(world.staff, world.village, date(2026, 11, 2))
    r2 = dispute(world.staff, world.other_village, date(2026, 11, 3))
    m1 = dispute(world.staff, world.village, date(2026, 10, 1), state="mediating", due=days(20))
    before = snapshot(m1.id)
    events_before = {r1.id: len(events(r1)), r2.id: len(events(r2))}

    client = browse_as(app, "staff")
    response = client.post("/queue/bulk", data={"action": "accept", "ids": [r1.id, m1.id, r2.id],
                                                "back": "/queue?tab=pending"})
    applied, refused, back = _result(response)
    assert applied == [r1.number, r2.number]
    assert refused == [(m1.number, "当前状态为“调解中”,不能“受理”。")]
    assert back == "/queue?tab=pending"
    assert "批量受理结果" in response.get_data(as_text=True)

    db.session.expire_all()
    for case in (r1, r2):
        case = db.session.get(Dispute, case.id)
        assert case.status == "accepted" and case.accepted_on == clock.today()
        assert case.due_on is not None  # the mediation limit now binds
        assert len(events(case)) == events_before[case.id] + 1
    assert snapshot(m1.id) == before  # nothing changed on the refused one

    page = read_queue(client, tab="pending")
    assert page.numbers == []
    assert numbers(r1, r2) <= set(read_queue(client, tab="mediating").numbers)


def test_bulk_refuses_cases_out_of_reach_or_unknown_and_changes_none_of_them(app, world):
    own = dispute(world.staff, world.village, date(2026, 11, 2))
    far = dispute(world.far_staff, world.far_village, date(2026, 11, 2))
    far_before = snapshot(far.id)
    applied, refused, _ = _result(browse_as(app, "staff").post(
        "/queue/bulk", data={"action": "accept", "ids": [far.id, own.id, 987654, "x"]}))
    assert applied == [own.number]
    assert refused == [(str(far.id), "无权办理此案件"), ("987654", "无权办理此案件")]  # not even its number is shown
    assert snapshot(far.id) == far_before


def test_bulk_assign_puts_the_accepted_into_mediation_and_refuses_the_registered(app, world):
    accepted = dispute(world.staff, world.village, date(2026, 11, 2), state="accepted", accepted_on=days(-3))
    registered = dispute(world.staff, world.village, date(2026, 11, 3))
    before = snapshot(registered.id)
    client = browse_as(app, "staff")
    applied, refused, _ = _result(client.post("/queue/bulk", data={
        "action": "assign", "ids": [accepted.id, registered.id], "mediator_id": world.mediator.id}))
    assert applied == [accepted.number]
    assert refused == [(registered.number, "当前状态为“已登记”,不能指派调解员。")]
    db.session.expire_all()
    case = db.session.get(Dispute, accepted.id)
    assert case.status == "mediating" and [u.id for u in case.mediators] == [world.mediator.id]
    assert snapshot(registered.id) == before

    _, refused, _ = _result(client.post("/queue/bulk", data={"action": "assign", "ids": [accepted.id]}))
    assert refused == [(accepted.number, "请选择调解员。")]
    _, refused, _ = _result(client.post("/queue/bulk", data={
        "action": "assign", "ids": [accepted.id], "mediator_id": world.far_mediator.id}))
    assert refused == [(accepted.number, "指派的调解员不属于本乡。")]


def test_bulk_refuses_a_case_someone_saved_meanwhile_and_applies_the_rest(app, world, database_url):
    """Another worker saves a case between the bulk action's read and its write: that case is listed as
    refused with a plain reason (never the database's message), the others are applied."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time, so no other save can land between read and write")
    from sqlalchemy import create_engine, event, text

    meanwhile, other = dispute(world.staff, world.village, date(2026, 11, 2)), dispute(world.staff, world.village,
                                                                                      date(2026, 11, 3))
    other_worker = create_engine(database_url)

    def someone_saves_it_first(mapper, connection, target):
        if target.id == meanwhile.id:
            with other_worker.begin() as elsewhere:
                elsewhere.execute(text("UPDATE disputes SET version = version + 1, summary = '他人补充' "
                                       "WHERE id = :id"), {"id": meanwhile.id})

    event.listen(Dispute, "before_update", someone_saves_it_first)
    try:
        applied, refused, _ = _result(browse_as(app, "staff").post(
            "/queue/bulk", data={"action": "accept", "ids": [meanwhile.id, other.id]}))
    finally:
        event.remove(Dispute, "before_update", someone_saves_it_first)
        other_worker.dispose()
    assert applied == [other.number]
    assert refused == [(meanwhile.number, "此案件刚被他人修改,未办理;请刷新后核对")]
    db.session.expire_all()
    kept = db.session.get(Dispute, meanwhile.id)
    assert (kept.status, kept.summary) == ("registered", "他人补充")  # the other save stands, ours did not land
    assert db.session.get(Dispute, other.id).status == "accepted"


def test_bulk_accept_done_again_when_postgresql_ends_it_as_a_deadlock(app, world, database_url):
    """Another transaction holds the second village's tally while the bulk accept has taken the first village's,
    then waits for the first: PostgreSQL aborts one of the two as a deadlock. The bulk action is done again once
    that one has finished, and both cases are accepted, the other transaction's changes kept too."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time: no two transactions hold locks at once")
    import threading
    import time

    from sqlalchemy import create_engine, event, text

    first, second = dispute(world.staff, world.village, date(2026, 11, 2)), dispute(world.staff, world.other_village,
                                                                                   date(2026, 11, 3))
    near_first, near_second = (dispute(world.staff, world.village, date(2026, 11, 4)),
                               dispute(world.staff, world.other_village, date(2026, 11, 5)))
    near_first_id = near_first.id  # read here: the thread below has no session to load it with
    other_worker = create_engine(database_url)
    elsewhere = other_worker.connect()
    # PostgreSQL aborts the transaction whose wait reaches deadlock_timeout first: here the bulk action's (1 s),
    # as this one waits up to 10 s; and never longer than 20 s, whatever happens.
    elsewhere.execute(text("SET deadlock_timeout = '10s'"))
    elsewhere.execute(text("SET lock_timeout = '20s'"))
    mark_major = text("UPDATE disputes SET risk_level = 'major' WHERE id = :id")
    elsewhere.execute(mark_major, {"id": near_second.id})  # holds the second village's group of registered cases
    errors, waiting = [], []

    def then_wait_for_the_first_village():
        try:
            time.sleep(0.3)  # the bulk action is waiting for the second village by now
            elsewhere.execute(mark_major, {"id": near_first_id})
            elsewhere.commit()
        except Exception as failure:  # noqa: BLE001 — reported below
            errors.append(repr(failure))
            elsewhere.rollback()

    def when_the_second_is_saved(mapper, connection, target):
        if target.id == second.id and not waiting:
            waiting.append(threading.Thread(target=then_wait_for_the_first_village))
            waiting[0].start()

    event.listen(Dispute, "before_update", when_the_second_is_saved)
    try:
        applied, refused, _ = _result(browse_as(app, "staff").post(
            "/queue/bulk", data={"action": "accept", "ids": [first.id, second.id]}))
    finally:
        event.remove(Dispute, "before_update", when_the_second_is_saved)
        for thread in waiting:
            thread.join()
        elsewhere.close()
        other_worker.dispose()
    assert errors == []
    assert (applied, refused) == ([first.number, second.number], [])
    db.session.expire_all()
    assert [db.session.get(Dispute, case.id).status for case in (first, second)] == ["accepted", "accepted"]
    assert [db.session.get(Dispute, case.id).risk_level for case in (near_first, near_second)] == ["major", "major"]


def test_bulk_escalate_needs_a_reason_and_refuses_a_concluded_case(app, world):
    open_case = dispute(world.staff, world.village, date(2026, 10, 2), state="mediating", due=days(10))
    visited = dispute(world.staff, world.village, date(2026, 3, 2), state="visited")
    client = browse_as(app, "staff")
    open_before = snapshot(open_case.id)
    applied, refused, _ = _result(client.post("/queue/bulk", data={"action": "escalate", "ids": [open_case.id]}))
    assert applied == [] and refused == [(open_case.number, "请填写上报升级的理由。")]
    assert snapshot(open_case.id) == open_before
    applied, refused, _ = _result(client.post("/queue/bulk", data={
        "action": "escalate", "ids": [open_case.id], "reason": "涉及两村\x00土地"}))  # no form checks this field
    assert applied == [] and refused == [(open_case.number, "上报升级的理由含有无法保存的隐藏字符,请删去后重新输入。")]
    assert snapshot(open_case.id) == open_before

    visited_before = snapshot(visited.id)
    applied, refused, _ = _result(client.post("/queue/bulk", data={
        "action": "escalate", "ids": [open_case.id, visited.id], "reason": "涉及两村土地,需乡里协调"}))
    assert applied == [open_case.number]
    assert refused == [(visited.number, "当前状态为“已回访”,调解已结束,不能上报升级。")]
    assert snapshot(open_case.id)["level"] == "township"
    assert snapshot(visited.id) == visited_before
    assert set(read_queue(client, level="township").numbers) == {open_case.number}


@pytest.mark.parametrize("username", ["leader", "mediator1", "admin"])
def test_only_staff_may_act_in_bulk(app, world, username):
    case = dispute(world.staff, world.village, date(2026, 11, 2))
    before = snapshot(case.id)
    client = browse_as(app, username)
    assert client.post("/queue/bulk", data={"action": "accept", "ids": [case.id]}).status_code == 403
    assert snapshot(case.id) == before


def test_an_unknown_bulk_action_is_a_bad_request(app, world):
    case = dispute(world.staff, world.village, date(2026, 11, 2))
    response = browse_as(app, "staff").post("/queue/bulk", data={"action": "archive", "ids": [case.id]})
    assert response.status_code == 400
    assert snapshot(case.id)["status"] == "registered"
