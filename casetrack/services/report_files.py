"""The report as files: Markdown, DOCX (python-docx) and XLSX (openpyxl); the builders return bytes."""

import io
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casetrack.domain import petition_workflow as pw
from casetrack.domain import statistics as st
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, ReportSnapshot
from casetrack.services import statistics as stats

SECTION_TITLES = {"disputes": "矛盾纠纷调处", "petitions": "信访工作", "screening": "矛盾纠纷排查"}
BREAKDOWN_TITLES = {
    "disputes.by_type": "按纠纷类别", "disputes.by_village": "按村", "disputes.by_source": "按案件来源",
    "disputes.by_channel": "按调解方式", "disputes.by_level": "按化解层级", "disputes.by_month": "按月份",
    "petitions.by_channel": "信访按形式", "petitions.by_village": "信访按村", "petitions.by_category": "信访按事项类别",
}


def snapshot(period, scope) -> ReportSnapshot | None:
    """The figures frozen for a period and scope (as published), if they were frozen."""
    return db.session.execute(select(ReportSnapshot).where(
        ReportSnapshot.scope == scope.key, ReportSnapshot.period == period.key)).scalar_one_or_none()


def published_figures(period, scope, today: date) -> dict:
    """The figures a file hands over: the frozen ones once a period is frozen, otherwise today's."""
    frozen = snapshot(period, scope)
    return frozen.figures if frozen else stats.figures(period, scope, today)


def display(key: str, value) -> str:
    """Show a figure: a rate as a percent, a count as a number, nothing as —."""
    if key in st.RATE_KEYS:
        return st.format_rate(value)
    return "—" if value is None else str(value)


def scalar_rows(figures: dict) -> list[tuple[str, str, str, str]]:
    """Return (section.key, label, shown value, definition) for every scalar figure, in the report's order."""
    rows = []
    for key, value in st.scalar_figures({k: figures[k] for k in st.SECTIONS}).items():
        rows.append((key, st.LABELS.get(key, key), display(key, value), st.DEFINITIONS.get(key, "")))
    return rows


def breakdowns(figures: dict) -> dict[str, dict]:
    """Return the breakdown tables by their "section.key"."""
    return {key: figures[key.split(".")[0]].get(key.split(".")[1], {}) for key in BREAKDOWN_TITLES}


def to_markdown(title: str, figures: dict, paragraphs: list[str]) -> str:
    """Write the report as Markdown: the paragraphs, the figures with definitions, the breakdowns."""
    lines = [f"# {title}", "", *[p + "\n" for p in paragraphs], "## 统计数字", "",
             "| 项目 | 数值 | 口径 |", "|---|---:|---|"]
    lines += [f"| {label} | {value} | {definition} |" for _k, label, value, definition in scalar_rows(figures)]
    for key, table in breakdowns(figures).items():
        if table:
            lines += ["", f"## {BREAKDOWN_TITLES[key]}", "", "| 项目 | 件数 |", "|---|---:|"]
            lines += [f"| {name} | {count} |" for name, count in table.items()]
    return "\n".join(lines) + "\n"


def _song(run, size: float = 12, bold: bool = False) -> None:
    run.font.name = "SimSun"
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def to_docx(title: str, figures: dict, paragraphs: list[str]) -> bytes:
    """Write the report as DOCX: title, the paragraphs, the statistics tables."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _song(heading.add_run(title), 16, bold=True)
    for text in paragraphs:
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(24)
        _song(paragraph.add_run(text))
    _song(document.add_paragraph().add_run("统计数字"), 14, bold=True)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("项目", "数值", "口径"), strict=True):
        _song(cell.paragraphs[0].add_run(text), 10.5, bold=True)
    for _key, label, value, definition in scalar_rows(figures):
        cells = table.add_row().cells
        for cell, text in zip(cells, (label, value, definition), strict=True):
            _song(cell.paragraphs[0].add_run(text), 10.5)
    for key, rows in breakdowns(figures).items():
        if not rows:
            continue
        _song(document.add_paragraph().add_run(BREAKDOWN_TITLES[key]), 12, bold=True)
        breakdown = document.add_table(rows=1, cols=2)
        breakdown.style = "Table Grid"
        for cell, text in zip(breakdown.rows[0].cells, ("项目", "件数"), strict=True):
            _song(cell.paragraphs[0].add_run(text), 10.5, bold=True)
        for name, count in rows.items():
            cells = breakdown.add_row().cells
            _song(cells[0].paragraphs[0].add_run(str(name)), 10.5)
            _song(cells[1].paragraphs[0].add_run(str(count)), 10.5)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def to_xlsx(title: str, figures: dict, paragraphs: list[str], dispute_ids: list[int], petition_ids: list[int]) -> bytes:
    """Write the report as XLSX: the figures, a sheet per breakdown, and the cases counted."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计数字"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["项目", "数值", "口径", "代码"])
    for key, label, _shown, definition in scalar_rows(figures):
        raw = st.scalar_figures({k: figures[k] for k in st.SECTIONS})[key]
        sheet.append([label, raw if raw is not None else None, definition, key])
        if key in st.RATE_KEYS and raw is not None:
            sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    sheet.column_dimensions["A"].width, sheet.column_dimensions["C"].width = 20, 80
    text = workbook.create_sheet("报告文字")
    for paragraph in paragraphs:
        text.append([paragraph])
    for key, rows in breakdowns(figures).items():
        tab = workbook.create_sheet(BREAKDOWN_TITLES[key][:31])
        tab.append(["项目", "件数"])
        for name, count in rows.items():
            tab.append([str(name), count])
    _case_sheets(workbook, dispute_ids, petition_ids)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _case_sheets(workbook: Workbook, dispute_ids: list[int], petition_ids: list[int]) -> None:
    sheet = workbook.create_sheet("纠纷案件清单")
    sheet.append(["编号", "所属村", "登记日期", "纠纷类别", "案件来源", "处理层级", "状态", "调解结果", "结案日期", "履行情况"])
    for chunk in _chunks(dispute_ids):
        rows = db.session.execute(
            select(Dispute).where(Dispute.id.in_(chunk)).options(
                selectinload(Dispute.village), selectinload(Dispute.dispute_type)).order_by(Dispute.registered_on, Dispute.id)
        ).scalars()
        for d in rows:
            sheet.append([d.number, d.village.name, d.registered_on, d.dispute_type.name, wf.Source(d.source).label,
                          wf.Level(d.level).label, d.state.label, wf.Outcome(d.outcome).label if d.outcome else "",
                          d.closed_on, wf.Performance(d.performance).label if d.performance else ""])
    petitions = workbook.create_sheet("信访事项清单")
    petitions.append(["编号", "登记日期", "信访形式", "人数", "事项类别", "到达层级", "状态", "办结期限", "办结日期", "满意度"])
    for chunk in _chunks(petition_ids):
        rows = db.session.execute(
            select(Petition).where(Petition.id.in_(chunk)).options(selectinload(Petition.category))
            .order_by(Petition.received_on, Petition.id)
        ).scalars()
        for p in rows:
            petitions.append([p.number, p.received_on, pw.Channel(p.channel).label, p.persons, p.category.name,
                              pw.Level(p.level).label, p.state.label, p.opinion_due_on, p.answered_on,
                              wf.Satisfaction(p.satisfaction).label if p.satisfaction else ""])
    for sheet_ in (sheet, petitions):
        for row in sheet_.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def report_title(period, scope) -> str:
    """Title the report: 斜沟乡2025年矛盾纠纷排查调处和信访工作统计."""
    return f"{scope.name}{period.label}矛盾纠纷排查调处和信访工作统计"


def wording_for(period, scope):
    """The township's report wording (rounded counts, sentences left out, screening rule) for this period."""
    from casetrack.domain.report_text import Wording

    label = "" if len(period.key) == 4 else period.label
    if scope.all_townships:
        return Wording(township_name=scope.name, period_label=label)
    township = scope.townships[0]
    return Wording(rounded=bool(township.setting("report_rounded")), township_name=scope.name, period_label=label,
                   omit=frozenset(township.setting("report_sentences_off") or ()),
                   village_interval=township.setting("screening_village_interval"),
                   township_interval=township.setting("screening_township_interval"))


NIL_RETURN = "零报告：本月未登记矛盾纠纷、未收到信访事项，排查未发现矛盾纠纷。"


def is_month(period) -> bool:
    """Tell a month ("2025-03") from a year ("2025") or a quarter ("2025-q1")."""
    return len(period.key) == 7 and "q" not in period.key


def render(period, scope, figures: dict, fmt: str) -> bytes:
    """Build the report file in one of json, md, docx, xlsx."""
    import json

    from casetrack.domain.report_text import report_paragraphs
    from casetrack.services import statistics

    title = report_title(period, scope)
    paragraphs = report_paragraphs(figures, wording_for(period, scope))
    nil_return = is_month(period) and statistics.is_nil_return(figures)
    if nil_return:  # the monthly return sent up to the county says so itself, as the page does
        paragraphs = [NIL_RETURN, *paragraphs]
    if fmt == "json":
        body = {**figures, "text": "\n".join(paragraphs)}
        if is_month(period):
            body["nil_return"] = nil_return
        return json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()
    if fmt == "md":
        return to_markdown(title, figures, paragraphs).encode()
    if fmt == "docx":
        return to_docx(title, figures, paragraphs)
    if fmt == "xlsx":
        return to_xlsx(title, figures, paragraphs, *statistics.case_ids(period, scope))
    raise ValueError(fmt)
