"""Monthly returns (月报): a township's figures for a month, submitted to the county, accepted or sent back."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.domain.errors import N_
from casetrack.extensions import db
from casetrack.models.geo import Township
from casetrack.models.users import User


class ReturnStatus(StrEnum):
    SUBMITTED = "submitted"  # 已报送, waiting for the county
    ACCEPTED = "accepted"  # 已接收: its figures are frozen
    SENT_BACK = "sent_back"  # 已退回, with the county's reason: the township corrects and submits again

    @property
    def label(self) -> str:
        return {"submitted": N_("已报送"), "accepted": N_("已接收"), "sent_back": N_("已退回")}[self.value]


class MonthlyReturn(db.Model):
    """One submitted version of a township's return for a month; every version is kept, the newest decides.

    figures holds the month's figures as at its end, as the township's own report computes them (the JSON of
    /reports/<year>/<month>.json, text included), stored when submitted and never changed afterwards.
    """

    __tablename__ = "monthly_returns"
    __table_args__ = (
        UniqueConstraint("township_id", "period", "version"),
        CheckConstraint("status IN ('submitted', 'accepted', 'sent_back')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # "2026-11"
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default=ReturnStatus.SUBMITTED.value)
    figures: Mapped[dict] = mapped_column(JSON)
    nil_return: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")  # the township's remark (what was corrected)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    late: Mapped[bool] = mapped_column(default=False)  # submitted after the 5th of the next month
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    review_reason: Mapped[str | None] = mapped_column(Text)  # why it was sent back

    township: Mapped[Township] = relationship()
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def status_enum(self) -> ReturnStatus:
        return ReturnStatus(self.status)
