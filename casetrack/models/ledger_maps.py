"""What a township's own ledger calls the format's columns and values, saved once mapped (台账列对应)."""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.extensions import db


class LedgerMapping(db.Model):
    """One saved correspondence: a header of the township's ledger → a column of the format (or ignored),
    or, with column set, one of the township's values in that column → the format's value.

    kind is the sheet's kind ("dispute" or "petition"); column is "" for a header mapping; target is the
    format's header ("" to ignore the column) or the format's value label.
    """

    __tablename__ = "ledger_mappings"
    __table_args__ = (UniqueConstraint("township_id", "kind", "column", "source", name="uq_ledger_mappings_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    column: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(40), default="")
