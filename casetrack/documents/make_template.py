"""Generate the base DOCX every document is built on: python -m casetrack.documents.make_template

The result, casetrack/documents/templates/base.docx, is kept in the repository; run this again only to
change the house style. It holds an A4 page with 2.5 cm margins, the styles the documents use (宋体 /
SimSun for Chinese through w:eastAsia, Times New Roman for Latin letters and digits), a font table
naming SimSun as the alternative for 宋体, and a footer numbering the pages 第 X 页 共 Y 页.
"""

from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm

TEMPLATE = Path(__file__).parent / "templates" / "base.docx"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONTS = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman" w:hint="eastAsia"/>'
LANG = '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
NO_INDENT = '<w:ind w:firstLineChars="0" w:firstLine="0"/>'


def _paragraph_style(style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal",
                     next_style: str = "Normal") -> str:
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="{based_on}"/><w:next w:val="{next_style}"/><w:qFormat/>'
        f"<w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
    )


def _size(points: float) -> str:
    half = int(points * 2)
    return f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>'


BORDERS = "".join(
    f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)

STYLES = f"""<w:styles xmlns:w="{W_NS}">
<w:docDefaults>
  <w:rPrDefault><w:rPr>{FONTS}{_size(12)}{LANG}</w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>
  <w:pPr><w:widowControl/><w:spacing w:line="400" w:lineRule="exact"/><w:ind w:firstLineChars="200" w:firstLine="480"/><w:jc w:val="both"/></w:pPr>
  <w:rPr>{FONTS}{_size(12)}{LANG}</w:rPr></w:style>
<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/>
  <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>
  <w:tblPr><w:tblBorders>{BORDERS}</w:tblBorders><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:semiHidden/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:spacing w:before="120" w:after="120" w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="center"/><w:outlineLvl w:val="0"/></w:pPr>
  <w:rPr><w:b/><w:bCs/><w:spacing w:val="20"/>{_size(22)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
  <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="60" w:line="400" w:lineRule="exact"/>{NO_INDENT}<w:jc w:val="left"/><w:outlineLvl w:val="1"/></w:pPr>
  <w:rPr><w:b/><w:bCs/>{_size(14)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr><w:tabs><w:tab w:val="center" w:pos="4535"/><w:tab w:val="right" w:pos="9071"/></w:tabs><w:spacing w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="left"/></w:pPr>
  <w:rPr>{_size(9)}</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/>
  <w:pPr><w:spacing w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="center"/></w:pPr><w:rPr>{_size(9)}</w:rPr></w:style>
{_paragraph_style("CTCommittee", "CT Committee", f'<w:keepNext/><w:spacing w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="center"/>', _size(14))}
{_paragraph_style("CTNumber", "CT Number", f'<w:spacing w:after="240" w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="right"/>', _size(12))}
{_paragraph_style("CTPlain", "CT Plain", NO_INDENT, "")}
{_paragraph_style("CTTableText", "CT Table Text", f'<w:spacing w:before="20" w:after="20" w:line="300" w:lineRule="atLeast"/>{NO_INDENT}<w:jc w:val="left"/>', _size(10.5))}
{_paragraph_style("CTSign", "CT Sign", f'<w:keepNext/><w:spacing w:before="200" w:line="360" w:lineRule="atLeast"/>{NO_INDENT}<w:jc w:val="left"/>', "")}
{_paragraph_style("CTSeal", "CT Seal", '<w:keepNext/><w:spacing w:before="360" w:line="400" w:lineRule="exact"/><w:ind w:right="480" w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="right"/>', "")}
{_paragraph_style("CTCoverTitle", "CT Cover Title", f'<w:spacing w:before="2400" w:after="1440" w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="center"/><w:outlineLvl w:val="0"/>', f'<w:b/><w:bCs/><w:spacing w:val="80"/>{_size(36)}')}
{_paragraph_style("CTCoverText", "CT Cover Text", f'<w:spacing w:before="160" w:after="160" w:line="240" w:lineRule="auto"/>{NO_INDENT}<w:jc w:val="left"/>', _size(15))}
</w:styles>"""

SONG_TI = (
    '<w:font w:name="SimSun"><w:altName w:val="宋体"/><w:panose1 w:val="02010600030101010101"/>'
    '<w:charset w:val="86"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
    '<w:sig w:usb0="00000003" w:usb1="288F0000" w:usb2="00000016" w:usb3="00000000" w:csb0="00040001" w:csb1="00000000"/></w:font>'
)
TIMES = (
    '<w:font w:name="Times New Roman"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
)
FONT_TABLE = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{W_NS}">{SONG_TI}{TIMES}</w:fonts>'


def _field(paragraph, instruction: str) -> None:
    """Append a field (PAGE, NUMPAGES) whose value Word and LibreOffice compute when laying out."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            run._r.append(parse_xml(f'<w:instrText xmlns:w="{W_NS}" xml:space="preserve"> {text} </w:instrText>'))
        elif kind == "text":
            run.text = text
        else:
            run._r.append(parse_xml(f'<w:fldChar xmlns:w="{W_NS}" w:fldCharType="{kind}"/>'))


def build() -> docx.document.Document:
    """Build the base document in memory."""
    document = docx.Document()
    styles = document.styles.element
    for child in list(styles):
        styles.remove(child)
    for child in parse_xml(STYLES):
        styles.append(child)

    for rel in list(document.part.rels.values()):  # the stock template's extras: drop them
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML, RT.WEB_SETTINGS):
            del document.part.rels[rel.rId]
        elif rel.reltype == RT.FONT_TABLE:
            rel.target_part._blob = FONT_TABLE.encode()
    package_rels = document.part.package.rels
    for rel in list(package_rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rel.rId]
    lang = document.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.5)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is not None:
        grid.attrib.pop(qn("w:type"), None)
        grid.set(qn("w:linePitch"), "312")
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].style = document.styles["Header"]
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.add_run("第 ")
    _field(footer, "PAGE")
    footer.add_run(" 页  共 ")
    _field(footer, "NUMPAGES")
    footer.add_run(" 页")

    core = document.core_properties
    core.title, core.author, core.language = "casetrack 文书模板", "casetrack", "zh-CN"
    core.comments = "由 casetrack/documents/make_template.py 生成"
    return document


def main() -> None:
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    build().save(TEMPLATE)
    print(f"wrote {TEMPLATE}")


if __name__ == "__main__":
    main()
