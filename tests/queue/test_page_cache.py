"""A worker keeps a queue page's content between reads, under the same change stamps as its counts: a page read
again is served without querying the cases, and anything the page shows that changes (a case, a village's
name, an account, a holiday) makes the next read render afresh. What is kept is never another person's: each
session gets its own CSRF token and its own messages."""

import re
from datetime import date

import pytest
from sqlalchemy import event, text

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Village
from casetrack.services import places

from . import browse_as, dispute, read_queue

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def case(world):
    return dispute(world.staff, world.village, date(2026, 10, 8))


@pytest.fixture
def case_reads(app):
    """How many statements read the disputes table while listening."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if "FROM disputes" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listen)


def test_a_page_read_again_does_not_query_the_cases(app, world, case, case_reads):
    client = browse_as(app, "staff")
    first = client.get("/queue").get_data(as_text=True)
    assert case_reads
    case_reads.clear()
    again = client.get("/queue").get_data(as_text=True)
    assert not case_reads
    assert TOKEN.sub("", again) == TOKEN.sub("", first) and case.number in again


@pytest.mark.parametrize("how", ["service", "raw sql"])
def test_a_renamed_village_shows_on_the_next_read(app, world, case, how):
    client = browse_as(app, "staff")
    assert world.village.name in client.get("/queue").get_data(as_text=True)
    if how == "service":
        places.rename_village(db.session.get(Village, world.village.id), "新光村")
    else:
        db.session.execute(text("UPDATE villages SET name = '新光村' WHERE id = :id"), {"id": world.village.id})
    db.session.commit()
    page = read_queue(client)
    assert case.number in page.numbers
    assert "新光村" in client.get("/queue").get_data(as_text=True)


def _session_tokens(page: str) -> set[str]:
    """The raw tokens behind the page's CSRF fields (a signed token is the session's raw token, a timestamp
    and a signature: the same session signs afresh each second)."""
    return {token.split(".")[0] for token in TOKEN.findall(page)}


def test_each_session_gets_its_own_csrf_token_in_a_kept_page(app, world, case):
    one, two = browse_as(app, "staff"), browse_as(app, "staff")
    first, second = one.get("/queue").get_data(as_text=True), two.get("/queue").get_data(as_text=True)
    assert len(TOKEN.findall(second)) > 1  # the bulk form and the saved-view form
    assert len(_session_tokens(first)) == 1 and len(_session_tokens(second)) == 1
    assert _session_tokens(first) != _session_tokens(second)  # the kept page, with the second session's own
    assert "casetrack-csrf" not in second
    assert _session_tokens(one.get("/queue").get_data(as_text=True)) == _session_tokens(first)


def test_people_of_one_township_do_not_share_a_page(app, world, case):
    staff, leader = browse_as(app, "staff"), browse_as(app, "leader")
    assert 'name="ids"' in staff.get("/queue").get_data(as_text=True)  # staff act in bulk
    assert 'name="ids"' not in leader.get("/queue").get_data(as_text=True)  # the same address, a leader's page


def test_a_message_still_shows_above_a_kept_page(app, world, case):
    client = browse_as(app, "staff")
    client.get("/queue")
    refused = client.get("/queue", query_string={"q": "13812345678"})
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "请勿在搜索中输入身份证号码或电话号码" in page and case.number in page


def test_the_page_cache_can_be_turned_off(app, world, case, case_reads):
    app.config["QUEUE_PAGE_CACHE"] = False  # CASETRACK_QUEUE_PAGE_CACHE=false
    client = browse_as(app, "staff")
    client.get("/queue")
    case_reads.clear()
    assert case.number in client.get("/queue").get_data(as_text=True)
    assert case_reads  # rendered afresh


def test_cases_imported_from_a_ledger_show_on_the_next_read(app, world, case, tmp_path):
    """The import writes in bulk (COPY on PostgreSQL, the driver's executemany on SQLite), past the ORM."""
    from casetrack.ledger.importing import apply_plan, plan_import
    from tests.ledger.helpers import dispute as ledger_row
    from tests.ledger.helpers import ledger

    client = browse_as(app, "staff")
    assert read_queue(client).numbers == [case.number]
    path = ledger(tmp_path / "台账.xlsx", [ledger_row(编号=f"({clock.today().year - 1})斜调字第900号")])
    plan = plan_import(path, township=world.township)
    assert not plan.errors
    apply_plan(plan, world.staff)
    db.session.commit()
    assert sorted(read_queue(client).numbers) == sorted([case.number, f"({clock.today().year - 1})斜调字第900号"])
