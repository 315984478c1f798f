"""Security headers on every page, session cookies, idle sign-out, disabled accounts, and the append-only
timeline (the ORM refuses to change or delete an entry; on PostgreSQL a trigger refuses raw SQL too)."""

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from casetrack import create_app
from casetrack.extensions import db
from casetrack.models import CaseEvent, User
from casetrack.models.events import AppendOnlyError
from tests.conftest import PASSWORD, login
from tests.factories import make_dispute
from tests.security.helpers import client_as, rich_world
from tests.security.test_authorization_matrix import MATRIX, _rules, _url

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

CASETRACK = Path(__file__).resolve().parents[2] / "casetrack"


def _csp(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *values = part.split()
        directives[name] = values
    return directives


def _check_headers(response, where: str) -> list[str]:
    problems = []
    csp = _csp(response)
    if not csp:
        return [f"{where}: no Content-Security-Policy"]
    for directive in ("script-src", "style-src", "default-src"):
        values = csp.get(directive, csp.get("default-src", []))
        if "'unsafe-inline'" in values or "'unsafe-eval'" in values or "*" in values:
            problems.append(f"{where}: {directive} {' '.join(values)}")
    if "script-src" not in csp and "default-src" not in csp:
        problems.append(f"{where}: no script-src or default-src")
    if csp.get("frame-ancestors") != ["'none'"] and "sandbox" not in csp:
        problems.append(f"{where}: frame-ancestors {csp.get('frame-ancestors')}")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{where}: X-Content-Type-Options {response.headers.get('X-Content-Type-Options')}")
    if response.headers.get("Referrer-Policy") not in ("same-origin", "no-referrer", "strict-origin",
                                                        "strict-origin-when-cross-origin"):
        problems.append(f"{where}: Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page):
            problems.append(f"{where}: an inline <script>, which the policy blocks")
        if re.search(r"\son[a-z]+\s*=", page) or "javascript:" in page:
            problems.append(f"{where}: an inline event handler or javascript: URL")
        if re.search(r"<style[\s>]|\sstyle\s*=", page):
            problems.append(f"{where}: an inline style, which style-src 'self' blocks")
    return problems


@pytest.mark.parametrize("role", ["anonymous", "staff", "county_admin", "leader"])
def test_every_page_carries_the_security_headers_and_no_inline_script(app, world, role):
    rich = rich_world(world)
    client = client_as(app, role)
    problems, pages = [], 0
    for endpoint, rule in sorted(_rules(app).items()):
        if MATRIX[endpoint].get is None or endpoint == "auth.logout":
            continue
        for variant in MATRIX[endpoint].variants:
            url = _url(app, rich, endpoint, rule, variant, "own")
            response = client.get(url)
            pages += 1
            problems += _check_headers(response, f"{url} ({response.status_code})")
            response.close()
    assert pages > 40
    assert not problems, "\n".join(problems)


def test_error_pages_and_static_files_carry_the_headers_too(client, world):
    login(client, "staff")
    for path in ("/no-such-page", "/cases/999999", "/static/app.css"):
        response = client.get(path)
        assert not _check_headers(response, path), _check_headers(response, path)


def test_an_attachment_is_served_sandboxed(app, world):
    rich = rich_world(world)
    client = client_as(app, "staff")
    response = client.get(f"/cases/{rich.arg('own', 'case_id')}/attachments/{rich.arg('own', 'attachment_id')}")
    assert response.status_code == 200
    assert "sandbox" in _csp(response) and _csp(response)["default-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


# --- the session cookie ---------------------------------------------------------------------------------

def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_by_default(client, world):
    cookie = _session_cookie(login(client, "staff"))
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # a township laptop serves plain HTTP on its own network


@pytest.mark.parametrize("how", ["config", "environment"])
def test_the_session_cookie_is_secure_behind_https_as_a_setting(app, database_url, world, monkeypatch, how):
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "s", "WTF_CSRF_ENABLED": False}
    if how == "config":
        settings["SESSION_COOKIE_SECURE"] = True
    else:
        monkeypatch.setenv("CASETRACK_SESSION_COOKIE_SECURE", "true")
    secure_app = create_app(settings)
    with secure_app.app_context():
        try:
            response = secure_app.test_client().post("/auth/login", data={"username": "staff", "password": PASSWORD},
                                                     base_url="https://localhost")
            flags = [part.strip().lower() for part in _session_cookie(response).split(";")]
            assert {"secure", "httponly", "samesite=lax"} <= set(flags)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_a_new_session_is_issued_at_login(client, world):
    client.get("/auth/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    login(client, "staff")
    with client.session_transaction() as session:
        assert "planted" not in session


# --- idle sign-out ----------------------------------------------------------------------------------------

def _last_seen(client, seconds_ago: int) -> None:
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - seconds_ago


def test_a_session_idle_longer_than_the_setting_is_signed_out(app, client, world):
    login(client, "staff")
    assert client.get("/queue").status_code == 200
    _last_seen(client, app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    response = client.get("/queue")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert "长时间未操作" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/queue").status_code == 302  # and stays signed out


def test_a_session_used_within_the_limit_stays_signed_in(app, client, world):
    login(client, "staff")
    _last_seen(client, app.config["SESSION_IDLE_MINUTES"] * 60 - 30)
    assert client.get("/queue").status_code == 200
    _last_seen(client, app.config["SESSION_IDLE_MINUTES"] * 60 - 30)  # each request renews it
    assert client.get("/queue").status_code == 200


def test_the_idle_limit_is_a_setting(app, client, world):
    app.config["SESSION_IDLE_MINUTES"] = 5
    login(client, "staff")
    _last_seen(client, 4 * 60)
    assert client.get("/queue").status_code == 200
    _last_seen(client, 5 * 60 + 5)
    response = client.get("/queue")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- a disabled account ------------------------------------------------------------------------------------

def test_an_account_an_admin_disables_is_signed_out_at_its_next_request(app, world):
    mediator = client_as(app, "mediator")
    assert mediator.get("/cases").status_code == 200
    admin = client_as(app, "county_admin")
    assert admin.post(f"/admin/users/{world.mediator.id}/disable").status_code == 302
    response = mediator.get("/cases")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert mediator.post("/cases/new", data={}).status_code == 302  # no write either
    assert login(app.test_client(), "mediator1").status_code == 401  # and cannot sign in again
    admin.post(f"/admin/users/{world.mediator.id}/enable")
    assert login(app.test_client(), "mediator1").status_code == 302


def test_an_account_disabled_in_the_database_is_signed_out_at_once(app, world):
    staff = client_as(app, "staff")
    db.session.get(User, world.staff.id).active = False
    db.session.commit()
    response = staff.get("/queue")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- the append-only timeline ------------------------------------------------------------------------------

@pytest.fixture
def entry(world) -> CaseEvent:
    case = make_dispute(world.staff, world.village, state="accepted")
    return db.session.execute(select(CaseEvent).where(CaseEvent.dispute_id == case.id)).scalars().first()


def _entry_unchanged(entry_id: int, summary: str) -> None:
    db.session.rollback()
    db.session.expire_all()
    stored = db.session.get(CaseEvent, entry_id)
    assert stored is not None and stored.summary == summary


def test_changing_a_timeline_entry_through_the_orm_raises(entry):
    entry_id, summary = entry.id, entry.summary
    entry.summary = "改写的记录"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    _entry_unchanged(entry_id, summary)


def test_deleting_a_timeline_entry_through_the_orm_raises(entry):
    entry_id, summary = entry.id, entry.summary
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    _entry_unchanged(entry_id, summary)


@pytest.mark.parametrize("statement", ["UPDATE case_events SET summary = 'x' WHERE id = :id",
                                       "DELETE FROM case_events WHERE id = :id"])
def test_raw_sql_cannot_change_or_delete_a_timeline_entry(entry, statement):
    entry_id, summary = entry.id, entry.summary
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement), {"id": entry_id})
    _entry_unchanged(entry_id, summary)


@pytest.mark.parametrize("kind", ["update", "delete"])
def test_a_bulk_orm_statement_cannot_change_the_timeline(entry, kind):
    """A bulk statement skips the mapper's listeners; the database's own triggers refuse it (0001, 0009)."""
    entry_id, summary = entry.id, entry.summary
    statement = (update(CaseEvent).where(CaseEvent.id == entry_id).values(summary="x") if kind == "update"
                 else delete(CaseEvent).where(CaseEvent.id == entry_id))
    with pytest.raises((AppendOnlyError, DBAPIError)):
        db.session.execute(statement)
        db.session.flush()
    _entry_unchanged(entry_id, summary)


CHANGES_EVENTS = re.compile(
    r"(update|delete)\(\s*CaseEvent\b|(UPDATE|DELETE\s+FROM)\s+case_events|session\.delete\([^)]*event", re.I)


def test_no_code_path_updates_or_deletes_a_timeline_entry():
    """Scan the application's code: nothing issues an UPDATE or DELETE of case_events (the migration's
    trigger, which refuses them, is the one place the words may appear)."""
    found = []
    for path in CASETRACK.rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if CHANGES_EVENTS.search(line):
                found.append(f"{path.relative_to(CASETRACK.parent)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)
