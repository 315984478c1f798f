"""The public-holiday calendar admins enter as the State Council publishes each year's plan (放假安排)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.clock import now_utc
from casetrack.extensions import db


class CalendarDay(db.Model):
    """A public holiday (休) or a make-up working day (班, 调休上班): adds to or corrects the year's other days."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind_known"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(40))


class CalendarPlan(db.Model):
    """A year whose whole holiday plan is entered: its days are no longer an estimate (暂定)."""

    __tablename__ = "calendar_plans"
    __table_args__ = (CheckConstraint("source IN ('notice', 'csv')", name="source_known"),)

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(8))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
