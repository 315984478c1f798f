"""Login, the lock after repeated failures, disabled accounts, logout, ?next=, and CSRF on every form."""

import re
from urllib.parse import urlsplit

import pytest

from casetrack.extensions import db
from casetrack.models import User
from tests.conftest import PASSWORD, login
from tests.factories import count_disputes, intake_form, make_dispute

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

WRONG = "wrong-pass-1"
LOCKED = "该账号在本机连续登录失败次数过多,已暂时锁定,请15分钟后再试。"


def _logged_in(client) -> bool:
    return client.get("/cases").status_code == 200


def test_login_page_has_the_contract_fields(client):
    page = client.get("/auth/login").get_data(as_text=True)
    for name in ("username", "password"):
        assert f'name="{name}"' in page


def test_right_password_logs_in_and_lands_on_the_dashboard(client, world):
    response = login(client, "staff")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    page = client.get("/").get_data(as_text=True)
    assert "刘明" in page and "工作台" in page


@pytest.mark.parametrize("username", ["staff", "nobody"], ids=["wrong-password", "unknown-user"])
def test_wrong_credentials_are_refused_with_one_message(client, world, username):
    response = login(client, username, WRONG)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "用户名或密码不正确" in page
    assert f'value="{username}"' in page  # the username is kept, the password is not
    assert WRONG not in page
    assert not _logged_in(client)


def test_empty_login_form_is_refused_beside_the_fields(client, world):
    response = client.post("/auth/login", data={"username": "", "password": ""})
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("此项为必填项") == 2


def test_sixth_attempt_after_five_failures_is_refused_even_with_the_right_password(client, world):
    for _attempt in range(5):
        assert login(client, "staff", WRONG).status_code == 401
    response = login(client, "staff", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_four_failures_do_not_lock_the_account(client, world):
    for _attempt in range(4):
        login(client, "staff", WRONG)
    assert login(client, "staff").status_code == 302


def test_lock_holds_for_that_account_only(client, world):
    for _attempt in range(5):
        login(client, "staff", WRONG)
    assert login(client, "leader").status_code == 302


def test_success_before_the_limit_clears_earlier_failures(client, world):
    for _attempt in range(4):
        login(client, "staff", WRONG)
    assert login(client, "staff").status_code == 302
    client.post("/auth/logout")
    for _attempt in range(4):
        assert login(client, "staff", WRONG).status_code == 401
    assert login(client, "staff").status_code == 302


def test_disabled_user_cannot_log_in(client, world):
    db.session.get(User, world.staff.id).active = False
    db.session.commit()
    response = login(client, "staff")
    assert response.status_code == 401
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert not _logged_in(client)


def test_logout_by_get_only_asks_for_confirmation(client, world):
    login(client, "staff")
    response = client.get("/auth/logout")
    assert response.status_code == 200
    assert "在所有设备上退出" in response.get_data(as_text=True)
    assert _logged_in(client)


def test_logout_by_post_ends_the_session(client, world):
    login(client, "staff")
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert not _logged_in(client)


def test_next_on_this_site_is_followed_after_login(client, world):
    case = make_dispute(world.staff, world.village)
    response = client.post(f"/auth/login?next=/cases/{case.id}", data={"username": "staff", "password": PASSWORD})
    assert response.headers["Location"] == f"/cases/{case.id}"


def test_login_required_page_sends_back_after_login(client, world):
    bounce = client.get("/cases")
    assert bounce.status_code == 302
    login_url = bounce.headers["Location"]
    assert "next=%2Fcases" in login_url
    response = client.post(login_url, data={"username": "staff", "password": PASSWORD})
    assert response.headers["Location"] == "/cases"


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/", "http:evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "/\t/evil.example", "https:/evil.example",
])
def test_next_to_another_site_is_refused(client, world, target):
    response = client.post("/auth/login", query_string={"next": target},
                           data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost")
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil.example" not in parts.netloc


def test_logged_in_user_visiting_login_goes_to_the_dashboard(client, world):
    login(client, "staff")
    response = client.get("/auth/login")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/"


# --- CSRF: the app as configured in production refuses forms without the page's token ----------------

def _token_from(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'<input[^>]*value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def _csrf_login(csrf_client, username="staff"):
    token = _token_from(csrf_client, "/auth/login")
    response = csrf_client.post("/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return response


def test_login_without_csrf_token_is_refused(csrf_client, world):
    response = csrf_client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert csrf_client.get("/cases").status_code == 302  # still not logged in


def test_login_with_a_forged_csrf_token_is_refused(csrf_client, world):
    response = csrf_client.post("/auth/login", data={"username": "staff", "password": PASSWORD,
                                                     "csrf_token": "forged-token"})
    assert response.status_code == 400


def test_login_with_the_token_from_the_form_works(csrf_client, world):
    _csrf_login(csrf_client)
    assert csrf_client.get("/cases").status_code == 200


def test_case_intake_without_csrf_token_is_refused_and_saves_nothing(csrf_client, world):
    _csrf_login(csrf_client, "mediator1")
    response = csrf_client.post("/cases/new", data=intake_form(world.village))
    assert response.status_code == 400
    assert count_disputes() == 0


def test_case_intake_with_the_token_from_the_form_is_saved(csrf_client, world):
    _csrf_login(csrf_client, "mediator1")
    token = _token_from(csrf_client, "/cases/new")
    response = csrf_client.post("/cases/new", data={**intake_form(world.village), "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count_disputes() == 1


def test_workflow_action_without_csrf_token_is_refused(csrf_client, world):
    case = make_dispute(world.staff, world.village)
    _csrf_login(csrf_client)
    response = csrf_client.post(f"/cases/{case.id}/not-accept",
                                data={"decided_on": case.registered_on.isoformat(), "reason": "不属调解范围",
                                      "version": str(case.version)})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(type(case), case.id).status == "registered"


def test_logout_without_csrf_token_is_refused(csrf_client, world):
    _csrf_login(csrf_client)
    assert csrf_client.post("/auth/logout").status_code == 400
    assert csrf_client.get("/cases").status_code == 200
    token = _token_from(csrf_client, "/auth/logout")
    assert csrf_client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert csrf_client.get("/cases").status_code == 302
