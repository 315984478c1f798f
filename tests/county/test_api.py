"""The JSON API v1: bearer tokens (made once, kept hashed, revoked, expired), the pages' scope and masking for
every role, the report's own figures, keyset pages, the rate limit, and every answer valid against the
OpenAPI 3.1 description the API serves."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from casetrack import clock
from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models import ApiToken, Dispute, Petition, Role, User
from casetrack.services import accounts, api_cases, api_tokens
from casetrack.web import api as api_module
from tests.conftest import PASSWORD, login
from tests.county.conftest import records_everywhere
from tests.factories import VALID_ID, VALID_PHONE

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

YEAR = clock.today().year


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _valid(spec, path: str, response) -> dict | list:
    """Check the answer against the description of path's GET at its status; return its JSON."""
    operation = spec["paths"][path]["get"]
    described = operation["responses"][str(response.status_code)]
    schema = {**described["content"]["application/json"]["schema"], "components": spec["components"]}
    body = response.get_json()
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)
    return body


@pytest.fixture
def tokens(county_world):
    """A token for each role's account; records in every village (南川乡 outside the county)."""
    records_everywhere(county_world)
    w = county_world.base
    townadmin = accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=w.township)
    made = {}
    for role, user in (("mediator", w.mediator), ("staff", w.staff), ("leader", w.leader), ("admin", w.admin),
                       ("townadmin", townadmin), ("county", county_world.county_user),
                       ("farstaff", w.far_staff)):
        made[role] = api_tokens.create_token(user)[1]
    db.session.commit()
    return made


def _get(client, url: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(url, headers=headers)


def _all_numbers(client, spec, token, kind="dispute", extra="") -> list[str]:
    numbers, cursor = [], None
    while True:
        url = f"/api/v1/cases?kind={kind}{extra}" + (f"&cursor={cursor}" if cursor else "")
        response = _get(client, url, token)
        assert response.status_code == 200, response.get_json()
        page = _valid(spec, "/cases", response)
        numbers += [item["number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return numbers


def _numbers_where(model, *conditions) -> set[str]:
    query = select(model.number).where(*conditions)
    if model is Dispute:
        query = query.where(Dispute.merged_into_id.is_(None))
    return set(db.session.execute(query).scalars())


def test_the_description_is_openapi_3_1_with_valid_schemas(spec):
    assert spec["openapi"] == "3.1.0"
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises, naming the fault, when a schema is malformed
    assert {"/figures/{year}", "/cases", "/cases/{number}"} <= set(spec["paths"])


@pytest.mark.parametrize("role", ["mediator", "staff", "leader", "townadmin", "county", "admin"])
def test_each_role_lists_exactly_the_cases_its_pages_show(client, spec, county_world, tokens, role):
    w = county_world.base

    def where(model):
        return {
            "mediator": (model.village_id == w.village.id,),
            "staff": (model.township_id == w.township.id,), "leader": (model.township_id == w.township.id,),
            "townadmin": (model.township_id == w.township.id,),
            "county": (model.township_id.in_([w.township.id, w.other_township.id]),),
            "admin": (),
        }[role]

    for kind, model in (("dispute", Dispute), ("petition", Petition)):
        numbers = _all_numbers(client, spec, tokens[role], kind)
        assert len(numbers) == len(set(numbers))
        assert numbers and set(numbers) == _numbers_where(model, *where(model)), kind


def test_outside_the_county_is_not_found(client, spec, county_world, tokens):
    outside = db.session.execute(select(Dispute.number).where(Dispute.township_id == county_world.outside.id)
                                 ).scalars().first()
    response = _get(client, f"/api/v1/cases/{quote(outside)}", tokens["county"])
    assert response.status_code == 404
    _valid(spec, "/cases/{number}", response)
    response = _get(client, "/api/v1/cases?township=南川乡", tokens["county"])
    assert response.status_code == 404
    assert _get(client, f"/api/v1/figures/{YEAR}?township=南川乡", tokens["county"]).status_code == 404
    assert _get(client, f"/api/v1/figures/{YEAR}?township=东岭乡", tokens["staff"]).status_code == 404


def test_personal_numbers_are_masked_as_the_account_sees_them(client, spec, county_world, tokens):
    number = db.session.execute(select(Dispute.number).where(Dispute.village_id == county_world.base.village.id)
                                ).scalars().first()
    seen = {}
    for role in ("staff", "leader", "county", "admin"):
        response = _get(client, f"/api/v1/cases/{quote(number)}", tokens[role])
        assert response.status_code == 200
        case = _valid(spec, "/cases/{number}", response)
        assert case["summary"] and case["kind"] == "dispute"
        seen[role] = case["parties"][0]
    assert seen["staff"]["id_number"] == VALID_ID and seen["staff"]["phone"] == VALID_PHONE  # handles the case
    for role in ("leader", "county", "admin"):
        assert seen[role]["id_number"] != VALID_ID and "*" in seen[role]["id_number"], role
        assert seen[role]["phone"] == "138****5678", role
    page = _valid(spec, "/cases", _get(client, "/api/v1/cases", tokens["county"]))
    flat = json.dumps(page, ensure_ascii=False)
    assert VALID_ID not in flat and VALID_PHONE not in flat


def test_a_petition_by_its_number(client, spec, county_world, tokens):
    number = db.session.execute(select(Petition.number).where(Petition.township_id == county_world.base.township.id)
                                ).scalars().first()
    case = _valid(spec, "/cases/{number}", _get(client, f"/api/v1/cases/{quote(number)}", tokens["county"]))
    assert case["kind"] == "petition" and case["request"] and case["petitioners"]


@pytest.mark.parametrize("query", ["", "&month=1", "&quarter=1"])
def test_figures_equal_the_cli_json_for_the_same_township_and_period(client, runner, spec, tokens, query):
    args = ["report", str(YEAR), "--township", "斜沟乡"]
    if query:
        key, value = query[1:].split("=")
        args += [f"--{key}", value]
    expected = json.loads(runner.invoke(args=args).output)
    for role in ("staff", "county", "admin"):
        response = _get(client, f"/api/v1/figures/{YEAR}?township=斜沟乡{query}", tokens[role])
        assert response.status_code == 200
        assert _valid(spec, "/figures/{year}", response) == expected, role
    assert "text" in expected and expected["text"]


def test_figures_are_refused_to_a_mediator_and_bad_periods_are_400(client, spec, tokens):
    response = _get(client, f"/api/v1/figures/{YEAR}", tokens["mediator"])
    assert response.status_code == 403
    _valid(spec, "/figures/{year}", response)
    response = _get(client, f"/api/v1/figures/{YEAR}?month=13", tokens["staff"])
    assert response.status_code == 400
    _valid(spec, "/figures/{year}", response)


def test_keyset_pages_walk_every_case_once(client, spec, county_world, tokens, monkeypatch):
    monkeypatch.setattr(api_module, "PAGE_SIZE", 2)
    numbers = _all_numbers(client, spec, tokens["admin"])
    assert len(numbers) == len(set(numbers)) == len(_numbers_where(Dispute)) > 4


def test_filters_by_township_year_status_and_update(client, spec, county_world, tokens):
    w = county_world.base
    assert set(_all_numbers(client, spec, tokens["county"], extra="&township=东岭乡")) == _numbers_where(
        Dispute, Dispute.township_id == w.other_township.id)
    assert set(_all_numbers(client, spec, tokens["county"], extra="&status=mediating")) == _numbers_where(
        Dispute, Dispute.status == "mediating", Dispute.township_id.in_([w.township.id, w.other_township.id]))
    assert _all_numbers(client, spec, tokens["county"], extra=f"&year={YEAR - 5}") == []
    later = (now_utc() + timedelta(minutes=5)).isoformat() + "Z"
    assert _all_numbers(client, spec, tokens["county"], extra=f"&updated_since={quote(later)}") == []
    for bad in ("kind=case", "status=happy", "year=20x6", "updated_since=yesterday", "cursor=!!"):
        response = _get(client, f"/api/v1/cases?{bad}", tokens["county"])
        assert response.status_code == 400, bad
        _valid(spec, "/cases", response)


def test_bad_missing_revoked_and_expired_tokens_are_401(client, spec, county_world, tokens):
    for token in (None, "ct_not-a-token", "garbage"):
        response = _get(client, "/api/v1/cases", token)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        _valid(spec, "/cases", response)
    revoked, revoked_token = api_tokens.create_token(county_world.county_user)
    api_tokens.revoke(revoked)
    expired, expired_token = api_tokens.create_token(county_world.county_user, days=1)
    expired.expires_at = now_utc() - timedelta(seconds=1)
    db.session.commit()
    assert _get(client, "/api/v1/cases", revoked_token).status_code == 401
    assert _get(client, "/api/v1/cases", expired_token).status_code == 401
    accounts.set_active(county_world.county_user, county_world.base.admin, False)
    db.session.commit()
    assert _get(client, "/api/v1/cases", tokens["county"]).status_code == 401
    assert _get(client, "/api/v1/cases", tokens["staff"]).status_code == 200


def test_a_browser_session_does_not_open_the_api(app, client, tokens):
    login(client, "staff")
    assert client.get("/api/v1/cases").status_code == 401


def test_api_answers_set_no_cookie(app, tokens):
    response = _get(app.test_client(), "/api/v1/cases", tokens["county"])
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_each_token_has_its_own_rate_limit(app, client, spec, tokens):
    app.config["API_RATE_LIMIT"] = 3
    for _n in range(3):
        assert _get(client, "/api/v1/cases", tokens["county"]).status_code == 200
    refused = _get(client, "/api/v1/cases", tokens["county"])
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    _valid(spec, "/cases", refused)
    assert _get(client, "/api/v1/cases", tokens["staff"]).status_code == 200


def test_cli_prints_a_token_once_and_keeps_only_its_hash(app, runner, county_world):
    result = runner.invoke(args=["token", "create", "countyuser", "--days", "30"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("ct_")
    row = db.session.execute(select(ApiToken)).scalar_one()
    assert token not in (row.token_hash, row.prefix) and row.token_hash != token and len(row.token_hash) == 64
    assert timedelta(days=29) < row.expires_at - row.created_at <= timedelta(days=30)
    client = app.test_client()
    assert _get(client, "/api/v1/cases", token).status_code == 200
    assert runner.invoke(args=["token", "create", "nobody"]).exit_code != 0


def test_admin_page_lists_tokens_and_revokes_one(app, client, county_world, tokens):
    login(client, "admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    row = db.session.execute(select(ApiToken).join(User).where(User.username == "countyuser")).scalar_one()
    assert row.prefix in page and tokens["county"] not in page
    assert client.post(f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert _get(app.test_client(), "/api/v1/cases", tokens["county"]).status_code == 401
    assert "已撤销" in client.get("/admin/tokens").get_data(as_text=True)


def _touch(model, numbers: list[str], when) -> None:
    db.session.execute(model.__table__.update().where(model.number.in_(numbers)).values(updated_at=when))


@pytest.mark.parametrize("probe", [api_cases.SINCE_PROBE, 0], ids=["few changed: by change time", "many: by id"])
def test_updated_since_lists_exactly_the_cases_changed_since(client, spec, county_world, tokens, monkeypatch, probe):
    """Both ways of reading "changed since" (the change times' index when few changed, the ids when many) give
    the same cases, page after page, within the reach."""
    monkeypatch.setattr(api_cases, "SINCE_PROBE", probe)
    monkeypatch.setattr(api_module, "PAGE_SIZE", 1)
    w = county_world.base
    now = now_utc()
    db.session.execute(Dispute.__table__.update().values(updated_at=now - timedelta(days=10)))
    db.session.execute(Petition.__table__.update().values(updated_at=now - timedelta(days=10)))
    in_county = Dispute.township_id.in_([w.township.id, w.other_township.id])
    numbers = sorted(_numbers_where(Dispute, in_county))
    outside = sorted(_numbers_where(Dispute, Dispute.township_id == county_world.outside.id))
    petitions = sorted(_numbers_where(Petition, Petition.township_id == w.other_township.id))
    _touch(Dispute, [numbers[0], numbers[-1], outside[0]], now - timedelta(hours=1))
    _touch(Petition, [petitions[0]], now - timedelta(hours=1))
    db.session.commit()
    since = "&updated_since=" + quote((now - timedelta(hours=2)).isoformat() + "Z")
    assert sorted(_all_numbers(client, spec, tokens["county"], extra=since)) == [numbers[0], numbers[-1]]
    other = _numbers_where(Dispute, Dispute.township_id == w.other_township.id)
    assert set(_all_numbers(client, spec, tokens["county"], extra="&township=东岭乡" + since)) == (
        other & {numbers[0], numbers[-1]})
    assert _all_numbers(client, spec, tokens["county"], "petition", extra=since) == [petitions[0]]
    assert _all_numbers(client, spec, tokens["staff"], "petition", extra=since) == []  # 斜沟乡's staff


def test_filters_combined_read_the_same_cases_as_the_database(client, spec, county_world, tokens):
    w = county_world.base
    year = db.session.execute(select(Dispute.year).where(Dispute.township_id == w.township.id)).scalars().first()
    in_county = Dispute.township_id.in_([w.township.id, w.other_township.id])
    for extra, conditions in (
            (f"&year={year}&status=mediating", (in_county, Dispute.year == year, Dispute.status == "mediating")),
            (f"&township=斜沟乡&year={year}", (Dispute.township_id == w.township.id, Dispute.year == year)),
            (f"&township=斜沟乡&year={year}&status=visited",
             (Dispute.township_id == w.township.id, Dispute.year == year, Dispute.status == "visited"))):
        expected = _numbers_where(Dispute, *conditions)
        assert expected and set(_all_numbers(client, spec, tokens["county"], extra=extra)) == expected, extra
    mediator = _all_numbers(client, spec, tokens["mediator"], extra="&status=visited")
    assert mediator and set(mediator) == _numbers_where(Dispute, Dispute.village_id == w.village.id,
                                                        Dispute.status == "visited")
