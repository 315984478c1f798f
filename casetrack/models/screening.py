"""Screening rounds (矛盾纠纷排查), their findings, and the periods that demand more of them."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.geo import Township, Village
from casetrack.models.users import User


class ScreeningRound(db.Model):
    """One screening round by a village or the township; no findings makes it a nil report (零上报)."""

    __tablename__ = "screening_rounds"
    __table_args__ = (
        CheckConstraint("level IN ('village', 'township')", name="level_known"),
        CheckConstraint("level = 'township' OR village_id IS NOT NULL", name="village_round_has_village"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        Index("ix_screening_rounds_township_held", "township_id", "held_on"),
        Index("ix_screening_rounds_village_held", "village_id", "held_on"),
        # one round per unit and schedule period (migration 0023): a village's per village, the township's per
        # township; partial indexes, since a township round has no village
        Index("uq_screening_rounds_village_period", "village_id", "period_start", unique=True,
              sqlite_where=text("level = 'village'"), postgresql_where=text("level = 'village'")),
        Index("uq_screening_rounds_township_period", "township_id", "period_start", unique=True,
              sqlite_where=text("level = 'township'"), postgresql_where=text("level = 'township'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    level: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    screeners: Mapped[str] = mapped_column(String(200))
    focus: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    findings: Mapped[list["ScreeningFinding"]] = relationship(
        back_populates="round", order_by="ScreeningFinding.id", cascade="all, delete-orphan"
    )

    @property
    def is_nil(self) -> bool:
        return not self.findings


class ScreeningFinding(db.Model):
    """Something a round found: it became a dispute (主动调解), or is noted as not a dispute."""

    __tablename__ = "screening_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    round: Mapped[ScreeningRound] = relationship(back_populates="findings")


class IntensifiedPeriod(db.Model):
    """A named period (春节, 国庆, 敏感时期) in which rounds are due more often."""

    __tablename__ = "intensified_periods"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ordered"),
        CheckConstraint("interval IN ('day', 'week', 'half_month', 'month')", name="interval_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    interval: Mapped[str] = mapped_column(String(16), default="day")
    applies_to: Mapped[str] = mapped_column(String(16), default="both")  # village | township | both
