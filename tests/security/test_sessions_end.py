"""Sessions that end: a session cookie copied before a logout, a password reset, a change of role or village,
or a "sign out everywhere" no longer opens a page; the session generation on the account is what ends them."""

import pytest

from casetrack.extensions import db
from casetrack.models import User
from tests.conftest import PASSWORD, login
from tests.security.helpers import client_as

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _copy(app, client):
    """A second browser holding a copy of the client's session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_out(client) -> bool:
    response = client.get("/cases")
    return response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_cookie_copied_before_logout_is_dead_after_it(app, world):
    mediator = client_as(app, "mediator")
    thief = _copy(app, mediator)
    assert thief.get("/cases").status_code == 200  # the copy works while the session lives
    assert mediator.post("/auth/logout").status_code == 302
    assert _signed_out(thief)
    assert thief.post("/cases/new", data={}).status_code == 302  # no write either


def test_logging_out_ends_the_accounts_sessions_on_every_device(app, world):
    phone, desktop = client_as(app, "staff"), client_as(app, "staff")
    phone.post("/auth/logout")
    assert _signed_out(desktop)
    assert login(desktop, "staff").status_code == 302 and desktop.get("/cases").status_code == 200


def test_a_cookie_copied_before_an_admin_reset_is_dead_after_it(app, world):
    staff = client_as(app, "staff")
    thief = _copy(app, staff)
    admin = client_as(app, "county_admin")
    response = admin.post(f"/admin/users/{world.staff.id}/password",
                          data={"password": "Frisch-2026-pw", "confirm": "Frisch-2026-pw"})
    assert response.status_code == 302
    assert _signed_out(thief) and _signed_out(staff)
    assert login(app.test_client(), "staff", "Frisch-2026-pw").status_code == 302


@pytest.mark.parametrize("change", [{"role": "staff", "village_id": ""}, {"village_id": "other"}],
                         ids=["role", "village"])
def test_a_new_role_or_village_ends_the_sessions(app, world, change):
    mediator = client_as(app, "mediator")
    admin = client_as(app, "county_admin")
    data = {"full_name": "王调解", "role": "mediator", "township_id": str(world.township.id),
            "village_id": str(world.village.id), **change}
    if data["village_id"] == "other":
        data["village_id"] = str(world.other_village.id)
    assert admin.post(f"/admin/users/{world.mediator.id}", data=data).status_code == 302
    assert _signed_out(mediator)


def test_a_new_name_alone_keeps_the_session(app, world):
    mediator = client_as(app, "mediator")
    data = {"full_name": "王新名", "role": "mediator", "township_id": str(world.township.id),
            "village_id": str(world.village.id)}
    assert client_as(app, "county_admin").post(f"/admin/users/{world.mediator.id}", data=data).status_code == 302
    assert mediator.get("/cases").status_code == 200


def test_an_admin_signs_an_account_out_everywhere(app, world):
    mediator = client_as(app, "mediator")
    thief = _copy(app, mediator)
    admin = client_as(app, "county_admin")
    page = admin.get(f"/admin/users/{world.mediator.id}").get_data(as_text=True)
    assert "在所有设备上退出登录" in page
    response = admin.post(f"/admin/users/{world.mediator.id}/sign-out")
    assert response.status_code == 302
    assert _signed_out(mediator) and _signed_out(thief)
    assert db.session.get(User, world.mediator.id).active  # signed out, not disabled
    assert login(app.test_client(), "mediator1").status_code == 302


def test_signing_out_everywhere_takes_a_post_with_its_csrf_token(csrf_app, world):
    with csrf_app.app_context():
        admin = csrf_app.test_client()
        page = admin.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        assert admin.post("/auth/login", data={"username": "admin", "password": PASSWORD,
                                               "csrf_token": token}).status_code == 302
        generation = db.session.get(User, world.mediator.id).session_generation
        assert admin.post(f"/admin/users/{world.mediator.id}/sign-out").status_code == 400  # no token
        assert admin.get(f"/admin/users/{world.mediator.id}/sign-out").status_code == 405
        db.session.expire_all()
        assert db.session.get(User, world.mediator.id).session_generation == generation


def test_a_session_from_before_generations_must_sign_in_again(app, world):
    staff = client_as(app, "staff")
    with staff.session_transaction() as session:
        session["_user_id"] = str(world.staff.id)  # what a session held before this release
    assert _signed_out(staff)
