"""The dispute aggregate (矛盾纠纷): the case, its parties, sessions, notes and return visits."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from casetrack.clock import now_utc
from casetrack.domain import money
from casetrack.domain import workflow as wf
from casetrack.domain.name_keys import name_search_key
from casetrack.extensions import db
from casetrack.models.geo import NaturalVillage, Township, TownshipList, Village
from casetrack.models.types import EnumValue
from casetrack.models.users import User


def enum_check(column: str, enum: type[wf.LabelledEnum], nullable: bool = False) -> CheckConstraint:
    """Build a CHECK constraint keeping a string column within an enum's values."""
    values = ", ".join(f"'{m.value}'" for m in enum)
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_known")


dispute_mediators = Table(
    "dispute_mediators",
    db.Model.metadata,
    Column("dispute_id", ForeignKey("disputes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class DisputeType(TownshipList, db.Model):
    """A dispute category (纠纷类别); the Ministry's 15 by default, extendable per township."""

    __tablename__ = "dispute_types"


class Dispute(db.Model):
    """A dispute case from registration (登记) to the archived file (归档)."""

    __tablename__ = "disputes"
    __table_args__ = (
        UniqueConstraint("township_id", "number"),
        enum_check("status", wf.DisputeState),
        enum_check("level", wf.Level),
        enum_check("source", wf.Source),
        enum_check("channel", wf.Channel),
        enum_check("risk_level", wf.RiskLevel),
        enum_check("outcome", wf.Outcome, nullable=True),
        enum_check("agreement_form", wf.AgreementForm, nullable=True),
        enum_check("performance", wf.Performance, nullable=True),
        enum_check("end_reason", wf.EndReason, nullable=True),
        enum_check("judicial_confirmation_result", wf.CourtResult, nullable=True),
        enum_check("referral_origin", wf.ReferralOrigin, nullable=True),
        enum_check("not_accepted_ground", wf.NotAcceptedGround, nullable=True),
        CheckConstraint("agreement_amount_fen IS NULL OR agreement_amount_fen >= 0", name="agreement_amount_not_negative"),
        CheckConstraint(
            "outcome IS NULL OR status IN ('concluded', 'visited', 'archived')", name="outcome_only_when_concluded"
        ),
        CheckConstraint("agreement_form IS NULL OR outcome = 'succeeded'", name="agreement_only_on_success"),
        CheckConstraint("closed_on IS NULL OR closed_on >= registered_on", name="closed_after_registered"),
        CheckConstraint("people_involved >= 1", name="people_involved_positive"),
        CheckConstraint(
            "prevented_criminal_persons >= 0 AND prevented_group_petition_persons >= 0", name="prevented_persons_counted"
        ),
        Index("ix_disputes_township_registered", "township_id", "registered_on"),
        Index("ix_disputes_village_status", "village_id", "status"),
        Index("ix_disputes_township_status_registered", "township_id", "status", "registered_on", "id"),
        Index("ix_disputes_township_updated", "township_id", "updated_at", "id"),
        Index("ix_disputes_township_due", "township_id", "due_on", "id"),
        # Few cases are merged: a partial index finds them, and the planner never scans it for "IS NULL".
        Index("ix_disputes_merged_into_id", "merged_into_id", sqlite_where=text("merged_into_id IS NOT NULL"),
              postgresql_where=text("merged_into_id IS NOT NULL")),
        Index("ix_disputes_village_registered", "village_id", "registered_on", "id"),
        # The queue counts and pages live cases (not merged) by township: an index holding just those.
        Index("ix_disputes_township_live", "township_id", "registered_on", "id",
              sqlite_where=text("merged_into_id IS NULL"), postgresql_where=text("merged_into_id IS NULL")),
        Index("ix_disputes_returned", "township_id", sqlite_where=text("returned_note IS NOT NULL"),
              postgresql_where=text("returned_note IS NOT NULL")),
        Index("ix_disputes_township_risk", "township_id", "risk_level", "status"),
        # The inbox (services/inbox.py): a village's limits in order, and the 司法确认 windows still open.
        Index("ix_disputes_village_due", "village_id", "due_on", "id"),
        Index("ix_disputes_village_returned", "village_id", sqlite_where=text("returned_note IS NOT NULL"),
              postgresql_where=text("returned_note IS NOT NULL")),
        # The inbox at a million cases: each kind's rows in order and its count read from one index alone.
        Index("ix_disputes_township_due_live", "township_id", "due_on", "id",
              sqlite_where=text("merged_into_id IS NULL AND due_on IS NOT NULL"),
              postgresql_where=text("merged_into_id IS NULL AND due_on IS NOT NULL")),
        Index("ix_disputes_village_due_live", "village_id", "due_on", "status", "outcome", "id",
              sqlite_where=text("merged_into_id IS NULL AND due_on IS NOT NULL"),
              postgresql_where=text("merged_into_id IS NULL AND due_on IS NOT NULL")),
        Index("ix_disputes_township_major_unassigned", "township_id", "risk_level", "registered_on", "id", "status",
              sqlite_where=text("responsible_unit IS NULL AND merged_into_id IS NULL"),
              postgresql_where=text("responsible_unit IS NULL AND merged_into_id IS NULL")),
        Index("ix_disputes_confirmation_open", "township_id", "closed_on",
              sqlite_where=text("outcome = 'succeeded' AND judicial_confirmation_applied_on IS NULL"),
              postgresql_where=text("outcome = 'succeeded' AND judicial_confirmation_applied_on IS NULL")),
        # The API's keyset pages (services/api_cases.py): the next 100 ids of a township, its year, its state or
        # both; of a year, a state or both across the county; of a village; each read in id order from the index.
        # And the cases changed since a moment (updated_since).
        Index("ix_disputes_api_township", "township_id", "id"),
        Index("ix_disputes_api_township_year", "township_id", "year", "id"),
        Index("ix_disputes_api_township_status", "township_id", "status", "id"),
        Index("ix_disputes_api_township_year_status", "township_id", "year", "status", "id"),
        Index("ix_disputes_api_year", "year", "id"),
        Index("ix_disputes_api_year_status", "year", "status", "id"),
        Index("ix_disputes_api_status", "status", "id"),
        Index("ix_disputes_api_village", "village_id", "id"),
        Index("ix_disputes_updated", "updated_at"),
        # The queue's sort orders within a village and a state (migration 0028, services/queue_sql.py).
        Index("ix_disputes_village_updated", "village_id", "updated_at", "id"),
        Index("ix_disputes_township_status_due", "township_id", "status", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"))
    natural_village_id: Mapped[int | None] = mapped_column(ForeignKey("natural_villages.id"))
    number: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    seq: Mapped[int]
    registered_on: Mapped[date] = mapped_column(Date)
    dispute_type_id: Mapped[int] = mapped_column(ForeignKey("dispute_types.id"))
    source: Mapped[wf.Source] = mapped_column(EnumValue(wf.Source, 16))
    channel: Mapped[wf.Channel] = mapped_column(EnumValue(wf.Channel, 16), default=wf.Channel.PEOPLES)
    summary: Mapped[str] = mapped_column(Text)
    # The ledger's 备注 and its 调解员 without an account ("、"-joined): kept for the ledger (docs/ledger.md).
    remarks: Mapped[str | None] = mapped_column(Text)
    unlinked_mediators: Mapped[str | None] = mapped_column(Text)
    people_involved: Mapped[int] = mapped_column(default=2)
    risk_level: Mapped[wf.RiskLevel] = mapped_column(EnumValue(wf.RiskLevel, 16), default=wf.RiskLevel.GENERAL)
    police_reported: Mapped[bool] = mapped_column(Boolean, default=False)
    group_dispute: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 群体性纠纷
    status: Mapped[wf.DisputeState] = mapped_column(EnumValue(wf.DisputeState, 16), default=wf.DisputeState.REGISTERED)
    level: Mapped[wf.Level] = mapped_column(EnumValue(wf.Level, 16), default=wf.Level.VILLAGE)
    # The day each higher level was reached (escalation); NULL: at that level since registration (imports).
    township_level_on: Mapped[date | None] = mapped_column(Date)
    county_level_on: Mapped[date | None] = mapped_column(Date)

    accepted_on: Mapped[date | None] = mapped_column(Date)
    not_accepted_reason: Mapped[str | None] = mapped_column(Text)
    referred_to: Mapped[str | None] = mapped_column(String(120))
    not_accepted_ground: Mapped[wf.NotAcceptedGround | None] = mapped_column(EnumValue(wf.NotAcceptedGround, 16))  # 若干规定 Art. 22; 其他: the reason's text
    # 委托移送: who referred the case (诉调/警调/访调对接), the referring body's name and the day it was referred
    referral_origin: Mapped[wf.ReferralOrigin | None] = mapped_column(EnumValue(wf.ReferralOrigin, 16))
    referral_body: Mapped[str | None] = mapped_column(String(120))
    referral_received_on: Mapped[date | None] = mapped_column(Date)
    # 主动调解: a party's clear refusal (人民调解法 Art. 17: 当事人一方明确拒绝调解的,不得调解)
    objection_on: Mapped[date | None] = mapped_column(Date)
    objection_by: Mapped[str | None] = mapped_column(String(60))
    objection_note: Mapped[str | None] = mapped_column(Text)
    continuation_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    continued_until: Mapped[date | None] = mapped_column(Date)  # 延续调解: the date both parties agreed

    outcome: Mapped[wf.Outcome | None] = mapped_column(EnumValue(wf.Outcome, 16))
    closed_on: Mapped[date | None] = mapped_column(Date)
    agreement_form: Mapped[wf.AgreementForm | None] = mapped_column(EnumValue(wf.AgreementForm, 16))
    agreement_facts: Mapped[str | None] = mapped_column(Text)
    agreement_terms: Mapped[str | None] = mapped_column(Text)
    performance_manner: Mapped[str | None] = mapped_column(Text)
    performance_deadline: Mapped[date | None] = mapped_column(Date)
    agreement_copies: Mapped[int | None] = mapped_column(Integer)
    agreement_amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # 协议涉及金额, in fen (分) to add up exactly
    channels_told: Mapped[str | None] = mapped_column(String(120))
    legal_aid_referred: Mapped[bool] = mapped_column(Boolean, default=False)
    end_reason: Mapped[wf.EndReason | None] = mapped_column(EnumValue(wf.EndReason, 16))
    conclusion_notes: Mapped[str | None] = mapped_column(Text)

    performance: Mapped[wf.Performance | None] = mapped_column(EnumValue(wf.Performance, 16))
    judicial_confirmation_applied_on: Mapped[date | None] = mapped_column(Date)
    judicial_confirmation_court: Mapped[str | None] = mapped_column(String(120))
    agreement_effective_on: Mapped[date | None] = mapped_column(Date)  # 协议生效日期; None: the agreement date
    judicial_confirmation_result: Mapped[wf.CourtResult | None] = mapped_column(EnumValue(wf.CourtResult, 16))  # 确认有效 / 驳回 / 撤回
    judicial_confirmation_result_on: Mapped[date | None] = mapped_column(Date)
    archived_on: Mapped[date | None] = mapped_column(Date)
    petition_id: Mapped[int | None] = mapped_column(ForeignKey("petitions.id"), index=True)  # 信访转调
    screening_round_id: Mapped[int | None] = mapped_column(ForeignKey("screening_rounds.id"), index=True)

    responsible_unit: Mapped[str | None] = mapped_column(String(120))  # 领导包案: 责任单位
    responsible_leader: Mapped[str | None] = mapped_column(String(60))  # 责任领导
    responsible_person: Mapped[str | None] = mapped_column(String(60))  # 责任人员
    prevented_criminal: Mapped[bool] = mapped_column(Boolean, default=False)  # 防止民转刑
    prevented_criminal_persons: Mapped[int] = mapped_column(default=0)
    prevented_group_petition: Mapped[bool] = mapped_column(Boolean, default=False)  # 防止群体性上访
    prevented_group_petition_persons: Mapped[int] = mapped_column(default=0)
    returned_note: Mapped[str | None] = mapped_column(Text)  # 退回补正: open until the mediator corrects it
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"))  # a duplicate merged
    due_on: Mapped[date | None] = mapped_column(Date)  # the binding time limit now; kept by services.time_limits

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now_utc, onupdate=now_utc)
    version: Mapped[int] = mapped_column(default=1)

    township: Mapped[Township] = relationship()
    village: Mapped[Village] = relationship()
    natural_village: Mapped[NaturalVillage | None] = relationship()
    dispute_type: Mapped[DisputeType] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    returned_by: Mapped[User | None] = relationship(foreign_keys=[returned_by_id])
    merged_into: Mapped["Dispute | None"] = relationship(remote_side=[id])
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821
        order_by="Attachment.uploaded_at", cascade="all, delete-orphan"
    )
    parties: Mapped[list["Party"]] = relationship(
        back_populates="dispute", order_by="Party.position", cascade="all, delete-orphan"
    )
    mediators: Mapped[list[User]] = relationship(secondary=dispute_mediators, order_by=User.id)
    sessions: Mapped[list["MediationSession"]] = relationship(
        back_populates="dispute", order_by="MediationSession.held_on", cascade="all, delete-orphan"
    )
    investigation_notes: Mapped[list["InvestigationNote"]] = relationship(
        back_populates="dispute", order_by="InvestigationNote.noted_on", cascade="all, delete-orphan"
    )
    petition: Mapped["Petition | None"] = relationship(back_populates="disputes")  # noqa: F821
    return_visits: Mapped[list["ReturnVisit"]] = relationship(
        back_populates="dispute", order_by="ReturnVisit.visited_on", cascade="all, delete-orphan"
    )
    supervisions: Mapped[list["Supervision"]] = relationship(  # noqa: F821
        order_by="Supervision.created_at", cascade="all, delete-orphan"
    )

    @property
    def has_responsibility(self) -> bool:
        """Tell whether unit, leader and person are all named (领导包案)."""
        return all((self.responsible_unit, self.responsible_leader, self.responsible_person))

    __mapper_args__ = {"version_id_col": version}

    @property
    def state(self) -> wf.DisputeState:
        return wf.DisputeState(self.status)

    @hybrid_property
    def not_merged(self) -> bool:
        """A case in its own right, not a duplicate merged into another (合并): the lists, the queue, the figures,
        the exports and the API show only these. In a query: select(Dispute).where(Dispute.not_merged)."""
        return self.merged_into_id is None

    @not_merged.inplace.expression
    @classmethod
    def _not_merged_expression(cls):
        return cls.merged_into_id.is_(None)

    @property
    def applicants(self) -> list["Party"]:
        return [p for p in self.parties if p.side == wf.PartySide.APPLICANT.value]

    @property
    def respondents(self) -> list["Party"]:
        return [p for p in self.parties if p.side == wf.PartySide.RESPONDENT.value]

    @property
    def agreement_amount(self):
        """协议涉及金额 in yuan (a Decimal), or None."""
        return money.yuan(self.agreement_amount_fen)

    @property
    def referrals_out(self) -> list[str]:
        """The 调解不成 referrals (引导诉讼、诉前调解、仲裁、行政) as their labels; older free text as written."""
        return [part for part in (self.channels_told or "").split("、") if part]

    @property
    def is_major(self) -> bool:
        return self.risk_level == wf.RiskLevel.MAJOR.value

    def __str__(self) -> str:
        return self.number


def name_key_default(context) -> str | None:
    """The search key of a row inserted without the ORM (the ledger import's bulk insert)."""
    return name_search_key(context.get_current_parameters().get("name"))


class Party(db.Model):
    """A party (当事人) on one side of a dispute; ID number and phone are personal information."""

    __tablename__ = "parties"
    __table_args__ = (
        enum_check("side", wf.PartySide),
        enum_check("gender", wf.Gender, nullable=True),
        Index("ix_parties_name", "name"),
        Index("ix_parties_dispute_order", "dispute_id", "position", "id", "name"),  # a case's names in order (0032)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    side: Mapped[wf.PartySide] = mapped_column(EnumValue(wf.PartySide, 16))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))
    gender: Mapped[wf.Gender | None] = mapped_column(EnumValue(wf.Gender, 8))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    phone: Mapped[str | None] = mapped_column(String(11), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    search_key: Mapped[str | None] = mapped_column(String(300), default=name_key_default, index=True)
    """The name's pinyin and initials ("zhaohaiqiang zhq") for the queue's search; follows every name change."""

    dispute: Mapped[Dispute] = relationship(back_populates="parties")

    @validates("name")
    def _keep_search_key(self, _key, name):
        self.search_key = name_search_key(name)
        return name


class MediationSession(db.Model):
    """One mediation session (调解记录): when, where, who mediated, who attended, what happened."""

    __tablename__ = "mediation_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(120))
    mediators: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dispute: Mapped[Dispute] = relationship(back_populates="sessions")


class InvestigationNote(db.Model):
    """An investigation record (调查记录)."""

    __tablename__ = "investigation_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(120))
    content: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dispute: Mapped[Dispute] = relationship(back_populates="investigation_notes")


class ReturnVisit(db.Model):
    """A return visit (回访): is the agreement performed, are the parties satisfied, is any risk left."""

    __tablename__ = "return_visits"
    __table_args__ = (
        enum_check("performance", wf.Performance),
        enum_check("satisfaction", wf.Satisfaction, nullable=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id", ondelete="CASCADE"), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    performance: Mapped[wf.Performance] = mapped_column(EnumValue(wf.Performance, 16))
    satisfaction: Mapped[wf.Satisfaction | None] = mapped_column(EnumValue(wf.Satisfaction, 16))
    residual_risk: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dispute: Mapped[Dispute] = relationship(back_populates="return_visits")
