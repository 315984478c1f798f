"""The dispute lifecycle through the web: every workflow action in every situation, as a user meets it.

An allowed action redirects to the case page, which shows the new state and the timeline entry. A refused
one answers 409 with the reason, and the database keeps the case exactly as it was.
"""

import re
from datetime import timedelta

import pytest

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.errors import InvalidTransition
from casetrack.services.timeline import chinese_sentence
from tests.conftest import login
from tests.factories import SITUATIONS, case_snapshot, make_case_in, make_dispute, timeline, workflow_links

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


# The workflow slugs, with the domain action each one takes (assign starts mediation from 已受理).
SLUG_ACTIONS = {
    "accept": wf.DisputeAction.ACCEPT,
    "not-accept": wf.DisputeAction.NOT_ACCEPT,
    "assign": wf.DisputeAction.START_MEDIATION,
    "conclude": wf.DisputeAction.CONCLUDE,
    "return-visit": wf.DisputeAction.FOLLOW_UP,
    "archive": wf.DisputeAction.ARCHIVE,
}

# Written out from domain.md: what each slug does in each situation (absent: refused).
EXPECTED = {
    "registered": {"accept": "accepted", "not-accept": "not_accepted"},
    "accepted": {"assign": "mediating"},
    "not_accepted": {"archive": "archived"},
    "mediating": {"assign": "mediating", "conclude": "concluded"},  # assign in mediation: re-assign
    "concluded-succeeded": {"return-visit": "visited"},
    "concluded-failed": {"archive": "archived"},
    "concluded-ended": {"archive": "archived"},
    "visited": {"return-visit": "visited", "archive": "archived"},
    "archived-succeeded": {},
    "archived-failed": {},
    "archived-not_accepted": {},
}
ALL = [(situation, slug) for situation in SITUATIONS for slug in SLUG_ACTIONS]
ALLOWED = [(s, slug) for s, slug in ALL if slug in EXPECTED[s]]
REFUSED = [(s, slug) for s, slug in ALL if slug not in EXPECTED[s]]


def action_body(slug: str, case, world) -> dict:
    """A POST body that passes the form's own validation, so only the workflow can refuse it."""
    today = clock.today().isoformat()
    bodies = {
        "accept": {"accepted_on": today},
        "not-accept": {"decided_on": today, "ground": "special_body", "reason": "属于人民法院专属管辖的事项",
                       "referred_to": "县人民法院"},
        "assign": {"mediator_ids": [str(world.mediator.id)]},
        "conclude": {"outcome": "failed", "closed_on": today, "channels_told": ["引导诉讼", "仲裁"],
                     "agreement_form": "", "end_reason": ""},
        "return-visit": {"visited_on": today, "performance": "partial", "satisfaction": "basically"},
        "archive": {"archived_on": today},
        "escalate": {"reason": "涉及人数多,村级调解难度大"},
        "investigation": {"noted_on": today, "place": "纠纷现场", "subject": "张三", "content": "查看院墙位置"},
        "session": {"held_on": today, "place": "村委会调解室", "mediators": "王调解", "attendees": "张三、李四",
                    "notes": "双方各自陈述意见"},
        "continuation": {"agreed_on": today, "until": (clock.today() + timedelta(days=14)).isoformat(),
                         "note": "双方同意延长两周"},
        "judicial-confirmation": {"applied_on": today, "court": "县人民法院"},
    }
    return {**bodies[slug], "version": str(case.version)}


def refusal_message(situation: str, slug: str) -> str:
    """The reason the domain gives for refusing this slug in this situation."""
    state, outcome = SITUATIONS[situation]
    state = wf.DisputeState(state)
    if slug == "assign":
        return f"当前状态为“{state.label}”,不能指派调解员。"
    with pytest.raises(InvalidTransition) as refused:
        wf.next_state(state, SLUG_ACTIONS[slug], wf.Outcome(outcome) if outcome else None)
    return str(refused.value)


def test_the_web_matrix_covers_every_situation_and_slug():
    assert set(EXPECTED) == set(SITUATIONS)
    assert len(ALLOWED) + len(REFUSED) == len(SITUATIONS) * len(SLUG_ACTIONS)


@pytest.mark.parametrize(("situation", "slug"), ALLOWED, ids=[f"{s}-{slug}" for s, slug in ALLOWED])
def test_allowed_action_redirects_to_the_case_in_its_new_state(client, world, situation, slug):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    login(client, "staff")
    assert client.get(f"/cases/{case.id}/{slug}").status_code == 200
    response = client.post(f"/cases/{case.id}/{slug}", data=action_body(slug, case, world))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    after = case_snapshot(case.id)
    assert after["status"] == EXPECTED[situation][slug]
    assert after["events"] == before["events"] + 1
    assert after["version"] == before["version"] + 1
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert wf.DisputeState(after["status"]).label in page
    assert chinese_sentence(timeline(case.id)[-1]) in page
    if before["status"] != after["status"]:
        old, new = wf.DisputeState(before["status"]).label, wf.DisputeState(after["status"]).label
        assert f"状态:{old} → {new}" in page


@pytest.mark.parametrize(("situation", "slug"), REFUSED, ids=[f"{s}-{slug}" for s, slug in REFUSED])
def test_refused_action_answers_409_with_the_reason_and_changes_nothing(client, world, situation, slug):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/{slug}", data=action_body(slug, case, world))
    assert response.status_code == 409
    assert refusal_message(situation, slug) in response.get_data(as_text=True)
    assert case_snapshot(case.id) == before


@pytest.mark.parametrize(("situation", "slug"), REFUSED, ids=[f"{s}-{slug}" for s, slug in REFUSED])
def test_refused_action_form_is_not_offered(client, world, situation, slug):
    case = make_case_in(world.staff, world.village, situation)
    login(client, "staff")
    response = client.get(f"/cases/{case.id}/{slug}")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    state = wf.DisputeState(SITUATIONS[situation][0])
    assert f"当前状态为“{state.label}”,不能“" in page
    assert "案件没有任何改动" in page
    assert f'href="/cases/{case.id}/{slug}"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


# What the case page offers the handling staff member in each situation, in the page's order: the step the case
# waits for first (its primary button), then the others in the workflow's order.
OFFERED = {
    "registered": ["accept", "not-accept", "escalate"],
    "accepted": ["assign", "investigation", "escalate"],
    "not_accepted": ["archive"],
    "mediating": ["session", "assign", "investigation", "continuation", "conclude", "escalate"],
    "concluded-succeeded": ["return-visit", "judicial-confirmation"],
    "concluded-failed": ["archive"],
    "concluded-ended": ["archive"],
    "visited": ["archive", "return-visit", "judicial-confirmation"],
    "archived-succeeded": [],
    "archived-failed": [],
    "archived-not_accepted": [],
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
def test_case_page_offers_exactly_the_actions_possible_now(client, world, situation):
    case = make_case_in(world.staff, world.village, situation)
    login(client, "staff")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    links = workflow_links(page, case.id)
    assert [slug for slug in links if slug != "edit"] == OFFERED[situation]
    assert ("edit" in links) is (not situation.startswith("archived"))


def test_whole_lifecycle_from_registration_to_archive_through_the_web(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    today = clock.today().isoformat()
    steps = [
        ("accept", {"accepted_on": today}, "已受理"),
        ("assign", {"mediator_ids": [str(world.mediator.id)]}, "调解中"),
        ("investigation", {"noted_on": today, "subject": "知情村民", "content": "查看院墙位置"}, "调解中"),
        ("session", {"held_on": today, "place": "村委会调解室", "mediators": "王调解", "attendees": "张三、李四",
                     "notes": "双方同意各让一步"}, "调解中"),
        ("conclude", {"outcome": "succeeded", "closed_on": today, "agreement_form": "written",
                      "agreement_terms": "李四于十日内拆除占道院墙", "performance_deadline": today,
                      "agreement_copies": "3", "end_reason": ""}, "已调结"),
        ("return-visit", {"visited_on": today, "performance": "performed", "satisfaction": "satisfied"}, "已回访"),
        ("judicial-confirmation", {"applied_on": today, "court": "县人民法院"}, "已回访"),
        ("archive", {"archived_on": today}, "已归档"),
    ]
    for slug, body, state_label in steps:
        version = case_snapshot(case.id)["version"]
        response = client.post(f"/cases/{case.id}/{slug}", data={**body, "version": str(version)})
        assert response.status_code == 302, (slug, response.get_data(as_text=True))
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert state_label in page, slug
    assert [e.action for e in timeline(case.id)] == [
        "register", "accept", "start_mediation", "investigation", "session", "conclude", "follow_up",
        "judicial_confirmation", "archive",
    ]
    assert all(e.actor_id == world.mediator.id for e in timeline(case.id)[1:])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    for shown in ("李四于十日内拆除占道院墙", "调解成功", "已履行", "县人民法院", "查看院墙位置", "双方同意各让一步",
                  "王调解"):
        assert shown in page


def test_failed_mediation_is_archived_without_a_visit(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    body = action_body("conclude", case, world)
    assert client.post(f"/cases/{case.id}/conclude", data=body).status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "调解不成" in page and "诉讼、仲裁" in page
    assert client.get(f"/cases/{case.id}/return-visit").status_code == 409
    version = case_snapshot(case.id)["version"]
    archived = {"archived_on": clock.today().isoformat(), "version": version}
    assert client.post(f"/cases/{case.id}/archive", data=archived).status_code == 302
    assert case_snapshot(case.id)["status"] == "archived"


def test_not_accepted_case_shows_reason_and_referral(client, world):
    case = make_dispute(world.staff, world.village)
    login(client, "staff")
    assert client.post(f"/cases/{case.id}/not-accept", data=action_body("not-accept", case, world)).status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "属于人民法院专属管辖的事项" in page
    assert "已告知当事人向县人民法院申请解决" in page


def test_escalation_through_the_web_goes_up_to_the_county_and_stops(client, world):
    case = make_dispute(world.staff, world.village)
    login(client, "staff")
    for level_label in ("乡", "县"):
        response = client.post(f"/cases/{case.id}/escalate", data=action_body("escalate", case_reload(case), world))
        assert response.status_code == 302
        assert f"处理层级:{level_label}" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    before = case_snapshot(case.id)
    refused = client.post(f"/cases/{case.id}/escalate", data=action_body("escalate", case_reload(case), world))
    assert refused.status_code == 409
    assert "案件已在县级处理,不能再上报升级" in refused.get_data(as_text=True)
    assert case_snapshot(case.id) == before
    assert client.get(f"/cases/{case.id}/escalate").status_code == 409


@pytest.mark.parametrize("situation", ["not_accepted", "concluded-failed", "visited", "archived-succeeded"])
def test_escalation_after_mediation_ended_is_refused_through_the_web(client, world, situation):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/escalate", data=action_body("escalate", case, world))
    assert response.status_code == 409
    assert "调解已结束,不能上报升级" in response.get_data(as_text=True)
    assert case_snapshot(case.id) == before


def test_mediator_hands_the_case_over_by_escalating_it(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    assert client.post(f"/cases/{case.id}/escalate", data=action_body("escalate", case, world)).status_code == 302
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert f'href="/cases/{case.id}/accept"' not in page.get_data(as_text=True)
    assert client.post(f"/cases/{case.id}/accept", data=action_body("accept", case_reload(case), world)).status_code == 403


@pytest.mark.parametrize(("situation", "slug", "message"), [
    # agreement 35 days ago: the window closed; an archived case still takes it, with a note on the delay
    ("archived-succeeded", "judicial-confirmation", "申请照常登记,请填写逾期说明后保存"),
    ("concluded-failed", "judicial-confirmation", "只有达成调解协议的案件可以申请司法确认"),
    ("registered", "session", "不能记录调解"),
    ("concluded-succeeded", "investigation", "不能记录调查"),
    ("registered", "continuation", "只有调解中的案件可以记录延续调解"),
])
def test_record_actions_posted_out_of_turn_are_refused(client, world, situation, slug, message):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/{slug}", data=action_body(slug, case, world))
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)
    assert case_snapshot(case.id) == before


def test_a_continuation_sets_the_agreed_date_and_a_second_one_moves_it(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    first = action_body("continuation", case, world)
    assert client.post(f"/cases/{case.id}/continuation", data=first).status_code == 302
    assert case_reload(case).due_on.isoformat() == first["until"]
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"双方当事人同意延续调解至{first['until']}" in page and "双方当事人约定的延续调解期限" in page
    later = (clock.today() + timedelta(days=30)).isoformat()
    again = client.post(f"/cases/{case.id}/continuation",
                        data={**action_body("continuation", case_reload(case), world), "until": later})
    assert again.status_code == 302
    assert case_reload(case).due_on.isoformat() == later


def test_a_continuation_without_the_agreed_date_is_refused_beside_the_field(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    before = case_snapshot(case.id)
    response = client.post(f"/cases/{case.id}/continuation",
                           data={**action_body("continuation", case, world), "until": ""})
    assert response.status_code == 400
    assert case_snapshot(case.id) == before


def test_timeline_shows_who_changed_what_from_what_to_what(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/edit", data={
        "natural_village_id": "", "dispute_type_id": str(case.dispute_type_id), "channel": "peoples",
        "people_involved": "5", "summary": case.summary, "risk_level": "serious", "version": str(case.version),
    })
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    entries = timeline_entries(page)  # newest first, as text
    assert entries[0].startswith("刘明 修改案件信息")
    assert "风险等级:一般 → 较大" in entries[0] and "涉及人数:2 → 5" in entries[0]
    assert entries[1].startswith("王调解 登记纠纷")


def timeline_entries(page: str) -> list[str]:
    """The case page's timeline entries as plain text, without their timestamps."""
    section = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    entries = []
    for chunk in section.split("<time ")[1:]:
        text = re.sub(r"<[^>]+>", " ", chunk.split("</time>", 1)[1])
        entries.append(" ".join(text.split()))
    return entries


def case_reload(case):
    """The case as the database has it now (its version moves with every change)."""
    from casetrack.extensions import db

    db.session.expire_all()
    return db.session.get(type(case), case.id)


def test_an_archived_agreement_shows_its_judicial_confirmation_window_and_takes_the_application_and_result(
        client, world):
    from html import unescape

    # registered 27 days ago: agreement 22 days ago, archived 2 days ago; the window (+30) is still open
    case = make_dispute(world.staff, world.village, state="archived", registered_on=clock.today() - timedelta(days=27))
    login(client, "staff")
    page = unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "司法确认申请期限" in page and "《人民调解法》第三十三条" in page
    assert f'href="/cases/{case.id}/judicial-confirmation"' in page
    response = client.post(f"/cases/{case.id}/judicial-confirmation", data={
        "applied_on": clock.today().isoformat(), "court": "县人民法院", "effective_on": "",
        "version": str(case.version)})
    assert response.status_code == 302
    response = client.post(f"/cases/{case.id}/court-result", data={
        "result": "rejected", "decided_on": clock.today().isoformat(), "version": str(case_reload(case).version)})
    assert response.status_code == 302
    page = unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert f"{clock.today().isoformat()} 申请 · 县人民法院 · 驳回({clock.today().isoformat()})" in page
    assert case_reload(case).judicial_confirmation_result == "rejected"
