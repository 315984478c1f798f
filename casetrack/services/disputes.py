"""Workflow verbs for disputes: register, accept, mediate, conclude, visit, archive, escalate."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from casetrack import clock
from casetrack.clock import now_utc
from casetrack.domain import money
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.domain.identity import check_person, normalise_id_number, normalise_phone
from casetrack.domain.text import clean_pasted, has_unstorable
from casetrack.extensions import db
from casetrack.models import (
    Dispute,
    DisputeType,
    InvestigationNote,
    MediationSession,
    NaturalVillage,
    Party,
    ReturnVisit,
    User,
    Village,
)
from casetrack.services import time_limits
from casetrack.services.numbering import format_case_number, next_sequence
from casetrack.services.timeline import record_event


class EditConflict(DomainError):
    """Someone else changed the case since the form was opened."""

    def __init__(self) -> None:
        super().__init__("该案件已被他人修改,您的内容未保存。请核对最新信息后重新提交(您填写的内容已保留)。")


@dataclass
class PartyData:
    side: wf.PartySide
    name: str
    gender: wf.Gender | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


@dataclass
class DisputeIntake:
    village_id: int
    dispute_type_id: int
    source: wf.Source
    registered_on: date
    summary: str
    parties: list[PartyData] = field(default_factory=list)
    natural_village_id: int | None = None
    channel: wf.Channel = wf.Channel.PEOPLES
    people_involved: int = 2
    risk_level: wf.RiskLevel = wf.RiskLevel.GENERAL
    police_reported: bool = False
    group_dispute: bool = False  # 群体性纠纷
    referral_origin: wf.ReferralOrigin | None = None  # 委托移送: who referred it, their name, and when
    referral_body: str | None = None
    referral_received_on: date | None = None


def check_version(dispute: Dispute, expected_version: int | None) -> None:
    """Refuse a change made from a stale form."""
    if expected_version is not None and expected_version != dispute.version:
        raise EditConflict()


def _check_date(dispute: Dispute, on: date, today: date, what: str) -> None:
    if on > today:
        raise DomainError("%(what)s不能晚于今天。", what=what)
    if on < dispute.registered_on:
        raise DomainError("%(what)s不能早于登记日期(%(date)s)。", what=what, date=dispute.registered_on.isoformat())


def _resolve_places(intake: DisputeIntake) -> tuple[Village, NaturalVillage | None, DisputeType]:
    village = db.session.get(Village, intake.village_id)
    if village is None:
        raise DomainError("所属村不存在。")
    natural = None
    if intake.natural_village_id:
        natural = db.session.get(NaturalVillage, intake.natural_village_id)
        if natural is None or natural.village_id != village.id:
            raise DomainError("自然村不属于所选的行政村。")
    dispute_type = db.session.get(DisputeType, intake.dispute_type_id)
    if dispute_type is None or dispute_type.township_id != village.township_id:
        raise DomainError("纠纷类别不存在。")
    return village, natural, dispute_type


def register_dispute(actor: User | None, intake: DisputeIntake, today: date, number: str | None = None) -> Dispute:
    """Register (登记) a dispute with its parties and give it the next case number."""
    village, natural, dispute_type = _resolve_places(intake)
    if intake.registered_on > today:
        raise DomainError("登记日期不能晚于今天。")
    if not intake.summary.strip():
        raise DomainError("请填写简要案情。")
    if not any(p.side is wf.PartySide.APPLICANT for p in intake.parties):
        raise DomainError("至少需要一名申请人。")
    for party in intake.parties:
        check_person(party.name, party.id_number, party.phone, "当事人", today)
    check_referral(intake.source, intake.referral_origin, intake.referral_body, intake.referral_received_on,
                   intake.registered_on)
    township = village.township
    year = intake.registered_on.year
    seq = next_sequence(township, year, "dispute")
    dispute = Dispute(
        township=township,
        village=village,
        natural_village=natural,
        number=number or format_case_number(year, township.case_prefix, seq),
        year=year,
        seq=seq,
        registered_on=intake.registered_on,
        dispute_type=dispute_type,
        source=intake.source,
        channel=intake.channel,
        summary=intake.summary.strip(),
        people_involved=intake.people_involved,
        risk_level=intake.risk_level,
        police_reported=intake.police_reported,
        group_dispute=intake.group_dispute,
        created_by=actor,
    )
    if intake.source is wf.Source.REFERRAL:
        dispute.referral_origin = intake.referral_origin
        dispute.referral_body = (intake.referral_body or "").strip() or None
        dispute.referral_received_on = intake.referral_received_on
    for position, party in enumerate(intake.parties):
        dispute.parties.append(
            Party(
                side=party.side,
                position=position,
                name=party.name.strip(),
                gender=party.gender,
                id_number=normalise_id_number(party.id_number) if party.id_number else None,
                phone=normalise_phone(party.phone) if party.phone else None,
                address=party.address,
            )
        )
    db.session.add(dispute)
    db.session.flush()
    record_event(dispute, actor, "register", {
        "number": dispute.number, "type": dispute_type.name, "dispute_type_id": dispute_type.id,
        "names": [p.name for p in dispute.parties], **referral_params(dispute)})
    return dispute


def check_referral(source: wf.Source, origin: wf.ReferralOrigin | None, body: str | None, on: date | None,
                   registered_on: date, required: bool = True) -> None:
    """A 委托移送 case names who referred it; the day it was referred is not after its registration.

    required=False: a case registered before the origin was recorded may keep it unknown when corrected.
    """
    if source is wf.Source.REFERRAL and origin is None and (required or (body or "").strip() or on):
        raise DomainError("委托移送的案件须选择移送来源(法院委派、法院委托、公安、信访或其他部门)。")
    if source is not wf.Source.REFERRAL and (origin or (body or "").strip() or on):
        raise DomainError("只有案件来源为委托移送的案件才填写移送来源、移送单位和移送日期。")
    if origin is wf.ReferralOrigin.OTHER_DEPARTMENT and not (body or "").strip():
        raise DomainError("由其他部门移送的,请填写移送单位名称。")
    if on and on > registered_on:
        raise DomainError("移送日期不能晚于登记日期。")


def referral_params(dispute: Dispute) -> dict:
    """The origin of a 委托移送 case as the register entry's parameters (none for another source)."""
    if not dispute.referral_origin:
        return {}
    details = "、".join(part for part in (dispute.referral_body, dispute.referral_received_on.isoformat()
                                         if dispute.referral_received_on else None) if part)
    return {"referral_origin": dispute.referral_origin, "referral_details": details or None}


FACT_FIELDS = {
    "dispute_type_id": "纠纷类别",
    "natural_village_id": "自然村",
    "summary": "简要案情",
    "people_involved": "涉及人数",
    "risk_level": "风险等级",
    "police_reported": "已报告公安机关",
    "group_dispute": "群体性纠纷",
    "channel": "调解方式",
    "referral_origin": "移送来源",
    "referral_body": "移送单位",
    "referral_received_on": "移送日期",
}


def _describe(field_name: str, value):
    """A fact's value as the timeline keeps it: raw, but a type or a natural village by its name."""
    if value is None:
        return None
    if field_name == "dispute_type_id":
        return db.session.get(DisputeType, value).name
    if field_name == "natural_village_id":
        return db.session.get(NaturalVillage, value).name
    return value


def update_facts(dispute: Dispute, actor: User, changes: dict, expected_version: int | None) -> dict:
    """Correct the registered facts (FACT_FIELDS); the timeline keeps what each field was before."""
    unknown = set(changes) - set(FACT_FIELDS)
    if unknown:
        raise ValueError(f"not registration facts: {sorted(unknown)}")
    check_version(dispute, expected_version)
    if dispute.state is wf.DisputeState.ARCHIVED:
        raise DomainError("已归档的案件不能修改。")
    if "natural_village_id" in changes and changes["natural_village_id"]:
        natural = db.session.get(NaturalVillage, changes["natural_village_id"])
        if natural is None or natural.village_id != dispute.village_id:
            raise DomainError("自然村不属于本案所属村。")
    if "dispute_type_id" in changes:
        dispute_type = db.session.get(DisputeType, changes["dispute_type_id"])
        if dispute_type is None or dispute_type.township_id != dispute.township_id:
            raise DomainError("纠纷类别不存在。")
        if not dispute_type.active and dispute_type.id != dispute.dispute_type_id:
            raise DomainError("纠纷类别“%(name)s”已停用,请选择其他类别。", name=dispute_type.name)
    if {"referral_origin", "referral_body", "referral_received_on"} & set(changes):
        origin = changes.get("referral_origin", dispute.referral_origin)
        check_referral(wf.Source(dispute.source), wf.ReferralOrigin(origin) if origin else None,
                       changes.get("referral_body", dispute.referral_body),
                       changes.get("referral_received_on", dispute.referral_received_on), dispute.registered_on,
                       required=dispute.referral_origin is not None)
    diff = {}
    for name, value in changes.items():
        old = getattr(dispute, name)
        if old != value:
            diff[name] = (_describe(name, old), _describe(name, value))
            setattr(dispute, name, value)
    if diff:
        db.session.flush()
        record_event(dispute, actor, "edit", {}, diff)
    return diff


def _move(dispute: Dispute, actor: User, action: wf.DisputeAction, params: dict, changes: dict | None = None,
          kind: str | None = None):
    target = wf.next_state(dispute.state, action, dispute.outcome)
    wf.check_major_responsibility(dispute.risk_level, dispute.responsible_unit, dispute.responsible_leader,
                                  dispute.responsible_person)
    before = dispute.state
    dispute.status = target
    dispute.updated_at = now_utc()  # a step that changes no other column (a repeat visit) still moves the version
    db.session.flush()
    all_changes = {"status": (before, target)} if before is not target else {}
    all_changes.update(changes or {})
    record_event(dispute, actor, kind or action.value, params, all_changes)


def accept(dispute: Dispute, actor: User, on: date, today: date, expected_version: int | None = None) -> None:
    """Accept (受理) a registered dispute for mediation."""
    check_version(dispute, expected_version)
    wf.next_state(dispute.state, wf.DisputeAction.ACCEPT)
    _check_date(dispute, on, today, N_("受理日期"))
    dispute.accepted_on = on
    _move(dispute, actor, wf.DisputeAction.ACCEPT, {"on": on})


def not_accept(
    dispute: Dispute, actor: User, on: date, reason: str | None, referred_to: str | None, today: date,
    expected_version: int | None = None, ground: wf.NotAcceptedGround = wf.NotAcceptedGround.OTHER,
) -> None:
    """Decline (不予受理) a dispute on a ground of 若干规定 Art. 22 (or another, explained), and say where the
    parties were referred."""
    check_version(dispute, expected_version)
    wf.next_state(dispute.state, wf.DisputeAction.NOT_ACCEPT)
    _check_date(dispute, on, today, N_("决定日期"))
    _decline(dispute, ground, reason, referred_to, on)
    _move(dispute, actor, wf.DisputeAction.NOT_ACCEPT, {
        "ground": dispute.not_accepted_ground, "reason": dispute.not_accepted_reason,
        "referred_to": dispute.referred_to})


def _decline(dispute: Dispute, ground: wf.NotAcceptedGround, reason: str | None, referred_to: str | None,
             on: date) -> None:
    reason = (reason or "").strip()
    if ground is wf.NotAcceptedGround.OTHER and not reason:
        raise DomainError("不予受理理由为“其他”的,请写明具体理由。")
    dispute.not_accepted_ground = ground
    dispute.not_accepted_reason = reason or None
    dispute.referred_to = (referred_to or "").strip() or None
    dispute.closed_on = on


def describe_ground(dispute: Dispute) -> str:
    """The 不予受理 ground as the timeline and documents write it: the ground (and its article), then the text."""
    return wf.describe_not_accepted(dispute.not_accepted_ground, dispute.not_accepted_reason)


def record_objection(dispute: Dispute, actor: User, on: date, party: str, note: str, today: date,
                     expected_version: int | None = None) -> wf.DisputeState:
    """Record a party's clear refusal of 主动调解 and stop the mediation (人民调解法 Art. 17: 不得调解).

    A registered case is declined (不予受理, 一方当事人不同意调解的); an accepted or mediating one ends (终止).
    """
    check_version(dispute, expected_version)
    target = wf.objection_target(wf.Source(dispute.source), dispute.state)
    _check_date(dispute, on, today, N_("拒绝日期"))
    if dispute.accepted_on and on < dispute.accepted_on:
        raise DomainError("拒绝日期不能早于受理日期(%(date)s)。", date=dispute.accepted_on.isoformat())
    party, note = (party or "").strip(), (note or "").strip()
    if not party:
        raise DomainError("请填写明确拒绝调解的当事人。")
    if not note:
        raise DomainError("请记录当事人拒绝调解的情况(如何表示、是否书面)。")
    dispute.objection_on, dispute.objection_by, dispute.objection_note = on, party, note
    before = dispute.state
    if target is wf.DisputeState.NOT_ACCEPTED:
        _decline(dispute, wf.NotAcceptedGround.PARTY_REFUSED, note, None, on)
        result = "not_accepted"
    else:
        dispute.outcome, dispute.end_reason, dispute.closed_on = (wf.Outcome.ENDED, wf.EndReason.REFUSED, on)
        result = "ended"
    dispute.status = target
    db.session.flush()
    record_event(dispute, actor, "objection", {"party": party, "on": on, "result": result, "note": note},
                 {"status": (before, target), "objection_party": (None, party)})
    return target


def name_registering_mediator(dispute: Dispute, mediator: User) -> None:
    """A village mediator who registers their own village's case handles it: they are its mediator from the
    start, and accepting it starts the mediation (web/cases.py), with no separate 指派调解员 step."""
    dispute.mediators = [mediator]
    db.session.flush()
    record_event(dispute, mediator, "assign_registrar", {"mediator": mediator.display_name, "user_id": mediator.id},
                 {"mediators": (None, mediator.display_name)})


def _mediators_in_reach(dispute: Dispute, mediator_ids: list[int]) -> list[User]:
    if not mediator_ids:
        raise DomainError("请至少指派一名调解员。")
    users = db.session.execute(select(User).where(User.id.in_(mediator_ids))).scalars().all()
    if len(users) != len(set(mediator_ids)) or any(
        u.township_id != dispute.township_id or u.role not in ("mediator", "staff") for u in users
    ):
        raise DomainError("指派的调解员不属于本乡。")
    return sorted(users, key=lambda u: u.id)


def assign_mediators(
    dispute: Dispute, actor: User, mediator_ids: list[int], expected_version: int | None = None
) -> None:
    """Assign mediators; a case that is accepted moves into mediation (调解中)."""
    check_version(dispute, expected_version)
    if dispute.state not in wf.NOTE_STATES:
        raise DomainError("当前状态为“%(state)s”,不能指派调解员。", state=dispute.state.label)
    users = _mediators_in_reach(dispute, mediator_ids)
    before = [u.display_name for u in dispute.mediators] or None
    dispute.mediators = users
    after = [u.display_name for u in users]
    params = {"mediators": after, "user_ids": [u.id for u in users]}
    if dispute.state is wf.DisputeState.ACCEPTED:
        _move(dispute, actor, wf.DisputeAction.START_MEDIATION, params, {"mediators": (before, after)})
    else:
        dispute.updated_at = now_utc()  # the case row itself must change so its version moves on
        db.session.flush()
        record_event(dispute, actor, "assign", params, {"mediators": (before, after)})


def record_investigation(
    dispute: Dispute, actor: User, noted_on: date, content: str, today: date,
    place: str | None = None, subject: str | None = None,
) -> InvestigationNote:
    """Record an investigation (调查记录)."""
    if dispute.state not in wf.NOTE_STATES:
        raise DomainError("当前状态为“%(state)s”,不能记录调查。", state=dispute.state.label)
    _check_date(dispute, noted_on, today, N_("调查日期"))
    note = InvestigationNote(noted_on=noted_on, place=place, subject=subject, content=content, recorded_by_id=actor.id)
    dispute.investigation_notes.append(note)
    db.session.flush()
    record_event(dispute, actor, "investigation", {"on": noted_on, "subject": subject or None})
    return note


def record_session(
    dispute: Dispute, actor: User, held_on: date, place: str, mediators: str, attendees: str, notes: str, today: date
) -> MediationSession:
    """Record a mediation session (调解记录); only while in mediation."""
    if dispute.state is not wf.DisputeState.MEDIATING:
        raise DomainError("当前状态为“%(state)s”,不能记录调解;请先受理并指派调解员。", state=dispute.state.label)
    _check_date(dispute, held_on, today, N_("调解日期"))
    session = MediationSession(
        held_on=held_on, place=place, mediators=mediators, attendees=attendees, notes=notes, recorded_by_id=actor.id
    )
    dispute.sessions.append(session)
    db.session.flush()
    record_event(dispute, actor, "session", {"count": len(dispute.sessions), "on": held_on, "place": place})
    return session


def agree_continuation(dispute: Dispute, actor: User, on: date, note: str, today: date,
                       until: date | None = None) -> None:
    """Record both parties' agreement to continue mediation until a new date, which becomes the limit.

    若干规定 Art. 33: a mediation generally ends within one month, unless both parties agree to continue.
    """
    if dispute.state is not wf.DisputeState.MEDIATING:
        raise DomainError("只有调解中的案件可以记录延续调解。")
    _check_date(dispute, on, today, N_("约定日期"))
    if until is None:
        raise DomainError("请填写双方当事人约定的调解期限。")
    if until < on or (dispute.accepted_on and until <= dispute.accepted_on):
        raise DomainError("约定的调解期限不能早于约定日期。")
    if not note.strip():
        raise DomainError("请说明双方当事人同意延续调解的情况。")
    before = time_limits.current_dispute_deadline(dispute)
    dispute.continuation_agreed = True
    dispute.continued_until = until
    db.session.flush()
    record_event(dispute, actor, "continuation", {"until": until, "note": note.strip(), "on": on},
                 {"continued_until": (before.due if before else None, until)})


@dataclass
class Conclusion:
    outcome: wf.Outcome
    closed_on: date
    agreement_form: wf.AgreementForm | None = None
    agreement_facts: str | None = None
    agreement_terms: str | None = None
    performance_manner: str | None = None
    performance_deadline: date | None = None
    agreement_copies: int | None = None
    channels_told: list[str] = field(default_factory=list)
    legal_aid_referred: bool = False
    end_reason: wf.EndReason | None = None
    notes: str | None = None
    agreement_amount_fen: int | None = None  # 协议涉及金额, in fen; only on an agreement

    def details(self) -> dict[str, object]:
        """The outcome's fields by their keys in wf.OUTCOME_FIELDS (履行情况 comes later, with the return visit)."""
        keys = [key for key in wf.OUTCOME_DETAILS if key != "performance"]
        return {key: getattr(self, "agreement_amount_fen" if key == "agreement_amount" else key) for key in keys}


def conclude(
    dispute: Dispute, actor: User, result: Conclusion, today: date, expected_version: int | None = None
) -> None:
    """Record the outcome: 调解成功 (with its agreement), 调解不成 or 终止."""
    check_version(dispute, expected_version)
    wf.next_state(dispute.state, wf.DisputeAction.CONCLUDE)
    _check_date(dispute, result.closed_on, today, N_("结案日期"))
    wf.check_outcome_details(result.outcome, **result.details())
    if result.performance_deadline and result.performance_deadline < result.closed_on:
        raise DomainError("履行期限不能早于协议达成日期。")
    if result.agreement_amount_fen is not None and result.agreement_amount_fen < 0:
        raise DomainError("金额不能为负数。")
    channels_told = wf.ReferralOut.normalise(result.channels_told)
    dispute.outcome = result.outcome
    dispute.closed_on = result.closed_on
    dispute.conclusion_notes = result.notes
    params: dict = {"outcome": result.outcome}
    if result.outcome is wf.Outcome.SUCCEEDED:
        dispute.agreement_form = result.agreement_form
        dispute.agreement_facts = result.agreement_facts
        dispute.agreement_terms = result.agreement_terms
        dispute.performance_manner = result.performance_manner
        dispute.performance_deadline = result.performance_deadline
        dispute.agreement_copies = result.agreement_copies
        dispute.agreement_amount_fen = result.agreement_amount_fen
        params["form"] = result.agreement_form
        if result.agreement_amount_fen is not None:
            params["amount_fen"] = result.agreement_amount_fen
            params["amount_yuan"] = money.format_yuan(result.agreement_amount_fen)
    elif result.outcome is wf.Outcome.FAILED:
        dispute.channels_told = "、".join(channels_told)
        dispute.legal_aid_referred = result.legal_aid_referred
        params["channels_told"] = list(channels_told)
        params["legal_aid"] = bool(result.legal_aid_referred) or None
    else:
        dispute.end_reason = result.end_reason
        params["end_reason"] = result.end_reason
    _move(dispute, actor, wf.DisputeAction.CONCLUDE, params, {"outcome": (None, result.outcome)})


def record_return_visit(
    dispute: Dispute, actor: User, visited_on: date, performance: wf.Performance, today: date,
    satisfaction: wf.Satisfaction | None = None, residual_risk: str | None = None, notes: str | None = None,
    expected_version: int | None = None,
) -> ReturnVisit:
    """Record a return visit (回访) on the agreement's performance."""
    check_version(dispute, expected_version)
    wf.next_state(dispute.state, wf.DisputeAction.FOLLOW_UP, dispute.outcome)
    _check_date(dispute, visited_on, today, N_("回访日期"))
    if dispute.closed_on and visited_on < dispute.closed_on:
        raise DomainError("回访日期不能早于协议达成日期。")
    visit = ReturnVisit(
        visited_on=visited_on,
        performance=performance,
        satisfaction=satisfaction,
        residual_risk=residual_risk,
        notes=notes,
        recorded_by_id=actor.id,
    )
    dispute.return_visits.append(visit)
    before = dispute.performance
    dispute.performance = performance
    _move(dispute, actor, wf.DisputeAction.FOLLOW_UP, {"performance": performance, "satisfaction": satisfaction,
                                                        "on": visited_on}, {"performance": (before, performance)})
    return visit


def archive(dispute: Dispute, actor: User, on: date, today: date, expected_version: int | None = None) -> None:
    """Close and file the case (结案归档, 一案一卷)."""
    check_version(dispute, expected_version)
    wf.next_state(dispute.state, wf.DisputeAction.ARCHIVE, dispute.outcome)
    _check_date(dispute, on, today, N_("归档日期"))
    dispute.archived_on = on
    _move(dispute, actor, wf.DisputeAction.ARCHIVE, {"on": on})


def escalate(dispute: Dispute, actor: User, reason: str, expected_version: int | None = None,
             on: date | None = None) -> wf.Level:
    """Move the case up one handling level (村 → 乡 → 县) on a day (today unless given), recording why."""
    check_version(dispute, expected_version)
    target = wf.escalation_target(dispute.state, dispute.level)
    today = clock.today()
    on = on or today
    _check_date(dispute, on, today, N_("上报日期"))
    reason = clean_pasted(reason)
    if not reason.strip():
        raise DomainError("请填写上报升级的理由。")
    if has_unstorable(reason):  # the bulk action's reason is read without a form
        raise DomainError("上报升级的理由含有无法保存的隐藏字符,请删去后重新输入。")
    before = dispute.level
    dispute.level = target
    # The report counts a case at the level it stood at on a period's last day (services.statistics).
    if target is wf.Level.TOWNSHIP:
        dispute.township_level_on = on
    else:
        dispute.county_level_on = on
    db.session.flush()
    record_event(
        dispute, actor, "escalate", {"to_level": target, "reason": reason.strip(), "on": on}, {"level": (before, target)}
    )
    return target
