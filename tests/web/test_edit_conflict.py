"""Two people on one case: the later save from a stale form is refused, the typed input is shown again,
and the first person's change stays in the database."""

import re

import pytest

from casetrack import clock
from tests import days
from tests.conftest import login
from tests.factories import case_snapshot, make_dispute, timeline

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

CONFLICT = "已被他人修改"


def _hidden_version(page: str) -> int:
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page) or re.search(
        r'<input[^>]*value="(\d+)"[^>]*name="version"', page)
    return int(match.group(1))


def _facts(case, version, **changes):
    body = {"natural_village_id": "", "dispute_type_id": str(case.dispute_type_id), "channel": "peoples",
            "people_involved": "2", "summary": case.summary, "risk_level": "general", "version": str(version)}
    body.update(changes)
    return body


@pytest.fixture
def two_clients(app, world):
    """The village mediator and the township staff member, each logged in on their own browser."""
    mediator, staff = app.test_client(), app.test_client()
    login(mediator, "mediator1")
    login(staff, "staff")
    return mediator, staff


def test_later_save_from_a_stale_edit_form_is_refused_and_the_input_kept(world, two_clients):
    mediator, staff = two_clients
    case = make_dispute(world.mediator, world.village)
    opened = _hidden_version(mediator.get(f"/cases/{case.id}/edit").get_data(as_text=True))
    assert opened == case.version

    saved = staff.post(f"/cases/{case.id}/edit", data=_facts(case, opened, summary="乡干部核实后的案情"))
    assert saved.status_code == 302

    late = mediator.post(f"/cases/{case.id}/edit", data=_facts(case, opened, summary="调解员补充的案情",
                                                               people_involved="7"))
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert CONFLICT in page
    assert "调解员补充的案情" in page and 'value="7"' in page  # nothing typed is lost
    after = case_snapshot(case.id)
    assert after["summary"] == "乡干部核实后的案情"
    assert [e.actor_id for e in timeline(case.id) if e.action == "edit"] == [world.staff.id]


def test_after_a_conflict_the_shown_form_carries_the_current_version_so_a_deliberate_resave_works(world, two_clients):
    mediator, staff = two_clients
    case = make_dispute(world.mediator, world.village)
    opened = case.version
    staff.post(f"/cases/{case.id}/edit", data=_facts(case, opened, risk_level="serious"))
    late = mediator.post(f"/cases/{case.id}/edit", data=_facts(case, opened, summary="调解员补充的案情"))
    assert late.status_code == 409
    current = case_snapshot(case.id)["version"]
    assert _hidden_version(late.get_data(as_text=True)) == current
    resaved = mediator.post(f"/cases/{case.id}/edit", data=_facts(case, current, summary="调解员补充的案情",
                                                                  risk_level="serious"))
    assert resaved.status_code == 302
    assert case_snapshot(case.id)["summary"] == "调解员补充的案情"


def test_save_with_the_current_version_goes_through(world, two_clients):
    mediator, _staff = two_clients
    case = make_dispute(world.mediator, world.village)
    response = mediator.post(f"/cases/{case.id}/edit", data=_facts(case, case.version, summary="补充案情"))
    assert response.status_code == 302
    assert case_snapshot(case.id)["summary"] == "补充案情"


# Workflow forms carry the version they were opened at, too.
STALE_ACTIONS = [
    ("accept", "registered", {"accepted_on": days.TODAY}),
    ("not-accept", "registered", {"decided_on": days.TODAY, "ground": "other", "reason": "不属于人民调解范围", "referred_to": "县人民法院"}),
    ("escalate", "registered", {"reason": "涉及人数多,村级调解难度大"}),
    ("assign", "accepted", {"mediator_ids": "MEDIATOR"}),
    ("conclude", "mediating", {"outcome": "ended", "closed_on": days.TODAY, "agreement_form": "", "end_reason": "refused",
                               "notes": "一方明确拒绝"}),
    ("return-visit", "concluded", {"visited_on": days.TODAY, "performance": "partial", "notes": "尚欠300元"}),
    ("archive", "not_accepted", {"archived_on": days.TODAY}),
]


@pytest.mark.parametrize(("slug", "state", "fields"), STALE_ACTIONS, ids=[s[0] for s in STALE_ACTIONS])
def test_workflow_form_submitted_with_a_stale_version_is_refused(world, two_clients, slug, state, fields):
    mediator, staff = two_clients
    case = make_dispute(world.mediator, world.village, state=state)
    form_page = mediator.get(f"/cases/{case.id}/{slug}")
    assert form_page.status_code == 200
    opened = _hidden_version(form_page.get_data(as_text=True))

    assert staff.post(f"/cases/{case.id}/edit", data=_facts(case, opened, risk_level="major")).status_code == 302
    before = case_snapshot(case.id)

    body = {k: (str(world.mediator.id) if v == "MEDIATOR" else days.resolve(v)) for k, v in fields.items()}
    late = mediator.post(f"/cases/{case.id}/{slug}", data={**body, "version": str(opened)})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert CONFLICT in page
    for typed in body.values():
        assert typed in page
    assert case_snapshot(case.id) == before
    assert before["risk_level"] == "major"


def test_two_people_accepting_the_same_case_accept_it_once(world, two_clients):
    mediator, staff = two_clients
    case = make_dispute(world.mediator, world.village)
    opened = _hidden_version(mediator.get(f"/cases/{case.id}/accept").get_data(as_text=True))
    _hidden_version(staff.get(f"/cases/{case.id}/accept").get_data(as_text=True))
    today = clock.today().isoformat()
    assert staff.post(f"/cases/{case.id}/accept", data={"accepted_on": today, "version": opened}).status_code == 302
    second = mediator.post(f"/cases/{case.id}/accept", data={"accepted_on": today, "version": opened})
    assert second.status_code == 409
    assert CONFLICT in second.get_data(as_text=True)
    assert [e.action for e in timeline(case.id)] == ["register", "accept"]


def test_reassigning_mediators_moves_the_version_so_a_stale_reassignment_is_refused(world, two_clients):
    mediator, staff = two_clients
    case = make_dispute(world.staff, world.village, state="mediating")
    opened = _hidden_version(staff.get(f"/cases/{case.id}/assign").get_data(as_text=True))
    first = mediator.post(f"/cases/{case.id}/assign", data={"mediator_ids": str(world.mediator.id), "version": opened})
    assert first.status_code == 302
    late = staff.post(f"/cases/{case.id}/assign", data={"mediator_ids": str(world.staff.id), "version": opened})
    assert late.status_code == 409
    assert case_snapshot(case.id)["mediators"] == [world.mediator.id]
