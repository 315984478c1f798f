"""The JSON API v1 (/api/v1) for county systems and scripts: read-only, bearer tokens, the pages' own scope.

A request carries `Authorization: Bearer <token>` (flask token create USERNAME). The token's account is the
request's user (login_manager.request_loader), so the reach hook scopes every query exactly as it scopes that
account's pages; a browser session does not open the API. 401 for a missing, unknown, revoked or expired token,
403 for what the account may not read at all, 404 for what lies outside its reach, 429 past the token's rate.
"""

import base64
from datetime import UTC, datetime

import orjson
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from casetrack import clock, permissions
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.domain.identity import mask_id_number, mask_phone
from casetrack.domain.periods import Period
from casetrack.extensions import csrf, db, login_manager
from casetrack.models import (
    Dispute,
    DisputeType,
    Petition,
    PetitionCategory,
    Township,
    User,
    Village,
)
from casetrack.services import api_cases, api_tokens, report_files
from casetrack.services import statistics as stats

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PAGE_SIZE = 100
TOKEN_KEY = "casetrack.api_token_id"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    response = jsonify({"error": error.code, "message": error.message})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casetrack"'
    return response


@bp.errorhandler(404)
def _not_found(_error):
    return _api_error(ApiError(404, "not_found", "没有找到,或不在本账号的查看范围内。"))


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


@login_manager.request_loader
def _load_from_token(_request) -> User | None:
    """Make the bearer token's account the user of an API request (never of a page)."""
    if request.blueprint != "api":
        return None
    token = _bearer()
    row = api_tokens.find_usable(token) if token else None
    if row is None:
        return None
    request.environ[TOKEN_KEY] = row  # this request's own: g may outlive it (one app context, many requests)
    return row.user


@bp.before_request
def _authenticate():
    """Refuse a request without a usable token (401), or past the token's rate (429)."""
    if request.endpoint == "api.openapi":
        return None  # the description is public
    signed_in = current_user.is_authenticated  # loads the user first: the request loader notes the token
    row = request.environ.get(TOKEN_KEY)
    if not signed_in or row is None:  # also: a browser session without a token
        raise ApiError(401, "invalid_token", "缺少令牌,或令牌无效、已撤销、已过期。")
    admission = api_tokens.admit(row, int(current_app.config.get("API_RATE_LIMIT", 300)),
                                 int(current_app.config.get("API_RATE_WINDOW_SECONDS", 60)))
    g.api_remaining = admission.remaining
    if not admission.allowed:
        response = jsonify({"error": "rate_limited", "message": "请求过于频繁,请稍后再试。"})
        response.status_code = 429
        response.headers["Retry-After"] = str(admission.retry_after)
        return response
    return None


@bp.after_request
def _headers(response):
    response.headers["Cache-Control"] = "no-store"
    if "api_remaining" in g:
        response.headers["X-RateLimit-Remaining"] = str(g.api_remaining)
    return response


# --- places in reach ---------------------------------------------------------------------------------

def _townships_in_reach() -> list[Township]:
    """The townships whose cases the account sees (a mediator: their village's township)."""
    reach = permissions.reach_of(current_user)
    query = select(Township).order_by(Township.id)
    if reach.everywhere:
        pass
    elif reach.township_ids is not None:
        query = query.where(Township.id.in_(sorted(reach.township_ids)))
    elif reach.township_id is not None:
        query = query.where(Township.id == reach.township_id)
    elif reach.village_id is not None:
        query = query.where(Township.id == current_user.village.township_id)
    else:
        return []
    return list(db.session.execute(query).scalars())


def _township_named(name: str, townships: list[Township]) -> Township:
    for township in townships:
        if township.name == name:
            return township
    raise ApiError(404, "township_not_found", f"没有名为“{name}”的乡镇,或不在本账号的查看范围内。")


# --- figures -----------------------------------------------------------------------------------------

def _period(year: int) -> Period:
    month, quarter = request.args.get("month"), request.args.get("quarter")
    try:
        if month and quarter:
            raise ApiError(400, "bad_period", "month 与 quarter 只能选一个。")
        if not 1949 <= year <= clock.today().year + 1:
            raise ApiError(404, "not_found", "没有这一年的统计。")
        if month:
            return Period.of_month(year, int(month))
        if quarter:
            return Period.of_quarter(year, int(quarter))
        return Period.of_year(year)
    except (ValueError, DomainError) as bad:
        raise ApiError(400, "bad_period", "month 应为1至12,quarter 应为1至4。") from bad


@bp.route("/figures/<int:year>")
def figures(year: int):
    """The period's figures, definitions and report text: the JSON of /reports/<year>.json and flask report."""
    if not permissions.can_read_reports(current_user):
        raise ApiError(403, "forbidden", "本账号不能查看统计数字。")
    period = _period(year)
    townships = _townships_in_reach()
    name = request.args.get("township")
    if name:
        scope = stats.Scope((_township_named(name, townships),))
    elif len(townships) == 1 and current_user.township_id is not None:
        scope = stats.Scope((townships[0],))
    else:
        scope = stats.Scope(tuple(townships), all_townships=True)
    today = clock.today()
    body = report_files.render(period, scope, report_files.published_figures(period, scope, today), "json", today)
    return Response(body, content_type="application/json")


# --- cases -------------------------------------------------------------------------------------------

DATABASE_INT_MAX = 2**63 - 1  # past it, neither database can compare the value


def _cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)).decode())
    except (ValueError, UnicodeDecodeError) as bad:
        raise ApiError(400, "bad_cursor", "cursor 无效:请原样使用上一页返回的 next_cursor。") from bad
    if not 0 <= value <= DATABASE_INT_MAX:
        raise ApiError(400, "bad_cursor", "cursor 无效:请原样使用上一页返回的 next_cursor。")
    return value


def _next_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def _since(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as bad:
        raise ApiError(400, "bad_updated_since", "updated_since 应为 ISO 8601 时间,如 2026-12-01T00:00:00Z。") from bad
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment  # stored times are naive UTC


DISPUTE_LABELS = {state.value: state.label for state in wf.DisputeState}
PETITION_LABELS = {state.value: state.label for state in pw.PetitionState}
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z
"""Dates as 2026-12-07; stored times (naive UTC) as 2026-12-07T08:30:00Z."""


def _people(people, whole: bool, sides: bool) -> list[dict]:
    """The parties or petitioners of one case, their numbers masked unless the account handles the case."""
    if sides:
        if whole:
            return [{"side": side, "name": name, "id_number": id_number or None, "phone": phone or None}
                    for _owner, side, name, id_number, phone in people]
        return [{"side": side, "name": name, "id_number": mask_id_number(id_number) or None,
                 "phone": mask_phone(phone) or None} for _owner, side, name, id_number, phone in people]
    if whole:
        return [{"name": name, "id_number": id_number or None, "phone": phone or None}
                for _owner, name, id_number, phone in people]
    return [{"name": name, "id_number": mask_id_number(id_number) or None, "phone": mask_phone(phone) or None}
            for _owner, name, id_number, phone in people]


def _dispute_item(user: User, r, people, detail: dict | None = None) -> dict:
    """A dispute as the API shows it; r holds the case's columns and its township, village and type by name."""
    (_id, number, township, village, registered_on, status, type_name, level, risk_level, outcome, closed_on,
     updated_at) = r[:12]
    item = {
        "kind": "dispute", "number": number, "township": township, "village": village,
        "registered_on": registered_on, "status": status, "status_label": DISPUTE_LABELS[status],
        "type": type_name, "level": level, "risk_level": risk_level, "outcome": outcome, "closed_on": closed_on,
        "updated_at": updated_at, "parties": _people(people, permissions.sees_personal_data(user, r), True),
    }
    return {**item, **detail} if detail else item


def _petition_item(user: User, r, people, detail: dict | None = None) -> dict:
    """A petition as the API shows it; r holds the case's columns and its township, village and category by name."""
    (_id, number, township, village, received_on, status, level, channel, persons, category, updated_at) = r[:11]
    item = {
        "kind": "petition", "number": number, "township": township, "village": village,
        "received_on": received_on, "status": status, "status_label": PETITION_LABELS[status],
        "level": level, "channel": channel, "persons": persons, "category": category, "updated_at": updated_at,
        "petitioners": _people(people, permissions.can_handle_petition(user, r), False),
    }
    return {**item, **detail} if detail else item


def _json_response(body) -> Response:
    """The answer as JSON (orjson: the pages' 100 cases with their people are most of a request's work)."""
    return Response(orjson.dumps(body, option=JSON_OPTIONS), content_type="application/json")


@bp.route("/cases")
def cases():
    """The cases in the account's reach, 100 a page in id order; next_cursor fetches the next page.

    Two statements a page (services.api_cases): the cases with their places' and type's names, then their people.
    """
    user = current_user._get_current_object()  # once: the proxy costs a lookup on every use
    args = request.args
    kind = args.get("kind", "dispute")
    if kind not in ("dispute", "petition"):
        raise ApiError(400, "bad_kind", "kind 应为 dispute 或 petition。")
    reach = permissions.reach_of(user)
    township_id = None
    name = args.get("township")
    if name:
        township_id = api_cases.township_id_named(name, reach)
        if township_id is None:
            raise ApiError(404, "township_not_found", f"没有名为“{name}”的乡镇,或不在本账号的查看范围内。")
    year = args.get("year")
    if year:
        if not (year.isascii() and year.isdigit() and len(year) <= 9):
            raise ApiError(400, "bad_year", "year 应为四位年份。")
    status = args.get("status") or None
    labels = DISPUTE_LABELS if kind == "dispute" else PETITION_LABELS
    if status and status not in labels:
        raise ApiError(400, "bad_status", f"status 应为 {', '.join(labels)} 之一。")
    since = _since(args.get("updated_since"))
    after = _cursor(args.get("cursor"))
    filters = api_cases.Filters(township_id=township_id, year=int(year) if year else None, status=status,
                                since=since, after=after)
    rows = api_cases.read_page(kind, reach, filters, PAGE_SIZE)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    people = api_cases.people_of(kind, [r.id for r in rows])
    item = _dispute_item if kind == "dispute" else _petition_item
    return _json_response({"items": [item(user, r, people.get(r.id, ())) for r in rows],
                           "next_cursor": _next_cursor(rows[-1].id) if more else None})


def _one_case(model, number: str, *extra):
    """One case by its number with its places' and type's names, through the reach hook (None outside it)."""
    if model is Dispute:
        columns = (Dispute.id, Dispute.number, Township.name.label("township"), Village.name.label("village"),
                   Dispute.registered_on, Dispute.status, DisputeType.name.label("type"), Dispute.level,
                   Dispute.risk_level, Dispute.outcome, Dispute.closed_on, Dispute.updated_at, Dispute.township_id,
                   Dispute.village_id)
        named = (DisputeType, DisputeType.id == Dispute.dispute_type_id)
        condition = (Dispute.number == number) & Dispute.not_merged
    else:
        columns = (Petition.id, Petition.number, Township.name.label("township"), Village.name.label("village"),
                   Petition.received_on, Petition.status, Petition.level, Petition.channel, Petition.persons,
                   PetitionCategory.name.label("category"), Petition.updated_at, Petition.township_id,
                   Petition.village_id)
        named = (PetitionCategory, PetitionCategory.id == Petition.category_id)
        condition = Petition.number == number
    query = select(*columns, *extra).select_from(model).outerjoin(Township, Township.id == model.township_id).outerjoin(
        Village, Village.id == model.village_id).outerjoin(*named).where(condition)
    return db.session.execute(query).first()


@bp.route("/cases/<number>")
def case(number: str):
    """One case by its number (a dispute's or a petition's), in the account's reach."""
    user = current_user._get_current_object()
    row = _one_case(Dispute, number, Dispute.summary)
    if row is not None:
        people = api_cases.people_of("dispute", [row.id]).get(row.id, ())
        return _json_response(_dispute_item(user, row, people, {"summary": row.summary}))
    row = _one_case(Petition, number, Petition.request)
    if row is None:
        raise ApiError(404, "not_found", "没有这个案号的案件,或不在本账号的查看范围内。")
    people = api_cases.people_of("petition", [row.id]).get(row.id, ())
    return _json_response(_petition_item(user, row, people, {"request": row.request}))


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from casetrack.web.api_spec import SPEC

    return jsonify(SPEC)
