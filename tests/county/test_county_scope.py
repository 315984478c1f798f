"""County accounts (县司法局/信访局): made by the CLI and the admin page, and their reach — every township of
their county, nothing of another — on every kind of row the reach hook scopes; they read, and do not edit."""

import pytest
from flask_login import login_user, logout_user
from sqlalchemy import select

from casetrack import permissions
from casetrack.extensions import db
from casetrack.models import County, Dispute, Petition, Role, Township, User
from tests.conftest import PASSWORD, login
from tests.county.conftest import records_everywhere
from tests.factories import VALID_ID, VALID_PHONE

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _seen(app, user: User) -> dict[str, set[int]]:
    """The ids of every scoped model an ORM query shows the user during a request."""
    with app.test_request_context():
        login_user(user)
        try:
            return {model.__name__: set(db.session.execute(select(model.id)).scalars())
                    for model in permissions.SCOPED_MODELS}
        finally:
            logout_user()


def test_county_account_sees_every_row_of_its_townships_and_none_of_another(app, county_world):
    records_everywhere(county_world)
    w = county_world.base
    county = _seen(app, county_world.county_user)
    own, far, outside = _seen(app, w.staff), _seen(app, w.far_staff), _seen(app, county_world.outside_staff)
    for model in permissions.SCOPED_MODELS:
        name = model.__name__
        assert county[name] == own[name] | far[name], name  # the union of its townships' reaches, exactly
        if name != "CaseEvent":  # entries about no case (an account's) are seen by every reach
            assert not county[name] & outside[name], name
    for name in ("Dispute", "Petition", "ScreeningRound", "Party", "ReturnVisit", "Petitioner", "ScreeningFinding"):
        assert county[name] and outside[name], f"rows of {name} on both sides"


def test_county_without_townships_sees_nothing(app, county_world):
    records_everywhere(county_world)
    empty = County(name="空县")
    db.session.add(empty)
    db.session.flush()
    from casetrack.services import accounts

    lonely = accounts.add_user("lonely", PASSWORD, Role.COUNTY, county=empty)
    db.session.commit()
    seen = _seen(app, lonely)
    assert not seen["Dispute"] and not seen["Petition"] and not seen["ScreeningRound"]


def test_county_account_reads_cases_but_takes_no_action_and_sees_numbers_masked(app, county_world):
    records_everywhere(county_world)
    user = county_world.county_user
    dispute = db.session.execute(select(Dispute).where(Dispute.township_id == county_world.base.township.id)
                                 ).scalars().first()
    petition = db.session.execute(select(Petition).where(Petition.township_id == county_world.base.township.id)
                                  ).scalars().first()
    for action in permissions.CASE_ACTIONS:
        assert permissions.can_act(user, dispute, action) is (action == "supervise"), action
    for action in permissions.PETITION_ACTIONS:
        assert not permissions.can_act_on_petition(user, petition, action), action
    assert not permissions.sees_personal_data(user, dispute)
    assert not permissions.can_register(user) and not permissions.can_administer(user)

    client = app.test_client()
    assert login(client, "countyuser").status_code == 302
    page = client.get(f"/cases/{dispute.id}")
    assert page.status_code == 200 and dispute.number in page.get_data(as_text=True)
    assert VALID_ID not in page.get_data(as_text=True) and VALID_PHONE not in page.get_data(as_text=True)
    outside = db.session.execute(select(Dispute).where(Dispute.township_id == county_world.outside.id)
                                 ).scalars().first()
    assert client.get(f"/cases/{outside.id}").status_code == 404
    assert client.post(f"/cases/{dispute.id}/accept", data={}).status_code in (403, 404)


def test_county_reports_page_offers_only_the_county_townships(app, county_world):
    client = app.test_client()
    login(client, "countyuser")
    page = client.get("/reports/2026").get_data(as_text=True)
    assert "斜沟乡" in page and "东岭乡" in page and "南川乡" not in page
    assert client.get(f"/reports/2026?township={county_world.outside.id}").status_code == 404


def test_cli_adds_a_county_and_a_county_account(app, runner, world):
    result = runner.invoke(args=["county", "add", "示范县", "--townships", "斜沟乡,东岭乡"])
    assert result.exit_code == 0, result.output
    county = db.session.execute(select(County).where(County.name == "示范县")).scalar_one()
    assert {t.name for t in county.townships} == {"斜沟乡", "东岭乡"}
    result = runner.invoke(args=["user", "add", "xian", "--role", "county", "--county", "示范县", "--password-stdin"],
                           input="a-long-county-pass\n")
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "xian")).scalar_one()
    assert user.role is Role.COUNTY and user.county_id == county.id and user.township_id is None


def test_cli_refuses_a_county_account_without_a_county_and_an_unknown_township(app, runner, world):
    result = runner.invoke(args=["user", "add", "xian", "--role", "county", "--password-stdin"],
                           input="a-long-county-pass\n")
    assert result.exit_code != 0 and "县级账号必须指定所属县" in result.output
    result = runner.invoke(args=["county", "add", "示范县", "--townships", "斜沟乡,无此乡"])
    assert result.exit_code != 0 and "无此乡" in result.output
    assert db.session.execute(select(County)).first() is None


def test_a_township_belongs_to_one_county(app, runner, world):
    assert runner.invoke(args=["county", "add", "甲县", "--townships", "斜沟乡"]).exit_code == 0
    result = runner.invoke(args=["county", "add", "乙县", "--townships", "斜沟乡"])
    assert result.exit_code != 0 and "已属于甲县" in result.output


def test_admin_page_creates_a_county_and_changes_its_townships(app, client, world):
    login(client, "admin")
    response = client.post("/admin/counties", data={"name": "示范县", "townships": [world.township.id]})
    assert response.status_code == 302
    county = db.session.execute(select(County)).scalar_one()
    assert [t.id for t in county.townships] == [world.township.id]
    page = client.get("/admin/counties").get_data(as_text=True)
    assert "示范县" in page and "东岭乡" in page
    client.post(f"/admin/counties/{county.id}", data={"townships": [world.other_township.id]})
    db.session.expire_all()
    assert [t.id for t in db.session.get(County, county.id).townships] == [world.other_township.id]
    assert db.session.get(Township, world.township.id).county_id is None


def test_admin_page_refuses_a_blank_name_beside_the_field(app, client, world):
    login(client, "admin")
    response = client.post("/admin/counties", data={"name": " ", "townships": [world.township.id]})
    assert response.status_code == 400
    assert db.session.execute(select(County)).first() is None


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1"])
def test_only_a_county_wide_admin_keeps_counties(app, client, world, username):
    login(client, username)
    assert client.get("/admin/counties").status_code == 403
