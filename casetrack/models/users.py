"""Accounts and roles."""

from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from casetrack.clock import now_utc
from casetrack.domain.roles import Role
from casetrack.extensions import db
from casetrack.models.geo import County, Township, Village
from casetrack.models.types import EnumValue

DEFAULT_LOCALE = "zh_Hans_CN"
LOCALES = (DEFAULT_LOCALE, "en")
"""The interface's languages (config LANGUAGES); a user's choice is kept in User.locale."""


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{role.value}'" for role in Role) + ")", name="role_known"),
        CheckConstraint("role != 'mediator' OR village_id IS NOT NULL", name="mediator_has_village"),
        CheckConstraint("role NOT IN ('staff', 'leader') OR township_id IS NOT NULL", name="staff_has_township"),
        CheckConstraint("role != 'county' OR county_id IS NOT NULL", name="county_has_county"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(EnumValue(Role, 16))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of the account (logout, new password, new role or place, disabling,
    # "sign out everywhere"): a session carries the generation it was opened at (get_id) and dies with it.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when an admin chose the password (services.accounts.reset_password): until the user chooses their own,
    # every page leads to /account/password (web.auth._must_change_password_first).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The language the user chose (config LANGUAGES); None: the default, Simplified Chinese. The interface
    # takes it at login and the messages sent to the user (casetrack/services/notifications.py) are written in it.
    locale: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()
    county: Mapped[County | None] = relationship()

    def get_id(self) -> str:
        """Return what the session keeps: the id and the session generation, so a bump ends old sessions."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """End every session of this account, on every device, at its next request."""
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active


    @property
    def language(self) -> str:
        """Return the locale the user chose, or the default (Simplified Chinese) when they chose none."""
        return self.locale if self.locale in LOCALES else DEFAULT_LOCALE

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.display_name


class LoginThrottle(db.Model):
    """Password checks counted in a window: per (account, client address), and per account (address "").

    A row is bumped atomically before the password is checked (services.accounts.authenticate), so parallel
    requests cannot check more passwords than the limit allows.
    """

    __tablename__ = "login_throttle"

    account: Mapped[str] = mapped_column(String(40), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
