"""Words declared once in the domain and read everywhere: petition decisions, roles."""

from casetrack.domain import petition_workflow as pw
from casetrack.forms.petitions import DecideForm
from casetrack.ledger.format import COLUMNS
from tests.conftest import login
from tests.petition_factories import make_petition


def test_the_decision_form_and_the_ledger_offer_the_domains_petition_decisions(app):
    with app.test_request_context():
        offered = [(value, str(label)) for value, label in DecideForm(meta={"csrf": False}).decision.choices]
    assert offered == [(d.value, d.label) for d in pw.Decision if d is not pw.Decision.PENDING]
    column = next(c for c in COLUMNS["petition"] if c.key == "decision")
    assert dict(column.choices) == {d.value: d.label for d in pw.Decision}


def test_a_petitions_page_names_its_decision_by_the_domains_label(client, world):
    petition = make_petition(world.staff, world.township, state="forwarded")
    login(client, "staff")
    page = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    assert f"{pw.Decision.FORWARDED.label}(" in page
