"""Every user changes their own password; after an admin's reset they must choose their own at the next login."""

import pytest

from casetrack.extensions import db
from casetrack.models import User
from tests.conftest import PASSWORD, login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

NEW = "tea-garden-2027"


def _change(client, current=PASSWORD, new=NEW, confirm=None):
    return client.post("/account/password", data={"current": current, "password": new,
                                                  "confirm": new if confirm is None else confirm})


def _stored(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.mark.parametrize("username", ["mediator1", "staff", "leader", "admin"])
def test_every_role_changes_their_own_password_and_logs_in_with_it(app, client, world, username):
    login(client, username)
    page = client.get("/account/password").get_data(as_text=True)
    assert 'name="current"' in page and 'name="password"' in page and 'name="confirm"' in page
    response = _change(client)
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this device stays signed in
    other = app.test_client()
    assert login(other, username, PASSWORD).status_code == 401
    assert login(other, username, NEW).status_code == 302


def test_changing_the_password_signs_out_other_devices(app, client, world):
    elsewhere = app.test_client()
    login(elsewhere, "staff")
    login(client, "staff")
    assert _change(client).status_code == 302
    assert elsewhere.get("/cases").status_code == 302  # sent to the login page


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("wrong-pass-99", NEW, NEW, "当前密码不正确"),
    (PASSWORD, "short1", "short1", "密码至少10位"),
    (PASSWORD, "password123", "password123", "这是常见密码"),
    (PASSWORD, "staff", "staff", "密码至少10位"),
    (PASSWORD, NEW, NEW + "x", "两次输入的密码不一致"),
    (PASSWORD, PASSWORD, PASSWORD, "新密码不能与当前密码相同"),
])
def test_a_refused_change_says_why_beside_the_field_and_keeps_the_old_password(client, world, current, new,
                                                                               confirm, message):
    login(client, "staff")
    response = _change(client, current, new, confirm)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'class="error"' in page
    assert f'value="{new}"' not in page and f'value="{current}"' not in page  # typed passwords are not echoed
    assert _stored(world.staff).check_password(PASSWORD)


def test_after_an_admin_reset_every_page_leads_to_the_change_form_until_done(app, client, world):
    admin = app.test_client()
    login(admin, "admin")
    assert admin.post(f"/admin/users/{world.mediator.id}/password",
                      data={"password": "given-by-admin-1", "confirm": "given-by-admin-1"}).status_code == 302
    assert _stored(world.mediator).must_change_password

    response = login(client, "mediator1", "given-by-admin-1")
    assert response.status_code == 302
    for path in ("/", "/cases", "/queue", "/cases/new", "/screening"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/password"), path
    page = client.get("/account/password").get_data(as_text=True)
    assert "请先设置一个只有您自己知道的新密码" in page
    assert client.post("/cases/new", data={}).status_code == 302  # nothing else can be done meanwhile

    assert _change(client, "given-by-admin-1", NEW).status_code == 302
    assert not _stored(world.mediator).must_change_password
    assert client.get("/").status_code == 200
    assert login(app.test_client(), "mediator1", NEW).status_code == 302


def test_a_user_who_must_change_may_still_sign_out(app, client, world):
    world.staff.must_change_password = True
    db.session.commit()
    login(client, "staff")
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/").headers["Location"].startswith("/auth/login")


def test_the_change_form_is_in_english_too(client, world):
    login(client, "staff")
    client.post("/auth/language", data={"locale": "en"})
    page = client.get("/account/password").get_data(as_text=True)
    assert "Change password" in page and "Current password" in page
    page = _change(client, "wrong-pass-99").get_data(as_text=True)
    assert "The current password is not correct" in page
