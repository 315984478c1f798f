"""Petition pages (信访): intake, the statutory steps, the leader's extension, 复查/复核, repeats, 信访转调,
time limits as the pages show them, and who may see and do what.

A refused step answers 403/409 (or 400 for a form error), shows the reason in Chinese and changes nothing
in the database: status, version, extension, timeline.
"""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from casetrack.services import petitions as services
from casetrack.services.places import dispute_types
from casetrack.services.timeline import chinese_sentence
from tests.conftest import login
from tests.petition_factories import (
    VALID_ID,
    VALID_PHONE,
    category,
    count_disputes,
    count_petitions,
    dispute_timeline,
    make_petition,
    petition_snapshot,
    petition_timeline,
    set_township_settings,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

REASON = "需调取土地确权档案"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def staff(client, world):
    login(client, "staff")
    return client


@pytest.fixture
def leader(app, world):
    world.leader.full_name = "张乡长"
    db.session.commit()
    leader_client = app.test_client()
    login(leader_client, "leader")
    return leader_client


def client_for(app, username):
    other = app.test_client()
    login(other, username)
    return other


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def intake_data(world, village=None, **overrides) -> dict:
    """A valid POST body for /petitions/new: a visit by six people, three named, two of them representatives."""
    data = {
        "received_on": (clock.today() - timedelta(days=3)).isoformat(), "channel": "visit",
        "village_id": str((village or world.village).id), "category_id": str(category(world.township).id),
        "persons": "6", "level": "township", "request": "要求公开村集体土地补偿款分配情况", "repeat_of_number": "",
        "petitioners-0-name": "赵大民", "petitioners-0-id_number": VALID_ID, "petitioners-0-phone": VALID_PHONE,
        "petitioners-0-address": "斜沟村3号", "petitioners-0-is_representative": "y",
        "petitioners-1-name": "钱二", "petitioners-1-id_number": "", "petitioners-1-phone": "",
        "petitioners-1-address": "", "petitioners-1-is_representative": "y",
        "petitioners-2-name": "孙三", "petitioners-2-id_number": "", "petitioners-2-phone": "",
        "petitioners-2-address": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, world, **overrides) -> Petition:
    response = client.post("/petitions/new", data=intake_data(world, **overrides))
    assert response.status_code == 302, text_of(response)
    petition_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    return db.session.get(Petition, petition_id)


def act(client, petition_id: int, slug: str, **fields):
    """POST a step with the version the form would carry."""
    db.session.expire_all()
    version = db.session.get(Petition, petition_id).version
    return client.post(f"/petitions/{petition_id}/{slug}", data={"version": str(version), **fields})


def step(client, petition_id: int, slug: str, **fields) -> None:
    response = act(client, petition_id, slug, **fields)
    assert response.status_code == 302, text_of(response)
    assert response.headers["Location"].endswith(f"/petitions/{petition_id}")


def page(client, petition_id: int) -> str:
    response = client.get(f"/petitions/{petition_id}")
    assert response.status_code == 200
    return text_of(response)


def fact(text: str, label: str) -> str:
    """Return the text of the <dd> after the <dt> with this label."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(.*?)</dd>", text, re.S)
    assert match, f"{label} not on the page"
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip()


def link_to(petition: Petition) -> str:
    return f'<a href="/petitions/{petition.id}">{petition.number}</a>'


# --------------------------------------------------------------------------- the whole road


def test_staff_take_a_group_visit_from_intake_through_review_and_second_review(app, world, staff, leader):
    # 登记: a visit by six people, three named, two representatives → 集体访
    petition = register(staff, world, received_on="2025-03-03")
    pid, number = petition.id, petition.number
    text = page(staff, pid)
    assert number == "(2025)斜信字第1号" and number in text
    assert "集体访" in text and "已登记" in text
    assert fact(text, "人数") == "6" and fact(text, "信访形式") == "来访"
    assert all(name in text for name in ("赵大民", "钱二", "孙三"))
    assert VALID_ID in text  # staff handle the petition, so they see the ID number whole
    assert fact(text, "受理期限").startswith("2025-03-18")

    # 受理
    step(staff, pid, "decide", decision="accepted", decided_on="2025-03-05", note="")
    text = page(staff, pid)
    # 03-05 + 60 = Sun 05-04, inside 劳动节 2025 (05-01..05) -> Tue 05-06, and the page says why
    assert "已受理" in text and fact(text, "办结期限").startswith("2025-05-06")
    assert "期满日为休息日,顺延至其后第一个工作日(原期满日2025-05-04)" in fact(text, "办结期限")

    # 申请延期 → the leader approves it
    step(staff, pid, "request-extension", days="15", reason=REASON)
    text = page(staff, pid)
    assert "延期申请待领导审批:15日" in text
    assert fact(text, "办结期限").startswith("2025-05-06")  # nothing moves before the approval
    assert "批准延期" not in text  # staff are not offered the approval

    approval = leader.get(f"/petitions/{pid}/approve-extension")
    assert approval.status_code == 200 and "待审批的延期申请:15日" in text_of(approval)
    response = act(leader, pid, "approve-extension", days="15", reason=REASON, approved_on="2025-03-20")
    assert response.status_code == 302, text_of(response)
    text = page(staff, pid)
    # the extension counts from the unrolled 60th day: 03-05 + 75 = Mon 05-19
    assert fact(text, "办结期限").startswith("2025-05-19(经张乡长批准延期15日)")
    assert "张乡长批准延期15日" in text and "办结期限:2025-05-06 → 2025-05-19" in text
    assert "延期申请待领导审批" not in text

    # 出具处理意见 → 送达 → 评价
    step(staff, pid, "answer", opinion="explained", opinion_text="已向信访人解释补偿款分配依据", answered_on="2025-04-20")
    step(staff, pid, "deliver", delivered_on="2025-04-22")
    step(staff, pid, "rate", satisfaction="dissatisfied")
    text = page(staff, pid)
    assert fact(text, "处理意见").startswith("解释说明(2025-04-20)")
    assert fact(text, "送达日期") == "2025-04-22" and fact(text, "满意度") == "不满意"

    # 复查: asked within 30 days of delivery, answered
    step(staff, pid, "request-review", requested_on="2025-05-15", body="县信访局")
    text = page(staff, pid)
    # 05-15 + 30 = Sat 06-14 -> Mon 06-16: the county's limit, shown as information, not the township's
    assert "复查中" in text and fact(text, "复查答复期限").startswith("2025-06-16(复查机关的期限,仅供参考")
    assert "已转报县信访局" in fact(text, "复查") and "已超期" not in text
    step(staff, pid, "answer-review", result="维持原处理意见", answered_on="2025-06-01")
    assert "2025-06-01 答复:维持原处理意见" in fact(page(staff, pid), "复查")

    # 复核 → 已终结
    step(staff, pid, "request-second-review", requested_on="2025-06-20", body="市信访局")
    step(staff, pid, "answer-second-review", result="复核维持", answered_on="2025-07-10")
    text = page(staff, pid)
    assert "已终结" in text and fact(text, "终结日期") == "2025-07-10"
    assert not re.findall(rf'href="/petitions/{pid}/(?!documents/)', text)  # no step is offered any more

    db.session.expire_all()
    stored = db.session.get(Petition, pid)
    assert stored.status == "closed" and stored.extension_days == 15
    assert stored.extension_approved_by_id == world.leader.id
    assert [e.action for e in petition_timeline(pid)] == [
        "register", "accept", "extension_requested", "extend", "answer", "deliver", "rate", "request_review",
        "answer_review", "request_second_review", "answer_second_review",
    ]

    # the same matter again after 复核: registered as a repeat, never accepted
    repeat = register(staff, world, received_on="2025-08-01", repeat_of_number=number, persons="1",
                      **{"petitioners-1-name": "", "petitioners-2-name": "", "petitioners-1-is_representative": None,
                         "petitioners-0-is_representative": None})
    before = petition_snapshot(repeat.id)
    response = act(staff, repeat.id, "decide", decision="accepted", decided_on="2025-08-05", note="")
    assert response.status_code == 409
    assert "同一信访事项已经复核终结,不再受理(第三十六条)" in text_of(response)
    assert petition_snapshot(repeat.id) == before


# --------------------------------------------------------------------------- intake


def test_the_intake_form_adds_a_petitioner_row_on_request(world, staff):
    response = staff.post("/petitions/new", data={**intake_data(world), "add_party": "petitioners"})
    assert response.status_code == 200
    assert 'name="petitioners-3-name"' in response.get_data(as_text=True)
    assert count_petitions() == 0


def test_a_visit_by_fewer_people_than_the_threshold_is_not_collective(world, staff):
    petition = register(staff, world, persons="4")
    assert "集体访" not in page(staff, petition.id)


def test_the_collective_threshold_is_a_township_setting(world, staff):
    set_township_settings(world.township, collective_threshold=10)
    petition = register(staff, world, persons="9")
    assert "集体访" not in page(staff, petition.id)


def test_more_than_five_representatives_on_a_visit_are_refused(world, staff):
    six = {f"petitioners-{i}-{field}": value for i in range(6)
           for field, value in (("name", f"村民{i + 1}"), ("is_representative", "y"))}
    response = staff.post("/petitions/new", data=intake_data(world, persons="8", **six))
    assert response.status_code == 400
    assert "多人就同一事项来访,应推选代表,代表人数不超过5人" in text_of(response)
    assert 'value="村民6"' in text_of(response)  # the input is kept
    assert count_petitions() == 0


@pytest.mark.parametrize("overrides, message", [
    ({"received_on": "2999-01-01"}, "日期不能晚于今天"),
    ({"petitioners-0-name": "", "petitioners-0-id_number": "", "petitioners-0-phone": "",
      "petitioners-0-address": "", "petitioners-1-name": "", "petitioners-2-name": ""}, "至少填写一名信访人"),
    ({"request": ""}, "此项为必填项"),
    ({"repeat_of_number": "(2025)斜信字第99号"}, "重复信访所指的编号“(2025)斜信字第99号”不存在"),
])
def test_a_wrong_intake_is_refused_with_its_reason(world, staff, overrides, message):
    response = staff.post("/petitions/new", data=intake_data(world, **overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert count_petitions() == 0


# --------------------------------------------------------------------------- repeats (重复信访)


def test_a_repeat_registered_with_the_first_ones_number_is_linked_both_ways(world, staff):
    first = make_petition(world.staff, world.township, village=world.village)
    repeat = register(staff, world, repeat_of_number=first.number, channel="letter")
    again = register(staff, world, repeat_of_number=repeat.number, channel="letter")

    assert repeat.repeat_of_id == first.id and again.repeat_of_id == first.id  # a repeat of a repeat → the first
    first_page, repeat_page, again_page = page(staff, first.id), page(staff, repeat.id), page(staff, again.id)
    assert link_to(repeat) in first_page and link_to(again) in first_page
    assert "、" in fact(first_page, "重复信访")
    assert fact(repeat_page, "首次信访") == first.number and link_to(first) in repeat_page
    assert fact(again_page, "首次信访") == first.number and link_to(first) in again_page
    assert "重复信访" in repeat_page and f"收到重复信访 {repeat.number}" in first_page

    listing = text_of(staff.get("/petitions"))
    assert listing.count(">重复</span>") == 2


def test_a_repeat_is_not_accepted_while_the_first_is_still_being_handled(world, staff):
    first = make_petition(world.staff, world.township, state="accepted")
    repeat = register(staff, world, repeat_of_number=first.number, channel="letter")
    before = petition_snapshot(repeat.id)
    response = act(staff, repeat.id, "decide", decision="accepted", decided_on=clock.today().isoformat(), note="")
    assert response.status_code == 409 and "不再重复受理(第十九条)" in text_of(response)
    assert petition_snapshot(repeat.id) == before


# --------------------------------------------------------------------------- refusals


def test_staff_cannot_approve_an_extension(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(10))
    services.request_extension(petition, world.staff, 10, REASON)
    db.session.commit()
    before = petition_snapshot(petition.id)

    assert staff.get(f"/petitions/{petition.id}/approve-extension").status_code == 403
    response = act(staff, petition.id, "approve-extension", days="10", reason=REASON,
                   approved_on=clock.today().isoformat())
    assert response.status_code == 403
    assert petition_snapshot(petition.id) == before


def test_the_leader_approves_at_most_30_days(world, leader):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(10))
    before = petition_snapshot(petition.id)
    response = act(leader, petition.id, "approve-extension", days="31", reason=REASON,
                   approved_on=clock.today().isoformat())
    assert response.status_code == 400 and "延期天数为1至30日" in text_of(response)
    assert petition_snapshot(petition.id) == before


def test_a_second_extension_is_refused(world, leader):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(10))
    services.extend(petition, world.leader, 10, REASON, clock.today(), clock.today())
    db.session.commit()
    before = petition_snapshot(petition.id)

    assert leader.get(f"/petitions/{petition.id}/approve-extension").status_code == 409  # no longer offered
    response = act(leader, petition.id, "approve-extension", days="5", reason=REASON,
                   approved_on=clock.today().isoformat())
    assert response.status_code == 409 and "办理期限只能延长一次" in text_of(response)
    assert petition_snapshot(petition.id) == before


def test_staff_cannot_ask_for_a_second_extension(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(10))
    services.extend(petition, world.leader, 10, REASON, clock.today(), clock.today())
    db.session.commit()
    before = petition_snapshot(petition.id)
    assert "申请延期" not in page(staff, petition.id)
    response = act(staff, petition.id, "request-extension", days="5", reason=REASON)
    assert response.status_code == 409 and "办理期限只能延长一次" in text_of(response)
    assert petition_snapshot(petition.id) == before


def test_an_opinion_before_acceptance_is_refused(world, staff):
    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(5))
    before = petition_snapshot(petition.id)

    offered = staff.get(f"/petitions/{petition.id}/answer")
    assert offered.status_code == 409
    assert "当前状态为“已登记”,不能“出具处理意见”。" in text_of(offered)
    assert f'<a href="/petitions/{petition.id}">返回信访事项 {petition.number}</a>' in text_of(offered)
    assert f'href="/cases/{petition.id}"' not in text_of(offered)
    response = act(staff, petition.id, "answer", opinion="support", opinion_text="支持",
                   answered_on=clock.today().isoformat())
    assert response.status_code == 409
    assert "当前状态为“已登记”,尚未受理,不能出具处理意见。" in text_of(response)
    assert petition_snapshot(petition.id) == before


def test_a_late_review_request_is_saved_with_its_note_and_a_warning_never_refused(world, staff):
    # delivered 2024-02-01; + 30 = Sat 03-02 -> Mon 03-04; asked Tue 03-05, one day late
    petition = make_petition(world.staff, world.township, state="rated", received_on=date(2024, 1, 10))
    assert petition.delivered_on == date(2024, 2, 1)
    before = petition_snapshot(petition.id)
    response = act(staff, petition.id, "request-review", requested_on="2024-03-05", body="县信访局")
    assert response.status_code == 409  # the form asks for the note; nothing is saved yet
    assert "申请日期已超过复查申请期限(截至2024-03-04)1日:申请照常登记,请填写逾期说明后保存。" in text_of(response)
    assert petition_snapshot(petition.id) == before

    response = act(staff, petition.id, "request-review", requested_on="2024-03-05", late_note="信访人外出务工",
                   body="县信访局")
    assert response.status_code == 302
    text = text_of(staff.get(response.headers["Location"]))
    assert "申请已登记,但已超过申请期限:是否受理由本机关依法决定。" in text
    assert "复查中" in text
    assert "信访人请求复查(2024-03-05,已转报县信访局)(逾期1日提出,复查申请期限截至2024-03-04;逾期说明:信访人外出务工)" in text


def test_a_review_cannot_be_requested_while_the_petition_is_in_progress(world, staff):
    petition = make_petition(world.staff, world.township, state="in_progress")
    before = petition_snapshot(petition.id)
    assert staff.get(f"/petitions/{petition.id}/request-review").status_code == 409
    response = act(staff, petition.id, "request-review", requested_on=clock.today().isoformat(), body="县信访局")
    assert response.status_code == 409 and "不能“申请复查”" in text_of(response)
    assert petition_snapshot(petition.id) == before


def test_a_step_from_a_stale_page_is_refused(world, staff):
    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(5))
    before = petition_snapshot(petition.id)
    response = staff.post(f"/petitions/{petition.id}/decide", data={
        "version": str(before["version"] - 1), "decision": "accepted", "decided_on": clock.today().isoformat()})
    assert response.status_code == 409
    assert petition_snapshot(petition.id) == before


# --------------------------------------------------------------------------- time limits on the pages


def test_the_acceptance_limit_is_15_days_after_receipt(world, staff):
    petition = make_petition(world.staff, world.township, received_on=date(2024, 2, 15))
    text = page(staff, petition.id)
    assert fact(text, "受理期限").startswith("2024-03-01")
    assert "受理期限 2024-03-01 · 已超期" in text


def test_the_opinion_limit_is_60_days_after_acceptance_plus_the_extension(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=date(2024, 2, 28))
    assert fact(page(staff, petition.id), "办结期限").startswith("2024-04-30")
    services.extend(petition, world.leader, 10, REASON, date(2024, 3, 10), clock.today())
    db.session.commit()
    assert fact(page(staff, petition.id), "办结期限").startswith("2024-05-10(经leader批准延期10日)")


@pytest.mark.parametrize("received_days_ago, mark, left", [
    (40, "已超期", "已超期25天"),
    (16, "已超期", "已超期1天"),
    (15, "即将到期", "今天到期"),
    (13, "即将到期", "剩2天"),
    (12, "即将到期", "剩3天"),
    (5, None, "剩10天"),
])
def test_an_open_petition_shows_days_left_and_its_mark(world, staff, received_days_ago, mark, left):
    set_township_settings(world.township, strict_period_end=True)  # counted plainly, whatever today's weekday
    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(received_days_ago))
    for text in (page(staff, petition.id), text_of(staff.get("/petitions"))):
        assert left in text
        assert [word for word in ("已超期", "即将到期") if word in text] == ([mark] if mark else [])


def test_due_soon_follows_the_townships_setting(world, staff):
    set_township_settings(world.township, due_soon_days=7, strict_period_end=True)
    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(9))
    assert "即将到期" in page(staff, petition.id)
    set_township_settings(world.township, due_soon_days=5)
    assert "即将到期" not in page(staff, petition.id)


@pytest.mark.parametrize("strict, due", [(True, "2024-10-01"), (False, "2024-10-08")])
def test_a_limit_ending_on_national_day_rolls_unless_the_township_is_strict(world, staff, strict, due):
    # 09-16 + 15 = 10-01, National Day (10-01..07) -> Tue 10-08
    set_township_settings(world.township, strict_period_end=strict)
    petition = make_petition(world.staff, world.township, received_on=date(2024, 9, 16))
    text = page(staff, petition.id)
    assert fact(text, "受理期限").startswith(due)
    assert ("期满日为休息日,顺延至其后第一个工作日(原期满日2024-10-01)" in text) is not strict
    assert ("严格计算:期满日遇休息日不顺延(本乡镇设置)" in text) is strict


def test_a_date_in_a_year_without_a_plan_is_marked_tentative(world, staff, monkeypatch):
    monkeypatch.setenv("CASETRACK_TEST_TODAY", "2030-01-25")
    # received 2030-01-20 + 15 = Mon 02-04, 春节 estimated (02-02..05) -> Wed 02-06, 暂定
    petition = make_petition(world.staff, world.township, received_on=date(2030, 1, 20))
    text = page(staff, petition.id)
    assert fact(text, "受理期限").startswith("2030-02-06")
    assert "暂定" in fact(text, "受理期限") and "受理期限 2030-02-06 暂定" in text
    assert "受理期限 2030-02-06 暂定" in text_of(staff.get("/petitions"))
    assert "受理期限 2030-02-06 暂定" in text_of(staff.get("/queue"))


# --------------------------------------------------------------------------- who sees and does what


def test_a_mediator_sees_only_their_own_villages_petitions(app, world):
    own = make_petition(world.staff, world.township, village=world.village, request="本村事项")
    other = make_petition(world.staff, world.township, village=world.other_village, request="王家庄事项")
    township_wide = make_petition(world.staff, world.township, request="全乡事项")
    far = make_petition(world.far_staff, world.other_township, village=world.far_village, request="东岭事项")
    mediator = client_for(app, "mediator1")

    listing = text_of(mediator.get("/petitions"))
    assert link_to(own) in listing
    assert all(f"/petitions/{p.id}\"" not in listing for p in (other, township_wide, far))
    assert mediator.get(f"/petitions/{own.id}").status_code == 200
    for hidden in (other, township_wide, far):
        assert mediator.get(f"/petitions/{hidden.id}").status_code == 404
        assert mediator.get(f"/petitions/{hidden.id}/decide").status_code == 404


def test_a_mediator_sees_petitioners_masked_and_cannot_act(app, world):
    petition = make_petition(world.staff, world.township, village=world.village)
    mediator = client_for(app, "mediator1")
    text = page(mediator, petition.id)
    assert VALID_ID not in text and VALID_PHONE not in text and "138****5678" in text
    assert f"/petitions/{petition.id}/decide" not in text
    before = petition_snapshot(petition.id)
    assert act(mediator, petition.id, "decide", decision="accepted", decided_on=clock.today().isoformat()
               ).status_code == 403
    assert petition_snapshot(petition.id) == before


def test_a_mediator_registers_petitions_for_their_own_village_only(app, world):
    mediator = client_for(app, "mediator1")
    form = text_of(mediator.get("/petitions/new"))
    villages = re.search(r'<select[^>]*name="village_id".*?</select>', form, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]*)</option>", villages) == ["斜沟村"]
    assert "selected" in villages

    refused = mediator.post("/petitions/new", data=intake_data(world, village=world.other_village))
    assert refused.status_code == 400 and "has-error" in text_of(refused)  # not a village they may choose
    assert mediator.post("/petitions/new", data=intake_data(world, village_id="")).status_code == 403
    assert count_petitions() == 0

    petition = register(mediator, world)
    assert petition.village_id == world.village.id and petition.created_by_id == world.mediator.id


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leaders_and_admins_cannot_register_petitions(app, world, username):
    other = client_for(app, username)
    assert other.get("/petitions/new").status_code == 403
    assert other.post("/petitions/new", data=intake_data(world)).status_code == 403
    assert count_petitions() == 0


@pytest.mark.parametrize("slug, fields", [
    ("decide", {"decision": "accepted", "decided_on": "2025-01-02"}),
    ("convert", {"village_id": "1", "dispute_type_id": "1", "registered_on": "2025-01-02"}),
])
def test_a_leader_views_a_petition_but_cannot_act_on_it(world, leader, slug, fields):
    petition = make_petition(world.staff, world.township, received_on=date(2025, 1, 1))
    text = page(leader, petition.id)
    assert petition.number in text and f"/petitions/{petition.id}/{slug}" not in text
    before = petition_snapshot(petition.id)
    assert leader.get(f"/petitions/{petition.id}/{slug}").status_code == 403
    assert act(leader, petition.id, slug, **fields).status_code == 403
    assert petition_snapshot(petition.id) == before


def test_the_leader_is_offered_only_approving_or_declining_the_extension_and_supervising(world, leader):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(5))
    services.request_extension(petition, world.staff, 10, REASON)
    db.session.commit()
    text = page(leader, petition.id)
    assert re.findall(rf'href="/petitions/{petition.id}/([a-z-]+)"', text) == [
        "approve-extension", "decline-extension", "supervise"]


def test_another_townships_staff_get_404(app, world):
    petition = make_petition(world.staff, world.township, village=world.village)
    far = client_for(app, "farstaff")
    before = petition_snapshot(petition.id)
    assert far.get(f"/petitions/{petition.id}").status_code == 404
    assert far.get(f"/petitions/{petition.id}/decide").status_code == 404
    assert act(far, petition.id, "decide", decision="accepted", decided_on=clock.today().isoformat()
               ).status_code == 404
    assert petition.number not in text_of(far.get("/petitions"))
    assert petition_snapshot(petition.id) == before


def test_another_townships_leader_cannot_approve_an_extension(app, world):
    from casetrack.models import Role
    from casetrack.services import accounts

    accounts.add_user("farleader", "pass1234word", Role.LEADER, township=world.other_township)
    db.session.commit()
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(5))
    far_leader = client_for(app, "farleader")
    assert act(far_leader, petition.id, "approve-extension", days="10", reason=REASON,
               approved_on=clock.today().isoformat()).status_code == 404
    assert petition_snapshot(petition.id)["extension_days"] == 0


# --------------------------------------------------------------------------- 信访转调


def convert_data(world) -> dict:
    return {"village_id": str(world.village.id), "dispute_type_id": str(dispute_types(world.township.id)[1].id),
            "respondent": "李四", "registered_on": clock.today().isoformat()}


def test_a_petition_turned_into_a_mediation_case_links_both_pages_and_timelines(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    form = staff.get(f"/petitions/{petition.id}/convert")
    assert form.status_code == 200

    response = act(staff, petition.id, "convert", **convert_data(world))
    assert response.status_code == 302, text_of(response)
    dispute = db.session.execute(select(Dispute).where(Dispute.petition_id == petition.id)).scalar_one()
    assert response.headers["Location"].endswith(f"/cases/{dispute.id}")
    assert dispute.source == "petition" and dispute.village_id == world.village.id

    petition_page = page(staff, petition.id)
    assert fact(petition_page, "信访转调") == dispute.number
    assert f'<a href="/cases/{dispute.id}">{dispute.number}</a>' in petition_page
    assert f"转为人民调解案件 {dispute.number}(信访转调)" in petition_page
    assert f"/petitions/{petition.id}/convert" not in petition_page  # not offered again

    case_page = text_of(staff.get(f"/cases/{dispute.id}"))
    assert fact(case_page, "案件来源") == "信访转调"
    assert f"由信访事项 {petition.number} 转入调解" in case_page
    assert [e.action for e in dispute_timeline(dispute.id)][-1] == "from_petition"


def test_the_mediation_case_page_links_back_to_the_petition(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    act(staff, petition.id, "convert", **convert_data(world))
    dispute = db.session.execute(select(Dispute).where(Dispute.petition_id == petition.id)).scalar_one()
    assert f'href="/petitions/{petition.id}"' in text_of(staff.get(f"/cases/{dispute.id}"))


def test_a_petition_is_turned_into_a_mediation_case_only_once(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    assert act(staff, petition.id, "convert", **convert_data(world)).status_code == 302
    first = db.session.execute(select(Dispute)).scalar_one()
    before = petition_snapshot(petition.id)

    assert staff.get(f"/petitions/{petition.id}/convert").status_code == 409
    response = act(staff, petition.id, "convert", **convert_data(world))
    assert response.status_code == 409
    assert f"本信访事项已转为调解案件 {first.number}。" in text_of(response)
    assert petition_snapshot(petition.id) == before
    assert count_disputes() == 1


def test_a_leader_declines_a_requested_extension_and_staff_may_ask_again(client, world):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    login(client, "staff")
    assert client.post(f"/petitions/{petition.id}/request-extension",
                       data={"days": "10", "reason": "需现场测量"}).status_code == 302
    assert client.post(f"/petitions/{petition.id}/decline-extension", data={"note": "x"}).status_code == 403
    client.post("/auth/logout")
    login(client, "leader")
    assert "不批准延期" in text_of(client.get(f"/petitions/{petition.id}"))
    response = client.post(f"/petitions/{petition.id}/decline-extension", data={"note": "理由不充分"})
    assert response.status_code == 302
    db.session.refresh(petition)
    assert petition.extension_requested_days is None and petition.extension_days == 0
    assert any("未批准延期10日" in chinese_sentence(e) for e in petition_timeline(petition.id))
    client.post("/auth/logout")
    login(client, "staff")
    assert "申请延期" in text_of(client.get(f"/petitions/{petition.id}"))


# --------------------------------------------------------------------------- matters from above, 依法分类处理 (#19)


def test_staff_register_a_matter_assigned_from_above_object_and_report_on_it(world, staff):
    received = clock.today() - timedelta(days=3)
    set_due = clock.today() + timedelta(days=20)
    petition = register(staff, world, received_on=received.isoformat(), source="assigned_in", source_body="县信访局",
                        source_reference="县信交〔2026〕7号", assigned_due_on=set_due.isoformat())
    text = page(staff, petition.id)
    assert fact(text, "信访来源") == "上级交办:县信访局(县信交〔2026〕7号)"
    assert fact(text, "交办办理期限").startswith(set_due.isoformat())
    assert "交办异议期限" in text and "第二十三条" in fact(text, "交办异议期限")
    step(staff, petition.id, "object", raised_on=clock.today().isoformat(), reason="该事项属县交通局职责")
    text = page(staff, petition.id)
    assert "该事项属县交通局职责" in fact(text, "异议") and "待上级核实" in fact(text, "异议")
    step(staff, petition.id, "objection-outcome", outcome="refused", answered_on=clock.today().isoformat())
    step(staff, petition.id, "decide", decision="accepted", decided_on=clock.today().isoformat(), note="")
    step(staff, petition.id, "answer", opinion="support", opinion_text="已协调结清", answered_on=clock.today().isoformat())
    form = staff.get(f"/petitions/{petition.id}/report")
    assert form.status_code == 200 and 'value="县信访局"' in text_of(form)  # the report goes back to the sender
    step(staff, petition.id, "report", reported_on=clock.today().isoformat(), sent_to="县信访局", content="已结清")
    text = page(staff, petition.id)
    assert fact(text, "办结报告").startswith(f"{clock.today().isoformat()} 报送县信访局")
    assert f'href="/petitions/{petition.id}/report"' not in text  # reported once


def test_an_assigned_matter_without_a_set_limit_is_refused_beside_the_field(world, staff):
    before = count_petitions()
    response = staff.post("/petitions/new", data=intake_data(world, source="assigned_in", source_body=""))
    text = text_of(response)
    assert response.status_code == 400
    assert "请填写转送、交办机关" in text and "请填写指定办理期限" in text
    assert count_petitions() == before


def test_staff_route_a_matter_into_arbitration_instead_of_the_60_day_track(world, staff):
    petition = make_petition(world.staff, world.township, received_on=clock.today() - timedelta(days=5))
    assert "依法导入法定程序" in page(staff, petition.id)
    step(staff, petition.id, "route", route="arbitration", body="县劳动人事争议仲裁委员会",
         told_on=clock.today().isoformat())
    text = page(staff, petition.id)
    assert fact(text, "依法分类处理").startswith("仲裁:县劳动人事争议仲裁委员会")
    assert "办结期限" not in text and "已终结" in text


def test_a_leader_supervises_a_petition_which_stays_on_their_list_until_it_is_closed(world, staff, leader):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(30))
    assert f'href="/petitions/{petition.id}/supervise"' not in page(staff, petition.id)  # staff do not supervise
    assert staff.post(f"/petitions/{petition.id}/supervise", data={"note": "x"}).status_code == 403
    due = (clock.today() + timedelta(days=10)).isoformat()
    step(leader, petition.id, "supervise", note="请本周内约见信访人", due_on=due)
    assert "督办:请本周内约见信访人(期限" in page(staff, petition.id)
    listing = text_of(leader.get("/cases/supervised"))
    assert petition.number in listing and "请本周内约见信访人" in listing
    refused = act(leader, petition.id, "supervise", note="再督办", due_on=(clock.today() - timedelta(1)).isoformat())
    assert refused.status_code == 409 and "督办期限不能早于今天" in text_of(refused)
    services.answer(petition, world.staff, services.pw.Opinion.SUPPORT, "已解决", clock.today(), clock.today())
    services.deliver(petition, world.staff, clock.today(), clock.today())
    services.close(petition, world.staff, clock.today(), clock.today())
    db.session.commit()
    assert petition.number not in text_of(leader.get("/cases/supervised"))


def test_staff_record_the_day_a_petition_reached_the_province(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(20))
    reached = (clock.today() - timedelta(days=2)).isoformat()
    step(staff, petition.id, "level", level="province", reached_on=reached)
    text = page(staff, petition.id)
    assert fact(text, "到达层级") == f"省({reached} 到达)"
    assert "信访事项到达省级" in text
    before = petition_snapshot(petition.id)
    refused = act(staff, petition.id, "level", level="county", reached_on=reached)
    assert refused.status_code == 409 and "到达层级只能高于现在的“省”" in text_of(refused)
    assert petition_snapshot(petition.id) == before


def test_staff_name_the_leader_who_received_a_visit_and_not_for_a_letter(world, staff):
    petition = register(staff, world, received_on="2025-03-05", leader_received_by="李乡长")
    text = page(staff, petition.id)
    assert fact(text, "领导接访") == "李乡长"
    assert "领导接访:李乡长" in text  # the timeline's registration line

    refused = staff.post("/petitions/new", data=intake_data(world, channel="letter", leader_received_by="李乡长"))
    assert refused.status_code == 400 and "只有来访才能填写接访领导" in text_of(refused)
    assert db.session.execute(select(Petition).where(Petition.channel == "letter")).first() is None


def test_staff_record_disruptive_conduct_then_its_referral_to_the_police(world, staff):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=clock.today() - timedelta(20))
    assert f"/petitions/{petition.id}/disruptive" in page(staff, petition.id)
    step(staff, petition.id, "disruptive", police_referred_on="")
    text = page(staff, petition.id)
    assert "认定为缠访闹访" in text and "已移交公安机关" not in text
    before = petition_snapshot(petition.id)
    again = act(staff, petition.id, "disruptive", police_referred_on="")
    assert again.status_code == 409 and "移交公安机关的,请填写移交日期" in text_of(again)
    assert petition_snapshot(petition.id) == before

    referred = (clock.today() - timedelta(days=3)).isoformat()
    step(staff, petition.id, "disruptive", police_referred_on=referred)
    text = page(staff, petition.id)
    assert fact(text, "移交公安机关") == referred and f"违法行为依法移交公安机关处理({referred})" in text
    db.session.expire_all()
    stored = db.session.get(Petition, petition.id)
    assert stored.disruptive and stored.police_referred_on.isoformat() == referred
    assert f"/petitions/{petition.id}/disruptive" not in text  # nothing left to record
