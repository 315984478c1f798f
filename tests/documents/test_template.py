"""The base DOCX kept in the project: A4, 2.5 cm margins, 宋体/SimSun through w:eastAsia, made by its script."""

from io import BytesIO

import docx
from docx.oxml.ns import qn
from docx.shared import Cm

from casetrack.documents import make_template, word
from casetrack.documents.content import Document, Paragraph, Section


def _east_asia_font(element) -> str | None:
    fonts = element.find(qn("w:rPr")).find(qn("w:rFonts"))
    return fonts.get(qn("w:eastAsia"))


def test_the_kept_template_is_a4_with_margins_of_two_and_a_half_centimetres():
    section = docx.Document(str(word.TEMPLATE)).sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    for margin in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin):
        assert abs(margin - Cm(2.5)) < Cm(0.01)


def test_the_kept_template_sets_song_ti_for_chinese_text_and_names_its_alternative():
    template = docx.Document(str(word.TEMPLATE))
    styles = template.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert _east_asia_font(defaults) == "SimSun"
    assert _east_asia_font(template.styles["Normal"].element) == "SimSun"
    language = template.styles["Normal"].element.find(qn("w:rPr")).find(qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"
    font_table = next(rel.target_part for rel in template.part.rels.values() if rel.reltype.endswith("/fontTable"))
    assert '<w:font w:name="SimSun"><w:altName w:val="宋体"/>' in font_table.blob.decode()


def test_the_kept_template_is_what_its_script_makes():
    kept = docx.Document(str(word.TEMPLATE))
    made = make_template.build()
    assert kept.styles.element.xml == made.styles.element.xml
    assert [s.name for s in kept.styles] == [s.name for s in made.styles]


def test_documents_are_built_on_the_kept_template():
    document = Document(kind="application", title="人民调解申请书", number="(2026)斜调字第1号", header="斜沟乡人民调解委员会",
                        sections=[Section("当事人基本情况", [Paragraph("张三")])])
    built = docx.Document(BytesIO(word.render([document])))
    assert abs(built.sections[0].left_margin - Cm(2.5)) < Cm(0.01)
    assert [p.style.name for p in built.paragraphs] == ["CT Committee", "Title", "CT Number", "Heading 1", "Normal"]
    assert "(2026)斜调字第1号" in built.sections[0].header.paragraphs[0].text
    assert "PAGE" in built.sections[0].footer.paragraphs[0]._p.xml
