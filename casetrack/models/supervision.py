"""Supervision (督办) of major disputes, and of petitions, by a leader."""

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.users import User


class Supervision(db.Model):
    """A leader's supervision of a dispute or a petition, with a note and a deadline; on their list until it closes."""

    __tablename__ = "supervisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    note: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    supervised_on: Mapped[date | None] = mapped_column(Date)  # the Beijing day it began; None before migration 0017

    leader: Mapped[User] = relationship()

    petition: Mapped["Petition | None"] = relationship(back_populates="supervisions")  # noqa: F821
