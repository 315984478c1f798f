"""The ledger's petition-source columns (#19): 信访来源, 转送交办机关, 转送交办文号, 指定办理期限, 办结报告日期.

A file without them (every ledger kept before) still imports, as 本级受理; a matter from above round-trips.
"""

from openpyxl import load_workbook

from casetrack.extensions import db
from casetrack.ledger.format import PETITION_COLUMNS
from casetrack.models import Petition
from tests.ledger.helpers import (
    PETITION_HEADERS,
    count,
    day,
    ledger,
    petition,
    petition_by_number,
    table,
    write_xlsx,
)

NEW_HEADERS = ["信访来源", "转送交办机关", "转送交办文号", "指定办理期限", "办结报告日期"]


def run(runner, *args):
    return runner.invoke(args=["ledger", *map(str, args)])


def _assigned(**cells) -> dict:
    row = dict(编号=f"({day(3, 5).year})斜信字第7号", 受理情况="受理", 受理日期=day(3, 6).isoformat(),
               信访来源="上级交办", 转送交办机关="县信访局", 转送交办文号="县信交〔2025〕7号",
               指定办理期限=day(4, 5).isoformat(), 办结日期=day(3, 30).isoformat(), 处理意见="支持",
               办结报告日期=day(4, 1).isoformat())
    return petition(**(row | cells))


def test_the_petition_sheet_has_the_source_columns_before_its_remarks():
    headers = [c.header for c in PETITION_COLUMNS]
    assert headers[-8:] == [*NEW_HEADERS, "接访领导", "移交公安日期", "备注"]  # then #14's two (test_petition_reception)
    assert not any(c.required for c in PETITION_COLUMNS if c.header in NEW_HEADERS)


def test_a_matter_assigned_from_above_imports_with_its_sender_limit_and_report_and_exports_again(
        runner, world, tmp_path):
    result = run(runner, "import", ledger(tmp_path / "in.xlsx", petitions=[_assigned()]), "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    stored = petition_by_number(f"({day(3, 5).year})斜信字第7号")
    assert (stored.source, stored.source_body, stored.source_reference) == ("assigned_in", "县信访局", "县信交〔2025〕7号")
    assert (stored.assigned_due_on, stored.completion_report_on) == (day(4, 5), day(4, 1))
    assert stored.due_on is None  # answered and reported: nothing binds the township

    output = tmp_path / "out.xlsx"
    assert run(runner, "export", day(3, 5).year, "-o", output, "--township", "斜沟乡").exit_code == 0
    sheet = load_workbook(output)["信访"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    exported = dict(zip(header, rows[1], strict=False))
    assert exported["信访来源"] == "上级交办" and exported["转送交办机关"] == "县信访局"
    assert str(exported["指定办理期限"])[:10] == day(4, 5).isoformat()
    result = run(runner, "import", output, "--township", "斜沟乡", "--dry-run")
    assert result.exit_code == 0 and "新建 0 件,更新 0 件" in result.output, result.output


def test_an_old_ledger_without_the_source_columns_imports_as_received_here(runner, world, tmp_path):
    old_headers = [h for h in PETITION_HEADERS if h not in NEW_HEADERS]
    path = write_xlsx(tmp_path / "old.xlsx", {"信访": table(old_headers, [petition(编号=f"({day(3, 5).year})斜信字第8号")])})
    result = run(runner, "import", path, "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    stored = petition_by_number(f"({day(3, 5).year})斜信字第8号")
    assert (stored.source, stored.source_body, stored.assigned_due_on) == ("own", None, None)


def test_an_assigned_matter_without_its_set_limit_or_sender_is_refused_and_nothing_is_written(runner, world, tmp_path):
    before = count(Petition)
    rows = [_assigned(指定办理期限=None), _assigned(编号=f"({day(3, 5).year})斜信字第9号", 转送交办机关=None),
            petition(编号=f"({day(3, 5).year})斜信字第10号", 办结报告日期=day(4, 1).isoformat())]
    result = run(runner, "import", ledger(tmp_path / "bad.xlsx", petitions=rows), "--township", "斜沟乡")
    assert result.exit_code == 1
    assert "上级交办的信访事项必须填写指定办理期限" in result.output
    assert "上级转送、交办的信访事项必须填写转送交办机关" in result.output
    assert "只有上级交办的信访事项提交办结报告" in result.output
    db.session.expire_all()
    assert count(Petition) == before
