"""The case timeline: an append-only record of every change, who made it and when.

An entry is data (domain/timeline.py): its kind (action), the parameters of its sentence and the changed
fields as {field key: [old, new]} with raw values; the sentence is rendered in the reader's language. An
entry written before revision 0024 whose prose could not be read into data keeps it in summary, with
params NULL, and is shown as stored.
"""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.users import User


class CaseEvent(db.Model):
    """One entry in a case's timeline; never updated or deleted."""

    __tablename__ = "case_events"
    __table_args__ = (
        Index("ix_case_events_dispute_at", "dispute_id", "at"),
        Index("ix_case_events_petition_at", "petition_id", "at"),
        # The staff's inbox: send-backs answered lately ("corrected" entries are few among all).
        Index("ix_case_events_corrected_at", "at", sqlite_where=text("action = 'corrected'"),
              postgresql_where=text("action = 'corrected'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"))
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))  # the entry's kind, a stable key: "accept", "supervise"
    params: Mapped[dict | None] = mapped_column(JSON)  # None: a legacy entry shown by its summary
    summary: Mapped[str | None] = mapped_column(Text)  # legacy prose only; entries since 0024 leave it NULL
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    @property
    def kind(self) -> str:
        """The entry's kind (stored in action, which documents and the inbox look entries up by)."""
        return self.action

    @property
    def legacy(self) -> bool:
        """Tell whether the entry is prose kept from before revision 0024."""
        return self.params is None

    @property
    def of_petition(self) -> bool:
        return self.petition_id is not None


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a timeline entry."""


@event.listens_for(CaseEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AppendOnlyError("时间线记录不可修改")


@event.listens_for(CaseEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AppendOnlyError("时间线记录不可删除")
