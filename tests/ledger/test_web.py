"""The ledger pages: staff download the template, upload, see the preview, confirm; others are refused."""

import io
from pathlib import Path

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, Petition
from casetrack.services.timeline import chinese_sentence
from tests.conftest import login
from tests.ledger.helpers import DISPUTE_HEADERS, YEAR, count, dispute, ledger, petition, table, write_csv


def _upload(client, path: Path, name: str | None = None):
    return client.post("/ledger/upload", data={"upload": (io.BytesIO(path.read_bytes()), name or path.name)},
                       content_type="multipart/form-data")


def _token(page: str) -> str:
    return page.split('name="token" value="')[1].split('"')[0]


def _uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "ledger-uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("username", ["mediator1", "leader", "admin"])
def test_only_staff_reach_the_ledger_pages(client, world, username, tmp_path):
    login(client, username)
    assert client.get("/ledger/").status_code == 403
    assert client.get("/ledger/template").status_code == 403
    assert _upload(client, ledger(tmp_path / "l.xlsx", [dispute()])).status_code == 403
    assert client.get(f"/ledger/export?year={YEAR}").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    assert client.get("/ledger/").status_code == 302


def test_staff_download_their_townships_template(client, world):
    login(client, "staff")
    page = client.get("/ledger/")
    assert page.status_code == 200 and "下载台账模板" in page.text
    response = client.get("/ledger/template")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["矛盾纠纷", "信访", "下拉选项"]
    assert "斜沟村" in [c.value for c in workbook["下拉选项"]["B"]]


def test_upload_previews_then_confirm_imports_and_forgets_the_file(client, app, world, tmp_path):
    login(client, "staff")
    number = f"({YEAR})斜调字第5号"
    path = ledger(tmp_path / "台账.xlsx", [dispute(编号=number), dispute(申请人="王五")], [petition()])
    page = _upload(client, path)
    assert page.status_code == 200
    assert "将新建的案件(3 件)" in page.text and number in page.text and "(自动编号)" in page.text
    summary = page.text.split('id="summary"')[1].split("</table>")[0]
    assert [cell.split(">")[-1] for cell in summary.split("</td>")[:-1]] == ["矛盾纠纷", "2", "0", "0", "0",
                                                                          "信访", "1", "0", "0", "0"]
    assert count(Dispute) == 0 and len(_uploads(app)) == 2  # the file and who uploaded it, under a token
    token = _token(page.text)
    assert token not in str(client.get_cookie("session"))
    response = client.post("/ledger/apply", data={"token": token})
    assert response.status_code == 302
    assert (count(Dispute), count(Petition)) == (2, 1)
    assert _uploads(app) == []
    imported = db.session.execute(select(Dispute).where(Dispute.number == number)).scalar_one()
    event = db.session.execute(select(CaseEvent).where(CaseEvent.dispute_id == imported.id)).scalar_one()
    assert event.actor_id == world.staff.id and chinese_sentence(event).startswith("由台账导入:台账.xlsx")
    assert "已导入 台账.xlsx:矛盾纠纷:新建 2 件" in client.get("/ledger/").text


def test_preview_lists_errors_and_changes_and_nothing_is_imported_unless_asked(client, world, tmp_path):
    login(client, "staff")
    number = f"({YEAR})斜调字第5号"
    assert client.post("/ledger/apply", data={"token": _token(_upload(
        client, ledger(tmp_path / "a.xlsx", [dispute(编号=number)])).text)}).status_code == 302
    changed = ledger(tmp_path / "b.xlsx", [dispute(编号=number, 状态="已受理"), dispute(所属村="月亮村")])
    page = _upload(client, changed)
    assert "错误(共 1 处)" in page.text and "月亮村" in page.text and "斜沟乡没有这个行政村" in page.text
    assert "将更新的案件(1 件)" in page.text and "状态:已登记 → 已受理" in page.text
    token = _token(page.text)
    refused = client.post("/ledger/apply", data={"token": token})
    assert refused.status_code == 400 and "未导入任何内容" in refused.text
    assert count(Dispute) == 1
    assert client.post("/ledger/apply", data={"token": token, "valid_only": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(Dispute.status)).scalar_one() == "accepted" and count(Dispute) == 1


def test_staff_import_only_into_their_own_township(client, world, tmp_path):
    login(client, "farstaff")
    page = _upload(client, ledger(tmp_path / "l.xlsx", [dispute()]))
    assert "本次只导入东岭乡的台账" in page.text


def test_an_upload_token_works_only_for_who_uploaded_it(client, app, world, tmp_path):
    login(client, "staff")
    token = _token(_upload(client, ledger(tmp_path / "l.xlsx", [dispute()])).text)
    g.pop("_login_user", None)  # the fixture's app context outlives requests; forget the user it cached
    other = app.test_client()
    login(other, "farstaff")
    response = other.post("/ledger/apply", data={"token": token})
    assert response.status_code == 404, (response.location, response.text[:300])
    assert other.post("/ledger/apply", data={"token": "../../secret_key"}).status_code == 400
    assert count(Dispute) == 0


def test_a_wrong_kind_of_file_is_refused_beside_the_field(client, world):
    login(client, "staff")
    page = client.post("/ledger/upload", data={"upload": (io.BytesIO(b"x"), "old.xls")},
                       content_type="multipart/form-data")
    assert page.status_code == 400 and "只能导入 .xlsx 或 .csv 文件" in page.text


def test_csv_upload_in_gb18030_previews(client, world, tmp_path):
    login(client, "staff")
    path = write_csv(tmp_path / "台账.csv", table(DISPUTE_HEADERS, [dispute(申请人="张三丰")]), "gb18030")
    page = _upload(client, path)
    assert "张三丰" in page.text and "将新建的案件(1 件)" in page.text


def test_staff_export_a_year_as_xlsx_or_csv(client, world, tmp_path):
    login(client, "staff")
    number = f"({YEAR})斜调字第5号"
    client.post("/ledger/apply", data={"token": _token(_upload(client, ledger(tmp_path / "a.xlsx",
                                                                             [dispute(编号=number)])).text)})
    response = client.get(f"/ledger/export?year={YEAR}&format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data))["矛盾纠纷"].iter_rows(values_only=True))
    assert rows[1][0] == number
    response = client.get(f"/ledger/export?year={YEAR}&format=dispute")
    assert response.mimetype == "text/csv" and response.data.startswith(b"\xef\xbb\xbf")
    assert number in response.data.decode("utf-8-sig")
    assert client.get("/ledger/export?year=abc").status_code == 400
