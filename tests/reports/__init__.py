"""Helpers for the report tests: cases built through the real services on explicit dates, and browsing as a user.

Every date is in 2024 or 2025 (today is later, and the services refuse future dates), so each figure of a
year has an answer known by hand.
"""

from datetime import date, timedelta

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, PetitionCategory, Township, User, Village
from casetrack.services import disputes as dispute_services
from casetrack.services import petitions as petition_services
from casetrack.services.places import dispute_types

from ..conftest import PASSWORD

VALID_ID = "11010519491231002X"


def dispute(
    actor: User, village: Village, registered_on: date, *, outcome: str | None = None, closed_on: date | None = None,
    state: str = "registered", level: str = "village", performance: str | None = None, type_name: str = "邻里",
    source: str = "application", origin: str = "police",
) -> Dispute:
    """Register a dispute on registered_on and take it through the services: state is one of registered,
    accepted, mediating, not_accepted, or concluded (then outcome and closed_on say how and when).

    level "township"/"county" is reached by escalating (before the conclusion, as the workflow asks);
    performance records a return visit five days after the conclusion. Commits.
    """
    today = clock.today()
    types = {t.name: t for t in dispute_types(village.township_id)}
    intake = dispute_services.DisputeIntake(
        village_id=village.id, dispute_type_id=types[type_name].id, source=wf.Source(source),
        registered_on=registered_on, summary="因宅基地界址发生争执",
        referral_origin=wf.ReferralOrigin(origin) if source == "referral" else None,
        parties=[dispute_services.PartyData(wf.PartySide.APPLICANT, "张三", wf.Gender.MALE, VALID_ID),
                 dispute_services.PartyData(wf.PartySide.RESPONDENT, "李四", wf.Gender.FEMALE)],
    )
    case = dispute_services.register_dispute(actor, intake, today)
    if state == "not_accepted":
        dispute_services.not_accept(case, actor, registered_on, "属于法院专属管辖", "县人民法院", today)
    elif state != "registered":
        dispute_services.accept(case, actor, registered_on, today)
        for _ in range(["village", "township", "county"].index(level)):
            dispute_services.escalate(case, actor, "村调委会调解未果,上报处理", on=registered_on)
        if state in ("mediating", "concluded"):
            dispute_services.assign_mediators(case, actor, [actor.id])
        if state == "concluded":
            result = dispute_services.Conclusion(outcome=wf.Outcome(outcome), closed_on=closed_on)
            if outcome == "succeeded":
                result.agreement_form = wf.AgreementForm.WRITTEN
                result.agreement_terms = "李四于十日内拆除占道院墙"
            elif outcome == "failed":
                result.channels_told = ["引导诉讼"]
            else:
                result.end_reason = wf.EndReason.WITHDRAWN
            dispute_services.conclude(case, actor, result, today)
            if performance:
                dispute_services.record_return_visit(
                    case, actor, closed_on + timedelta(days=5), wf.Performance(performance), today)
    db.session.commit()
    return case


def category(township: Township, name: str = "村务管理") -> PetitionCategory:
    return db.session.execute(select(PetitionCategory).where(
        PetitionCategory.township_id == township.id, PetitionCategory.name == name)).scalar_one()


def petition(
    actor: User, township: Township, received_on: date, *, village: Village | None = None, channel: str = "letter",
    persons: int = 1, level: str = "township", cross_level: bool = False, disruptive: bool = False,
    repeat_of: Petition | None = None, accepted_on: date | None = None, extension: tuple[User, int, date] | None = None,
    answered_on: date | None = None, satisfaction: str | None = None,
) -> Petition:
    """Register a petition and, when dates are given, accept it, extend it (approver, days, on), answer it,
    deliver the answer the same day and record the petitioner's rating. Commits."""
    today = clock.today()
    petitioners = [petition_services.PetitionerData("赵大民", VALID_ID, None, "斜沟村3号", is_representative=True)]
    petitioners += [petition_services.PetitionerData(f"赵{i}") for i in range(1, persons)][:4]
    intake = petition_services.PetitionIntake(
        received_on=received_on, channel=pw.Channel(channel), category_id=category(township).id,
        request="反映村集体土地补偿款未按时发放", persons=persons, village_id=village.id if village else None,
        level=pw.Level(level), cross_level=cross_level, disruptive=disruptive,
        repeat_of_number=repeat_of.number if repeat_of else None, petitioners=petitioners,
    )
    case = petition_services.register_petition(actor, township, intake, today)
    if accepted_on:
        petition_services.decide(case, actor, "accepted", accepted_on, today)
    if extension:
        approver, days, on = extension
        petition_services.extend(case, approver, days, "需现场核实土地面积", on, today)
    if answered_on:
        petition_services.answer(case, actor, pw.Opinion.EXPLAINED, "已向信访人解释补偿标准", answered_on, today)
        petition_services.deliver(case, actor, answered_on, today)
    if satisfaction:
        petition_services.rate(case, actor, wf.Satisfaction(satisfaction))
    db.session.commit()
    return case


class Browser(FlaskClient):
    """A test client that loads its user from its own cookie on every request.

    The app fixture keeps one app context open for the whole test, so Flask-Login's cached user in flask.g
    would otherwise leak from one client's request into another's.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def browse_as(app, username: str) -> Browser:
    """Return a client logged in as username through the real login form."""
    client = Browser(app, app.response_class, use_cookies=True)
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


class YearData:
    """The hand-made year: cases in 斜沟乡 (and a few in 东岭乡) across 2024 and 2025, with known figures.

    Disputes of 斜沟乡 (村 斜沟村 / 王家庄村):
      y  2024-12-30 斜沟村 邻里, succeeded 2025-01-06 at village level   (counts in 2024, not 2025)
      a  2025-01-10 斜沟村 邻里, succeeded 01-15, village, performed; 防止民转刑 3 people
      b  2025-02-03 斜沟村 婚姻家庭, succeeded 02-10, escalated to township, partly performed
      c  2025-03-05 王家庄村 合同, succeeded 03-12, escalated to county, performance unknown
      d  2025-03-20 王家庄村 邻里, failed 03-25
      e  2025-04-02 斜沟村 邻里, ended 04-05; 防止群体性上访 12 people
      f  2025-05-06 斜沟村 邻里, in mediation
      h  2025-06-01 斜沟村 其他, registered only, referred (委托移送) by the police (警调对接)
      n  2025-07-01 斜沟村 邻里, 不予受理
      m  2025-08-01 斜沟村 邻里, succeeded 08-02, then merged into a as a duplicate (counted nowhere)
    Petitions of 斜沟乡:
      p0 2024-12-20 letter, accepted 12-21, answered 2025-01-10 (due 2025-02-19): due and on time in 2025
      p1 2025-03-01 letter 斜沟村, accepted 03-03, extended 30 days (due 06-01), answered 05-20: on time; 满意
      p2 2025-03-01 visit of 6 王家庄村 (集体访), accepted 03-03 (due 05-02), answered 05-10: late; 不满意
      p3 2025-04-10 phone 斜沟村, a repeat of p1
      p4 2025-08-01 online, accepted 08-02 (due 10-01), never answered: due, not on time
      p5 2025-11-20 letter, accepted 11-21 (due 2026-01-20), answered 11-25: 基本满意; not due in 2025
    Screening of 斜沟乡 in 2025: 斜沟村 on 03-05 (a finding, not a dispute) and 03-06 (nil, same week),
      03-12 (nil); the township on 03-03 (nil). Due: 53 weeks × 2 villages + 24 half-months = 130.
    东岭乡: o1 2025-05-05 东岭村 邻里 succeeded 05-10 (village); o2 2025-06-06 东岭村 邻里 registered;
      petition q1 2025-06-10 letter.
    """

    def __init__(self, world):
        from casetrack.services import screening

        s, v1, v2 = world.staff, world.village, world.other_village
        d = date
        self.world = world
        self.y = dispute(s, v1, d(2024, 12, 30), state="concluded", outcome="succeeded", closed_on=d(2025, 1, 6))
        self.a = dispute(s, v1, d(2025, 1, 10), state="concluded", outcome="succeeded", closed_on=d(2025, 1, 15),
                         performance="performed")
        self.b = dispute(s, v1, d(2025, 2, 3), state="concluded", outcome="succeeded", closed_on=d(2025, 2, 10),
                         level="township", performance="partial", type_name="婚姻家庭")
        self.c = dispute(s, v2, d(2025, 3, 5), state="concluded", outcome="succeeded", closed_on=d(2025, 3, 12),
                         level="county", type_name="合同")
        self.d = dispute(s, v2, d(2025, 3, 20), state="concluded", outcome="failed", closed_on=d(2025, 3, 25))
        self.e = dispute(s, v1, d(2025, 4, 2), state="concluded", outcome="ended", closed_on=d(2025, 4, 5))
        self.f = dispute(s, v1, d(2025, 5, 6), state="mediating")
        self.h = dispute(s, v1, d(2025, 6, 1), type_name="其他", source="referral")
        self.n = dispute(s, v1, d(2025, 7, 1), state="not_accepted")
        self.m = dispute(s, v1, d(2025, 8, 1), state="concluded", outcome="succeeded", closed_on=d(2025, 8, 2))
        # No service sets these flags or merges duplicates yet (the ledger import does): set the columns.
        self.a.prevented_criminal, self.a.prevented_criminal_persons = True, 3
        self.e.prevented_group_petition, self.e.prevented_group_petition_persons = True, 12
        self.m.merged_into_id = self.a.id
        db.session.commit()

        t, leader = world.township, world.leader
        self.p0 = petition(s, t, d(2024, 12, 20), accepted_on=d(2024, 12, 21), answered_on=d(2025, 1, 10))
        self.p1 = petition(s, t, d(2025, 3, 1), village=v1, accepted_on=d(2025, 3, 3),
                           extension=(leader, 30, d(2025, 4, 20)), answered_on=d(2025, 5, 20), satisfaction="satisfied")
        self.p2 = petition(s, t, d(2025, 3, 1), village=v2, channel="visit", persons=6, accepted_on=d(2025, 3, 3),
                           answered_on=d(2025, 5, 10), satisfaction="dissatisfied")
        self.p3 = petition(s, t, d(2025, 4, 10), village=v1, channel="phone", repeat_of=self.p1)
        self.p4 = petition(s, t, d(2025, 8, 1), channel="online", accepted_on=d(2025, 8, 2))
        self.p5 = petition(s, t, d(2025, 11, 20), accepted_on=d(2025, 11, 21), answered_on=d(2025, 11, 25),
                           satisfaction="basically")

        today = clock.today()
        finding = screening.FindingData("两户因灌溉用水排序有争议,已当场说和", is_dispute=False)
        screening.record_round(s, t, "village", v1.id, d(2025, 3, 5), "王调解", [finding], today)
        screening.record_round(s, t, "village", v1.id, d(2025, 3, 12), "王调解", [], today)
        screening.record_round(s, t, "township", None, d(2025, 3, 3), "刘明", [], today)
        db.session.commit()

        fs, fv = world.far_staff, world.far_village
        self.o1 = dispute(fs, fv, d(2025, 5, 5), state="concluded", outcome="succeeded", closed_on=d(2025, 5, 10))
        self.o2 = dispute(fs, fv, d(2025, 6, 6))
        self.q1 = petition(fs, world.other_township, d(2025, 6, 10))


# The figures of 斜沟乡 for 2025 that YearData makes, by hand, as at 2025-12-31 (every date is before it).
EXPECTED_DISPUTES_2025 = {
    # registered: a b c d e f h (n declined, m merged); accepted: a-f; h pending; concluded: a-e; f in mediation
    "registered": 7, "accepted": 6, "pending_decision": 1, "not_accepted": 1, "mediated": 5, "succeeded": 3,
    "failed": 1, "ended": 1, "in_progress": 1,
    "mediation_rate": 5 / 6, "success_rate": 3 / 6,
    # 人民调解 at 村/乡 on 12-31: a, b (乡 since 02-03), d, e, f; c went to the county
    "village_township": {"accepted": 5, "mediated": 4, "succeeded": 2, "mediation_rate": 4 / 5, "success_rate": 2 / 5},
    "performed_rate": 1 / 2, "village_share": 1 / 3,
    "within_township_share": 2 / 3, "major": 0, "major_responsible": 0, "legal_aid": 0,
    "judicial_applied": 0, "judicial_confirmed": 0, "judicial_rejected": 0, "judicial_withdrawn": 0, "prevented_criminal": 1, "prevented_criminal_persons": 3,
    "prevented_group_petition": 1, "prevented_group_petition_persons": 12,
    # h referred by the police; d failed, its parties pointed to a suit; n declined on a ground written out (其他);
    # a, b, c agreed in writing, no amount recorded
    "referred_in": 1, "court_docking": 0, "police_docking": 1, "petition_docking": 0,
    "referred_out_litigation": 1, "referred_out_pre_litigation": 0, "referred_out_arbitration": 0,
    "referred_out_administrative": 0, "not_accepted_special_body": 0, "not_accepted_already_handled": 0,
    "not_accepted_party_refused": 0, "not_accepted_other": 1, "objected": 0, "written_agreements": 3,
    "oral_agreements": 0, "agreement_amount": 0,
    "by_referral_origin": {"公安": 1},
    "by_type": {"邻里": 4, "婚姻家庭": 1, "合同": 1, "其他": 1},
    "by_village": {"斜沟村": 5, "王家庄村": 2},
    "by_source": {"当事人申请": 6, "委托移送": 1},
    "by_channel": {"人民调解": 7},
    "by_level": {"村": 1, "乡": 1, "县": 1},
    "by_month": {1: 1, 2: 1, 3: 2, 4: 1, 5: 1, 6: 1},
}
EXPECTED_PETITIONS_2025 = {
    # received p1 p2 p4 p5 (p3 a repeat), all accepted within 2-1 days of receipt: 4 of 4 decided in time
    "received": 4, "accepted": 4, "assigned": 0, "routed": 0, "from_above": 0, "forwarded": 0, "not_accepted": 0, "undecided": 0, "timely_decided": 4,
    "timely_decided_rate": 1.0, "supervised": 0,  # no petition was supervised (督办)
    "persons": 10, "collective": 1, "collective_other": 0, "repeat": 1, "cross_level": 0, "to_province_or_beijing": 0,
    "due": 4, "on_time": 2, "on_time_rate": 1 / 2,
    # answered by 12-31: p1, p2, p5, each rated: 参评率 3/3
    "answered": 3, "rated": 3, "rating_rate": 1.0, "satisfied": 2, "satisfaction_rate": 2 / 3,
    "disruptive": 0, "police_referred": 0, "visits": 1, "visit_persons": 6, "quiet_periods": [],
    "leader_reception_days": 0, "leader_visits": 0, "leader_visit_persons": 0,  # no leader's reception recorded
    "by_channel": {"来信": 2, "来访": 1, "网上": 1},
    "by_village": {"斜沟村": 1, "王家庄村": 1, "未指明村": 2},
    "by_category": {"村务管理": 4},
}
# 2025's ISO weeks (Thursday in 2025): 52, from 2024-12-30 to 2025-12-28; × 2 villages + 24 half-months = 128.
# Held: 斜沟村 the week of 03-03 (03-05 with a finding resolved on the spot, 03-06 nil) and of 03-10 (nil);
# the township's 03-01..15 (nil).
EXPECTED_SCREENING_2025 = {"due": 128, "held": 3, "nil": 2, "found": 1, "findings": 1, "found_registered": 0,
                           "found_resolved": 1, "rate": 3 / 128, "intensified_held": 0, "intensified_periods": []}
