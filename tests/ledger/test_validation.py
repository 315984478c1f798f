"""Every check a ledger row goes through, each reported in Chinese with sheet, row, column, value and reason."""


import pytest

from casetrack.ledger.format import parse_bool, parse_date
from casetrack.ledger.importing import plan_import
from casetrack.services import places
from tests import days
from tests.ledger.helpers import (
    DISPUTE_HEADERS,
    YEAR,
    day,
    dispute,
    ledger,
    petition,
    table,
    write_csv,
    write_xlsx,
)

CLOSED = {"状态": "已调结", "调解结果": "调解成功", "协议形式": "书面", "结案日期": day(3, 9).isoformat()}

DISPUTE_CASES = {
    "unknown village": ({"所属村": "月亮村"}, "所属村", "月亮村", "斜沟乡没有这个行政村"),
    "natural village of another village": ({"自然村": "后庄"}, "自然村", "后庄", "斜沟村没有这个自然村"),
    "unknown type": ({"纠纷类别": "外星纠纷"}, "纠纷类别", "外星纠纷", "不是本乡镇的纠纷类别"),
    "no such day": ({"登记日期": f"{YEAR}-02-30"}, "登记日期", f"{YEAR}-02-30", "日期不存在"),
    "not a date": ({"登记日期": "去年春天"}, "登记日期", "去年春天", "不是有效日期"),
    "date in the future": ({"登记日期": days.TOMORROW}, "登记日期", days.TOMORROW, "不能晚于今天"),
    "close before registration": ({**CLOSED, "结案日期": day(3, 1).isoformat()}, "结案日期", day(3, 1).isoformat(),
                                  "结案日期不能早于登记日期"),
    "concluded without close date": ({**CLOSED, "结案日期": None}, "结案日期", None, "状态为“已调结”时必须填写结案日期"),
    "concluded without result": ({**CLOSED, "调解结果": None, "协议形式": None}, "调解结果", None,
                                 "状态为“已调结”时必须填写调解结果"),
    "open case with a close date": ({"状态": "调解中", "结案日期": day(3, 9).isoformat()}, "结案日期", None,
                                    "尚未结案,不应有结案日期"),
    "open case with a result": ({"状态": "调解中", "调解结果": "终止"}, "调解结果", "终止", "还没有调解结果"),
    "success without agreement form": ({**CLOSED, "协议形式": None}, "协议形式", None, "调解成功时必须填写协议形式"),
    "agreement form on a failed mediation": ({**CLOSED, "调解结果": "调解不成"}, "协议形式", "书面",
                                             "“调解不成”的案件没有调解协议,不能填写协议形式"),
    "return visit after a failure": ({**CLOSED, "状态": "已回访", "调解结果": "终止", "协议形式": None}, "状态", "已回访",
                                     "只有调解成功、达成协议的案件才需要回访履行情况"),
    "performance without agreement": ({**CLOSED, "调解结果": "调解不成", "协议形式": None, "履行情况": "已履行"},
                                      "履行情况", "已履行", "只有调解成功、达成协议的案件才有履行情况"),
    "unknown status": ({"状态": "进行中"}, "状态", "进行中", "应为 已登记 / 已受理 / 不予受理"),
    "people not a number": ({"涉及人数": "三个"}, "涉及人数", "三个", "应为整数"),
    "no people": ({"涉及人数": 0}, "涉及人数", "0", "不能小于1"),
    "yes-no neither": ({"防止民转刑": "可能"}, "防止民转刑", "可能", "应为“是”或“否”"),
    "required cell blank": ({"申请人": None}, "申请人", None, "必填,不能为空"),
    "unknown township": ({"乡镇": "西山乡"}, "乡镇", "西山乡", "乡镇不存在"),
    "other township": ({"乡镇": "东岭乡"}, "乡镇", "东岭乡", "本次只导入斜沟乡的台账"),
    "name too long": ({"申请人": "张" * 61}, "申请人", None, "超过60个字"),
    "bad ID check digit": ({"申请人": "李四、张三(110105194912310021)"}, "申请人", "李四、张三(110105194912310021)",
                           "张三的身份证号码校验位不正确"),
}


def _only_error(plan):
    assert len(plan.errors) == 1, [str(e) for e in plan.errors]
    return plan.errors[0]


@pytest.mark.parametrize("case", DISPUTE_CASES, ids=list(DISPUTE_CASES))
def test_each_dispute_error_names_sheet_row_column_value_and_reason(world, tmp_path, case):
    cells, column, value, reason = DISPUTE_CASES[case]
    cells, value = days.resolved(cells), days.resolve(value)
    path = ledger(tmp_path / "l.xlsx", [dispute(), dispute(**cells)])
    plan = plan_import(path, township=world.township)
    error = _only_error(plan)
    assert (error.sheet, error.row, error.column) == ("矛盾纠纷", 3, column)
    if value is not None:
        assert error.value == value
    assert reason in error.message
    assert str(error).startswith(f"工作表“矛盾纠纷” 第3行 “{column}”列")
    assert [r.row for r in plan.rows] == [2]


PETITION_CASES = {
    "unknown repeat number": ({"重复信访": "(2020)斜信字第99号"}, "重复信访", "信访事项不存在"),
    "extension without approver": ({"受理情况": "受理", "受理日期": day(3, 6).isoformat(), "延期天数": 10},
                                   "延期批准人", "延期须经领导批准,请填写延期批准人"),
    "approver who is no leader": ({"受理情况": "受理", "受理日期": day(3, 6).isoformat(), "延期天数": 10,
                                   "延期批准人": "刘明"}, "延期批准人", "不是本乡镇领导的账号姓名"),
    "extension over 30 days": ({"延期天数": 31}, "延期天数", "不能大于30"),
    "decision without date": ({"受理情况": "受理"}, "受理日期", "受理情况为“受理”时必须填写受理日期"),
    "decided before received": ({"受理情况": "转送", "受理日期": day(3, 1).isoformat()}, "受理日期",
                                "受理日期不能早于登记日期"),
    "answer without opinion": ({"受理情况": "受理", "受理日期": day(3, 6).isoformat(),
                                "办结日期": day(4, 1).isoformat()}, "处理意见", "填写了办结日期时必须填写处理意见"),
    "opinion on a refused petition": ({"受理情况": "不予受理", "受理日期": day(3, 6).isoformat(),
                                       "办结日期": day(4, 1).isoformat(), "处理意见": "支持"}, "办结日期",
                                      "受理情况为“不予受理”的信访事项不出具处理意见"),
    "answered before accepted": ({"受理情况": "受理", "受理日期": day(3, 6).isoformat(),
                                  "办结日期": day(3, 5).isoformat(), "处理意见": "支持"}, "办结日期",
                                 "办结日期不能早于受理日期"),
    "rating before an answer": ({"满意度": "满意"}, "满意度", "出具处理意见后才能评价满意度"),
    "unknown channel": ({"信访形式": "微信"}, "信访形式", "应为 网上 / 来信 / 来电 / 传真 / 来访 之一"),
    "unknown category": ({"事项类别": "天气"}, "事项类别", "不是本乡镇的信访事项类别"),
}


@pytest.mark.parametrize("case", PETITION_CASES, ids=list(PETITION_CASES))
def test_each_petition_error_names_sheet_row_column_and_reason(world, tmp_path, case):
    cells, column, reason = PETITION_CASES[case]
    plan = plan_import(ledger(tmp_path / "l.xlsx", petitions=[petition(**cells)]), township=world.township)
    error = _only_error(plan)
    assert (error.sheet, error.row, error.column) == ("信访", 2, column)
    assert reason in error.message


def test_duplicate_numbers_in_one_file_are_refused(world, tmp_path):
    number = f"({YEAR})斜调字第1号"
    plan = plan_import(ledger(tmp_path / "l.xlsx", [dispute(编号=number), dispute(编号=number.replace("(", "("))]),
                       township=world.township)
    assert "编号与本表第2行重复" in str(_only_error(plan))


def test_a_missing_required_column_is_named(world, tmp_path):
    headers = [h for h in DISPUTE_HEADERS if h != "简要案情"]
    plan = plan_import(write_xlsx(tmp_path / "l.xlsx", {"矛盾纠纷": table(headers, [dispute()])}),
                       township=world.township)
    assert str(_only_error(plan)) == "工作表“矛盾纠纷”:找不到表头行:缺少必填列 简要案情"


def test_a_header_given_twice_is_refused(world, tmp_path):
    rows = table([*DISPUTE_HEADERS, "备注"], [dispute()])
    plan = plan_import(write_xlsx(tmp_path / "l.xlsx", {"矛盾纠纷": rows}), township=world.township)
    assert "“备注”列:表头重复出现" in str(_only_error(plan))


def test_rows_without_township_need_one_when_there_are_several(world, tmp_path):
    rows = table([h for h in DISPUTE_HEADERS if h != "乡镇"], [dispute()])
    plan = plan_import(write_csv(tmp_path / "l.csv", rows))
    assert "数据库中有多个乡镇" in str(_only_error(plan))
    assert plan_import(write_csv(tmp_path / "l.csv", rows), township=world.township).ok


def test_old_xls_files_are_refused_with_advice(world, tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    assert "另存为 .xlsx" in str(_only_error(plan_import(path)))


def test_a_township_with_local_types_accepts_them(world, tmp_path):
    places.add_dispute_type(world.township, "村务管理")
    assert plan_import(ledger(tmp_path / "l.xlsx", [dispute(纠纷类别="村务管理")]), township=world.township).ok


@pytest.mark.parametrize("cell", ["2024-03-05", "2024/3/5", "2024年3月5日", "２０２４年３月５日", " 2024.03.05 ",
                                  "2024-03-05 00:00:00"])
def test_dates_in_every_hand_kept_form(cell):
    assert parse_date(cell).isoformat() == "2024-03-05"


@pytest.mark.parametrize(("cell", "value"), [("是", True), ("否", False), ("√", True), ("×", False), ("Y", True),
                                             ("n", False), ("1", True), (0, False), (True, True), ("Ｙ", True)])
def test_yes_and_no_in_every_hand_kept_form(cell, value):
    assert parse_bool(cell) is value
