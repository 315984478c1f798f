"""Frozen report figures and saved queue views."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.users import User


class ReportSnapshot(db.Model):
    """A year's (or month's, quarter's) figures frozen when published, so the report stays reproducible."""

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("scope", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(40))  # "township:<id>" or "county"
    period: Mapped[str] = mapped_column(String(10))  # "2025", "2025-03" or "2025-q1"
    figures: Mapped[dict] = mapped_column(JSON)
    frozen_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    frozen_by: Mapped[User | None] = relationship()


class SavedView(db.Model):
    """A named queue view (its filters as a query string) saved by a user."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
