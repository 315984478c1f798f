"""The record of ledger imports: each import is kept with its counts and notices; one with notices waits on the
township staff's inbox, with a link to its notices, until someone marks it seen or the file is imported again."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import LedgerImport, Role
from casetrack.services import accounts
from tests.conftest import PASSWORD, login
from tests.factories import VALID_ID
from tests.ledger.helpers import DISPUTE_HEADERS, dispute, ledger, table, write_xlsx

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

LINE = re.compile(r'<li class="inbox-line" data-kind="ledger_import">\s*<a href="([^"]*)"><strong>([^<]+)</strong>')


def _import(client, path: Path, valid_only: bool = False):
    page = client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), path.name)},
                       content_type="multipart/form-data")
    assert page.status_code == 200, page.text[:500]
    token = page.text.split('name="token" value="')[1].split('"')[0]
    data = {"token": token, **({"valid_only": "y"} if valid_only else {})}
    assert client.post("/ledger/apply", data=data).status_code == 302


def _import_lines(client) -> list[tuple[str, str]]:
    return LINE.findall(client.get("/inbox").text)


def _with_unknown_column(path: Path) -> Path:
    """A ledger whose dispute sheet has a column casetrack does not know (备用列): ignored, with a notice."""
    rows = table([*DISPUTE_HEADERS, "备用列"], [dispute(备用列="随便写的")])
    return write_xlsx(path, {"矛盾纠纷": rows})


def _staff(app, username="staff"):
    client = app.test_client()
    login(client, username)
    return client


def test_a_clean_import_is_recorded_but_asks_nobody_for_a_look(app, world, tmp_path):
    staff = _staff(app)
    _import(staff, ledger(tmp_path / "干净台账.xlsx", [dispute(), dispute(申请人="王五")]))
    record = db.session.execute(select(LedgerImport)).scalar_one()
    assert (record.filename, record.township_id, record.user_id, record.source) == (
        "干净台账.xlsx", world.township.id, world.staff.id, "web")
    assert (record.created, record.updated, record.skipped, record.attention) == (2, 0, 0, 0)
    assert _import_lines(staff) == []
    listing = staff.get("/ledger/imports").text
    assert "干净台账.xlsx" in listing and "刘明" in listing


def test_an_import_with_notices_waits_on_the_inbox_until_a_staff_member_marks_it_seen(app, world, tmp_path):
    staff = _staff(app)
    _import(staff, _with_unknown_column(tmp_path / "手工台账.xlsx"))
    [(href, name)] = _import_lines(staff)
    assert name == "手工台账.xlsx"
    page = staff.get(href)
    assert page.status_code == 200
    assert "未知列“备用列”,已忽略" in page.text and "新建 1 件" in page.text
    accounts.add_user("staff2", PASSWORD, Role.STAFF, township=world.township)
    db.session.commit()
    colleague = _staff(app, "staff2")
    assert [name for _href, name in _import_lines(colleague)] == ["手工台账.xlsx"]
    assert colleague.post(href + "/seen").status_code == 302  # one of the township's staff: gone for all
    assert _import_lines(colleague) == []
    assert _import_lines(staff) == []
    record = db.session.execute(select(LedgerImport)).scalar_one()
    assert record.seen_at is not None
    seen_page = staff.get(href).text
    assert "已阅" in seen_page  # the record and its notices stay


def test_skipped_rows_are_notices_with_their_reasons_and_no_whole_id_number(app, world, tmp_path):
    staff = _staff(app)
    path = ledger(tmp_path / "有错台账.xlsx", [dispute(), dispute(涉及人数=VALID_ID)])
    _import(staff, path, valid_only=True)
    record = db.session.execute(select(LedgerImport)).scalar_one()
    assert (record.created, record.skipped) == (1, 1) and record.attention >= 1
    [(href, _name)] = _import_lines(staff)
    page = staff.get(href).text
    assert "矛盾纠纷" in page and 'class="import-error"' in page
    assert VALID_ID not in page and VALID_ID not in str(record.notices)


def test_importing_the_file_again_replaces_its_line(app, world, tmp_path):
    staff = _staff(app)
    _import(staff, _with_unknown_column(tmp_path / "台账.xlsx"))
    assert len(_import_lines(staff)) == 1
    _import(staff, ledger(tmp_path / "台账.xlsx", [dispute(申请人="赵六")]))  # corrected: a clean file
    assert _import_lines(staff) == []


def test_the_line_and_the_notices_stay_in_their_township(app, world, tmp_path):
    staff = _staff(app)
    _import(staff, _with_unknown_column(tmp_path / "斜沟台账.xlsx"))
    [(href, _name)] = _import_lines(staff)
    far = _staff(app, "farstaff")
    assert _import_lines(far) == []
    assert far.get(href).status_code == 404
    assert far.post(href + "/seen").status_code == 404
    assert "斜沟台账.xlsx" not in far.get("/ledger/imports").text
    assert len(_import_lines(staff)) == 1  # refused: nothing changed


@pytest.mark.parametrize("username", ["mediator1", "leader"])
def test_other_roles_have_no_import_line_and_cannot_open_the_record(app, world, tmp_path, username):
    staff = _staff(app)
    _import(staff, _with_unknown_column(tmp_path / "台账.xlsx"))
    [(href, _name)] = _import_lines(staff)
    other = _staff(app, username)
    assert _import_lines(other) == []
    assert other.get(href).status_code == 403


def test_the_command_line_import_is_recorded_too(app, world, tmp_path, runner):
    path = _with_unknown_column(tmp_path / "命令行台账.xlsx")
    result = runner.invoke(args=["ledger", "import", str(path), "--township", "斜沟乡"])
    assert result.exit_code == 0, result.output
    record = db.session.execute(select(LedgerImport)).scalar_one()
    assert (record.source, record.user_id, record.created, record.attention) == ("cli", None, 1, 1)
    staff = _staff(app)
    assert [name for _href, name in _import_lines(staff)] == ["命令行台账.xlsx"]
    assert "命令行导入" in staff.get(f"/ledger/imports/{record.id}").text


def test_the_inbox_shows_the_ten_newest_imports_waiting_and_links_to_the_rest(app, world):
    from casetrack import clock

    for n in range(12):
        db.session.add(LedgerImport(township_id=world.township.id, source="cli", filename=f"第{n}册.xlsx",
                                    imported_at=clock.now_utc(), attention=1, notices=[]))
    db.session.commit()
    staff = _staff(app)
    assert len(_import_lines(staff)) == 10
    page = staff.get("/inbox").text
    assert "还有2项,到台账导入记录查看" in page and 'href="/ledger/imports"' in page


def test_a_file_of_two_townships_imported_without_township_keeps_each_ones_refused_rows_out_of_the_other(
        app, world, tmp_path, runner):
    """`flask ledger import` without --township on a file of 斜沟乡's and 东岭乡's rows: each township's record has
    its own counts and the file's notices, never a refused row, which may be the other township's (a name)."""
    rows = table(DISPUTE_HEADERS, [dispute(), dispute(乡镇="东岭乡", 所属村="东岭村"),
                                   dispute(乡镇="东岭乡", 所属村="东岭村", 申请人="赵秘密", 纠纷类别="没有这个类别")])
    path = write_xlsx(tmp_path / "两乡台账.xlsx", {"矛盾纠纷": rows})
    result = runner.invoke(args=["ledger", "import", str(path), "--valid-only"])
    assert "已导入无错误的行" in result.output and "赵秘密" not in result.output  # the CLI shows the refused cell
    records = db.session.execute(select(LedgerImport).order_by(LedgerImport.township_id)).scalars().all()
    assert [(r.township_id, r.created, r.skipped) for r in records] == [
        (world.township.id, 1, 0), (world.other_township.id, 1, 0)]
    for record in records:
        assert not any(entry.get("error") for entry in record.notices)
        assert "赵秘密" not in str(record.notices)
    staff = _staff(app)
    assert "赵秘密" not in staff.get(f"/ledger/imports/{records[0].id}").text
