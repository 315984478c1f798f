"""Accounts: creation, password policy and login with a lock after repeated failures."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from casetrack.clock import now_utc
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import LoginFailure, Role, Township, User, Village

MIN_PASSWORD_LENGTH = 8


def password_refusal(password: str) -> DomainError | None:
    """Return why a new password is too weak, as the DomainError to raise, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return DomainError("密码至少%(length)s位。", length=MIN_PASSWORD_LENGTH)
    if password.isdigit() or password.isalpha():
        return DomainError("密码须同时包含字母和数字。")
    return None


def add_user(
    username: str, password: str, role: Role, township: Township | None = None, village: Village | None = None,
    full_name: str = "",
) -> User:
    """Create an account; a mediator belongs to one village, staff and leaders to one township."""
    username = username.strip()
    if not username:
        raise DomainError("用户名不能为空。")
    if db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        raise DomainError("用户名“%(username)s”已被使用。", username=username)
    refusal = password_refusal(password)
    if refusal:
        raise refusal
    township, village = _placement(role, township, village)
    user = User(
        username=username, full_name=full_name.strip(), role=role.value,
        township_id=township.id if township else None, village_id=village.id if village else None,
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
    if user.id == by.id and (role is not user.role_enum or moved):
        raise DomainError("不能更改自己的角色或所属乡镇。")
    user.role = role.value
    user.township, user.village = township, village
    user.full_name = full_name.strip()
    db.session.flush()
    return user


def reset_password(user: User, password: str) -> User:
    """Set a new password chosen by an admin, and lift any login lock on the account."""
    refusal = password_refusal(password)
    if refusal:
        raise refusal
    user.set_password(password)
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    db.session.flush()
    return user


def set_active(user: User, by: User, active: bool) -> User:
    """Enable or disable an account; a disabled account is refused at its very next request."""
    if user.id == by.id and not active:
        raise DomainError("不能停用自己的账号。")
    user.active = active
    db.session.flush()
    return user


def username_taken(username: str) -> bool:
    """Tell whether an account already uses this username."""
    return db.session.execute(select(User.id).where(User.username == username.strip())).first() is not None


class AccountLocked(DomainError):
    """Too many failed logins for this account in the window."""


def authenticate(username: str, password: str, max_failures: int, lock_minutes: int) -> User | None:
    """Return the user when the password is right; count failures and lock after too many."""
    window_start = now_utc() - timedelta(minutes=lock_minutes)
    failures = db.session.execute(
        select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == username, LoginFailure.at >= window_start
        )
    ).scalar_one()
    if failures >= max_failures:
        raise AccountLocked("该账号连续登录失败次数过多,已暂时锁定,请%(minutes)s分钟后再试。", minutes=lock_minutes)
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.check_password(password) or not user.active:
        db.session.add(LoginFailure(username=username))
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return user
