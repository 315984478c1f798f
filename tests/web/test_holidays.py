"""The county-wide public-holiday calendar: `flask holidays import FILE` (CSV or the State Council's notice),
`flask holidays list YEAR`, the /admin/holidays page (county-wide admins only), and the dashboard warning
when next year's plan (放假安排) is missing."""

import io
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from casetrack.domain import deadlines as dl
from casetrack.extensions import db
from casetrack.models import CalendarDay, CalendarPlan, Role
from casetrack.services import accounts, time_limits
from tests.conftest import PASSWORD, login
from tests.petition_factories import PLAN_2027, PLAN_2027_ROWS

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

WARNING_2027 = "2027年的法定节假日和调休安排尚未录入"


@pytest.fixture
def on_day(monkeypatch):
    """Set Beijing's "today" for the app (modules call clock.today())."""
    def set_today(day: date) -> None:
        monkeypatch.setattr("casetrack.clock.today", lambda: day)
    return set_today


def stored_days() -> list[tuple[date, str]]:
    db.session.expire_all()
    return [tuple(r) for r in db.session.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day))]


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def as_client(app, username):
    other = app.test_client()
    login(other, username)
    return other


# --------------------------------------------------------------------------- flask holidays import


NOTICE_2026 = (Path(__file__).parent.parent / "fixtures" / "notice_2026.txt").read_text(encoding="utf-8")


def test_the_cli_imports_a_years_plan_and_working_day_limits_in_that_year_then_compute(world, runner, tmp_path):
    policy = time_limits.policy_for(world.township)
    # estimated (除夕 02-05 and 02-06..08 off, no 调休): Tue 9, Wed 10, Thu 11, Fri 12, Mon 15
    estimated = dl.assignment_objection_deadline(date(2027, 2, 4), policy)
    assert (estimated.due, estimated.estimated) == (date(2027, 2, 15), True)
    plan = tmp_path / "2027.csv"
    plan.write_text(PLAN_2027, encoding="utf-8")

    result = runner.invoke(args=["holidays", "import", str(plan), "--plan"])

    assert result.exit_code == 0, result.output
    assert f"2027年:已导入 {len(PLAN_2027_ROWS)} 个日期" in result.output
    days = stored_days()
    assert len(days) == len(PLAN_2027_ROWS)
    assert (date(2027, 2, 14), "workday") in days and (date(2027, 10, 1), "holiday") in days
    policy = time_limits.policy_for(world.township)
    # Thu 4 Feb: Fri 5th, the Spring Festival 6th-13th, Sun 14th (make-up workday), Mon 15th-Wed 17th
    assert dl.assignment_objection_deadline(date(2027, 2, 4), policy).due == date(2027, 2, 17)


def test_the_cli_reads_a_file_saved_as_gbk_with_a_bom_free_header(world, runner, tmp_path):
    plan = tmp_path / "2027-gbk.csv"
    plan.write_bytes("日期,类型\n2027-01-01,休\n2027-02-14,调休上班\n".encode("gb18030"))
    result = runner.invoke(args=["holidays", "import", str(plan)])
    assert result.exit_code == 0, result.output
    assert stored_days() == [(date(2027, 1, 1), "holiday"), (date(2027, 2, 14), "workday")]


def test_the_cli_imports_the_2026_notice_as_published_and_lists_exactly_the_packages_days(world, runner, tmp_path):
    package_days = [f"{day.isoformat()},{mark}" for day, mark in dl.HolidayCalendar().differences(2026)]
    notice = tmp_path / "通知.txt"
    notice.write_text(NOTICE_2026, encoding="utf-8")

    result = runner.invoke(args=["holidays", "import", str(notice)])

    assert result.exit_code == 0, result.output
    assert "2026年:已导入 39 个日期" in result.output
    listed = runner.invoke(args=["holidays", "list", "2026"])
    assert listed.exit_code == 0
    assert listed.output.splitlines() == package_days
    # by hand from the notice: 元旦 Fri 01-02 off, Sun 01-04 worked; 除夕 Mon 02-16 off; Sat 10-10 worked
    assert {"2026-01-02,休", "2026-01-04,班", "2026-02-16,休", "2026-10-10,班"} <= set(listed.output.splitlines())


def test_the_cli_reads_a_notice_without_its_title_given_the_year(world, runner, tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text("一、元旦:1月1日(周五)至3日(周日)放假调休,共3天。\n二、春节:2月14日(周六)、2月28日(周六)上班。\n",
                      encoding="utf-8")
    assert runner.invoke(args=["holidays", "import", str(notice)]).exit_code != 0  # no year anywhere
    result = runner.invoke(args=["holidays", "import", str(notice), "--year", "2027"])
    assert result.exit_code == 0, result.output
    assert db.session.get(CalendarPlan, 2027) is not None
    listed = runner.invoke(args=["holidays", "list", "2027"]).output.splitlines()
    # a whole plan with only these lines: Fri 01-01 off (Sat, Sun are weekends anyway), two Saturdays worked
    assert listed == ["2027-01-01,休", "2027-02-14,班", "2027-02-28,班"]


def test_the_cli_lists_an_estimated_year_and_says_it_is_tentative(world, runner):
    result = runner.invoke(args=["holidays", "list", "2030"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    # 2030 estimated: 元旦 Tue 01-01; 除夕 Sat 02-02, 初一..初三 Sun 02-03 .. Tue 02-05 -> 02-04, 02-05 on weekdays
    assert "2030-01-01,休" in lines and "2030-02-04,休" in lines and "2030-02-05,休" in lines
    assert not any(line.endswith(",班") for line in lines if not line.startswith("#"))  # no 调休 guessed
    assert "2030年的放假安排尚未录入" in result.output


@pytest.mark.parametrize("text, message", [
    ("日期,类型\n2027-01-01,休\n2027-13-01,休\n", "第3行:日期“2027-13-01”无效"),
    ("日期,类型\n2027-01-01,上学\n", "第2行:类型“上学”无效"),
    ("2027-01-01,休\n", "第1行:表头应为“日期,类型”"),
])
def test_the_cli_refuses_a_bad_file_with_its_line_number_and_stores_nothing(world, runner, tmp_path, text, message):
    plan = tmp_path / "bad.csv"
    plan.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["holidays", "import", str(plan)])
    assert result.exit_code != 0
    assert message in result.output
    assert stored_days() == []


def test_the_cli_refuses_a_missing_file(world, runner, tmp_path):
    result = runner.invoke(args=["holidays", "import", str(tmp_path / "none.csv")])
    assert result.exit_code != 0


# --------------------------------------------------------------------------- /admin/holidays


def test_an_admin_imports_pasted_text_and_sees_the_year_known(app, world, on_day):
    on_day(date(2026, 11, 27))
    admin = as_client(app, "admin")
    before = text_of(admin.get("/admin/holidays/"))
    assert "2027年:<strong class=\"error\">未录入</strong>" in before and WARNING_2027 in before

    response = admin.post("/admin/holidays/", data={"text": PLAN_2027, "whole_plan": "y"})

    assert response.status_code == 302
    assert len(stored_days()) == len(PLAN_2027_ROWS)
    after = text_of(admin.get(response.headers["Location"]))
    assert f"已导入:2027年{len(PLAN_2027_ROWS)}天" in after
    assert "2027年:已知" in after and WARNING_2027 not in after
    assert "<td data-label=\"日期\">2027-02-14</td><td data-label=\"类型\">调休上班</td>" in after


def test_an_admin_uploads_a_csv_file(app, world):
    admin = as_client(app, "admin")
    upload = (io.BytesIO(("\ufeff" + PLAN_2027).encode("utf-8")), "2027年放假安排.csv")
    response = admin.post("/admin/holidays/", data={"upload": upload, "text": ""}, content_type="multipart/form-data")
    assert response.status_code == 302, text_of(response)
    assert len(stored_days()) == len(PLAN_2027_ROWS)


def test_an_admin_sees_the_line_of_a_bad_paste_and_nothing_is_stored(app, world):
    admin = as_client(app, "admin")
    response = admin.post("/admin/holidays/", data={"text": "日期,类型\n2027-01-01,休\n2027-02-30,休\n"})
    assert response.status_code == 400
    assert "第3行:日期“2027-02-30”无效" in text_of(response)
    assert stored_days() == []


def test_an_admin_pastes_the_notice_as_published(app, world):
    admin = as_client(app, "admin")
    response = admin.post("/admin/holidays/", data={"text": NOTICE_2026})
    assert response.status_code == 302, text_of(response)
    assert len(stored_days()) == 39
    assert time_limits.year_differences(2026) == dl.HolidayCalendar().differences(2026)


def test_the_import_forms_example_is_true_data(app, world):
    page = text_of(as_client(app, "admin").get("/admin/holidays/"))
    assert "2027-02-06,班" not in page  # 2027-02-06 is 初一, no workday
    # the example's days are those of the real 2026 plan: 02-16 (除夕) off, Sat 02-14 worked
    assert "2026-02-16,休" in page and "2026-02-14,班" in page
    assert ("2026-02-16", "休") in {(d.isoformat(), m) for d, m in dl.HolidayCalendar().differences(2026)}
    assert ("2026-02-14", "班") in {(d.isoformat(), m) for d, m in dl.HolidayCalendar().differences(2026)}


def test_a_township_admin_may_read_but_not_change_the_county_wide_calendar(app, world):
    accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=world.township)
    db.session.commit()
    township_admin = as_client(app, "townadmin")
    page = township_admin.get("/admin/holidays/")
    assert page.status_code == 200 and "导入放假安排" not in text_of(page)
    assert township_admin.post("/admin/holidays/", data={"text": NOTICE_2026}).status_code == 403
    assert stored_days() == []


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1"])
def test_only_admins_keep_the_calendar(app, world, username):
    other = as_client(app, username)
    assert other.get("/admin/holidays/").status_code == 403
    assert other.post("/admin/holidays/", data={"text": PLAN_2027}).status_code == 403
    assert stored_days() == []


def test_the_calendar_page_needs_a_login(client, world):
    response = client.get("/admin/holidays/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --------------------------------------------------------------------------- the dashboard warning


@pytest.mark.parametrize("today, warned", [
    (date(2026, 10, 31), False),
    (date(2026, 11, 1), True),
    (date(2026, 11, 27), True),
    (date(2026, 12, 31), True),
])
def test_the_admin_dashboard_warns_in_november_and_december_when_next_years_plan_is_missing(
        app, world, on_day, today, warned):
    on_day(today)
    text = text_of(as_client(app, "admin").get("/"))
    assert (WARNING_2027 in text) is warned
    assert ('<a href="/admin/holidays/">去录入</a>' in text) is warned


def test_the_warning_links_to_the_calendar_page_and_goes_once_the_plan_is_entered(app, world, on_day, runner, tmp_path):
    on_day(date(2026, 11, 27))
    admin = as_client(app, "admin")
    text = text_of(admin.get("/"))
    assert WARNING_2027 in text and '<a href="/admin/holidays/">去录入</a>' in text

    plan = tmp_path / "2027.csv"
    plan.write_text(PLAN_2027, encoding="utf-8")
    assert runner.invoke(args=["holidays", "import", str(plan), "--plan"]).exit_code == 0

    assert WARNING_2027 not in text_of(admin.get("/"))


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1"])
def test_only_admins_are_warned(app, world, on_day, username):
    on_day(date(2026, 11, 27))
    assert WARNING_2027 not in text_of(as_client(app, username).get("/"))
