"""The queue's search box (always in sight; names by pinyin and initials, case number fragments), its status
filter (each state once), and the guards of bulk 受理: merged, sent-back and changed-meanwhile cases are skipped
with their reason."""

import re
from datetime import date

import pytest
from lxml import html as lxml_html

from casetrack.domain.name_keys import name_search_key
from casetrack.extensions import db
from casetrack.models import Dispute, Party
from casetrack.services import review

from . import browse_as, dispute, read_queue, snapshot


def test_a_names_search_key_is_its_pinyin_and_initials():
    assert name_search_key("赵海强") == "zhaohaiqiang zhq"
    assert name_search_key("欧阳小明") == "ouyangxiaoming oyxm"
    assert name_search_key("  ") is None


@pytest.fixture
def zhao(world):
    return dispute(world.staff, world.village, date(2026, 11, 2), applicant="赵海强", respondent="钱多多")


@pytest.mark.parametrize("typed", ["zhq", "ZHQ", "zhaohaiqiang", "zhaohai", "赵海", "海强"])
def test_the_queue_finds_a_party_by_name_pinyin_or_initials(app, world, zhao, typed):
    other = dispute(world.staff, world.village, date(2026, 11, 3), applicant="孙立", respondent="周平")
    page = read_queue(browse_as(app, "staff"), q=typed)
    assert zhao.number in page.numbers and other.number not in page.numbers


def test_the_case_list_finds_by_initials_too(app, world, zhao):
    page = browse_as(app, "staff").get("/cases", query_string={"q": "zhq"}).get_data(as_text=True)
    assert zhao.number in page


def test_a_case_number_fragment_finds_the_case(app, world, zhao):
    fragment = re.search(r"第(\d+)号", zhao.number).group(1)
    page = read_queue(browse_as(app, "staff"), q=f"第{fragment}号")
    assert page.numbers == [zhao.number]


def test_a_corrected_name_is_found_by_its_new_pinyin_only(app, world, zhao):
    party = db.session.get(Party, zhao.parties[0].id)
    party.name = "赵海波"
    db.session.commit()
    client = browse_as(app, "staff")
    assert zhao.number in read_queue(client, q="zhaohaibo").numbers
    assert zhao.number not in read_queue(client, q="zhaohaiqiang").numbers


def test_the_search_box_is_outside_the_folded_filters_and_states_are_listed_once(app, world, zhao):
    text = browse_as(app, "staff").get("/queue").get_data(as_text=True)
    tree = lxml_html.fromstring(text)
    search = tree.xpath("//input[@id='q']")[0]
    assert not search.xpath("ancestor::details")  # in sight without unfolding anything
    values = tree.xpath("//select[@id='status']/optgroup/option/@value")
    assert len(values) == len(set(values))
    assert {"registered", "accepted", "not_accepted", "mediating", "forwarded", "closed"} <= set(values)


def test_bulk_accept_skips_a_sent_back_case_and_one_changed_since_the_page_was_read(app, world):
    fresh = dispute(world.staff, world.village, date(2026, 11, 2))
    returned = dispute(world.staff, world.village, date(2026, 11, 3))
    changed = dispute(world.staff, world.village, date(2026, 11, 4))
    review.send_back(returned, world.staff, "申请人住址缺失")
    db.session.commit()
    client = browse_as(app, "staff")
    page = client.get("/queue", query_string={"tab": "pending"}).get_data(as_text=True)
    read_at = re.search(r'name="read_at" value="([^"]+)"', page).group(1)

    other = browse_as(app, "mediator1")  # someone changes a case after the page was read
    from tests.web.test_registration_correction import edit_body
    assert other.post(f"/cases/{changed.id}/edit", data=edit_body(changed, summary="补充案情")).status_code == 302
    before = snapshot(returned.id), snapshot(changed.id)

    response = client.post("/queue/bulk", data={"action": "accept", "ids": [fresh.id, returned.id, changed.id],
                                                "read_at": read_at, "back": "/queue"})
    body = response.get_data(as_text=True)
    assert "已办理 1 件" in body and fresh.number in body
    assert "已退回补正,尚未补正完毕,未受理" in body and "打开页面后此案件已被修改" in body
    assert (snapshot(returned.id), snapshot(changed.id)) == before
    db.session.expire_all()
    assert db.session.get(Dispute, fresh.id).status == "accepted"


def test_a_merged_case_offers_and_accepts_no_action(app, world):
    original = dispute(world.staff, world.village, date(2026, 11, 2))
    duplicate = dispute(world.staff, world.village, date(2026, 11, 3))
    review.merge(duplicate, original, world.staff)
    db.session.commit()
    client = browse_as(app, "staff")
    page = client.get(f"/cases/{duplicate.id}").get_data(as_text=True)
    assert f"/cases/{duplicate.id}/accept" not in page and f"/cases/{duplicate.id}/edit" not in page
    before = snapshot(duplicate.id)
    refused = client.post(f"/cases/{duplicate.id}/accept", data={"accepted_on": "2026-11-04",
                                                                 "version": str(duplicate.version)})
    assert refused.status_code == 409 and original.number in refused.get_data(as_text=True)
    bulk = client.post("/queue/bulk", data={"action": "accept", "ids": [duplicate.id], "back": "/queue"})
    assert "已作为重复登记合并" in bulk.get_data(as_text=True)
    assert snapshot(duplicate.id) == before
