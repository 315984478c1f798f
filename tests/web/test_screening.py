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
