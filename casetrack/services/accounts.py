"""Accounts: creation, the password policy, sessions that end, and login behind the throttle."""

import re
import secrets
from datetime import datetime
from functools import cache
from importlib import resources

from flask import current_app, has_app_context
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import County, Role, Township, User, Village
from casetrack.models.users import LOCALES
from casetrack.services import login_throttle
from casetrack.services.login_throttle import AccountLocked, LoginSlowed, ThrottlePolicy  # noqa: F401 (re-exported)

MIN_PASSWORD_LENGTH = 10


@cache
def common_passwords() -> frozenset[str]:
    """The commonly used passwords shipped with the package (casetrack/data/common-passwords.txt), lower case."""
    text = resources.files("casetrack").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _core(text: str) -> str:
    """Return a text without digits and symbols around it, lower case: 'Password2024!' has the core 'password'."""
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text.casefold())


def password_refusal(password: str, username: str = "") -> DomainError | None:
    """Return why a new password is too weak (NIST SP 800-63B), as the DomainError to raise, or None.

    At least MIN_PASSWORD_LENGTH characters, not a commonly used password, not the username or a township's
    name, not even with digits or symbols added before or after; no rules on kinds of characters, which make passwords harder to
    remember and no harder to guess.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return DomainError("密码至少%(length)s位。", length=MIN_PASSWORD_LENGTH)
    folded = password.casefold()
    core = _core(password)
    if folded in common_passwords() or (len(core) >= 4 and core in common_passwords()):
        return DomainError("这是常见密码,很容易被猜中,请换一个。")
    names = [username.strip()] if username.strip() else []
    if has_app_context():
        names += db.session.execute(select(Township.name)).scalars().all()
    for name in names:
        if folded == name.casefold() or (_core(name) and _core(password) == _core(name)):
            return DomainError("密码不能是用户名或乡镇名称。")
    return None


def add_user(
    username: str, password: str, role: Role, township: Township | None = None, village: Village | None = None,
    full_name: str = "", county: County | None = None,
) -> User:
    """Create an account; a mediator belongs to one village, staff and leaders to one township, the county's
    staff (县司法局/信访局) to one county."""
    username = username.strip()
    if not username:
        raise DomainError("用户名不能为空。")
    if db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise DomainError("用户名“%(username)s”已被使用。", username=username)
    refusal = password_refusal(password, username)
    if refusal:
        raise refusal
    township, village = _placement(role, township, village)
    if role is Role.COUNTY:
        if county is None:
            raise DomainError("县级账号必须指定所属县。")
        township = None
    else:
        county = None
    user = User(
        username=username, full_name=full_name.strip(), role=role.value,
        township_id=township.id if township else None, village_id=village.id if village else None,
        county_id=county.id if county else None,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def _placement(
    role: Role, township: Township | None, village: Village | None
) -> tuple[Township | None, Village | None]:
    """Return where an account of this role belongs: a mediator's village sets the township."""
    if role is Role.MEDIATOR:
        if village is None:
            raise DomainError("村调解员必须指定所属村。")
        return village.township, village
    if role in (Role.STAFF, Role.LEADER) and township is None:
        raise DomainError("乡干部和领导必须指定所属乡镇。")
    return township, None


def update_user(
    user: User, by: User, role: Role, township: Township | None = None, village: Village | None = None,
    full_name: str = "",
) -> User:
    """Change an account's role, place and name; an admin may not change their own role or township."""
    township, village = _placement(role, township, village)
    moved = (township.id if township else None) != user.township_id
    if user.id == by.id and (role is not user.role or moved):
        raise DomainError("不能更改自己的角色或所属乡镇。")
    if role is not user.role or moved or (village.id if village else None) != user.village_id:
        user.end_sessions()  # what the account may see changed: its open sessions must not keep the old reach
    user.role = role.value
    user.township, user.village = township, village
    user.full_name = full_name.strip()
    db.session.flush()
    return user


def reset_password(user: User, password: str) -> User:
    """Set a new password chosen by an admin, end the account's sessions and lift its login locks."""
    refusal = password_refusal(password, user.username)
    if refusal:
        raise refusal
    user.set_password(password)
    user.must_change_password = True  # the admin knows this one: the user chooses their own at the next login
    user.end_sessions()
    login_throttle.forget_account(user.username)
    db.session.flush()
    return user


class WrongCurrentPassword(DomainError):
    """The password typed as the current one is not the account's."""


def change_own_password(user: User, current: str, new: str) -> User:
    """Let a user replace their own password, proving the current one; end their other sessions.

    The new password follows the same policy as every other (password_refusal) and must differ from the
    current one; once set, an admin's reset no longer has to be replaced.
    """
    if not user.check_password(current):
        raise WrongCurrentPassword("当前密码不正确。")
    refusal = password_refusal(new, user.username)
    if refusal:
        raise refusal
    if new == current:
        raise DomainError("新密码不能与当前密码相同。")
    user.set_password(new)
    user.must_change_password = False
    user.end_sessions()  # a session opened elsewhere with the old password ends; the caller signs this one in again
    db.session.flush()
    return user


def end_sessions(user: User) -> User:
    """Sign the account out everywhere: every session it has open ends at its next request."""
    user.end_sessions()
    db.session.flush()
    return user


def choose_language(user: User, locale: str) -> bool:
    """Keep the language the user chose for the interface; the messages sent to them are written in it too.

    Return whether it changed. An unknown locale changes nothing.
    """
    if locale not in LOCALES or user.locale == locale:
        return False
    user.locale = locale
    db.session.flush()
    return True


def set_active(user: User, by: User, active: bool) -> User:
    """Enable or disable an account; a disabled account is refused at its very next request."""
    if user.id == by.id and not active:
        raise DomainError("不能停用自己的账号。")
    user.active = active
    if not active:
        user.end_sessions()
    db.session.flush()
    return user


def username_taken(username: str) -> bool:
    """Tell whether an account already uses this username."""
    return db.session.execute(select(User.id).where(User.username == username.strip())).first() is not None


def admit_login(username: str, address: str, now: datetime, policy: ThrottlePolicy) -> None:
    """Count a login attempt before its password is checked; raise AccountLocked or LoginSlowed to refuse it."""
    login_throttle.admit(username, address, now, policy)


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(username: str, password: str, address: str) -> User | None:
    """Return the user when the password is right (call admit_login first and commit).

    A name that matches no account costs one password check too, against a stand-in hash of the configured
    method, so the answer's time does not tell which names exist.
    """
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        check_password_hash(_stand_in_hash(method), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    login_throttle.clear(username, address)
    return user
