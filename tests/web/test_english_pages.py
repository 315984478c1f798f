"""No untranslated interface string in the English interface: a crawl of every page, as every role.

Each role signs in, chooses English and follows every link (GET, same site) from the dashboard and the
navigation onwards, plus representative pages (cases and petitions in several states, a screening round, the
year's report, the county summary, the inbox, a warning, the error pages). On every HTML page the visible text
and the attributes a person reads (title, placeholder, aria-label, alt, the phone's card labels data-label, the
scripts' data-t-* and data-confirm texts) must hold no CJK character, except for data, found by an exact
allow-list:

1. Elements marked as data in the templates, `lang="zh"` (or `zh-CN`), with everything inside them: the way
   back to 中文, and a timeline entry kept as prose from before revision 0024 (`li[data-legacy]`); every other
   timeline entry is rendered from its data in the reader's language and is checked like any other text.
2. The values of the columns listed in DATA_COLUMNS, read from the database (names, villages, case facts, what a
   user typed), and each township's case-number prefix and committee name (their defaults are made from its
   name). Each value is removed from the text where it appears whole.
3. The file's own words (FILE_WORDS: the ledger's sheet names and its example mark, which an English page names
   as the clerk must write them) and case numbers (CASE_NUMBER, e.g. an example in a placeholder).

A CJK character left over is an interface string that was not translated.

A new untranslated label, heading, message or option fails here, naming the page and the words. To fix it:
translate it (`_()`, `make translations-update`); if it really is data, mark its element lang="zh" or add its
column to DATA_COLUMNS.
"""

import re
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select, text

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Role
from casetrack.services import accounts, counties
from casetrack.services import screening as screening_services
from tests.conftest import PASSWORD
from tests.factories import make_case_in, make_dispute
from tests.petition_factories import make_petition
from tests.reports import Browser
from tests.web.test_i18n import english, locale_per_request  # noqa: F401 (fixtures)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-label", "data-confirm"}
"""Attributes a person reads (data-label: the phone's card labels; data-confirm: the confirm dialog)."""

DATA_COLUMNS = {
    "townships": ["name"], "villages": ["name"], "natural_villages": ["name"], "counties": ["name"],
    "users": ["full_name"], "dispute_types": ["name"], "petition_categories": ["name"],
    "intensified_periods": ["name"], "calendar_days": ["name"],
    "disputes": ["number", "summary", "not_accepted_reason", "referred_to", "referral_body", "objection_by",
                 "objection_note", "agreement_facts", "agreement_terms", "performance_manner", "conclusion_notes",
                 "judicial_confirmation_court", "responsible_unit", "responsible_leader", "responsible_person",
                 "returned_note"],
    "parties": ["name", "address"], "petitioners": ["name", "address"],
    "petitions": ["number", "request", "review_result", "second_review_result", "decision_note", "extension_reason", "extension_requested_reason",
                  "opinion_text", "source_body", "source_reference", "completion_report_to",
                  "completion_report_text", "objection_reason", "legal_route_body", "review_body",
                  "second_review_body"],
    "mediation_sessions": ["place", "mediators", "attendees", "notes"],
    "investigation_notes": ["place", "subject", "content"], "return_visits": ["notes", "residual_risk"],
    "screening_rounds": ["screeners", "focus", "notes"], "screening_findings": ["description", "note"],
    "supervisions": ["note"], "monthly_returns": ["note", "review_reason"], "saved_views": ["name"],
    "attachments": ["filename", "description"], "api_tokens": ["name"],
    "warnings": ["subject", "acknowledged_note"],
}
"""What people typed or imported, shown as they wrote it: the exact values are allowed, nothing else."""

def _file_words() -> list[str]:
    from casetrack.ledger import format as ledger_format

    return [*ledger_format.SHEET_NAMES.values(), ledger_format.EXAMPLE_MARK]


FILE_WORDS = _file_words()
CASE_NUMBER = re.compile(r"[((]\d{4}[))][\u3400-\u9fff]{1,8}第\d+号")
"""A case number, such as (2026)斜调字第12号: an identifier in the township's own words."""

NEVER_FOLLOW = re.compile(
    r"^/(auth/logout|auth/language|static/)|\.(docx|xlsx|csv|json|md|pdf|zip)(\?|$)|/(download|export|file)\b"
)
PER_PATTERN = 2
"""Pages visited per URL shape (digits replaced): /cases/3 and /cases/8 are one shape."""


class _Reader(HTMLParser):
    """Collects the text and read attributes outside data elements (lang="zh…"), script and style."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._stack: list[bool] = []  # per open element: is it skipped (data, script, style)?

    @property
    def _skipping(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in ("script", "style") or (attrs.get("lang") or "").lower().startswith("zh")
        if not self._skipping and not skipped:
            for name, value in attrs.items():
                if value and (name in READ_ATTRIBUTES or name.startswith("data-t-")):
                    self.parts.append(value)
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.parts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag not in self.VOID:
            self._stack.append(skipped)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self._stack.pop()

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def _data_values() -> list[str]:
    values: set[str] = set()
    for table, columns in DATA_COLUMNS.items():
        for column in columns:
            for (value,) in db.session.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")):
                values.update(line.strip() for line in str(value).splitlines() if CJK.search(line))
    from casetrack.models import Township

    for township in db.session.execute(select(Township)).scalars():
        values.update((township.case_prefix, township.committee_name))
    return sorted(values, key=len, reverse=True)  # the longest first, so a name inside a summary goes with it


def untranslated(html: str, data: list[str]) -> tuple[list[str], list[str]]:
    """Return the CJK words left in the page's readable text once data is removed, and the page's links."""
    reader = _Reader()
    reader.feed(html)
    found = []
    for part in reader.parts:
        part = re.sub(r"\s+", " ", part)
        if not CJK.search(part):
            continue
        part = CASE_NUMBER.sub(" ", part)
        for value in [*data, *FILE_WORDS]:
            if value in part:
                part = part.replace(value, " ")
        if CJK.search(part):
            found.append(part.strip()[:120])
    return found, reader.links


def _shape(url: str) -> str:
    return re.sub(r"\d+", "<n>", url)


@pytest.fixture
def lived_in(app, world, fast_password_hashing):
    """The conftest world with what the pages show: cases in many states, petitions, rounds, a warning, a county."""
    today = clock.today()
    county = counties.add_county("示范县", [world.township.name, world.other_township.name])
    accounts.add_user("countyuser", PASSWORD, Role.COUNTY, county=county, full_name="周平")
    for situation in ("registered", "accepted", "mediating", "concluded-failed", "concluded-ended", "visited",
                      "archived-succeeded", "not_accepted"):
        make_case_in(world.staff, world.village, situation)
    make_dispute(world.mediator, world.village, risk="major", registered_on=today - timedelta(3))
    for state in ("registered", "accepted", "in_progress", "answered", "closed"):
        make_petition(world.staff, world.township, state=state, village=world.village)
    screening_services.record_round(world.staff, world.township, "village", world.village.id,
                                    today - timedelta(days=today.weekday()), "王调解",
                                    [screening_services.FindingData("两户因宅基地边界争执", True)], today)
    screening_services.record_round(world.staff, world.township, "township", None, today, "刘明", [], today)
    db.session.commit()
    return world


USERS = {
    Role.STAFF: "staff", Role.LEADER: "leader", Role.MEDIATOR: "mediator1", Role.ADMIN: "admin",
    Role.COUNTY: "countyuser",
}


def _representative(year: int) -> list[str]:
    from casetrack.models import Dispute, Petition, RiskWarning, ScreeningRound

    first = lambda model: db.session.execute(select(model.id).order_by(model.id)).scalars().all()  # noqa: E731
    pages = ["/", "/inbox", "/queue", "/cases", "/petitions", "/screening", "/screening/board", "/warnings",
             f"/reports/{year}", f"/reports/{year}/q1", f"/reports/{year}/1", "/county", f"/county/{year}",
             "/returns", "/help/phone", "/account/password", "/no-such-page"]
    pages += [f"/cases/{i}" for i in first(Dispute)] + [f"/petitions/{i}" for i in first(Petition)]
    pages += [f"/screening/{i}" for i in first(ScreeningRound)] + [f"/warnings/{i}" for i in first(RiskWarning)]
    return pages


def crawl(client, start: list[str], data: list[str], limit: int = 400) -> tuple[dict[str, list[str]], int]:
    """Visit start and every same-site link reached from it; return the untranslated words per page."""
    queue, seen_shapes, seen, problems, visited = deque(start), {}, set(), {}, 0
    while queue and visited < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = _shape(url)
        if seen_shapes.get(shape, 0) >= PER_PATTERN and url not in start:
            continue
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        response = client.get(url)
        visited += 1
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(response.headers["Location"])._replace(scheme="", netloc="").geturl())
            continue
        if not response.mimetype == "text/html":
            continue
        words, links = untranslated(response.get_data(as_text=True), data)
        if words:
            problems[url] = words
        for link in links:
            parts = urlsplit(urljoin(url, link))
            if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
                continue
            target = parts._replace(scheme="", netloc="", fragment="").geturl()
            if target and not NEVER_FOLLOW.search(target) and target not in seen:
                queue.append(target)
    return problems, visited


def _report(problems: dict[str, list[str]]) -> str:
    lines = []
    for url, words in sorted(problems.items()):
        lines.append(f"{url}: " + " | ".join(dict.fromkeys(words)))
    return "\n".join(lines)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("role", list(USERS))
def test_every_page_a_role_reaches_is_english_but_for_data(app, lived_in, role):
    client = Browser(app, app.response_class, use_cookies=True)
    assert client.post("/auth/login", data={"username": USERS[role], "password": PASSWORD}).status_code == 302
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    problems, visited = crawl(client, _representative(clock.today().year), _data_values())
    assert visited > 20
    assert not problems, f"untranslated interface strings as {role.value}:\n" + _report(problems)


@pytest.mark.usefixtures("english")
def test_the_signed_out_pages_and_the_login_message_are_english(app, lived_in):
    client = Browser(app, app.response_class, use_cookies=True)
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    page = client.get("/queue", follow_redirects=True)
    assert "Please sign in" in page.get_data(as_text=True)
    problems, _visited = crawl(client, ["/auth/login", "/no-such-page"], _data_values())
    assert not problems, _report(problems)


def test_the_checker_finds_an_untranslated_string_and_allows_marked_data():
    html = ('<html lang="en"><body><h1>Case</h1><p>斜沟村</p><span lang="zh">历史记录</span>'
            '<td data-label="所属村">x</td><input placeholder="请输入"><button lang="zh-CN">中文</button></body></html>')
    words, _links = untranslated(html, ["斜沟村"])
    assert words == ["所属村", "请输入"]
    words, _links = untranslated("<p>由斜沟村登记</p>", ["斜沟村"])
    assert words == ["由 登记"]  # data inside an interface sentence: the sentence's own words are caught


@pytest.mark.usefixtures("english")
def test_the_error_pages_are_english(app, lived_in):
    """404, 403, a stale form (CSRF) and a server error: English titles and words, nothing left Chinese."""
    from flask_babel import force_locale
    from werkzeug.exceptions import InternalServerError

    client = Browser(app, app.response_class, use_cookies=True)
    assert client.post("/auth/login", data={"username": "mediator1", "password": PASSWORD}).status_code == 302
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    pages = {"404": client.get("/no-such-page"), "403": client.get("/admin/users")}
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        pages["csrf"] = client.post("/cases/new", data={"summary": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert [pages[k].status_code for k in ("404", "403", "csrf")] == [404, 403, 400]
    with app.test_request_context("/"), force_locale("en"):
        handler = app.error_handler_spec[None][500][InternalServerError]
        body, status = handler(InternalServerError())
    assert status == 500
    titles = {"404": "Page not found", "403": "Access denied", "csrf": "Bad request"}
    for key, response in pages.items():
        html = response.get_data(as_text=True)
        assert f"<h1>{titles[key]}</h1>" in html, key
        assert untranslated(html, _data_values())[0] == [], key
    assert "<h1>Internal server error</h1>" in body and untranslated(body, _data_values())[0] == []
    assert "CSRF" in pages["csrf"].get_data(as_text=True)  # the stale-form explanation, in English


@pytest.mark.usefixtures("english")
def test_the_files_keep_chinese_when_the_interface_is_english(app, lived_in):
    from urllib.parse import unquote

    year = clock.today().year
    client = Browser(app, app.response_class, use_cookies=True)
    assert client.post("/auth/login", data={"username": "countyuser", "password": PASSWORD}).status_code == 302
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    assert "disputes and petitions of every township" in client.get(f"/county/{year}").get_data(as_text=True)
    county_file = client.get(f"/county/{year}.xlsx")
    assert f"示范县{year}年各乡镇矛盾纠纷调处和信访工作汇总.xlsx" in unquote(county_file.headers["Content-Disposition"])
    report = client.get(f"/reports/{year}.md?township={lived_in.township.id}").get_data(as_text=True)
    assert f"斜沟乡{year}年矛盾纠纷排查调处和信访工作统计" in report and "调处率" in report
    assert "Mediation rate" not in report
