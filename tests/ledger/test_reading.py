"""Reading .xlsx ledgers: calamine and openpyxl give the same plan, cell type by cell type; files calamine would
read differently, or whose used rectangle would be huge, are left to openpyxl."""

import zipfile
from datetime import date, datetime, time

import pytest
from openpyxl import Workbook

from casetrack.ledger import xlsx
from casetrack.ledger.importing import plan_import
from tests.ledger.helpers import (
    DISPUTE_HEADERS,
    PETITION_HEADERS,
    YEAR,
    day,
    dispute,
    ledger,
    petition,
    table,
    write_csv,
)


def _outcome(plan) -> tuple:
    """What a plan says, in comparable form: every row's values and action, every error, every notice."""
    rows = [(r.kind, r.sheet, r.row, r.action, tuple(r.values)) for r in plan.rows]
    return rows, [str(e) for e in plan.errors], plan.notices


def _plan_with_openpyxl(monkeypatch, path, **kwargs):
    with monkeypatch.context() as patched:
        patched.setattr(xlsx, "_calamine_can_read", lambda _path: False)
        return plan_import(path, **kwargs)


def _untidy_workbook(path):
    """A hand-kept ledger with every kind of cell value, written the way Excel users leave them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = workbook.create_sheet("矛盾纠纷")
    # title and note rows above the header, a merged title, and the table starting in column B of row 5
    sheet["B2"] = "斜沟乡矛盾纠纷排查调处台账"
    sheet.merge_cells("B2:J2")
    sheet["B3"] = "填报单位:斜沟乡司法所"
    sheet["F3"] = "填报日期:"
    sheet["G3"] = datetime(YEAR, 6, 1)
    headers = ["序号", *DISPUTE_HEADERS]
    headers[headers.index("登记日期")] = "登 记\n日期*"  # spaces, a line break and a required-mark in a header
    for column, header in enumerate(headers, start=2):
        sheet.cell(row=5, column=column, value=header)
    rows = [
        dispute(编号=f"({YEAR})斜调字第7号", 申请人=13812345678, 被申请人="李四\u3000", 涉及人数=3,
                登记日期=datetime(YEAR, 3, 5), 防止民转刑=True, 备注=date(YEAR, 3, 6)),
        dispute(编号=12, 登记日期=date(YEAR, 3, 7), 涉及人数=2.0, 防止民转刑="√", 备注=3.5, 调解员="王五;赵六"),
        dispute(登记日期=45000, 防止群体性上访=1, 备注=datetime(YEAR, 3, 8, 10, 30), 所属村=" 斜沟村 "),
        dispute(登记日期=f"{YEAR}年3月9日", 状态="已调结", 调解结果="调解成功", 协议形式="书面",
                结案日期=datetime(YEAR, 4, 1, 9, 15), 备注=time(9, 30)),
        None,  # a blank row
        dispute(登记日期=datetime(YEAR + 5, 1, 1), 涉及人数=datetime(YEAR, 1, 2), 防止民转刑=2.5),  # errors
        dispute(登记日期="３月", 纠纷类别=7, 申请人="  ", 风险等级=True),  # more errors
        dispute(所属村=None, 申请人="孙七"),  # under a village merged from the row above: blank here
    ]
    for number, row in enumerate(rows, start=1):
        if row is None:
            continue
        at = 5 + number
        sheet.cell(row=at, column=2, value=number)
        for column, header in enumerate(DISPUTE_HEADERS, start=3):
            sheet.cell(row=at, column=column, value=row.get(header))
    sheet.merge_cells(start_row=12, end_row=13, start_column=3 + DISPUTE_HEADERS.index("所属村"),
                      end_column=3 + DISPUTE_HEADERS.index("所属村"))
    sheet.cell(row=15, column=2, value="合计")
    sheet.cell(row=16, column=2, value="填表人:刘明")
    for dated in ("登记日期", "结案日期"):
        for row in range(6, 14):
            sheet.cell(row=row, column=3 + DISPUTE_HEADERS.index(dated)).number_format = "yyyy/m/d"
    petitions = workbook.create_sheet("信访")
    for row in table(PETITION_HEADERS, [petition(人数=2.0, 越级="×", 受理情况="受理", 受理日期=day(3, 6))]):
        petitions.append(row)
    workbook.create_sheet("说明").append(["本表由各村调解员每月填报"])
    hidden = workbook.create_sheet("下拉选项")
    hidden.sheet_state = "hidden"
    hidden.append(["斜沟村"])
    workbook.save(path)
    return path


def test_calamine_reads_an_untidy_ledger_exactly_as_openpyxl_did(world, tmp_path, monkeypatch):
    path = _untidy_workbook(tmp_path / "台账.xlsx")
    assert xlsx._calamine_can_read(path)  # so the plan below is calamine's
    by_calamine = plan_import(path, township=world.township)
    by_openpyxl = _plan_with_openpyxl(monkeypatch, path, township=world.township)
    assert _outcome(by_calamine) == _outcome(by_openpyxl)
    rows = {r.row: r.values for r in by_calamine.rows}
    assert rows[6].applicants == ("13812345678",) and rows[6].respondents == ("李四",)
    assert rows[6].remarks == f"{YEAR}-03-06 00:00:00" and rows[6].prevented_criminal is True
    assert rows[7].number == "12" and rows[7].people_involved == 2 and rows[7].remarks == "3.5"
    assert rows[8].registered_on == date(2023, 3, 15) and rows[8].remarks == f"{YEAR}-03-08 10:30:00"
    assert rows[9].closed_on == day(4, 1) and rows[9].remarks == "09:30:00"
    errors = "\n".join(str(e) for e in by_calamine.errors)
    assert f"第11行 “登记日期”列,值“{YEAR + 5}-01-01T00:00:00”" in errors
    assert f"第11行 “涉及人数”列,值“{YEAR}-01-02T00:00:00”" in errors
    assert "第13行 “所属村”列:必填" in errors
    assert "表头在第5行" in " ".join(by_calamine.notices) and "第15行是表尾说明" in " ".join(by_calamine.notices)
    assert [r.kind for r in by_calamine.rows].count("petition") == 1


def test_casetracks_own_export_is_read_by_calamine(world, tmp_path, monkeypatch):
    path = ledger(tmp_path / "l.xlsx", [dispute(编号=f"({YEAR})斜调字第{n}号") for n in range(1, 30)], [petition()])
    assert xlsx._calamine_can_read(path)
    assert _outcome(plan_import(path, township=world.township)) == _outcome(
        _plan_with_openpyxl(monkeypatch, path, township=world.township))


def _rewrite_sheet(path, change) -> None:
    with zipfile.ZipFile(path) as old:
        parts = {item.filename: old.read(item) for item in old.infolist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = change(parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for part, data in parts.items():
            new.writestr(part, data)


@pytest.mark.parametrize(("cell", "remark"), [
    ('<c r="W2" t="e"><v>#N/A</v></c>', "#N/A"),  # calamine gives error values as blank
    ('<c r="W2"><v>12345678901234567890</v></c>', "12345678901234567890"),  # and long whole numbers as floats
    ('<c r="W2" t="d"><v>2024-03-05T00:00:00</v></c>', "2024-03-05 00:00:00"),
])
def test_cells_calamine_reads_otherwise_send_the_file_to_openpyxl(world, tmp_path, monkeypatch, cell, remark):
    path = ledger(tmp_path / "l.xlsx", [dispute(备注=None)])
    assert DISPUTE_HEADERS.index("备注") == 22  # column W
    _rewrite_sheet(path, lambda xml: xml.replace("</c></row></sheetData>", f"</c>{cell}</row></sheetData>"))
    assert not xlsx._calamine_can_read(path)
    plan = plan_import(path, township=world.township)
    assert plan.ok and plan.rows[0].values.remarks == remark


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "ZZ90000"])
def test_a_stray_value_far_away_is_read_by_openpyxl_instead_of_exhausting_memory(world, tmp_path, far):
    """calamine would build the whole rectangle up to the stray cell: 550 GB for XFD1048576, and abort."""
    path = ledger(tmp_path / "l.xlsx", [dispute()])
    _rewrite_sheet(path, lambda xml: xml.replace(
        "</sheetData>", f'<row r="{far.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{far}" t="inlineStr">'
                        "<is><t>填表人:刘明</t></is></c></row></sheetData>"))
    assert not xlsx._calamine_can_read(path)
    plan = plan_import(path, township=world.township)
    assert plan.ok and len(plan.rows) == 1


@pytest.mark.parametrize("lie", ['<c r="B900000" t="inlineStr"><is><t>x</t></is></c>',  # a cell below its row
                                 '<c t="inlineStr"><is><t>x</t></is></c>',  # a cell calamine places by counting
                                 '<x:c r="B2" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'])
def test_cells_the_scan_cannot_place_send_the_file_to_openpyxl(world, tmp_path, lie):
    path = ledger(tmp_path / "l.xlsx", [dispute()])
    _rewrite_sheet(path, lambda xml: xml.replace("</c></row></sheetData>", f"</c>{lie}</row></sheetData>"))
    assert not xlsx._calamine_can_read(path)


def test_an_escaped_nul_in_a_cell_is_an_error_of_its_row(world, tmp_path):
    """calamine decodes Excel's _x0000_ escape to NUL, which PostgreSQL cannot store."""
    path = ledger(tmp_path / "l.xlsx", [dispute(申请人="张_x0000_三"), dispute(简要案情="第一行_x000D_\n第二行")])
    plan = plan_import(path, township=world.township)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "申请人")]
    assert "空字符" in plan.errors[0].message
    assert plan.rows[0].values.summary == "第一行\r\n第二行"


def test_hidden_characters_in_a_csv_cell_are_row_errors_and_pasted_breaks_become_line_breaks(world, tmp_path):
    """A cell the forms would refuse is refused here too: the case's DOCX and XLSX could not hold it."""
    rows = [dispute(申请人="张\x01三"), dispute(简要案情="因院墙占道\uffff争执"),
            dispute(简要案情="第一行\v第二行\f第三行")]
    path = write_csv(tmp_path / "台账.csv", table(DISPUTE_HEADERS, rows))
    plan = plan_import(path, township=world.township)
    assert [(e.row, e.column) for e in plan.errors] == [(2, "申请人"), (3, "简要案情")]
    assert all("隐藏字符" in e.message for e in plan.errors)
    assert [r.values.summary for r in plan.rows] == ["第一行\n第二行\n第三行"]  # the good row, cleaned


def test_the_cell_budget_counts_every_sheet_of_the_file(world, tmp_path, monkeypatch):
    path = ledger(tmp_path / "l.xlsx", [dispute() for _ in range(9)], [petition() for _ in range(9)])
    # room for both sheets' 10 rows, each as wide as its headers and at least 26 columns
    cells = 10 * (max(26, len(DISPUTE_HEADERS)) + max(26, len(PETITION_HEADERS)))
    monkeypatch.setattr(xlsx, "CALAMINE_CELLS", cells)
    assert xlsx._calamine_can_read(path)
    monkeypatch.setattr(xlsx, "CALAMINE_CELLS", cells - 1)
    assert not xlsx._calamine_can_read(path)
    assert plan_import(path, township=world.township).ok


def test_names_cells_read_alike_are_split_once_and_numbers_keep_their_digits(world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(申请人=True, 调解员="王五、赵六"), dispute(申请人=1, 调解员="王五、赵六"),
                                        dispute(申请人=1.0, 调解员=" 王五、赵六")])
    rows = plan_import(path, township=world.township).rows
    assert [r.values.applicants for r in rows] == [("True",), ("1",), ("1",)]
    assert rows[0].values.mediators == rows[2].values.mediators == ("王五", "赵六")
    assert rows[0].values.mediators is rows[1].values.mediators
