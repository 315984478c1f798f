"""Early warnings kept current by the writes themselves and by the nightly refresh, on a real database."""

from datetime import timedelta

from sqlalchemy import select

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import RiskWarning
from casetrack.services import disputes, petitions, supervision
from casetrack.services import warnings as ws
from casetrack.services.places import dispute_types
from tests.factories import VALID_ID
from tests.petition_factories import category

OTHER_ID = "110105198001010016"  # a valid ID number of someone else
_neighbours = iter(range(10**6))


def register(actor, village, *parties, days_ago=10, people=2, risk="general", police=False, group=False):
    """Register a dispute between the named parties (name or (name, id_number)); commits."""
    today = clock.today()
    kind = next(t for t in dispute_types(village.township_id) if t.name == "邻里")
    data = []
    for n, party in enumerate(parties or ("张三",)):
        name, id_number = party if isinstance(party, tuple) else (party, None)
        side = wf.PartySide.APPLICANT if n == 0 else wf.PartySide.RESPONDENT
        data.append(disputes.PartyData(side, name, None, id_number))
    if len(data) == 1:
        data.append(disputes.PartyData(wf.PartySide.RESPONDENT, f"邻居{next(_neighbours)}"))
    intake = disputes.DisputeIntake(
        village_id=village.id, dispute_type_id=kind.id, source=wf.Source.APPLICATION,
        registered_on=today - timedelta(days=days_ago), summary="院墙占道", parties=data, people_involved=people,
        risk_level=wf.RiskLevel(risk), police_reported=police, group_dispute=group)
    case = disputes.register_dispute(actor, intake, today)
    db.session.commit()
    return case


def open_warnings(rule=None):
    query = select(RiskWarning).where(RiskWarning.resolved_at.is_(None)).order_by(RiskWarning.id)
    if rule:
        query = query.where(RiskWarning.rule == rule)
    return list(db.session.execute(query).scalars())


def test_the_third_dispute_of_a_party_raises_a_yellow_warning_as_it_is_registered(world):
    register(world.mediator, world.village, "张三", days_ago=100)
    register(world.mediator, world.village, "张三", days_ago=50)
    assert open_warnings("repeat_party") == []
    third = register(world.mediator, world.village, "张三")
    (warning,) = open_warnings("repeat_party")
    assert warning.level == "yellow" and warning.village_id == world.village.id
    assert warning.dispute_ids[-1] == third.id and len(warning.numbers) == 3
    assert warning.text.startswith("张三在180天内涉及3起矛盾纠纷")
    assert [e.action for e in warning.events] == ["raised"]


def test_a_fourth_dispute_reported_to_the_police_turns_it_red_and_keeps_one_warning(world):
    for days in (100, 50, 20):
        register(world.mediator, world.village, "张三", days_ago=days)
    register(world.mediator, world.village, "张三", police=True)
    (warning,) = open_warnings("repeat_party")
    assert warning.level == "red" and len(warning.dispute_ids) == 4
    assert [e.action for e in warning.events] == ["raised", "changed"]


def test_namesakes_in_two_villages_are_not_merged_but_one_id_number_is(world):
    register(world.mediator, world.village, "张三", days_ago=30)
    register(world.mediator, world.village, "张三", days_ago=20)
    register(world.other_mediator, world.other_village, "张三")
    assert open_warnings("repeat_party") == []
    register(world.mediator, world.village, ("王五", OTHER_ID), days_ago=30)
    register(world.mediator, world.village, ("王五", OTHER_ID), days_ago=20)
    register(world.other_mediator, world.other_village, ("王五", OTHER_ID))
    (warning,) = open_warnings("repeat_party")
    assert warning.people == ["王五"] and OTHER_ID not in warning.subject


def test_concluding_the_cases_resolves_the_warning_and_keeps_its_history(world):
    cases = [register(world.staff, world.village, "张三", days_ago=d) for d in (30, 20, 10)]
    assert len(open_warnings("repeat_party")) == 1
    today = clock.today()
    for case in cases:
        disputes.not_accept(case, world.staff, today, "属于法院专属管辖", None, today)
    db.session.commit()
    assert open_warnings("repeat_party") == []
    (warning,) = db.session.execute(select(RiskWarning).where(RiskWarning.rule == "repeat_party")).scalars()
    assert warning.resolved_on == today
    assert [e.action for e in warning.events] == ["raised", "resolved"]


def test_a_big_or_group_dispute_is_warned_and_its_level_follows_an_edit(world):
    case = register(world.staff, world.village, "赵六", people=5)
    (warning,) = open_warnings("many_people")
    assert warning.level == "yellow" and warning.numbers == [case.number]
    disputes.update_facts(case, world.staff, {"group_dispute": True}, None)
    db.session.commit()
    db.session.refresh(warning)
    assert warning.level == "red" and "群体性纠纷" in warning.text
    disputes.update_facts(case, world.staff, {"group_dispute": False, "people_involved": 4}, None)
    db.session.commit()
    assert open_warnings("many_people") == []


def test_a_major_dispute_without_responsibility_is_yellow_until_it_is_named(world):
    case = register(world.staff, world.village, "钱七", risk="major")
    (warning,) = open_warnings("major_dispute")
    assert warning.level == "yellow" and "尚未落实责任单位" in warning.text
    supervision.name_responsibility(case, world.staff, "乡司法所", "王乡长", "李干事")
    db.session.commit()
    assert open_warnings("major_dispute") == []


def test_a_prevention_flag_on_an_open_case_is_red(world):
    case = register(world.staff, world.village, "孙八")
    supervision.record_prevention(case, world.staff, 3, 0)
    db.session.commit()
    (warning,) = open_warnings("prevention_flag")
    assert warning.level == "red" and warning.text.endswith("标记为防止民转刑,尚未调结。")


def test_a_village_whose_disputes_doubled_this_month_gets_a_blue_warning(world):
    today = clock.today()
    for n in range(3):
        register(world.mediator, world.village, f"甲{n}", days_ago=today.day - 1)  # the first of this month
    assert open_warnings("village_surge") == []
    register(world.mediator, world.village, "甲3", days_ago=today.day - 1)
    (warning,) = open_warnings("village_surge")
    assert warning.level == "blue" and warning.village_id == world.village.id
    assert f"{today.year}年{today.month}月新增矛盾纠纷4起" in warning.text


def petition_by(actor, township, name, id_number, days_ago, level="township"):
    today = clock.today()
    intake = petitions.PetitionIntake(
        received_on=today - timedelta(days=days_ago), channel=petitions.pw.Channel.LETTER,
        category_id=category(township).id, request="土地补偿", petitioners=[petitions.PetitionerData(name, id_number)],
        level=petitions.pw.Level(level))
    petition = petitions.register_petition(actor, township, intake, today)
    db.session.commit()
    return petition


def test_a_third_petition_in_twelve_months_is_yellow_and_a_county_level_one_red(world):
    petition_by(world.staff, world.township, "赵大民", VALID_ID, 300)
    petition_by(world.staff, world.township, "赵大民", VALID_ID, 100)
    assert open_warnings("repeat_petitioner") == []
    petition_by(world.staff, world.township, "赵大民", VALID_ID, 1)
    (warning,) = open_warnings("repeat_petitioner")
    assert warning.level == "yellow" and warning.text.startswith("信访人赵大民12个月内信访3次")
    petition_by(world.staff, world.township, "赵大民", VALID_ID, 0, level="county")
    db.session.refresh(warning)
    assert warning.level == "red" and "已到县级信访" in warning.text


def test_the_nightly_refresh_finds_what_time_alone_changed(world):
    case = register(world.staff, world.village, "周九", risk="major")
    supervision.name_responsibility(case, world.staff, "乡司法所", "王乡长", "李干事")
    disputes.accept(case, world.staff, clock.today(), clock.today())
    db.session.commit()
    assert open_warnings("major_dispute") == []
    later = case.due_on + timedelta(days=1)
    counts = ws.refresh_township(world.township, today=later)
    db.session.commit()
    (warning,) = open_warnings("major_dispute")
    assert warning.level == "yellow" and "已超过调解期限" in warning.text and counts["raised"] >= 1
    world.township.settings = {"sensitive_periods": [
        {"name": "全国两会", "starts_on": (later + timedelta(days=3)).isoformat(),
         "ends_on": (later + timedelta(days=13)).isoformat()}]}
    db.session.commit()
    ws.refresh_township(world.township, today=later)
    db.session.commit()
    db.session.refresh(warning)
    assert warning.level == "red" and "正值敏感时期“全国两会”" in warning.text


def test_the_nightly_refresh_agrees_with_the_incremental_one(world):
    for days in (30, 20, 10):
        register(world.mediator, world.village, "张三", days_ago=days, people=6)
    before = {(w.rule, w.subject, w.level, w.text) for w in open_warnings()}
    counts = ws.refresh_township(world.township)
    db.session.commit()
    assert counts == {"raised": 0, "changed": 0, "resolved": 0}
    assert {(w.rule, w.subject, w.level, w.text) for w in open_warnings()} == before


def test_acknowledging_records_who_when_the_note_and_the_assignee(world):
    register(world.staff, world.village, "赵六", people=25)
    (warning,) = open_warnings("many_people")
    ws.acknowledge(warning, world.staff, "已安排包村干部走访", world.mediator.id)
    db.session.commit()
    assert warning.acknowledged_by_id == world.staff.id and warning.assignee_id == world.mediator.id
    assert warning.acknowledged_note == "已安排包村干部走访" and warning.acknowledged_at is not None
    assert warning.events[-1].action == "acknowledged" and "责任人:王调解" in warning.events[-1].text


def test_acknowledging_needs_a_note_and_a_township_assignee(world):
    register(world.staff, world.village, "赵六", people=25)
    (warning,) = open_warnings("many_people")
    for note, assignee in (("", None), ("走访", world.far_mediator.id), ("走访", world.other_mediator.id)):
        try:
            ws.acknowledge(warning, world.staff, note, assignee)
        except ws.DomainError:
            db.session.rollback()
        else:
            raise AssertionError((note, assignee))
    assert warning.acknowledged_at is None


def test_the_nightly_command_refreshes_every_township(world, runner):
    case = register(world.staff, world.village, "吴十", risk="major")
    db.session.execute(RiskWarning.__table__.delete())  # as if the warning had never been raised
    db.session.commit()
    result = runner.invoke(args=["warnings", "refresh"])
    assert result.exit_code == 0, result.output
    assert "斜沟乡: 新增1 变更0 解除0" in result.output and "东岭乡: 新增0" in result.output
    (warning,) = open_warnings("major_dispute")
    assert warning.numbers == [case.number]
    assert runner.invoke(args=["warnings", "refresh", "--township", "无此乡"]).exit_code != 0
