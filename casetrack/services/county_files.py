"""The county table as files: XLSX (openpyxl, with Excel's own charts) and DOCX (python-docx, native charts),
built the way the report's files are (services.report_files, services.report_docx)."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from openpyxl import Workbook
from openpyxl.styles import Font

from casetrack.domain.figures import DEFINITIONS, RATE_KEYS
from casetrack.services import report_docx, report_files
from casetrack.services.county_rollup import HEADLINE, Rollup, column_label, shown
from casetrack.spreadsheet_text import text_only


def charts(rollup: Rollup) -> list[tuple[str, list[str], list, bool]]:
    """One horizontal bar chart per headline figure, a bar per township (rates in percent)."""
    names = [row.name for row in rollup.rows]
    result = []
    for key in HEADLINE:
        values = [row.values[key] for row in rollup.rows]
        if key in RATE_KEYS:
            values = [0 if v is None else round(v * 100, 1) for v in values]
            title = f"{column_label(key)}(%)"
        else:
            values = [v or 0 for v in values]
            title = column_label(key)
        result.append((title, names, [(title, values)], True))
    return result


def _rows(rollup: Rollup) -> list[tuple[str, ...]]:
    return [(row.name, *(shown(k, row.values[k]) + ("(未达目标)" if k in row.missed else "") for k in HEADLINE))
            for row in [*rollup.rows, rollup.total]]


def to_xlsx(title: str, rollup: Rollup) -> bytes:
    """The table (numbers as numbers, rates formatted as percents), the definitions, and a sheet of charts."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "各乡镇汇总"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["乡镇", *(column_label(k) for k in HEADLINE)])
    for row in [*rollup.rows, rollup.total]:
        sheet.append([row.name, *("—" if row.values[k] is None else row.values[k] for k in HEADLINE)])
        for j, key in enumerate(HEADLINE, start=2):
            if key in RATE_KEYS and row.values[key] is not None:
                sheet.cell(row=sheet.max_row, column=j).number_format = "0.0%"
            if key in row.missed:
                sheet.cell(row=sheet.max_row, column=j).font = Font(color="B42318", bold=True)
    sheet.column_dimensions["A"].width = 16
    notes = workbook.create_sheet("口径")
    notes.append(["项目", "口径", "代码"])
    for key in HEADLINE:
        notes.append([column_label(key), DEFINITIONS[key], key])
    report_files.report_xlsx_charts(workbook.create_sheet("图表"), charts(rollup))
    text_only(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_docx(title: str, rollup: Rollup) -> bytes:
    """The table on an A4 landscape page, the definitions under it, then a chart per figure."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    report_docx._song(heading.add_run(title), 16, bold=True)
    report_docx._table(document, ("乡镇", *(column_label(k) for k in HEADLINE)), _rows(rollup),
                       numeric=set(range(1, len(HEADLINE) + 1)))
    for key in HEADLINE:
        report_docx._song(document.add_paragraph().add_run(f"{column_label(key)}:{DEFINITIONS[key]}"), 10.5)
    for number, (chart_title, categories, series, horizontal) in enumerate(charts(rollup), start=1):
        report_docx._add_chart(document, number, chart_title, categories, series, horizontal)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
