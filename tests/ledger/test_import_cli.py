"""The ledger commands: template → fill → import, untidy ledgers, encodings, dry run, all-or-nothing, re-import."""

from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import CaseCounter, CaseEvent, Dispute, Petition
from casetrack.services import disputes as dispute_services
from casetrack.services import time_limits
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests.ledger.helpers import (
    DISPUTE_HEADERS,
    YEAR,
    count,
    day,
    dispute,
    dispute_by_number,
    events_of,
    ledger,
    petition,
    petition_by_number,
    table,
    write_csv,
    write_xlsx,
)


def run(runner, *args):
    return runner.invoke(args=["ledger", *map(str, args)])


def test_template_filled_in_imports_its_rows_and_skips_the_example(runner, world, tmp_path):
    path = tmp_path / "模板.xlsx"
    result = run(runner, "template", "-o", path, "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    workbook = load_workbook(path)
    sheet = workbook["矛盾纠纷"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["序号", *DISPUTE_HEADERS]
    assert sheet.cell(row=2, column=1).value == "示例"
    lists = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
             for dv in sheet.data_validations.dataValidation}
    village_letter = sheet.cell(row=1, column=headers.index("所属村") + 1).column_letter
    hidden = workbook["下拉选项"]
    assert hidden.sheet_state == "hidden"
    list_column = lists[village_letter].split("!")[1].split(":")[0].replace("$", "").rstrip("0123456789")
    assert [hidden[f"{list_column}{r}"].value for r in (2, 3)] == ["斜沟村", "王家庄村"]
    assert "已调结" in [hidden.cell(row=r, column=c).value for c in range(1, 40) for r in range(2, 10)]

    def fill(name, row_number, cells):
        target = workbook[name]
        names = [c.value for c in target[1]]
        for header, value in cells.items():
            target.cell(row=row_number, column=names.index(header) + 1, value=value)

    fill("矛盾纠纷", 3, {"乡镇": "斜沟乡", "所属村": "王家庄村", "自然村": "后庄", "登记日期": day(4, 1),
                       "纠纷类别": "合同", "案件来源": "主动调解", "申请人": "王五", "简要案情": "欠款不还",
                       "状态": "调解中", "调解员": "王调解"})
    fill("信访", 3, {"乡镇": "斜沟乡", "登记日期": day(4, 2), "信访形式": "来访", "信访人": "赵大民、钱二",
                   "人数": 2, "事项类别": "村务管理", "诉求摘要": "反映账目不公开", "到达层级": "乡"})
    workbook.save(path)

    result = run(runner, "import", path, "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    assert "矛盾纠纷:新建 1 件" in result.output and "信访:新建 1 件" in result.output
    case = db.session.execute(select(Dispute)).scalar_one()
    assert (case.village.name, case.natural_village.name, case.dispute_type.name) == ("王家庄村", "后庄", "合同")
    assert case.status == "mediating" and case.accepted_on == day(4, 1)
    assert [u.full_name for u in case.mediators] == ["王调解"]
    assert case.number == f"({YEAR})斜调字第1号"
    assert chinese_sentence(events_of(case)[0]).startswith("由台账导入")
    matter = db.session.execute(select(Petition)).scalar_one()
    assert [p.name for p in matter.petitioners] == ["赵大民", "钱二"] and matter.status == "registered"


def test_untidy_hand_kept_ledger_imports_as_it_is(runner, world, tmp_path):
    rows = [
        ["斜沟乡2024年矛盾纠纷排查调处台账"],
        ["填报单位:斜沟乡人民调解委员会", None, None, "填报日期:", "2024年12月31日"],
        [],
        ["序号", "编 号", " 所属村 ", "登记\n日期", "纠纷类别", "案件来源", "申请人", "被申请人", "简要案情",
         "状态", "调解结果", "协议形式", "结案日期", "防止民转刑", "联系电话"],
        [1, None, "\u3000斜沟村 ", f"{YEAR}/3/5", "邻里纠纷", "当事人申请", "张三、李四", "王五", "院墙占道",
         "已调结", "调解成功", "口头", f"{YEAR}年3月9日", "√", "13812345678"],
        [],
        [2, None, "王家庄", date(YEAR, 3, 6), " 合同 ", "主动调解", "赵六;钱七", None, "欠款",
         "调解中", None, None, None, "×", None],
        [None, None, None, None, None, None, None, None, None, None],
        [3, None, "斜沟村", f"{YEAR}-０３-０７".translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
         "婚姻家庭", "当事人申请", "孙八", None, "离婚财产", "不予受理", None, None, f"{YEAR}.3.8", "N", None],
        ["合计", "3件"],
        ["填表人:刘明", None, None, "审核人:李书记"],
    ]
    path = write_xlsx(tmp_path / "手工台账.xlsx", {"2024年台账": rows})
    result = run(runner, "import", path, "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    assert "表头在第4行" in result.output and "未知列“联系电话”" in result.output
    cases = db.session.execute(select(Dispute).order_by(Dispute.id)).scalars().all()
    assert [c.registered_on for c in cases] == [day(3, 5), day(3, 6), day(3, 7)]
    assert [c.village.name for c in cases] == ["斜沟村", "王家庄村", "斜沟村"]
    assert [c.dispute_type.name for c in cases] == ["邻里", "合同", "婚姻家庭"]
    assert [p.name for p in cases[0].applicants] == ["张三", "李四"]
    assert [p.name for p in cases[1].applicants] == ["赵六", "钱七"]
    assert cases[0].closed_on == day(3, 9) and cases[0].prevented_criminal is True
    assert cases[0].prevented_criminal_persons == 3  # the people involved: the ledger has no count of its own
    assert cases[2].status == "not_accepted" and cases[2].closed_on == day(3, 8)


def _csv_rows():
    return table(DISPUTE_HEADERS, [dispute(申请人="张三丰", 简要案情="宅基地界址不清")])


def test_utf8_csv_with_bom_imports(runner, world, tmp_path):
    path = write_csv(tmp_path / "台账.csv", _csv_rows(), "utf-8-sig")
    result = run(runner, "import", path)
    assert result.exit_code == 0, result.output
    assert dispute_by_number(f"({YEAR})斜调字第1号").applicants[0].name == "张三丰"


def test_utf8_csv_without_bom_imports(runner, world, tmp_path):
    path = write_csv(tmp_path / "台账.csv", _csv_rows(), "utf-8")
    assert run(runner, "import", path).exit_code == 0
    assert dispute_by_number(f"({YEAR})斜调字第1号").summary == "宅基地界址不清"


def test_gb18030_csv_as_chinese_excel_saves_it_imports(runner, world, tmp_path):
    rows = table(["编号", "乡镇", "登记日期", "信访形式", "信访人", "人数", "事项类别", "诉求摘要", "到达层级"],
                 [petition(编号=f"({YEAR})斜信字第5号", 信访人="䶮龘")])
    path = write_csv(tmp_path / "信访.csv", rows, "gb18030")
    assert path.read_bytes().decode("gb18030") and not _is_utf8(path.read_bytes())
    result = run(runner, "import", path)
    assert result.exit_code == 0, result.output
    assert petition_by_number(f"({YEAR})斜信字第5号").petitioners[0].name == "䶮龘"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_dry_run_writes_nothing(runner, world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(), dispute(编号=f"({YEAR})斜调字第9号")], [petition()])
    result = run(runner, "import", path, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "矛盾纠纷:新建 2 件" in result.output and "试运行" in result.output
    assert (count(Dispute), count(Petition), count(CaseEvent), count(CaseCounter)) == (0, 0, 0, 0)


def test_one_bad_row_means_nothing_is_imported(runner, world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(), dispute(所属村="不存在村")], [petition()])
    result = run(runner, "import", path)
    assert result.exit_code == 1
    assert "工作表“矛盾纠纷” 第3行 “所属村”列,值“不存在村”:斜沟乡没有这个行政村" in result.output
    assert "未导入任何内容" in result.output
    assert (count(Dispute), count(Petition), count(CaseEvent), count(CaseCounter)) == (0, 0, 0, 0)


def test_valid_only_imports_the_good_rows_and_reports_the_others(runner, world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(), dispute(状态="已调结")], [petition()])
    result = run(runner, "import", path, "--valid-only")
    assert result.exit_code == 1
    assert "状态为“已调结”时必须填写结案日期" in result.output and "已跳过" in result.output
    assert (count(Dispute), count(Petition)) == (1, 1)


def test_reimporting_the_same_file_changes_nothing(runner, world, tmp_path):
    rows = [dispute(编号=f"({YEAR})斜调字第3号", 状态="已调结", 调解结果="调解成功", 协议形式="书面",
                    结案日期=day(3, 20).isoformat(), 调解员="王调解、老李", 备注="双方已握手言和"),
            dispute(申请人="无编号")]
    path = ledger(tmp_path / "l.xlsx", rows, [petition(受理情况="受理", 受理日期=day(3, 6).isoformat())])
    assert run(runner, "import", path).exit_code == 0
    before = [(d.number, d.version) for d in db.session.execute(select(Dispute).order_by(Dispute.id)).scalars()]
    events = count(CaseEvent)
    result = run(runner, "import", path)
    assert result.exit_code == 0, result.output
    assert "矛盾纠纷:新建 0 件,更新 0 件,无变化 2 件" in result.output
    assert "信访:新建 0 件,更新 0 件,无变化 1 件" in result.output
    db.session.expire_all()
    after = [(d.number, d.version) for d in db.session.execute(select(Dispute).order_by(Dispute.id)).scalars()]
    assert after == before and count(CaseEvent) == events


def test_changed_row_updates_its_case_and_says_what_changed(runner, world, tmp_path):
    number = f"({YEAR})斜调字第3号"
    path = ledger(tmp_path / "l.xlsx", [dispute(编号=number, 状态="调解中", 备注="初次调解")])
    assert run(runner, "import", path).exit_code == 0
    changed = ledger(tmp_path / "l2.xlsx", [dispute(编号=number, 状态="已调结", 调解结果="调解成功", 协议形式="书面",
                                                  结案日期=day(3, 25).isoformat(), 履行情况="已履行",
                                                  备注="达成协议")])
    result = run(runner, "import", changed)
    assert result.exit_code == 0, result.output
    assert "更新 1 件" in result.output and "状态 调解中 → 已调结" in result.output
    case = dispute_by_number(number)
    assert (case.status, case.outcome, case.agreement_form, case.closed_on, case.performance) == (
        "concluded", "succeeded", "written", day(3, 25), "performed")
    last = events_of(case)[-1]
    assert last.action == "ledger_update" and chinese_sentence(last).startswith("由台账更新(")
    assert last.params["row"] and last.changes["status"] == ["调解中", "已调结"]
    assert chinese_changes(last)["备注"] == ["初次调解", "达成协议"] and case.remarks == "达成协议"
    assert case.due_on == time_limits.current_dispute_deadline(case).due  # the follow-up visit now binds


def test_an_outcome_changed_by_the_ledger_leaves_none_of_the_former_outcomes_fields(runner, world, tmp_path):
    """调解成功 recorded with its agreement, then the ledger says 调解不成: the agreement's fields the ledger does not
    hold are emptied (an outcome carries none of another's, wf.OUTCOME_FIELDS) and the timeline says so."""
    number = f"({YEAR})斜调字第4号"
    succeeded = {"状态": "已调结", "调解结果": "调解成功", "协议形式": "书面", "结案日期": day(3, 25).isoformat()}
    assert run(runner, "import", ledger(tmp_path / "a.xlsx", [dispute(编号=number, **succeeded)])).exit_code == 0
    case = dispute_by_number(number)
    case.agreement_terms, case.agreement_facts = "张三于四月底前拆除占道院墙", "院墙占道三十公分"
    case.performance_manner, case.performance_deadline, case.agreement_copies = "自行拆除", day(4, 30), 3
    db.session.commit()
    failed = {**succeeded, "调解结果": "调解不成", "协议形式": None, "调解不成去向": "诉讼"}
    result = run(runner, "import", ledger(tmp_path / "b.xlsx", [dispute(编号=number, **failed)]))
    assert result.exit_code == 0, result.output
    case = dispute_by_number(number)
    assert (case.outcome, case.agreement_form, case.channels_told) == ("failed", None, "引导诉讼")
    assert (case.agreement_terms, case.agreement_facts, case.performance_manner, case.performance_deadline,
            case.agreement_copies) == (None, None, None, None, None)
    changes = chinese_changes(events_of(case)[-1])
    assert changes["协议内容"] == ["张三于四月底前拆除占道院墙", None]
    assert changes["履行期限"] == [day(4, 30).isoformat(), None] and changes["协议份数"] == [3, None]
    assert changes["调解结果"] == ["调解成功", "调解不成"]
    again = run(runner, "import", ledger(tmp_path / "c.xlsx", [dispute(编号=number, **failed)]))
    assert again.exit_code == 0 and "更新 1 件" not in again.output  # the same row again changes nothing


def test_ledger_cannot_move_a_case_back_or_change_an_archived_one(runner, world, tmp_path):
    number = f"({YEAR})斜调字第3号"
    closed = {"调解结果": "调解不成", "结案日期": day(3, 25).isoformat()}
    assert run(runner, "import", ledger(tmp_path / "a.xlsx", [dispute(编号=number, 状态="已调结", **closed)])).exit_code == 0
    result = run(runner, "import", ledger(tmp_path / "b.xlsx", [dispute(编号=number, 状态="调解中",
                                                                       调解结果=None, 结案日期=None)]))
    assert result.exit_code == 1 and "案件当前为“已调结”,不能改回“调解中”" in result.output
    assert run(runner, "import", ledger(tmp_path / "c.xlsx", [dispute(编号=number, 状态="已归档", **closed)])).exit_code == 0
    result = run(runner, "import", ledger(tmp_path / "d.xlsx", [dispute(编号=number, 状态="已归档", 备注="补记", **closed)]))
    assert result.exit_code == 1 and "已归档,不能通过台账修改" in result.output


def test_blank_numbers_follow_imported_ones_and_hand_registration_follows_both(runner, world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(编号=f"({YEAR})斜调字第7号"), dispute(申请人="甲"), dispute(申请人="乙")])
    assert run(runner, "import", path).exit_code == 0
    numbers = sorted(d.number for d in db.session.execute(select(Dispute)).scalars())
    assert numbers == sorted(f"({YEAR})斜调字第{n}号" for n in (7, 8, 9))
    intake = dispute_services.DisputeIntake(
        village_id=world.village.id, dispute_type_id=dispute_by_number(numbers[0]).dispute_type_id,
        source=dispute_services.wf.Source.APPLICATION, registered_on=day(5, 1), summary="手工登记",
        parties=[dispute_services.PartyData(dispute_services.wf.PartySide.APPLICANT, "丙")],
    )
    by_hand = dispute_services.register_dispute(world.staff, intake, clock.today())
    assert by_hand.number == f"({YEAR})斜调字第10号"


def test_a_blank_numbered_row_importing_again_is_not_registered_twice(runner, world, tmp_path):
    path = ledger(tmp_path / "l.xlsx", [dispute(申请人="张三、李四")], [petition()])
    assert run(runner, "import", path).exit_code == 0
    result = run(runner, "import", path)
    assert "无变化 1 件" in result.output
    assert (count(Dispute), count(Petition)) == (1, 1)


def test_repeat_petitions_link_to_the_first_on_the_matter(runner, world, tmp_path):
    first, second, third = (f"({YEAR})斜信字第{n}号" for n in (1, 2, 3))
    rows = [petition(编号=third, 重复信访=second, 登记日期=day(3, 9).isoformat()),
            petition(编号=first), petition(编号=second, 重复信访=first, 登记日期=day(3, 7).isoformat())]
    result = run(runner, "import", ledger(tmp_path / "l.xlsx", petitions=rows))
    assert result.exit_code == 0, result.output
    assert petition_by_number(third).repeat_of.number == first
    assert petition_by_number(second).repeat_of.number == first
    assert "无变化 3 件" in run(runner, "import", ledger(tmp_path / "l.xlsx", petitions=rows)).output


def test_imported_cases_carry_the_limits_hand_entered_ones_do(runner, world, tmp_path):
    rows = [dispute(编号="A1", 状态="已受理"), dispute(编号="A2", 状态="已调结", 调解结果="调解成功", 协议形式="口头",
                                                    结案日期=day(3, 9).isoformat())]
    matters = [petition(编号="B1"), petition(编号="B2", 受理情况="受理", 受理日期=day(3, 6).isoformat(), 延期天数=10,
                                            延期批准人="leader")]
    assert run(runner, "import", ledger(tmp_path / "l.xlsx", rows, matters)).exit_code == 0
    for number in ("A1", "A2"):
        case = dispute_by_number(number)
        assert case.due_on is not None and case.due_on == time_limits.current_dispute_deadline(case).due
    registered, accepted = petition_by_number("B1"), petition_by_number("B2")
    assert registered.due_on == time_limits.current_petition_deadline(registered).due
    assert accepted.opinion_due_on == time_limits.opinion_deadline(accepted).due == day(3, 6).replace(
        month=5, day=15)  # 60 + 10 days after 6 March
    assert accepted.extension_approved_by_id == world.leader.id and accepted.status == "accepted"


def test_an_id_number_written_after_a_name_is_checked_and_kept(runner, world, tmp_path):
    rows = [dispute(编号="A1", 申请人="张三(11010519491231002X)、李四", 被申请人="王五(１１０１０５１９４９１２３１００２ｘ)")]
    matters = [petition(编号="B1", 信访人="赵大民(11010519491231002X)")]
    result = run(runner, "import", ledger(tmp_path / "l.xlsx", rows, matters))
    assert result.exit_code == 0, result.output
    case = dispute_by_number("A1")
    assert [(p.name, p.id_number) for p in case.parties] == [
        ("张三", "11010519491231002X"), ("李四", None), ("王五", "11010519491231002X")]
    assert petition_by_number("B1").petitioners[0].id_number == "11010519491231002X"
    assert "无变化 1 件" in run(runner, "import", ledger(tmp_path / "l.xlsx", rows, matters)).output


def test_a_blank_numbered_row_is_not_matched_to_a_case_the_file_names_itself(runner, world, tmp_path):
    number = f"({YEAR})斜调字第7号"
    assert run(runner, "import", ledger(tmp_path / "a.xlsx", [dispute(编号=number)])).exit_code == 0
    result = run(runner, "import", ledger(tmp_path / "b.xlsx", [dispute(编号=number), dispute()]))
    assert result.exit_code == 0, result.output
    assert "新建 1 件,更新 0 件,无变化 1 件" in result.output and count(Dispute) == 2
