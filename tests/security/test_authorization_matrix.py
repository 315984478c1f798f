"""The authorization matrix: every endpoint of the URL map × every role × own village / other village of the
township / other township → the status it must answer, and no write by anyone refused.

MATRIX below is the one table of expectations. An endpoint the app serves that is not in it fails
test_every_endpoint_is_in_the_matrix by name, so a new page cannot ship without saying who may open it.

Each row gives, for GET and for POST, one cell per role in ROLES order:
    anonymous  mediator(斜沟村)  staff(斜沟乡)  leader(斜沟乡)  admin(斜沟乡管理员)  county_admin(县级, no township)
A cell is one answer for every place, or "own/other/far" for a record in the mediator's own village, in
another village of the same township and in another township. "L" is a redirect to the login page, "302"
any other redirect. A row's GET (or POST) of None means the endpoint takes no GET (or POST): it must answer
405 to everyone. Every POST carries a body that would change something if it were let through, and every
answer other than a success (L, 400, 403, 404, 405, 409) must leave every table and every stored file as
they were; so must every GET.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Dispute
from tests.conftest import login
from tests.factories import intake_form
from tests.ledger.helpers import DISPUTE_HEADERS, dispute, table, write_csv
from tests.petition_factories import category
from tests.security.helpers import PLACES, ROLES, USERNAMES, client_as, fingerprint, png_bytes, rich_world

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

YEAR = clock.today().year  # any year the matrix asks for is allowed to exist


@dataclass(frozen=True)
class Row:
    get: str | None = None
    post: str | None = None
    variants: tuple[dict, ...] = ({},)  # fixed URL arguments; "?" holds a query string
    body: Callable | None = None  # (rich world, place) -> form data of the POST
    by_place: bool = False  # checked in each place although its URL names no record (its body does)


# --- POST bodies: each would change something if the role were let through ---------------------------

def _day(days_ago: int = 0) -> str:
    return (clock.today() - timedelta(days=days_ago)).isoformat()


def _village(w, place):
    return w.places[place].village


def _facts(w, place):
    return {"natural_village_id": "", "dispute_type_id": str(w.arg(place, "dispute_type_id")), "channel": "peoples",
            "people_involved": "3", "summary": "改写的案情", "risk_level": "general", "version": ""}


def _petition_intake(w, place):
    village = _village(w, place)
    return {"received_on": _day(2), "channel": "visit", "village_id": str(village.id),
            "category_id": str(category(village.township).id), "persons": "1", "level": "township",
            "request": "要求公开补偿款分配情况", "repeat_of_number": "", "petitioners-0-name": "赵大民",
            "petitioners-0-id_number": "", "petitioners-0-phone": "", "petitioners-0-address": ""}


def _round(w, place):
    # two weeks back: the place's own round of yesterday (security/helpers.py) already holds this week, and a
    # second round in one week is refused
    return {"level": "village", "village_id": str(_village(w, place).id), "held_on": _day(14), "screeners": "王调解",
            "focus": "", "findings-0-description": "", "findings-0-note": "", "notes": ""}


def _finding_dispute(w, place):
    return {"village_id": str(_village(w, place).id), "dispute_type_id": str(w.arg(place, "dispute_type_id")),
            "applicants": "甲某", "respondents": "乙某", "summary": "宅基地边界争执"}


def _attachment(w, place):
    return {"kind": "evidence", "description": "", "file": (BytesIO(png_bytes()), "照片.png")}


def _ledger_file(w, place):
    row = dispute(申请人="台账甲", 简要案情="台账导入的纠纷")
    content = ("\ufeff" + "\n".join(",".join("" if c is None else str(c) for c in r)
                                    for r in table(DISPUTE_HEADERS, [row])) + "\n").encode()
    return {"upload": (BytesIO(content), "台账.csv")}


def _bulk(w, place):
    return {"action": "escalate", "reason": "矛盾有激化趋势", "ids": [str(w.arg(p, "case_id")) for p in PLACES]}


def _period(w, place):
    return {"name": "春节", "starts_on": _day(3), "ends_on": _day(), "interval": "day", "applies_to": "both"}


EMPTY: Callable = lambda w, place: {}  # noqa: E731
NAMED: Callable = lambda w, place: {"name": f"新名称{place}"}  # noqa: E731
PASSWORD_BODY: Callable = lambda w, place: {"password": "New-pass-2026x", "confirm": "New-pass-2026x"}  # noqa: E731

# --- the matrix ---------------------------------------------------------------------------------------
# columns:                anonymous mediator      staff          leader         admin          county_admin

VIEW = "L  200/404/404  200/200/404  200/200/404  200/200/404  200"
ACT_GET = "L  200/404/404  200/200/404  403/403/404  403/403/404  403"
ACT_POST = "L  302/404/404  302/302/404  403/403/404  403/403/404  403"
STAFF_GET = "L  403/404/404  200/200/404  403/403/404  403/403/404  403"
LEADER_GET = "L  403/404/404  403/403/404  200/200/404  403/403/404  403"
ADMIN_GET = "L  403  403  403  200/200/404  200"
ADMIN_POST = "L  403  403  403  302/302/404  302"
EVERYONE = "L  200  200  200  200  200"
REPORTS = "L  403  200  200  200  200"
STAFF_ONLY = "L  403  200  403  403  403"
ADMINS_ONLY = "L  403  403  403  200  200"
FORMATS = tuple({"fmt": fmt} for fmt in ("json", "md", "docx", "xlsx"))

MATRIX: dict[str, Row] = {
    # sign-in
    "auth.login": Row(get="200  302  302  302  302  302", post="400  302  302  302  302  302", body=EMPTY),
    "auth.logout": Row(get="L  200  200  200  200  200", post="L  L  L  L  L  L", body=EMPTY),
    "auth.language": Row(post="302  302  302  302  302  302", body=lambda w, p: {"locale": "en"}),
    "auth.alive": Row(get="200  200  200  200  200  200"),  # says whether the session holds, to everyone
    "main.dashboard": Row(get=EVERYONE),
    "inbox.index": Row(get=EVERYONE),
    "inbox.rule_extension": Row(post="L  403/404/404  403/403/404  302/302/404  403/403/404  403",
                                body=lambda w, p: {"decision": "decline", "note": "理由不充分"}),
    "account.password": Row(get=EVERYONE, post="L  400  400  400  400  400", body=EMPTY),
    # disputes
    "cases.index": Row(get=EVERYONE),
    "cases.new": Row(get="L  200  200  403  403  403", post="L  302/400/400  302/302/400  403  403  403",
                     body=lambda w, p: intake_form(_village(w, p)), by_place=True),
    "cases.detail": Row(get=VIEW),
    "cases.edit": Row(get=ACT_GET, post=ACT_POST, body=_facts),
    "cases.act": Row(get=ACT_GET, post=ACT_POST, variants=({"slug": "investigation"},),
                     body=lambda w, p: {"noted_on": _day(), "content": "现场查看院墙", "version": ""}),
    # township review and supervision of a case
    "review.send_back": Row(get=STAFF_GET, post="L  403/404/404  302/302/404  403/403/404  403/403/404  403",
                            body=lambda w, p: {"note": "请补充当事人住址", "version": ""}),
    # the mediator's case was not sent back (their send-back was refused): the form is refused as its POST is
    "review.corrected": Row(get="L  409/404/404  200/200/404  403/403/404  403/403/404  403", post="L  409/404/404  302/302/404  403/403/404  403/403/404  403",
                            body=lambda w, p: {"note": "已补正", "version": ""}),
    "review.merge": Row(get=STAFF_GET, post="L  403/404/404  409/409/404  403/403/404  403/403/404  403",
                        body=lambda w, p: {"original": "(2020)斜调字第999号", "version": ""}),
    "review.responsibility": Row(get=ACT_GET, post=ACT_POST,
                                 body=lambda w, p: {"unit": "乡司法所", "leader": "李乡长", "person": "刘明",
                                                    "version": ""}),
    "review.supervise": Row(get=LEADER_GET, post="L  403/404/404  403/403/404  302/302/404  403/403/404  403",
                            body=lambda w, p: {"note": "请尽快化解", "due_on": (clock.today() + timedelta(days=7)).isoformat(),
                                               "version": ""}),
    "review.prevention": Row(get=ACT_GET, post=ACT_POST,
                             body=lambda w, p: {"criminal_persons": "2", "group_persons": "0", "version": ""}),
    "review.supervised": Row(get="L  403  403  200  403  403"),
    # the case file: print views, DOCX, attachments
    "documents.show": Row(get=VIEW, variants=({"kind": "application"}, {"kind": "case-file"})),
    "documents.docx": Row(get=VIEW, variants=({"kind": "application"}, {"kind": "case-file"})),
    "documents.new_attachment": Row(get=ACT_GET),
    "documents.upload": Row(post=ACT_POST, body=_attachment),
    "documents.attachment": Row(get=VIEW),
    # petitions
    "petitions.index": Row(get=EVERYONE),
    "petitions.new": Row(get="L  200  200  403  403  403", post="L  302/400/400  302/302/400  403  403  403",
                         body=_petition_intake, by_place=True),
    "petitions.detail": Row(get=VIEW),
    "petition_documents.show": Row(get=VIEW, variants=({"kind": "acceptance-notice"},)),
    "petition_documents.docx": Row(get=VIEW, variants=({"kind": "acceptance-notice"},)),
    "petitions.act": Row(get=STAFF_GET, post="L  403/404/404  302/302/404  403/403/404  403/403/404  403",
                         variants=({"slug": "answer"},),
                         body=lambda w, p: {"opinion": "explained", "opinion_text": "已向信访人解释", "answered_on": _day(),
                                            "version": ""}),
    # (petitions.act for the leader's steps: LEADER_STEP below)
    # the queue
    "queue.index": Row(get=EVERYONE),
    "queue.export": Row(get=EVERYONE),
    # the search form posts; digits are answered in place (a mediator's match no phone), words are redirected
    "queue.search": Row(post="L  200  200  200  200  200", body=lambda w, p: {"q": "5678", "tab": "all"}),
    "queue.save_view": Row(post="L  302  302  302  302  302", body=lambda w, p: {"name": "新视图", "query": "tab=all"}),
    "queue.delete_view": Row(post="L  302/404/404  404  404  404  404", body=EMPTY),
    "queue.bulk": Row(post="L  403  200  403  403  403", body=_bulk),
    # screening
    "screening.index": Row(get=EVERYONE),
    "screening.new": Row(get="L  200  200  403  403  403", post="L  302/400/400  302/302/400  403  403  403",
                         body=_round, by_place=True),
    "screening.detail": Row(get=VIEW),
    "screening.register_finding": Row(get=ACT_GET, post=ACT_POST, body=_finding_dispute),
    "screening.board": Row(get=EVERYONE),
    "screening.periods": Row(get=EVERYONE, post="L  403  302  403  403  403", body=_period),
    # statistics and the annual report, as pages and files
    "reports.index": Row(get="L  302  302  302  302  302"),
    "reports.year": Row(get=REPORTS),
    "reports.month": Row(get=REPORTS),
    "reports.quarter": Row(get=REPORTS),
    "reports.year_file": Row(get=REPORTS, variants=FORMATS),
    "reports.month_file": Row(get=REPORTS, variants=FORMATS),
    "reports.quarter_file": Row(get=REPORTS, variants=FORMATS),
    "reports.freeze": Row(post="L  403  302  403  403  403", body=EMPTY),
    # the county's roll-up (issue 21): county accounts and the county-wide admin
    "county.index": Row(get="L  403  403  403  403  302"),
    "county.year": Row(get="L  403  403  403  403  200", variants=({}, {"?": {"month": 1}}, {"?": {"quarter": 1}})),
    "county.year_file": Row(get="L  403  403  403  403  200", variants=({"fmt": "xlsx"}, {"fmt": "docx"})),
    "counties_admin.index": Row(get="L  403  403  403  403  200", post="L  403  403  403  403  302",
                                body=lambda w, p: {"name": "新设县"}),
    "counties_admin.update": Row(post="L  403  403  403  403  404", body=EMPTY),
    # the JSON API opens with a bearer token only (tests/county/test_api.py): a browser session gets 401
    "api.figures": Row(get="401  401  401  401  401  401"),
    "api.cases": Row(get="401  401  401  401  401  401"),
    "api.case": Row(get="401  401  401  401  401  401"),
    "api.openapi": Row(get="200  200  200  200  200  200"),
    "tokens_admin.index": Row(get=ADMINS_ONLY),
    "tokens_admin.revoke": Row(post="L  403  403  403  404  404", body=EMPTY),
    # monthly returns (月报): township staff submit; the county reviews (tests/county/test_monthly_returns.py)
    "returns.index": Row(get="L  403  200  403  403  403"),
    "returns.submit": Row(post="L  403  302  403  403  403", body=lambda w, p: {"note": "按时报送"}),
    "returns.show": Row(get="L  404  404  404  404  404"),
    "returns.accept": Row(post="L  404  404  404  404  404", body=EMPTY),
    "returns.send_back": Row(post="L  404  404  404  404  404", body=lambda w, p: {"reason": "数字有误"}),
    # the ledger (台账)
    "ledger.index": Row(get=STAFF_ONLY),
    "ledger.template": Row(get=STAFF_ONLY),
    "ledger.export": Row(get=STAFF_ONLY, variants=({"?": {"year": YEAR, "format": "xlsx"}},
                                                   {"?": {"year": YEAR, "format": "dispute"}})),
    "ledger.upload": Row(post="L  403  200  403  403  403", body=_ledger_file),
    "ledger.mapping": Row(post="L  403  200  403  403  403", body=lambda w, p: {"token": w.ledger_token}),
    "ledger.apply": Row(post="L  403  302  403  403  403", body=lambda w, p: {"token": w.ledger_token}),
    "ledger.imports": Row(get=STAFF_ONLY),
    "ledger.import_notices": Row(get="L  403  200/200/404  403  403  403"),
    "ledger.import_seen": Row(post="L  403  302/302/404  403  403  403", body=EMPTY),
    # help
    "help.phone": Row(get=EVERYONE),
    # early warnings (预警): seen within reach, acknowledged by those who handle the place, set by an admin
    "warnings.index": Row(get=EVERYONE),
    "warnings.as_json": Row(get=EVERYONE),
    "warnings.detail": Row(get=VIEW, post="L  302/404/404  302/302/404  302/302/404  403/403/404  403",
                           body=lambda w, p: {"note": "已安排包村干部走访"}),
    "warnings.settings": Row(get=ADMIN_GET, post=ADMIN_POST, body=lambda w, p: {
        "party_disputes": "3", "party_days": "180", "petitions": "3", "petition_months": "12", "people_yellow": "4",
        "people_red": "20", "surge_ratio": "2", "surge_minimum": "4", "surge_months": "6", "sensitive_lead_days": "7",
        "sensitive_periods": "全国两会,2027-03-03,2027-03-15"}),
    # administration
    "admin.index": Row(get=ADMINS_ONLY),
    "admin.townships": Row(get=ADMINS_ONLY, post="L  403  403  403  403  302",
                           body=lambda w, p: {"name": "新设乡", "villages": "新设村"}),
    "admin.township": Row(get=ADMIN_GET, post="L  403  403  403  400/400/404  400", body=EMPTY),
    "admin.villages": Row(get=ADMIN_GET, post=ADMIN_POST, body=NAMED),
    "admin.village": Row(get=ADMIN_GET, post=ADMIN_POST, body=lambda w, p: {"rename-name": f"改名村{p}"}),
    "admin.add_natural_village": Row(post=ADMIN_POST, body=lambda w, p: {"natural-name": f"新自然村{p}"}),
    "admin.natural_village": Row(get=ADMIN_GET, post=ADMIN_POST, body=NAMED),
    "admin.dispute_types": Row(get=ADMIN_GET, post=ADMIN_POST, body=NAMED),
    "admin.dispute_types_change": Row(post=ADMIN_POST, variants=({"change": "deactivate"},), body=EMPTY),
    "admin.petition_categories": Row(get=ADMIN_GET, post=ADMIN_POST, body=NAMED),
    "admin.petition_categories_change": Row(post=ADMIN_POST, variants=({"change": "deactivate"},), body=EMPTY),
    "admin.users": Row(get=ADMINS_ONLY),
    "admin.new_user": Row(get=ADMINS_ONLY, post="L  403  403  403  400  400", body=EMPTY),
    "admin.edit_user": Row(get=ADMIN_GET, post="L  403  403  403  400/400/404  400", body=EMPTY),
    "admin.reset_password": Row(get=ADMIN_GET, post=ADMIN_POST, body=PASSWORD_BODY),
    "notifications.channels": Row(get=ADMIN_GET, post=ADMIN_POST, body=EMPTY),
    "notifications.test": Row(post="L  403  403  403  404  404", variants=({"kind": "wecom"},), body=EMPTY),
    "admin.change_user": Row(post=ADMIN_POST, variants=({"change": "disable"}, {"change": "sign-out"}), body=EMPTY),
    # the calendar is county-wide: a township admin reads it, only a county-wide admin changes it (issue 13)
    "holidays.index": Row(get=ADMINS_ONLY, post="L  403  403  403  403  302",
                          body=lambda w, p: {"text": "日期,类型\n2027-01-01,休\n"}),
}

LEADER_STEP = Row(get=LEADER_GET, post="L  403/404/404  403/403/404  302/302/404  403/403/404  403",
                  variants=({"slug": "approve-extension"},),
                  body=lambda w, p: {"days": "10", "reason": "情况复杂需要核实", "approved_on": _day(), "version": ""})
"""petitions.act for a leader's step (Art. 34), which a different rule guards than the staff's steps."""

PLACE_ARGS = {"case_id", "attachment_id", "petition_id", "round_id", "finding_id", "view_id", "township_id",
              "village_id", "natural_id", "user_id", "item_id", "warning_id", "import_id"}
FIXED_ARGS = {"year": YEAR, "month": 1, "quarter": 1, "period_key": str(YEAR), "county_id": 999,
              "token_id": 999, "number": "(2026)斜调字第1号", "return_id": 999}
REFUSED = {"L", "400", "401", "403", "404", "405", "409"}


def _cell(cells: str | None, role: str, place: str) -> str:
    if cells is None:
        return "405"
    tokens = cells.split()
    assert len(tokens) == len(ROLES), f"a row needs one cell per role: {cells!r}"
    token = tokens[ROLES.index(role)]
    return token.split("/")[PLACES.index(place)] if "/" in token else token


def _rules(app) -> dict:
    rules = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            rules.setdefault(rule.endpoint, rule)
    return rules


def _place_bound(rule, row: Row) -> bool:
    return row.by_place or bool(set(rule.arguments) & PLACE_ARGS)


def _url(app, rich, endpoint: str, rule, variant: dict, place: str) -> str:
    values = {}
    for name in rule.arguments:
        if name in variant:
            values[name] = variant[name]
        elif name == "item_id":
            key = "dispute_type_id" if endpoint.startswith("admin.dispute_types") else "petition_category_id"
            values[name] = rich.arg(place, key)
        elif name in PLACE_ARGS:
            values[name] = rich.arg(place, name)
        else:
            values[name] = FIXED_ARGS[name]
    adapter = app.url_map.bind("localhost")
    return adapter.build(endpoint, {**values, **variant.get("?", {})})  # values beyond the rule go in the query


def _answer(response) -> str:
    response.get_data()  # read streamed bodies (the queue CSV) to the end
    response.close()
    if response.status_code == 302 and "/auth/login" in response.headers.get("Location", ""):
        return "L"
    return str(response.status_code)


def _stored_ledger_upload(app, rich) -> str:
    """Keep a valid one-row ledger upload of the staff member, as /ledger/upload would, and return its token."""
    import json

    folder = Path(app.instance_path) / "ledger-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    write_csv(folder / f"{token}.csv", table(DISPUTE_HEADERS, [dispute(申请人="待导入", 简要案情="待确认的台账")]),
              encoding="utf-8-sig")
    (folder / f"{token}.json").write_text(json.dumps({
        "user_id": rich.base.staff.id, "township_id": rich.base.township.id, "filename": "台账.csv",
        "suffix": ".csv"}, ensure_ascii=False), "utf-8")
    return token


def check_role(app, rich, role: str, rows: dict[str, Row]) -> tuple[list[str], int, int]:
    """Request every row as the role in every place; return (mismatches, cells checked, requests made)."""
    rules = _rules(app)
    client = client_as(app, role)
    problems, cells, requests = [], 0, 0
    for endpoint, row in rows.items():
        rule = rules[endpoint]
        places = PLACES if _place_bound(rule, row) else ("own",)
        for place in places:
            cells += 1
            for variant in row.variants:
                url = _url(app, rich, endpoint, rule, variant, place)
                where = f"{endpoint} {role} {place if len(places) > 1 else '-'} {url}"
                for method, cells_of in (("GET", row.get), ("POST", row.post)):
                    expected = _cell(cells_of, role, place)
                    data = row.body(rich, place) if method == "POST" and row.body and cells_of else {}
                    signing_out = endpoint == "auth.logout" and method == "POST" and role != "anonymous"
                    # a logout's success is the login page, and it ends the account's sessions: a write
                    before = fingerprint() if (method == "GET" or expected in REFUSED) and not signing_out else None
                    response = client.open(url, method=method, data=data)
                    requests += 1
                    got = _answer(response)
                    if got != expected:
                        problems.append(f"{method} {where}: expected {expected}, got {got}")
                    if before is not None and (method == "GET" or got in REFUSED) and fingerprint() != before:
                        problems.append(f"{method} {where}: answered {got} but changed stored data")
                    if endpoint == "auth.logout" and method == "POST" and role != "anonymous":
                        login(client, USERNAMES[role])  # signed out by the success; sign in again
    return problems, cells, requests


@pytest.fixture
def rich(app, world):
    made = rich_world(world)
    made.ledger_token = _stored_ledger_upload(app, made)
    return made


def test_every_endpoint_is_in_the_matrix(app):
    served = set(_rules(app))
    missing = sorted(served - MATRIX.keys())
    assert not missing, (
        f"endpoints not in the authorization matrix: {', '.join(missing)}. Add each to MATRIX in "
        f"{Path(__file__).name} with the status every role must get in every place."
    )
    stale = sorted(MATRIX.keys() - served)
    assert not stale, f"MATRIX names endpoints the app no longer serves: {', '.join(stale)}"


def test_the_matrix_says_which_methods_each_endpoint_takes(app):
    wrong = []
    for endpoint, rule in _rules(app).items():
        row = MATRIX[endpoint] if endpoint in MATRIX else None
        if row is None:
            continue
        if ("GET" in rule.methods) != (row.get is not None):
            wrong.append(f"{endpoint}: GET {'taken' if 'GET' in rule.methods else 'not taken'}")
        if ("POST" in rule.methods) != (row.post is not None):
            wrong.append(f"{endpoint}: POST {'taken' if 'POST' in rule.methods else 'not taken'}")
        if row.post is not None and row.body is None:
            wrong.append(f"{endpoint}: a POST row needs a body")
    assert not wrong, "; ".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_answers_each_role_in_each_place_as_the_matrix_says(app, rich, role):
    problems, _cells, _requests = check_role(app, rich, role, MATRIX)
    assert not problems, f"{len(problems)} cells differ from the matrix:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_leader_steps_of_a_petition(app, rich, role):
    problems, _cells, _requests = check_role(app, rich, role, {"petitions.act": LEADER_STEP})
    assert not problems, "\n".join(problems)


def matrix_size(app) -> dict[str, int]:
    """Count the matrix: endpoints, and endpoint × role × place cells (a place-free endpoint counts once a role)."""
    rules = _rules(app)
    per_role = sum(3 if _place_bound(rules[e], row) else 1 for e, row in MATRIX.items())
    return {"endpoints": len(MATRIX), "roles": len(ROLES), "cells": per_role * len(ROLES)}


def test_the_queue_csv_holds_only_what_the_role_may_see(app, rich):
    numbers = {place: db.session.get(Dispute, rich.arg(place, "case_id")).number for place in PLACES}
    reach = {"mediator": {"own"}, "staff": {"own", "other"}, "leader": {"own", "other"}, "admin": {"own", "other"},
             "county_admin": {"own", "other", "far"}}
    for role, places in reach.items():
        csv_text = client_as(app, role).get("/queue/export.csv").get_data(as_text=True)
        shown = {place for place, number in numbers.items() if number in csv_text}
        assert shown == places, f"{role} sees {sorted(shown)} in the queue CSV"
