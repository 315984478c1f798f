"""Export: the ledger's columns then the limits; a year exported and imported into an empty database is the same."""

import csv
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.ledger import stored
from casetrack.ledger.exporting import csv_paths, headers
from casetrack.ledger.format import DISPUTE_COLUMNS, PETITION_COLUMNS
from casetrack.ledger.lookups import TownshipBook
from casetrack.models import Dispute, Petition, PetitionCategory
from casetrack.services import petitions as petition_services
from casetrack.services import statistics
from tests.factories import make_dispute
from tests.ledger.helpers import YEAR, day, dispute, ledger, petition, remove_all_cases

EVERY_DISPUTE_COLUMN = dispute(
    编号=f"({YEAR})斜调字第40号", 所属村="王家庄村", 自然村="后庄", 登记日期=day(4, 1).isoformat(), 纠纷类别="山林土地",
    案件来源="委托移送", 调解方式="行政调解", 申请人="甲一、甲二", 被申请人="乙一;乙二", 涉及人数=7,
    简要案情="林地界址争议", 风险等级="重大", 处理层级="乡", 状态="已回访", 调解结果="调解成功", 协议形式="口头",
    结案日期=day(4, 20).isoformat(), 履行情况="部分履行", 调解员="王调解、老李", 防止民转刑="是", 防止群体性上访="是",
    备注="涉及两个自然村",
)
EVERY_PETITION_COLUMN = petition(
    编号=f"({YEAR})斜信字第40号", 所属村="斜沟村", 登记日期=day(4, 2).isoformat(), 信访形式="来访", 信访人="赵一、赵二、赵三",
    人数=6, 事项类别="征地拆迁", 诉求摘要="要求提高补偿标准", 受理情况="交办", 受理日期=day(4, 5).isoformat(),
    到达层级="省", 越级="是", 延期天数=20, 延期批准人="leader", 办结日期=day(6, 20).isoformat(), 处理意见="不支持",
    满意度="不满意", 缠访闹访="是", 备注="已稳控",
)
REPEAT = petition(编号=f"({YEAR})斜信字第41号", 登记日期=day(4, 9).isoformat(), 信访人="赵一", 事项类别="征地拆迁",
                  诉求摘要="再次要求提高补偿", 到达层级="县", 重复信访=f"({YEAR})斜信字第40号")
EXTRAS = [
    dispute(编号="(旧)第3号", 状态="不予受理", 结案日期=day(2, 3).isoformat(), 登记日期=day(2, 1).isoformat()),
    dispute(状态="已归档", 调解结果="调解不成", 结案日期=day(2, 10).isoformat(), 申请人="丁", 登记日期=day(2, 2).isoformat()),
    dispute(状态="调解中", 申请人="戊", 登记日期=day(2, 4).isoformat()),
]


def _hand_entered(world) -> None:
    """Cases entered by hand through the services, in every state a ledger can describe."""
    for n, (state, outcome) in enumerate([("registered", "succeeded"), ("accepted", "succeeded"),
                                          ("not_accepted", "succeeded"), ("mediating", "succeeded"),
                                          ("concluded", "failed"), ("concluded", "ended"), ("visited", "succeeded"),
                                          ("archived", "succeeded"), ("archived", "failed")]):
        make_dispute(world.staff, world.village, state=state, outcome=outcome, registered_on=day(1, 5 + n),
                     level="township" if n % 3 == 0 else "village", risk="serious" if n % 2 else "general")
    category = db.session.execute(select(PetitionCategory).where(
        PetitionCategory.township_id == world.township.id, PetitionCategory.name == "村务管理")).scalar_one()
    today = clock.today()
    for n, steps in enumerate([(), ("accepted",), ("not_accepted",), ("forwarded",), ("accepted", "answered"),
                               ("accepted", "answered", "delivered", "rated")]):
        received = day(1, 10 + n)
        matter = petition_services.register_petition(world.staff, world.township, petition_services.PetitionIntake(
            received_on=received, channel=pw.Channel.LETTER, category_id=category.id, request=f"诉求{n}",
            persons=n + 1, petitioners=[petition_services.PetitionerData(f"信访人{n}")],
        ), today)
        for step in steps:
            if step in ("accepted", "not_accepted", "forwarded"):
                petition_services.decide(matter, world.staff, step, received + timedelta(days=3), today, "理由")
            elif step == "answered":
                petition_services.answer(matter, world.staff, pw.Opinion.SUPPORT, "支持", received + timedelta(days=30),
                                         today)
            elif step == "delivered":
                petition_services.deliver(matter, world.staff, received + timedelta(days=31), today)
            else:
                petition_services.rate(matter, world.staff, wf.Satisfaction.BASICALLY)
    db.session.commit()


def _snapshot(world) -> tuple[dict, dict]:
    """Return every case's ledger values by number, and the year's annual figures."""
    db.session.expire_all()
    book = TownshipBook(world.township)
    values = {}
    for kind, model in (("dispute", Dispute), ("petition", Petition)):
        ids = list(db.session.execute(select(model.id).where(model.township_id == world.township.id)).scalars())
        for case in stored.READERS[kind](book, ids):
            row = case.values._asdict()
            row.pop("township")
            for key in ("applicants", "respondents", "mediators", "petitioners"):
                if key in row:
                    row[key] = sorted(row[key] or ())
            for key in ("village", "natural_village", "dispute_type", "category"):
                if row.get(key) is not None:  # ids stay; the names behind them are the same rows
                    row[key] = book.names_for(key)[row[key]]
            values[(kind, case.values.number)] = (row, case.status if kind == "dispute" else None)
    scope = statistics.Scope((world.township,))
    figures = statistics.figures(statistics.year_period(YEAR), scope, clock.today())
    return values, {"disputes": figures["disputes"], "petitions": figures["petitions"]}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_year_exported_and_imported_into_an_empty_database_is_the_same(runner, world, tmp_path, suffix):
    _hand_entered(world)
    path = ledger(tmp_path / "in.xlsx", [EVERY_DISPUTE_COLUMN, *EXTRAS], [EVERY_PETITION_COLUMN, REPEAT])
    result = runner.invoke(args=["ledger", "import", str(path), "--township", "斜沟乡"])
    assert result.exit_code == 0, result.output
    before, figures_before = _snapshot(world)
    assert len(before) == 9 + 4 + 6 + 2

    output = tmp_path / f"out{suffix}"
    result = runner.invoke(args=["ledger", "export", str(YEAR), "-o", str(output), "--township", "斜沟乡"])
    assert result.exit_code == 0, result.output
    files = [output] if suffix == ".xlsx" else list(csv_paths(output).values())

    for file in files:  # what export writes imports again unchanged
        result = runner.invoke(args=["ledger", "import", str(file), "--township", "斜沟乡", "--dry-run"])
        assert result.exit_code == 0 and "新建 0 件,更新 0 件" in result.output, result.output

    remove_all_cases()
    for file in files:
        result = runner.invoke(args=["ledger", "import", str(file), "--township", "斜沟乡"])
        assert result.exit_code == 0, result.output
    after, figures_after = _snapshot(world)
    assert after == before
    assert figures_after == figures_before
    lead = db.session.execute(select(Petition).where(Petition.number == f"({YEAR})斜信字第40号")).scalar_one()
    assert lead.extension_approved_by_id == world.leader.id and lead.opinion_due_on is not None


def test_export_writes_the_ledger_columns_then_the_limits(runner, world, tmp_path):
    # YEAR moves with the clock, so the limits here are counted plainly (the strict reading); how a date
    # rolls past a holiday, and what the 期限说明 column says then, is tested below on fixed dates
    world.township.settings = {**(world.township.settings or {}), "strict_period_end": True}
    db.session.commit()
    rows = [dispute(编号="D1", 状态="调解中", 登记日期=day(3, 5).isoformat()),
            dispute(编号="D2", 状态="已调结", 调解结果="终止", 结案日期=day(3, 10).isoformat())]
    matters = [petition(编号="P1", 登记日期=day(3, 5).isoformat()),
               petition(编号="P2", 受理情况="受理", 受理日期=day(3, 6).isoformat(), 延期天数=5, 延期批准人="leader",
                        办结日期=day(3, 30).isoformat(), 处理意见="支持")]
    assert runner.invoke(args=["ledger", "import", str(ledger(tmp_path / "l.xlsx", rows, matters))]).exit_code == 0
    output = tmp_path / "台账.xlsx"
    assert runner.invoke(args=["ledger", "export", str(YEAR), "-o", str(output), "--township", "斜沟乡"]).exit_code == 0
    workbook = load_workbook(output)
    sheet = workbook["矛盾纠纷"]
    assert [c.value for c in sheet[1]] == headers("dispute") == [c.header for c in DISPUTE_COLUMNS] + [
        "受理期限", "办结期限", "是否超期", "期限说明"]
    by_number = {r[0]: r[-4:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_number["D1"][0] is None and by_number["D1"][1].date() == day(4, 5) and by_number["D1"][2] == "是"
    assert by_number["D1"][3] == "调解期限:严格计算:期满日遇休息日不顺延(本乡镇设置)"
    assert by_number["D2"][1].date() == day(4, 5) and by_number["D2"][2] == "否"  # concluded within the month
    sheet = workbook["信访"]
    assert [c.value for c in sheet[1]][:len(PETITION_COLUMNS)] == [c.header for c in PETITION_COLUMNS]
    by_number = {r[0]: r[-4:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_number["P1"][0].date() == day(3, 20) and by_number["P1"][1] is None and by_number["P1"][2] == "是"
    assert by_number["P2"][0].date() == day(3, 20) and by_number["P2"][1].date() == day(3, 6) + timedelta(days=65)
    assert by_number["P2"][2] == "否"
    assert by_number["P2"][3] == ("受理期限:严格计算:期满日遇休息日不顺延(本乡镇设置);"
                                  "办结期限:严格计算:期满日遇休息日不顺延(本乡镇设置)")


def test_the_export_says_which_rule_gave_each_date_and_marks_estimates():
    from datetime import date

    from casetrack.domain import deadlines as dl
    from casetrack.services.time_limits import limit_note

    # accepted 2024-03-05 + one month = 04-05, inside 清明 2024 (04-04..06) -> Sun 04-07, a make-up workday
    assert limit_note(dl.mediation_deadline(date(2024, 3, 5))) == (
        "调解期限:期满日为休息日,顺延至其后第一个工作日(原期满日2024-04-05)")
    # received 2030-01-20 + 15 = 02-04, 春节 estimated -> 02-06, tentative; accepted 03-01 + 60 = Tue 04-30
    assert limit_note(dl.petition_acceptance_deadline(date(2030, 1, 20)),
                      dl.petition_opinion_deadline(date(2030, 3, 1))) == (
        "受理期限:期满日为休息日,顺延至其后第一个工作日(原期满日2030-02-04),暂定;办结期限:期满日为工作日,无需顺延,暂定")


def test_csv_export_writes_one_utf8_file_per_kind_that_excel_opens(runner, world, tmp_path):
    assert runner.invoke(args=["ledger", "import", str(ledger(tmp_path / "l.xlsx", [dispute(编号="D1")]))]).exit_code == 0
    output = tmp_path / "2024台账.csv"
    result = runner.invoke(args=["ledger", "export", str(YEAR), "-o", str(output), "--township", "斜沟乡"])
    assert result.exit_code == 0, result.output
    paths = csv_paths(output)
    assert [p.name for p in paths.values()] == ["2024台账-矛盾纠纷.csv", "2024台账-信访.csv"]
    raw = paths["dispute"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[1][:5] == ["D1", "斜沟乡", "斜沟村", "", day(3, 5).isoformat()]
    assert len(list(csv.reader(paths["petition"].read_text("utf-8-sig").splitlines()))) == 1


def test_export_needs_a_township_when_there_are_several(runner, world, tmp_path):
    result = runner.invoke(args=["ledger", "export", str(YEAR), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0 and "--township" in result.output
