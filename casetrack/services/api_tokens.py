"""API tokens: made for an account and shown once, kept as a hash, revoked, expired, and rate-limited.

The limiter is a fixed window per token in each process's memory (RateLimiter): no database write per request;
a request past the limit is answered 429 with Retry-After and runs nothing else.
"""

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from casetrack import permissions
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
    # One statement, the account with it; outside the reach hook, which would ask for this very user first.
    query = select(ApiToken).join(ApiToken.user).options(contains_eager(ApiToken.user)).where(
        ApiToken.token_hash == _hash(token))
    row = db.session.execute(query.execution_options(**permissions.COUNTY_WIDE)).scalar_one_or_none()
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


class RateLimiter:
    """A fixed window per token, counted in this process's memory (one lock, no database write per request).

    Each gunicorn worker counts apart, so a token may make up to workers × limit requests a window in all;
    the limit is set with that in mind (docs/api.md). The tokens' last use is written at most once a minute.
    """

    def __init__(self):
        self._windows: dict[str, tuple[datetime, int]] = {}
        self._lock = threading.Lock()

    def admit(self, token_key: str, limit: int, window_seconds: int, now: datetime) -> Admission:
        with self._lock:
            started, count = self._windows.get(token_key, (now, 0))
            if now - started >= timedelta(seconds=window_seconds):
                started, count = now, 0
            count += 1
            self._windows[token_key] = (started, count)
            if len(self._windows) > 10_000:  # forget windows long over (tokens not used for a while)
                cutoff = now - timedelta(seconds=window_seconds)
                self._windows = {k: v for k, v in self._windows.items() if v[0] > cutoff}
        retry = max(1, int((started + timedelta(seconds=window_seconds) - now).total_seconds()))
        return Admission(count <= limit, max(0, limit - count), retry)


LIMITER = RateLimiter()
LAST_USE_EVERY = timedelta(minutes=1)


def admit(row: ApiToken, limit: int, window_seconds: int, now: datetime | None = None) -> Admission:
    """Count one request of the token in its window and tell whether it is within the limit."""
    now = now or now_utc()
    admission = LIMITER.admit(row.token_hash, limit, window_seconds, now)  # ids are reused, hashes not
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_EVERY:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return admission
