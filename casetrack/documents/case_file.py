"""The whole case file (卷宗, 一案一卷): cover, contents, each document in order, the attachments list."""

from dataclasses import dataclass

from casetrack import clock
from casetrack.documents import agreement, kinds, records, settings
from casetrack.documents.content import (
    BLANK,
    Contents,
    ContentsEntry,
    Document,
    Fields,
    Paragraph,
    Section,
    Table,
    actor_of,
    case_title,
    cn_date,
    mediator_names,
    new_document,
)
from casetrack.domain import workflow as wf
from casetrack.models import Dispute
from casetrack.models.attachments import ATTACHMENT_KINDS

BUILDERS = {
    "application": records.application,
    "rights-notice": records.rights_notice,
    "investigation": records.investigation,
    "agreement": agreement.agreement,
    "oral-agreement": agreement.oral_agreement,
    "follow-up": records.follow_up,
}


def build_document(case: Dispute, kind: str, show_personal: bool, n: int | None = None) -> Document | None:
    """Build one document, or return None when the case's state does not allow it."""
    if not kinds.allows(case, kind, n):
        return None
    if kind == "session":
        return records.session(case, show_personal, n)
    return BUILDERS[kind](case, show_personal)


def _mediation_dates(case: Dispute) -> str:
    first = case.sessions[0].held_on if case.sessions else case.accepted_on
    last = case.closed_on if case.outcome else (case.sessions[-1].held_on if case.sessions else None)
    if first and last and last != first:
        return f"{cn_date(first)}至{cn_date(last)}"
    return cn_date(first or last) if (first or last) else BLANK


def cover(case: Dispute) -> Document:
    """Build the cover (卷宗封面): 卷名, 卷号, 调解员, 调解日期, 立卷人, 立卷日期, 保管期限."""
    archivist = actor_of(case, wf.DisputeAction.ARCHIVE.value) if case.archived_on else ""
    return new_document(case, "cover", "人民调解卷宗", [Section(None, [Fields([
        ("卷名", case_title(case)),
        ("卷号", case.number),
        ("调解员", mediator_names(case) or BLANK),
        ("调解日期", _mediation_dates(case)),
        ("立卷人", archivist or BLANK),
        ("立卷日期", cn_date(case.archived_on)),
        ("保管期限", settings.file_retention(case.township)),
    ], large=True)])], on=case.archived_on, number_sections=False)


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def attachments_list(case: Dispute) -> Document:
    """List the files attached to the case (附件清单), with the SHA-256 that proves a print is the stored file."""
    rows = [
        [str(index), item.filename, ATTACHMENT_KINDS.get(item.kind, item.kind), _size(item.size),
         cn_date(clock.to_beijing(item.uploaded_at).date()), item.sha256[:16]]
        for index, item in enumerate(case.attachments, start=1)
    ]
    blocks = [Table(["序号", "文件名称", "类别", "大小", "上传日期", "SHA-256(前16位)"], rows,
                    widths=[1.3, 3.9, 2.1, 1.7, 3.6, 3.4])] if rows else [Paragraph("本案无附件。")]
    if case.judicial_confirmation_applied_on:
        blocks.append(Paragraph(
            f"司法确认:双方当事人于{cn_date(case.judicial_confirmation_applied_on)}向"
            f"{case.judicial_confirmation_court}申请司法确认,法院出具的材料附后。"
        ))
    last = case.attachments[-1].uploaded_at if case.attachments else None
    return new_document(case, "attachments", "附件清单", [Section(None, blocks)],
                        on=clock.to_beijing(last).date() if last else None, number_sections=False)


def contents(case: Dispute, documents: list[Document]) -> Document:
    """Build the table of contents (卷内目录) of the documents that follow it."""
    entries = [ContentsEntry(f"{d.title}(第{d.n}次)" if d.n else d.title, cn_date(d.on) if d.on else "", d.anchor)
               for d in documents]
    return new_document(case, "contents", "卷内目录", [Section(None, [Contents(entries)])], number_sections=False)


@dataclass
class CaseFile:
    cover: Document
    contents: Document
    documents: list[Document]

    @property
    def all(self) -> list[Document]:
        return [self.cover, self.contents, *self.documents]


def build_case_file(case: Dispute, show_personal: bool) -> CaseFile:
    """Put the whole file together in order: cover, contents, each document, the attachments list."""
    documents = [build_document(case, item.kind, show_personal, item.n) for item in kinds.available(case)]
    documents.append(attachments_list(case))
    return CaseFile(cover(case), contents(case, documents), documents)
