"""Major disputes (重大): named responsibility before they move on, a leader's supervision list, prevented escalations."""

from datetime import timedelta

from casetrack import clock
from casetrack.extensions import db
from tests.conftest import login
from tests.factories import make_dispute


def _version(page: str) -> str:
    import re

    found = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(r'value="(\d+)"[^>]*name="version"', page)
    return found.group(1)


def test_a_major_case_is_refused_a_step_until_its_responsibility_is_named(client, world):
    case = make_dispute(world.staff, world.village, state="registered", risk="major")
    login(client, "staff")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "须先明确责任单位、责任领导和责任人员" in page
    form = client.get(f"/cases/{case.id}/accept").get_data(as_text=True)
    refused = client.post(f"/cases/{case.id}/accept", data={"accepted_on": case.registered_on.isoformat(),
                                                           "version": _version(form)})
    assert refused.status_code == 409 and "责任单位、责任领导和责任人员" in refused.get_data(as_text=True)
    db.session.refresh(case)
    assert case.status == "registered"
    form = client.get(f"/cases/{case.id}/responsibility").get_data(as_text=True)
    named = client.post(f"/cases/{case.id}/responsibility", data={
        "unit": "斜沟乡人民政府", "leader": "陈志国", "person": "刘明", "version": _version(form)})
    assert named.status_code == 302
    form = client.get(f"/cases/{case.id}/accept").get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/accept", data={"accepted_on": case.registered_on.isoformat(),
                                                        "version": _version(form)}).status_code == 302
    db.session.refresh(case)
    assert case.status == "accepted" and case.responsible_leader == "陈志国"


def test_a_leader_supervises_a_case_and_keeps_it_on_their_list_until_it_closes(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "leader")
    due = (clock.today() + timedelta(days=10)).isoformat()
    assert client.post(f"/cases/{case.id}/supervise", data={"note": "月底前化解", "due_on": due}).status_code == 302
    listing = client.get("/cases/supervised").get_data(as_text=True)
    assert case.number in listing and "月底前化解" in listing
    case.status = "archived"
    db.session.commit()
    assert case.number not in client.get("/cases/supervised").get_data(as_text=True)


def test_only_a_leader_supervises(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    due = (clock.today() + timedelta(days=10)).isoformat()
    assert client.post(f"/cases/{case.id}/supervise", data={"note": "x", "due_on": due}).status_code == 403
    assert client.get("/cases/supervised").status_code == 403


def test_prevented_escalations_are_recorded_with_the_people_involved(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    form = client.get(f"/cases/{case.id}/prevention").get_data(as_text=True)
    response = client.post(f"/cases/{case.id}/prevention", data={"criminal_persons": "3", "group_persons": "0",
                                                                "version": _version(form)})
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.prevented_criminal and case.prevented_criminal_persons == 3 and not case.prevented_group_petition
    assert "防止民转刑,涉及3人" in client.get(f"/cases/{case.id}").get_data(as_text=True)
