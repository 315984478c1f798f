"""The JSON API v1 (/api/v1) for county systems and scripts: read-only, bearer tokens, the pages' own scope.

A request carries `Authorization: Bearer <token>` (flask token create USERNAME). The token's account is the
request's user (login_manager.request_loader), so the reach hook scopes every query exactly as it scopes that
account's pages; a browser session does not open the API. 401 for a missing, unknown, revoked or expired token,
403 for what the account may not read at all, 404 for what lies outside its reach, 429 past the token's rate.
"""

import base64
import json
from datetime import UTC, date, datetime

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
    Party,
    Petition,
    PetitionCategory,
    Petitioner,
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
    request.environ[TOKEN_KEY] = row.id  # this request's own: g may outlive it (one app context, many requests)
    return row.user


@bp.before_request
def _authenticate():
    """Refuse a request without a usable token (401), or past the token's rate (429)."""
    if request.endpoint == "api.openapi":
        return None  # the description is public
    signed_in = current_user.is_authenticated  # loads the user first: the request loader notes the token
    token_id = request.environ.get(TOKEN_KEY)
    if not signed_in or token_id is None:  # also: a browser session without a token
        raise ApiError(401, "invalid_token", "缺少令牌,或令牌无效、已撤销、已过期。")
    row = db.session.get(api_tokens.ApiToken, token_id)
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

def _cursor(raw: str | None) -> int:
    if not raw:
        return 0
    try:
        value = int(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)).decode())
    except (ValueError, UnicodeDecodeError) as bad:
        raise ApiError(400, "bad_cursor", "cursor 无效:请原样使用上一页返回的 next_cursor。") from bad
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


def _names(model, ids) -> dict[int, str]:
    """id -> name of the villages, types or categories a page names (not every one of the county's)."""
    ids = sorted({i for i in ids if i is not None})
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat() if isinstance(value, date) else str(value)


def _person(name, id_number, phone, whole: bool, **extra) -> dict:
    return {**extra, "name": name,
            "id_number": (id_number if whole else mask_id_number(id_number)) or None,
            "phone": (phone if whole else mask_phone(phone)) or None}


DISPUTE_COLUMNS = (Dispute.id, Dispute.number, Dispute.township_id, Dispute.village_id, Dispute.registered_on,
                   Dispute.status, Dispute.level, Dispute.outcome, Dispute.closed_on, Dispute.dispute_type_id,
                   Dispute.risk_level, Dispute.updated_at)
PETITION_COLUMNS = (Petition.id, Petition.number, Petition.township_id, Petition.village_id, Petition.received_on,
                    Petition.status, Petition.level, Petition.channel, Petition.persons, Petition.category_id,
                    Petition.updated_at)


def _dispute_items(rows, names: dict, detail: dict | None = None) -> list[dict]:
    ids = [r.id for r in rows]
    parties: dict[int, list] = {}
    for p in api_cases.people_of(Party, Party.dispute_id, ids, Party.side):
        parties.setdefault(p.owner_id, []).append(p)
    items = []
    for r in rows:
        whole = permissions.sees_personal_data(current_user, r)
        items.append({
            "kind": "dispute", "number": r.number, "township": names["townships"].get(r.township_id),
            "village": names["villages"].get(r.village_id), "registered_on": _iso(r.registered_on),
            "status": r.status, "status_label": wf.DisputeState(r.status).label,
            "type": names["types"].get(r.dispute_type_id), "level": r.level, "risk_level": r.risk_level,
            "outcome": r.outcome, "closed_on": _iso(r.closed_on), "updated_at": _iso(r.updated_at),
            "parties": [_person(p.name, p.id_number, p.phone, whole, side=p.side) for p in parties.get(r.id, [])],
            **(detail or {}),
        })
    return items


def _petition_items(rows, names: dict, detail: dict | None = None) -> list[dict]:
    ids = [r.id for r in rows]
    people: dict[int, list] = {}
    for p in api_cases.people_of(Petitioner, Petitioner.petition_id, ids):
        people.setdefault(p.owner_id, []).append(p)
    items = []
    for r in rows:
        whole = permissions.can_handle_petition(current_user, r)
        items.append({
            "kind": "petition", "number": r.number, "township": names["townships"].get(r.township_id),
            "village": names["villages"].get(r.village_id), "received_on": _iso(r.received_on),
            "status": r.status, "status_label": pw.PetitionState(r.status).label, "level": r.level,
            "channel": r.channel, "persons": r.persons, "category": names["categories"].get(r.category_id),
            "updated_at": _iso(r.updated_at),
            "petitioners": [_person(p.name, p.id_number, p.phone, whole) for p in people.get(r.id, [])],
            **(detail or {}),
        })
    return items


def _all_names(townships: list[Township], rows) -> dict:
    return {"townships": {t.id: t.name for t in townships},
            "villages": _names(Village, (r.village_id for r in rows)),
            "types": _names(DisputeType, (getattr(r, "dispute_type_id", None) for r in rows)),
            "categories": _names(PetitionCategory, (getattr(r, "category_id", None) for r in rows))}


@bp.route("/cases")
def cases():
    """The cases in the account's reach, 100 a page in id order; next_cursor fetches the next page."""
    kind = request.args.get("kind", "dispute")
    if kind not in ("dispute", "petition"):
        raise ApiError(400, "bad_kind", "kind 应为 dispute 或 petition。")
    model = Dispute if kind == "dispute" else Petition
    townships = _townships_in_reach()
    query = select(*(DISPUTE_COLUMNS if kind == "dispute" else PETITION_COLUMNS))
    name = request.args.get("township")
    if name:
        query = query.where(model.township_id == _township_named(name, townships).id)
    year = request.args.get("year")
    if year:
        if not (year.isascii() and year.isdigit()):
            raise ApiError(400, "bad_year", "year 应为四位年份。")
        query = query.where(model.year == int(year))
    status = request.args.get("status")
    if status:
        known = [s.value for s in (wf.DisputeState if kind == "dispute" else pw.PetitionState)]
        if status not in known:
            raise ApiError(400, "bad_status", f"status 应为 {', '.join(known)} 之一。")
        query = query.where(model.status == status)
    since = _since(request.args.get("updated_since"))
    if since is not None:
        query = query.where(model.updated_at >= since)
    if kind == "dispute":
        query = query.where(Dispute.merged_into_id.is_(None))
    after = _cursor(request.args.get("cursor"))
    rows = api_cases.read_page(query, model, permissions.reach_of(current_user), after, PAGE_SIZE)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    names = _all_names(townships, rows)
    items = _dispute_items(rows, names) if kind == "dispute" else _petition_items(rows, names)
    return Response(json.dumps({"items": items, "next_cursor": _next_cursor(rows[-1].id) if more else None},
                               ensure_ascii=False), content_type="application/json")


@bp.route("/cases/<number>")
def case(number: str):
    """One case by its number (a dispute's or a petition's), in the account's reach."""
    townships = _townships_in_reach()
    row = db.session.execute(select(*DISPUTE_COLUMNS, Dispute.summary).where(
        Dispute.number == number, Dispute.merged_into_id.is_(None))).first()
    if row is not None:
        item = _dispute_items([row], _all_names(townships, [row]), {"summary": row.summary})[0]
    else:
        row = db.session.execute(select(*PETITION_COLUMNS, Petition.request).where(Petition.number == number)).first()
        if row is None:
            raise ApiError(404, "not_found", "没有这个案号的案件,或不在本账号的查看范围内。")
        item = _petition_items([row], _all_names(townships, [row]), {"request": row.request})[0]
    return Response(json.dumps(item, ensure_ascii=False), content_type="application/json")


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from casetrack.web.api_spec import SPEC

    return jsonify(SPEC)
