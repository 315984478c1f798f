"""Running case numbers per township, year and kind."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.extensions import db


class CaseCounter(db.Model):
    __tablename__ = "case_counters"
    __table_args__ = (UniqueConstraint("township_id", "year", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    last: Mapped[int] = mapped_column(default=0)
