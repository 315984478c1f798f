"""Personal data: ID numbers and phones never reach a log, a URL or an error page; lists mask them or leave
them out; they are shown whole only to those who handle the case.

The app runs behind a real werkzeug server here, so its access log (the werkzeug logger) is part of what
is scanned, together with every record caplog catches at DEBUG and the text of any exception logged.
"""

import http.cookiejar
import logging
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from io import BytesIO

import docx
import pytest
from sqlalchemy import select, text
from werkzeug.serving import make_server

from casetrack.domain.identity import id_check_digit
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from tests.conftest import PASSWORD
from tests.factories import VALID_ID, VALID_PHONE, intake_form, make_dispute
from tests.petition_factories import category, make_petition
from tests.security.helpers import client_as

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

NEW_ID = "62010219800101001" + id_check_digit("62010219800101001")  # typed at intake in these tests
NEW_PHONE = "13987654321"
BAD_ID = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")  # a wrong check digit: refused with a message
BAD_PHONE = "1398765432"  # ten digits
SECRETS = (VALID_ID, VALID_PHONE, NEW_ID, NEW_PHONE, BAD_ID, BAD_PHONE)
MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}")
URL_IN_PAGE = re.compile(r'(?:href|src|action|formaction)="([^"]*)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """A browser against the live server: cookies, no automatic redirects, every URL it saw kept."""

    base: str
    urls: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def open(self, path: str, data: dict | None = None) -> tuple[int, bytes, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        self.urls.append(path)
        try:
            response = self.opener.open(self.base + path, body, timeout=30)
            status, content, location = response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            status, content, location = answer.code, answer.read(), answer.headers.get("Location", "")
        if location:
            self.urls.append(location)
        if content[:2] != b"PK":  # pages: every link, form and image address in them
            self.urls.extend(URL_IN_PAGE.findall(content.decode("utf-8", errors="replace")))
        return status, content, location

    def login(self, username: str) -> None:
        status, _content, _location = self.open("/auth/login", {"username": username, "password": PASSWORD})
        assert status == 302, f"{username} could not log in"


@pytest.fixture
def live(app):
    """The app behind a threaded werkzeug server on loopback, answering errors as in production."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def logs(caplog):
    """Every log record at DEBUG, werkzeug's access log included.

    Alembic's fileConfig() disables the loggers that exist when a database is migrated (the PostgreSQL one is
    migrated mid-session), which would leave nothing to scan: they are enabled again for the test.
    """
    loggers = [logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)]
    disabled = [logger for logger in loggers if logger.disabled]
    for logger in disabled:
        logger.disabled = False
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    yield caplog
    for logger in disabled:
        logger.disabled = True


def _logged_text(caplog) -> str:
    formatter = logging.Formatter()
    parts = []
    for record in caplog.records:
        parts.append(record.getMessage())
        if record.exc_info:
            parts.append(formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
    return "\n".join(parts)


def assert_nowhere(caplog, urls: list[str]) -> None:
    logged = _logged_text(caplog)
    assert caplog.records, "nothing was logged: the scan would prove nothing"
    for secret in SECRETS:
        assert secret not in logged, f"{secret} appears in the log:\n" + "\n".join(
            line for line in logged.splitlines() if secret in line)[:2000]
        leaked = [url for url in urls if secret in urllib.parse.unquote(url)]
        assert not leaked, f"{secret} appears in URLs: {leaked}"


def _pages_of_a_case(browser: Browser, case_id: int) -> None:
    """Open every page of a case that can carry personal data: the case, its forms and its documents."""
    _status, content, _ = browser.open(f"/cases/{case_id}")
    page = content.decode()
    for path in sorted(set(re.findall(rf'href="(/cases/{case_id}/[^"#?]+)', page))):
        browser.open(path)
    browser.open(f"/cases/{case_id}/documents/case-file")
    browser.open(f"/cases/{case_id}/documents/case-file.docx")


def _lists(browser: Browser) -> None:
    for path in ("/", "/cases", "/petitions", "/queue", "/queue?tab=all&sort=due", "/queue/export.csv",
                 "/screening", "/cases/supervised"):
        browser.open(path)


def test_a_representative_run_of_every_page_with_personal_data_logs_none_and_puts_none_in_a_url(
        app, world, live, logs):
    case = make_dispute(world.staff, world.village, state="visited")
    petition = make_petition(world.staff, world.township, state="answered", village=world.village)

    staff = Browser(live)
    staff.login("staff")
    # intake with an ID and a phone; then the same with both wrong, refused with messages beside them
    status, _content, location = staff.open("/cases/new", intake_form(
        world.village, **{"applicants-0-id_number": NEW_ID, "applicants-0-phone": NEW_PHONE}))
    assert status == 302
    new_case_id = int(location.rstrip("/").rsplit("/", 1)[1])
    status, content, _ = staff.open("/cases/new", intake_form(
        world.village, **{"applicants-0-id_number": BAD_ID, "applicants-0-phone": BAD_PHONE}))
    assert status == 400 and "校验位" in content.decode()
    status, _content, location = staff.open("/petitions/new", {
        "received_on": case.registered_on.isoformat(), "channel": "visit", "village_id": str(world.village.id),
        "category_id": str(category(world.township).id), "persons": "1", "level": "township",
        "request": "要求公开补偿款分配情况", "petitioners-0-name": "钱二", "petitioners-0-id_number": NEW_ID,
        "petitioners-0-phone": NEW_PHONE})
    assert status == 302
    status, content, _ = staff.open("/petitions/new", {
        "received_on": case.registered_on.isoformat(), "channel": "visit", "category_id": "",
        "persons": "1", "level": "township", "request": "", "petitioners-0-name": "钱二",
        "petitioners-0-id_number": BAD_ID, "petitioners-0-phone": BAD_PHONE})
    assert status == 400

    urls = staff.urls
    for username in ("staff", "mediator1", "leader", "admin", "farstaff"):
        browser = staff if username == "staff" else Browser(live, urls)
        if username != "staff":
            browser.login(username)
        for case_id in (case.id, new_case_id):
            _pages_of_a_case(browser, case_id)
        browser.open(f"/petitions/{petition.id}")
        _lists(browser)
        browser.open("/cases/999999")  # 404
        browser.open("/petitions/999999")
        browser.open(f"/cases/{case.id}/attachments/999999")
    status, _content, _ = staff.open(f"/ledger/export?year={case.registered_on.year}&format=dispute")
    assert status == 200
    assert_nowhere(logs, urls)
    assert any(record.name == "werkzeug" for record in logs.records), "the access log was not captured"


@pytest.fixture
def failing_party_insert(app):
    """Make the database itself refuse every new party, so intake ends in a server error after the parties'
    ID numbers and phones were sent to it."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("CREATE TRIGGER refuse_parties BEFORE INSERT ON parties "
                                "BEGIN SELECT RAISE(ABORT, 'parties refused for the test'); END"))
        db.session.commit()
        yield
        db.session.execute(text("DROP TRIGGER refuse_parties"))
    else:
        db.session.execute(text("CREATE FUNCTION refuse_parties() RETURNS trigger AS $$ BEGIN "
                                "RAISE EXCEPTION 'parties refused for the test'; END $$ LANGUAGE plpgsql"))
        db.session.execute(text("CREATE TRIGGER refuse_parties BEFORE INSERT ON parties "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_parties()"))
        db.session.commit()
        yield
        db.session.execute(text("DROP TRIGGER refuse_parties ON parties"))
        db.session.execute(text("DROP FUNCTION refuse_parties()"))
    db.session.commit()


def test_a_server_error_during_intake_shows_and_logs_no_id_number_or_phone(app, world, live, logs,
                                                                             failing_party_insert):
    browser = Browser(live)
    browser.login("staff")
    before = db.session.execute(select(db.func.count()).select_from(Dispute)).scalar_one()
    status, content, _ = browser.open("/cases/new", intake_form(
        world.village, **{"applicants-0-id_number": NEW_ID, "applicants-0-phone": NEW_PHONE}))
    assert status == 500
    page = content.decode()
    assert "服务器内部错误" in page
    assert NEW_ID not in page and NEW_PHONE not in page
    assert any(record.levelno >= logging.ERROR for record in logs.records), "the server error was not logged"
    assert_nowhere(logs, browser.urls)
    db.session.rollback()
    assert db.session.execute(select(db.func.count()).select_from(Dispute)).scalar_one() == before


def test_error_pages_do_not_echo_what_was_asked(app, world, live, logs):
    browser = Browser(live)
    browser.login("staff")
    for path in ("/cases/999999", "/petitions/999999", "/no-such-page", "/cases/new/edit"):
        status, content, _ = browser.open(path)
        assert status in (404, 405)
        assert "页面不存在" in content.decode() or "请求方式不允许" in content.decode()


def test_a_number_typed_in_a_search_box_is_not_kept_by_the_access_log(app, world, live, logs):
    """A search is a GET form, so the number is in the request line the server logs before the app refuses it."""
    browser = Browser(live)
    browser.login("staff")
    for path in ("/queue", "/cases", "/petitions"):
        for typed in (VALID_ID, VALID_PHONE, "138-1234-5678", "１３８１２３４５６７８"):
            status, _content, location = browser.open(f"{path}?{urllib.parse.urlencode({'q': typed})}")
            assert status == 302 and typed not in location
    logged = _logged_text(logs)
    assert "GET /cases?q=" in logged and "[已隐去]" in logged  # the request was logged, its number hidden
    for written in ("138-1234-5678", "１３８１２３４５６７８", "%EF%BC%91%EF%BC%93%EF%BC%98", "1234-5678"):
        assert written not in logged, written
    assert_nowhere(logs, [])


def test_gunicorn_access_log_records_are_redacted_too(app, logs):
    import logging as stdlib_logging

    stdlib_logging.getLogger("gunicorn.access").info(
        '%(h)s "%(r)s" %(s)s', {"h": "127.0.0.1", "r": f"GET /queue?q={VALID_PHONE} HTTP/1.1", "s": "302"})
    assert "GET /queue?q=[已隐去] HTTP/1.1" in _logged_text(logs)
    assert_nowhere(logs, [])


# --- searches: an ID number or phone typed in a search box must not stay in the address ----------------

def test_the_queue_drops_an_id_number_or_phone_typed_in_its_search_from_the_address(client, world):
    make_dispute(world.staff, world.village)
    client_as_staff = client
    client_as_staff.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    for typed in (VALID_ID, VALID_PHONE, f"张三 {VALID_PHONE}"):
        response = client_as_staff.get("/queue", query_string={"q": typed, "tab": "all"})
        assert response.status_code == 302
        assert typed not in urllib.parse.unquote(response.headers["Location"])
        page = client_as_staff.get(response.headers["Location"]).get_data(as_text=True)
        assert VALID_ID not in page and VALID_PHONE not in page


@pytest.mark.parametrize("path", ["/cases", "/petitions"])
@pytest.mark.parametrize("typed", [VALID_ID, "138-1234-5678", "138 1234 5678", "１３８１２３４５６７８"])
def test_the_lists_drop_an_id_number_or_phone_typed_in_their_search_from_the_address(client, world, path, typed):
    client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    response = client.get(path, query_string={"q": typed, "status": "registered", "page": "2",
                                              "endpoint": "x", "_method": "POST", "_anchor": "top"})
    assert response.status_code == 302
    location = urllib.parse.unquote(response.headers["Location"])
    assert typed not in location and "status=registered" in location  # the list's own filter stays
    assert "endpoint" not in location and "#top" not in location and "_method" not in location
    page = client.get(location).get_data(as_text=True)
    assert typed not in page and "请勿在搜索中输入身份证号码或电话号码" in page


@pytest.mark.parametrize("path", ["/cases", "/petitions"])
def test_a_page_number_past_the_end_shows_the_last_page(client, world, path):
    make_dispute(world.staff, world.village)
    client.post("/auth/login", data={"username": "staff", "password": PASSWORD})
    for page in ("99999999999999999999", "-3", "x"):
        assert client.get(path, query_string={"page": page}).status_code == 200


# --- masked in lists, whole only for those who handle the case --------------------------------------------

ROLES = ("mediator", "staff", "leader", "admin", "county_admin")


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_exports_never_show_an_id_number_or_phone_whole(app, world, role):
    from tests.security.helpers import rich_world

    rich_world(world)  # a township admin, and cases and petitions (with ID numbers and phones) everywhere
    client = client_as(app, role)
    for path in ("/cases", "/petitions", "/queue", "/queue?tab=all&kind=petition", "/queue/export.csv", "/",
                 "/screening", "/reports"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 403), path
        body = response.get_data(as_text=True)
        for secret in (VALID_ID, VALID_PHONE):
            assert secret not in body, f"{secret} whole in {path} for {role}"
        for shown in MASKED_PHONE.findall(body):
            assert shown.endswith("5678")  # when a list shows a phone at all, it is masked as 138****5678


# who sees the case's parties whole: those who handle it (staff of its township, the mediator of its village
# while it is handled at village level); leaders and admins read it masked
CASE_WHOLE = {"mediator": True, "staff": True, "leader": False, "admin": False, "county_admin": False}
# petitions: only the township's staff, who handle them
PETITION_WHOLE = {"mediator": False, "staff": True, "leader": False, "admin": False, "county_admin": False}


def _docx_text(data: bytes) -> str:
    document = docx.Document(BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("role", ROLES)
def test_the_case_page_and_its_documents_show_personal_data_whole_only_to_those_who_handle_it(app, world, role):
    from tests.security.helpers import rich_world

    rich = rich_world(world)
    case_id, petition_id = rich.arg("own", "case_id"), rich.arg("own", "petition_id")
    client = client_as(app, role)
    pages = {
        "case": client.get(f"/cases/{case_id}").get_data(as_text=True),
        "print view": client.get(f"/cases/{case_id}/documents/case-file").get_data(as_text=True),
        "docx": _docx_text(client.get(f"/cases/{case_id}/documents/case-file.docx").get_data()),
    }
    for name, body in pages.items():
        assert (VALID_ID in body) is CASE_WHOLE[role], f"{role}: ID number in the {name}"
        assert (VALID_PHONE in body) is CASE_WHOLE[role], f"{role}: phone in the {name}"
        if not CASE_WHOLE[role]:
            assert "1101**********002X" in body and "138****5678" in body, f"{role}: nothing masked in the {name}"
    petition_page = client.get(f"/petitions/{petition_id}").get_data(as_text=True)
    assert (VALID_ID in petition_page) is PETITION_WHOLE[role]
    assert (VALID_PHONE in petition_page) is PETITION_WHOLE[role]
    if not PETITION_WHOLE[role]:
        assert "138****5678" in petition_page


def test_the_stored_records_hold_the_numbers_the_pages_hide(app, world):
    """The masking is in the pages, not in the data: the handler still has the whole number."""
    case = make_dispute(world.staff, world.village)
    db.session.expire_all()
    assert db.session.get(Dispute, case.id).parties[0].id_number == VALID_ID
    petition = make_petition(world.staff, world.township)
    assert db.session.get(Petition, petition.id).petitioners[0].phone == VALID_PHONE
