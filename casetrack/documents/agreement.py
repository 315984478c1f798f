"""The agreement: written (调解协议书, 人民调解法 Art. 29) or oral (口头协议登记表, Art. 30)."""

import re

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
    actor_of,
    cn_date,
    mediator_names,
    new_document,
    parties_table,
    party_line,
)
from casetrack.documents.kinds import title_of
from casetrack.domain import workflow as wf
from casetrack.models import Dispute

_ALREADY_NUMBERED = re.compile(r"^\s*(\d+[.\u3001\uff0e)\uff09]|[(\uff08]?[一二三四五六七八九十]+[\u3001)\uff09])")


def term_lines(terms: str | None) -> list[str]:
    """Split the agreed terms into numbered lines, keeping a numbering the mediator already wrote."""
    lines = [line.strip() for line in (terms or "").splitlines() if line.strip()]
    if all(_ALREADY_NUMBERED.match(line) for line in lines):
        return lines
    return [f"{index}. {line}" for index, line in enumerate(lines, start=1)]


def copies(case: Dispute) -> int:
    """Count the copies: as recorded, else one for each party and one for the committee."""
    return case.agreement_copies or len(case.parties) + 1


def performance(case: Dispute) -> list[Paragraph]:
    """Say how, where and by when the agreement is performed."""
    manner = case.performance_manner or "由当事人按照上述协议内容自行履行"
    deadline = f"{cn_date(case.performance_deadline)}前履行完毕" if case.performance_deadline else "协议未约定履行期限"
    return [Paragraph(f"履行方式、地点:{manner.rstrip('。.')}。"), Paragraph(f"履行期限:{deadline}。")]


def agreement(case: Dispute, show_personal: bool) -> Document:
    """Build the written agreement (人民调解协议书) with the parties' signature and the committee's seal lines."""
    committee = settings.issuing_committee(case)
    effect = [
        "本协议自各方当事人签名、盖章或者按指印,人民调解员签名并加盖人民调解委员会印章之日起生效。",
        "经人民调解委员会调解达成的调解协议,具有法律约束力,当事人应当按照约定履行。",
        "双方当事人认为有必要的,可以自本协议生效之日起三十日内共同向人民法院申请司法确认。",
        f"本协议一式{copies(case)}份,当事人各执一份,{committee}留存一份。",
    ]
    signers = [Signature(wf.PartySide(p.side).label, p.name, "签名盖章或按指印") for p in case.parties]
    signers += [Signature("人民调解员", mediator_names(case)), Signature("记录人", "")]
    return new_document(case, "agreement", title_of(case, "agreement"), [
        Section("当事人基本情况", [Paragraph(party_line(p, show_personal), indent=False) for p in case.parties]),
        Section("纠纷主要事实、争议事项及各方责任", [Paragraph(case.agreement_facts or case.summary)]),
        Section("协议内容", [
            Paragraph(f"经{committee}调解,双方当事人在平等协商、互谅互让的基础上自愿达成如下协议:"),
            *(Paragraph(line) for line in term_lines(case.agreement_terms)),
        ]),
        Section("履行方式、地点和期限", performance(case)),
        Section("其他事项", [Paragraph(line) for line in effect]),
        Section(None, [Signatures(signers), Seal(f"{settings.issuing_seal(case)}(印)", cn_date(case.closed_on))]),
    ], on=case.closed_on, header=settings.issuing_header(case))


def oral_agreement(case: Dispute, show_personal: bool) -> Document:
    """Build the register of an oral agreement (口头协议登记表), whose content the mediator records."""
    recorder = actor_of(case, wf.DisputeAction.CONCLUDE.value)
    deadline = cn_date(case.performance_deadline) if case.performance_deadline else "未约定"
    return new_document(case, "oral-agreement", title_of(case, "oral-agreement"), [
        Section("当事人基本情况", [parties_table(case, show_personal)]),
        Section("协议情况", [
            Fields([
                ("纠纷简要情况", case.agreement_facts or case.summary),
                ("协议内容", "\n".join(term_lines(case.agreement_terms))),
                ("履行方式、地点", case.performance_manner or "由当事人自行履行"),
                ("履行期限", deadline),
                ("达成日期", cn_date(case.closed_on)),
                ("调解员", mediator_names(case) or BLANK),
                ("登记人", recorder or BLANK),
            ]),
            Paragraph("口头调解协议自各方当事人达成协议之日起生效(人民调解法第三十条)。"),
        ]),
        Section(None, [
            Signatures([Signature("当事人", p.name, "签名或按指印") for p in case.parties]
                       + [Signature("人民调解员", mediator_names(case))]),
            Seal(f"{settings.issuing_seal(case)}(印)", cn_date(case.closed_on)),
        ]),
    ], on=case.closed_on, header=settings.issuing_header(case))
