"""Edges that answered 500 or slipped through: odd paths and query values, limits, masks and files."""

import io
import logging
import os
import stat
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from casetrack import clock, log_privacy
from casetrack.config import ensure_secret_key
from casetrack.documents import attachments
from casetrack.domain.identity import id_check_digit, id_number_problem
from casetrack.extensions import db
from casetrack.ledger.importing import plan_import
from casetrack.models import Dispute
from tests.conftest import login
from tests.factories import intake_form, make_dispute
from tests.ledger.helpers import dispute as ledger_dispute
from tests.ledger.helpers import ledger
from tests.security.helpers import png_bytes

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.mark.parametrize(("path", "status"), [
    ("/reports/0", 404), ("/reports/99999", 404), ("/reports/0/1", 404), ("/reports/99999.xlsx", 404),
    ("/reports/1948", 404),  # before 1949: no township kept a ledger
    (f"/cases/{2**63}", 404), (f"/cases/{2**31}", 404), (f"/petitions/{2**64}", 404),  # past the ids' integers
    ("/queue/export.csv?q=%E5%BC%A0%00", 400), ("/queue?village=1%00", 400),  # NUL: PostgreSQL cannot compare it
])
def test_odd_paths_and_query_values_answer_4xx_not_500(client, world, path, status):
    login(client, "staff")
    assert client.get(path).status_code == status


def test_reports_with_a_year_in_the_query_go_to_that_years_page(client, world):
    login(client, "staff")
    response = client.get("/reports?year=2020")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/2020")
    response = client.get("/reports?year=abc&township=all")  # not a year: this year's page, the rest kept
    assert response.status_code == 302 and "/reports/20" in response.headers["Location"]
    assert "township=all" in response.headers["Location"]


# --- more parties than a form takes --------------------------------------------------------------------

def test_a_21st_party_is_a_message_beside_the_list_and_nothing_is_saved(client, world):
    login(client, "mediator1")
    extra = {}
    for n in range(1, 21):  # applicants-0 is the form's own; 1 … 20 make 21, one past the 20 allowed
        extra |= {f"applicants-{n}-name": f"申请人{n}", f"applicants-{n}-gender": "male"}
    response = client.post("/cases/new", data=intake_form(world.village, **extra))
    assert response.status_code == 400
    assert "最多填写 20 个,这次填写了 21 个" in response.text
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 0
    # twenty is allowed: the same form with applicant 20 left out is saved with all twenty
    del extra["applicants-20-name"], extra["applicants-20-gender"]
    assert client.post("/cases/new", data=intake_form(world.village, **extra)).status_code == 302
    case = db.session.execute(select(Dispute)).scalar_one()
    assert sum(1 for p in case.parties if p.side == "applicant") == 20


# --- dates of past facts -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["0001-01-01", "1900-01-01", "1948-12-31"])
def test_a_registration_date_before_1949_is_refused_beside_the_field(client, world, typed):
    login(client, "mediator1")
    response = client.post("/cases/new", data=intake_form(world.village, registered_on=typed))
    assert response.status_code == 400 and "日期不能早于1949年1月1日" in response.text
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 0


def test_1949_01_01_itself_is_a_date_a_case_may_have(client, world):
    login(client, "mediator1")
    assert client.post("/cases/new", data=intake_form(world.village, registered_on="1949-01-01")).status_code == 302


# --- ID numbers with a birth date that cannot be ---------------------------------------------------------

def _with_check_digit(first17: str) -> str:
    return first17 + id_check_digit(first17)


def test_id_numbers_need_a_real_birth_date_not_after_today():
    # 110105194913990020: month 13, day 99, yet its check digit is right (weights over 11010519491399002 → 0)
    assert id_check_digit("11010519491399002") == "0"
    assert "出生日期" in id_number_problem("110105194913990020")
    today = clock.today()
    born_tomorrow = _with_check_digit(f"110105{today + timedelta(days=1):%Y%m%d}002")
    born_today = _with_check_digit(f"110105{today:%Y%m%d}002")
    assert "出生日期" in id_number_problem(born_tomorrow, today)
    assert "出生日期" in id_number_problem(_with_check_digit("11010520990101002"), today)  # the year 2099
    assert id_number_problem(born_today, today) is None
    assert id_number_problem("440524188001010014", today) is None  # GB 11643's own example, born in 1880


def test_the_intake_form_refuses_an_id_number_with_month_13(client, world):
    login(client, "mediator1")
    response = client.post("/cases/new", data=intake_form(world.village, **{
        "applicants-0-id_number": "110105194913990020"}))
    assert response.status_code == 400 and "出生日期" in response.text
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 0


# --- phones in the logs, whatever separates their digits ----------------------------------------------------

@pytest.mark.parametrize("written", ["138.1234.5678", "138/1234/5678", "138 1234 5678", "138-1234-5678",
                                     "(138)1234_5678", "１３８．１２３４．５６７８", "110105.19491231.002X"])
def test_a_phone_or_id_number_is_redacted_in_the_access_log_whatever_its_separators(written):
    """The filter log_privacy puts on the access and app loggers, applied to gunicorn's access record."""
    request_line = f"GET /queue?q={quote(written)} HTTP/1.1"
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s',
                               ({"h": "192.168.100.200", "r": request_line, "s": "302"},), None)
    assert log_privacy.RedactPersonalNumbers().filter(record)
    # the number is gone, the client's address (twelve digits between dots) is kept
    logged = record.getMessage()
    assert logged.startswith('192.168.100.200 "GET /queue?q=') and logged.endswith('[已隐去] HTTP/1.1" 302')
    assert not any(group in logged for group in ("1234", "5678", "１２３４", "19491231")), logged


# --- personal documents follow the masking rule -----------------------------------------------------------

def test_an_id_scan_is_not_opened_by_a_viewer_who_sees_id_numbers_masked(app, world):
    case = make_dispute(world.mediator, world.village, state="mediating")
    folder = attachments.attachment_folder(app)
    scan = attachments.store_attachment(case, world.mediator, io.BytesIO(png_bytes()), "身份证.png", "id_document",
                                        None, folder)
    photo = attachments.store_attachment(case, world.mediator, io.BytesIO(png_bytes()), "院墙.png", "evidence",
                                         None, folder)
    db.session.commit()
    assert stat.S_IMODE(os.stat(attachments.stored_path(folder, scan)).st_mode) == 0o600
    scan_url, photo_url = (f"/cases/{case.id}/attachments/{item.id}" for item in (scan, photo))
    for username, sees_ids in (("mediator1", True), ("staff", True), ("leader", False)):
        client = app.test_client()
        login(client, username)
        page = client.get(f"/cases/{case.id}").text
        assert (scan_url in page) is sees_ids and photo_url in page, username
        assert client.get(scan_url).status_code == (200 if sees_ids else 403), username
        assert client.get(photo_url).status_code == 200, username


# --- files only their owner reads, exports no cache keeps ----------------------------------------------------

def test_cli_exports_and_the_secret_key_are_written_0600(runner, world, tmp_path):
    make_dispute(world.staff, world.village)
    outputs = {"ledger.xlsx": ["ledger", "export", str(clock.today().year), "-o"],
               "ledger.csv": ["ledger", "export", str(clock.today().year), "-o"],
               "template.xlsx": ["ledger", "template", "-o"],
               "report.xlsx": ["report", str(clock.today().year), "--format", "xlsx", "-o"]}
    for name, command in outputs.items():
        result = runner.invoke(args=[*command, str(tmp_path / name), "--township", "斜沟乡"])
        assert result.exit_code == 0, result.output
    written = [tmp_path / "ledger.xlsx", tmp_path / "ledger-矛盾纠纷.csv", tmp_path / "ledger-信访.csv",
               tmp_path / "template.xlsx", tmp_path / "report.xlsx"]
    assert {path.name: stat.S_IMODE(os.stat(path).st_mode) for path in written} == {p.name: 0o600 for p in written}
    instance = tmp_path / "fresh-instance"
    key = ensure_secret_key(str(instance))  # what create_app does on first start without CASETRACK_SECRET_KEY
    assert key and stat.S_IMODE(os.stat(instance / "secret_key").st_mode) == 0o600


@pytest.mark.parametrize("path", ["/ledger/template", "/ledger/export?year={year}&format=xlsx",
                                  "/ledger/export?year={year}&format=dispute", "/reports/{year}.xlsx",
                                  "/reports/{year}.json", "/queue/export.csv"])
def test_exports_are_sent_with_no_store(client, world, path):
    login(client, "staff")
    response = client.get(path.format(year=clock.today().year))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


# --- case numbers belong to their township ----------------------------------------------------------------

def test_an_import_of_another_townships_case_numbers_is_refused_with_a_row_message(world, tmp_path):
    year = clock.today().year - 1
    rows = [ledger_dispute(编号=f"({year})东调字第5号", 登记日期=f"{year}-03-05"),  # 东岭乡's numbering
            ledger_dispute(编号=f"({year})斜调字第6号", 登记日期=f"{year}-03-05"),  # 斜沟乡's own
            ledger_dispute(编号="旧台账第7号", 登记日期=f"{year}-03-05")]  # a number in no township's pattern
    plan = plan_import(ledger(tmp_path / "台账.xlsx", rows), township=world.township)
    assert [(e.row, e.column, e.value) for e in plan.errors] == [(2, "编号", f"({year})东调字第5号")]
    assert "这是东岭乡的案件编号(东调字),不能导入斜沟乡" in plan.errors[0].message
    assert sorted(r.values.number for r in plan.rows) == [f"({year})斜调字第6号", "旧台账第7号"]
