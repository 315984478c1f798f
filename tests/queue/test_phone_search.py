"""Issue 18: township staff find a case by a party's or petitioner's phone, whole or its last four digits or
more, from the queue's search box; the number never reaches an address (the box posts; the page answers the
post and links without it), so neither history nor access logs hold it. A village mediator's search never
matches a phone."""

import re

import pytest
from lxml import html as lxml_html

from casetrack.domain.identity import phone_digits

from . import browse_as, days, dispute, petition, read_queue

PHONE = "13812345678"  # the factories' party phone


@pytest.fixture
def cases(world):
    """A dispute whose applicant has the phone, one whose applicant has none, and a petition (no phone)."""
    return {
        "phoned": dispute(world.staff, world.village, days(-3), applicant="王大山", phone=PHONE),
        "other": dispute(world.staff, world.village, days(-2), applicant="李小河", phone=None),
        "petition": petition(world.staff, world.township, days(-1), village=world.village),
    }


def _numbers(response) -> list[str]:
    tree = lxml_html.fromstring(response.get_data(as_text=True))
    return [a.text_content().strip() for a in
            tree.xpath("//table[contains(@class, 'queue-table')]/tbody/tr/td[@data-label='编号']/a")]


def _addresses(response) -> list[str]:
    """Every address on the page a browser could put in its bar, history or a server's log."""
    page = response.get_data(as_text=True)
    return re.findall(r'(?:href|action|src)="([^"]*)"', page) + re.findall(r'name="(?:back|query)" value="([^"]*)"',
                                                                           page)


def test_digits_typed_any_way_read_as_a_phone_search():
    assert phone_digits("138 1234 5678") == PHONE
    assert phone_digits("１３８-１２３４-５６７８") == PHONE
    assert phone_digits("5678") == "5678"
    assert phone_digits("567") is None  # too short to mean anyone
    assert phone_digits("11010519491231002X") is None  # an ID number is no phone
    assert phone_digits("赵5678") is None


@pytest.mark.parametrize("typed", [PHONE, "5678", "45678", "138 1234 5678"])
def test_staff_find_a_case_by_its_partys_phone_and_the_number_is_in_no_address(app, world, cases, typed):
    client = browse_as(app, "staff")
    response = client.post("/queue/search", data={"q": typed, "tab": "all"})
    assert response.status_code == 200  # answered here, not redirected to an address holding the number
    assert _numbers(response) == [cases["phoned"].number]
    digits = phone_digits(typed)
    assert all(digits not in address and typed not in address for address in _addresses(response))
    assert response.headers.get("Location") is None


def test_a_number_search_keeps_its_filters_and_tabs_post_it_again(app, world, cases):
    client = browse_as(app, "staff")
    response = client.post("/queue/search", data={"q": "5678", "tab": "pending", "village": str(world.village.id)})
    page = response.get_data(as_text=True)
    assert _numbers(response) == [cases["phoned"].number]
    tree = lxml_html.fromstring(page)
    tabs = tree.xpath("//nav[@class='tabs']/button[@form='queue-search']")
    assert len(tabs) == 9  # switching tab submits the search form again, with the number in its body only
    assert tree.xpath("//form[@id='queue-search']/@method") == ["post"]
    again = client.post("/queue/search", data={"q": "5678", "tab": "mediating"})
    assert _numbers(again) == []  # the case is pending, not in mediation


def test_staff_find_a_petition_by_its_petitioners_phone(app, world, cases):
    from casetrack.extensions import db
    from casetrack.models import Petitioner

    petitioner = db.session.query(Petitioner).filter_by(petition_id=cases["petition"].id).one()
    petitioner.phone = "13900001111"
    db.session.commit()
    response = browse_as(app, "staff").post("/queue/search", data={"q": "1111"})
    assert _numbers(response) == [cases["petition"].number]


def test_a_mediators_search_never_matches_a_phone(app, world, cases):
    client = browse_as(app, "mediator1")
    last_digits = client.post("/queue/search", data={"q": "5678"})
    assert last_digits.status_code == 200 and _numbers(last_digits) == []
    assert all("5678" not in address for address in _addresses(last_digits))
    whole = client.post("/queue/search", data={"q": PHONE})
    assert whole.status_code == 302 and PHONE not in whole.headers["Location"]  # refused, and not passed on
    page = read_queue(client, whole.headers["Location"])
    assert "请勿在搜索中输入身份证号码或电话号码" in " ".join(page.flashes)
    assert cases["phoned"].number in page.numbers  # the list, unsearched


def test_a_word_search_is_redirected_to_a_bookmarkable_address(app, world, cases):
    client = browse_as(app, "staff")
    response = client.post("/queue/search", data={"q": "王大山", "tab": "all", "sort": "deadline"})
    assert response.status_code == 302
    assert "q=%E7%8E%8B%E5%A4%A7%E5%B1%B1" in response.headers["Location"]
    assert read_queue(client, response.headers["Location"]).numbers == [cases["phoned"].number]


def test_an_id_number_posted_is_refused_and_not_passed_on(app, world, cases):
    response = browse_as(app, "staff").post("/queue/search", data={"q": "11010519491231002X"})
    assert response.status_code == 302 and "11010519491231002X" not in response.headers["Location"]


def test_the_search_form_needs_its_csrf_token(csrf_app, world, cases):
    client = csrf_app.test_client()
    response = client.post("/queue/search", data={"q": "5678"})
    assert response.status_code in (302, 400)  # signed out or refused: either way no search ran


def test_a_number_search_offers_no_export_or_saved_view_that_would_drop_it(app, world, cases):
    """The page answers one posted search: an export or a saved view would hold the whole queue instead (their
    addresses cannot carry the number), so neither is offered; a word search offers both."""
    client = browse_as(app, "staff")
    answered = client.post("/queue/search", data={"q": "5678", "tab": "all"}).get_data(as_text=True)
    assert "/queue/export" not in answered and "save-view" not in answered
    listed = client.get("/queue?q=王大山&tab=all").get_data(as_text=True)
    assert "/queue/export" in listed and "save-view" in listed
