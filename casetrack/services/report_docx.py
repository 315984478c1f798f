"""The report as a Word file a clerk can send on: title, paragraphs, the page's charts, the figures with their
definitions, the breakdowns, and the issuing unit and date (落款); page numbers in the footer.

Tables repeat their header row on every page and never split a row across pages; numbers are right-aligned.
The charts are Word's own (DrawingML bar charts with their values written in): Word, WPS and LibreOffice draw
them with the reader's fonts, so the Chinese labels show without a font on the server and without an image
library (the server has neither a CJK font nor Pillow).
"""

import io
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
NS = ('xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
COLOURS = ("1D5FA8", "1E7B3A")  # the page's chart colours


def _song(run, size: float = 12, bold: bool = False) -> None:
    run.font.name = "SimSun"
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _row_properties(row, header: bool = False) -> None:
    """Keep a row on one page (cantSplit); a header row repeats on every page (tblHeader)."""
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _table(document, head: tuple[str, ...], rows: list[tuple[str, ...]], numeric: set[int]) -> None:
    """A grid table: the header row repeated on each page, rows unsplit, numeric columns right-aligned."""
    table = document.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for index, (cell, text) in enumerate(zip(table.rows[0].cells, head, strict=True)):
        _song(cell.paragraphs[0].add_run(text), 10.5, bold=True)
        if index in numeric:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _row_properties(table.rows[0], header=True)
    for values in rows:
        row = table.add_row()
        _row_properties(row)
        for index, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            _song(cell.paragraphs[0].add_run(str(text)), 10.5)
            if index in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _field(paragraph, instruction: str) -> None:
    """Append a Word field (PAGE, NUMPAGES) to a paragraph: Word fills in the number when it lays out the page."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _song(run, 10.5)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run.text = text


def _page_numbers(section) -> None:
    """Footer: 第 N 页 共 M 页, centred."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _song(paragraph.add_run("第 "), 10.5)
    _field(paragraph, "PAGE")
    _song(paragraph.add_run(" 页 共 "), 10.5)
    _field(paragraph, "NUMPAGES")
    _song(paragraph.add_run(" 页"), 10.5)


def chart_xml(title: str, categories: list[str], series: list[tuple[str, list[int]]], horizontal: bool) -> bytes:
    """A clustered bar chart part with its categories and values written in (no linked workbook)."""
    def points(values, numeric: bool) -> str:
        head = "<c:formatCode>General</c:formatCode>" if numeric else ""
        body = "".join(f'<c:pt idx="{i}"><c:v>{escape(str(v))}</c:v></c:pt>' for i, v in enumerate(values))
        return f'{head}<c:ptCount val="{len(values)}"/>{body}'

    sers = "".join(
        f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:v>{escape(name)}</c:v></c:tx>'
        f'<c:spPr><a:solidFill><a:srgbClr val="{COLOURS[i % len(COLOURS)]}"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        '<c:dLbls><c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/>'
        '<c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
        f'<c:cat><c:strLit>{points(categories, False)}</c:strLit></c:cat>'
        f'<c:val><c:numLit>{points(values, True)}</c:numLit></c:val></c:ser>'
        for i, (name, values) in enumerate(series))
    legend = '<c:legend><c:legendPos val="t"/><c:overlay val="0"/></c:legend>' if len(series) > 1 else ""
    # A horizontal chart lists its first category on top, as the page does.
    category_order = "maxMin" if horizontal else "minMax"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><c:chartSpace {NS}><c:lang val="zh-CN"/><c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:rPr lang="zh-CN" sz="1200" b="1"/><a:t>{escape(title)}</a:t>'
        '</a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        f'<c:plotArea><c:layout/><c:barChart><c:barDir val="{"bar" if horizontal else "col"}"/>'
        f'<c:grouping val="clustered"/><c:varyColors val="0"/>{sers}<c:gapWidth val="60"/>'
        '<c:axId val="500100"/><c:axId val="500200"/></c:barChart>'
        f'<c:catAx><c:axId val="500100"/><c:scaling><c:orientation val="{category_order}"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{"l" if horizontal else "b"}"/><c:crossAx val="500200"/></c:catAx>'
        '<c:valAx><c:axId val="500200"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"b" if horizontal else "l"}"/><c:majorGridlines/><c:numFmt formatCode="0" sourceLinked="0"/>'
        '<c:crossAx val="500100"/></c:valAx></c:plotArea>'
        f'{legend}<c:plotVisOnly val="1"/></c:chart></c:chartSpace>'
    )
    return xml.encode("utf-8")


def _add_chart(document, number: int, title: str, categories: list[str], series, horizontal: bool) -> None:
    part = Part(PackURI(f"/word/charts/chart{number}.xml"), CHART_CONTENT_TYPE,
                chart_xml(title, categories, series, horizontal), document.part.package)
    relation = document.part.relate_to(part, RT.CHART)
    height = Cm(7.5) if not horizontal else Cm(min(2.5 + 0.8 * len(categories), 20))
    inline = parse_xml(
        '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        f'{NS}><wp:inline distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{Cm(16)}" cy="{height}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{1000 + number}" name="图表 {number}" descr="{escape(title)}"/><wp:cNvGraphicFramePr/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        f'<c:chart r:id="{relation}"/></a:graphicData></a:graphic></wp:inline></w:drawing>')
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run()._r.append(inline)


def to_docx(title: str, rows: list[tuple[str, str, str]], paragraphs: list[str],
            tables: list[tuple[str, dict]], charts: list[tuple[str, list[str], list, bool]],
            issuer: str, issued_on: str, rule: str = "") -> bytes:
    """Write the report: rows are (label, shown value, definition); tables (title, {name: count}); charts
    (title, categories, [(series name, values)], horizontal)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    _page_numbers(section)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _song(heading.add_run(title), 16, bold=True)
    for text in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(24)
        _song(paragraph.add_run(text))
    for number, (chart_title, categories, series, horizontal) in enumerate(charts, start=1):
        _add_chart(document, number, chart_title, categories, series, horizontal)
    _song(document.add_paragraph().add_run("统计数字"), 14, bold=True)
    if rule:  # what "as at" means, above the figures it governs
        _song(document.add_paragraph().add_run(rule), 10.5)
    _table(document, ("项目", "数值", "口径"), rows, numeric={1})
    for table_title, counts in tables:
        _song(document.add_paragraph().add_run(table_title), 12, bold=True)
        _table(document, ("项目", "件数"), [(str(name), str(count)) for name, count in counts.items()], numeric={1})
    for text in ("", issuer, issued_on):  # 落款: the issuing unit and the date, right-aligned under the text
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if text:
            _song(paragraph.add_run(text))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
