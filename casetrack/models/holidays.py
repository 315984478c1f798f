"""The public-holiday calendar admins enter as the State Council publishes each year's plan (放假安排)."""

from datetime import date

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.extensions import db


class CalendarDay(db.Model):
    """A public holiday (休) or a make-up working day (班, 调休上班); wins over the chinese-calendar package."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind_known"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(40))
