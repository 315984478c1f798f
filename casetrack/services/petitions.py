"""Workflow verbs for petitions (信访) under the 信访工作条例 (2022)."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, true

from casetrack import permissions
from casetrack.clock import now_utc
from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.domain.identity import check_person, normalise_id_number, normalise_phone
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, PetitionCategory, Petitioner, User, Village
from casetrack.services import disputes as dispute_services
from casetrack.services import notifications, time_limits
from casetrack.services.disputes import check_version
from casetrack.services.numbering import format_case_number, next_sequence
from casetrack.services.timeline import record_event

A, S = pw.PetitionAction, pw.PetitionState


@dataclass
class PetitionerData:
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    is_representative: bool = False


@dataclass
class PetitionIntake:
    received_on: date
    channel: pw.Channel
    category_id: int
    request: str
    petitioners: list[PetitionerData] = field(default_factory=list)
    persons: int = 1
    village_id: int | None = None
    level: pw.Level = pw.Level.TOWNSHIP
    cross_level: bool = False
    disruptive: bool = False
    repeat_of_number: str | None = None
    source: pw.Source = pw.Source.OWN
    source_body: str | None = None  # the higher body that forwarded or assigned it
    source_reference: str | None = None  # its reference number (文号)
    assigned_due_on: date | None = None  # 交办: the 办理期限 it set
    leader_received_by: str | None = None  # 领导接访: the leader who received this visit on a reception day


def petition_prefix(township) -> str:
    """Return the running-number prefix for petitions: 斜信字 by default."""
    return township.setting("petition_prefix") or f"{township.name[0]}信字"


def find_by_number(township_id: int, number: str, reach=None) -> Petition | None:
    """Return the township's petition with that case number, if it lies within reach (a WHERE clause).

    A number outside the user's reach is not found, exactly like one that does not exist, so that intake
    cannot tell whether another village has such a petition.
    """
    return db.session.execute(
        select(Petition).where(Petition.township_id == township_id, Petition.number == number.strip(),
                               true() if reach is None else reach)
    ).scalar_one_or_none()


def register_petition(actor: User, township, intake: PetitionIntake, today: date, number: str | None = None) -> Petition:
    """Register (登记) a petition; a repeat is linked to the first petition on the matter."""
    if intake.received_on > today:
        raise DomainError("登记日期不能晚于今天。")
    if not intake.request.strip():
        raise DomainError("请填写诉求摘要。")
    if not intake.petitioners:
        raise DomainError("至少需要一名信访人。")
    for person in intake.petitioners:
        check_person(person.name, person.id_number, person.phone, "信访人", today)
    representatives = sum(1 for p in intake.petitioners if p.is_representative)
    pw.check_representatives(intake.channel, intake.persons, representatives)
    _check_source(intake)
    leader = (intake.leader_received_by or "").strip() or None
    pw.check_leader_reception(intake.channel, leader)
    category = db.session.get(PetitionCategory, intake.category_id)
    if category is None or category.township_id != township.id:
        raise DomainError("事项类别不存在。")
    village = None
    if intake.village_id:
        village = db.session.get(Village, intake.village_id)
        if village is None or village.township_id != township.id:
            raise DomainError("所属村不属于本乡镇。")
    original = None
    if intake.repeat_of_number:
        original = find_by_number(township.id, intake.repeat_of_number, permissions.petition_scope(actor))
        if original is None:
            raise DomainError("重复信访所指的编号“%(number)s”不存在。", number=intake.repeat_of_number)
        original = original.repeat_of or original  # always link to the first petition on the matter
    year = intake.received_on.year
    seq = next_sequence(township, year, "petition")
    petition = Petition(
        township=township, village=village, number=number or format_case_number(year, petition_prefix(township), seq),
        year=year, seq=seq, received_on=intake.received_on, channel=intake.channel, persons=intake.persons,
        category=category, request=intake.request.strip(), level=intake.level,
        cross_level=intake.cross_level, disruptive=intake.disruptive, repeat_of=original,
        created_by_id=actor.id if actor else None, source=intake.source,
        source_body=(intake.source_body or "").strip() or None,
        source_reference=(intake.source_reference or "").strip() or None,
        assigned_due_on=intake.assigned_due_on if intake.source is pw.Source.ASSIGNED_IN else None,
        leader_received_by=leader,
    )
    for position, person in enumerate(intake.petitioners):
        petition.petitioners.append(Petitioner(
            position=position, name=person.name.strip(),
            id_number=normalise_id_number(person.id_number) if person.id_number else None,
            phone=normalise_phone(person.phone) if person.phone else None, address=person.address,
            is_representative=person.is_representative,
        ))
    db.session.add(petition)
    db.session.flush()
    params = {"number": petition.number, "channel": intake.channel, "persons": intake.persons,
              "category": category.name, "category_id": category.id, "leader": leader}
    if intake.source.from_above:
        params.update(source=intake.source, source_body=petition.source_body,
                      source_reference=petition.source_reference, assigned_due_on=petition.assigned_due_on)
    # Each timeline names the other petition only when both lie in one village: then whoever sees one sees
    # the other, and no timeline tells a village about a petition beyond its reach (the pages link them, scoped).
    same_reach = original is not None and original.village_id == petition.village_id
    if original:
        params.update({"repeat_of": original.number, "repeat_of_id": original.id} if same_reach else {"repeat": True})
    _record(petition, actor, "register", params)
    if original:
        record_event(None, actor, "repeat", {"number": petition.number, "petition_id": petition.id} if same_reach
                     else {}, petition=original)
    return petition


def _check_source(intake: PetitionIntake) -> None:
    """A matter from above names the body that sent it; a 交办 matter the 办理期限 set, after receipt."""
    if not intake.source.from_above:
        return
    if not (intake.source_body or "").strip():
        raise DomainError("请填写转送、交办的机关。")
    if intake.source is pw.Source.ASSIGNED_IN:
        if intake.assigned_due_on is None:
            raise DomainError("请填写交办机关指定的办理期限。")
        if intake.assigned_due_on <= intake.received_on:
            raise DomainError("指定办理期限应晚于收到日期。")


def _record(petition: Petition, actor: User | None, kind: str, params: dict, changes: dict | None = None):
    return record_event(None, actor, kind, params, changes, petition=petition)


def _move(petition: Petition, actor: User, action: pw.PetitionAction, params: dict, changes: dict | None = None,
          kind: str | None = None):
    target = pw.next_state(petition.state, action)
    before = petition.state
    petition.status = target
    db.session.flush()
    all_changes = {"status": (before, target)} if before is not target else {}
    all_changes.update(changes or {})
    _record(petition, actor, kind or action.value, params, all_changes)


def _check_date(petition: Petition, on: date, today: date, what: str, earliest: date | None = None) -> None:
    earliest = earliest or petition.received_on
    if on > today:
        raise DomainError("%(what)s不能晚于今天。", what=what)
    if on < earliest:
        raise DomainError("%(what)s不能早于%(date)s。", what=what, date=earliest.isoformat())


def _same_matter(petition: Petition) -> list[Petition]:
    first = petition.repeat_of or petition
    rows = db.session.execute(
        select(Petition).where(
            (Petition.id == first.id) | (Petition.repeat_of_id == first.id), Petition.id != petition.id
        )
    ).scalars().all()
    return list(rows)


def decide(
    petition: Petition, actor: User, decision: pw.Decision | str, on: date, today: date, note: str | None = None,
    expected_version: int | None = None,
) -> None:
    """Decide within 15 days: 受理, 不予受理, 转送 or 交办 (Art. 22-23)."""
    check_version(petition, expected_version)
    decision = pw.Decision(decision)
    action = decision.action
    pw.next_state(petition.state, action)
    _check_date(petition, on, today, N_("决定日期"))
    if decision is not pw.Decision.ACCEPTED and not (note or "").strip():
        if decision is pw.Decision.NOT_ACCEPTED:
            raise DomainError("请填写不予受理的理由。")
        if decision is pw.Decision.FORWARDED:
            raise DomainError("请填写转送的机关。")
        raise DomainError("请填写交办的单位。")
    if decision.handled:
        others = _same_matter(petition)
        had_second_review = any(p.second_review_answered_on for p in others)
        if not pw.can_accept_again([p.state for p in others], had_second_review):
            if had_second_review:
                raise DomainError("同一信访事项已经复核终结,不再受理(第三十六条)。")
            raise DomainError("同一信访事项已受理且尚在办理期限内,不再重复受理(第十九条);请告知信访人等待办理结果。")
    petition.decision = decision
    petition.decided_on = on
    petition.decision_note = (note or "").strip() or None
    deadline = time_limits.acceptance_deadline(petition)
    late_due = deadline.due if on > deadline.due else None
    if decision is pw.Decision.NOT_ACCEPTED:
        petition.closed_on = on
    _move(petition, actor, action, {"on": on, "note": petition.decision_note, "late_due": late_due})


def start(petition: Petition, actor: User, on: date, today: date) -> None:
    """Start handling an accepted or assigned matter (办理中)."""
    pw.next_state(petition.state, A.START)
    _check_date(petition, on, today, N_("开始办理日期"), petition.decided_on)
    petition.started_on = on
    _move(petition, actor, A.START, {"on": on})


def request_extension(petition: Petition, actor: User, days: int, reason: str) -> None:
    """Ask a leader to extend the handling limit; nothing changes until a leader approves."""
    pw.next_state(petition.state, A.EXTEND)
    if petition.extension_days:
        raise dl.ExtensionRefused("办理期限只能延长一次")
    if petition.extension_requested_days:
        raise DomainError("已有待领导审批的延期申请。")
    if not 1 <= days <= dl.MAX_EXTENSION_DAYS:
        if days > dl.MAX_EXTENSION_DAYS:
            raise dl.ExtensionRefused("延期不得超过30日")
        raise dl.ExtensionRefused("延期天数至少为1日")
    if not reason.strip():
        raise dl.ExtensionRefused("请填写延期理由,并告知信访人")
    petition.extension_requested_days = days
    petition.extension_requested_reason = reason.strip()
    petition.extension_requested_by_id = actor.id
    db.session.flush()
    _record(petition, actor, "extension_requested", {"days": days, "reason": reason.strip()})
    notifications.announce_extension_request(petition, days, now_utc())


def extend(petition: Petition, approver: User, days: int, reason: str, on: date, today: date,
           expected_version: int | None = None) -> None:
    """Extend the handling limit once, by at most 30 days, with a leader's approval (Art. 34)."""
    check_version(petition, expected_version)
    pw.next_state(petition.state, A.EXTEND)
    dl.check_extension(days, approver.role, reason, 1 if petition.extension_days else 0)
    _check_date(petition, on, today, N_("批准日期"), petition.decided_on)
    before = time_limits.opinion_deadline(petition)
    if before and on > before.due:
        raise dl.ExtensionRefused("办理期限已于%(date)s届满,不能再延期。", date=before.due.isoformat())
    petition.extension_days = days
    petition.extension_reason = reason.strip()
    petition.extension_approved_by_id = approver.id
    petition.extension_approved_on = on
    petition.extension_requested_days = None
    petition.extension_requested_reason = None
    db.session.flush()
    after = time_limits.opinion_deadline(petition)
    _record(
        petition, approver, "extend", {"days": days, "reason": reason.strip(), "on": on},
        {"opinion_due_on": (before.due if before else None, after.due if after else None)},
    )


def decline_extension(petition: Petition, leader: User, note: str) -> None:
    """Decline a pending extension request."""
    if leader.role != "leader":
        raise dl.ExtensionRefused("延期须经领导批准")
    if not petition.extension_requested_days:
        raise DomainError("没有待审批的延期申请。")
    days = petition.extension_requested_days
    petition.extension_requested_days = None
    petition.extension_requested_reason = None
    db.session.flush()
    _record(petition, leader, "extension_declined", {"days": days, "note": note.strip() or None})


def answer(petition: Petition, actor: User, opinion: pw.Opinion, text: str, on: date, today: date,
           expected_version: int | None = None) -> None:
    """Give the written handling opinion (处理意见): 支持, 解释说明 or 不支持 (Art. 32)."""
    check_version(petition, expected_version)
    pw.next_state(petition.state, A.ANSWER)
    _check_date(petition, on, today, N_("办结日期"), petition.decided_on)
    if not text.strip():
        raise DomainError("请填写处理意见的内容。")
    deadline = time_limits.opinion_deadline(petition)
    petition.opinion = opinion
    petition.opinion_text = text.strip()
    petition.answered_on = on
    late_due = deadline.due if deadline and on > deadline.due else None
    _move(petition, actor, A.ANSWER, {"opinion": opinion, "on": on, "late_due": late_due})


def deliver(petition: Petition, actor: User, on: date, today: date) -> None:
    """Record delivery of the written opinion to the petitioner (送达)."""
    pw.next_state(petition.state, A.DELIVER)
    _check_date(petition, on, today, N_("送达日期"), petition.answered_on)
    petition.delivered_on = on
    _move(petition, actor, A.DELIVER, {"on": on})


def rate(petition: Petition, actor: User, satisfaction: wf.Satisfaction) -> None:
    """Record the petitioner's satisfaction with the reply."""
    before = petition.satisfaction
    petition.satisfaction = satisfaction
    _move(petition, actor, A.RATE, {"satisfaction": satisfaction}, {"satisfaction": (before, satisfaction)})


class LateRequest(str):
    """The warning shown on a late request (empty when on time), with the timeline entry's parameters."""

    params: dict

    def __new__(cls, text: str, params: dict):
        made = super().__new__(cls, text)
        made.params = params
        return made


def _late_request(petition: Petition, window: dl.Deadline, on: date, late_note: str | None) -> LateRequest:
    """Return the warning on a late request and its timeline parameters; a late one needs a note, never a refusal.

    Software never takes a petitioner's right away: whether a late request is still taken up is for the
    body to decide, so the request is saved with a warning (《信访工作条例》第三十五条、第三十六条).
    """
    dl.check_request_in_window(on, window)
    late = dl.request_days_late(on, window)
    if not late:
        return LateRequest("", {})
    if not (late_note or "").strip():
        raise DomainError("申请日期已超过%(limit)s(截至%(date)s)%(days)s日:申请照常登记,请填写逾期说明后保存。",
                          limit=window.label, date=window.due.isoformat(), days=late)
    return LateRequest(f"(逾期{late}日提出,{window.label}截至{window.due.isoformat()};逾期说明:{late_note.strip()})",
                       {"late_days": late, "window": window.label, "window_due": window.due, "late_note": late_note.strip()})


def request_review(petition: Petition, actor: User, on: date, today: date, late_note: str | None = None,
                   body: str | None = None) -> str:
    """Record the petitioner's request for a review (复查), asked within 30 days of delivery (Art. 35).

    The review is the next-higher body's act: the township records the request and the body it went to.
    Returns a warning when the request came after its window; it is saved all the same.
    """
    pw.next_state(petition.state, A.REQUEST_REVIEW)
    _check_date(petition, on, today, N_("申请日期"), petition.delivered_on)
    late = _late_request(petition, time_limits.review_request_deadline(petition), on, late_note)
    petition.review_requested_on = on
    petition.review_body = (body or "").strip() or None
    _move(petition, actor, A.REQUEST_REVIEW, {"on": on, "body": petition.review_body, **late.params})
    return str(late)


def answer_review(petition: Petition, actor: User, result: str, on: date, today: date,
                  delivered_on: date | None = None) -> None:
    """Record the review opinion, answered within 30 days, and when the petitioner received it."""
    pw.next_state(petition.state, A.ANSWER_REVIEW)
    _check_date(petition, on, today, N_("复查答复日期"), petition.review_requested_on)
    if delivered_on is not None:
        _check_date(petition, delivered_on, today, N_("复查答复送达日期"), on)
    if not result.strip():
        raise DomainError("请填写复查意见。")
    petition.review_answered_on = on
    petition.review_delivered_on = delivered_on or on
    petition.review_result = result.strip()
    delivered = petition.review_delivered_on if delivered_on and delivered_on != on else None
    _move(petition, actor, A.ANSWER_REVIEW, {"on": on, "delivered_on": delivered})


def request_second_review(petition: Petition, actor: User, on: date, today: date,
                          late_note: str | None = None, body: str | None = None) -> str:
    """Record a request for a second review (复核), asked within 30 days of receiving the review answer (Art. 36).

    Returns a warning when the request came after its window; it is saved all the same.
    """
    pw.next_state(petition.state, A.REQUEST_SECOND_REVIEW)
    received = petition.review_delivered_on or petition.review_answered_on
    _check_date(petition, on, today, N_("申请日期"), received)
    late = _late_request(petition, time_limits.second_review_request_deadline(petition), on, late_note)
    petition.second_review_requested_on = on
    petition.second_review_body = (body or "").strip() or None
    _move(petition, actor, A.REQUEST_SECOND_REVIEW, {"on": on, "body": petition.second_review_body, **late.params})
    return str(late)


def answer_second_review(petition: Petition, actor: User, result: str, on: date, today: date) -> None:
    """Record the second-review opinion; the matter ends and is not accepted again."""
    pw.next_state(petition.state, A.ANSWER_SECOND_REVIEW)
    _check_date(petition, on, today, N_("复核答复日期"), petition.second_review_requested_on)
    if not result.strip():
        raise DomainError("请填写复核意见。")
    petition.second_review_answered_on = on
    petition.second_review_result = result.strip()
    petition.closed_on = on
    _move(petition, actor, A.ANSWER_SECOND_REVIEW, {"on": on})


def close(petition: Petition, actor: User, on: date, today: date) -> None:
    """End the matter (终结) after the reply, when no review is asked for."""
    pw.next_state(petition.state, A.CLOSE)
    _check_date(petition, on, today, N_("终结日期"), petition.delivered_on or petition.received_on)
    petition.closed_on = on
    _move(petition, actor, A.CLOSE, {"on": on})


def convert_to_mediation(
    petition: Petition, actor: User, village_id: int, dispute_type_id: int, on: date, today: date,
    respondent: str | None = None,
) -> Dispute:
    """Turn the petition into a mediation case (信访转调); both stay linked and both timelines say so."""
    pw.next_state(petition.state, A.CONVERT_TO_MEDIATION)
    if petition.disputes:
        raise DomainError("本信访事项已转为调解案件 %(number)s。", number=petition.disputes[0].number)
    village = db.session.get(Village, village_id)
    if village is None or village.township_id != petition.township_id:
        raise DomainError("调解案件须在本乡镇。")  # checked before anything is written
    parties = [
        dispute_services.PartyData(wf.PartySide.APPLICANT, p.name, None, p.id_number, p.phone, p.address)
        for p in petition.petitioners
    ]
    if respondent and respondent.strip():
        parties.append(dispute_services.PartyData(wf.PartySide.RESPONDENT, respondent.strip()))
    intake = dispute_services.DisputeIntake(
        village_id=village_id, dispute_type_id=dispute_type_id, source=wf.Source.PETITION, registered_on=on,
        summary=f"信访转调({petition.number}):{petition.request}", parties=parties,
        people_involved=max(petition.persons, len(parties)),
    )
    dispute = dispute_services.register_dispute(actor, intake, today)
    dispute.petition = petition
    db.session.flush()
    _record(petition, actor, A.CONVERT_TO_MEDIATION.value, {"number": dispute.number, "dispute_id": dispute.id})
    record_event(dispute, actor, "from_petition", {"number": petition.number, "petition_id": petition.id})
    return dispute


# ---------------------------------------------------------------- matters from above (Art. 22-23)


def object_to_referral(petition: Petition, actor: User, on: date, reason: str, today: date,
                       expected_version: int | None = None) -> str:
    """Object to a matter forwarded or assigned from above (异议), within 5 working days of receipt (Art. 23).

    The objection goes back to the body that sent it; the matter stays registered until it answers. One made
    after the 5 working days is recorded all the same, marked late (the higher body decides). Returns the late note.
    """
    check_version(petition, expected_version)
    pw.next_state(petition.state, A.OBJECT)
    if not petition.source_enum.from_above:
        raise DomainError("只有上级转送、交办的信访事项才能提出异议。")
    if petition.objection_outcome is not None:
        raise DomainError("已就本事项提出过异议。")
    _check_date(petition, on, today, N_("提出异议日期"))
    if not reason.strip():
        raise DomainError("请填写异议理由。")
    window = time_limits.objection_deadline(petition)
    late = f"(已超过异议期限 {window.due.isoformat()})" if on > window.due else ""
    late_due = window.due if on > window.due else None
    petition.objection_raised_on = on
    petition.objection_reason = reason.strip()
    petition.objection_outcome = pw.ObjectionOutcome.PENDING
    _move(petition, actor, A.OBJECT, {"body": petition.source_body, "on": on, "reason": reason.strip(),
                                      "late_due": late_due}, {"objection_outcome": (None, pw.ObjectionOutcome.PENDING)})
    return late


def record_objection_outcome(petition: Petition, actor: User, agreed: bool, on: date, today: date,
                             expected_version: int | None = None) -> None:
    """Record the higher body's answer to the objection: agreed, the materials go back; refused, we handle it."""
    check_version(petition, expected_version)
    if petition.objection_outcome is not pw.ObjectionOutcome.PENDING:
        raise DomainError("没有待上级核实的异议。")
    _check_date(petition, on, today, N_("上级答复日期"), petition.objection_raised_on)
    outcome = pw.ObjectionOutcome.AGREED if agreed else pw.ObjectionOutcome.REFUSED
    petition.objection_outcome = outcome
    petition.objection_outcome_on = on
    changes = {"objection_outcome": (pw.ObjectionOutcome.PENDING, outcome)}
    if agreed:
        pw.next_state(petition.state, A.FORWARD)
        petition.decision = pw.Decision.FORWARDED
        petition.decided_on = on
        petition.decision_note = f"异议经{petition.source_body}同意,交还相关材料"
        _move(petition, actor, A.FORWARD, {"body": petition.source_body, "on": on}, changes, kind="objection_agreed")
    else:
        db.session.flush()
        _record(petition, actor, "objection_refused", {"body": petition.source_body, "on": on}, changes)


def report_completion(petition: Petition, actor: User, on: date, sent_to: str, content: str, today: date,
                      expected_version: int | None = None) -> None:
    """Send the 办结报告 of a matter assigned from above (交办) to the body that assigned it (Art. 22 (三))."""
    check_version(petition, expected_version)
    if petition.source is not pw.Source.ASSIGNED_IN:
        raise DomainError("只有上级交办的信访事项需要提交办结报告。")
    if petition.completion_report_on is not None:
        raise DomainError("办结报告已于%(date)s提交。", date=petition.completion_report_on.isoformat())
    if petition.answered_on is None and petition.legal_route is None:
        raise DomainError("尚未办结(未出具处理意见),不能提交办结报告。")
    _check_date(petition, on, today, N_("办结报告日期"), petition.answered_on or petition.legal_route_told_on)
    if not sent_to.strip():
        raise DomainError("请填写办结报告报送的机关。")
    if not content.strip():
        raise DomainError("请填写办结报告的内容。")
    deadline = time_limits.completion_report_deadline(petition)
    late_due = deadline.due if deadline and on > deadline.due else None
    petition.completion_report_on = on
    petition.completion_report_to = sent_to.strip()
    petition.completion_report_text = content.strip()
    db.session.flush()
    _record(petition, actor, "completion_report", {"body": sent_to.strip(), "on": on, "late_due": late_due},
            {"completion_report_on": (None, on)})


# ---------------------------------------------------------------- 依法分类处理 (Art. 31)


def route_to_procedure(petition: Petition, actor: User, route: pw.LegalRoute, body: str, told_on: date,
                       today: date, expected_version: int | None = None) -> None:
    """Route a matter at acceptance into litigation, arbitration, reconsideration or another legal procedure.

    It leaves the 60-day 处理意见 track: the petitioner is told which body to go to and when (Art. 31).
    """
    check_version(petition, expected_version)
    pw.next_state(petition.state, A.ROUTE)
    _check_date(petition, told_on, today, N_("告知日期"))
    if not body.strip():
        raise DomainError("请填写受理该程序的机关。")
    route = pw.LegalRoute(route)
    deadline = time_limits.acceptance_deadline(petition)
    late_due = deadline.due if told_on > deadline.due else None
    petition.decision = pw.Decision.ACCEPTED
    petition.decided_on = told_on
    petition.legal_route = route
    petition.legal_route_body = body.strip()
    petition.legal_route_told_on = told_on
    petition.decision_note = f"依法导入{route.label}程序:{body.strip()}"
    petition.closed_on = told_on
    _move(petition, actor, A.ROUTE, {"route": route, "body": body.strip(), "on": told_on, "late_due": late_due},
          {"legal_route": (None, route)})


def record_level(petition: Petition, actor: User, level: pw.Level, on: date, today: date,
                 expected_version: int | None = None) -> None:
    """Record that the matter went on to a higher level (县 / 市 / 省 / 进京) on a day; the figures count it from then."""
    check_version(petition, expected_version)
    level, before = pw.Level(level), pw.Level(petition.level)
    if level <= before:
        raise DomainError("到达层级只能高于现在的“%(level)s”。", level=before.label)
    _check_date(petition, on, today, N_("到达日期"))
    petition.level = level
    if pw.reaches_province_or_beijing(level) and not pw.reaches_province_or_beijing(before):
        petition.province_reached_on = on
    db.session.flush()
    _record(petition, actor, "level", {"petition_level": level, "on": on}, {"level": (before, level)})


def record_disruptive(petition: Petition, actor: User, police_referred_on: date | None, today: date,
                      expected_version: int | None = None) -> None:
    """Record that the matter is 缠访闹访 and, when given, the day its unlawful conduct went to the police (条例 Art. 47).

    The report counts the matter as 缠访闹访 from today, or from the referral when that was earlier (a matter sent
    to the police was 缠访闹访 by then), and as referred to the police from the referral.
    """
    check_version(petition, expected_version)
    if not pw.is_open(petition.state):
        raise DomainError("信访事项已办结,不能再记录缠访闹访。")
    if petition.police_referred_on is not None:
        raise DomainError("已记录移交公安机关处理,不能重复记录。")
    if petition.disruptive and police_referred_on is None:
        raise DomainError("已认定为缠访闹访;移交公安机关的,请填写移交日期。")
    changes = {}
    kind = "police_referral"
    if police_referred_on is not None:
        _check_date(petition, police_referred_on, today, N_("移交日期"))
    if not petition.disruptive:
        petition.disruptive = True
        petition.disruptive_on = min(today, police_referred_on or today)
        changes["disruptive"] = (False, True)
        kind = "disruptive"
    if police_referred_on is not None:
        petition.police_referred_on = police_referred_on
        changes["police_referred_on"] = (None, police_referred_on)
    db.session.flush()
    _record(petition, actor, kind, {"police_referred_on": police_referred_on}, changes)
