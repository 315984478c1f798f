"""Petitions sent down from above (上级转送 / 上级交办), 依法分类处理 and 复查/复核 as the higher body's acts.

The limits are the 信访工作条例 (2022)'s: 15 days from receipt to tell the petitioner (Art. 23, third paragraph),
5 working days to object (Art. 23), the 办理期限 the assigning body set and its 办结报告 (Art. 22 (三)), routing
into a legal procedure instead of the 60-day opinion (Art. 31), and 复查/复核 answered by the next-higher body
(Art. 35-36), never counted as the township's overdue.
"""

from datetime import date, timedelta

import pytest

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import Petition
from casetrack.services import petitions as services
from casetrack.services import queue, time_limits
from casetrack.services.timeline import chinese_sentence
from tests.petition_factories import category, make_petition, petition_snapshot, petition_timeline

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

RECEIVED = date(2025, 3, 3)  # a Monday with no holiday for weeks around it


def _today() -> date:
    return clock.today()


def register_from_above(world, source=pw.Source.ASSIGNED_IN, received_on=RECEIVED, assigned_due_on=date(2025, 4, 2),
                        body="县信访局", reference="县信转〔2025〕12号") -> Petition:
    """Register a matter the county forwarded or assigned to the township; commits."""
    intake = services.PetitionIntake(
        received_on=received_on, channel=pw.Channel.ONLINE, category_id=category(world.township).id,
        request="反映村道硬化工程款未结清", petitioners=[services.PetitionerData("赵大民")],
        source=source, source_body=body, source_reference=reference, assigned_due_on=assigned_due_on,
    )
    petition = services.register_petition(world.staff, world.township, intake, _today())
    db.session.commit()
    return petition


def test_an_assigned_matter_keeps_its_body_reference_and_set_limit_and_says_so_in_its_timeline(world):
    petition = register_from_above(world)
    assert (petition.source, petition.source_body, petition.source_reference, petition.assigned_due_on) == (
        "assigned_in", "县信访局", "县信转〔2025〕12号", date(2025, 4, 2))
    assert "上级交办:县信访局,县信转〔2025〕12号,指定办理期限2025-04-02" in chinese_sentence(petition_timeline(petition.id)[0])


def test_the_township_tells_the_petitioner_within_15_days_of_receiving_a_matter_from_above(world):
    petition = register_from_above(world, source=pw.Source.FORWARDED_IN, assigned_due_on=None)
    deadline = time_limits.current_petition_deadline(petition)
    assert (deadline.label, deadline.due) == ("受理期限", date(2025, 3, 18))
    assert "第二十三条第三款" in deadline.basis and "自收到之日起15日内" in deadline.basis
    own = make_petition(world.staff, world.township, received_on=RECEIVED)
    assert "第二十三条第三款" not in time_limits.current_petition_deadline(own).basis


def test_the_objection_window_is_5_working_days_from_receipt(world):
    petition = register_from_above(world)
    window = time_limits.objection_deadline(petition)
    assert window.due == date(2025, 3, 10)  # Mon 03-03 + 5 working days: 04 05 06 07, (weekend), 10
    assert "第二十三条" in window.basis and "5个工作日" in window.basis
    assert time_limits.objection_deadline(make_petition(world.staff, world.township)) is None


def test_an_objection_refused_by_the_higher_body_leaves_the_matter_with_the_township(world):
    petition = register_from_above(world)
    services.object_to_referral(petition, world.staff, date(2025, 3, 7), "该路段属邻乡管辖", _today())
    assert (petition.status, petition.objection_outcome) == ("registered", "pending")
    services.record_objection_outcome(petition, world.staff, False, date(2025, 3, 12), _today())
    db.session.commit()
    assert (petition.status, petition.decision, petition.objection_outcome) == ("registered", "pending", "refused")
    assert "县信访局不同意异议,由本级办理" in chinese_sentence(petition_timeline(petition.id)[-1])
    assert time_limits.current_petition_deadline(petition).due == date(2025, 3, 18)  # the 15 days still run


def test_an_objection_agreed_returns_the_materials_and_ends_the_townships_handling(world):
    petition = register_from_above(world)
    services.object_to_referral(petition, world.staff, date(2025, 3, 7), "该路段属邻乡管辖", _today())
    services.record_objection_outcome(petition, world.staff, True, date(2025, 3, 12), _today())
    db.session.commit()
    assert (petition.status, petition.decision, petition.decided_on) == ("forwarded", "forwarded", date(2025, 3, 12))
    assert petition.objection_outcome == "agreed" and petition.due_on is None
    assert "交还相关材料" in petition.decision_note


def test_a_late_objection_is_recorded_marked_late(world):
    petition = register_from_above(world)
    late = services.object_to_referral(petition, world.staff, date(2025, 3, 11), "该路段属邻乡管辖", _today())
    assert late == "(已超过异议期限 2025-03-10)"
    assert petition.objection_outcome == "pending" and late in chinese_sentence(petition_timeline(petition.id)[-1])


def test_no_objection_to_a_matter_received_here_and_nothing_changes(world):
    petition = make_petition(world.staff, world.township, received_on=RECEIVED)
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError, match="只有上级转送、交办"):
        services.object_to_referral(petition, world.staff, date(2025, 3, 7), "理由", _today())
    db.session.rollback()
    assert petition_snapshot(petition.id) == before


def test_an_assigned_matter_without_its_set_limit_is_refused(world):
    with pytest.raises(DomainError, match="指定的办理期限"):
        register_from_above(world, assigned_due_on=None)
    with pytest.raises(DomainError, match="转送、交办的机关"):
        register_from_above(world, body=" ")


def test_the_set_limit_binds_an_assigned_matter_until_its_completion_report(world):
    petition = register_from_above(world, assigned_due_on=date(2025, 4, 2))
    services.decide(petition, world.staff, "accepted", date(2025, 3, 5), _today())
    db.session.commit()
    # 60 days would run to 05-06; the county set 04-02, and that binds (taken as set, no roll)
    deadline = time_limits.current_petition_deadline(petition)
    assert (deadline.label, deadline.due, deadline.rule) == ("交办办理期限", date(2025, 4, 2), "set")
    assert "办结报告" in deadline.basis and petition.due_on == date(2025, 4, 2)
    with pytest.raises(DomainError, match="尚未办结"):
        services.report_completion(petition, world.staff, date(2025, 3, 30), "县信访局", "已结清", _today())
    services.answer(petition, world.staff, pw.Opinion.SUPPORT, "工程款已于3月28日结清", date(2025, 3, 28), _today())
    db.session.commit()
    assert petition.due_on == date(2025, 4, 2)  # answered, but the report is still owed
    in_queue = queue.page(world.staff, queue.Filters(tab="overdue"), _today(), world.township)
    assert petition.id in [row.id for row in in_queue.rows if row.kind == "petition"]
    services.report_completion(petition, world.staff, date(2025, 4, 1), "县信访局", "已结清并答复信访人", _today())
    db.session.commit()
    assert (petition.completion_report_on, petition.completion_report_to) == (date(2025, 4, 1), "县信访局")
    assert petition.due_on is None
    assert "向县信访局提交办结报告(2025-04-01)" == chinese_sentence(petition_timeline(petition.id)[-1])
    with pytest.raises(DomainError, match="已于2025-04-01提交"):
        services.report_completion(petition, world.staff, date(2025, 4, 2), "县信访局", "再报", _today())


def test_a_late_completion_report_says_so(world):
    petition = register_from_above(world, assigned_due_on=date(2025, 3, 20))
    services.decide(petition, world.staff, "accepted", date(2025, 3, 5), _today())
    services.answer(petition, world.staff, pw.Opinion.SUPPORT, "已结清", date(2025, 3, 25), _today())
    services.report_completion(petition, world.staff, date(2025, 3, 26), "县信访局", "已结清", _today())
    assert "(超过指定办理期限 2025-03-20)" in chinese_sentence(petition_timeline(petition.id)[-1])


@pytest.mark.parametrize("route", list(pw.LegalRoute))
def test_a_matter_routed_into_a_legal_procedure_leaves_the_60_day_track(world, route):
    petition = make_petition(world.staff, world.township, received_on=RECEIVED)
    services.route_to_procedure(petition, world.staff, route, "县人民法院", date(2025, 3, 6), _today())
    db.session.commit()
    assert (petition.status, petition.legal_route, petition.legal_route_body) == ("closed", route.value, "县人民法院")
    assert petition.legal_route_told_on == date(2025, 3, 6) == petition.closed_on
    assert time_limits.opinion_deadline(petition) is None and petition.opinion_due_on is None
    assert petition.due_on is None
    assert f"导入{route.label}程序,已告知信访人向县人民法院提出(2025-03-06)" in chinese_sentence(petition_timeline(petition.id)[-1])


def test_only_a_registered_matter_is_routed(world):
    petition = make_petition(world.staff, world.township, state="accepted", received_on=RECEIVED)
    before = petition_snapshot(petition.id)
    with pytest.raises(DomainError):
        services.route_to_procedure(petition, world.staff, pw.LegalRoute.ARBITRATION, "县劳动人事争议仲裁委员会",
                                    date(2025, 3, 6), _today())
    db.session.rollback()
    assert petition_snapshot(petition.id) == before


def test_a_review_forwarded_upward_is_never_the_townships_overdue(world):
    received = _today() - timedelta(days=200)
    petition = make_petition(world.staff, world.township, state="delivered", received_on=received)
    services.request_review(petition, world.staff, received + timedelta(days=25), _today(), body="县信访局")
    db.session.commit()
    assert petition.review_body == "县信访局" and petition.due_on is None
    # the county's 30 days ran out long ago: shown as information, not in the township's overdue tab
    info = time_limits.review_answer_deadline(petition)
    assert info.due < _today() and "第三十五条" in info.basis
    overdue = queue.page(world.staff, queue.Filters(tab="overdue"), _today(), world.township)
    assert petition.id not in [row.id for row in overdue.rows if row.kind == "petition"]
    services.answer_review(petition, world.staff, "维持原处理意见", received + timedelta(days=40), _today())
    services.request_second_review(petition, world.staff, received + timedelta(days=45), _today(), body="市信访局")
    db.session.commit()
    assert petition.second_review_body == "市信访局" and petition.due_on is None
    assert "已转报市信访局" in chinese_sentence(petition_timeline(petition.id)[-1])
