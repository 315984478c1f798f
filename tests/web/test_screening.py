"""Screening rounds on the web: who may record them, nil reports on the board, findings turned into disputes."""

from datetime import timedelta

from sqlalchemy import func, select

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Dispute, ScreeningRound
from casetrack.services.places import dispute_types
from tests.conftest import login


def _round(client, **data):
    body = {"level": "village", "held_on": (clock.today() - timedelta(days=1)).isoformat(), "screeners": "王调解",
            "findings-0-description": "", "notes": ""}
    body.update(data)
    return client.post("/screening/new", data=body)


def _rounds() -> int:
    return db.session.execute(select(func.count()).select_from(ScreeningRound)).scalar_one()


def test_a_mediator_records_a_nil_report_for_their_village_and_the_board_shows_it(client, world):
    login(client, "mediator1")
    response = _round(client, village_id=world.village.id)
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "零上报" in detail
    board = client.get("/screening/board").get_data(as_text=True)
    assert world.village.name in board and world.other_village.name not in board


def test_a_mediator_cannot_record_a_round_for_another_village_or_the_township(client, world):
    login(client, "mediator1")
    before = _rounds()
    assert _round(client, village_id=world.other_village.id).status_code in (400, 403)
    assert _round(client, level="township").status_code in (400, 403)
    assert _rounds() == before


def test_staff_record_a_township_round_and_turn_a_finding_into_a_dispute(client, world):
    login(client, "staff")
    response = _round(client, level="township", **{"findings-0-description": "张家与李家因水渠发生争执",
                                                    "findings-0-is_dispute": "y"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    register = detail.split('href="/screening/findings/')[1].split('"')[0]
    type_id = dispute_types(world.township.id)[1].id
    created = client.post(f"/screening/findings/{register}", data={
        "village_id": world.village.id, "dispute_type_id": type_id, "applicants": "张三、张四",
        "respondents": "李五", "summary": "水渠争执"})
    assert created.status_code == 302
    dispute = db.session.execute(select(Dispute)).scalar_one()
    assert dispute.source == "initiative" and dispute.screening_round_id is not None
    assert len(dispute.parties) == 3


def test_a_missed_week_shows_on_the_board_and_lowers_the_rate(client, world):
    login(client, "staff")
    start = clock.today() - timedelta(days=clock.today().weekday() + 14)  # the Monday two weeks back
    _round(client, village_id=world.village.id, held_on=start.isoformat())
    board = client.get(f"/screening/board?start={start.isoformat()}&end={(start + timedelta(days=13)).isoformat()}")
    text = board.get_data(as_text=True)
    assert board.status_code == 200
    assert "未排查" in text and "已排查" in text


def test_a_leader_reads_the_board_but_records_nothing(client, world):
    login(client, "leader")
    assert client.get("/screening/board").status_code == 200
    assert client.get("/screening/new").status_code == 403


# --- one round per village and period; the list paged by month ------------------------------------------------

def _last_week() -> tuple:
    """The Monday and the Wednesday of last week: both past, in one village week."""
    monday = clock.today() - timedelta(days=clock.today().weekday() + 7)
    return monday, monday + timedelta(days=2)


def test_a_second_round_for_the_same_village_and_week_is_refused_beside_the_date_with_a_link(client, world):
    login(client, "mediator1")
    monday, wednesday = _last_week()
    first = _round(client, village_id=world.village.id, held_on=monday.isoformat())
    assert first.status_code == 302
    first_url = first.headers["Location"]
    before = _rounds()

    second = _round(client, village_id=world.village.id, held_on=wednesday.isoformat(), screeners="李调解",
                    **{"findings-0-description": "两户争水"})
    assert second.status_code == 400
    html = second.get_data(as_text=True)
    error = html.split('id="held_on-error"')[1].split("</p>")[0]
    assert (f"斜沟村在本排查周期({monday.isoformat()}至{(monday + timedelta(days=6)).isoformat()})"
            f"已于{monday.isoformat()}记录过排查,每个周期只记录一次。") in error
    assert f'href="{first_url}"' in error and "查看本周期已记录的排查" in error
    assert 'value="李调解"' in html and "两户争水" in html  # what was typed stays
    assert _rounds() == before  # nothing saved, findings neither

    assert _round(client, village_id=world.village.id,
                  held_on=(monday + timedelta(days=7)).isoformat()).status_code == 302  # the next week is free
    client.post("/auth/logout")
    login(client, "mediator2")  # another village's week is its own
    assert _round(client, village_id=world.other_village.id, held_on=wednesday.isoformat()).status_code == 302


def test_a_second_township_round_in_the_same_half_month_is_refused(client, world):
    login(client, "staff")
    today = clock.today()
    first_day = today.replace(day=1) if today.day <= 15 else today.replace(day=16)
    assert _round(client, level="township", held_on=first_day.isoformat()).status_code == 302
    second = _round(client, level="township", held_on=today.isoformat())
    assert second.status_code == 400
    assert "斜沟乡在本排查周期" in second.get_data(as_text=True)
    assert _rounds() == 1
    assert _round(client, village_id=world.village.id, held_on=today.isoformat()).status_code == 302  # a village's


def _month_key(day) -> str:
    return day.strftime("%Y-%m")


def test_the_list_shows_this_month_by_default_and_pages_by_month_keeping_the_filters(client, world):
    from casetrack.services import screening

    today = clock.today()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    screening.record_round(world.staff, world.township, "village", world.village.id, this_month, "王调解", [], today)
    screening.record_round(world.staff, world.township, "village", world.other_village.id, last_month, "赵调解",
                           [], today)
    screening.record_round(world.staff, world.township, "township", None, last_month, "孙排查", [], today)
    db.session.commit()
    login(client, "staff")

    page = client.get("/screening").get_data(as_text=True)
    assert "王调解" in page and "赵调解" not in page and "孙排查" not in page
    assert f'value="{_month_key(this_month)}"' in page
    assert 'rel="next"' not in page  # no month after this one
    previous = page.split('rel="prev"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert f"month={_month_key(last_month)}" in previous

    older = client.get(f"/screening?month={_month_key(last_month)}").get_data(as_text=True)
    assert "赵调解" in older and "孙排查" in older and "王调解" not in older

    filtered = client.get(f"/screening?month={_month_key(last_month)}&level=village").get_data(as_text=True)
    assert "赵调解" in filtered and "孙排查" not in filtered
    links = [filtered.split(f'rel="{rel}"')[0].rsplit('href="', 1)[1].split('"')[0] for rel in ("prev", "next")]
    assert all("level=village" in link for link in links), links
    assert f"month={_month_key(this_month)}" in links[1]

    by_village = client.get(f"/screening?month={_month_key(last_month)}&village={world.other_village.id}")
    assert "赵调解" in by_village.get_data(as_text=True) and "孙排查" not in by_village.get_data(as_text=True)
    assert "王调解" in client.get("/screening?month=nonsense").get_data(as_text=True)  # unreadable: this month


def test_a_mediator_pages_only_their_own_villages_rounds(client, world):
    from casetrack.services import screening

    today = clock.today()
    screening.record_round(world.staff, world.township, "village", world.other_village.id, today, "赵调解", [], today)
    screening.record_round(world.staff, world.township, "village", world.village.id, today, "王调解", [], today)
    db.session.commit()
    login(client, "mediator1")
    page = client.get(f"/screening?village={world.other_village.id}").get_data(as_text=True)
    assert "赵调解" not in page
    assert "王调解" in client.get("/screening").get_data(as_text=True)
