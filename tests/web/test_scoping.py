"""Who sees and does what: each role against a case of its own village, of another village of the same
township, and of another township; and who sees parties' ID numbers and phones whole."""

import re

import pytest

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Role, User
from casetrack.services import accounts
from tests.conftest import PASSWORD, login
from tests.factories import (
    VALID_ID,
    VALID_PHONE,
    case_snapshot,
    count_disputes,
    intake_form,
    make_dispute,
    workflow_links,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

MASKED_ID, MASKED_PHONE = "1101**********002X", "138****5678"
PLACES = ["own_village", "other_village", "other_township"]
ROLES = ["admin", "staff", "leader", "mediator"]
USERNAMES = {"admin": "admin", "staff": "staff", "leader": "leader", "mediator": "mediator1"}


def _case_at(world, place, **kwargs):
    """A case in 斜沟村 (the mediator's village), 王家庄村 (same township) or 东岭村 (another township)."""
    if place == "own_village":
        return make_dispute(world.staff, world.village, **kwargs)
    if place == "other_village":
        return make_dispute(world.staff, world.other_village, **kwargs)
    return make_dispute(world.far_staff, world.far_village, **kwargs)


# The admin here is a county-wide admin (no township): reads every township, changes no case.
VIEW = {
    "admin": {"own_village": 200, "other_village": 200, "other_township": 200},
    "staff": {"own_village": 200, "other_village": 200, "other_township": 404},
    "leader": {"own_village": 200, "other_village": 200, "other_township": 404},
    "mediator": {"own_village": 200, "other_village": 404, "other_township": 404},
}
ACT = {
    "admin": {"own_village": 403, "other_village": 403, "other_township": 403},
    "staff": {"own_village": 200, "other_village": 200, "other_township": 404},
    "leader": {"own_village": 403, "other_village": 403, "other_township": 404},
    "mediator": {"own_village": 200, "other_village": 404, "other_township": 404},
}
GRID = [(role, place) for role in ROLES for place in PLACES]


@pytest.mark.parametrize(("role", "place"), GRID, ids=[f"{r}-{p}" for r, p in GRID])
def test_case_page_is_shown_only_within_reach(client, world, role, place):
    case = _case_at(world, place)
    login(client, USERNAMES[role])
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == VIEW[role][place]
    if response.status_code == 200:
        assert case.number in response.get_data(as_text=True)
    else:  # the case's existence is not revealed
        assert case.number not in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "place"), GRID, ids=[f"{r}-{p}" for r, p in GRID])
def test_action_form_is_open_only_to_those_who_handle_the_case(client, world, role, place):
    case = _case_at(world, place)
    login(client, USERNAMES[role])
    assert client.get(f"/cases/{case.id}/accept").status_code == ACT[role][place]
    assert client.get(f"/cases/{case.id}/edit").status_code == ACT[role][place]


@pytest.mark.parametrize(("role", "place"), GRID, ids=[f"{r}-{p}" for r, p in GRID])
def test_posted_action_changes_the_case_only_for_those_who_handle_it(client, world, role, place):
    case = _case_at(world, place)
    before = case_snapshot(case.id)
    login(client, USERNAMES[role])
    response = client.post(f"/cases/{case.id}/accept",
                           data={"accepted_on": clock.today().isoformat(), "version": str(before["version"])})
    if ACT[role][place] == 200:
        assert response.status_code == 302
        assert case_snapshot(case.id)["status"] == "accepted"
    else:
        assert response.status_code == ACT[role][place]
        assert case_snapshot(case.id) == before


@pytest.mark.parametrize(("role", "place"), GRID, ids=[f"{r}-{p}" for r, p in GRID])
def test_posted_fact_edit_changes_the_case_only_for_those_who_handle_it(client, world, role, place):
    case = _case_at(world, place)
    before = case_snapshot(case.id)
    login(client, USERNAMES[role])
    response = client.post(f"/cases/{case.id}/edit", data={
        "natural_village_id": "", "dispute_type_id": str(case.dispute_type_id), "channel": "peoples",
        "people_involved": "2", "summary": "改写的案情", "risk_level": "general", "version": str(case.version),
    })
    if ACT[role][place] == 200:
        assert response.status_code == 302
        assert case_snapshot(case.id)["summary"] == "改写的案情"
    else:
        assert response.status_code == ACT[role][place]
        assert case_snapshot(case.id) == before


LISTED = {
    "admin": {"甲村民", "乙村民", "丙村民"},
    "staff": {"甲村民", "乙村民"},
    "leader": {"甲村民", "乙村民"},
    "mediator": {"甲村民"},
    "other_mediator": {"乙村民"},
    "far_staff": {"丙村民"},
}


@pytest.mark.parametrize("who", list(LISTED))
def test_case_list_holds_only_the_cases_within_reach(client, world, who):
    for place, name in zip(PLACES, ["甲村民", "乙村民", "丙村民"], strict=True):
        _case_at(world, place, applicant=name)
    login(client, getattr(world, who).username)
    page = client.get("/cases").get_data(as_text=True)
    shown = {name for name in ("甲村民", "乙村民", "丙村民") if name in page}
    assert shown == LISTED[who]
    assert f"共 {len(LISTED[who])} 件" in page


@pytest.mark.parametrize(("query", "found"), [("乙村民", 0), ("院墙", 1), ("斜调字", 1)])
def test_search_does_not_reach_beyond_the_mediators_village(client, world, query, found):
    _case_at(world, "own_village", applicant="甲村民")
    other = _case_at(world, "other_village", applicant="乙村民")
    login(client, "mediator1")
    page = client.get("/cases", query_string={"q": query}).get_data(as_text=True)
    assert f"共 {found} 件" in page
    assert f'href="/cases/{other.id}"' not in page


def test_status_filter_stays_within_reach(client, world):
    _case_at(world, "own_village", applicant="甲村民", state="accepted")
    _case_at(world, "other_township", applicant="丙村民", state="accepted")
    login(client, "staff")
    page = client.get("/cases", query_string={"status": "accepted"}).get_data(as_text=True)
    assert "甲村民" in page and "丙村民" not in page


def test_mediator_can_read_but_not_act_on_a_township_level_case_of_their_village(client, world):
    case = _case_at(world, "own_village", level="township")
    before = case_snapshot(case.id)
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert workflow_links(page.get_data(as_text=True), case.id) == []  # no workflow action, no edit
    assert client.get(f"/cases/{case.id}/accept").status_code == 403
    assert client.post(f"/cases/{case.id}/accept", data={"accepted_on": clock.today().isoformat(),
                                                         "version": str(before["version"])}).status_code == 403
    assert client.get(f"/cases/{case.id}/edit").status_code == 403
    assert case_snapshot(case.id) == before


def test_staff_still_acts_on_a_township_level_case(client, world):
    case = _case_at(world, "own_village", level="township")
    login(client, "staff")
    assert f'href="/cases/{case.id}/accept"' in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_leader_reads_the_case_page_without_any_action(client, world):
    case = _case_at(world, "other_village", state="mediating")
    login(client, "leader")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert case.number in page
    assert workflow_links(page, case.id) == []


def test_township_admin_reads_only_their_township(client, world):
    accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=world.township)
    db.session.commit()
    mine, far = _case_at(world, "other_village"), _case_at(world, "other_township")
    login(client, "townadmin")
    assert client.get(f"/cases/{mine.id}").status_code == 200
    assert client.get(f"/cases/{far.id}").status_code == 404


def test_case_that_does_not_exist_answers_404(client, world):
    login(client, "admin")
    assert client.get("/cases/999999").status_code == 404


def test_pages_need_a_login(client, world):
    case = _case_at(world, "own_village")
    for path in ("/cases", f"/cases/{case.id}", "/cases/new", f"/cases/{case.id}/accept"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/auth/login" in response.headers["Location"]


# --- registration -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["leader", "admin"])
def test_readers_cannot_register_cases(client, world, who):
    login(client, who)
    assert client.get("/cases/new").status_code == 403
    assert client.post("/cases/new", data=intake_form(world.village)).status_code == 403
    assert count_disputes() == 0


def test_mediator_is_offered_only_their_own_village(client, world):
    login(client, "mediator1")
    page = client.get("/cases/new").get_data(as_text=True)
    select = page.split('name="village_id"')[1].split("</select>")[0]
    assert "斜沟村" in select and "王家庄村" not in select and "东岭村" not in select


@pytest.mark.parametrize("village", ["other_village", "far_village"])
def test_mediator_cannot_register_a_case_in_another_village(client, world, village):
    login(client, "mediator1")
    response = client.post("/cases/new", data=intake_form(getattr(world, village)))
    assert response.status_code == 400
    assert count_disputes() == 0


def test_staff_cannot_register_a_case_in_another_township(client, world):
    login(client, "staff")
    data = intake_form(world.far_village)
    assert client.post("/cases/new", data=data).status_code == 400
    assert count_disputes() == 0


# --- personal data: ID numbers and phones whole only for those who handle the case -----------------

@pytest.mark.parametrize("who", ["staff", "mediator1"])
def test_handling_staff_and_mediator_see_id_number_and_phone_whole(client, world, who):
    case = _case_at(world, "own_village")
    login(client, who)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert VALID_ID in page and VALID_PHONE in page
    assert MASKED_ID not in page and MASKED_PHONE not in page


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_readers_see_id_number_and_phone_masked_never_whole(client, world, who):
    case = _case_at(world, "own_village")
    login(client, who)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert MASKED_ID in page and MASKED_PHONE in page
    assert VALID_ID not in page and VALID_PHONE not in page
    assert "19491231" not in page  # not even the birth date inside the number


def test_mediator_no_longer_handling_an_escalated_case_sees_it_masked(client, world):
    case = _case_at(world, "own_village", level="township")
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert MASKED_ID in page and VALID_ID not in page and VALID_PHONE not in page


@pytest.mark.parametrize("who", ["staff", "leader", "mediator1"])
def test_case_list_never_shows_id_numbers_or_phones(client, world, who):
    _case_at(world, "own_village")
    login(client, who)
    page = client.get("/cases").get_data(as_text=True)
    assert "张三" in page
    assert VALID_ID not in page and VALID_PHONE not in page


def test_personal_data_never_reaches_a_url(client, world):
    case = _case_at(world, "own_village")
    login(client, "staff")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for url in re.findall(r'(?:href|action)="([^"]*)"', page):
        assert VALID_ID not in url and VALID_PHONE not in url


def test_disabled_account_loses_its_reach_at_the_next_request(client, world):
    case = _case_at(world, "own_village")
    login(client, "staff")
    assert client.get(f"/cases/{case.id}").status_code == 200
    db.session.get(User, world.staff.id).active = False
    db.session.commit()
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
