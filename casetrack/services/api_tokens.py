"""API tokens: made for an account and shown once, kept as a hash, revoked, expired, and rate-limited.

The limiter is a fixed window per token kept on the token's own row (api_tokens.window_start, window_count):
each request bumps the count with one UPDATE, committed before the request is answered, so it holds across
processes and gunicorn workers on SQLite and PostgreSQL alike; a request past the limit is answered 429 with
Retry-After and runs nothing else.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update

from casetrack.clock import now_utc
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import ApiToken, User

TOKEN_PREFIX = "ct_"
DEFAULT_DAYS = 90


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, days: int | None = DEFAULT_DAYS, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for the account; return the row and the token itself, which is never stored nor shown again.

    days=None or 0: a token that does not expire (revoke it when it is no longer needed).
    """
    if not user.active:
        raise DomainError("账号“%(username)s”已停用,不能创建令牌。", username=user.username)
    if days is not None and days < 0:
        raise DomainError("有效天数不能为负数。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now_utc()
    row = ApiToken(user_id=user.id, token_hash=_hash(token), prefix=token[:10], name=name.strip()[:60],
                   created_at=now, expires_at=now + timedelta(days=days) if days else None)
    db.session.add(row)
    db.session.flush()
    return row, token


def find_usable(token: str, now: datetime | None = None) -> ApiToken | None:
    """Return the token's row when it is known, not revoked, not expired and its account active; else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.execute(select(ApiToken).where(ApiToken.token_hash == _hash(token))).scalar_one_or_none()
    if row is None or not row.usable_at(now or now_utc()) or not row.user.active:
        return None
    return row


def revoke(row: ApiToken) -> ApiToken:
    """End a token at once; a revoked token stays listed, marked revoked."""
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        db.session.flush()
    return row


def tokens_of(user_ids: list[int] | None = None) -> list[ApiToken]:
    """The tokens of these accounts (None: of all), newest first."""
    query = select(ApiToken).order_by(ApiToken.id.desc())
    if user_ids is not None:
        query = query.where(ApiToken.user_id.in_(user_ids))
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True)
class Admission:
    allowed: bool
    remaining: int
    retry_after: int  # seconds until the window ends


def admit(row: ApiToken, limit: int, window_seconds: int, now: datetime | None = None) -> Admission:
    """Count one request of the token in its window and tell whether it is within the limit (commits)."""
    now = now or now_utc()
    cutoff = now - timedelta(seconds=window_seconds)
    fresh = (ApiToken.window_start.is_(None)) | (ApiToken.window_start <= cutoff)
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(
        window_count=case((fresh, 1), else_=ApiToken.window_count + 1),
        window_start=case((fresh, now), else_=ApiToken.window_start),
        last_used_at=now,
    ).execution_options(synchronize_session=False))
    count, started = db.session.execute(
        select(ApiToken.window_count, ApiToken.window_start).where(ApiToken.id == row.id)).one()
    db.session.commit()
    retry = max(1, int((started + timedelta(seconds=window_seconds) - now).total_seconds()))
    return Admission(count <= limit, max(0, limit - count), retry)
