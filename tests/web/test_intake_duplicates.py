"""Possible duplicates are shown before a new dispute is saved; a major dispute moves on only with its responsibility named."""

from casetrack.domain.errors import DomainError
from casetrack.services import disputes as services
from casetrack.services import supervision
from tests.conftest import login
from tests.factories import VALID_PHONE, count_disputes, intake_form, make_dispute


def test_an_open_case_naming_the_same_party_is_shown_before_saving(client, world):
    original = make_dispute(world.mediator, world.village, state="accepted", applicant="张三")
    login(client, "mediator1")
    before = count_disputes()
    data = intake_form(world.village, **{"applicants-0-name": "张三"})
    del data["not_duplicate"]
    response = client.post("/cases/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert original.number in page and "不是同一纠纷,继续登记" in page
    assert count_disputes() == before
    confirmed = client.post("/cases/new", data={**data, "not_duplicate": "1"})
    assert confirmed.status_code == 302 and count_disputes() == before + 1


def test_the_same_phone_in_another_village_is_a_candidate_too(client, world):
    make_dispute(world.staff, world.other_village, state="registered", applicant="王五")
    login(client, "staff")
    data = intake_form(world.village, **{"applicants-0-name": "李雷", "applicants-0-phone": VALID_PHONE})
    del data["not_duplicate"]
    assert client.post("/cases/new", data=data).status_code == 409


def test_a_closed_case_or_another_township_is_no_candidate(client, world):
    make_dispute(world.mediator, world.village, state="archived", applicant="张三")
    make_dispute(world.far_staff, world.far_village, state="registered", applicant="张三")
    login(client, "mediator1")
    data = intake_form(world.village, **{"applicants-0-name": "张三", "applicants-0-id_number": "",
                                         "applicants-0-phone": ""})
    del data["not_duplicate"]
    assert client.post("/cases/new", data=data).status_code == 302


def test_a_major_dispute_does_not_move_on_until_responsibility_is_named(world):
    case = make_dispute(world.staff, world.village, state="registered", risk="major")
    try:
        services.accept(case, world.staff, case.registered_on, case.registered_on)
    except DomainError as refused:
        assert "责任单位、责任领导和责任人员" in str(refused)
    else:
        raise AssertionError("a major dispute was accepted without named responsibility")
    supervision.name_responsibility(case, world.staff, "斜沟乡政府", "陈志国", "刘明")
    services.accept(case, world.staff, case.registered_on, case.registered_on)
    assert case.status == "accepted"
