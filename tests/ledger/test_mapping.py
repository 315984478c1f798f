"""A township's own ledger: variant headers and values read as the format's, unknown ones mapped with --map."""

from casetrack.models import Dispute, Petition
from tests.ledger.helpers import count, day, dispute_by_number, write_csv, write_xlsx

# A clerk's own ledger: none of the headers is the format's own, values written the township's way.
CLERK_HEADERS = ["序号", "受理时间", "村别", "纠纷类型", "案件来源", "当事人", "被申请人", "纠纷简要情况", "状态",
                 "调处结果", "协议形式", "办结时间"]
CLERK_ROWS = [
    [1, day(3, 5).isoformat(), "斜沟村", "邻里纠纷", "当事人申请", "张三", "李四", "因院墙占道发生争执", "已结",
     "成功", "书面协议", day(3, 20).isoformat()],
    [2, day(4, 2).isoformat(), "王家庄", "合同", "排查发现", "王五", "", "欠款不还", "已调结", "调解失败", "",
     day(4, 28).isoformat()],
    [3, day(5, 9).isoformat(), "斜沟村", "邻里", "申请", "赵六", "", "宅基地界线不清", "正在调解", "", "", ""],
]


def run(runner, *args):
    """Import into 斜沟乡 (the test world has more than one township)."""
    assert args[0] == "import"
    return runner.invoke(args=["ledger", "import", "--township", "斜沟乡", *map(str, args[1:])])


def clerk_ledger(path, headers=CLERK_HEADERS, rows=CLERK_ROWS):
    return write_xlsx(path, {"2025年台账": [["斜沟乡矛盾纠纷排查调处台账"], headers, *rows]})


def test_a_ledger_with_the_clerks_own_headers_and_values_imports_without_a_map(runner, world, tmp_path):
    result = run(runner, "import", clerk_ledger(tmp_path / "台账.xlsx"))
    assert result.exit_code == 0, result.output
    assert "列“受理时间”按“登记日期”读取" in result.output
    assert "矛盾纠纷:新建 3 件" in result.output
    disputes = {d.summary: d for d in world_disputes()}
    first = disputes["因院墙占道发生争执"]
    assert (first.registered_on, first.status, first.outcome, first.agreement_form) == (
        day(3, 5), "concluded", "succeeded", "written")
    assert [p.name for p in first.parties if p.side == "applicant"] == ["张三"]
    second = disputes["欠款不还"]
    assert (second.village.name, second.source, second.outcome, second.closed_on) == (
        "王家庄村", "initiative", "failed", day(4, 28))
    assert disputes["宅基地界线不清"].status == "mediating"


def world_disputes():
    from sqlalchemy import select

    from casetrack.extensions import db

    db.session.expire_all()
    return db.session.execute(select(Dispute)).scalars().all()


def test_the_formats_own_header_wins_over_a_variant_of_it(runner, world, tmp_path):
    headers = ["登记日期", "受理时间", "所属村", "纠纷类别", "案件来源", "申请人", "简要案情", "状态"]
    rows = [[day(3, 5).isoformat(), day(3, 9).isoformat(), "斜沟村", "邻里", "当事人申请", "张三", "争执", "已登记"]]
    result = run(runner, "import", write_csv(tmp_path / "l.csv", [headers, *rows]))
    assert result.exit_code == 0, result.output
    assert "未知列“受理时间”,已忽略" in result.output
    assert world_disputes()[0].registered_on == day(3, 5)


UNKNOWN_HEADERS = ["收到日期", "村别", "纠纷类型", "案件来源", "报案人", "事情经过", "状态", "经办人电话"]
UNKNOWN_ROWS = [[day(3, 5).isoformat(), "斜沟村", "邻里", "当事人申请", "张三", "因院墙占道发生争执", "已登记",
                 "13812345678"]]


def test_unknown_headers_are_refused_with_what_is_missing_and_import_with_map_and_ignore(runner, world, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [UNKNOWN_HEADERS, *UNKNOWN_ROWS])
    refused = run(runner, "import", path)
    assert refused.exit_code == 1
    assert "缺少必填列 登记日期、申请人、简要案情" in refused.output
    assert "--map" in refused.output
    assert count(Dispute) == 0

    result = run(runner, "import", path, "--map", "收到日期=登记日期,报案人=申请人", "--map", "事情经过=简要案情",
                 "--ignore", "经办人电话")
    assert result.exit_code == 0, result.output
    assert "经办人电话" not in result.output
    (case,) = world_disputes()
    assert (case.registered_on, case.summary) == (day(3, 5), "因院墙占道发生争执")
    assert [p.name for p in case.parties] == ["张三"]


def test_map_to_a_column_the_format_does_not_have_is_refused(runner, world, tmp_path):
    path = write_csv(tmp_path / "台账.csv", [UNKNOWN_HEADERS, *UNKNOWN_ROWS])
    result = run(runner, "import", path, "--map", "收到日期=收到日期")
    assert result.exit_code == 1
    assert "“收到日期”不是台账格式的列名" in result.output
    assert count(Dispute) == 0


def test_an_unknown_value_is_an_error_for_its_row_and_nothing_is_half_saved(runner, world, tmp_path):
    rows = [list(CLERK_ROWS[0]), list(CLERK_ROWS[1])]
    rows[1][9] = "调解没成"  # nobody's known variant
    result = run(runner, "import", clerk_ledger(tmp_path / "台账.xlsx", rows=rows))
    assert result.exit_code == 1
    assert "“调解结果”列,值“调解没成”:应为 调解成功 / 调解不成 / 终止 之一" in result.output
    assert count(Dispute) == 0 and count(Petition) == 0


def test_petition_variants_read_their_own_way(runner, world, tmp_path):
    headers = ["来访时间", "信访方式", "信访人姓名", "信访人数", "信访类别", "信访事项", "信访层级", "受理情况", "受理时间"]
    rows = [[day(3, 5).isoformat(), "来信", "赵大民", 2, "村务管理", "反映补偿款未发放", "乡", "受理",
             day(3, 8).isoformat()]]
    result = run(runner, "import", write_xlsx(tmp_path / "信访.xlsx", {"信访": [headers, *rows]}))
    assert result.exit_code == 0, result.output
    assert "信访:新建 1 件" in result.output


def test_variants_keep_the_tidy_ledger_unchanged(runner, world, tmp_path):
    result = run(runner, "import", clerk_ledger(tmp_path / "台账.xlsx"))
    assert result.exit_code == 0
    again = run(runner, "import", clerk_ledger(tmp_path / "台账.xlsx"))
    assert again.exit_code == 0, again.output
    assert "新建 0 件,更新 0 件,无变化 3 件" in again.output
    assert dispute_by_number(world_disputes()[0].number)


def test_map_also_maps_a_value_of_a_column(runner, world, tmp_path):
    rows = [list(CLERK_ROWS[0])]
    rows[0][8] = "已调处"
    path = clerk_ledger(tmp_path / "台账.xlsx", rows=rows)
    assert run(runner, "import", path).exit_code == 1
    wrong = run(runner, "import", path, "--map", "状态:已调处=办完了")
    assert wrong.exit_code == 1 and "“办完了”不是“状态”列的取值" in wrong.output
    result = run(runner, "import", path, "--map", "状态:已调处=已调结")
    assert result.exit_code == 0, result.output
    assert world_disputes()[0].status == "concluded"
