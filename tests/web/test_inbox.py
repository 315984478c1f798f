"""The inbox (待办): each role's lines appear when there is work and leave by themselves once it is done."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Petition
from casetrack.services import disputes, judicial_confirmation, review, screening, supervision
from casetrack.services import petitions as petition_services
from casetrack.services.timeline import chinese_sentence
from tests.conftest import login
from tests.factories import make_dispute, timeline
from tests.petition_factories import make_petition
from tests.web.test_i18n import english, locale_per_request  # noqa: F401 (fixtures: the .po as it is now)

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

LINE = re.compile(r'<li class="inbox-line" data-kind="([a-z_]+)">\s*<a href="[^"]*"><strong>([^<]+)</strong>')


def _today():
    return clock.today()


def lines(client) -> set[tuple[str, str]]:
    """The (kind, case number) of every line on the user's inbox page."""
    response = client.get("/inbox")
    assert response.status_code == 200
    return set(LINE.findall(response.get_data(as_text=True)))


def signed_in(app, username):
    client = app.test_client()
    login(client, username)
    return client


# --- a leader -----------------------------------------------------------------------------------------

def _extension_requested(world) -> Petition:
    petition = make_petition(world.staff, world.township, state="in_progress", received_on=_today() - timedelta(days=10))
    petition_services.request_extension(petition, world.staff, 20, "需要现场核实土地面积")
    db.session.commit()
    return petition


def test_leader_sees_an_extension_request_and_approves_it_from_the_line(app, world):
    petition = _extension_requested(world)
    leader = signed_in(app, "leader")
    page = leader.get("/inbox").get_data(as_text=True)
    assert ("extension", petition.number) in lines(leader)
    assert "需要现场核实土地面积" in page and "《信访工作条例》第三十四条" in page
    response = leader.post(f"/inbox/extension/{petition.id}", data={"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Petition, petition.id)
    assert stored.extension_days == 20 and stored.extension_requested_days is None
    assert ("extension", petition.number) not in lines(leader)
    assert any("批准延期20日" in chinese_sentence(e) and "同意" in chinese_sentence(e) for e in _petition_events(petition.id))


def _petition_events(petition_id):
    from tests.petition_factories import petition_timeline

    return petition_timeline(petition_id)


def test_leader_refuses_an_extension_only_with_a_note(app, world):
    petition = _extension_requested(world)
    leader = signed_in(app, "leader")
    leader.post(f"/inbox/extension/{petition.id}", data={"decision": "decline", "note": "  "})
    page = leader.get("/inbox").get_data(as_text=True)
    assert "不批准时请填写理由" in page
    assert ("extension", petition.number) in lines(leader)  # nothing changed
    leader.post(f"/inbox/extension/{petition.id}", data={"decision": "decline", "note": "理由不充分"})
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).extension_requested_days is None
    assert db.session.get(Petition, petition.id).extension_days == 0
    assert ("extension", petition.number) not in lines(leader)


def test_staff_may_not_rule_on_an_extension_from_the_inbox(app, world):
    petition = _extension_requested(world)
    staff = signed_in(app, "staff")
    assert staff.post(f"/inbox/extension/{petition.id}", data={"decision": "approve", "note": ""}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Petition, petition.id).extension_requested_days == 20


def test_leader_sees_their_supervision_once_due_until_the_mediation_concludes(app, world):
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=_today() - timedelta(days=3))
    supervision.supervise(case, world.leader, "请三日内拿出调解方案", _today(), _today())
    db.session.commit()
    leader = signed_in(app, "leader")
    page = leader.get("/inbox").get_data(as_text=True)
    assert ("supervision", case.number) in lines(leader)
    assert "请三日内拿出调解方案" in page and "今天到期" in page
    disputes.conclude(case, world.staff, disputes.Conclusion(outcome=wf.Outcome.FAILED, closed_on=_today(),
                                                               channels_told=["诉讼"]), _today())
    db.session.commit()
    assert ("supervision", case.number) not in lines(leader)


def test_a_supervision_not_yet_due_is_not_a_line(app, world):
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=_today() - timedelta(days=3))
    supervision.supervise(case, world.leader, "请尽快化解", _today() + timedelta(days=5), _today())
    db.session.commit()
    assert ("supervision", case.number) not in lines(signed_in(app, "leader"))


def test_leader_sees_a_major_dispute_without_a_responsible_unit_until_one_is_named(app, world):
    case = make_dispute(world.staff, world.village, risk="major", registered_on=_today() - timedelta(days=2))
    leader = signed_in(app, "leader")
    assert ("major_unassigned", case.number) in lines(leader)
    supervision.name_responsibility(case, world.staff, "乡司法所", "李乡长", "刘明")
    db.session.commit()
    assert ("major_unassigned", case.number) not in lines(leader)


# --- township staff -----------------------------------------------------------------------------------

def test_staff_sees_cases_waiting_for_acceptance_until_decided(app, world):
    case = make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    far = make_dispute(world.far_mediator, world.far_village, registered_on=_today() - timedelta(days=1))
    staff = signed_in(app, "staff")
    seen = lines(staff)
    assert ("acceptance", case.number) in seen and ("acceptance", far.number) not in seen
    disputes.accept(case, world.staff, _today(), _today())
    db.session.commit()
    assert ("acceptance", case.number) not in lines(staff)


def test_staff_sees_a_petition_to_decide_with_its_15_day_limit_until_decided(app, world):
    petition = make_petition(world.staff, world.township, received_on=_today() - timedelta(days=14))
    staff = signed_in(app, "staff")
    page = staff.get("/inbox").get_data(as_text=True)
    assert ("petition_decision", petition.number) in lines(staff)
    assert "第二十二条" in page or "15" in page
    petition_services.decide(petition, world.staff, "accepted", _today(), _today())
    db.session.commit()
    assert ("petition_decision", petition.number) not in lines(staff)


def test_petitions_to_decide_come_most_urgent_first_and_one_without_a_limit_last_on_either_database(app, world):
    """SQLite sorts an empty date first and PostgreSQL last: the inbox says which, the same on both."""
    undated = make_petition(world.staff, world.township, received_on=_today() - timedelta(days=1))
    later = make_petition(world.staff, world.township, received_on=_today() - timedelta(days=2))
    sooner = make_petition(world.staff, world.township, received_on=_today() - timedelta(days=10))
    db.session.execute(update(Petition).where(Petition.id == undated.id).values(due_on=None))  # e.g. from another program
    db.session.commit()
    page = signed_in(app, "staff").get("/inbox").get_data(as_text=True)
    order = [number for kind, number in LINE.findall(page) if kind == "petition_decision"]
    assert order == [sooner.number, later.number, undated.number]


def test_staff_sees_an_overdue_mediation_with_its_rule_until_it_concludes(app, world):
    case = make_dispute(world.mediator, world.village, state="mediating", registered_on=_today() - timedelta(days=45))
    fresh = make_dispute(world.mediator, world.village, state="mediating", registered_on=_today())
    staff = signed_in(app, "staff")
    page = staff.get("/inbox").get_data(as_text=True)
    seen = lines(staff)
    assert ("due", case.number) in seen and ("due", fresh.number) not in seen
    assert "已超期" in page and "第三十三条" in page
    disputes.conclude(case, world.mediator, disputes.Conclusion(outcome=wf.Outcome.FAILED, closed_on=_today(),
                                                                 channels_told=["诉讼"]), _today())
    db.session.commit()
    assert ("due", case.number) not in lines(staff)


def test_staff_sees_a_send_back_the_mediator_answered_until_someone_acts_on_it(app, world):
    case = make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    review.send_back(case, world.staff, "请补充当事人住址")
    db.session.commit()
    staff = signed_in(app, "staff")
    assert ("corrected", case.number) not in lines(staff)
    review.mark_corrected(case, world.mediator, "已补充住址")
    db.session.commit()
    assert ("corrected", case.number) in lines(staff)
    disputes.accept(case, world.staff, _today(), _today())
    db.session.commit()
    assert ("corrected", case.number) not in lines(staff)


def test_staff_sees_the_township_round_of_this_period_until_it_is_held(app, world):
    staff = signed_in(app, "staff")
    assert any(kind == "screening" for kind, _n in lines(staff))
    screening.record_round(world.staff, world.township, "township", None, _today(), "刘明", [], _today())
    db.session.commit()
    assert not any(kind == "screening" for kind, _n in lines(staff))


# --- a village mediator -------------------------------------------------------------------------------

def test_mediator_answers_a_send_back_from_the_line_and_it_leaves(app, world):
    case = make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    review.send_back(case, world.staff, "请补充当事人住址")
    db.session.commit()
    mediator = signed_in(app, "mediator1")
    page = mediator.get("/inbox").get_data(as_text=True)
    assert ("returned", case.number) in lines(mediator) and "请补充当事人住址" in page
    assert f"/cases/{case.id}/corrected" in page
    assert ("returned", case.number) not in lines(signed_in(app, "mediator2"))
    mediator.post(f"/cases/{case.id}/corrected", data={"note": "已补充", "version": ""})
    assert ("returned", case.number) not in lines(mediator)


def test_mediator_sees_this_weeks_round_until_a_nil_report_is_made(app, world):
    mediator = signed_in(app, "mediator1")
    assert any(kind == "screening" for kind, _n in lines(mediator))
    dashboard = mediator.get("/").get_data(as_text=True)
    assert "本周没有到期的事项" not in dashboard and "本期排查尚未进行" in dashboard
    screening.record_round(world.mediator, world.township, "village", world.village.id, _today(), "王调解", [],
                           _today())
    db.session.commit()
    assert not any(kind == "screening" for kind, _n in lines(mediator))
    assert any(kind == "screening" for kind, _n in lines(signed_in(app, "mediator2")))  # another village's


def test_mediator_sees_their_open_mediations_and_not_another_villages(app, world):
    own = make_dispute(world.mediator, world.village, state="mediating", registered_on=_today() - timedelta(days=5))
    other = make_dispute(world.other_mediator, world.other_village, state="mediating",
                         registered_on=_today() - timedelta(days=5))
    seen = lines(signed_in(app, "mediator1"))
    assert ("mediation", own.number) in seen and ("mediation", other.number) not in seen


def test_mediator_sees_a_return_visit_due_until_it_is_recorded(app, world):
    case = make_dispute(world.mediator, world.village, state="concluded", registered_on=_today() - timedelta(days=60))
    mediator = signed_in(app, "mediator1")
    assert ("follow_up", case.number) in lines(mediator)
    disputes.record_return_visit(case, world.mediator, _today(), wf.Performance.PERFORMED, _today())
    db.session.commit()
    assert ("follow_up", case.number) not in lines(mediator)


def test_mediator_sees_the_judicial_confirmation_window_until_an_application_is_recorded(app, world):
    case = make_dispute(world.mediator, world.village, state="concluded", registered_on=_today() - timedelta(days=10))
    old = make_dispute(world.mediator, world.village, state="concluded", registered_on=_today() - timedelta(days=80))
    mediator = signed_in(app, "mediator1")
    seen = lines(mediator)
    assert ("judicial", case.number) in seen and ("judicial", old.number) not in seen  # the old window closed
    judicial_confirmation.record_judicial_confirmation(case, world.mediator, _today(), "县人民法院", _today())
    db.session.commit()
    assert ("judicial", case.number) not in lines(mediator)


# --- everyone ---------------------------------------------------------------------------------------------

def test_the_navigation_shows_the_count_and_a_phone_lands_on_the_inbox(app, client, world):
    make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    response = client.post("/auth/login", data={"username": "staff", "password": "pass1234word"},
                           headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"})
    assert response.headers["Location"].endswith("/inbox")
    page = client.get("/inbox").get_data(as_text=True)
    count = len(LINE.findall(page))
    assert re.search(r'href="/inbox"[^>]*>待办 <span class="count">' + str(count) + '</span>', page)


def test_a_desktop_login_still_lands_on_the_dashboard(client, world):
    response = login(client, "staff")
    assert response.headers["Location"].endswith("/")


def test_an_empty_inbox_says_so(app, world):
    admin = signed_in(app, "admin")
    assert "现在没有待办的事项" in admin.get("/inbox").get_data(as_text=True)


def test_the_inbox_is_in_english_too(app, world):
    make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    staff = signed_in(app, "staff")
    staff.post("/auth/language", data={"locale": "en"})
    page = staff.get("/inbox").get_data(as_text=True)
    assert "To do" in page and "Waiting for acceptance" in page


def test_the_timeline_names_the_supervising_leader_once(app, world):
    world.leader.full_name = "分管领导 陈志国"
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=_today() - timedelta(days=3))
    supervision.supervise(case, world.leader, "请尽快化解", _today(), _today())
    db.session.commit()
    entry = [e for e in timeline(case.id) if e.action == "supervise"][0]
    assert chinese_sentence(entry).startswith("督办:请尽快化解")
    page = signed_in(app, "staff").get(f"/cases/{case.id}").get_data(as_text=True)
    assert page.count("分管领导 陈志国") >= 1 and "分管领导 陈志国 分管领导 陈志国" not in page


# --- the head of a case page -------------------------------------------------------------------------------

def test_the_case_page_leads_with_its_limit_its_supervision_and_the_next_action(app, world):
    world.leader.full_name = "陈志国"
    case = make_dispute(world.staff, world.village, state="mediating", registered_on=_today() - timedelta(days=39))
    supervision.supervise(case, world.leader, "请本周内拿出调解方案", _today(), _today())
    db.session.commit()
    page = signed_in(app, "staff").get(f"/cases/{case.id}").get_data(as_text=True)
    head = page[page.index('class="card case-now"'):page.index("</section>", page.index('class="card case-now"'))]
    assert "当前期限" in head and "已超期" in head and "第三十三条" in head
    assert "陈志国督办" in head and "请本周内拿出调解方案" in head and f"督办期限 {_today()}" in head
    assert page.index("case-now") < page.index('class="button primary"') < page.index("基本情况")


def test_a_case_with_no_limit_running_says_so(app, world):
    case = make_dispute(world.mediator, world.village, registered_on=_today() - timedelta(days=1))
    page = signed_in(app, "staff").get(f"/cases/{case.id}").get_data(as_text=True)
    assert "现在没有进行中的期限" in page


def test_the_petition_page_leads_with_its_limit_and_rule(app, world):
    petition = make_petition(world.staff, world.township, received_on=_today() - timedelta(days=20))
    page = signed_in(app, "staff").get(f"/petitions/{petition.id}").get_data(as_text=True)
    head = page[page.index('class="card case-now"'):]
    assert "当前期限" in head[:2000] and "已超期" in head[:2000] and "第二十二条" in head[:2000]


def test_an_old_timeline_entry_that_named_its_actor_shows_the_name_once(app, world):
    from casetrack.models import CaseEvent

    world.leader.full_name = "分管领导 陈志国"
    case = make_dispute(world.staff, world.village, registered_on=_today() - timedelta(days=3))
    # kept as prose by revision 0024 (its name in front has no known shape): params NULL, shown as stored
    db.session.add(CaseEvent(dispute_id=case.id, actor_id=world.leader.id, action="supervise", params=None,
                             summary="分管领导 陈志国督办:请尽快化解(期限2026-12-01)", changes={}))
    db.session.commit()
    page = signed_in(app, "staff").get(f"/cases/{case.id}").get_data(as_text=True)
    assert re.search(r"<strong>分管领导 陈志国</strong>\s*<span>督办:请尽快化解", page)


# --- red warnings (红色预警), for everyone who handles the place -----------------------------------------------

def _red_warning(world):
    """A case of the world's village marked 防止民转刑: the early warning it raises is red."""
    from casetrack.models import RiskWarning

    case = make_dispute(world.staff, world.village, state="mediating", registered_on=_today() - timedelta(days=3))
    supervision.record_prevention(case, world.staff, 3, 0)
    db.session.commit()
    warning = db.session.execute(db.select(RiskWarning).where(
        RiskWarning.rule == "prevention_flag", RiskWarning.resolved_at.is_(None))
        .order_by(RiskWarning.id.desc())).scalars().first()
    assert warning is not None and warning.level == "red" and case.number in warning.numbers
    return case, warning


def test_a_red_warning_waits_in_the_inbox_of_staff_leader_and_the_villages_mediator_until_acknowledged(app, world):
    case, warning = _red_warning(world)
    for username in ("staff", "leader", "mediator1"):
        assert ("red_warning", case.number) in lines(signed_in(app, username)), username
    assert ("red_warning", case.number) not in lines(signed_in(app, "mediator2"))  # another village's mediator

    staff = signed_in(app, "staff")
    response = staff.post(f"/warnings/{warning.id}", data={"note": "已安排包村干部上门", "assignee_id": str(world.staff.id)})
    assert response.status_code == 302
    for username in ("staff", "leader", "mediator1"):
        assert ("red_warning", case.number) not in lines(signed_in(app, username)), username


@pytest.mark.usefixtures("english")
def test_an_english_reader_reads_a_red_warnings_line_in_english(app, world):
    from flask_babel import force_locale

    from casetrack.i18n import case_numbers

    case, _warning = _red_warning(world)
    staff = signed_in(app, "staff")
    assert staff.post("/auth/language", data={"locale": "en", "next": "/"}).status_code == 302
    page = staff.get("/inbox").get_data(as_text=True)
    (line,) = re.findall(r'<li class="inbox-line" data-kind="red_warning">.*?</li>', page, re.S)
    assert f"{case.number} is marked preventing a civil dispute from turning criminal and not yet concluded." in line
    assert "防止民转刑" not in line  # (the message sent when it turned red stays in the language it was sent in)
    with force_locale("en"):  # a warning over three cases names two, as the language lists them
        assert case_numbers(["(2026)斜调字第1号", "(2026)斜调字第2号", "(2026)斜调字第3号"], 2) \
            == "(2026)斜调字第1号, (2026)斜调字第2号 and more"
    with force_locale("zh_Hans_CN"):
        assert case_numbers(["(2026)斜调字第1号", "(2026)斜调字第2号", "(2026)斜调字第3号"], 2) \
            == "(2026)斜调字第1号、(2026)斜调字第2号等"
    staff.post("/auth/language", data={"locale": "zh_Hans_CN", "next": "/"})


def test_a_leaders_supervision_of_a_petition_comes_due_in_their_inbox_and_leaves_when_the_matter_closes(app, world):
    today = _today()
    petition = make_petition(world.staff, world.township, state="in_progress", received_on=today - timedelta(days=20))
    supervision.supervise_petition(petition, world.leader, "请本周内答复信访人", today, today)
    db.session.commit()
    leader = signed_in(app, "leader")
    assert ("supervision", petition.number) in lines(leader)
    assert "请本周内答复信访人" in leader.get("/inbox").get_data(as_text=True)
    db.session.execute(db.update(Petition).where(Petition.id == petition.id).values(status="closed"))
    db.session.commit()
    assert ("supervision", petition.number) not in lines(leader)
