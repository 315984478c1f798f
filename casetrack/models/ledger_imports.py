"""The record of each ledger import (台账导入记录): who, when, which file, what it did and what it noted."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.models.geo import Township
from casetrack.models.users import User


class LedgerImport(db.Model):
    """One import of a ledger file into one township, kept after it is written (casetrack/ledger/history.py).

    notices holds what the import noted, each as its Chinese template and parameters (so it is shown in the
    reader's language): how the file was read, and the rows skipped for their errors. attention counts those
    worth a look; while it is above 0 and nobody has marked the import seen, the township's staff find it in
    their inbox.
    """

    __tablename__ = "ledger_imports"
    __table_args__ = (
        CheckConstraint("source IN ('web', 'cli')", name="source_known"),
        Index("ix_ledger_imports_township_at", "township_id", "imported_at"),
        Index("ix_ledger_imports_waiting", "township_id", postgresql_where=text("attention > 0 AND seen_at IS NULL"),
              sqlite_where=text("attention > 0 AND seen_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the `flask ledger import` command
    source: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # rows with errors, left out (只导入无错误的行)
    notices: Mapped[list] = mapped_column(JSON, default=list)
    notices_left_out: Mapped[int] = mapped_column(default=0)  # beyond what is kept in notices
    attention: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    seen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    township: Mapped[Township] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    seen_by: Mapped[User | None] = relationship(foreign_keys=[seen_by_id])
