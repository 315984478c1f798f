"""Words declared once in the domain and read everywhere: petition decisions, roles."""

from casetrack.domain import petition_workflow as pw
from casetrack.domain.roles import Role
from casetrack.extensions import db
from casetrack.forms.admin import UserForm
from casetrack.forms.petitions import DecideForm
from casetrack.ledger.format import COLUMNS
from casetrack.models import User
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


def test_the_users_page_and_the_role_select_name_roles_by_the_domains_labels(client, world):
    login(client, "admin")
    listing = client.get("/admin/users").get_data(as_text=True)
    for role in (Role.MEDIATOR, Role.STAFF, Role.ADMIN):
        assert f">{role.label}</td>" in listing
    with client.application.test_request_context():
        offered = [(value, str(label)) for value, label in UserForm(meta={"csrf": False}).role.choices]
    assert offered == [(r.value, r.label) for r in Role if r is not Role.COUNTY]


def test_an_account_holds_its_role_as_the_domains_member_from_the_moment_it_is_set(world):
    user = User(username="new", role="staff")
    assert user.role is Role.STAFF and user.role.label == "乡干部"
    stored = db.session.get(User, world.mediator.id)
    assert stored.role is Role.MEDIATOR
