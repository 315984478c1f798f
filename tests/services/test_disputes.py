"""Dispute services on a real database: registration, every workflow verb in every situation, escalation,
fact corrections and stale-version refusals. A refusal must leave the database exactly as it was."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError, InvalidTransition
from casetrack.extensions import db
from casetrack.models import CaseCounter, Dispute, User
from casetrack.services import disputes, judicial_confirmation, time_limits
from casetrack.services.places import dispute_types
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests import days
from tests.factories import (
    SITUATIONS,
    VALID_ID,
    VALID_PHONE,
    case_snapshot,
    count_disputes,
    make_case_in,
    make_dispute,
    timeline,
)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")



# --- the workflow verbs in every situation ---------------------------------------------------------

def _accept(case, actor):
    disputes.accept(case, actor, clock.today(), clock.today())


def _not_accept(case, actor):
    disputes.not_accept(case, actor, clock.today(), "属于人民法院专属管辖", "县人民法院", clock.today())


def _assign(case, actor):
    """Assign the village's own mediator (the factory assigned the staff member who drove the case)."""
    mediator = db.session.execute(
        select(User).where(User.village_id == case.village_id).order_by(User.id)
    ).scalars().first()
    disputes.assign_mediators(case, actor, [mediator.id])


def _conclude(case, actor):
    disputes.conclude(case, actor, disputes.Conclusion(
        outcome=wf.Outcome.FAILED, closed_on=clock.today(), channels_told=["诉讼"]), clock.today())


def _return_visit(case, actor):
    disputes.record_return_visit(case, actor, clock.today(), wf.Performance.PERFORMED, clock.today())


def _archive(case, actor):
    disputes.archive(case, actor, clock.today(), clock.today())


VERBS = {"accept": _accept, "not_accept": _not_accept, "assign": _assign, "conclude": _conclude,
         "return_visit": _return_visit, "archive": _archive}

# What each verb does in each situation, written out from domain.md; None means refused.
# "assign" in mediation re-assigns the mediators and keeps the case in mediation.
EXPECTED = {
    "registered": {"accept": "accepted", "not_accept": "not_accepted"},
    "accepted": {"assign": "mediating"},
    "not_accepted": {"archive": "archived"},
    "mediating": {"assign": "mediating", "conclude": "concluded"},
    "concluded-succeeded": {"return_visit": "visited"},
    "concluded-failed": {"archive": "archived"},
    "concluded-ended": {"archive": "archived"},
    "visited": {"return_visit": "visited", "archive": "archived"},
    "archived-succeeded": {},
    "archived-failed": {},
    "archived-not_accepted": {},
}
ACTIONS = {"accept": wf.DisputeAction.ACCEPT, "not_accept": wf.DisputeAction.NOT_ACCEPT,
           "conclude": wf.DisputeAction.CONCLUDE, "return_visit": wf.DisputeAction.FOLLOW_UP,
           "archive": wf.DisputeAction.ARCHIVE}
ALL = [(situation, verb) for situation in SITUATIONS for verb in VERBS]
ALLOWED = [(s, v) for s, v in ALL if v in EXPECTED[s]]
REFUSED = [(s, v) for s, v in ALL if v not in EXPECTED[s]]


def test_expected_table_covers_every_situation():
    assert set(EXPECTED) == set(SITUATIONS)


@pytest.mark.parametrize(("situation", "verb"), ALLOWED, ids=[f"{s}-{v}" for s, v in ALLOWED])
def test_allowed_verb_moves_the_case_and_appends_one_timeline_entry(world, situation, verb):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    VERBS[verb](case, world.staff)
    db.session.commit()
    after = case_snapshot(case.id)
    assert after["status"] == EXPECTED[situation][verb]
    assert after["version"] == before["version"] + 1
    assert after["events"] == before["events"] + 1
    last = timeline(case.id)[-1]
    assert last.actor_id == world.staff.id
    if before["status"] != after["status"]:
        assert chinese_changes(last)["状态"] == [wf.DisputeState(before["status"]).label,
                                        wf.DisputeState(after["status"]).label]


@pytest.mark.parametrize(("situation", "verb"), REFUSED, ids=[f"{s}-{v}" for s, v in REFUSED])
def test_refused_verb_raises_and_changes_nothing_even_if_committed(world, situation, verb):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    with pytest.raises(DomainError) as refused:
        VERBS[verb](case, world.staff)
    state, outcome = SITUATIONS[situation]
    if verb == "assign":
        assert str(refused.value) == f"当前状态为“{wf.DisputeState(state).label}”,不能指派调解员。"
    else:  # the workflow verbs refuse through the domain's state machine, with its reason
        assert isinstance(refused.value, InvalidTransition)
        with pytest.raises(InvalidTransition) as domain:
            wf.next_state(wf.DisputeState(state), ACTIONS[verb], wf.Outcome(outcome) if outcome else None)
        assert str(refused.value) == str(domain.value)
    db.session.commit()  # even a careless caller that commits after the refusal saves nothing
    assert case_snapshot(case.id) == before


# --- registration and case numbers ------------------------------------------------------------------

def _intake(village, **overrides):
    types = {t.name: t for t in dispute_types(village.township_id)}
    data = dict(
        village_id=village.id, dispute_type_id=types["邻里"].id, source=wf.Source.APPLICATION,
        registered_on=clock.today() - timedelta(days=2), summary="因院墙占道发生争执",
        parties=[
            disputes.PartyData(wf.PartySide.APPLICANT, "张三", wf.Gender.MALE, VALID_ID, VALID_PHONE),
            disputes.PartyData(wf.PartySide.RESPONDENT, "李四"),
        ],
    )
    data.update(overrides)
    return disputes.DisputeIntake(**data)


def test_registration_numbers_cases_per_committee_and_year(world):
    today = clock.today()
    first = disputes.register_dispute(world.mediator, _intake(world.village), today)
    second = disputes.register_dispute(world.mediator, _intake(world.other_village), today)
    far = disputes.register_dispute(world.far_mediator, _intake(world.far_village), today)
    last_year = disputes.register_dispute(
        world.mediator, _intake(world.village, registered_on=today.replace(year=today.year - 1, day=1)), today)
    db.session.commit()
    year = today.year
    assert first.number == f"({year})斜调字第1号"
    assert second.number == f"({year})斜调字第2号"
    assert far.number == f"({year})东调字第1号"
    assert last_year.number == f"({year - 1})斜调字第1号"


def test_registration_records_parties_and_a_timeline_entry(world):
    case = disputes.register_dispute(world.mediator, _intake(world.village, parties=[
        disputes.PartyData(wf.PartySide.APPLICANT, " 张三 ", None, "11010519491231002x", " 13812345678 "),
        disputes.PartyData(wf.PartySide.RESPONDENT, "李四"),
    ]), clock.today())
    db.session.commit()
    applicant = case.applicants[0]
    assert (applicant.name, applicant.id_number, applicant.phone) == ("张三", VALID_ID, VALID_PHONE)
    assert [p.name for p in case.respondents] == ["李四"]
    assert case.state is wf.DisputeState.REGISTERED and case.level is wf.Level.VILLAGE
    [entry] = timeline(case.id)
    assert entry.action == "register" and entry.actor_id == world.mediator.id
    assert "张三、李四" in chinese_sentence(entry)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"registered_on": days.TOMORROW}, "登记日期不能晚于今天"),
    ({"summary": "   "}, "请填写简要案情"),
    ({"parties": [disputes.PartyData(wf.PartySide.RESPONDENT, "李四")]}, "至少需要一名申请人"),
    ({"parties": [disputes.PartyData(wf.PartySide.APPLICANT, "张三", id_number="110105194912310021")]},
     "张三:身份证号码校验位不正确"),
    ({"parties": [disputes.PartyData(wf.PartySide.APPLICANT, "张三", id_number="1101051949")]},
     "张三:身份证号码应为18位"),
    ({"parties": [disputes.PartyData(wf.PartySide.APPLICANT, "张三", phone="12812345678")]},
     "张三:手机号码应为11位"),
    ({"parties": [disputes.PartyData(wf.PartySide.APPLICANT, "  ")]}, "当事人姓名不能为空"),
], ids=["future-date", "blank-summary", "no-applicant", "bad-check-digit", "bad-id-shape", "bad-phone",
        "blank-name"])
def test_bad_intake_is_refused_and_saves_nothing_nor_uses_a_number(world, overrides, message):
    if overrides.get("registered_on") == days.TOMORROW:
        overrides = {**overrides, "registered_on": clock.today() + timedelta(days=1)}
    with pytest.raises(DomainError, match=message):
        disputes.register_dispute(world.mediator, _intake(world.village, **overrides), clock.today())
    db.session.rollback()
    assert count_disputes() == 0
    assert db.session.execute(select(CaseCounter)).first() is None
    good = disputes.register_dispute(world.mediator, _intake(world.village), clock.today())
    assert good.number.endswith("第1号")


def test_natural_village_must_belong_to_the_chosen_village(world):
    other_natural = world.other_village.natural_villages[0]
    with pytest.raises(DomainError, match="自然村不属于所选的行政村"):
        disputes.register_dispute(
            world.mediator, _intake(world.village, natural_village_id=other_natural.id), clock.today())


def test_dispute_type_of_another_township_is_refused(world):
    far_type = dispute_types(world.other_township.id)[0]
    with pytest.raises(DomainError, match="纠纷类别不存在"):
        disputes.register_dispute(world.mediator, _intake(world.village, dispute_type_id=far_type.id), clock.today())


# --- escalation: 村 → 乡 → 县 -----------------------------------------------------------------------

@pytest.mark.parametrize("situation", ["registered", "accepted", "mediating"])
def test_open_case_escalates_village_township_county_then_stops(world, situation):
    case = make_case_in(world.staff, world.village, situation)
    assert disputes.escalate(case, world.staff, "涉及人数多") is wf.Level.TOWNSHIP
    assert disputes.escalate(case, world.staff, "乡级调解未果") is wf.Level.COUNTY
    db.session.commit()
    before = case_snapshot(case.id)
    with pytest.raises(InvalidTransition, match="案件已在县级处理"):
        disputes.escalate(case, world.staff, "再上报")
    db.session.commit()
    assert case_snapshot(case.id) == before
    assert before["level"] == "county" and before["status"] == SITUATIONS[situation][0]
    steps = [chinese_changes(e)["处理层级"] for e in timeline(case.id) if e.action == "escalate"]
    assert steps == [["村", "乡"], ["乡", "县"]]
    assert "上报乡级处理:涉及人数多" in [chinese_sentence(e) for e in timeline(case.id)]


@pytest.mark.parametrize("situation", ["not_accepted", "concluded-succeeded", "concluded-failed", "visited",
                                       "archived-succeeded"])
def test_escalation_is_refused_after_mediation_ended(world, situation):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    with pytest.raises(InvalidTransition, match="调解已结束,不能上报升级"):
        disputes.escalate(case, world.staff, "当事人不服")
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_escalation_needs_a_reason(world):
    case = make_dispute(world.staff, world.village)
    with pytest.raises(DomainError, match="请填写上报升级的理由"):
        disputes.escalate(case, world.staff, "  ")
    db.session.commit()
    assert case_snapshot(case.id)["level"] == "village"


# --- stale forms: every versioned verb refuses a version the case has moved past ------------------

STALE = {
    "accept": ("registered", lambda c, u, v: disputes.accept(c, u, clock.today(), clock.today(), v)),
    "not_accept": ("registered", lambda c, u, v: disputes.not_accept(c, u, clock.today(), "理由", None, clock.today(), v)),
    "assign": ("accepted", lambda c, u, v: disputes.assign_mediators(c, u, [u.id], v)),
    "conclude": ("mediating", lambda c, u, v: disputes.conclude(c, u, disputes.Conclusion(
        outcome=wf.Outcome.ENDED, closed_on=clock.today(), end_reason=wf.EndReason.REFUSED), clock.today(), v)),
    "return_visit": ("concluded-succeeded", lambda c, u, v: disputes.record_return_visit(
        c, u, clock.today(), wf.Performance.PARTIAL, clock.today(), expected_version=v)),
    "archive": ("concluded-failed", lambda c, u, v: disputes.archive(c, u, clock.today(), clock.today(), v)),
    "escalate": ("registered", lambda c, u, v: disputes.escalate(c, u, "理由", v)),
    "update_facts": ("registered", lambda c, u, v: disputes.update_facts(c, u, {"summary": "改"}, v)),
}


@pytest.mark.parametrize("verb", list(STALE))
def test_stale_version_is_refused_as_an_edit_conflict(world, verb):
    situation, call = STALE[verb]
    case = make_case_in(world.staff, world.village, situation)
    stale = case.version
    disputes.update_facts(case, world.mediator, {"risk_level": "serious"}, stale)  # someone else saves first
    db.session.commit()
    before = case_snapshot(case.id)
    with pytest.raises(disputes.EditConflict, match="已被他人修改"):
        call(case, world.staff, stale)
    db.session.commit()
    assert case_snapshot(case.id) == before


@pytest.mark.parametrize("verb", list(STALE))
def test_current_version_is_accepted(world, verb):
    situation, call = STALE[verb]
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    call(case, world.staff, case.version)
    db.session.commit()
    assert case_snapshot(case.id)["version"] == before["version"] + 1


# --- fact corrections ---------------------------------------------------------------------------------

def test_fact_correction_keeps_what_each_field_was_in_the_timeline(world):
    case = make_dispute(world.mediator, world.village)
    types = {t.name: t for t in dispute_types(world.township.id)}
    diff = disputes.update_facts(case, world.staff, {
        "risk_level": "major", "dispute_type_id": types["山林土地"].id, "summary": "因院墙占道发生争执",
        "police_reported": True,
    }, case.version)
    db.session.commit()
    assert diff == {"risk_level": ("general", "major"), "dispute_type_id": ("邻里", "山林土地"),
                    "police_reported": (False, True)}
    entry = timeline(case.id)[-1]
    assert entry.action == "edit" and entry.actor_id == world.staff.id
    assert entry.changes["risk_level"] == ["general", "major"]  # stored raw, shown by label
    assert chinese_changes(entry) == {"风险等级": ["一般", "重大"], "纠纷类别": ["邻里", "山林土地"],
                                      "已报告公安机关": ["否", "是"]}


def test_fact_correction_without_change_records_nothing(world):
    case = make_dispute(world.mediator, world.village)
    before = case_snapshot(case.id)
    assert disputes.update_facts(case, world.staff, {"summary": case.summary}, case.version) == {}
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_archived_case_cannot_be_corrected(world):
    case = make_case_in(world.staff, world.village, "archived-failed")
    before = case_snapshot(case.id)
    with pytest.raises(DomainError, match="已归档的案件不能修改"):
        disputes.update_facts(case, world.staff, {"summary": "改写"}, case.version)
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_correction_to_a_natural_village_elsewhere_is_refused(world):
    case = make_dispute(world.mediator, world.village)
    with pytest.raises(DomainError, match="自然村不属于本案所属村"):
        disputes.update_facts(case, world.staff, {"natural_village_id": world.other_village.natural_villages[0].id},
                              case.version)


# --- dates and details the verbs check ----------------------------------------------------------------

@pytest.mark.parametrize(("days_from_registration", "message"), [
    (-1, "受理日期不能早于登记日期"),
    (None, "受理日期不能晚于今天"),
])
def test_accept_date_must_lie_between_registration_and_today(world, days_from_registration, message):
    case = make_dispute(world.staff, world.village)
    on = clock.today() + timedelta(days=1) if days_from_registration is None else (
        case.registered_on + timedelta(days=days_from_registration))
    with pytest.raises(DomainError, match=message):
        disputes.accept(case, world.staff, on, clock.today())
    db.session.commit()
    assert case_snapshot(case.id)["status"] == "registered"


def test_not_accepting_needs_a_reason(world):
    case = make_dispute(world.staff, world.village)
    with pytest.raises(DomainError, match="不予受理理由为“其他”的,请写明具体理由"):
        disputes.not_accept(case, world.staff, clock.today(), " ", None, clock.today())


def test_not_accepting_records_reason_and_referral(world):
    case = make_dispute(world.staff, world.village)
    disputes.not_accept(case, world.staff, clock.today(), "属于法院专属管辖", "县人民法院", clock.today())
    db.session.commit()
    assert (case.not_accepted_reason, case.referred_to, case.closed_on) == ("属于法院专属管辖", "县人民法院", clock.today())
    assert "告知当事人向县人民法院申请解决" in chinese_sentence(timeline(case.id)[-1])


@pytest.mark.parametrize(("conclusion", "message"), [
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.SUCCEEDED, closed_on=today, agreement_terms="赔偿"),
     "须注明协议形式"),
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.SUCCEEDED, closed_on=today,
                                       agreement_form=wf.AgreementForm.ORAL), "须记录协议内容"),
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.FAILED, closed_on=today), "应告知当事人"),
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.ENDED, closed_on=today), "终止调解须注明原因"),
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.SUCCEEDED, closed_on=today,
                                       agreement_form=wf.AgreementForm.WRITTEN, agreement_terms="赔偿",
                                       performance_deadline=today - timedelta(days=1)),
     "履行期限不能早于协议达成日期"),
    (lambda today: disputes.Conclusion(outcome=wf.Outcome.ENDED, closed_on=today + timedelta(days=1),
                                       end_reason=wf.EndReason.REFUSED), "结案日期不能晚于今天"),
], ids=["no-form", "no-terms", "no-channels", "no-end-reason", "deadline-before-close", "future-close"])
def test_incomplete_conclusion_is_refused_and_case_stays_in_mediation(world, conclusion, message):
    case = make_dispute(world.staff, world.village, state="mediating")
    before = case_snapshot(case.id)
    today = clock.today()
    with pytest.raises(DomainError, match=message):
        disputes.conclude(case, world.staff, conclusion(today), today)
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_conclusion_before_registration_is_refused(world):
    case = make_dispute(world.staff, world.village, state="mediating")
    result = disputes.Conclusion(outcome=wf.Outcome.ENDED, closed_on=case.registered_on - timedelta(days=1),
                                 end_reason=wf.EndReason.WITHDRAWN)
    with pytest.raises(DomainError, match=re.escape(f"结案日期不能早于登记日期({case.registered_on.isoformat()})")):
        disputes.conclude(case, world.staff, result, clock.today())


def test_successful_conclusion_keeps_the_written_agreement(world):
    case = make_dispute(world.staff, world.village, state="mediating")
    disputes.conclude(case, world.staff, disputes.Conclusion(
        outcome=wf.Outcome.SUCCEEDED, closed_on=clock.today(), agreement_form=wf.AgreementForm.WRITTEN,
        agreement_terms="李四赔偿张三500元", performance_deadline=clock.today()), clock.today())
    db.session.commit()
    assert (case.outcome, case.agreement_form, case.agreement_terms) == ("succeeded", "written", "李四赔偿张三500元")
    entry = timeline(case.id)[-1]
    assert chinese_sentence(entry) == "调解结果:调解成功(书面协议)"
    assert chinese_changes(entry) == {"状态": ["调解中", "已调结"], "调解结果": [None, "调解成功"]}


def test_return_visit_before_the_agreement_is_refused(world):
    case = make_dispute(world.staff, world.village, state="concluded")
    with pytest.raises(DomainError, match="回访日期不能早于协议达成日期"):
        disputes.record_return_visit(case, world.staff, case.closed_on - timedelta(days=1),
                                     wf.Performance.PERFORMED, clock.today())


def test_repeat_return_visit_updates_performance_and_keeps_both_visits(world):
    case = make_dispute(world.staff, world.village, state="visited")
    today = clock.today()
    disputes.record_return_visit(case, world.staff, today, wf.Performance.PARTIAL, today, wf.Satisfaction.BASICALLY)
    db.session.commit()
    assert case.state is wf.DisputeState.VISITED and case.performance == "partial"
    assert len(case.return_visits) == 2
    assert chinese_changes(timeline(case.id)[-1]) == {"履行情况": ["已履行", "部分履行"]}


# --- mediators, sessions, investigation, continuation, judicial confirmation ---------------------------

def test_reassigning_mediators_keeps_the_case_in_mediation(world):
    case = make_dispute(world.staff, world.village, state="mediating")
    disputes.assign_mediators(case, world.staff, [world.mediator.id, world.staff.id])
    db.session.commit()
    assert case.state is wf.DisputeState.MEDIATING
    assert [u.id for u in case.mediators] == sorted([world.mediator.id, world.staff.id])
    entry = timeline(case.id)[-1]
    assert entry.action == "assign" and chinese_changes(entry)["调解员"] == ["刘明", "刘明、王调解"]


@pytest.mark.parametrize("who", ["far_mediator", "leader", "admin"])
def test_only_mediators_and_staff_of_the_township_can_be_assigned(world, who):
    case = make_dispute(world.staff, world.village, state="accepted")
    with pytest.raises(DomainError, match="指派的调解员不属于本乡"):
        disputes.assign_mediators(case, world.staff, [getattr(world, who).id])
    db.session.commit()
    assert case_snapshot(case.id)["status"] == "accepted"


def test_assignment_needs_a_mediator(world):
    case = make_dispute(world.staff, world.village, state="accepted")
    with pytest.raises(DomainError, match="请至少指派一名调解员"):
        disputes.assign_mediators(case, world.staff, [])


@pytest.mark.parametrize("situation", ["registered", "accepted", "concluded-succeeded", "archived-failed"])
def test_sessions_are_recorded_only_in_mediation(world, situation):
    case = make_case_in(world.staff, world.village, situation)
    with pytest.raises(DomainError, match="不能记录调解"):
        disputes.record_session(case, world.staff, clock.today(), "村委会", "王调解", "双方", "调解", clock.today())


@pytest.mark.parametrize(("situation", "allowed"), [
    ("registered", False), ("accepted", True), ("mediating", True), ("concluded-failed", False),
])
def test_investigation_is_recorded_only_while_accepted_or_in_mediation(world, situation, allowed):
    case = make_case_in(world.staff, world.village, situation)
    if allowed:
        disputes.record_investigation(case, world.staff, clock.today(), "走访双方", clock.today(), subject="张三")
        db.session.commit()
        assert [n.content for n in case.investigation_notes] == ["走访双方"]
        assert timeline(case.id)[-1].action == "investigation"
    else:
        with pytest.raises(DomainError, match="不能记录调查"):
            disputes.record_investigation(case, world.staff, clock.today(), "走访双方", clock.today())


def test_session_is_numbered_in_the_timeline(world):
    case = make_dispute(world.staff, world.village, state="mediating")
    disputes.record_session(case, world.staff, clock.today(), "村委会调解室", "王调解", "张三、李四", "讲解法律", clock.today())
    db.session.commit()
    assert chinese_sentence(timeline(case.id)[-1]) == f"记录第1次调解({clock.today().isoformat()},村委会调解室)"


def test_a_continuation_sets_the_agreed_date_as_the_new_mediation_limit(world):
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=date(2024, 3, 1))
    # accepted 2024-03-01 + one month = Mon 04-01
    assert case.due_on == date(2024, 4, 1)
    disputes.agree_continuation(case, world.staff, date(2024, 3, 28), "双方同意再调解两周", clock.today(),
                                until=date(2024, 4, 15))
    db.session.commit()
    assert (case.continuation_agreed, case.continued_until, case.due_on) == (True, date(2024, 4, 15), date(2024, 4, 15))
    event = timeline(case.id)[-1]
    assert chinese_sentence(event) == "双方当事人同意延续调解至2024-04-15:双方同意再调解两周"
    assert chinese_changes(event) == {"调解期限": ["2024-04-01", "2024-04-15"]}
    # a second agreement moves the limit again
    disputes.agree_continuation(case, world.staff, date(2024, 4, 12), "再延一周", clock.today(), until=date(2024, 4, 22))
    db.session.commit()
    assert case.due_on == date(2024, 4, 22)


def test_a_continuation_needs_the_agreed_date(world):
    case = make_dispute(world.staff, world.village, state="mediating")
    before = case_snapshot(case.id)
    with pytest.raises(DomainError, match="请填写双方当事人约定的调解期限"):
        disputes.agree_continuation(case, world.staff, clock.today(), "双方同意", clock.today())
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_judicial_confirmation_is_recorded_for_an_agreement(world):
    case = make_dispute(world.staff, world.village, state="visited")
    judicial_confirmation.record_judicial_confirmation(case, world.staff, case.closed_on, "县人民法院", clock.today())
    db.session.commit()
    assert (case.judicial_confirmation_applied_on, case.judicial_confirmation_court) == (case.closed_on, "县人民法院")
    assert timeline(case.id)[-1].action == "judicial_confirmation"


@pytest.mark.parametrize(("situation", "message"), [
    ("concluded-failed", "只有达成调解协议的案件可以申请司法确认"),
    ("mediating", "只有达成调解协议的案件可以申请司法确认"),
])
def test_judicial_confirmation_is_refused_without_an_agreement(world, situation, message):
    case = make_case_in(world.staff, world.village, situation)
    before = case_snapshot(case.id)
    with pytest.raises(DomainError, match=message):
        judicial_confirmation.record_judicial_confirmation(case, world.staff, clock.today(), "县人民法院", clock.today())
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_judicial_confirmation_is_counted_from_when_the_agreement_took_effect_and_recorded_after_archiving(world):
    # registered = accepted 2026-02-01, agreement 02-06, archived 02-26
    case = make_dispute(world.staff, world.village, state="archived", registered_on=date(2026, 2, 1))
    assert time_limits.judicial_confirmation_deadline(case).due == date(2026, 3, 9)  # 02-06 + 30 = Sun 03-08
    # the agreement took effect on Sat 03-07 (signed by the last party): + 30 = Mon 04-06 (清明) -> Tue 04-07
    warning = judicial_confirmation.record_judicial_confirmation(case, world.staff, date(2026, 4, 7), "县人民法院", clock.today(),
                                                    effective_on=date(2026, 3, 7))
    db.session.commit()
    assert warning == ""
    assert (case.agreement_effective_on, case.judicial_confirmation_applied_on) == (date(2026, 3, 7), date(2026, 4, 7))
    assert time_limits.judicial_confirmation_deadline(case).due == date(2026, 4, 7)


def test_a_late_judicial_confirmation_application_is_saved_with_its_note_never_refused(world):
    case = make_dispute(world.staff, world.village, state="visited", registered_on=date(2026, 2, 1))
    before = case_snapshot(case.id)
    # agreement 02-06 + 30 = Sun 03-08 -> Mon 03-09; applied Tue 03-10, one day late
    with pytest.raises(DomainError, match=re.escape("申请日期已超过司法确认申请期限(截至2026-03-09)1日")):
        judicial_confirmation.record_judicial_confirmation(case, world.staff, date(2026, 3, 10), "县人民法院", clock.today())
    db.session.commit()
    assert case_snapshot(case.id) == before
    warning = judicial_confirmation.record_judicial_confirmation(case, world.staff, date(2026, 3, 10), "县人民法院",
                                                    clock.today(), late_note="当事人住院,出院后即申请")
    db.session.commit()
    assert case.judicial_confirmation_applied_on == date(2026, 3, 10)
    assert warning == "(逾期1日,司法确认申请期限截至2026-03-09;逾期说明:当事人住院,出院后即申请)"
    assert chinese_sentence(timeline(case.id)[-1]) == "双方当事人向县人民法院申请司法确认(2026-03-10)" + warning


def test_the_courts_result_is_recorded_once(world):
    case = make_dispute(world.staff, world.village, state="visited")
    with pytest.raises(DomainError, match="尚未记录司法确认申请"):
        judicial_confirmation.record_court_result(case, world.staff, wf.CourtResult.CONFIRMED, clock.today(), clock.today())
    judicial_confirmation.record_judicial_confirmation(case, world.staff, case.closed_on, "县人民法院", clock.today())
    judicial_confirmation.record_court_result(case, world.staff, wf.CourtResult.CONFIRMED, clock.today(), clock.today())
    db.session.commit()
    assert (case.judicial_confirmation_result, case.judicial_confirmation_result_on) == ("confirmed", clock.today())
    assert chinese_sentence(timeline(case.id)[-1]) == f"司法确认结果:确认有效({clock.today().isoformat()})"
    with pytest.raises(DomainError, match="已记录司法确认结果"):
        judicial_confirmation.record_court_result(case, world.staff, wf.CourtResult.REJECTED, clock.today(), clock.today())


def test_judicial_confirmation_is_recorded_once(world):
    case = make_dispute(world.staff, world.village, state="visited")
    judicial_confirmation.record_judicial_confirmation(case, world.staff, case.closed_on, "县人民法院", clock.today())
    db.session.commit()
    before = case_snapshot(case.id)
    with pytest.raises(DomainError, match="已记录司法确认申请"):
        judicial_confirmation.record_judicial_confirmation(case, world.staff, case.closed_on, "市中级人民法院", clock.today())
    db.session.commit()
    assert case_snapshot(case.id) == before


def test_every_situation_is_reachable_through_the_services_within_the_check_constraints(world):
    for situation in SITUATIONS:
        make_case_in(world.staff, world.village, situation)
    statuses = set(db.session.execute(select(Dispute.status)).scalars())
    assert statuses == {state for state, _outcome in SITUATIONS.values()}
