"""The ledger's columns of #14: 接访领导 (the leader who received a visit on a reception day) and 移交公安日期 (a
缠访闹访 matter's unlawful conduct sent to the police, 《信访工作条例》第四十七条).

Both optional: a file without them imports as before. They round-trip, and break the page's rules nowhere.
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

NEW_HEADERS = ["接访领导", "移交公安日期"]


def run(runner, *args):
    return runner.invoke(args=["ledger", *map(str, args)])


def _number(seq: int) -> str:
    return f"({day(3, 5).year})斜信字第{seq}号"


def test_the_two_columns_are_optional_and_come_before_the_remarks():
    headers = [c.header for c in PETITION_COLUMNS]
    assert headers[-3:] == [*NEW_HEADERS, "备注"]
    assert not any(c.required for c in PETITION_COLUMNS if c.header in NEW_HEADERS)


def test_a_received_visit_and_a_police_referral_import_count_and_export_again(runner, world, tmp_path):
    rows = [petition(编号=_number(21), 信访形式="来访", 接访领导="李乡长"),
            petition(编号=_number(22), 缠访闹访="是", 移交公安日期=day(3, 20).isoformat())]
    result = run(runner, "import", ledger(tmp_path / "in.xlsx", petitions=rows), "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    visit, disruptive = petition_by_number(_number(21)), petition_by_number(_number(22))
    assert visit.leader_received_by == "李乡长"
    assert (disruptive.disruptive, disruptive.police_referred_on, disruptive.disruptive_on) == (True, day(3, 20), None)

    from casetrack import clock
    from casetrack.services import statistics as stats

    figures = stats.figures(stats.year_period(day(3, 5).year), stats.Scope((world.township,)), clock.today())
    assert (figures["petitions"]["leader_visits"], figures["petitions"]["police_referred"]) == (1, 1)

    output = tmp_path / "out.xlsx"
    assert run(runner, "export", day(3, 5).year, "-o", output, "--township", "斜沟乡").exit_code == 0
    rows = list(load_workbook(output)["信访"].iter_rows(values_only=True))
    exported = {row[0]: dict(zip(rows[0], row, strict=False)) for row in rows[1:]}
    assert exported[_number(21)]["接访领导"] == "李乡长"
    assert str(exported[_number(22)]["移交公安日期"])[:10] == day(3, 20).isoformat()
    result = run(runner, "import", output, "--township", "斜沟乡", "--dry-run")
    assert result.exit_code == 0 and "新建 0 件,更新 0 件" in result.output, result.output


def test_a_leader_for_a_letter_and_a_referral_of_a_matter_not_disruptive_or_before_receipt_are_refused(
        runner, world, tmp_path):
    before = count(Petition)
    rows = [petition(编号=_number(23), 信访形式="来信", 接访领导="李乡长"),
            petition(编号=_number(24), 移交公安日期=day(3, 20).isoformat()),
            petition(编号=_number(25), 缠访闹访="是", 移交公安日期=day(3, 1).isoformat())]
    result = run(runner, "import", ledger(tmp_path / "bad.xlsx", petitions=rows), "--township", "斜沟乡")
    assert result.exit_code == 1
    assert "只有来访才能填写接访领导" in result.output
    assert "只有缠访闹访的信访事项才移交公安机关处理" in result.output
    assert f"移交公安日期不能早于登记日期({day(3, 5).isoformat()})" in result.output
    db.session.expire_all()
    assert count(Petition) == before


def test_an_old_ledger_without_the_two_columns_imports_as_before(runner, world, tmp_path):
    old_headers = [h for h in PETITION_HEADERS if h not in NEW_HEADERS]
    path = write_xlsx(tmp_path / "old.xlsx", {"信访": table(old_headers, [petition(编号=_number(26), 缠访闹访="是")])})
    result = run(runner, "import", path, "--township", "斜沟乡")
    assert result.exit_code == 0, result.output
    stored = petition_by_number(_number(26))
    assert (stored.disruptive, stored.police_referred_on, stored.leader_received_by) == (True, None, None)


def test_a_second_import_adds_a_referral_to_a_stored_matter_and_the_timeline_says_so(runner, world, tmp_path):
    first = [petition(编号=_number(27), 缠访闹访="是")]
    assert run(runner, "import", ledger(tmp_path / "a.xlsx", petitions=first), "--township", "斜沟乡").exit_code == 0
    again = [petition(编号=_number(27), 缠访闹访="是", 移交公安日期=day(3, 25).isoformat())]
    result = run(runner, "import", ledger(tmp_path / "b.xlsx", petitions=again), "--township", "斜沟乡")
    assert result.exit_code == 0 and "更新 1 件" in result.output, result.output
    stored = petition_by_number(_number(27))
    assert stored.police_referred_on == day(3, 25)
    from sqlalchemy import select

    from casetrack.models import CaseEvent

    events = db.session.execute(select(CaseEvent).where(CaseEvent.petition_id == stored.id)
                                .order_by(CaseEvent.id)).scalars()
    changes = [e.changes for e in events if e.changes and "police_referred_on" in e.changes]
    assert changes and changes[-1]["police_referred_on"][1] == day(3, 25).isoformat()
