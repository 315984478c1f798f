"""The ledger's issue-19 columns: 移送来源/移送单位/移送日期, 不予受理理由, 调解不成去向, 协议涉及金额. A file of the first
format (without them) imports as before; the new columns import, export and import again unchanged; a value in the
wrong row is an error for that row."""

from openpyxl import load_workbook

from casetrack.domain import workflow as wf
from casetrack.ledger.exporting import write_xlsx
from casetrack.ledger.format import NOT_ACCEPTED_REASON
from casetrack.ledger.importing import apply_plan, plan_import
from casetrack.services import statistics as stats
from tests.ledger.helpers import (
    DISPUTE_HEADERS,
    YEAR,
    day,
    dispute,
    dispute_by_number,
    ledger,
    remove_all_cases,
    table,
)
from tests.ledger.helpers import (
    write_xlsx as write_sheets,
)

NEW_HEADERS = ["移送来源", "移送单位", "移送日期", "不予受理理由", "调解不成去向", "协议涉及金额"]
FIRST_FORMAT = [h for h in DISPUTE_HEADERS if h not in NEW_HEADERS]

REFERRED = dispute(编号=f"({YEAR})斜调字第50号", 案件来源="委托移送", 移送来源="派出所", 移送单位="城关派出所",
                   移送日期=day(3, 4).isoformat())
AGREED = dispute(编号=f"({YEAR})斜调字第51号", 状态="已调结", 调解结果="调解成功", 协议形式="书面",
                 结案日期=day(3, 10).isoformat(), 协议涉及金额="12,000.50元")
FAILED = dispute(编号=f"({YEAR})斜调字第52号", 状态="已调结", 调解结果="调解不成", 结案日期=day(3, 10).isoformat(),
                 调解不成去向="诉讼、仲裁")
DECLINED_ON_ART_22 = dispute(编号=f"({YEAR})斜调字第53号", 状态="不予受理", 结案日期=day(3, 6).isoformat(),
                             不予受理理由="人民法院、公安机关或者其他行政机关已经受理或者解决的")
DECLINED_IN_OWN_WORDS = dispute(编号=f"({YEAR})斜调字第54号", 状态="不予受理", 结案日期=day(3, 6).isoformat(),
                                不予受理理由="当事人已向县法院起诉")
ROWS = [REFERRED, AGREED, FAILED, DECLINED_ON_ART_22, DECLINED_IN_OWN_WORDS]


def _import(path, world):
    plan = plan_import(path, township=world.township)
    assert plan.ok, [str(e) for e in plan.errors]
    return apply_plan(plan)


def test_a_ledger_of_the_first_format_imports_as_before(world, tmp_path):
    declined = dispute(编号=f"({YEAR})斜调字第60号", 状态="不予受理", 结案日期=day(3, 6).isoformat())
    referred = dispute(编号=f"({YEAR})斜调字第61号", 案件来源="委托移送")
    path = write_sheets(tmp_path / "旧台账.xlsx", {"矛盾纠纷": table(FIRST_FORMAT, [declined, referred])})
    _import(path, world)
    case = dispute_by_number(f"({YEAR})斜调字第60号")
    assert (case.not_accepted_ground, case.not_accepted_reason) == ("other", NOT_ACCEPTED_REASON)
    assert dispute_by_number(f"({YEAR})斜调字第61号").referral_origin is None  # 未注明


def test_the_new_columns_import_into_the_case_and_count_in_the_figures(world, tmp_path):
    _import(ledger(tmp_path / "台账.xlsx", ROWS), world)
    referred = dispute_by_number(f"({YEAR})斜调字第50号")
    assert (referred.referral_origin, referred.referral_body, referred.referral_received_on) == (
        "police", "城关派出所", day(3, 4))
    assert dispute_by_number(f"({YEAR})斜调字第51号").agreement_amount_fen == 1_200_050
    assert dispute_by_number(f"({YEAR})斜调字第52号").channels_told == "引导诉讼、仲裁"  # the old word 诉讼 read
    handled = dispute_by_number(f"({YEAR})斜调字第53号")
    assert (handled.not_accepted_ground, handled.not_accepted_reason) == ("already_handled", None)
    own = dispute_by_number(f"({YEAR})斜调字第54号")
    assert (own.not_accepted_ground, own.not_accepted_reason) == ("other", "当事人已向县法院起诉")

    d = stats.figures(stats.year_period(YEAR), stats.Scope((world.township,)), day(12, 31))["disputes"]
    assert (d["police_docking"], d["agreement_amount"], d["referred_out_litigation"]) == (1, 12000.5, 1)
    assert (d["not_accepted_already_handled"], d["not_accepted_other"]) == (1, 1)


def test_export_writes_the_new_columns_and_imports_again_unchanged(world, tmp_path):
    _import(ledger(tmp_path / "台账.xlsx", ROWS), world)
    exported = tmp_path / "导出.xlsx"
    write_xlsx(exported, world.township, YEAR, day(12, 31))
    sheet = list(load_workbook(exported)["矛盾纠纷"].iter_rows(values_only=True))
    header = list(sheet[0])
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in sheet[1:]}
    assert rows[f"({YEAR})斜调字第50号"]["移送来源"] == "公安"
    assert rows[f"({YEAR})斜调字第51号"]["协议涉及金额"] == "12000.50"
    assert rows[f"({YEAR})斜调字第52号"]["调解不成去向"] == "引导诉讼、仲裁"
    assert rows[f"({YEAR})斜调字第53号"]["不予受理理由"] == wf.NotAcceptedGround.ALREADY_HANDLED.label
    assert rows[f"({YEAR})斜调字第54号"]["不予受理理由"] == "当事人已向县法院起诉"

    again = plan_import(exported, township=world.township)
    assert again.ok, [str(e) for e in again.errors]
    assert again.counts()["dispute"]["update"] == 0, [r.changes for r in again.of("update")]
    remove_all_cases()  # into an empty database: the same cases
    _import(exported, world)
    assert dispute_by_number(f"({YEAR})斜调字第54号").not_accepted_reason == "当事人已向县法院起诉"
    assert dispute_by_number(f"({YEAR})斜调字第50号").referral_origin == "police"


def test_a_value_in_the_wrong_row_is_an_error_for_that_row(world, tmp_path):
    rows = [
        dispute(移送来源="公安"),  # not a 委托移送 case
        dispute(状态="已登记", 协议涉及金额="100"),  # no agreement
        dispute(状态="已调结", 调解结果="调解成功", 协议形式="口头", 结案日期=day(3, 10).isoformat(), 协议涉及金额="-1"),
        dispute(状态="已调结", 调解结果="调解不成", 结案日期=day(3, 10).isoformat(), 调解不成去向="法院"),
        dispute(状态="已登记", 不予受理理由="其他"),  # not declined
        dispute(案件来源="委托移送", 移送来源="公安", 移送日期=day(3, 6).isoformat()),  # after registration (03-05)
    ]
    plan = plan_import(ledger(tmp_path / "台账.xlsx", rows), township=world.township)
    found = {(e.row, e.column): e.message for e in plan.errors}
    assert "只有案件来源为委托移送的案件才填写" in found[(2, "移送来源")]
    assert "只有调解成功、达成协议的案件才有协议涉及金额" in found[(3, "协议涉及金额")]
    assert "金额不能为负数" in found[(4, "协议涉及金额")]
    assert "引导诉讼 / 诉前调解 / 仲裁 / 行政" in found[(5, "调解不成去向")]
    assert "只有不予受理的案件才填写不予受理理由" in found[(6, "不予受理理由")]
    assert "移送日期不能晚于登记日期" in found[(7, "移送日期")]
    assert len(plan.errors) == 6
