"""Keyset paging of the queue and its CSV export: empty, one page, 51 items on two pages of 50, the last page,
cursors that round-trip, and every item met exactly once walking forward or backward in every sort."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from casetrack.services import disputes as dispute_services
from casetrack.services import petitions as petition_services
from casetrack.services import queue as q
from casetrack.services.places import dispute_types

from . import VALID_ID, browse_as, category, read_queue

FAR_FUTURE = date(9999, 12, 31)
DAYS = [date(2026, 3, 1), date(2026, 5, 15), date(2026, 8, 8), date(2026, 11, 1)]


def make_many(world, disputes: int, petitions: int = 0, village=None) -> list:
    """Register many cases quickly (one commit) on a few shared days, so sort values tie often.

    Every third dispute is accepted the day after registration (so it has a mediation limit, shared with
    others of the same day) and every other petition is accepted the day after receipt (a 60-day limit).
    """
    staff, township = world.staff, world.township
    village = village or world.village
    today = clock.today()
    type_id = next(t.id for t in dispute_types(township.id) if t.name == "邻里")
    made = []
    for i in range(disputes):
        day = DAYS[i % len(DAYS)]
        intake = dispute_services.DisputeIntake(
            village_id=village.id, dispute_type_id=type_id, source=wf.Source.APPLICATION, registered_on=day,
            summary=f"第{i}起邻里纠纷", parties=[dispute_services.PartyData(wf.PartySide.APPLICANT, f"甲{i}")])
        case = dispute_services.register_dispute(staff, intake, today)
        if i % 3 == 0:
            dispute_services.accept(case, staff, day + timedelta(days=1), today)
        made.append(case)
    for j in range(petitions):
        day = DAYS[(j + 1) % len(DAYS)]
        intake = petition_services.PetitionIntake(
            received_on=day, channel=pw.Channel.LETTER, category_id=category(township).id,
            request=f"第{j}件信访诉求", village_id=village.id,
            petitioners=[petition_services.PetitionerData(f"乙{j}", VALID_ID)])
        case = petition_services.register_petition(staff, township, intake, today)
        if j % 2 == 0:
            petition_services.decide(case, staff, "accepted", day + timedelta(days=1), today)
        made.append(case)
    db.session.commit()
    # last activity: a handful of moments, some with microseconds, shared by several cases each
    moments = [datetime(2026, 11, 1, 8, 0), datetime(2026, 11, 1, 8, 0, 0, 123456), datetime(2026, 10, 5, 17, 45, 9)]
    for k, case in enumerate(made):
        model = type(case)
        db.session.execute(update(model).where(model.id == case.id).values(updated_at=moments[k % len(moments)]))
    db.session.commit()
    db.session.expire_all()
    return made


NEWEST_FIRST = {"registered": True, "deadline": False, "activity": True}


def sort_value(item, sort: str):
    """The documented sort keys: registration (or receipt) day, the binding limit (none: last), last activity."""
    if sort == "registered":
        return item.registered_on if isinstance(item, Dispute) else item.received_on
    if sort == "deadline":
        return item.due_on or FAR_FUTURE
    return item.updated_at


def check_order(listed: list[str], items, sort: str) -> None:
    """Check that `listed` holds each item exactly once, in the documented order of its sort key.

    Items sharing a sort value may come in any order the queue fixes for itself (the tie-break is an
    implementation detail); the walks below check that paging keeps to it.
    """
    by_number = {x.number: x for x in items}
    assert len(listed) == len(set(listed)) and set(listed) == set(by_number)
    values = [sort_value(by_number[n], sort) for n in listed]
    assert values == sorted(values, reverse=NEWEST_FIRST[sort])


def reference(user, items, sort: str, **filters) -> list[str]:
    """The queue's whole order in one query (no cursor), checked against the documented sort key."""
    chosen = q.Filters(sort=sort, **filters)
    listed = [x.number for x in q.iterate_all(user, chosen, clock.today(), None, chunk=100_000)]
    check_order(listed, items, sort)
    return listed


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(q, "PAGE_SIZE", 4)
    return 4


def walk_forward(client, **params) -> list[list[str]]:
    page = read_queue(client, **params)
    assert "prev" not in page.links and "first" not in page.links
    pages = [page.numbers]
    while "next" in page.links:
        page = read_queue(client, page.links["next"])
        assert "prev" in page.links and "first" in page.links
        pages.append(page.numbers)
        assert len(pages) < 100
    assert "last" not in page.links
    return pages


def walk_backward(client, **params) -> list[list[str]]:
    page = read_queue(client, **{**params, "page": "last"})
    assert "next" not in page.links and "last" not in page.links
    pages = [page.numbers]
    while "prev" in page.links:
        page = read_queue(client, page.links["prev"])
        assert "next" in page.links and "last" in page.links
        pages.append(page.numbers)
        assert len(pages) < 100
    assert "first" not in page.links
    return pages[::-1]


def test_an_empty_queue_has_no_rows_and_no_pager(app, world):
    client = browse_as(app, "staff")
    for params in ({}, {"page": "last"}, {"tab": "overdue"}, {"after": "2026-01-01~4"}, {"before": "2026-01-01~4"}):
        page = read_queue(client, **params)
        assert page.numbers == [] and page.links == {}
        assert page.total == 0 and set(page.counts.values()) == {0}
        assert "没有符合条件的案件。" in page.html


def test_a_filter_that_matches_nothing_shows_an_empty_page(app, world):
    make_many(world, 3)
    page = read_queue(browse_as(app, "staff"), q="没有这个人")
    assert page.numbers == [] and page.links == {} and page.total == 0
    assert page.counts["all"] == 0


@pytest.mark.parametrize("n", [1, 4])
def test_up_to_exactly_one_page_has_no_pager(app, world, small_pages, n):
    made = make_many(world, n)
    client = browse_as(app, "staff")
    for params in ({}, {"page": "last"}):
        page = read_queue(client, **params)
        assert page.numbers == reference(world.staff, made, "registered")
        assert page.links == {}


def test_51_items_make_two_pages_of_the_real_page_size(app, world):
    assert q.PAGE_SIZE == 50
    made = make_many(world, 40, 11)
    order = reference(world.staff, made, "registered")
    client = browse_as(app, "staff")

    first = read_queue(client)
    assert first.numbers == order[:50] and first.total == 51
    assert set(first.links) == {"next", "last"}

    second = read_queue(client, first.links["next"])
    assert second.numbers == order[50:]
    assert set(second.links) == {"first", "prev"}
    assert second.total == 51 and second.counts["all"] == 51

    back = read_queue(client, second.links["prev"])  # the cursor round-trips to the first page
    assert back.numbers == order[:50] and set(back.links) == {"next", "last"}
    assert read_queue(client, second.links["first"]).numbers == order[:50]

    last = read_queue(client, first.links["last"])  # the last page: the last fifty, newest of them first
    assert last.numbers == order[1:]
    assert set(last.links) == {"first", "prev"}
    before_last = read_queue(client, last.links["prev"])  # and its prev link leads back to what comes before
    assert before_last.numbers == order[:1]
    assert set(before_last.links) == {"next", "last"}
    assert read_queue(client, before_last.links["next"]).numbers == order[1:]


@pytest.mark.parametrize("sort", ["registered", "deadline", "activity"])
def test_walking_every_page_forward_and_backward_meets_each_item_once_in_order(app, world, small_pages, sort):
    made = make_many(world, 13, 6)  # 19 items: four pages of four and one of three
    order = reference(world.staff, made, sort)
    client = browse_as(app, "staff")

    forward = walk_forward(client, sort=sort)
    assert [len(p) for p in forward] == [4, 4, 4, 4, 3]
    assert [n for p in forward for n in p] == order

    backward = walk_backward(client, sort=sort)
    assert [len(p) for p in backward] == [3, 4, 4, 4, 4]  # from the end: full pages, the rest first
    assert [n for p in backward for n in p] == order


@pytest.mark.parametrize("sort", ["registered", "deadline", "activity"])
def test_next_then_prev_returns_to_the_same_page(app, world, small_pages, sort):
    made = make_many(world, 9, 4)
    order = reference(world.staff, made, sort)
    client = browse_as(app, "staff")
    page, index = read_queue(client, sort=sort), 0
    while "next" in page.links:
        following = read_queue(client, page.links["next"])
        assert following.numbers == order[index + 4:index + 8]
        assert read_queue(client, following.links["prev"]).numbers == page.numbers == order[index:index + 4]
        page, index = following, index + 4


def test_pager_links_keep_the_filters_and_tab(app, world, small_pages):
    made = make_many(world, 9, 6)
    mediating = [x for x in made if isinstance(x, Dispute) and x.status == "accepted"]
    assert len(mediating) == 3
    other = make_many(world, 6, village=world.other_village)
    client = browse_as(app, "staff")
    pages = walk_forward(client, tab="mediating", village=str(world.village.id), sort="deadline")
    assert [n for p in pages for n in p] == reference(
        world.staff, mediating, "deadline", tab="mediating", village_id=world.village.id)
    village_items = walk_forward(client, village=str(world.other_village.id))
    assert [n for p in village_items for n in p] == reference(
        world.staff, other, "registered", village_id=world.other_village.id)
    page = read_queue(client, village=str(world.other_village.id))
    assert f"village={world.other_village.id}" in page.links["next"] and "after=" in page.links["next"]


@pytest.mark.parametrize("cursor", [
    {"after": "garbage"}, {"before": "garbage"}, {"after": "2026-13-01~4"}, {"after": "2026-01-01~x"},
    {"after": "~"}, {"before": "2026-11-01T08:00:00~2", "sort": "deadline"},
    {"after": "2026-01-01~99999999999999999999"}, {"village": "99999999999999999999"},
])
def test_a_damaged_or_foreign_cursor_starts_from_the_first_page_rather_than_failing(app, world, small_pages, cursor):
    made = make_many(world, 6)
    page = read_queue(browse_as(app, "staff"), **cursor)
    assert page.numbers == reference(world.staff, made, cursor.get("sort", "registered"))[:4]


def test_a_mediators_pages_hold_only_their_village(app, world, small_pages):
    own = make_many(world, 7, 2)
    make_many(world, 5, 3, village=world.other_village)
    pages = walk_forward(browse_as(app, "mediator1"))
    assert [n for p in pages for n in p] == reference(world.mediator, own, "registered")


# ---------------------------------------------------------------- export

def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Chinese right
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_export_holds_every_matching_item_beyond_one_page_in_queue_order(app, world):
    made = make_many(world, 45, 12)  # 57 items: more than a page of 50
    rows = _csv_rows(browse_as(app, "staff").get("/queue/export.csv"))
    assert rows[0] == ["类型", "编号", "登记日期", "所属村", "当事人", "状态", "期限", "期限说明"]
    assert [r[1] for r in rows[1:]] == reference(world.staff, made, "registered")
    by_number = {r[1]: r for r in rows[1:]}
    some_dispute = next(x for x in made if isinstance(x, Dispute) and x.status == "accepted")
    assert by_number[some_dispute.number][:7] == [
        "纠纷", some_dispute.number, some_dispute.registered_on.isoformat(), "斜沟村",
        some_dispute.parties[0].name, "已受理", some_dispute.due_on.isoformat()]
    # which rule gave the date: the default one (rolled or not, as the day counted falls)
    assert by_number[some_dispute.number][7].startswith("调解期限:期满日为")
    some_petition = next(x for x in made if isinstance(x, Petition))
    assert by_number[some_petition.number][:3] == ["信访", some_petition.number, some_petition.received_on.isoformat()]


def test_the_export_follows_the_filters_sort_and_reach(app, world):
    made = make_many(world, 8, 5)
    make_many(world, 3, 2, village=world.other_village)
    petitions = [x for x in made if isinstance(x, Petition)]
    rows = _csv_rows(browse_as(app, "staff").get(
        "/queue/export.csv", query_string={"kind": "petition", "village": world.village.id, "sort": "deadline"}))
    assert [r[1] for r in rows[1:]] == reference(
        world.staff, petitions, "deadline", kind="petition", village_id=world.village.id)
    rows = _csv_rows(browse_as(app, "mediator1").get("/queue/export.csv"))
    assert [r[1] for r in rows[1:]] == reference(world.mediator, made, "registered")
    assert _csv_rows(browse_as(app, "farstaff").get("/queue/export.csv")) == [
        ["类型", "编号", "登记日期", "所属村", "当事人", "状态", "期限", "期限说明"]]


def test_iterate_all_walks_chunk_by_chunk_without_a_cap(app, world):
    made = make_many(world, 11, 4)
    for sort in ("registered", "deadline", "activity"):
        items = list(q.iterate_all(world.staff, q.Filters(sort=sort), clock.today(), world.township, chunk=4))
        assert [x.number for x in items] == reference(world.staff, made, sort)


@pytest.mark.parametrize("sort", ["registered", "deadline", "activity"])
@pytest.mark.parametrize("tab", ["pending", "overdue"])
def test_a_tabs_pages_walked_either_way_meet_each_of_its_cases_once_in_order(app, world, small_pages, tab, sort):
    """A tab is read from the index that holds its few cases (待受理 petitions from their state's, in the page's
    order since migration 0033; 已超期 petitions from their deadlines'): every case of the tab, and no other, once."""
    made = make_many(world, 10, 9)
    today = clock.today()
    in_tab = [x for x in made if (x.status == "registered" if tab == "pending" else x.due_on and x.due_on < today)]
    assert {type(x) for x in in_tab} == {Dispute, Petition}  # both kinds, so the tab merges two tables' pages
    order = reference(world.staff, in_tab, sort, tab=tab)
    client = browse_as(app, "staff")

    assert [n for p in walk_forward(client, tab=tab, sort=sort) for n in p] == order
    assert [n for p in walk_backward(client, tab=tab, sort=sort) for n in p] == order
