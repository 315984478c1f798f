"""Build the ledger template: both sheets with their headers, an example row, and drop-down lists of allowed values.

The example row is marked 示例 in its 序号 cell, which import skips, so a filled-in template imports
as it is. The drop-down values live on a hidden sheet (下拉选项), since Excel limits an inline list to 255
characters; import skips that sheet too.
"""

from datetime import timedelta

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from casetrack import clock
from casetrack.ledger.format import (
    COLUMNS,
    DISPUTE,
    EXAMPLE_MARK,
    LIST_SHEET,
    PETITION,
    ROW_NUMBER_HEADER,
    SHEET_NAMES,
)
from casetrack.ledger.lookups import TownshipBook
from casetrack.spreadsheet_text import text_only

LAST_ROW = 5000  # rows the drop-downs cover
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
WIDE = {"简要案情", "诉求摘要", "备注", "事项类别"}
CONDITIONAL = {
    "乡镇": "数据库中有多个乡镇时必填",
    "调解结果": "状态为已调结、已回访时必填;已归档且为空表示不予受理后归档",
    "协议形式": "调解结果为调解成功时必填",
    "结案日期": "状态为不予受理、已调结、已回访、已归档时必填,不早于登记日期",
    "受理日期": "受理情况不是待定时必填,不早于登记日期",
    "延期批准人": "延期天数大于0时必填,须为本乡镇领导的账号姓名",
    "处理意见": "填写办结日期时必填",
    "编号": "留空则自动编号;已有编号的行会更新该案件",
    "申请人": "多人用“、”分隔",
    "被申请人": "多人用“、”分隔",
    "信访人": "多人用“、”分隔",
    "调解员": "多人用“、”分隔;与系统用户同名的会关联到该用户",
    "重复信访": "填写同一事项首次信访的编号",
}


def _lists(book: TownshipBook) -> dict[str, list[str]]:
    """Return the drop-down values of each list column, by header."""
    lists = {"乡镇": [book.name], "所属村": list(book.villages), "自然村": sorted(set(book.natural_names.values())),
             "纠纷类别": book.active_types, "事项类别": book.active_categories, "延期批准人": list(book.leader_ids)}
    for kind in (DISPUTE, PETITION):
        for column in COLUMNS[kind]:
            if column.kind == "choice":
                lists.setdefault(column.header, column.labels)
            elif column.kind == "bool":
                lists.setdefault(column.header, ["是", "否"])
    return {header: values for header, values in lists.items() if values}


def _examples(book: TownshipBook) -> dict[str, dict]:
    today = clock.today()
    registered, closed = today - timedelta(days=20), today - timedelta(days=5)
    village = next(iter(book.villages), "")
    naturals = book.naturals_by_village.get(book.villages.get(village), [])
    mediator = next(iter(book.mediator_ids), "")
    dispute_type = "邻里" if "邻里" in book.active_types else (book.active_types or [""])[0]
    return {
        DISPUTE: {
            "乡镇": book.name, "所属村": village, "自然村": naturals[0] if naturals else None,
            "登记日期": registered, "纠纷类别": dispute_type, "案件来源": "当事人申请", "调解方式": "人民调解",
            "申请人": "张三", "被申请人": "李四", "涉及人数": 2, "简要案情": "因院墙占道发生争执",
            "风险等级": "一般", "处理层级": "村", "状态": "已调结", "调解结果": "调解成功", "协议形式": "书面",
            "结案日期": closed, "调解员": mediator, "防止民转刑": "否", "防止群体性上访": "否",
            "备注": "示例行(序号为“示例”),导入时跳过,可删除",
        },
        PETITION: {
            "乡镇": book.name, "所属村": village, "登记日期": registered, "信访形式": "来访", "信访人": "赵大民",
            "人数": 1, "事项类别": (book.active_categories or [""])[0], "诉求摘要": "反映土地补偿款未按时发放",
            "受理情况": "受理", "受理日期": registered + timedelta(days=2), "到达层级": "乡", "越级": "否",
            "延期天数": 0, "办结日期": closed, "处理意见": "解释说明", "满意度": "满意", "缠访闹访": "否",
            "备注": "示例行(序号为“示例”),导入时跳过,可删除",
        },
    }


def _list_ranges(workbook: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """Write each list into a column of the hidden sheet; return header → range formula."""
    sheet = workbook.create_sheet(LIST_SHEET)
    sheet.sheet_state = "hidden"
    ranges = {}
    for index, (header, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=header)
        for offset, value in enumerate(values, start=2):
            sheet.cell(row=offset, column=index, value=value)
        ranges[header] = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _fill_sheet(sheet, kind: str, example: dict, ranges: dict[str, str]) -> None:
    headers = [ROW_NUMBER_HEADER] + [c.header for c in COLUMNS[kind]]
    required = {c.header for c in COLUMNS[kind] if c.required}
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if header in required:
            cell.fill = REQUIRED_FILL
            cell.comment = Comment("必填。" + CONDITIONAL.get(header, ""), "casetrack")
        elif header in CONDITIONAL:
            cell.comment = Comment(CONDITIONAL[header], "casetrack")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 30 if header in WIDE else 13
        value = EXAMPLE_MARK if header == ROW_NUMBER_HEADER else example.get(header)
        example_cell = sheet.cell(row=2, column=index, value=value)
        example_cell.font = Font(italic=True, color="808080")
        if hasattr(value, "isoformat"):
            example_cell.number_format = "yyyy-mm-dd"
        if header in ranges:
            validation = DataValidation(type="list", formula1=ranges[header], allow_blank=True, showErrorMessage=True,
                                        errorTitle="不在可选范围内", error=f"请从下拉列表中选择“{header}”")
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "B2"


def build_template(book: TownshipBook, target) -> None:
    """Write the ledger template for a township to an .xlsx path or binary file."""
    workbook = Workbook()
    first = workbook.active
    first.title = SHEET_NAMES[DISPUTE]
    second = workbook.create_sheet(SHEET_NAMES[PETITION])
    ranges = _list_ranges(workbook, _lists(book))
    examples = _examples(book)
    _fill_sheet(first, DISPUTE, examples[DISPUTE], ranges)
    _fill_sheet(second, PETITION, examples[PETITION], ranges)
    text_only(workbook)  # a village or type named "=…" is a name, not a formula
    workbook.save(target)
