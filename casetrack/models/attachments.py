"""Files attached to a case: scanned signed agreements, evidence photos, letters."""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casetrack.clock import now_utc
from casetrack.domain.errors import N_
from casetrack.extensions import db
from casetrack.models.users import User

ATTACHMENT_KINDS = {"agreement_scan": N_("签字调解协议扫描件"), "id_document": N_("身份证件扫描件"),
                    "evidence": N_("证据照片"), "letter": N_("信件材料"), "other": N_("其他")}
PERSONAL_KINDS = frozenset({"id_document", "agreement_scan"})
"""Kinds of file that show ID numbers and phones whole (an ID card; a signed agreement lists the parties' details):
only those who see a case's personal data unmasked may open them (permissions.sees_personal_data)."""


class Attachment(db.Model):
    """A file stored outside the static folder, served only to users who may see its case."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("content_type IN ('application/pdf', 'image/jpeg', 'image/png')", name="type_allowed"),
        CheckConstraint("size > 0", name="not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)

    uploaded_by: Mapped[User | None] = relationship()
