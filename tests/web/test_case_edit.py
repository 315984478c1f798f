"""Correcting a case's facts after its dispute type was retired: the case keeps its type, no new case gets it."""

import pytest

from casetrack.extensions import db
from casetrack.models import Dispute, DisputeType
from casetrack.services.places import dispute_types
from tests.conftest import login
from tests.factories import case_snapshot, make_dispute
from tests.web.test_edit_conflict import _facts
from tests.web.test_validation import field_errors

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _retire(dispute_type_id: int) -> DisputeType:
    retired = db.session.get(DisputeType, dispute_type_id)
    retired.active = False
    db.session.commit()
    return retired


def test_a_retired_type_stays_on_its_case_and_an_edit_keeps_it(client, world):
    case = make_dispute(world.mediator, world.village)
    retired = _retire(case.dispute_type_id)
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{retired.id}">{retired.name}(已停用)</option>' in page

    saved = client.post(f"/cases/{case.id}/edit", data=_facts(case, case.version, summary="补充案情:双方同意调解"))
    assert saved.status_code == 302
    assert case_snapshot(case.id)["summary"] == "补充案情:双方同意调解"
    assert db.session.get(Dispute, case.id).dispute_type_id == retired.id

    intake = client.get("/cases/new").get_data(as_text=True)
    assert f'<option value="{retired.id}">' not in intake and retired.name not in intake  # a new case cannot take the retired type


def test_a_case_cannot_be_moved_to_another_retired_type(client, world):
    case = make_dispute(world.mediator, world.village)
    other = next(t for t in dispute_types(world.township.id) if t.id != case.dispute_type_id)
    _retire(other.id)
    login(client, "mediator1")
    before = case_snapshot(case.id)
    refused = client.post(f"/cases/{case.id}/edit", data=_facts(case, case.version, dispute_type_id=str(other.id)))
    assert refused.status_code == 400
    assert field_errors(refused.get_data(as_text=True)).get("dispute_type_id")  # refused beside the field
    assert case_snapshot(case.id) == before


def test_the_service_refuses_another_retired_type_with_its_reason(world):
    """Behind the form, for any other caller: update_facts names the retired type."""
    from casetrack.domain.errors import DomainError
    from casetrack.services import disputes

    case = make_dispute(world.mediator, world.village)
    other = next(t for t in dispute_types(world.township.id) if t.id != case.dispute_type_id)
    _retire(other.id)
    with pytest.raises(DomainError, match=f"纠纷类别“{other.name}”已停用"):
        disputes.update_facts(case, world.staff, {"dispute_type_id": other.id}, None)
    db.session.rollback()
    own = _retire(case.dispute_type_id)
    disputes.update_facts(case, world.staff, {"dispute_type_id": own.id, "summary": "补充案情"}, None)  # its own: fine
    db.session.commit()
    assert case_snapshot(case.id)["summary"] == "补充案情"
