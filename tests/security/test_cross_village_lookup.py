"""No lookup across villages: intake's duplicate warning, a repeat petition's number and every ORM query keep to
the signed-in user's reach; the one way past it is named (permissions.county_wide)."""

import pytest
from flask import g
from flask_login import login_user
from sqlalchemy import func, select

from casetrack import clock, permissions
from casetrack.extensions import db
from casetrack.models import Attachment, Dispute, Party, Petition, Petitioner, ScreeningRound, User
from tests.factories import VALID_ID, VALID_PHONE, count_disputes, intake_form, make_dispute
from tests.petition_factories import category, count_petitions, make_petition
from tests.security.helpers import client_as, rich_world

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _intake_naming(village, **party):
    data = intake_form(village, **{"applicants-0-name": "李雷", "applicants-0-id_number": "",
                                   "applicants-0-phone": "", **party})
    del data["not_duplicate"]
    return data


def test_a_mediator_learns_only_that_a_match_exists_outside_the_village(app, world):
    other = make_dispute(world.other_mediator, world.other_village, state="accepted", applicant="钱七",
                         respondent="孙八")
    client = client_as(app, "mediator")
    before = count_disputes()
    response = client.post("/cases/new", data=_intake_naming(world.village, **{"applicants-0-phone": VALID_PHONE}))
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and count_disputes() == before
    assert "本村以外可能有涉及相同当事人的未办结案件" in page and "乡镇工作人员会看到" in page
    for secret in (other.number, "钱七", "孙八", "王家庄村", "调解中", "已受理"):
        assert secret not in page, secret
    confirmed = client.post("/cases/new", data={**_intake_naming(world.village, **{"applicants-0-phone": VALID_PHONE}),
                                                "not_duplicate": "1"})
    assert confirmed.status_code == 302 and count_disputes() == before + 1


def test_staff_see_the_match_in_full_at_intake_and_on_the_new_case(app, world):
    other = make_dispute(world.other_mediator, world.other_village, state="accepted", applicant="钱七")
    page = client_as(app, "staff").post(
        "/cases/new", data=_intake_naming(world.village, **{"applicants-0-id_number": VALID_ID})).get_data(as_text=True)
    assert other.number in page and "钱七" in page and "王家庄村" in page
    # the mediator registers anyway: the staff member finds the match on the new case's page, ready to merge
    mediator = client_as(app, "mediator")
    data = {**_intake_naming(world.village, **{"applicants-0-id_number": VALID_ID}), "not_duplicate": "1"}
    new_url = mediator.post("/cases/new", data=data).headers["Location"]
    assert other.number not in mediator.get(new_url).get_data(as_text=True)
    staff_page = client_as(app, "staff").get(new_url).get_data(as_text=True)
    assert other.number in staff_page and "钱七" in staff_page


def test_a_mediators_own_village_match_is_shown_in_full(app, world):
    own = make_dispute(world.mediator, world.village, state="accepted", applicant="张三")
    page = client_as(app, "mediator").post(
        "/cases/new", data=_intake_naming(world.village, **{"applicants-0-name": "张三"})).get_data(as_text=True)
    assert own.number in page and "本村以外" not in page


def _petition_form(world, repeat_of_number):
    return {"received_on": clock.today().isoformat(), "channel": "visit",
            "village_id": str(world.village.id), "category_id": str(category(world.township).id), "persons": "1",
            "level": "township", "request": "再次反映", "repeat_of_number": repeat_of_number,
            "petitioners-0-name": "赵大民", "petitioners-0-id_number": "", "petitioners-0-phone": "",
            "petitioners-0-address": ""}


def test_a_petition_number_of_another_village_reads_as_unknown_at_intake(app, world):
    elsewhere = make_petition(world.staff, world.township, village=world.other_village, state="accepted")
    client = client_as(app, "mediator")
    before = count_petitions()
    answers = {}
    for number in (elsewhere.number, "(2020)斜信字第999号"):
        data = _petition_form(world, number)
        response = client.post("/petitions/new", data=data)
        page = response.get_data(as_text=True)
        answers[number] = (response.status_code, page.replace(number, "<n>"))
        assert "不存在" in page
    assert count_petitions() == before
    first, second = answers.values()
    assert first == second  # an existing number beyond reach answers exactly as a number that does not exist
    # staff reach the whole township: the same number links the repeat
    data = {**_petition_form(world, elsewhere.number), "village_id": ""}
    assert client_as(app, "staff").post("/petitions/new", data=data).status_code == 302
    assert db.session.execute(select(func.count()).where(Petition.repeat_of_id == elsewhere.id)).scalar_one() == 1


MODELS = (Dispute, Party, Attachment, Petition, Petitioner, ScreeningRound)


def _counts() -> dict[str, int]:
    return {m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one() for m in MODELS}


def test_every_orm_query_of_a_request_keeps_to_the_users_reach(app, world):
    """A query that names no scope at all still sees only the reach; county_wide() sees everything, by name."""
    rich_world(world)
    # the rich world: in each of 3 places 1 dispute (2 parties, 1 attachment), 1 petition (1 petitioner), 1 round
    everything = {"Dispute": 3, "Party": 6, "Attachment": 3, "Petition": 3, "Petitioner": 3, "ScreeningRound": 3}
    assert _counts() == everything  # outside a request: the system (CLI, background work) sees all
    for user, share in ((world.mediator, 1), (world.staff, 2), (world.leader, 2), (world.admin, 3)):
        with app.test_request_context("/"):
            login_user(user)
            assert _counts() == {name: n * share // 3 for name, n in everything.items()}, user.username
            with permissions.county_wide():
                assert _counts() == everything
            assert db.session.execute(select(Dispute).execution_options(**permissions.COUNTY_WIDE)
                                      ).scalars().all().__len__() == 3
            assert _counts() == {name: n * share // 3 for name, n in everything.items()}
    with app.test_request_context("/"):  # nobody signed in: nothing
        g.pop("_login_user", None)  # the test's app context outlives requests; a real request starts without a user
        assert set(_counts().values()) == {0}


def test_a_relationship_does_not_reach_past_the_scope(app, world):
    """The other village's case, linked from the mediator's own petition, is not loaded through the link."""
    petition = make_petition(world.staff, world.township, village=world.village, state="accepted")
    elsewhere = make_dispute(world.staff, world.other_village)
    elsewhere.petition_id = petition.id
    db.session.commit()
    petition_id, elsewhere_id, mediator_id = petition.id, elsewhere.id, world.mediator.id
    db.session.expunge_all()  # a fresh request's session: nothing loaded yet
    with app.test_request_context("/"):
        login_user(db.session.get(User, mediator_id))
        mine = db.session.get(Petition, petition_id)
        assert mine is not None and mine.disputes == []
        assert db.session.get(Dispute, elsewhere_id) is None


def test_what_belongs_to_a_case_or_round_keeps_to_the_reach_of_its_parent(app, world):
    """Sessions, investigation notes, timeline entries and findings are limited through their case or round:
    a query over them alone, naming no case, still finds only those of cases and rounds within reach."""
    from datetime import timedelta

    from casetrack.models import CaseEvent, InvestigationNote, MediationSession, ScreeningFinding

    rich_world(world)
    day = clock.today() - timedelta(days=1)
    disputes = db.session.execute(select(Dispute).order_by(Dispute.id)).scalars().all()
    rounds = db.session.execute(select(ScreeningRound).order_by(ScreeningRound.id)).scalars().all()
    for case in disputes:  # one session and one note in each of the 3 places
        db.session.add(MediationSession(dispute_id=case.id, held_on=day, place="村委会", mediators="王调解",
                                        attendees="双方", notes="调解"))
        db.session.add(InvestigationNote(dispute_id=case.id, noted_on=day, content="走访"))
    for round_ in rounds:
        db.session.add(ScreeningFinding(round_id=round_.id, description="地界争执", is_dispute=False))
    db.session.commit()

    def events_within(village_ids):  # counted outside a request, where the system sees every entry
        return db.session.execute(select(func.count()).select_from(CaseEvent).where(
            CaseEvent.dispute_id.in_(select(Dispute.id).where(Dispute.village_id.in_(village_ids)))
            | CaseEvent.petition_id.in_(select(Petition.id).where(Petition.village_id.in_(village_ids))))
        ).scalar_one()

    def findings_within(village_ids):
        return db.session.execute(select(func.count()).select_from(ScreeningFinding).where(
            ScreeningFinding.round_id.in_(select(ScreeningRound.id).where(ScreeningRound.village_id.in_(village_ids))))
        ).scalar_one()

    township_villages = [world.village.id, world.other_village.id]
    expected_events = {world.mediator.id: events_within([world.village.id]),
                       world.staff.id: events_within(township_villages)}
    expected_findings = {world.mediator.id: findings_within([world.village.id]),
                         world.staff.id: findings_within(township_villages)}
    assert 0 < expected_events[world.mediator.id] < expected_events[world.staff.id]
    assert 0 < expected_findings[world.mediator.id] < expected_findings[world.staff.id]
    for user, share in ((world.mediator, 1), (world.staff, 2)):
        with app.test_request_context("/"):
            login_user(user)
            counted = {m.__name__: db.session.execute(select(func.count()).select_from(m)).scalar_one()
                       for m in (MediationSession, InvestigationNote, ScreeningFinding)}
            # one session and one note per case: the mediator's village holds 1 case, the township 2
            assert counted == {"MediationSession": share, "InvestigationNote": share,
                               "ScreeningFinding": expected_findings[user.id]}, user.username
            events = db.session.execute(select(CaseEvent).where(
                CaseEvent.dispute_id.isnot(None) | CaseEvent.petition_id.isnot(None))).scalars().all()
            assert len(events) == expected_events[user.id], user.username
