"""Township review: send back for correction (退回补正) until the mediator marks it corrected, with both notes in
the timeline; merging a duplicate into its original, keeping both timelines and leaving the queue and the
figures; and the duplicate candidates found by name with village, ID number or phone, within one township."""

from datetime import date

import pytest
from lxml import html as lxml_html

from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import review
from casetrack.services.timeline import chinese_sentence

from . import VALID_ID, VALID_PHONE, browse_as, days, dispute, events, read_queue, snapshot

NOTE = "调解笔录缺双方签字,请补充后再报"
FIX = "已补充双方签字的调解笔录"


@pytest.fixture
def village_case(world) -> Dispute:
    """A case of 斜沟村, mediated at village level by its mediator."""
    return dispute(world.mediator, world.village, date(2026, 10, 12), state="mediating", due=days(15),
                   mediators=[world.mediator])


def _returned_on_dashboard(client) -> list[str]:
    tree = lxml_html.fromstring(client.get("/").get_data(as_text=True))
    sections = [s for s in tree.xpath("//section[h2]") if s.xpath("string(h2)") == "退回补正"]
    return [li.text_content().strip() for li in sections[0].xpath(".//li")] if sections else []


def _send_back(client, case, note=NOTE):
    return client.post(f"/cases/{case.id}/send-back", data={"note": note, "version": str(snapshot(case.id)["version"])})


def test_a_case_sent_back_stays_on_the_mediators_list_until_marked_corrected(app, world, village_case):
    staff, mediator = browse_as(app, "staff"), browse_as(app, "mediator1")
    assert staff.get(f"/cases/{village_case.id}/send-back").status_code == 200
    response = _send_back(staff, village_case)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{village_case.id}")

    db.session.expire_all()
    case = db.session.get(Dispute, village_case.id)
    assert case.returned_note == NOTE and case.returned_by_id == world.staff.id and case.returned_at is not None

    for client in (mediator, staff):
        page = read_queue(client, tab="returned")
        assert page.numbers == [case.number] and page.counts["returned"] == 1
        assert _returned_on_dashboard(client) == [f"{case.number} · 斜沟村:{NOTE}"]
    assert "退回补正" in read_queue(mediator).html  # marked in the list itself
    detail = mediator.get(f"/cases/{case.id}").get_data(as_text=True)
    assert NOTE in detail and f"/cases/{case.id}/corrected" in detail
    other = browse_as(app, "mediator2")
    assert read_queue(other, tab="returned").numbers == [] and _returned_on_dashboard(other) == []

    # still on the list after other work on the case: only marking it corrected takes it off
    from casetrack.services import disputes as dispute_services

    dispute_services.record_investigation(case, world.mediator, days(-1), "再次走访双方当事人", days(0))
    db.session.commit()
    assert read_queue(mediator, tab="returned").numbers == [case.number]

    assert mediator.get(f"/cases/{case.id}/corrected").status_code == 200
    response = mediator.post(f"/cases/{case.id}/corrected", data={"note": FIX, "version": str(snapshot(case.id)["version"])})
    assert response.status_code == 302
    for client in (mediator, staff):
        page = read_queue(client, tab="returned")
        assert page.numbers == [] and page.counts["returned"] == 0
        assert _returned_on_dashboard(client) == []
    assert snapshot(case.id)["returned_note"] is None

    timeline = events(case)
    sent = [e for e in timeline if e.action == "send_back"]
    fixed = [e for e in timeline if e.action == "corrected"]
    assert [chinese_sentence(e) for e in sent] == [f"退回补正:{NOTE}"] and sent[0].actor_id == world.staff.id
    assert [chinese_sentence(e) for e in fixed] == [f"已补正:{FIX}"] and fixed[0].actor_id == world.mediator.id
    assert fixed[0].changes == {"returned_note": [NOTE, None]}  # the note sent back stays readable
    assert timeline.index(sent[0]) < timeline.index(fixed[0])
    page = staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"退回补正:{NOTE}" in page and f"已补正:{FIX}" in page


def test_it_can_be_sent_back_again_after_correction_and_not_twice_at_once(app, world, village_case):
    staff, mediator = browse_as(app, "staff"), browse_as(app, "mediator1")
    assert _send_back(staff, village_case).status_code == 302
    response = _send_back(staff, village_case, "再退一次")
    assert response.status_code == 409
    assert "该案件已退回补正,尚未补正完毕。" in response.get_data(as_text=True)
    assert snapshot(village_case.id)["returned_note"] == NOTE
    mediator.post(f"/cases/{village_case.id}/corrected", data={"note": ""})
    assert [chinese_sentence(e) for e in events(village_case) if e.action == "corrected"] == ["已补正"]
    assert _send_back(staff, village_case, "协议条款仍不明确").status_code == 302
    assert snapshot(village_case.id)["returned_note"] == "协议条款仍不明确"
    assert len([e for e in events(village_case) if e.action == "send_back"]) == 2


def test_sending_back_needs_a_note_and_an_unarchived_case(app, world, village_case):
    staff = browse_as(app, "staff")
    before = snapshot(village_case.id)
    assert _send_back(staff, village_case, "").status_code == 400
    assert snapshot(village_case.id) == before
    archived = dispute(world.staff, world.village, date(2025, 2, 1), state="archived", outcome="failed")
    response = _send_back(staff, archived)
    assert response.status_code == 409 and "已归档的案件不能退回补正。" in response.get_data(as_text=True)
    assert snapshot(archived.id)["returned_note"] is None


def test_marking_corrected_when_nothing_was_sent_back_is_refused(app, world, village_case):
    response = browse_as(app, "mediator1").post(f"/cases/{village_case.id}/corrected", data={"note": "x"})
    assert response.status_code == 409 and "该案件没有待补正的内容。" in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "status"), [
    ("mediator1", 403), ("mediator2", 404), ("leader", 403), ("admin", 403), ("farstaff", 404),
])
def test_only_the_townships_staff_send_back(app, world, village_case, username, status):
    before = snapshot(village_case.id)
    client = browse_as(app, username)
    assert client.get(f"/cases/{village_case.id}/send-back").status_code == status
    assert _send_back(client, village_case).status_code == status
    assert snapshot(village_case.id) == before


@pytest.mark.parametrize(("username", "status"), [("leader", 403), ("mediator2", 404), ("farstaff", 404)])
def test_only_the_villages_mediator_or_staff_mark_corrected(app, world, village_case, username, status):
    review.send_back(village_case, world.staff, NOTE)
    db.session.commit()
    before = snapshot(village_case.id)
    response = browse_as(app, username).post(f"/cases/{village_case.id}/corrected", data={"note": FIX})
    assert response.status_code == status
    assert snapshot(village_case.id) == before


def test_the_mediator_marks_corrected_even_once_the_case_is_handled_at_township_level(app, world):
    case = dispute(world.staff, world.village, date(2026, 10, 1), state="mediating", due=days(11), level="township")
    review.send_back(case, world.staff, NOTE)
    db.session.commit()
    assert read_queue(browse_as(app, "mediator1"), tab="returned").numbers == [case.number]
    response = browse_as(app, "mediator1").post(f"/cases/{case.id}/corrected", data={"note": FIX})
    assert response.status_code == 302 and snapshot(case.id)["returned_note"] is None


# ---------------------------------------------------------------- merge

@pytest.fixture
def pair(world):
    original = dispute(world.staff, world.village, date(2026, 10, 1), state="mediating", due=days(4))
    duplicate = dispute(world.mediator, world.village, date(2026, 10, 3))  # the same parties, registered again
    return original, duplicate


def _registered(client, year=2026) -> int:
    return client.get(f"/reports/{year}.json").get_json()["disputes"]["registered"]


def _merge(client, duplicate, number):
    return client.post(f"/cases/{duplicate.id}/merge",
                       data={"original": number, "version": str(snapshot(duplicate.id)["version"])})


def test_merging_a_duplicate_keeps_both_timelines_and_takes_it_out_of_the_queue_and_figures(app, world, pair):
    original, duplicate = pair
    staff = browse_as(app, "staff")
    assert duplicate.number in read_queue(staff).numbers
    registered_before = _registered(staff)
    original_events, duplicate_events = len(events(original)), len(events(duplicate))

    assert staff.get(f"/cases/{duplicate.id}/merge").status_code == 200
    response = _merge(staff, duplicate, f"  {original.number} ")
    assert response.status_code == 302

    assert snapshot(duplicate.id)["merged_into_id"] == original.id
    dup_timeline, orig_timeline = events(duplicate), events(original)
    assert len(dup_timeline) == duplicate_events + 1 and len(orig_timeline) == original_events + 1
    assert dup_timeline[-1].action == "merged"
    assert chinese_sentence(dup_timeline[-1]) == f"作为重复登记合并到 {original.number}"
    assert orig_timeline[-1].action == "merged_in"
    assert chinese_sentence(orig_timeline[-1]) == f"重复登记的 {duplicate.number} 已合并到本案"
    assert dup_timeline[0].action == "register"  # the duplicate's own history is all still there

    for username in ("staff", "leader", "mediator1", "admin"):
        client = browse_as(app, username)
        page = read_queue(client)
        assert duplicate.number not in page.numbers and original.number in page.numbers
        assert read_queue(client, q=duplicate.number).numbers == []
        assert page.counts["pending"] == 0
    assert _registered(staff) == registered_before - 1

    detail = staff.get(f"/cases/{duplicate.id}").get_data(as_text=True)  # still readable, and says where it went
    assert "本案作为重复登记已合并到" in detail and original.number in detail
    assert f"重复登记的 {duplicate.number} 已合并到本案" in staff.get(f"/cases/{original.id}").get_data(as_text=True)


def test_a_merge_is_refused_when_it_makes_no_sense(app, world, pair):
    original, duplicate = pair
    staff = browse_as(app, "staff")
    far = dispute(world.far_staff, world.far_village, date(2026, 10, 1))
    concluded = dispute(world.staff, world.village, date(2026, 5, 1), state="concluded", outcome="failed")
    before = snapshot(duplicate.id)
    refusals = [
        (duplicate, duplicate.number, "不能把案件合并到它自己。"),
        (duplicate, "(2026)斜调字第999号", "本乡镇没有编号为“(2026)斜调字第999号”的案件。"),
        (duplicate, far.number, f"本乡镇没有编号为“{far.number}”的案件。"),  # another township's case
        (concluded, original.number, "只有尚未调结的案件可以作为重复登记合并。"),
    ]
    for case, number, message in refusals:
        response = _merge(staff, case, number)
        assert response.status_code == 409, message
        assert message in response.get_data(as_text=True)
    assert snapshot(duplicate.id) == before

    assert _merge(staff, duplicate, original.number).status_code == 302
    third = dispute(world.staff, world.village, date(2026, 10, 20))
    response = _merge(staff, third, duplicate.number)
    assert response.status_code == 409
    assert f"{duplicate.number} 本身已合并到其他案件,请合并到最初的案件。" in response.get_data(as_text=True)
    response = _merge(staff, duplicate, original.number)
    assert response.status_code == 409  # a merged duplicate takes no action at all, as on every action page
    assert f"本案作为重复登记已合并到 {original.number},不能再办理" in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "status"), [("mediator1", 403), ("leader", 403), ("admin", 403),
                                                  ("farstaff", 404)])
def test_only_the_townships_staff_merge(app, world, pair, username, status):
    original, duplicate = pair
    before = snapshot(duplicate.id)
    assert _merge(browse_as(app, username), duplicate, original.number).status_code == status
    assert snapshot(duplicate.id) == before


# ---------------------------------------------------------------- duplicate candidates

@pytest.fixture
def parties(world):
    s = world.staff
    return {
        "open": dispute(s, world.village, date(2026, 10, 1), state="mediating", due=days(5), applicant="张三"),
        "other_village": dispute(s, world.other_village, date(2026, 10, 5), applicant="张三", respondent="钱七",
                                 id_number=None, phone=None),
        "concluded": dispute(s, world.village, date(2026, 3, 1), state="concluded", outcome="failed", applicant="张三"),
        "archived": dispute(s, world.village, date(2025, 3, 1), state="archived", outcome="failed"),
        "far": dispute(world.far_staff, world.far_village, date(2026, 10, 1), applicant="张三"),
    }


def _ids(found) -> list[int]:
    return [case.id for case in found]


def test_candidates_by_name_are_in_the_same_village(world, parties):
    p = parties
    assert _ids(review.duplicate_candidates(world.village.id, ["张三"], [], [])) == [p["open"].id]
    assert _ids(review.duplicate_candidates(world.other_village.id, [" 张三 "], [], [])) == [p["other_village"].id]
    assert _ids(review.duplicate_candidates(world.other_village.id, ["钱七"], [], [])) == [p["other_village"].id]
    assert review.duplicate_candidates(world.village.id, ["钱七"], [], []) == []  # the name, but another village


def test_candidates_by_id_number_or_phone_are_anywhere_in_the_township(world, parties):
    p = parties
    assert _ids(review.duplicate_candidates(world.other_village.id, ["赵六"], [VALID_ID.lower()], [])) == [p["open"].id]
    assert _ids(review.duplicate_candidates(world.other_village.id, [], [], [f" {VALID_PHONE} "])) == [p["open"].id]
    both = review.duplicate_candidates(world.other_village.id, ["张三"], [VALID_ID], [VALID_PHONE])
    assert _ids(both) == [p["other_village"].id, p["open"].id]  # once each, the latest registration first


def test_candidates_never_come_from_another_township_closed_or_merged_cases(world, parties):
    p = parties
    found = review.duplicate_candidates(world.village.id, ["张三"], [VALID_ID], [VALID_PHONE])
    assert _ids(found) == [p["open"].id]  # not 东岭乡's 张三 with the same ID and phone; not the concluded one
    assert _ids(review.duplicate_candidates(world.far_village.id, [], [VALID_ID], [])) == [p["far"].id]
    assert review.duplicate_candidates(world.village.id, ["张三"], [], [], exclude_id=p["open"].id) == []
    again = dispute(world.staff, world.village, date(2026, 10, 7), applicant="张三")
    review.merge(again, p["open"], world.staff)
    db.session.commit()
    assert _ids(review.duplicate_candidates(world.village.id, ["张三"], [], [])) == [p["open"].id]


def test_no_party_details_no_candidates(world, parties):
    assert review.duplicate_candidates(world.village.id, ["", "  "], [], [""]) == []
    assert review.duplicate_candidates(987654, ["张三"], [], []) == []


def test_responsibility_is_refused_on_an_archived_case_even_when_posted_directly(app, world):
    """明确包案责任 is offered while a case is handled; a form posted for an archived case changes nothing (409)."""
    archived = dispute(world.staff, world.village, date(2026, 5, 1), state="archived", outcome="failed")
    before = snapshot(archived.id)
    staff = browse_as(app, "staff")
    assert staff.get(f"/cases/{archived.id}/responsibility").status_code == 409
    response = staff.post(f"/cases/{archived.id}/responsibility",
                          data={"unit": "乡司法所", "leader": "李乡长", "person": "刘明", "version": before["version"]})
    assert response.status_code == 409 and "不能再明确包案责任" in response.get_data(as_text=True)
    assert snapshot(archived.id) == before
    assert db.session.get(Dispute, archived.id).responsible_unit is None
