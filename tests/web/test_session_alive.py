"""The page's script asks /auth/alive before posting a form: who is signed in, and a CSRF token to post with."""

import pytest

from tests.conftest import login

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_alive_says_whether_the_session_holds_and_is_never_cached(client, world):
    answer = client.get("/auth/alive")
    assert answer.json["user"] is None and answer.json["csrf"]
    assert answer.headers["Cache-Control"] == "no-store"
    login(client, "mediator1")
    assert client.get("/auth/alive").json["user"] == world.mediator.id
