"""A case's limit counted from its facts as plain stored values (a ledger row, a queue row) is the limit of
the stored case itself, in every state: the domain's DisputeFacts / PetitionFacts are the one input."""

from datetime import date
from enum import Enum

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.deadline_facts import DisputeFacts, PetitionFacts
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from casetrack.services import time_limits
from tests.factories import make_dispute
from tests.petition_factories import PATH, make_petition

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

DISPUTE_CASES = [("registered", "succeeded"), ("accepted", "succeeded"), ("mediating", "succeeded"),
                 ("concluded", "succeeded"), ("concluded", "failed"), ("visited", "succeeded"),
                 ("archived", "ended"), ("not_accepted", "succeeded")]


def _stored(model, record_id: int, columns: tuple[str, ...]) -> dict:
    """The columns as a row of one statement reads them, with text keys, not the enums the models read back."""
    table = model.__table__
    row = db.session.execute(select(*(table.c[name] for name in columns)).where(table.c.id == record_id)).one()
    return {name: value.value if isinstance(value, Enum) else value for name, value in zip(columns, row, strict=True)}


@pytest.mark.parametrize(("state", "outcome"), DISPUTE_CASES)
def test_a_disputes_limit_from_its_stored_values_is_the_limit_of_the_case(world, state, outcome):
    case = make_dispute(world.staff, world.village, state=state, outcome=outcome)
    values = _stored(Dispute, case.id, ("status", "accepted_on", "continuation_agreed", "continued_until",
                                            "outcome", "performance_deadline", "closed_on"))
    facts = DisputeFacts(values.pop("status"), **values)
    assert facts.state is wf.DisputeState(state) and (facts.outcome is None or isinstance(facts.outcome, wf.Outcome))
    today = clock.today()
    assert time_limits.limit_of(facts, case.township, today) == time_limits.dispute_limit(case, today)
    assert time_limits.dispute_deadline(facts, case.township) == time_limits.current_dispute_deadline(case)


@pytest.mark.parametrize("state", [*PATH, "not_accepted", "forwarded", "assigned"])
def test_a_petitions_limits_from_its_stored_values_are_the_limits_of_the_petition(world, state):
    petition = make_petition(world.staff, world.township, state=state)
    values = _stored(Petition, petition.id, (
        "status", "received_on", "decision", "decided_on", "extension_days", "review_requested_on",
        "second_review_requested_on", "source", "assigned_due_on", "completion_report_on", "legal_route"))
    facts = PetitionFacts(values.pop("status"), **values)
    today = clock.today()
    assert time_limits.limit_of(facts, petition.township, today) == time_limits.petition_limit(petition, today)
    assert time_limits.petition_opinion_deadline(facts, petition.township) == time_limits.opinion_deadline(petition)


def test_facts_read_stored_keys_as_the_domains_members():
    facts = PetitionFacts("assigned", date(2025, 3, 1), decision="assigned", source=None, extension_days=None)
    assert facts.state is pw.PetitionState.ASSIGNED and facts.decision is pw.Decision.ASSIGNED
    assert facts.source is pw.Source.OWN and facts.extension_days == 0 and not facts.from_above
