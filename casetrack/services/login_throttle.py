"""Login throttling that holds under parallel requests.

Every attempt is counted before its password is checked, by one atomic statement (INSERT ... ON CONFLICT DO
UPDATE ... RETURNING, on SQLite and PostgreSQL alike), so a burst of parallel requests cannot check more
passwords than the limit, whichever worker or thread serves them. Two counters:

- the pair (account, client address): after `max_attempts` checks in the window the pair is locked until the
  window ends. One address can lock only itself out of an account, not the account's owner elsewhere;
- the account (address ""): past `slow_after` checks in the window from all addresses together, the account is
  slowed, not locked: one password check per `slow_seconds`, whoever asks.

A successful login clears its pair; rows whose window has ended are removed at every attempt, those of names
that match no account included, so the table holds at most the last window's attempts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import LoginThrottle

ACCOUNT_WIDE = ""
"""The address of an account's own counter, which counts every address."""

T = LoginThrottle.__table__


class AccountLocked(DomainError):
    """Too many failed logins for this account from this address in the window."""


class LoginSlowed(DomainError):
    """The account is under many failed logins from everywhere: one password check per few seconds."""


@dataclass(frozen=True)
class ThrottlePolicy:
    max_attempts: int = 5
    window: timedelta = timedelta(minutes=15)
    slow_after: int = 20
    slow_seconds: int = 5

    @classmethod
    def from_config(cls, config) -> "ThrottlePolicy":
        return cls(config["LOGIN_MAX_FAILURES"], timedelta(minutes=config["LOGIN_LOCK_MINUTES"]),
                   config["LOGIN_ACCOUNT_SLOW_AFTER"], config["LOGIN_ACCOUNT_SLOW_SECONDS"])


def account_key(username: str) -> str:
    """Return the counter key of a typed username: case and surrounding spaces do not make a new counter."""
    return username.strip().casefold()[:40]


def _insert():
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _bump(account: str, address: str, now: datetime, window: timedelta) -> int:
    """Count one more attempt on the key, starting a new window when the last one ended; return the count."""
    expired = T.c.window_start < now - window
    statement = _insert()(T).values(account=account, address=address, window_start=now, attempts=1)
    statement = statement.on_conflict_do_update(
        index_elements=[T.c.account, T.c.address],
        set_={"attempts": case((expired, 1), else_=T.c.attempts + 1),
              "window_start": case((expired, now), else_=T.c.window_start)},
    ).returning(T.c.attempts)
    return db.session.execute(statement).scalar_one()


def _take_turn(account: str, now: datetime, every: timedelta) -> bool:
    """Claim the slowed account's next password check; False when another one had it less than `every` ago."""
    claimed = db.session.execute(
        update(T).where(T.c.account == account, T.c.address == ACCOUNT_WIDE,
                        or_(T.c.checked_at.is_(None), T.c.checked_at <= now - every))
        .values(checked_at=now).returning(T.c.account)
    ).first()
    return claimed is not None


def admit(username: str, address: str, now: datetime, policy: ThrottlePolicy) -> None:
    """Count a login attempt and raise when its password must not be checked; commit right after.

    The caller commits before checking the password, so no row lock is held through the slow hash.
    """
    account, address = account_key(username), (address or "?")[:64]
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.window_start < now - policy.window))
    if _bump(account, address, now, policy.window) > policy.max_attempts:
        raise AccountLocked("该账号在本机连续登录失败次数过多,已暂时锁定,请%(minutes)s分钟后再试。",
                            minutes=int(policy.window.total_seconds() // 60))
    if _bump(account, ACCOUNT_WIDE, now, policy.window) > policy.slow_after and not _take_turn(
            account, now, timedelta(seconds=policy.slow_seconds)):
        # not this address's fault: give its attempt back, so waiting does not lock the pair
        db.session.execute(update(T).where(T.c.account == account, T.c.address == address)
                           .values(attempts=T.c.attempts - 1))
        raise LoginSlowed("该账号近期登录失败次数过多,请%(seconds)s秒后再试。", seconds=policy.slow_seconds)


def clear(username: str, address: str) -> None:
    """Forget the pair's attempts after a successful login."""
    db.session.execute(delete(LoginThrottle).where(
        LoginThrottle.account == account_key(username), LoginThrottle.address == (address or "?")[:64]))


def forget_account(username: str) -> None:
    """Lift every lock and slowdown of an account (an admin set a new password)."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.account == account_key(username)))
