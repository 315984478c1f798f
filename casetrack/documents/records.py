"""The registration, rights notice, investigation, session and return-visit records of a case."""

from casetrack.documents import settings
from casetrack.documents.content import (
    BLANK,
    Document,
    Fields,
    Paragraph,
    Seal,
    Section,
    Signature,
    Signatures,
    case_title,
    cn_date,
    new_document,
    parties_table,
    party_names,
    party_signatures,
    user_name,
)
from casetrack.documents.kinds import title_of
from casetrack.domain import workflow as wf
from casetrack.domain.money import format_yuan
from casetrack.models import Dispute

RIGHTS = (  # 人民调解法 第二十三条
    "(一)选择或者接受人民调解员;",
    "(二)接受调解、拒绝调解或者要求终止调解;",
    "(三)要求调解公开进行或者不公开进行;",
    "(四)自主表达意愿、自愿达成调解协议。",
)
DUTIES = (  # 人民调解法 第二十四条
    "(一)如实陈述纠纷事实;",
    "(二)遵守调解现场秩序,尊重人民调解员;",
    "(三)尊重对方当事人行使权利。",
)
NOTICES = (
    "(一)人民调解委员会调解民间纠纷,不收取任何费用(人民调解法第四条)。",
    "(二)经人民调解委员会调解达成的调解协议,具有法律约束力,当事人应当按照约定履行(第三十一条)。",
    "(三)达成调解协议后,双方当事人认为有必要的,可以自调解协议生效之日起三十日内共同向人民法院申请司法确认(第三十三条)。",
    "(四)调解不成的,当事人可以依法通过仲裁、行政、司法等途径维护自己的权利(第二十六条)。",
)


def _place(case: Dispute) -> str:
    return case.village.name + (f" · {case.natural_village.name}" if case.natural_village else "")


def _acceptance(case: Dispute) -> list[tuple[str, str]]:
    rows = [("登记日期", cn_date(case.registered_on)), ("登记人", user_name(case.created_by_id) or BLANK)]
    if case.status == wf.DisputeState.NOT_ACCEPTED.value or case.not_accepted_reason:
        referral = f";已告知当事人向{case.referred_to}申请解决" if case.referred_to else ""
        rows.append(("受理意见", f"不予受理。理由:{wf.describe_not_accepted(case.not_accepted_ground, case.not_accepted_reason)}{referral}"))
        rows.append(("决定日期", cn_date(case.closed_on)))
    elif case.accepted_on:
        rows.append(("受理意见", "符合人民调解受理条件,予以受理。"))
        rows.append(("受理日期", cn_date(case.accepted_on)))
    else:
        rows.append(("受理意见", BLANK))
    return rows


def _referral(case: Dispute) -> list[tuple[str, str]]:
    """A 委托移送 case's origin, body and date, as the registration form states them."""
    if case.source != wf.Source.REFERRAL.value:
        return []
    origin = wf.ReferralOrigin(case.referral_origin).label if case.referral_origin else "未注明"
    return [("移送来源", origin + (f"({case.referral_body})" if case.referral_body else "")),
            ("移送日期", cn_date(case.referral_received_on) if case.referral_received_on else BLANK)]


def application(case: Dispute, show_personal: bool) -> Document:
    """Build the application (人民调解申请书) or, for cases not applied for, the registration form (受理登记表)."""
    applied = case.source == wf.Source.APPLICATION.value
    committee = settings.committee_name(case.township)
    facts = Fields([
        ("纠纷类别", case.dispute_type.name), ("案件来源", wf.Source(case.source).label),
        ("发生地", _place(case)), ("涉及人数", f"{case.people_involved}人"),
        ("风险等级", wf.RiskLevel(case.risk_level).label + (",已报告公安机关" if case.police_reported else "")),
        *_referral(case),
    ], per_row=2)
    request = [Paragraph(case.summary)]
    if applied:
        request.append(Paragraph(f"特申请{committee}依法予以调解。"))
    signers = [Signature("申请人", p.name, "签名或按指印", cn_date(case.registered_on)) for p in case.applicants]
    signers.append(Signature("登记人", user_name(case.created_by_id), "签名", cn_date(case.registered_on)))
    return new_document(case, "application", title_of(case, "application"), [
        Section("当事人基本情况", [parties_table(case, show_personal)]),
        Section("纠纷事实及申请事项" if applied else "纠纷简要情况", [facts, *request]),
        Section("受理情况", [Fields(_acceptance(case)), Signatures(signers if applied else signers[-1:])]),
    ], on=case.registered_on)


def rights_notice(case: Dispute, show_personal: bool) -> Document:
    """Build the notice of the parties' rights and duties (当事人权利义务告知书, 人民调解法 Art. 23-24)."""
    committee = settings.committee_name(case.township)
    opening = [
        Paragraph(f"{party_names(case.parties)}:", indent=False),
        Paragraph(
            f"{committee}已于{cn_date(case.accepted_on)}受理你们之间的{case.dispute_type.name}纠纷,"
            f"案号为{case.number}。根据《中华人民共和国人民调解法》的规定,现将当事人在人民调解活动中"
            "享有的权利和履行的义务告知如下:"
        ),
    ]
    signers = [Signature(wf.PartySide(p.side).label, p.name, "签名或按指印") for p in case.parties]
    return new_document(case, "rights-notice", title_of(case, "rights-notice"), [
        Section(None, opening),
        Section("当事人享有的权利", [Paragraph(line) for line in RIGHTS]),
        Section("当事人履行的义务", [Paragraph(line) for line in DUTIES]),
        Section("其他告知事项", [Paragraph(line) for line in NOTICES]),
        Section(None, [
            Paragraph("以上内容已告知,当事人已知悉。", indent=True),
            Signatures(signers),
            Seal(settings.seal_text(case.township), cn_date(case.accepted_on)),
        ]),
    ], on=case.accepted_on)


def investigation(case: Dispute, show_personal: bool) -> Document:
    """Build the investigation record (调查记录): every investigation of the case, in date order."""
    sections = [Section(None, [Fields([("案由", case_title(case)), ("案号", case.number)])])]
    for index, note in enumerate(case.investigation_notes, start=1):
        sections.append(Section(f"第{index}次调查", [
            Fields([
                ("调查时间", cn_date(note.noted_on)), ("调查地点", note.place or BLANK),
                ("调查对象", note.subject or BLANK), ("调查人", user_name(note.recorded_by_id) or BLANK),
            ], per_row=2),
            Paragraph(note.content),
            Signatures([Signature("被调查人"), Signature("调查人", user_name(note.recorded_by_id))]),
        ]))
    first = case.investigation_notes[0].noted_on if case.investigation_notes else None
    return new_document(case, "investigation", title_of(case, "investigation"), sections, on=first)


def _result(case: Dispute) -> str:
    outcome = case.outcome
    if outcome is wf.Outcome.SUCCEEDED:
        form = wf.AgreementForm(case.agreement_form)
        paper = "调解协议书" if form is wf.AgreementForm.WRITTEN else "口头协议登记表"
        amount = f"协议涉及金额{format_yuan(case.agreement_amount_fen)}元," if case.agreement_amount_fen is not None else ""
        return f"调解成功,当事人自愿达成{form.label}协议,{amount}协议内容见{paper}。"
    if outcome is wf.Outcome.FAILED:
        aid = ",并引导申请法律援助" if case.legal_aid_referred else ""
        return f"调解不成,已告知当事人可以依法通过仲裁、行政、司法等途径维护自己的权利(去向:{case.channels_told}){aid}。"
    if outcome is wf.Outcome.ENDED:
        return f"终止调解:{wf.EndReason(case.end_reason).label}。"
    return ""


def session(case: Dispute, show_personal: bool, n: int) -> Document:
    """Build the record of the n-th mediation session (调解记录, 第n次调解)."""
    held = case.sessions[n - 1]
    recorder = user_name(held.recorded_by_id)
    sections = [
        Section("基本情况", [Fields([
            ("案由", case_title(case)), ("调解次数", f"第{n}次"),
            ("调解时间", cn_date(held.held_on)), ("调解地点", held.place),
            ("调解人员", held.mediators), ("记录人", recorder or BLANK),
            ("参加人员", held.attendees), ("当事人", party_names(case.parties)),
        ], per_row=2)]),
        Section("调解情况", [Paragraph(held.notes)]),
    ]
    if n == len(case.sessions) and case.outcome:
        sections.append(Section("调解结果", [Paragraph(_result(case))]))
    signers = party_signatures(case, held.held_on)
    signers += [Signature("调解员", held.mediators, "签名", cn_date(held.held_on)),
                Signature("记录人", recorder, "签名", cn_date(held.held_on))]
    sections.append(Section(None, [Signatures(signers)]))
    return new_document(case, "session", title_of(case, "session"), sections, on=held.held_on, n=n)


def follow_up(case: Dispute, show_personal: bool) -> Document:
    """Build the return-visit record (回访记录): is the agreement performed, are the parties satisfied."""
    sections = [Section("协议情况", [Fields([
        ("案由", case_title(case)), ("协议形式", wf.AgreementForm(case.agreement_form).label + "协议"
                                     if case.agreement_form else ""),
        ("达成日期", cn_date(case.closed_on)), ("履行期限", cn_date(case.performance_deadline)
                                              if case.performance_deadline else "—"),
        ("协议内容", case.agreement_terms or ""),
    ])])]
    for index, visit in enumerate(case.return_visits, start=1):
        visitor = user_name(visit.recorded_by_id)
        rows = [
            ("回访时间", cn_date(visit.visited_on)), ("回访人", visitor or BLANK),
            ("履行情况", wf.Performance(visit.performance).label),
            ("当事人满意度", wf.Satisfaction(visit.satisfaction).label if visit.satisfaction else "未评价"),
            ("遗留风险", visit.residual_risk or "无"),
        ]
        blocks = [Fields(rows, per_row=2)]
        if visit.notes:
            blocks.append(Paragraph(visit.notes))
        blocks.append(Signatures([Signature("被回访人", ""), Signature("回访人", visitor)]))
        sections.append(Section(f"第{index}次回访", blocks))
    first = case.return_visits[0].visited_on if case.return_visits else None
    return new_document(case, "follow-up", title_of(case, "follow-up"), sections, on=first)
