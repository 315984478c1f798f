"""Petition services (信访): registration, repeats, extensions and the refusals of the 信访工作条例 (2022).

Every refusal is checked against the database: the petition's state, version, extension and timeline are
exactly as before (the snapshot flushes first, so a change made before the refusal would show).
"""

import re
from datetime import date, timedelta

import pytest

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError, InvalidTransition
from casetrack.extensions import db
from casetrack.models import Dispute, Petition
from casetrack.services import petitions as services
from casetrack.services import time_limits
from casetrack.services.places import dispute_types
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests.petition_factories import (
    STEP_DAY,
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

REASON = "需调取土地确权档案,已告知信访人"


def _today() -> date:
    return clock.today()


def _intake(world, **overrides) -> services.PetitionIntake:
    data = dict(
        received_on=_today() - timedelta(days=5), channel=pw.Channel.VISIT,
        category_id=category(world.township).id, request="要求公开村集体土地补偿款分配", persons=1,
        village_id=world.village.id,
        petitioners=[services.PetitionerData("赵大民")],
    )
    data.update(overrides)
    return services.PetitionIntake(**data)


def _people(n: int, representatives: int) -> list[services.PetitionerData]:
    return [services.PetitionerData(f"村民{i + 1}", is_representative=i < representatives) for i in range(n)]


# --------------------------------------------------------------------------- registration


def test_a_group_visit_is_registered_with_its_people_and_representatives(world):
    petition = services.register_petition(
        world.staff, world.township, _intake(world, persons=6, petitioners=_people(3, 2)), _today())
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Petition, petition.id)
    assert stored.number == f"({stored.year})斜信字第1号"
    assert stored.persons == 6
    assert [p.name for p in stored.petitioners] == ["村民1", "村民2", "村民3"]
    assert [p.name for p in stored.representatives] == ["村民1", "村民2"]
    assert stored.status == "registered" and stored.decision == "pending"
    assert chinese_sentence(petition_timeline(stored.id)[0]) == f"登记信访 {stored.number}(来访,6人,村务管理)"


@pytest.mark.parametrize("persons, people, representatives", [
    (8, 6, 6),  # six representatives for one matter
    (8, 3, 0),  # many visitors and no representative chosen
])
def test_a_group_visit_needs_at_most_five_representatives(world, persons, people, representatives):
    intake = _intake(world, persons=persons, petitioners=_people(people, representatives))
    with pytest.raises(DomainError, match="代表人数不超过5人"):
        services.register_petition(world.staff, world.township, intake, _today())
    db.session.rollback()
    assert count_petitions() == 0


def test_a_letter_signed_by_many_people_needs_no_representatives(world):
    intake = _intake(world, channel=pw.Channel.LETTER, persons=8, petitioners=_people(8, 0))
    petition = services.register_petition(world.staff, world.township, intake, _today())
    assert petition.persons == 8 and petition.representatives == []


@pytest.mark.parametrize("overrides, message", [
    ({"received_on": date.max}, "登记日期不能晚于今天"),
    ({"request": "  "}, "请填写诉求摘要"),
    ({"petitioners": []}, "至少需要一名信访人"),
    ({"petitioners": [services.PetitionerData("赵大民", phone="12345678901")]}, "手机号码应为11位"),
    ({"repeat_of_number": "(2025)斜信字第99号"}, "重复信访所指的编号“(2025)斜信字第99号”不存在"),
])
def test_an_incomplete_or_wrong_intake_is_refused(world, overrides, message):
    with pytest.raises(DomainError, match=re.escape(message)):
        services.register_petition(world.staff, world.township, _intake(world, **overrides), _today())
    db.session.rollback()
    assert count_petitions() == 0


def test_a_village_or_category_of_another_township_is_refused(world):
    with pytest.raises(DomainError, match="所属村不属于本乡镇"):
        services.register_petition(world.staff, world.township, _intake(world, village_id=world.far_village.id),
                                   _today())
    with pytest.raises(DomainError, match="事项类别不存在"):
        services.register_petition(
            world.staff, world.township, _intake(world, category_id=category(world.other_township).id), _today())


# --------------------------------------------------------------------------- repeats (重复信访)


def test_a_repeat_is_linked_to_the_first_petition_and_noted_on_both_timelines(world):
    first = make_petition(world.staff, world.township, village=world.village)
    repeat = make_petition(world.staff, world.township, village=world.village, repeat_of_number=first.number)

    assert repeat.repeat_of_id == first.id and repeat.is_repeat and not first.is_repeat
    assert chinese_sentence(petition_timeline(repeat.id)[0]).endswith(f",系 {first.number} 的重复信访")
    assert chinese_sentence(petition_timeline(first.id)[-1]) == f"收到重复信访 {repeat.number}"


def test_a_repeat_of_a_repeat_is_linked_to_the_first_petition(world):
    first = make_petition(world.staff, world.township)
    repeat = make_petition(world.staff, world.township, repeat_of_number=first.number)
    again = make_petition(world.staff, world.township, repeat_of_number=f"  {repeat.number} ")

    assert again.repeat_of_id == first.id
    assert chinese_sentence(petition_timeline(again.id)[0]).endswith(f",系 {first.number} 的重复信访")


def test_a_repeat_cannot_be_linked_to_another_townships_petition(world):
    far = make_petition(world.far_staff, world.other_township)
    with pytest.raises(DomainError, match="不存在"):
        make_petition(world.staff, world.township, repeat_of_number=far.number)


def test_a_repeat_is_not_accepted_while_the_first_is_still_being_handled(world):
    first = make_petition(world.staff, world.township, state="in_progress")
    repeat = make_petition(world.staff, world.township, repeat_of_number=first.number, received_on=_today())
    before = petition_snapshot(repeat.id)

    with pytest.raises(DomainError, match="不再重复受理"):
        services.decide(repeat, world.staff, "accepted", _today(), _today())
    assert petition_snapshot(repeat.id) == before


@pytest.mark.parametrize("decision", ["accepted", "assigned"])
def test_after_a_second_review_the_same_matter_is_not_accepted_again(world, decision):
    first = make_petition(world.staff, world.township, state="closed")
    repeat = make_petition(world.staff, world.township, repeat_of_number=first.number, received_on=_today())
    before = petition_snapshot(repeat.id)

    with pytest.raises(DomainError, match="同一信访事项已经复核终结,不再受理"):
        services.decide(repeat, world.staff, decision, _today(), _today(), "乡农经站")
    assert petition_snapshot(repeat.id) == before


def test_after_a_second_review_a_repeat_can_still_be_refused_with_a_reason(world):
    first = make_petition(world.staff, world.township, state="closed")
    repeat = make_petition(world.staff, world.township, repeat_of_number=first.number, received_on=_today())
    services.decide(repeat, world.staff, "not_accepted", _today(), _today(), "已经复核终结")
    assert repeat.status == "not_accepted" and repeat.closed_on == _today()


def test_a_repeat_is_accepted_once_the_first_ended_without_a_second_review(world):
    first = make_petition(world.staff, world.township, state="delivered")
    services.close(first, world.staff, first.delivered_on, _today())
    repeat = make_petition(world.staff, world.township, repeat_of_number=first.number, received_on=_today())
    services.decide(repeat, world.staff, "accepted", _today(), _today())
    assert repeat.status == "accepted"


# --------------------------------------------------------------------------- acceptance decision


def test_acceptance_records_the_date_and_starts_the_opinion_limit(world):
    petition = make_petition(world.staff, world.township, received_on=date(2024, 2, 15))
    services.decide(petition, world.staff, "accepted", date(2024, 2, 20), _today())

    assert petition.status == "accepted" and petition.decided_on == date(2024, 2, 20)
    # 02-20 + 60 = Sat 04-20 -> Mon 04-22 (the next working day)
    assert time_limits.opinion_deadline(petition).due == date(2024, 4, 22)
    event = petition_timeline(petition.id)[-1]
    assert chinese_sentence(event) == "受理(2024-02-20)" and chinese_changes(event) == {"状态": ["已登记", "已受理"]}


def test_a_late_acceptance_is_recorded_with_the_limit_it_missed(world):
    petition = make_petition(world.staff, world.township, received_on=date(2024, 2, 15))
    services.decide(petition, world.staff, "accepted", date(2024, 3, 2), _today())
    assert chinese_sentence(petition_timeline(petition.id)[-1]) == "受理(2024-03-02)(已超过受理期限 2024-03-01)"


@pytest.mark.parametrize("decision, note, on, message", [
    ("not_accepted", "", date(2024, 2, 20), "请填写不予受理的理由"),
    ("forwarded", " ", date(2024, 2, 20), "请填写转送的机关"),
    ("assigned", None, date(2024, 2, 20), "请填写交办的单位"),
    ("accepted", None, date(2024, 2, 14), "决定日期不能早于2024-02-15"),
    ("accepted", None, date.max, "决定日期不能晚于今天"),
])
def test_a_decision_without_its_reason_or_with_a_wrong_date_is_refused(world, decision, note, on, message):
    petition = make_petition(world.staff, world.township, received_on=date(2024, 2, 15))
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match=message):
        services.decide(petition, world.staff, decision, on, _today(), note)
    assert petition_snapshot(petition.id) == before


# --------------------------------------------------------------------------- extension (Art. 34)


def test_staff_ask_for_an_extension_and_nothing_moves_until_a_leader_approves(world):
    petition = make_petition(world.staff, world.township, state="accepted")
    due = time_limits.opinion_deadline(petition).due

    services.request_extension(petition, world.staff, 20, REASON)

    assert petition.extension_requested_days == 20 and petition.extension_requested_by_id == world.staff.id
    assert petition.extension_days == 0 and time_limits.opinion_deadline(petition).due == due
    assert chinese_sentence(petition_timeline(petition.id)[-1]) == f"申请延期20日,待领导审批:{REASON}"


def test_a_leader_extends_the_opinion_limit_and_the_timeline_names_the_leader(world):
    # counted plainly, so the 20 days show whatever day the suite runs on (rolling past a rest day is proven by
    # tests/domain/test_deadlines.py with dates worked out by hand)
    set_township_settings(world.township, strict_period_end=True)
    world.leader.full_name = "张乡长"
    petition = make_petition(world.staff, world.township, state="in_progress", received_on=_today() - timedelta(days=30))
    services.request_extension(petition, world.staff, 20, REASON)
    before = time_limits.opinion_deadline(petition).due

    services.extend(petition, world.leader, 20, REASON, _today(), _today())
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Petition, petition.id)
    after = time_limits.opinion_deadline(stored).due
    assert after == before + timedelta(days=20) == stored.decided_on + timedelta(days=80)
    assert stored.extension_days == 20 and stored.extension_approved_by_id == world.leader.id
    assert stored.extension_approved_on == _today() and stored.extension_reason == REASON
    assert stored.extension_requested_days is None  # the request is settled
    assert stored.status == "in_progress"  # an extension does not change the state
    event = petition_timeline(stored.id)[-1]
    assert event.actor_id == world.leader.id
    assert chinese_sentence(event) == f"批准延期20日:{REASON}(已告知信访人延期理由)"  # the actor is shown beside it, once
    assert chinese_changes(event) == {"办结期限": [before.isoformat(), after.isoformat()]}


@pytest.mark.parametrize("approver, days, reason, message", [
    ("staff", 10, REASON, "延期须经领导批准"),
    ("admin", 10, REASON, "延期须经领导批准"),
    ("leader", 31, REASON, "延期不得超过30日"),
    ("leader", 0, REASON, "延期天数至少为1日"),
    ("leader", 10, "  ", "请填写延期理由,并告知信访人"),
])
def test_an_extension_without_a_leader_beyond_30_days_or_without_a_reason_is_refused(
        world, approver, days, reason, message):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=_today() - timedelta(days=10))
    before = petition_snapshot(petition.id)

    with pytest.raises(DomainError, match=message):
        services.extend(petition, getattr(world, approver), days, reason, _today(), _today())

    assert petition_snapshot(petition.id) == before
    assert before["extension_days"] == 0


def test_a_second_extension_is_refused(world):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=_today() - timedelta(days=10))
    services.extend(petition, world.leader, 10, REASON, _today(), _today())
    db.session.commit()
    before = petition_snapshot(petition.id)

    with pytest.raises(DomainError, match="办理期限只能延长一次"):
        services.extend(petition, world.leader, 5, REASON, _today(), _today())
    with pytest.raises(DomainError, match="办理期限只能延长一次"):
        services.request_extension(petition, world.staff, 5, REASON)

    assert petition_snapshot(petition.id) == before
    assert before["extension_days"] == 10


@pytest.mark.parametrize("days, reason, message", [
    (31, REASON, "延期不得超过30日"),
    (0, REASON, "延期天数至少为1日"),
    (10, "", "请填写延期理由"),
])
def test_a_bad_extension_request_is_refused(world, days, reason, message):
    petition = make_petition(world.staff, world.township, state="accepted")
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match=message):
        services.request_extension(petition, world.staff, days, reason)
    assert petition_snapshot(petition.id) == before


def test_a_second_request_while_one_waits_for_the_leader_is_refused(world):
    petition = make_petition(world.staff, world.township, state="accepted")
    services.request_extension(petition, world.staff, 10, REASON)
    db.session.commit()
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match="已有待领导审批的延期申请"):
        services.request_extension(petition, world.staff, 20, REASON)
    assert petition_snapshot(petition.id) == before


def test_an_extension_after_the_limit_has_run_out_is_refused(world):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=_today() - timedelta(days=100))
    due = time_limits.opinion_deadline(petition).due
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match=f"办理期限已于{due.isoformat()}届满,不能再延期"):
        services.extend(petition, world.leader, 10, REASON, _today(), _today())
    assert petition_snapshot(petition.id) == before


@pytest.mark.parametrize("state", ["registered", "answered", "delivered", "closed"])
def test_an_extension_is_possible_only_while_the_matter_is_being_handled(world, state):
    petition = make_petition(world.staff, world.township, state=state)
    before = petition_snapshot(petition.id)
    with pytest.raises(InvalidTransition):
        services.extend(petition, world.leader, 10, REASON, _today(), _today())
    assert petition_snapshot(petition.id) == before


def test_only_a_leader_declines_an_extension_request(world):
    petition = make_petition(world.staff, world.township, state="accepted")
    services.request_extension(petition, world.staff, 10, REASON)
    db.session.commit()
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match="延期须经领导批准"):
        services.decline_extension(petition, world.staff, "")
    assert petition_snapshot(petition.id) == before

    services.decline_extension(petition, world.leader, "理由不充分")
    assert petition.extension_requested_days is None and petition.extension_days == 0
    assert chinese_sentence(petition_timeline(petition.id)[-1]) == "未批准延期10日:理由不充分"


# --------------------------------------------------------------------------- opinion (Art. 32)


@pytest.mark.parametrize("state, message", [
    ("registered", "尚未受理,不能出具处理意见"),
    ("assigned", "交办事项尚未开始办理,不能出具处理意见"),
    ("not_accepted", "不能“出具处理意见”"),
])
def test_an_opinion_before_acceptance_is_refused(world, state, message):
    petition = make_petition(world.staff, world.township, state=state)
    before = petition_snapshot(petition.id)
    with pytest.raises(InvalidTransition, match=message):
        services.answer(petition, world.staff, pw.Opinion.SUPPORT, "支持", _today(), _today())
    assert petition_snapshot(petition.id) == before


def test_an_opinion_after_the_limit_is_recorded_as_late(world):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=date(2024, 3, 1))
    services.answer(petition, world.staff, pw.Opinion.SUPPORT, "支持补发补偿款", date(2024, 6, 1), _today())
    assert petition.status == "answered" and petition.opinion == "support"
    # accepted 03-03 + 60 = 05-02, inside 劳动节 2024 (05-01..05) -> Mon 05-06
    assert chinese_sentence(petition_timeline(petition.id)[-1]) == "出具处理意见:支持(超过办结期限 2024-05-06)"


# --------------------------------------------------------------------------- 复查 and 复核 (Art. 35, 36)


def test_the_whole_road_through_review_and_second_review_ends_the_matter(world):
    petition = make_petition(world.staff, world.township, state="closed")
    received = petition.received_on
    assert petition.review_requested_on == received + timedelta(days=STEP_DAY["under_review"])
    assert petition.second_review_answered_on == petition.closed_on == received + timedelta(days=STEP_DAY["closed"])
    assert [e.action for e in petition_timeline(petition.id)] == [
        "register", "accept", "start", "answer", "deliver", "rate", "request_review", "answer_review",
        "request_second_review", "answer_second_review",
    ]
    assert time_limits.current_petition_deadline(petition) is None


@pytest.mark.parametrize("requested, days_late", [(date(2024, 3, 4), 0), (date(2024, 3, 5), 1)])
def test_a_review_asked_after_its_window_is_saved_with_a_note_and_a_warning_never_refused(world, requested, days_late):
    # received 2024-01-10, opinion delivered 02-01; + 30 = Sat 03-02 -> Mon 03-04 (the window rolls)
    petition = make_petition(world.staff, world.township, state="delivered", received_on=date(2024, 1, 10))
    assert petition.delivered_on == date(2024, 2, 1)
    before = petition_snapshot(petition.id)
    if days_late:
        with pytest.raises(DomainError, match=re.escape("申请日期已超过复查申请期限(截至2024-03-04)1日")):
            services.request_review(petition, world.staff, requested, _today())
        assert petition_snapshot(petition.id) == before
    late = services.request_review(petition, world.staff, requested, _today(), late_note="信访人外出务工,返乡后提出")
    db.session.commit()
    assert petition.status == "under_review" and petition.review_requested_on == requested
    summary = chinese_sentence(petition_timeline(petition.id)[-1])
    if days_late:
        assert late == "(逾期1日提出,复查申请期限截至2024-03-04;逾期说明:信访人外出务工,返乡后提出)"
        assert summary == "信访人请求复查(2024-03-05)" + late
    else:
        assert late == "" and summary == "信访人请求复查(2024-03-04)"


def test_the_second_review_window_counts_from_when_the_petitioner_received_the_review_answer(world):
    # received 2024-01-10, review asked 02-09 (+30); answered 02-20, received by the petitioner 02-26
    petition = make_petition(world.staff, world.township, state="under_review", received_on=date(2024, 1, 10))
    services.answer_review(petition, world.staff, "维持原处理意见", date(2024, 2, 20), _today(),
                           delivered_on=date(2024, 2, 26))
    assert petition.review_delivered_on == date(2024, 2, 26)
    # 02-26 + 30 = Thu 03-27 (from the answer date it would have been 03-21)
    window = time_limits.second_review_request_deadline(petition)
    assert window.due == date(2024, 3, 27)
    assert services.request_second_review(petition, world.staff, date(2024, 3, 27), _today()) == ""
    assert petition.status == "under_second_review"


def test_the_second_review_window_defaults_to_the_answer_date(world):
    # received 2024-01-10, review answered 02-19 (+40) = delivered; + 30 = Wed 03-20
    petition = make_petition(world.staff, world.township, state="reviewed", received_on=date(2024, 1, 10))
    assert time_limits.second_review_request_deadline(petition).due == date(2024, 3, 20)
    with pytest.raises(DomainError, match="复核申请期限"):
        services.request_second_review(petition, world.staff, date(2024, 3, 21), _today())
    services.request_second_review(petition, world.staff, date(2024, 3, 21), _today(), "信访人称未及时收到")
    assert petition.status == "under_second_review"


@pytest.mark.parametrize("state", ["registered", "accepted", "in_progress", "answered", "under_review", "closed"])
def test_a_review_cannot_be_asked_before_the_opinion_is_delivered_or_twice(world, state):
    petition = make_petition(world.staff, world.township, state=state)
    before = petition_snapshot(petition.id)
    with pytest.raises(InvalidTransition):
        services.request_review(petition, world.staff, _today(), _today())
    assert petition_snapshot(petition.id) == before


def test_rating_again_after_the_review_keeps_second_review_open(world):
    petition = make_petition(world.staff, world.township, state="reviewed")
    services.rate(petition, world.staff, wf.Satisfaction.BASICALLY)
    assert petition.status == "reviewed" and petition.satisfaction == "basically"
    assert chinese_changes(petition_timeline(petition.id)[-1]) == {"满意度": ["不满意", "基本满意"]}


# --------------------------------------------------------------------------- 信访转调


def _convert(world, petition, village=None, township=None):
    dispute_type = dispute_types((township or world.township).id)[0]
    return services.convert_to_mediation(
        petition, world.staff, (village or world.village).id, dispute_type.id, _today(), _today(), "李四")


def test_a_petition_turned_into_a_mediation_case_stays_linked_both_ways(world):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    dispute = _convert(world, petition)
    db.session.commit()

    db.session.expire_all()
    stored = db.session.get(Dispute, dispute.id)
    assert stored.source == wf.Source.PETITION.value and stored.petition_id == petition.id
    assert [d.id for d in db.session.get(Petition, petition.id).disputes] == [dispute.id]
    assert [(p.side, p.name) for p in stored.parties] == [("applicant", "赵大民"), ("respondent", "李四")]
    assert petition.status == "accepted"  # the petition keeps running
    assert chinese_sentence(petition_timeline(petition.id)[-1]) == f"转为人民调解案件 {stored.number}(信访转调)"
    assert [chinese_sentence(e) for e in dispute_timeline(stored.id)][-1] == f"由信访事项 {petition.number} 转入调解"


def test_a_petition_is_turned_into_a_mediation_case_only_once(world):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    first = _convert(world, petition)
    db.session.commit()
    before = petition_snapshot(petition.id)

    with pytest.raises(DomainError, match=re.escape(f"本信访事项已转为调解案件 {first.number}")):
        _convert(world, petition)
    assert petition_snapshot(petition.id) == before
    assert count_disputes() == 1


@pytest.mark.parametrize("type_township", ["township", "other_township"])
def test_a_petition_is_not_turned_into_another_townships_case(world, type_township):
    petition = make_petition(world.staff, world.township, state="accepted", village=world.village)
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match="调解案件须在本乡镇"):
        _convert(world, petition, village=world.far_village, township=getattr(world, type_township))
    assert petition_snapshot(petition.id) == before
    assert count_disputes() == 0


@pytest.mark.parametrize("state", ["answered", "delivered", "not_accepted", "closed"])
def test_a_petition_past_handling_is_not_turned_into_a_case(world, state):
    petition = make_petition(world.staff, world.township, state=state, village=world.village)
    with pytest.raises(InvalidTransition):
        _convert(world, petition)
    assert count_disputes() == 0
