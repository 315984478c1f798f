"""Who may do what is asked of casetrack.permissions alone: a role the predicate refuses is refused on the page (no
button, 403 on the form) and by a hand-made POST (403, the case unchanged), and is offered what it may do."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casetrack import clock, permissions
from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute
from casetrack.web import cases, queue
from tests.conftest import login
from tests.factories import make_dispute


def _snapshot(case_id: int) -> tuple:
    """What a refused request must leave as it was: state, level, version, the returned note and the timeline."""
    db.session.expire_all()
    case = db.session.get(Dispute, case_id)
    events = db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.dispute_id == case_id))
    return case.status, case.level, case.version, case.returned_note, len(case.supervisions), events


def _due() -> str:
    return (clock.today() + timedelta(days=10)).isoformat()


# (who, the action the predicate refuses them, the page, what a forged POST sends); each refusal worked out from
# CASE_ACTIONS: a leader reads and supervises but handles nothing; staff handle and review but do not supervise;
# a mediator neither reviews nor supervises.
REFUSED = [
    ("leader", "accept", "accept", lambda case: {"accepted_on": case.registered_on.isoformat()}),
    ("leader", "send_back", "send-back", lambda case: {"note": "请补正当事人信息"}),
    ("leader", "edit", "edit", lambda case: {"summary": "改过的案情"}),
    ("staff", "supervise", "supervise", lambda case: {"note": "月底前化解", "due_on": _due()}),
    ("mediator1", "merge", "merge", lambda case: {"original": "(2026)斜调字第1号"}),
    ("mediator1", "supervise", "supervise", lambda case: {"note": "月底前化解", "due_on": _due()}),
    ("admin", "prevention", "prevention", lambda case: {"criminal_persons": 3, "group_persons": 0}),
]


@pytest.mark.parametrize(("username", "action", "page", "data"), REFUSED, ids=[f"{r[0]}-{r[1]}" for r in REFUSED])
def test_a_role_refused_by_the_predicate_is_refused_on_the_page_and_by_post(client, world, username, action, page, data):
    case = make_dispute(world.staff, world.village, state="registered", risk="major")
    user = next(u for u in (world.leader, world.staff, world.mediator, world.admin) if u.username == username)
    assert not permissions.can_act(user, case, action)
    before = _snapshot(case.id)
    login(client, username)
    assert client.get(f"/cases/{case.id}/{page}").status_code == 403
    forged = client.post(f"/cases/{case.id}/{page}", data={**data(case), "version": str(case.version)})
    assert forged.status_code == 403
    assert _snapshot(case.id) == before


def test_the_case_page_offers_each_user_the_actions_the_predicates_allow(client, world):
    case = make_dispute(world.staff, world.village, state="registered", risk="major")
    send_back, supervise = f"/cases/{case.id}/send-back", f"/cases/{case.id}/supervise"
    accept, responsibility = f"/cases/{case.id}/accept", f"/cases/{case.id}/responsibility"
    login(client, "staff")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert send_back in page and responsibility in page and supervise not in page
    client.post("/auth/logout")
    login(client, "leader")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert supervise in page and send_back not in page and accept not in page and responsibility not in page
    client.post("/auth/logout")
    login(client, "mediator1")  # the village's own case at village level: the mediator handles it, reviews nothing
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert responsibility in page and send_back not in page and supervise not in page


def test_a_leader_supervises_where_staff_may_not(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "leader")
    assert client.post(f"/cases/{case.id}/supervise", data={"note": "月底前化解", "due_on": _due()}).status_code == 302
    db.session.expire_all()
    assert [s.note for s in db.session.get(Dispute, case.id).supervisions] == ["月底前化解"]


@pytest.mark.parametrize(("username", "method", "url"), [
    ("admin", "get", "/screening/new"),        # can_record_screening: mediators and staff
    ("leader", "get", "/screening/new"),
    ("mediator1", "get", "/ledger/"),          # can_import_ledger: township staff
    ("leader", "get", "/ledger/export"),
    ("mediator1", "post", "/queue/bulk"),      # can_act_in_bulk: township staff
    ("staff", "get", "/cases/supervised"),     # can_list_supervised: leaders
    ("staff", "get", "/admin/users"),          # can_administer: admins
])
def test_pages_gated_by_a_role_predicate_answer_403_to_other_roles(client, world, username, method, url):
    login(client, username)
    response = getattr(client, method)(url, data={"action": "accept"} if method == "post" else None)
    assert response.status_code == 403


@pytest.mark.parametrize(("username", "shown"), [("mediator1", True), ("staff", True), ("leader", False),
                                                 ("admin", False)])
def test_the_menu_offers_registration_to_those_who_may_register(client, world, username, shown):
    login(client, username)
    assert ('href="/cases/new"' in client.get("/").get_data(as_text=True)) is shown


def test_every_action_a_page_asks_about_has_a_rule():
    """An action missing from CASE_ACTIONS would answer 500 on its page rather than fall open or shut silently."""
    asked = {*cases.ACTIONS, *queue.BULK_ACTIONS, "edit", "attach", "see_duplicates", "send_back", "merge",
             "corrected", "responsibility", "supervise", "prevention"}
    assert asked <= set(permissions.CASE_ACTIONS)


def test_every_petition_step_has_a_rule():
    from casetrack.web import petitions

    assert set(petitions.ACTIONS) <= set(permissions.PETITION_ACTIONS)


def test_an_unknown_action_is_an_error_not_a_permission(world):
    case = make_dispute(world.staff, world.village)
    with pytest.raises(ValueError, match="no rule for the action"):
        permissions.can_act(world.staff, case, "delete")
