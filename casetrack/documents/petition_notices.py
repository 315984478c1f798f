"""Petition documents (信访文书): the written notices and the handling opinion the 信访工作条例 requires.

Each is filled from the petition's record and offered only once the record allows it: 受理告知书 after 受理
or 交办, 不予受理告知书 after 不予受理, 转送告知书 after 转送, 延期告知书 after an approved extension, 处理意见书
after the written opinion. They are laid out by the same blocks as the mediation documents (content.py), so the
print view and the DOCX say the same words.
"""

from casetrack.documents.content import (
    Document,
    Fields,
    Paragraph,
    Seal,
    Section,
    cn_date,
    new_document,
)
from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain.errors import N_
from casetrack.models import Petition
from casetrack.services import time_limits

KINDS = ("acceptance-notice", "non-acceptance-notice", "forward-notice", "extension-notice", "opinion")
"""Every petition document kind, in the order a petition's file holds them."""

TITLES = {
    "acceptance-notice": N_("信访事项受理告知书"),
    "non-acceptance-notice": N_("信访事项不予受理告知书"),
    "forward-notice": N_("信访事项转送告知书"),
    "extension-notice": N_("信访事项延期办理告知书"),
    "opinion": N_("信访事项处理意见书"),
}


def issuer(petition: Petition) -> str:
    """Name the body that issues the notices: the township's government (乡镇人民政府)."""
    return f"{petition.township.name}人民政府"


def allows(petition: Petition, kind: str) -> bool:
    """Tell whether the petition's record allows this document now."""
    if kind == "acceptance-notice":
        return petition.decision in ("accepted", "assigned") and petition.decided_on is not None
    if kind == "non-acceptance-notice":
        return petition.decision == "not_accepted"
    if kind == "forward-notice":
        # an objection agreed by the higher body returns the materials to it: that body tells the petitioner
        return petition.decision == "forwarded" and petition.objection_outcome != pw.ObjectionOutcome.AGREED.value
    if kind == "extension-notice":
        return bool(petition.extension_days) and petition.extension_approved_on is not None
    if kind == "opinion":
        return petition.opinion is not None and petition.answered_on is not None
    return False


def available(petition: Petition) -> list[str]:
    """List the kinds the petition's record allows now, in file order."""
    return [kind for kind in KINDS if allows(petition, kind)]


def _addressee(petition: Petition) -> Paragraph:
    names = "、".join(p.name for p in petition.petitioners) or "信访人"
    return Paragraph(f"{names}:", indent=False)


def _matter(petition: Petition) -> str:
    """Say how the matter reached the township: received here, or sent down from above with its reference."""
    source = pw.Source(petition.source or pw.Source.OWN.value)
    if source is pw.Source.OWN:
        return f"你(们)于{cn_date(petition.received_on)}提出的信访事项"
    reference = f"({petition.source_reference})" if petition.source_reference else ""
    verb = "转送" if source is pw.Source.FORWARDED_IN else "交办"
    return f"{petition.source_body}{verb}{reference}的你(们)的信访事项,本机关于{cn_date(petition.received_on)}收到,该事项"


def _request(petition: Petition) -> Fields:
    return Fields([("信访事项", petition.request), ("登记日期", cn_date(petition.received_on))])


def _seal(petition: Petition, on) -> Seal:
    return Seal(f"{issuer(petition)}(印)", cn_date(on))


def _document(petition: Petition, kind: str, blocks: list, on) -> Document:
    sections = [Section(None, [_addressee(petition), *blocks, _seal(petition, on)])]
    document = new_document(petition, kind, TITLES[kind], sections, on=on, number_sections=False)
    document.header = issuer(petition)
    return document


def acceptance_notice(petition: Petition) -> Document:
    """Build the 受理告知书: accepted (or assigned to a department) and when the written opinion is due."""
    if petition.legal_route:
        route = pw.LegalRoute(petition.legal_route).label
        handling = (f"经审查,该事项应当通过{route}程序处理,请你(们)依法向{petition.legal_route_body}提出"
                    f"(《信访工作条例》第三十一条)。")
    else:
        opinion = dl.petition_opinion_deadline(petition.decided_on, 0, time_limits.policy_for(petition.township))
        handling = (f"本机关将自受理之日起60日内办结,于{cn_date(opinion.due)}前出具书面处理意见"
                    "(《信访工作条例》第三十二条、第三十四条)。")
    text = f"{_matter(petition)}已于{cn_date(petition.decided_on)}依法受理。{handling}"
    return _document(petition, "acceptance-notice", [_request(petition), Paragraph(text),
                     Paragraph("依据:《信访工作条例》第二十二条、第二十三条。")], petition.decided_on)


def non_acceptance_notice(petition: Petition) -> Document:
    """Build the 不予受理告知书, with the reason recorded at the decision."""
    text = (f"{_matter(petition)}经审查,本机关决定不予受理。理由:{petition.decision_note}。"
            "对属于其他机关职权范围的事项,请依法向有权处理的机关提出(《信访工作条例》第二十三条)。")
    return _document(petition, "non-acceptance-notice", [_request(petition), Paragraph(text)], petition.decided_on)


def forward_notice(petition: Petition) -> Document:
    """Build the 转送告知书: where the matter went and when."""
    text = (f"{_matter(petition)}依照“属地管理、分级负责,谁主管、谁负责”的原则,本机关已于"
            f"{cn_date(petition.decided_on)}转送{petition.decision_note}办理,请向该机关了解办理情况"
            "(《信访工作条例》第二十二条、第二十三条)。")
    return _document(petition, "forward-notice", [_request(petition), Paragraph(text)], petition.decided_on)


def extension_notice(petition: Petition) -> Document:
    """Build the 延期告知书: the reason, the days approved and the new limit (Art. 34)."""
    deadline = time_limits.opinion_deadline(petition)
    text = (f"你(们)的信访事项已于{cn_date(petition.decided_on)}受理。因{petition.extension_reason},经本机关负责人批准,"
            f"办理期限延长{petition.extension_days}日,延长后的办理期限至{cn_date(deadline.due)}"
            "(《信访工作条例》第三十四条)。")
    return _document(petition, "extension-notice", [_request(petition), Paragraph(text)],
                     petition.extension_approved_on)


def opinion(petition: Petition) -> Document:
    """Build the 处理意见书: the request, the opinion (支持 / 解释说明 / 不支持) and the way to 复查 (Art. 32, 35)."""
    label = pw.Opinion(petition.opinion).label
    blocks = [
        _request(petition),
        Fields([("处理意见", label)]),
        Paragraph(petition.opinion_text or ""),
        Paragraph("如对本处理意见不服,可以自收到本意见书之日起30日内请求原办理机关的上一级机关复查"
                  "(《信访工作条例》第三十五条)。"),
    ]
    return _document(petition, "opinion", blocks, petition.answered_on)


BUILDERS = {
    "acceptance-notice": acceptance_notice,
    "non-acceptance-notice": non_acceptance_notice,
    "forward-notice": forward_notice,
    "extension-notice": extension_notice,
    "opinion": opinion,
}


def build(petition: Petition, kind: str) -> Document | None:
    """Build one petition document, or return None when the record does not allow it."""
    if kind not in BUILDERS or not allows(petition, kind):
        return None
    return BUILDERS[kind](petition)
