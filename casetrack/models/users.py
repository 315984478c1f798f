"""Accounts and roles."""

from datetime import datetime
from enum import StrEnum

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.geo import Township, Village


class Role(StrEnum):
    MEDIATOR = "mediator"
    STAFF = "staff"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"mediator": "村调解员", "staff": "乡干部", "leader": "领导", "admin": "管理员"}[self.value]


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('mediator', 'staff', 'leader', 'admin')", name="role_known"),
        CheckConstraint("role != 'mediator' OR village_id IS NOT NULL", name="mediator_has_village"),
        CheckConstraint("role NOT IN ('staff', 'leader') OR township_id IS NOT NULL", name="staff_has_township"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

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


class LoginFailure(db.Model):
    """A failed login, kept to lock an account after repeated failures."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, index=True)
