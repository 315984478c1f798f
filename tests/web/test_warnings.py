"""The /warnings pages and JSON: who sees which warnings, filters, acknowledging, history, the dashboard."""

import pytest
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import RiskWarning
from tests.conftest import login
from tests.services.test_warnings import register
from tests.web.test_i18n import english, locale_per_request  # noqa: F401 (fixtures: the .po as it is now)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def warned(world):
    """A red warning in 斜沟村 (25 people), a yellow in 王家庄村 (6 people), a red one in 东岭乡 (群体性)."""
    own = register(world.staff, world.village, "赵六", people=25)
    other = register(world.staff, world.other_village, "钱七", people=6)
    far = register(world.far_staff, world.far_village, "孙八", group=True)
    return {"own": own, "other": other, "far": far}


def numbers_seen(client, **query):
    response = client.get("/warnings.json", query_string=query)
    assert response.status_code == 200
    return [case for item in response.get_json() for case in item["cases"]]


@pytest.mark.parametrize("username, sees", [
    ("mediator1", ["own"]), ("mediator2", ["other"]), ("staff", ["own", "other"]), ("leader", ["own", "other"]),
    ("farstaff", ["far"]), ("farmediator", ["far"]), ("admin", ["own", "far", "other"]),
])
def test_each_role_sees_the_warnings_of_its_reach(client, world, warned, username, sees):
    login(client, username)
    seen = numbers_seen(client)
    assert sorted(seen) == sorted(warned[k].number for k in sees)
    page = client.get("/warnings").get_data(as_text=True)
    for key, case in warned.items():
        assert (case.number in page) == (key in sees)


def test_the_json_lists_each_warning_highest_level_first(client, world, warned):
    login(client, "staff")
    items = client.get("/warnings.json").get_json()
    assert [i["level"] for i in items] == ["red", "yellow"]
    first = items[0]
    assert set(first) >= {"id", "level", "rule", "text", "cases", "people", "village", "since", "acknowledged_by",
                          "acknowledged_at"}
    assert first["rule"] == "many_people" and first["village"] == "斜沟村" and first["cases"] == [warned["own"].number]
    assert "赵六" in first["people"] and first["acknowledged_by"] is None
    assert first["text"] == f"{warned['own'].number}涉及25人。"


def test_filters_by_level_and_rule(client, world, warned):
    login(client, "staff")
    assert numbers_seen(client, level="yellow") == [warned["other"].number]
    assert numbers_seen(client, rule="repeat_party") == []
    assert sorted(numbers_seen(client, rule="many_people")) == sorted([warned["own"].number, warned["other"].number])


def _warning_of(case):
    return db.session.execute(select(RiskWarning).where(RiskWarning.subject == f"case:{case.id}")).scalar_one()


def test_staff_acknowledge_with_a_note_and_an_assignee_and_the_list_says_so(client, world, warned):
    login(client, "staff")
    warning = _warning_of(warned["own"])
    response = client.post(f"/warnings/{warning.id}", data={"note": "已安排走访", "assignee_id": world.mediator.id})
    assert response.status_code == 302
    item = next(i for i in client.get("/warnings.json").get_json() if i["id"] == warning.id)
    assert item["acknowledged_by"] == "刘明" and item["acknowledged_at"]
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert "已安排走访" in page and "王调解" in page and "刘明已知悉" in page


def test_acknowledging_without_a_note_is_refused_beside_the_field(client, world, warned):
    login(client, "staff")
    warning = _warning_of(warned["own"])
    response = client.post(f"/warnings/{warning.id}", data={"note": " "})
    assert response.status_code == 400 and "此项为必填项" in response.get_data(as_text=True)
    db.session.refresh(warning)
    assert warning.acknowledged_at is None


@pytest.mark.parametrize("username, status", [("mediator2", 404), ("farstaff", 404), ("admin", 403)])
def test_others_cannot_acknowledge(client, world, warned, username, status):
    login(client, username)
    warning = _warning_of(warned["own"])
    assert client.post(f"/warnings/{warning.id}", data={"note": "看过"}).status_code == status
    db.session.refresh(warning)
    assert warning.acknowledged_at is None


def test_a_mediator_acknowledges_their_villages_warning(client, world, warned):
    login(client, "mediator1")
    warning = _warning_of(warned["own"])
    assert client.post(f"/warnings/{warning.id}", data={"note": "已登门"}).status_code == 302
    db.session.refresh(warning)
    assert warning.acknowledged_by_id == world.mediator.id


def test_a_resolved_warning_leaves_the_list_for_the_history(client, world, warned):
    from casetrack import clock
    from casetrack.services import disputes

    today = clock.today()
    disputes.not_accept(warned["own"], world.staff, today, "属于法院专属管辖", None, today)
    db.session.commit()
    login(client, "staff")
    assert numbers_seen(client) == [warned["other"].number]
    history = client.get("/warnings.json", query_string={"view": "history"}).get_json()
    assert [i["cases"] for i in history] == [[warned["own"].number]] and history[0]["resolved_on"] == today.isoformat()
    assert warned["own"].number in client.get("/warnings?view=history").get_data(as_text=True)


def test_the_dashboard_counts_warnings_by_level(client, world, warned):
    login(client, "staff")
    page = client.get("/").get_data(as_text=True)
    assert 'class="warn-tile-red"><span class="num">1</span>' in page
    assert 'class="warn-tile-yellow"><span class="num">1</span>' in page
    assert 'class="warn-tile-blue"><span class="num">0</span>' in page


def test_an_admin_sets_thresholds_and_sensitive_periods_and_warnings_follow(client, world):
    case = register(world.staff, world.village, "赵六", people=4)
    assert numbers_seen_as(client, "staff") == []
    client.post("/auth/logout")
    login(client, "admin")
    page = client.get(f"/warnings/settings/{world.township.id}").get_data(as_text=True)
    assert 'value="5"' in page  # the default yellow threshold
    form = {"party_disputes": 3, "party_days": 180, "petitions": 3, "petition_months": 12, "people_yellow": 4,
            "people_red": 20, "surge_ratio": "2.0", "surge_minimum": 4, "surge_months": 6, "sensitive_lead_days": 7,
            "sensitive_periods": "全国两会,2027-03-03,2027-03-15"}
    assert client.post(f"/warnings/settings/{world.township.id}", data=form).status_code == 302
    db.session.refresh(world.township)
    assert world.township.settings["warning_people_yellow"] == 4
    assert world.township.settings["sensitive_periods"] == [
        {"name": "全国两会", "starts_on": "2027-03-03", "ends_on": "2027-03-15"}]
    client.post("/auth/logout")
    assert numbers_seen_as(client, "staff") == [case.number]  # re-judged at once by the new threshold


def test_a_bad_sensitive_period_is_refused_beside_the_field_and_nothing_is_saved(client, world):
    login(client, "admin")
    form = {"party_disputes": 3, "party_days": 180, "petitions": 3, "petition_months": 12, "people_yellow": 4,
            "people_red": 20, "surge_ratio": "2", "surge_minimum": 4, "surge_months": 6, "sensitive_lead_days": 7,
            "sensitive_periods": "全国两会,2027-03-03,2027-03-15\n国庆 10月1日"}
    response = client.post(f"/warnings/settings/{world.township.id}", data=form)
    assert response.status_code == 400 and "敏感时期第2行" in response.get_data(as_text=True)
    db.session.refresh(world.township)
    assert "warning_people_yellow" not in (world.township.settings or {})


@pytest.mark.parametrize("username", ["staff", "leader", "mediator1"])
def test_only_an_admin_changes_warning_settings(client, world, username):
    login(client, username)
    assert client.get(f"/warnings/settings/{world.township.id}").status_code == 403


def numbers_seen_as(client, username):
    login(client, username)
    return numbers_seen(client)


def test_a_mediator_sees_a_party_warning_of_their_village_without_the_other_villages_cases(client, world):
    from tests.services.test_warnings import OTHER_ID

    elsewhere = [register(world.staff, world.other_village, ("王五", OTHER_ID), days_ago=d) for d in (30, 20)]
    own = register(world.mediator, world.village, ("王五", OTHER_ID))
    login(client, "mediator1")
    (item,) = client.get("/warnings.json").get_json()
    assert item["rule"] == "repeat_party" and item["cases"] == [own.number]
    assert item["text"] == "王五在180天内涉及3起矛盾纠纷。"
    page = client.get("/warnings").get_data(as_text=True)
    assert own.number in page and "另有2件不在您的查看范围内" in page
    assert not any(case.number in page for case in elsewhere)
    assert OTHER_ID not in page


# --- the sentence as data (revision 0031) -----------------------------------------------------------------------

@pytest.mark.usefixtures("english")
def test_an_english_reader_reads_the_warning_and_its_history_in_english_and_the_json_keeps_chinese(
        client, world, warned):
    login(client, "staff")
    assert client.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    warning = _warning_of(warned["own"])
    assert client.post(f"/warnings/{warning.id}", data={"note": "已安排走访", "assignee_id": world.mediator.id}
                       ).status_code == 302
    number = warned["own"].number
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert f"<p>{number} involves 25 people.</p>" in page  # the card, and the history's raised line
    assert f"<span>{number} involves 25 people.</span>" in page
    assert "<span>刘明 acknowledged: 已安排走访; followed up by 王调解</span>" in page  # names and note as written
    assert f"{number}涉及25人" not in page
    assert f"<p>{number} involves 25 people.</p>" in client.get("/warnings").get_data(as_text=True)
    item = next(i for i in client.get("/warnings.json").get_json() if i["id"] == warning.id)
    assert item["text"] == f"{number}涉及25人。"  # files and the API keep Chinese
    client.post("/auth/language", data={"locale": "zh_Hans_CN", "next": "/"})


def test_a_warning_stored_as_prose_shows_as_written_until_the_refresh_gives_it_its_data(client, world, warned):
    from casetrack import clock
    from casetrack.models import WarningEvent
    from casetrack.services import warnings as warning_services

    warning = _warning_of(warned["own"])
    warning.params = None  # as revision 0031 leaves a warning raised before it
    for event in warning.events:
        event.params = None
    db.session.commit()
    login(client, "staff")
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert f'<p lang="zh">{warned["own"].number}涉及25人。</p>' in page
    warning_services.refresh_township(world.township, clock.today())
    db.session.commit()
    assert _warning_of(warned["own"]).params == {"number": warned["own"].number, "people": 25, "group": False}
    assert db.session.execute(select(WarningEvent).where(WarningEvent.warning_id == warning.id)).scalars().all() \
        == list(warning.events)  # no history line for gaining the data: nothing changed for a reader
    assert f'<p>{warned["own"].number}涉及25人。</p>' in client.get(f"/warnings/{warning.id}").get_data(as_text=True)
