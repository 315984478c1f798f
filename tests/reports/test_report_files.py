"""The report as files (Markdown, DOCX, XLSX, JSON) from the web and from the `report` command: each re-opens
and holds the figures, the report's sentences and the case list."""

import io
import json
import zipfile
from datetime import date, datetime
from urllib.parse import quote

import pytest
from docx import Document
from openpyxl import load_workbook

from casetrack import clock
from casetrack.extensions import db

from . import EXPECTED_DISPUTES_2025, YearData, browse_as, dispute, petition

HEADLINE_2025 = "乡村两级调解组织共调处各类矛盾纠纷4起，调处率达80%（乡村两级受理5起，调处4起）"
NO_PROVINCE = "没有发生一起赴省进京上访案件"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TITLE_2025 = "斜沟乡2025年矛盾纠纷排查调处和信访工作统计"


@pytest.fixture
def year(world) -> YearData:
    return YearData(world)


def _download(app, url: str, username: str = "staff"):
    response = browse_as(app, username).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _docx_text(body: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(body))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


def _figure_table(tables) -> dict[str, tuple[str, str]]:
    """The statistics table of a DOCX: label -> (value, definition)."""
    head, *rows = tables[0]
    assert head == ["项目", "数值", "口径"]
    return {label: (value, definition) for label, value, definition in rows}


def _breakdown_tables(tables) -> list[dict[str, str]]:
    result = []
    for table in tables[1:]:
        head, *rows = table
        assert head == ["项目", "件数"]
        result.append(dict(rows))
    return result


# ------------------------------------------------------------ Markdown

def test_markdown_holds_the_sentences_the_figures_with_definitions_and_the_breakdowns(app, year):
    response = _download(app, "/reports/2025.md")
    text = response.get_data(as_text=True)

    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert text.startswith(f"# {TITLE_2025}\n")
    assert HEADLINE_2025 in text and NO_PROVINCE in text
    assert "| 调处 | 5 | 调处数 = 受理纠纷中本期末调解已结束的件数：调解成功 + 调解不成 + 终止(各层级、各调解方式) |" in text
    assert "| 调处率 | 80% |" in text
    assert "| 调后履行率 | 50% |" in text
    assert "| 受理信访(件) | 4 |" in text
    assert "## 按月份\n\n| 项目 | 件数 |\n|---|---:|\n| 1月 | 1 |\n" in text
    assert "## 按村\n\n| 项目 | 件数 |\n|---|---:|\n| 斜沟村 | 5 |\n| 王家庄村 | 2 |\n" in text
    assert "| 邻里 | 4 |" in text


def test_markdown_counts_the_petitions_that_reached_the_province(app, year):
    petition(year.world.staff, year.world.township, date(2025, 9, 1), level="beijing")
    text = _download(app, "/reports/2025.md").get_data(as_text=True)
    assert NO_PROVINCE not in text
    assert "发生赴省进京上访案件1起" in text


def test_a_file_is_named_after_the_report(app, year):
    response = _download(app, "/reports/2025.docx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(TITLE_2025 + '.docx')}" in disposition
    assert "Content-Disposition" not in _download(app, "/reports/2025.json").headers


# ------------------------------------------------------------ DOCX

def test_the_docx_reopens_and_holds_the_sentences_and_the_figures(app, year):
    response = _download(app, "/reports/2025.docx")
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    paragraphs, tables = _docx_text(response.data)

    assert paragraphs[0] == TITLE_2025
    text = "\n".join(paragraphs)
    assert HEADLINE_2025 in text and NO_PROVINCE in text
    figures = _figure_table(tables)
    assert figures["登记纠纷"][0] == "7" and figures["受理纠纷"][0] == "6"
    assert figures["不予受理"][0] == "1"
    assert figures["调处"] == ("5", "调处数 = 受理纠纷中本期末调解已结束的件数：调解成功 + 调解不成 + 终止(各层级、各调解方式)")
    assert figures["调处率"][0] == "80%"
    assert figures["调解成功率"][0] == "40%"
    assert figures["村级化解占比"][0] == "33.3%"
    assert figures["受理信访(件)"][0] == "4"
    assert figures["重复信访"][0] == "1"
    assert figures["按期办结率"][0] == "50%"
    assert figures["赴省进京上访"][0] == "0"
    assert figures["排查完成率"][0] == "2.3%"
    breakdowns = _breakdown_tables(tables)
    assert {"斜沟村": "5", "王家庄村": "2"} in breakdowns
    assert {"邻里": "4", "婚姻家庭": "1", "合同": "1", "其他": "1"} in breakdowns
    assert {"1月": "1", "2月": "1", "3月": "2", "4月": "1", "5月": "1", "6月": "1"} in breakdowns


def test_the_docx_is_ready_to_send_on(app, year):
    """落款 with the issuing unit and the day, page numbers, header rows repeated, rows unsplit, numbers right."""
    body = _download(app, "/reports/2025.docx").data
    document = Document(io.BytesIO(body))
    today = clock.today()

    closing = [p for p in document.paragraphs if p.text][-2:]
    assert [p.text for p in closing] == ["斜沟乡人民政府", f"{today.year}年{today.month}月{today.day}日"]
    assert all(p.alignment == 2 for p in closing)  # right-aligned (WD_ALIGN_PARAGRAPH.RIGHT)
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert " PAGE " in footer and " NUMPAGES " in footer and footer.count('w:fldCharType="begin"') == 2
    for table in document.tables:
        first, *rest = table.rows
        assert first._tr.find(f"{W}trPr/{W}tblHeader") is not None
        assert all(row._tr.find(f"{W}trPr/{W}cantSplit") is not None for row in table.rows)
        assert all(row._tr.find(f"{W}trPr/{W}tblHeader") is None for row in rest)
        assert all(row.cells[1].paragraphs[0].alignment == 2 for row in table.rows)  # the numbers' column

    charts = _docx_charts(body)
    assert [title for title, _xml in charts] == ["每月登记与调结纠纷数", "按纠纷类别", "按村"]
    months = charts[0][1]
    assert "<c:v>1月</c:v>" in months and "<c:v>12月</c:v>" in months and "<c:v>登记</c:v>" in months
    # January: 1 registered (a), 2 concluded (y of 2024, and a)
    assert '<c:pt idx="0"><c:v>1</c:v></c:pt>' in months and '<c:pt idx="0"><c:v>2</c:v></c:pt>' in months
    assert "<c:v>斜沟村</c:v>" in charts[2][1] and "<c:v>5</c:v>" in charts[2][1]


def _docx_charts(body: bytes) -> list[tuple[str, str]]:
    """The DOCX's chart parts, each referenced from the document body: (title, chart XML), in order."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted((n for n in archive.namelist() if n.startswith("word/charts/chart")),
                       key=lambda n: int(n.removeprefix("word/charts/chart").removesuffix(".xml")))
        relations = archive.read("word/_rels/document.xml.rels").decode()
        types = archive.read("[Content_Types].xml").decode()
        document = archive.read("word/document.xml").decode()
        result = []
        for name in names:
            assert f'Target="{name.removeprefix("word/")}"' in relations
            assert f'PartName="/{name}" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"' \
                in types
            xml = archive.read(name).decode()
            result.append((xml.split("<a:t>")[1].split("</a:t>")[0], xml))
        assert document.count("<c:chart ") == len(names)
    return result


def test_the_docx_writes_rounded_counts_when_the_township_asks(app, world):
    for i in range(13):
        dispute(world.staff, world.village, date(2025, 1 + i % 12, 2), state="concluded", outcome="succeeded",
                closed_on=date(2025, 1 + i % 12, 9))
    world.township.settings = {**world.township.settings, "report_rounded": True}
    db.session.commit()

    paragraphs, tables = _docx_text(_download(app, "/reports/2025.docx").data)

    assert "乡村两级调解组织共调处各类矛盾纠纷10余起，调处率达100%（乡村两级受理13起，调处13起）" in "\n".join(paragraphs)
    assert _figure_table(tables)["调处"][0] == "13"  # the table keeps the exact figure


def test_a_null_rate_shows_as_a_dash(app, world):
    paragraphs, tables = _docx_text(_download(app, "/reports/2025.docx").data)
    assert _figure_table(tables)["调处率"][0] == "—"
    assert "未登记矛盾纠纷" in "\n".join(paragraphs)


# ------------------------------------------------------------ XLSX

def _workbook(body: bytes):
    return load_workbook(io.BytesIO(body))


def _figure_sheet(book) -> dict[str, object]:
    """The 统计数字 sheet: figure code -> stored value."""
    sheet = book["统计数字"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == ("项目", "数值", "口径", "代码")
    return {code: value for _label, value, _definition, code in rows[2:]}


def test_the_xlsx_reopens_and_holds_the_figures_the_breakdowns_and_the_case_list(app, year):
    response = _download(app, "/reports/2025.xlsx")
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = _workbook(response.data)

    assert book.sheetnames[:2] == ["统计数字", "报告文字"]
    assert {"纠纷案件清单", "信访事项清单", "按村", "按纠纷类别", "按月份", "信访按形式"} <= set(book.sheetnames)
    assert book["统计数字"]["A1"].value == TITLE_2025

    figures = _figure_sheet(book)
    for key, value in EXPECTED_DISPUTES_2025.items():
        if not isinstance(value, dict):
            assert figures[f"disputes.{key}"] == pytest.approx(value), key
    assert figures["disputes.village_township.mediation_rate"] == pytest.approx(4 / 5)
    assert figures["petitions.received"] == 4 and figures["petitions.on_time_rate"] == 0.5
    assert figures["screening.due"] == 128
    rate_row = next(row for row in book["统计数字"].iter_rows(min_row=3) if row[3].value == "disputes.mediation_rate")
    assert rate_row[1].number_format == "0.0%"

    text = [row[0] for row in book["报告文字"].iter_rows(values_only=True)]
    assert any(HEADLINE_2025 in p for p in text) and any(NO_PROVINCE in p for p in text)

    by_village = list(book["按村"].iter_rows(values_only=True))
    assert by_village == [("项目", "件数"), ("斜沟村", 5), ("王家庄村", 2)]
    by_month = list(book["按月份"].iter_rows(values_only=True))
    assert by_month[:3] == [("项目", "件数"), ("1月", 1), ("2月", 1)]

    cases = list(book["纠纷案件清单"].iter_rows(values_only=True))
    assert cases[0][:3] == ("编号", "所属村", "登记日期")
    numbers = [row[0] for row in cases[1:]]
    assert numbers == [c.number for c in (year.a, year.b, year.c, year.d, year.e, year.f, year.h)]  # by date
    assert year.n.number not in numbers and year.m.number not in numbers and year.y.number not in numbers
    first = cases[1]
    assert first[1] == "斜沟村" and first[3] == "邻里" and first[7] == "调解成功" and first[9] == "已履行"
    assert isinstance(first[2], datetime) and first[2].date() == date(2025, 1, 10)

    petitions = [row[0] for row in list(book["信访事项清单"].iter_rows(values_only=True))[1:]]
    assert petitions == [p.number for p in (year.p1, year.p2, year.p3, year.p4, year.p5)]


def test_the_xlsx_has_the_pages_charts_as_excel_charts(app, year):
    body = _download(app, "/reports/2025.xlsx").data
    sheet = _workbook(body)["图表"]
    rows = list(sheet.iter_rows(min_col=1, max_col=3, values_only=True))
    assert rows[0][0] == "每月登记与调结纠纷数" and rows[1] == ("项目", "登记", "调结")
    assert rows[2] == ("1月", 1, 2) and rows[13][0] == "12月"  # January: a registered; y and a concluded
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 3
        first = archive.read(charts[0]).decode()
    assert "barChart>" in first and "'图表'!$A$3:$A$14" in first and "'图表'!$B$3:$B$14" in first


def test_a_county_xlsx_lists_both_townships_cases(app, year):
    book = _workbook(_download(app, "/reports/2025.xlsx?township=all", username="admin").data)
    numbers = {row[0] for row in list(book["纠纷案件清单"].iter_rows(values_only=True))[1:]}
    assert len(numbers) == 9 and year.o1.number in numbers
    assert _figure_sheet(book)["disputes.registered"] == 9


# ------------------------------------------------------------ month and quarter files, frozen files

def test_month_and_quarter_files(app, year):
    march = _download(app, "/reports/2025/3.md").get_data(as_text=True)
    assert march.startswith("# 斜沟乡2025年3月矛盾纠纷排查调处和信访工作统计")
    assert "乡村两级调解组织共调处各类矛盾纠纷1起，调处率达100%（乡村两级受理1起，调处1起）" in march
    assert "零报告" not in march

    march_json = _download(app, "/reports/2025/3.json").get_json()
    assert march_json["period"] == "2025-03" and march_json["nil_return"] is False
    assert march_json["disputes"]["registered"] == 2

    q1 = _download(app, "/reports/2025/q1.json").get_json()
    assert q1["period"] == "2025-q1" and q1["disputes"]["registered"] == 4
    q1_md = _download(app, "/reports/2025/q1.md").get_data(as_text=True)
    assert q1_md.startswith("# 斜沟乡2025年第1季度")

    book = _workbook(_download(app, "/reports/2025/q1.xlsx").data)
    numbers = [row[0] for row in list(book["纠纷案件清单"].iter_rows(values_only=True))[1:]]
    assert numbers == [c.number for c in (year.a, year.b, year.c, year.d)]


def test_an_empty_months_files_are_a_nil_return(app, year):
    text = _download(app, "/reports/2025/9.md").get_data(as_text=True)
    assert "零报告" in text
    assert _download(app, "/reports/2025/9.json").get_json()["nil_return"] is True
    paragraphs, _tables = _docx_text(_download(app, "/reports/2025/9.docx").data)
    assert paragraphs[1].startswith("零报告")


def test_files_of_a_frozen_year_hold_the_frozen_figures(app, year):
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.services import disputes as dispute_services

    assert browse_as(app, "staff").post("/reports/2025/freeze").status_code == 302
    dispute_services.conclude(year.f, year.world.staff, dispute_services.Conclusion(
        outcome=wf.Outcome.FAILED, closed_on=date(2025, 5, 20), channels_told=["诉讼"]), clock.today())
    db.session.commit()

    paragraphs, tables = _docx_text(_download(app, "/reports/2025.docx").data)
    assert HEADLINE_2025 in "\n".join(paragraphs)
    assert _figure_table(tables)["调处"][0] == "5"
    assert _figure_sheet(_workbook(_download(app, "/reports/2025.xlsx").data))["disputes.mediated"] == 5


# ------------------------------------------------------------ the report command

def _run(runner, *args: str):
    result = runner.invoke(args=["report", *args])
    return result


def test_cli_json_for_one_township_matches_the_web(app, year, runner):
    result = _run(runner, "2025", "--township", "斜沟乡", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == _download(app, "/reports/2025.json").get_json()


def test_cli_json_without_a_township_covers_all(app, year, runner):
    result = _run(runner, "2025", "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["township"] == "全部乡镇"
    assert figures["disputes"]["registered"] == 9 and figures["petitions"]["received"] == 5
    assert _run(runner, "2025").output == result.output  # json is the default


def test_cli_docx_and_xlsx_to_a_file(app, year, runner, tmp_path):
    target = tmp_path / "报告.docx"
    result = _run(runner, "2025", "--township", "斜沟乡", "--format", "docx", "-o", str(target))
    assert result.exit_code == 0, result.output
    paragraphs, tables = _docx_text(target.read_bytes())
    assert paragraphs[0] == TITLE_2025 and HEADLINE_2025 in "\n".join(paragraphs)
    assert _figure_table(tables)["调处"][0] == "5"

    sheet = tmp_path / "report.xlsx"
    assert _run(runner, "2025", "--township", "斜沟乡", "--format", "xlsx", "-o", str(sheet)).exit_code == 0
    assert _figure_sheet(_workbook(sheet.read_bytes()))["disputes.registered"] == 7


def test_cli_month_and_quarter(app, year, runner):
    march = _run(runner, "2025", "--township", "斜沟乡", "--month", "3")
    assert march.exit_code == 0, march.output
    assert json.loads(march.output)["period"] == "2025-03"
    assert json.loads(march.output)["disputes"]["registered"] == 2

    q1 = _run(runner, "2025", "--township", "斜沟乡", "--quarter", "1", "--format", "md")
    assert q1.exit_code == 0, q1.output
    assert q1.output.startswith("# 斜沟乡2025年第1季度") and "调处各类矛盾纠纷3起，调处率达100%" in q1.output

    nil = _run(runner, "2025", "--township", "斜沟乡", "--month", "9", "--format", "md")
    assert "零报告" in nil.output


def test_cli_of_a_frozen_year_gives_the_frozen_figures_as_the_web_files_do(app, year, runner):
    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.services import disputes as dispute_services

    assert browse_as(app, "staff").post("/reports/2025/freeze").status_code == 302
    dispute_services.conclude(year.f, year.world.staff, dispute_services.Conclusion(
        outcome=wf.Outcome.FAILED, closed_on=date(2025, 5, 20), channels_told=["诉讼"]), clock.today())
    db.session.commit()

    result = _run(runner, "2025", "--township", "斜沟乡", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "已冻结" in result.stderr
    frozen = json.loads(result.stdout)
    assert frozen["disputes"]["mediated"] == 5  # the later closure is drift, not in the published figures
    assert frozen == _download(app, "/reports/2025.json").get_json()


@pytest.mark.parametrize("args, message", [
    (["2025", "--month", "3", "--quarter", "1"], "只能选一个"),
    (["2025", "--township", "无此乡"], "不存在"),
    (["2025", "--format", "docx"], "-o"),
    (["2025", "--month", "13"], "13"),
    (["2025", "--quarter", "5"], "5"),
])
def test_cli_refuses_what_it_cannot_do(app, year, runner, args, message):
    result = _run(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
