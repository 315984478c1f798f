"""Early warnings (预警): one row per warning raised, kept after it is resolved, with its history."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.geo import Township, Village
from casetrack.models.users import User


class RiskWarning(db.Model):
    """A warning on one subject (a person, a village's month, a case) by one rule, from raised to resolved.

    Written only by services.warnings: the rules decide level, text and cases; people acknowledge. A subject has
    at most one open warning per rule; once resolved, the row stays and a new one is raised if the rule fires again.
    """

    __tablename__ = "warnings"
    __table_args__ = (
        CheckConstraint("level IN ('blue', 'yellow', 'red')", name="level_known"),
        Index("ix_warnings_open_subject", "township_id", "rule", "subject", unique=True,
              sqlite_where=text("resolved_at IS NULL"), postgresql_where=text("resolved_at IS NULL")),
        Index("ix_warnings_township_since", "township_id", "since"),
        Index("ix_warnings_village_open", "village_id", sqlite_where=text("resolved_at IS NULL"),
              postgresql_where=text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    rule: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(120))  # domain.warnings person_key / case_key / month_key
    level: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)  # the sentence in Chinese, as files and the API give it
    # the sentence's parameters (domain.warnings.render_sentence), shown in the reader's language; None: stored
    # before revision 0031, shown as its text
    params: Mapped[dict | None] = mapped_column(JSON)
    dispute_ids: Mapped[list] = mapped_column(JSON, default=list)
    petition_ids: Mapped[list] = mapped_column(JSON, default=list)
    numbers: Mapped[list] = mapped_column(JSON, default=list)  # the case numbers behind it, in order
    people: Mapped[list] = mapped_column(JSON, default=list)
    since: Mapped[date] = mapped_column(Date)  # the day it was raised
    raised_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)
    acknowledged_note: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_on: Mapped[date | None] = mapped_column(Date)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    events: Mapped[list["WarningEvent"]] = relationship(
        back_populates="warning", order_by="WarningEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class WarningEvent(db.Model):
    """One step in a warning's history: raised, level changed, acknowledged, resolved."""

    __tablename__ = "warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warnings.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    action: Mapped[str] = mapped_column(String(16))  # raised | changed | acknowledged | resolved
    level: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)  # the sentence in Chinese, as files and the API give it
    # the sentence's parameters (domain.warnings.render_sentence), shown in the reader's language; None: stored
    # before revision 0031, shown as its text
    params: Mapped[dict | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    warning: Mapped[RiskWarning] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
