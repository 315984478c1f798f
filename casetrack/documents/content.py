"""A document as plain data: title, number line and numbered sections of blocks, built from a case.

The print view and the DOCX builder both lay out these blocks, so the words on paper are the same
whichever way a document is printed, and tests can read them without either.
"""

import re
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import ClassVar

from sqlalchemy import select

from casetrack.documents import settings
from casetrack.domain import workflow as wf
from casetrack.domain.identity import mask_id_number, mask_phone
from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, Party, User

CHINESE_NUMERALS = "一二三四五六七八九十"
BLANK = "\u3000" * 6  # room to write by hand on a printed form
BLANK_DATE = "\u3000\u3000年\u3000\u3000月\u3000\u3000日"


@dataclass
class Paragraph:
    """Body text; each line of the text becomes its own paragraph."""

    kind: ClassVar[str] = "paragraph"
    text: str
    indent: bool = True  # first line indented by two characters, as in Chinese official writing


@dataclass
class Fields:
    """A form table of label/value pairs (登记表 style), `per_row` pairs on each row."""

    kind: ClassVar[str] = "fields"

    rows: list[tuple[str, str]]
    per_row: int = 1
    large: bool = False  # the cover's big lettering


@dataclass
class Table:
    """A table with a header row; widths in centimetres, summing to the 16 cm between the margins."""

    kind: ClassVar[str] = "table"

    head: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None


@dataclass
class Signature:
    """One line to sign: who signs (role and printed name), how, and the date beside the signature."""

    role: str
    name: str = ""
    how: str = "签名"
    on: str = BLANK_DATE


@dataclass
class Signatures:
    """The signature lines at the end of a document."""

    kind: ClassVar[str] = "signatures"

    lines: list[Signature]


@dataclass
class Seal:
    """The committee's seal line (盖章处) and the date, right-aligned at the end of a document."""

    kind: ClassVar[str] = "seal"

    text: str
    on: str


@dataclass
class ContentsEntry:
    title: str
    on: str
    anchor: str  # the document's anchor, so the DOCX can look up the page it starts on


@dataclass
class Contents:
    """The case file's table of contents (卷内目录)."""

    kind: ClassVar[str] = "contents"

    entries: list[ContentsEntry]


Block = Paragraph | Fields | Table | Signatures | Seal | Contents


@dataclass
class Section:
    title: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    """One printable document of a case file."""

    kind: str
    title: str
    number: str  # the number line: the case number, (2020)斜调字第12号
    header: str  # the committee's line above the title
    sections: list[Section]
    on: date | None = None  # the document's date, for the case file's contents
    n: int | None = None  # the session's number, for 调解记录

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.n}" if self.n else self.kind

    def text(self) -> str:
        """Return every word of the document, in order: for search and for tests."""
        parts = [self.header, self.title, self.number]
        for section in self.sections:
            if section.title:
                parts.append(section.title)
            for block in section.blocks:
                parts.extend(_block_words(block))
        return "\n".join(p for p in parts if p)


def _block_words(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Fields):
        return [f"{label}:{value}" for label, value in block.rows]
    if isinstance(block, Table):
        return ["\t".join(block.head), *("\t".join(row) for row in block.rows)]
    if isinstance(block, Signatures):
        return [f"{s.role} {s.name} {s.how}: {s.on}" for s in block.lines]
    if isinstance(block, Contents):
        return [f"{index}\t{e.title}\t{e.on}" for index, e in enumerate(block.entries, start=1)]
    return [block.text, block.on]


def numbered(sections: list[Section]) -> list[Section]:
    """Number section titles 一、二、三、 in order, leaving untitled sections alone."""
    count = 0
    for section in sections:
        if section.title:
            section.title = f"{CHINESE_NUMERALS[count]}、{section.title}" if count < 10 else section.title
            count += 1
    return sections


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_HALF_TO_FULL = {",": "\uff0c", ":": "\uff1a", ";": "\uff1b", "?": "\uff1f", "!": "\uff01"}
_PUNCTUATION_BY_CJK = re.compile(rf"(?<=[{_CJK}])[,:;?!]|[,:;?!](?=[{_CJK}])")
_PARENTHESES = re.compile(r"\(([^()]*)\)")


def typeset(text: str, keep: str = "") -> str:
    """Use full-width punctuation beside Chinese text, as printed Chinese documents do.

    `keep` is left exactly as it is (the case number, which is searched for as stored).
    """
    if keep and keep in text:
        return keep.join(typeset(part) for part in text.split(keep))
    text = _PUNCTUATION_BY_CJK.sub(lambda m: _HALF_TO_FULL[m.group(0)], text)
    has_cjk = re.compile(rf"[{_CJK}]")
    return _PARENTHESES.sub(lambda m: f"\uff08{m.group(1)}\uff09" if has_cjk.search(m.group(1)) else m.group(0), text)


def _typeset_all(item, keep: str):
    """Typeset every string inside a block, section or list of them, in place."""
    if isinstance(item, str):
        return typeset(item, keep)
    if isinstance(item, list):
        return [_typeset_all(value, keep) for value in item]
    if isinstance(item, tuple):
        return tuple(_typeset_all(value, keep) for value in item)
    if is_dataclass(item):
        for f in fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str | list | tuple) or is_dataclass(value):
                setattr(item, f.name, _typeset_all(value, keep))
    return item


def new_document(case: Dispute, kind: str, title: str, sections: list[Section], on: date | None = None,
                 n: int | None = None, number_sections: bool = True, header: str | None = None) -> Document:
    """Make a document of this case with the committee's header (the township's unless given) and its number line."""
    sections = _typeset_all(numbered(sections) if number_sections else sections, case.number)
    return Document(
        kind=kind, title=title, number=case.number, header=header or settings.document_header(case.township),
        sections=sections, on=on, n=n,
    )


def cn_date(on: date | None) -> str:
    """Write a date the Chinese way, 2020年5月6日; a blank to fill by hand when there is none."""
    return f"{on.year}年{on.month}月{on.day}日" if on else BLANK_DATE


def user_name(user_id: int | None) -> str:
    """Name the user who recorded something, or leave room to write it."""
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user else ""


def mediator_names(case: Dispute) -> str:
    """Name the case's assigned mediators, or the mediators named in its sessions."""
    if case.mediators:
        return "、".join(u.display_name for u in case.mediators)
    named = []
    for session in case.sessions:
        for name in re.split(r"[,\uff0c\u3001\s]+", session.mediators):
            if name.strip() and name.strip() not in named:
                named.append(name.strip())
    return "、".join(named)


def party_names(parties: list[Party]) -> str:
    return "、".join(p.name for p in parties)


def id_number(party: Party, show_personal: bool) -> str:
    return (party.id_number or "") if show_personal else mask_id_number(party.id_number)


def phone(party: Party, show_personal: bool) -> str:
    return (party.phone or "") if show_personal else mask_phone(party.phone)


def party_line(party: Party, show_personal: bool) -> str:
    """Describe a party in one line: 申请人:张三,男,身份证号码……,联系电话……,住址……"""
    details = [wf.Gender(party.gender).label if party.gender else ""]
    if party.id_number:
        details.append(f"身份证号码{id_number(party, show_personal)}")
    if party.phone:
        details.append(f"联系电话{phone(party, show_personal)}")
    if party.address:
        details.append(f"住址{party.address}")
    rest = ",".join(d for d in details if d)
    return f"{wf.PartySide(party.side).label}:{party.name}" + (f",{rest}" if rest else "") + "。"


def parties_table(case: Dispute, show_personal: bool) -> Table:
    """Tabulate the parties: side, name, gender, ID number, phone, address."""
    return Table(
        ["身份", "姓名", "性别", "身份证号码", "联系电话", "住址"],
        [[wf.PartySide(p.side).label, p.name, wf.Gender(p.gender).label if p.gender else "",
          id_number(p, show_personal), phone(p, show_personal), p.address or ""] for p in case.parties],
        widths=[2.0, 2.2, 1.2, 4.4, 2.8, 3.4],
    )


def party_signatures(case: Dispute, on: date | None = None) -> list[Signature]:
    """One signature line per party, with the date when it is known."""
    return [Signature(wf.PartySide(p.side).label, p.name, "签名或按指印", cn_date(on)) for p in case.parties]


def case_title(case: Dispute) -> str:
    """Name the case file (卷名): 张三与李四邻里纠纷."""
    applicants, respondents = party_names(case.applicants), party_names(case.respondents)
    between = f"{applicants}与{respondents}" if applicants and respondents else (applicants or respondents)
    kind = case.dispute_type.name
    return f"{between}{kind}纠纷" if not kind.endswith("纠纷") else f"{between}{kind}"


def actor_of(case: Dispute, action: str) -> str:
    """Name who last took a workflow action on the case (the conclusion's recorder, the archivist)."""
    event = db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == case.id, CaseEvent.action == action)
        .order_by(CaseEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return event.actor.display_name if event is not None and event.actor is not None else ""
