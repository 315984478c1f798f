"""Lay documents out as DOCX with python-docx, on the project's base.docx (make_template.py)."""

from io import BytesIO
from pathlib import Path

import docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt

from casetrack.documents.content import (
    Block,
    Contents,
    Document,
    Fields,
    Paragraph,
    Seal,
    Signatures,
    Table,
)

TEMPLATE = Path(__file__).parent / "templates" / "base.docx"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less two 2.5 cm margins
CELL_PADDING_CM = 0.9  # the cell margins, and the space set between Chinese characters and digits
SIGNING_LINE_CM = 3.0  # the shortest line anyone is asked to sign on


def _bookmark_name(anchor: str) -> str:
    return "ct_" + anchor.replace("-", "_")


def _set_width(cell, cm: float) -> None:
    cell.width = Cm(cm)


def _columns(table, widths: list[float] | tuple[float, ...]) -> None:
    """Fix column widths in the grid (LibreOffice reads these) and in every cell (Word reads those)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            _set_width(cell, width)


def _bottom_border(cell) -> None:
    """Draw the line to sign on as the cell's bottom border (w:tcBorders goes before w:vAlign)."""
    properties = cell._tc.get_or_add_tcPr()
    borders = parse_xml(
        f'<w:tcBorders {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:tcBorders>'
    )
    aligned = properties.find(qn("w:vAlign"))
    if aligned is not None:
        aligned.addprevious(borders)
    else:
        properties.append(borders)


def _text_cm(text: str, points: float) -> float:
    """Estimate how wide a line of text prints: a Chinese character is one em, a Latin one half."""
    ems = sum(1 if ord(char) > 0x2e7f else 0.5 for char in text)
    return ems * points / 72 * 2.54


def _signer(line) -> str:
    return f"{line.role}  {line.name}".strip()


def _signature_columns(block: Signatures) -> list[float]:
    """Size the columns (who, how, the line, the date) to their words, leaving the line at least 3 cm."""
    how = max(_text_cm(f"{s.how}\uff1a", 10.5) for s in block.lines) + CELL_PADDING_CM
    date = max(_text_cm(s.on, 12) for s in block.lines) + CELL_PADDING_CM
    who = max(max(_text_cm(_signer(s), 12) for s in block.lines) + CELL_PADDING_CM, 3.0)
    who = min(who, TEXT_WIDTH_CM - how - date - SIGNING_LINE_CM)  # a long name wraps rather than the line
    return [who, how, TEXT_WIDTH_CM - who - how - date, date]


def _lines(text: str) -> list[str]:
    return text.splitlines() or [""]


class WordFile:
    """A DOCX being built: one or more documents of a case, each from a new page."""

    def __init__(self, header: str, number: str):
        self.doc = docx.Document(str(TEMPLATE))
        self._documents = 0
        self._bookmarks = 0
        paragraph = self.doc.sections[0].header.paragraphs[0]
        paragraph.text = f"{header}\t\t{number}"  # the case number in the header of every page

    def add(self, document: Document) -> None:
        """Lay out one document, starting on a new page unless it is the first."""
        committee = self.doc.add_paragraph(document.header, style="CT Committee")
        committee.paragraph_format.page_break_before = self._documents > 0
        self._documents += 1
        cover = document.kind == "cover"
        title = self.doc.add_paragraph(style="CT Cover Title" if cover else "Title")
        self._bookmark(title, document.anchor, document.title)
        if not cover:
            self.doc.add_paragraph(document.number, style="CT Number")
        for section in document.sections:
            if section.title:
                self.doc.add_paragraph(section.title, style="Heading 1")
            for block in section.blocks:
                self._block(block)

    def _block(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            for line in _lines(block.text):
                self.doc.add_paragraph(line, style="Normal" if block.indent else "CT Plain")
        elif isinstance(block, Fields):
            self._fields(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, Signatures):
            self._signatures(block)
        elif isinstance(block, Seal):
            self.doc.add_paragraph(block.text, style="CT Seal")
            date = self.doc.add_paragraph(block.on, style="CT Seal")
            date.paragraph_format.space_before = Pt(0)
            date.paragraph_format.keep_with_next = False  # the end of the document: nothing to keep it with
        elif isinstance(block, Contents):
            self._contents(block)

    def _cell(self, cell, text: str, bold: bool = False, center: bool = False, style: str = "CT Table Text") -> None:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        first, *rest = _lines(text)
        paragraph = cell.paragraphs[0]
        paragraph.style = self.doc.styles[style]
        paragraph.add_run(first).bold = bold or None
        for line in rest:
            paragraph = cell.add_paragraph(style=style)
            paragraph.add_run(line).bold = bold or None
        if center:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _fields(self, block: Fields) -> None:
        per_row = block.per_row
        label_cm = 3.2 if block.large else (2.9 if per_row > 1 else 3.0)
        value_cm = TEXT_WIDTH_CM / per_row - label_cm
        rows = [block.rows[i:i + per_row] for i in range(0, len(block.rows), per_row)]
        table = self.doc.add_table(rows=len(rows), cols=2 * per_row, style="Table Grid")
        _columns(table, [label_cm, value_cm] * per_row)
        style = "CT Cover Text" if block.large else "CT Table Text"
        for row, pairs in zip(table.rows, rows, strict=True):
            if block.large:
                row.height, row.height_rule = Cm(1.5), WD_ROW_HEIGHT_RULE.AT_LEAST
            for index, (label, value) in enumerate(pairs):
                label_cell, value_cell = row.cells[2 * index], row.cells[2 * index + 1]
                self._cell(label_cell, label, bold=True, center=True, style=style)
                self._cell(value_cell, value, style=style)
            if len(pairs) < per_row:  # an odd pair out: its value runs to the right margin
                row.cells[2 * len(pairs) - 1].merge(row.cells[-1])
        self._gap()

    def _table(self, block: Table) -> None:
        widths = block.widths or [TEXT_WIDTH_CM / len(block.head)] * len(block.head)
        table = self.doc.add_table(rows=1 + len(block.rows), cols=len(block.head), style="Table Grid")
        _columns(table, widths)
        header = table.rows[0]
        header._tr.get_or_add_trPr().append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))  # repeat on each page
        for index, (row, values) in enumerate(zip(table.rows, [block.head, *block.rows], strict=True)):
            for cell, value in zip(row.cells, values, strict=True):
                self._cell(cell, value, bold=index == 0, center=index == 0)
        self._gap()

    def _signatures(self, block: Signatures) -> None:
        """Lay out one row per signer: who, how, a line to sign on (the cell's bottom border), the date."""
        self._keep_with_previous()
        table = self.doc.add_table(rows=len(block.lines), cols=4)
        _columns(table, _signature_columns(block))
        for row, line in zip(table.rows, block.lines, strict=True):
            row.height, row.height_rule = Cm(1.2), WD_ROW_HEIGHT_RULE.AT_LEAST  # room for a handwritten name
            role, how, space, date = row.cells
            self._cell(role, _signer(line), style="CT Sign")
            self._cell(how, f"{line.how}\uff1a", style="CT Sign")
            how.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in how.paragraphs[0].runs:
                run.font.size = Pt(10.5)
            self._cell(space, "", style="CT Sign")
            _bottom_border(space)
            self._cell(date, line.on, style="CT Sign")
            date.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for cell in row.cells:  # words sit on the line they are signed on
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM

    def _keep_with_previous(self) -> None:
        """Keep the paragraph before a signature block on its page, so no one signs a page of lines alone."""
        paragraphs = self.doc.paragraphs
        if paragraphs:
            paragraphs[-1].paragraph_format.keep_with_next = True

    def _contents(self, block: Contents) -> None:
        widths = [1.4, 7.6, 3.8, 1.6, 1.6]
        table = self.doc.add_table(rows=1 + len(block.entries), cols=5, style="Table Grid")
        _columns(table, widths)
        for cell, text in zip(table.rows[0].cells, ["序号", "文书名称", "日期", "页号", "备注"], strict=True):
            self._cell(cell, text, bold=True, center=True)
        for row, (index, entry) in zip(table.rows[1:], enumerate(block.entries, start=1), strict=True):
            number, title, date, page, note = row.cells
            row.height, row.height_rule = Cm(0.9), WD_ROW_HEIGHT_RULE.AT_LEAST
            self._cell(number, str(index), center=True)
            self._cell(title, entry.title)
            self._cell(date, entry.on, center=True)
            self._cell(page, "", center=True)
            self._page_ref(page.paragraphs[0], _bookmark_name(entry.anchor))
            self._cell(note, "")
        self._gap()
        self._update_fields_on_open()

    def _gap(self) -> None:
        self.doc.add_paragraph("", style="CT Plain").paragraph_format.line_spacing = Pt(10)

    def _bookmark(self, paragraph, anchor: str, text: str) -> None:
        self._bookmarks += 1
        name = _bookmark_name(anchor)
        paragraph._p.append(parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="{self._bookmarks}" w:name="{name}"/>'))
        paragraph.add_run(text)
        paragraph._p.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="{self._bookmarks}"/>'))

    @staticmethod
    def _page_ref(paragraph, bookmark: str) -> None:
        """Insert the page a bookmark falls on: Word fills it when fields update, LibreOffice on layout."""
        for kind, text in (("begin", None), ("instr", f" PAGEREF {bookmark} \\h "), ("separate", None),
                           ("result", ""), ("end", None)):
            run = paragraph.add_run()
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            elif kind == "result":
                run.text = text
            else:
                run._r.append(parse_xml(f'<w:fldChar {nsdecls("w")} w:fldCharType="{kind}"/>'))

    def _update_fields_on_open(self) -> None:
        """Ask Word to fill the contents' page numbers when the file is opened."""
        settings = self.doc.settings.element
        if settings.find(qn("w:updateFields")) is not None:
            return
        update = parse_xml(f'<w:updateFields {nsdecls("w")} w:val="true"/>')
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(update)
        else:
            settings.append(update)

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def render(documents: list[Document]) -> bytes:
    """Lay out documents of one case in one DOCX, each from a new page."""
    first = documents[0]
    word = WordFile(first.header, first.number)
    for document in documents:
        word.add(document)
    return word.to_bytes()
