"""The report as files: Markdown, DOCX (python-docx) and XLSX (openpyxl); the builders return bytes."""

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from casetrack.domain import petition_workflow as pw
from casetrack.domain import statistics as st
from casetrack.domain import workflow as wf
from casetrack.domain.figures import BREAKDOWN_TITLES, FIGURES, NOT_RECORDED, RATE_KEYS, YUAN
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, ReportSnapshot
from casetrack.services import report_docx
from casetrack.services import statistics as stats
from casetrack.spreadsheet_text import text_only


def snapshot(period, scope) -> ReportSnapshot | None:
    """The figures frozen for a period and scope (as published), if they were frozen."""
    return db.session.execute(select(ReportSnapshot).where(
        ReportSnapshot.scope == scope.key, ReportSnapshot.period == period.key)).scalar_one_or_none()


def published_figures(period, scope, today: date) -> dict:
    """The figures a file hands over: the frozen ones once a period is frozen, otherwise today's."""
    frozen = snapshot(period, scope)
    return st.complete_frozen(frozen.figures) if frozen else stats.figures(period, scope, today)


def display(key: str, value) -> str:
    """Show a figure: a rate as a percent, a count as a number, nothing as —."""
    if key in RATE_KEYS:
        return st.format_rate(value)
    if value is not None and key in FIGURES and FIGURES[key].unit == YUAN:  # 协议涉及金额: yuan to the fen
        return f"{value:,.2f}"
    return "—" if value is None else str(value)


def scalar_rows(figures: dict) -> list[tuple[str, str, str, str]]:
    """Return (section.key, label, shown value, definition) for every scalar figure casetrack records, in the
    report's order; the label and definition are the catalogue's (a figure it no longer holds, in an old frozen
    year, shows its key)."""
    rows = []
    for key, value in st.scalar_figures({k: figures[k] for k in st.SECTIONS}).items():
        if key in NOT_RECORDED:  # nothing to show until casetrack records it (its definition says so in the JSON)
            continue
        figure = FIGURES.get(key)
        rows.append((key, figure.label if figure else key, display(key, value), figure.definition if figure else ""))
    return rows


def breakdowns(figures: dict) -> dict[str, dict]:
    """Return the breakdown tables by their "section.key"."""
    return {key: figures[key.split(".")[0]].get(key.split(".")[1], {}) for key in BREAKDOWN_TITLES}


def to_markdown(title: str, figures: dict, paragraphs: list[str]) -> str:
    """Write the report as Markdown: the paragraphs, the figures with definitions, the breakdowns."""
    rule = (figures.get("definitions") or {}).get("as_at")
    lines = [f"# {title}", "", *[p + "\n" for p in paragraphs], "## 统计数字", "", *([rule, ""] if rule else []),
             "| 项目 | 数值 | 口径 |", "|---|---:|---|"]
    lines += [f"| {label} | {value} | {definition} |" for _k, label, value, definition in scalar_rows(figures)]
    for key, table in breakdowns(figures).items():
        if table:
            lines += ["", f"## {BREAKDOWN_TITLES[key]}", "", "| 项目 | 件数 |", "|---|---:|"]
            lines += [f"| {name} | {count} |" for name, count in _breakdown_rows(key, table).items()]
    return "\n".join(lines) + "\n"


def month_label(month) -> str:
    """A month as the report writes it: "1月"."""
    return f"{int(month)}月"


def _breakdown_rows(key: str, rows: dict) -> dict:
    """A breakdown's rows as the files show them: months as "1月"."""
    return {month_label(k): v for k, v in rows.items()} if key.endswith("by_month") else dict(rows)


CHARTED_BREAKDOWNS = ("by_type", "by_village")
"""The disputes' breakdowns drawn as bar charts, on the page and in the files, under their catalogue titles."""


def chart_data(period, figures: dict, closures: dict) -> list[tuple[str, list[str], list, bool]]:
    """The page's charts: (title, categories, [(series, values)], horizontal) — the year's months, by type, by village."""
    d = figures["disputes"]
    charts = []
    if period.kind == "year":
        intake = {int(k): v for k, v in d["by_month"].items()}
        charts.append(("每月登记与调结纠纷数", [month_label(m) for m in range(1, 13)],
                       [("登记", [intake.get(m, 0) for m in range(1, 13)]),
                        ("调结", [closures.get(m, 0) for m in range(1, 13)])], False))
    for key in CHARTED_BREAKDOWNS:
        if d[key]:
            charts.append((BREAKDOWN_TITLES[f"disputes.{key}"], [str(k) for k in d[key]], [("件数", list(d[key].values()))],
                           True))
    return charts


def issuer_of(scope) -> str:
    """The report's issuing unit (落款): the township's setting, else "<township>人民政府"."""
    if scope.all_townships:
        return scope.name
    township = scope.townships[0]
    return township.setting("issuing_unit") or f"{township.name}人民政府"


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def to_docx(title: str, figures: dict, paragraphs: list[str], charts=(), issuer: str = "",
            issued_on: str = "") -> bytes:
    """Write the report as DOCX (services.report_docx): paragraphs, charts, figures, breakdowns, 落款."""
    rows = [(label, value, definition) for _key, label, value, definition in scalar_rows(figures)]
    tables = [(BREAKDOWN_TITLES[key], _breakdown_rows(key, rows_)) for key, rows_ in breakdowns(figures).items()
              if rows_]
    rule = (figures.get("definitions") or {}).get("as_at", "")
    return report_docx.to_docx(title, rows, paragraphs, tables, list(charts), issuer, issued_on, rule)


def to_xlsx(title: str, figures: dict, paragraphs: list[str], dispute_ids: list[int], petition_ids: list[int],
            charts=()) -> bytes:
    """Write the report as XLSX: the figures, the text, the page's charts (Excel's own), a sheet per breakdown, the
    cases counted."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计数字"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["项目", "数值", "口径", "代码"])
    flat = st.scalar_figures({k: figures[k] for k in st.SECTIONS})
    for key, label, _shown, definition in scalar_rows(figures):
        raw = flat[key]
        sheet.append([label, "—" if raw is None else raw, definition, key])  # never counted or no denominator
        if key in RATE_KEYS and raw is not None:
            sheet.cell(row=sheet.max_row, column=2).number_format = "0.0%"
    sheet.column_dimensions["A"].width, sheet.column_dimensions["C"].width = 20, 80
    text = workbook.create_sheet("报告文字")
    for paragraph in paragraphs:
        text.append([paragraph])
    if charts:
        report_xlsx_charts(workbook.create_sheet("图表"), list(charts))
    for key, rows in breakdowns(figures).items():
        tab = workbook.create_sheet(BREAKDOWN_TITLES[key][:31])
        tab.append(["项目", "件数"])
        for name, count in _breakdown_rows(key, rows).items():
            tab.append([str(name), count])
    _case_sheets(workbook, dispute_ids, petition_ids)
    text_only(workbook)  # names of villages and types are the township's own words: never formulas
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx_charts(sheet, charts: list) -> None:
    """Write each chart's data on the sheet and an Excel bar chart over it, one below the other."""
    row = 1
    for title, categories, series, horizontal in charts:
        sheet.cell(row=row, column=1, value=title).font = Font(bold=True)
        sheet.cell(row=row + 1, column=1, value="项目")
        for j, (name, values) in enumerate(series, start=2):
            sheet.cell(row=row + 1, column=j, value=name)
            for i, value in enumerate(values):
                sheet.cell(row=row + 2 + i, column=j, value=value)
        for i, category in enumerate(categories):
            sheet.cell(row=row + 2 + i, column=1, value=category)
        chart = BarChart()
        chart.type = "bar" if horizontal else "col"
        chart.title = title
        chart.y_axis.title = "件数"
        data = Reference(sheet, min_col=2, max_col=1 + len(series), min_row=row + 1, max_row=row + 1 + len(categories))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=row + 2, max_row=row + 1 + len(categories)))
        chart.height, chart.width = max(7.5, 0.6 * len(categories) + 3) if horizontal else 7.5, 16
        if horizontal:
            chart.x_axis.scaling.orientation = "maxMin"  # the first category on top, as on the page
        if len(series) == 1:
            chart.legend = None
        sheet.add_chart(chart, f"{get_column_letter(len(series) + 3)}{row}")
        row += max(len(categories) + 3, int(chart.height * 2) + 2)


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

    label = "" if period.kind == "year" else period.label
    if scope.all_townships:
        return Wording(township_name=scope.name, period_label=label)
    township = scope.townships[0]
    return Wording(rounded=bool(township.setting("report_rounded")), township_name=scope.name, period_label=label,
                   omit=frozenset(township.setting("report_sentences_off") or ()),
                   village_interval=township.setting("screening_village_interval"),
                   township_interval=township.setting("screening_township_interval"))


NIL_RETURN = "零报告：本月未登记矛盾纠纷、未收到信访事项，排查未发现矛盾纠纷。"


def render(period, scope, figures: dict, fmt: str, today: date | None = None) -> bytes:
    """Build the report file in one of json, md, docx, xlsx; today dates the 落款 (the figures' own day if absent)."""
    import json

    from casetrack.domain.report_text import report_paragraphs
    from casetrack.services import statistics

    title = report_title(period, scope)
    paragraphs = report_paragraphs(figures, wording_for(period, scope))
    nil_return = period.kind == "month" and statistics.is_nil_return(figures)
    if nil_return:  # the monthly return sent up to the county says so itself, as the page does
        paragraphs = [NIL_RETURN, *paragraphs]
    if fmt == "json":
        body = {**figures, "text": "\n".join(paragraphs)}
        if period.kind == "month":
            body["nil_return"] = nil_return
        return json.dumps(body, ensure_ascii=False, indent=2, default=str).encode()
    if fmt == "md":
        return to_markdown(title, figures, paragraphs).encode()
    issued_on = today or date.fromisoformat(figures.get("as_at") or period.end.isoformat())
    charts = chart_data(period, figures, statistics.closures_by_month(period, scope, issued_on))
    if fmt == "docx":
        return to_docx(title, figures, paragraphs, charts, issuer_of(scope), chinese_date(issued_on))
    if fmt == "xlsx":
        return to_xlsx(title, figures, paragraphs, *statistics.case_ids(period, scope, issued_on), charts=charts)
    raise ValueError(fmt)
