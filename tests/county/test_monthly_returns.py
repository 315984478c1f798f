"""Monthly returns (月报): submit → send back → resubmit → accept, every version kept; figures frozen as at the
month's end and equal to the township's own monthly report; nil returns, lateness, and the county's view."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain.periods import Period
from casetrack.extensions import db
from casetrack.models import MonthlyReturn, Role
from casetrack.services import accounts, counties
from casetrack.services import monthly_returns as mr
from tests.conftest import PASSWORD, login
from tests.factories import make_dispute

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

MONTH = Period.of_month(2026, 11)


@pytest.fixture
def on_day(monkeypatch):
    """Move the clock to a day (Beijing) for the rest of the test."""
    def move(day: date):
        monkeypatch.setenv(clock.TEST_TODAY_VARIABLE, day.isoformat())
    return move


@pytest.fixture
def november(county_world, on_day):
    """Two disputes of 斜沟乡 in November 2026; the clock on 3 December, within the due day."""
    on_day(date(2026, 12, 3))
    w = county_world.base
    make_dispute(w.staff, w.village, state="accepted", registered_on=date(2026, 11, 10))
    make_dispute(w.staff, w.village, state="concluded", outcome="succeeded", registered_on=date(2026, 11, 12))
    return county_world


def _as(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _rows():
    db.session.expire_all()
    return list(db.session.execute(select(MonthlyReturn).order_by(MonthlyReturn.version)).scalars())


def test_submit_send_back_resubmit_accept_keeps_every_version(app, november):
    staff, county = _as(app, "staff"), _as(app, "countyuser")
    assert staff.post("/returns/2026/11/submit", data={"note": ""}).status_code == 302
    first = _rows()[0]
    assert (first.version, first.status, first.late) == (1, "submitted", False)

    page = county.get(f"/returns/{first.id}").get_data(as_text=True)
    assert "接收" in page and "退回" in page
    assert county.post(f"/returns/{first.id}/send-back", data={"reason": " "}).status_code == 400
    assert _rows()[0].status == "submitted"  # refused: nothing changed
    assert county.post(f"/returns/{first.id}/send-back", data={"reason": "调处数与台账不符"}).status_code == 302
    assert _rows()[0].status == "sent_back"
    own = staff.get("/returns").get_data(as_text=True)
    assert "调处数与台账不符" in own and "重新报送" in own

    assert staff.post("/returns/2026/11/submit", data={"note": "已核对台账"}).status_code == 302
    assert [(r.version, r.status) for r in _rows()] == [(1, "sent_back"), (2, "submitted")]
    second = _rows()[1]
    assert county.post(f"/returns/{first.id}/accept").status_code == 303  # an old version is not reviewed again
    assert county.post(f"/returns/{second.id}/accept").status_code == 302
    assert [(r.version, r.status, r.review_reason) for r in _rows()] == [
        (1, "sent_back", "调处数与台账不符"), (2, "accepted", None)]
    staff.post("/returns/2026/11/submit", data={"note": ""})
    assert len(_rows()) == 2  # accepted: no further version
    history = county.get(f"/returns/{second.id}").get_data(as_text=True)
    assert "第1版" in history and "第2版" in history and "已核对台账" in history


def test_the_return_holds_the_township_monthly_report_frozen_once_accepted(app, november):
    w = november.base
    row = mr.submit(w.township, MONTH, w.staff, clock.today())
    own = _as(app, "staff").get("/reports/2026/11.json").get_json()
    assert row.figures == own and row.figures["disputes"]["registered"] == 2
    mr.accept(row, november.county_user)
    db.session.commit()
    make_dispute(w.staff, w.village, state="accepted", registered_on=date(2026, 11, 20))  # a late entry
    db.session.expire_all()
    assert db.session.get(MonthlyReturn, row.id).figures["disputes"]["registered"] == 2
    assert _as(app, "staff").get("/reports/2026/11.json").get_json()["disputes"]["registered"] == 3


def test_a_month_with_nothing_is_a_nil_return(app, november):
    w = november.base
    row = mr.submit(w.other_township, MONTH, w.far_staff, clock.today())
    assert row.nil_return and row.figures["nil_return"] is True and "零报告" in row.figures["text"]


def test_a_return_after_the_fifth_is_late_and_the_county_sees_who_has_not_submitted(app, november, on_day):
    on_day(date(2026, 12, 8))
    w = november.base
    late = mr.submit(w.township, MONTH, w.staff, clock.today())
    db.session.commit()
    assert late.late
    html = _as(app, "countyuser").get("/county/2026?month=11").get_data(as_text=True)
    assert f'data-township="{w.township.id}"' in html
    row = html[html.index(f'data-township="{w.township.id}"'):]
    assert 'data-return="submitted"' in row[:row.index("</tr>")] and "逾期" in row[:row.index("</tr>")]
    other = html[html.index(f'data-township="{w.other_township.id}"'):]
    assert 'data-return="late"' in other[:other.index("</tr>")] and "逾期未报" in other[:other.index("</tr>")]


def test_sent_back_shows_on_the_county_table(app, november):
    w = november.base
    row = mr.submit(w.township, MONTH, w.staff, clock.today())
    mr.send_back(row, november.county_user, "请补报排查情况")
    db.session.commit()
    html = _as(app, "countyuser").get("/county/2026?month=11").get_data(as_text=True)
    assert 'data-return="sent_back"' in html and "已退回" in html


def test_the_month_must_have_ended(app, november):
    w = november.base
    with pytest.raises(Exception, match="尚未结束"):
        mr.submit(w.township, Period.of_month(2026, 12), w.staff, clock.today())
    client = _as(app, "staff")
    client.post("/returns/2026/12/submit", data={"note": ""})
    assert _rows() == []


def test_only_the_own_county_reviews_and_only_staff_submit(app, november):
    w = november.base
    row = mr.submit(w.township, MONTH, w.staff, clock.today())
    other = counties.add_county("邻县", ["南川乡"])
    accounts.add_user("neighbour", PASSWORD, Role.COUNTY, county=other)
    db.session.commit()
    assert _as(app, "neighbour").post(f"/returns/{row.id}/accept").status_code == 404
    assert _as(app, "staff").post(f"/returns/{row.id}/accept").status_code == 403
    assert _as(app, "farstaff").get(f"/returns/{row.id}").status_code == 404
    assert _as(app, "leader").get(f"/returns/{row.id}").status_code == 200
    assert _as(app, "mediator1").get("/returns").status_code == 403
    assert _as(app, "countyuser").get("/returns").status_code == 403
    assert _rows()[0].status == "submitted"


def test_due_day_is_the_fifth_of_the_next_month():
    assert mr.due_on(MONTH) == date(2026, 12, 5)
    assert mr.due_on(Period.of_month(2026, 12)) == date(2027, 1, 5)
    assert mr.previous_month(date(2027, 1, 3)) == Period.of_month(2026, 12)
    assert mr.due_on(Period.of_month(2026, 2)) - timedelta(days=5) == date(2026, 2, 28)
