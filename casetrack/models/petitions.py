"""The petition aggregate (信访): the matter, its petitioners, and its statutory steps."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from casetrack.clock import now_utc
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.name_keys import name_search_key
from casetrack.extensions import db
from casetrack.models.cases import enum_check, name_key_default
from casetrack.models.geo import Township, TownshipList, Village
from casetrack.models.types import EnumValue
from casetrack.models.users import User


class PetitionCategory(TownshipList, db.Model):
    """A petition matter category (事项类别); an editable list per township."""

    __tablename__ = "petition_categories"


class Petition(db.Model):
    """A petition matter (信访事项) from receipt to its end (终结)."""

    __tablename__ = "petitions"
    __table_args__ = (
        UniqueConstraint("township_id", "number"),
        enum_check("status", pw.PetitionState),
        enum_check("channel", pw.Channel),
        enum_check("level", pw.Level),
        enum_check("opinion", pw.Opinion, nullable=True),
        enum_check("satisfaction", wf.Satisfaction, nullable=True),
        enum_check("source", pw.Source),
        enum_check("objection_outcome", pw.ObjectionOutcome, nullable=True),
        enum_check("legal_route", pw.LegalRoute, nullable=True),
        enum_check("decision", pw.Decision),
        CheckConstraint("persons >= 1", name="persons_positive"),
        CheckConstraint("extension_days >= 0 AND extension_days <= 30", name="extension_at_most_30"),
        CheckConstraint("extension_days = 0 OR extension_approved_by_id IS NOT NULL", name="extension_approved"),
        CheckConstraint("decided_on IS NULL OR decided_on >= received_on", name="decided_after_received"),
        Index("ix_petitions_township_received", "township_id", "received_on"),
        Index("ix_petitions_village_status", "village_id", "status"),
        Index("ix_petitions_township_due", "township_id", "due_on", "id"),
        Index("ix_petitions_township_status", "township_id", "status", "id"),  # in id order: the API's pages
        # by state, each state's in order of its limit: the inbox's petitions to decide, ten first, and their count
        Index("ix_petitions_township_status_due", "township_id", "status", "due_on", "id"),
        # the queue's 待受理 and a state asked for, in order of receipt or of last change (0033)
        Index("ix_petitions_township_status_received", "township_id", "status", "received_on", "id"),
        Index("ix_petitions_township_status_updated", "township_id", "status", "updated_at", "id"),
        Index("ix_petitions_township_due_status", "township_id", "due_on", "status", "id",
              sqlite_where=text("due_on IS NOT NULL"), postgresql_where=text("due_on IS NOT NULL")),
        # Few petitions are repeats: a partial index finds them and is never scanned for "IS NULL".
        Index("ix_petitions_repeat_of_id", "repeat_of_id", sqlite_where=text("repeat_of_id IS NOT NULL"),
              postgresql_where=text("repeat_of_id IS NOT NULL")),
        Index("ix_petitions_township_opinion_due", "township_id", "opinion_due_on"),
        # The leader's inbox: extension requests waiting for approval, few at any time.
        Index("ix_petitions_extension_requested", "township_id", "opinion_due_on",
              sqlite_where=text("extension_requested_days IS NOT NULL"),
              postgresql_where=text("extension_requested_days IS NOT NULL")),
        # The API's keyset pages (services/api_cases.py), as for disputes.
        Index("ix_petitions_api_township", "township_id", "id"),
        Index("ix_petitions_api_township_year", "township_id", "year", "id"),
        Index("ix_petitions_api_township_year_status", "township_id", "year", "status", "id"),
        Index("ix_petitions_api_year", "year", "id"),
        Index("ix_petitions_api_year_status", "year", "status", "id"),
        Index("ix_petitions_api_status", "status", "id"),
        Index("ix_petitions_api_village", "village_id", "id"),
        Index("ix_petitions_updated", "updated_at"),
        # The queue's sort orders within a township and a village (migration 0028, services/queue_sql.py).
        Index("ix_petitions_township_updated", "township_id", "updated_at", "id"),
        Index("ix_petitions_village_received", "village_id", "received_on", "id"),
        Index("ix_petitions_village_updated", "village_id", "updated_at", "id"),
        Index("ix_petitions_village_due", "village_id", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    number: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    seq: Mapped[int]
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[pw.Channel] = mapped_column(EnumValue(pw.Channel, 16))
    persons: Mapped[int] = mapped_column(default=1)
    category_id: Mapped[int] = mapped_column(ForeignKey("petition_categories.id"))
    request: Mapped[str] = mapped_column(Text)
    level: Mapped[pw.Level] = mapped_column(EnumValue(pw.Level, 16), default=pw.Level.TOWNSHIP)
    cross_level: Mapped[bool] = mapped_column(Boolean, default=False)
    disruptive: Mapped[bool] = mapped_column(Boolean, default=False)
    # the day a matter was found 缠访闹访 after its receipt (the report counts it from then); None: since receipt,
    # as when it was so at intake or in a ledger
    disruptive_on: Mapped[date | None] = mapped_column(Date)
    police_referred_on: Mapped[date | None] = mapped_column(Date)  # 缠访闹访: unlawful conduct sent to the police (Art. 47)
    leader_received_by: Mapped[str | None] = mapped_column(String(60))  # 领导接访: the leader who received this visit
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"))
    status: Mapped[pw.PetitionState] = mapped_column(EnumValue(pw.PetitionState, 24), default=pw.PetitionState.REGISTERED)

    decision: Mapped[pw.Decision] = mapped_column(EnumValue(pw.Decision, 16), default=pw.Decision.PENDING)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)  # reason not accepted, or the body forwarded/assigned to
    started_on: Mapped[date | None] = mapped_column(Date)

    extension_days: Mapped[int] = mapped_column(default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    extension_approved_on: Mapped[date | None] = mapped_column(Date)
    extension_requested_days: Mapped[int | None]
    extension_requested_reason: Mapped[str | None] = mapped_column(Text)
    extension_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    opinion: Mapped[pw.Opinion | None] = mapped_column(EnumValue(pw.Opinion, 16))
    opinion_text: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    satisfaction: Mapped[wf.Satisfaction | None] = mapped_column(EnumValue(wf.Satisfaction, 16))
    review_requested_on: Mapped[date | None] = mapped_column(Date)
    review_answered_on: Mapped[date | None] = mapped_column(Date)
    review_delivered_on: Mapped[date | None] = mapped_column(Date)  # 复查答复送达日期; None: the answer date
    review_result: Mapped[str | None] = mapped_column(Text)
    second_review_requested_on: Mapped[date | None] = mapped_column(Date)
    second_review_answered_on: Mapped[date | None] = mapped_column(Date)
    second_review_result: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # the binding time limit now; kept by services.time_limits
    opinion_due_on: Mapped[date | None] = mapped_column(Date)  # 办结期限 once accepted, with any extension

    # Where the matter came from (Art. 22-23): received here, or forwarded / assigned from above with the
    # referring body and its reference number (文号); received_on is then the day the township received it.
    source: Mapped[pw.Source] = mapped_column(EnumValue(pw.Source, 16), default=pw.Source.OWN, server_default=pw.Source.OWN.value)
    source_body: Mapped[str | None] = mapped_column(String(100))
    source_reference: Mapped[str | None] = mapped_column(String(60))
    assigned_due_on: Mapped[date | None] = mapped_column(Date)  # 交办: the 办理期限 the higher body set
    completion_report_on: Mapped[date | None] = mapped_column(Date)  # 办结报告 sent
    remarks: Mapped[str | None] = mapped_column(Text)  # the ledger's 备注, kept for the ledger (docs/ledger.md)
    completion_report_to: Mapped[str | None] = mapped_column(String(100))
    completion_report_text: Mapped[str | None] = mapped_column(Text)
    objection_raised_on: Mapped[date | None] = mapped_column(Date)  # 异议 within 5 working days (Art. 23)
    objection_reason: Mapped[str | None] = mapped_column(Text)
    objection_outcome: Mapped[pw.ObjectionOutcome | None] = mapped_column(EnumValue(pw.ObjectionOutcome, 16))  # pw.ObjectionOutcome
    objection_outcome_on: Mapped[date | None] = mapped_column(Date)
    legal_route: Mapped[pw.LegalRoute | None] = mapped_column(EnumValue(pw.LegalRoute, 16))  # 依法分类处理 (Art. 31): pw.LegalRoute
    legal_route_body: Mapped[str | None] = mapped_column(String(100))
    legal_route_told_on: Mapped[date | None] = mapped_column(Date)
    province_reached_on: Mapped[date | None] = mapped_column(Date)  # the day it reached 省/进京; None: since receipt
    review_body: Mapped[str | None] = mapped_column(String(100))  # 复查机关 the request was forwarded to
    second_review_body: Mapped[str | None] = mapped_column(String(100))  # 复核机关

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, onupdate=now_utc)
    version: Mapped[int] = mapped_column(default=1)

    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
    category: Mapped[PetitionCategory] = relationship()
    repeat_of: Mapped["Petition | None"] = relationship(remote_side=[id])
    petitioners: Mapped[list["Petitioner"]] = relationship(
        back_populates="petition", order_by="Petitioner.position", cascade="all, delete-orphan"
    )
    disputes: Mapped[list["Dispute"]] = relationship(back_populates="petition")  # noqa: F821
    extension_approved_by: Mapped[User | None] = relationship(foreign_keys=[extension_approved_by_id])
    extension_requested_by: Mapped[User | None] = relationship(foreign_keys=[extension_requested_by_id])
    supervisions: Mapped[list["Supervision"]] = relationship(  # noqa: F821
        back_populates="petition", order_by="Supervision.id", passive_deletes=True)

    __mapper_args__ = {"version_id_col": version}

    @property
    def state(self) -> pw.PetitionState:
        return pw.PetitionState(self.status)

    @property
    def source_enum(self) -> pw.Source:
        return pw.Source(self.source or pw.Source.OWN.value)

    @property
    def is_repeat(self) -> bool:
        return self.repeat_of_id is not None

    @property
    def representatives(self) -> list["Petitioner"]:
        return [p for p in self.petitioners if p.is_representative]

    def __str__(self) -> str:
        return self.number


class Petitioner(db.Model):
    """A petitioner (信访人); ID numbers and phones are personal information."""

    __tablename__ = "petitioners"
    __table_args__ = (
        Index("ix_petitioners_petition_order", "petition_id", "position", "id", "name"),  # names in order (0032)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60), index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)  # early warning finds a person by it
    phone: Mapped[str | None] = mapped_column(String(11))
    address: Mapped[str | None] = mapped_column(String(200))
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)
    search_key: Mapped[str | None] = mapped_column(String(300), default=name_key_default, index=True)
    """The name's pinyin and initials for the queue's search (models/cases.py Party.search_key)."""

    petition: Mapped[Petition] = relationship(back_populates="petitioners")

    @validates("name")
    def _keep_search_key(self, _key, name):
        self.search_key = name_search_key(name)
        return name
