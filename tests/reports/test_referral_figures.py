"""诉调、警调、访调对接, referrals out after 调解不成, 不予受理 by ground, objections to 主动调解, 书面/口头 agreements
and 协议涉及金额: each figure on a hand-made year whose answers are known, and the queue lists exactly its cases.

The year (斜沟乡, 2025), every case through the real services:
  r1 法院委派 (县人民法院, 2025-02-28), succeeded 03-10, written agreement of 12,000.50 yuan
  r2 法院委托, succeeded, oral agreement of 800 yuan
  r3 公安 (城关派出所), failed: 引导诉讼 and 诉前调解
  r4 信访, registered only
  r5 其他部门 (县自然资源局), declined on Art. 22 (二): already handled by an administrative body
  r6 委托移送 registered before origins were recorded (origin NULL): 未注明
  p1 信访转调 (a petition turned into a mediation), failed: 仲裁 and 行政
  a1 当事人申请, succeeded, written, no amount recorded
  a2 当事人申请, declined on Art. 22 (一): only a special body may handle it
  a3 当事人申请, declined on another ground, written out
  i1 主动调解, a party refused before acceptance: declined (一方当事人不同意调解的)
  i2 主动调解, a party refused during mediation: ended (终止)
  x  法院委派, 2024-12-30: another year, counted nowhere in 2025
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import disputes as services
from casetrack.services import statistics as stats
from casetrack.services.places import dispute_types

from . import browse_as

D = date
R = wf.ReferralOrigin


def _case(world, registered_on: date, source: wf.Source = wf.Source.APPLICATION, origin: R | None = None,
          body: str | None = None, referred_on: date | None = None) -> Dispute:
    intake = services.DisputeIntake(
        village_id=world.village.id, dispute_type_id=dispute_types(world.township.id)[0].id, source=source,
        registered_on=registered_on, summary="因土地界址发生争执",
        parties=[services.PartyData(wf.PartySide.APPLICANT, "张三"), services.PartyData(wf.PartySide.RESPONDENT, "李四")],
        referral_origin=origin, referral_body=body, referral_received_on=referred_on,
    )
    return services.register_dispute(world.staff, intake, clock.today())


def _mediate(world, case: Dispute, outcome: wf.Outcome, closed_on: date, **details) -> None:
    today = clock.today()
    services.accept(case, world.staff, case.registered_on, today)
    services.assign_mediators(case, world.staff, [world.staff.id])
    if outcome is None:
        return
    result = services.Conclusion(outcome=outcome, closed_on=closed_on, **details)
    if outcome is wf.Outcome.SUCCEEDED:
        result.agreement_terms = "按约定履行"
    services.conclude(case, world.staff, result, today)


class ReferralYear:
    def __init__(self, world):
        today, s = clock.today(), world.staff
        written, oral = wf.AgreementForm.WRITTEN, wf.AgreementForm.ORAL
        self.r1 = _case(world, D(2025, 3, 1), wf.Source.REFERRAL, R.COURT_ASSIGNED, "县人民法院", D(2025, 2, 28))
        _mediate(world, self.r1, wf.Outcome.SUCCEEDED, D(2025, 3, 10), agreement_form=written,
                 agreement_amount_fen=1_200_050)
        self.r2 = _case(world, D(2025, 4, 1), wf.Source.REFERRAL, R.COURT_ENTRUSTED, "县人民法院")
        _mediate(world, self.r2, wf.Outcome.SUCCEEDED, D(2025, 4, 8), agreement_form=oral, agreement_amount_fen=80_000)
        self.r3 = _case(world, D(2025, 5, 1), wf.Source.REFERRAL, R.POLICE, "城关派出所")
        _mediate(world, self.r3, wf.Outcome.FAILED, D(2025, 5, 9), channels_told=["引导诉讼", "诉前调解"])
        self.r4 = _case(world, D(2025, 6, 1), wf.Source.REFERRAL, R.PETITION_OFFICE)
        self.r5 = _case(world, D(2025, 6, 2), wf.Source.REFERRAL, R.OTHER_DEPARTMENT, "县自然资源局")
        services.not_accept(self.r5, s, D(2025, 6, 3), None, "县自然资源局", today,
                            ground=wf.NotAcceptedGround.ALREADY_HANDLED)
        self.r6 = _case(world, D(2025, 6, 5), wf.Source.REFERRAL, R.POLICE)
        self.r6.referral_origin = None  # as registered before the origin was recorded (migration 0018)
        self.p1 = _case(world, D(2025, 7, 1), wf.Source.PETITION)
        _mediate(world, self.p1, wf.Outcome.FAILED, D(2025, 7, 9), channels_told=["仲裁", "行政"])
        self.a1 = _case(world, D(2025, 8, 1))
        _mediate(world, self.a1, wf.Outcome.SUCCEEDED, D(2025, 8, 5), agreement_form=written)
        self.a2 = _case(world, D(2025, 8, 2))
        services.not_accept(self.a2, s, D(2025, 8, 2), "", "县公安局", today, ground=wf.NotAcceptedGround.SPECIAL_BODY)
        self.a3 = _case(world, D(2025, 8, 3))
        services.not_accept(self.a3, s, D(2025, 8, 3), "纠纷发生地不在本村", None, today)
        self.i1 = _case(world, D(2025, 9, 1), wf.Source.INITIATIVE)
        services.record_objection(self.i1, s, D(2025, 9, 2), "李四", "当面明确表示不接受调解", today)
        self.i2 = _case(world, D(2025, 9, 10), wf.Source.INITIATIVE)
        _mediate(world, self.i2, None, None)
        services.record_objection(self.i2, s, D(2025, 9, 12), "张三", "第二次调解时拒绝继续", today)
        self.x = _case(world, D(2024, 12, 30), wf.Source.REFERRAL, R.COURT_ASSIGNED, "县人民法院")
        db.session.commit()


@pytest.fixture
def year(world) -> ReferralYear:
    return ReferralYear(world)


EXPECTED = {
    "referred_in": 5,  # r1 r2 r3 r4 r6 (r5 declined, x in 2024)
    "court_docking": 2,  # r1 r2
    "police_docking": 1,  # r3 (r6's origin unknown)
    "petition_docking": 2,  # r4, and p1 (信访转调)
    "referred_out_litigation": 1, "referred_out_pre_litigation": 1,  # r3
    "referred_out_arbitration": 1, "referred_out_administrative": 1,  # p1
    "not_accepted": 4,
    "not_accepted_special_body": 1,  # a2
    "not_accepted_already_handled": 1,  # r5
    "not_accepted_party_refused": 1,  # i1
    "not_accepted_other": 1,  # a3
    "objected": 2,  # i1 i2
    "succeeded": 3, "written_agreements": 2, "oral_agreements": 1,  # r1 a1 / r2
    "agreement_amount": 12_800.50,  # r1 + r2; a1 has none
    "ended": 1,  # i2
}


def test_each_referral_origin_route_ground_and_agreement_is_counted_with_the_known_answer(app, year):
    figures = stats.figures(stats.year_period(2025), stats.Scope((year.r1.township,)), clock.today())
    d = figures["disputes"]
    assert {key: d[key] for key in EXPECTED} == EXPECTED
    assert d["by_referral_origin"] == {"法院委派": 1, "法院委托": 1, "公安": 1, "信访": 1, "未注明": 1}
    assert d["by_source"]["主动调解"] == 1  # i2 (i1 declined)
    # the four grounds add up to the declined cases, and the two forms to the agreements
    assert sum(d[f"not_accepted_{g.value}"] for g in wf.NotAcceptedGround) == d["not_accepted"]
    assert d["written_agreements"] + d["oral_agreements"] == d["succeeded"]


def test_as_at_the_end_of_june_only_what_was_decided_by_then_counts(app, year):
    figures = stats.figures(stats.Period.parse("2025-q2"), stats.Scope((year.r1.township,)), clock.today())
    d = figures["disputes"]
    assert (d["court_docking"], d["police_docking"], d["petition_docking"]) == (1, 1, 1)  # r2 r3 r4
    assert (d["referred_out_litigation"], d["referred_out_arbitration"]) == (1, 0)
    assert d["agreement_amount"] == 800.0 and d["oral_agreements"] == 1 and d["written_agreements"] == 0
    assert d["not_accepted_already_handled"] == 1 and d["objected"] == 0


def test_the_queue_lists_exactly_the_cases_behind_each_new_figure(app, year):
    scope = stats.Scope((year.r1.township,))
    expected_cases = {
        "court_docking": {year.r1, year.r2}, "police_docking": {year.r3}, "petition_docking": {year.r4, year.p1},
        "referred_out_pre_litigation": {year.r3}, "referred_out_administrative": {year.p1},
        "not_accepted_party_refused": {year.i1}, "not_accepted_other": {year.a3}, "objected": {year.i1, year.i2},
        "oral_agreements": {year.r2}, "agreement_amount": {year.r1, year.r2},
    }
    for key, cases in expected_cases.items():
        model, where = stats.figure_condition(f"disputes.{key}", stats.year_period(2025), scope, clock.today())
        ids = set(db.session.execute(select(model.id).where(where)).scalars())
        assert ids == {c.id for c in cases}, key
    _, where = stats.figure_condition("disputes.agreement_amount", stats.year_period(2025), scope, clock.today())
    assert db.session.execute(select(func.sum(Dispute.agreement_amount_fen)).where(where)).scalar_one() == 1_280_050


def test_the_report_page_and_files_show_the_counts_and_the_sum_in_yuan(app, year):
    client = browse_as(app, "staff")
    page = client.get("/reports/2025").get_data(as_text=True)
    for label in ("诉调对接", "警调对接", "访调对接", "书面协议", "口头协议", "协议涉及金额", "按委托移送来源",
                  "不予受理:一方当事人不同意调解"):
        assert label in page, label
    assert "12,800.50" in page
    markdown = client.get("/reports/2025.md").get_data(as_text=True)
    assert "| 协议涉及金额 | 12,800.50 |" in markdown
    assert "| 诉调对接 | 2 |" in markdown and "| 访调对接 | 2 |" in markdown
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get("/reports/2025.xlsx").data))
    rows = {row[0]: row[1] for row in book["统计数字"].iter_rows(values_only=True) if row and row[0]}
    assert str(rows["协议涉及金额"]) in ("12,800.50", "12800.5")
    assert rows["警调对接"] in (1, "1")
    assert "按委托移送来源" in book.sheetnames


def test_a_year_frozen_before_these_figures_shows_them_as_not_counted_not_zero():
    from casetrack.domain import statistics as st

    frozen = {"disputes": {"registered": 3, "mediated": 2, "succeeded": 2, "mediation_rate": 1.0,
                           "success_rate": 1.0, "village_township": {}, "judicial_applied": 0}}
    d = st.complete_frozen(frozen)["disputes"]
    assert all(d[key] is None for key in st.NOT_COUNTED_BEFORE_19)
    assert d["by_referral_origin"] == {} and d["registered"] == 3
