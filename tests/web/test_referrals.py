"""Referrals in and out, 不予受理 grounds, a party's objection to 主动调解 and 协议涉及金额, as a user meets them in the
forms: what is saved and shown, and bad input refused beside its field with nothing saved."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import disputes as services
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests.conftest import login
from tests.factories import case_snapshot, count_disputes, intake_form, make_dispute, timeline
from tests.web.test_edit_conflict import _facts
from tests.web.test_validation import field_errors

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def _newest() -> Dispute:
    return db.session.execute(select(Dispute).order_by(Dispute.id.desc()).limit(1)).scalar_one()


def test_a_referred_case_is_registered_with_its_origin_body_and_date_and_shows_them(client, world):
    login(client, "mediator1")
    referred_on = (clock.today() - timedelta(days=4)).isoformat()  # the day before it was registered
    response = client.post("/cases/new", data=intake_form(
        world.village, source="referral", referral_origin="court_assigned", referral_body="县人民法院",
        referral_received_on=referred_on))
    assert response.status_code == 302
    case = _newest()
    assert (case.referral_origin, case.referral_body, case.referral_received_on.isoformat()) == (
        "court_assigned", "县人民法院", referred_on)
    assert "法院委派移送(县人民法院" in chinese_sentence(timeline(case.id)[0])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "法院委派" in page and "县人民法院" in page


@pytest.mark.parametrize("overrides, field, message", [
    ({"source": "referral"}, "referral_origin", "委托移送的案件须选择移送来源"),
    ({"source": "application", "referral_origin": "police"}, "referral_origin", "只有委托移送的案件才选择移送来源"),
    ({"source": "referral", "referral_origin": "other_department"}, "referral_body", "由其他部门移送的,请填写移送单位名称"),
    ({"source": "referral", "referral_origin": "police", "referral_received_on": "REGISTERED+1"},
     "referral_received_on", "移送日期不能晚于登记日期"),
])
def test_a_referral_without_what_it_needs_is_refused_beside_the_field(client, world, overrides, field, message):
    login(client, "mediator1")
    registered = clock.today() - timedelta(days=3)
    overrides = {k: (registered + timedelta(days=1)).isoformat() if v == "REGISTERED+1" else v
                 for k, v in overrides.items()}
    before = count_disputes()
    response = client.post("/cases/new", data=intake_form(world.village, registered_on=registered.isoformat(),
                                                          **overrides))
    assert response.status_code == 400
    assert message in field_errors(response.get_data(as_text=True)).get(field, [])
    assert count_disputes() == before


def test_an_old_referral_without_origin_can_be_corrected_and_its_origin_then_stays_required(client, world):
    case = make_dispute(world.mediator, world.village)
    case.source = wf.Source.REFERRAL.value  # registered before origins were recorded
    db.session.commit()
    login(client, "mediator1")
    assert client.post(f"/cases/{case.id}/edit", data=_facts(case, case.version)).status_code == 302  # may stay unknown
    case = db.session.get(Dispute, case.id)
    saved = client.post(f"/cases/{case.id}/edit", data=_facts(case, case.version, referral_origin="police",
                                                              referral_body="城关派出所"))
    assert saved.status_code == 302
    case = db.session.get(Dispute, case.id)
    assert (case.referral_origin, case.referral_body) == ("police", "城关派出所")
    assert chinese_changes(timeline(case.id)[-1])["移送来源"] == [None, "公安"]
    refused = client.post(f"/cases/{case.id}/edit", data=_facts(case, case.version, referral_origin=""))
    assert refused.status_code == 400
    assert "委托移送的案件须选择移送来源" in field_errors(refused.get_data(as_text=True))["referral_origin"]


def test_not_accepting_records_the_ground_of_article_22_and_shows_it(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    form = client.get(f"/cases/{case.id}/not-accept").get_data(as_text=True)
    for ground in wf.NotAcceptedGround:
        assert f'value="{ground.value}"' in form
    response = client.post(f"/cases/{case.id}/not-accept", data={
        "decided_on": clock.today().isoformat(), "ground": "already_handled", "reason": "",
        "referred_to": "县人民法院", "version": str(case.version)})
    assert response.status_code == 302
    case = db.session.get(Dispute, case.id)
    assert (case.status, case.not_accepted_ground, case.not_accepted_reason) == ("not_accepted", "already_handled", None)
    assert "人民调解工作若干规定第二十二条第(二)项" in chinese_sentence(timeline(case.id)[-1])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "人民法院、公安机关或者其他行政机关已经受理或者解决的" in page


def test_a_party_refusing_initiative_mediation_before_acceptance_declines_the_case(client, world):
    case = make_dispute(world.mediator, world.village)
    case.source = wf.Source.INITIATIVE.value
    db.session.commit()
    login(client, "mediator1")
    assert f'href="/cases/{case.id}/objection"' in client.get(f"/cases/{case.id}").get_data(as_text=True)
    form = client.get(f"/cases/{case.id}/objection").get_data(as_text=True)
    assert '<option value="李四">' in form  # the parties to choose from
    response = client.post(f"/cases/{case.id}/objection", data={
        "objected_on": clock.today().isoformat(), "party": "李四", "note": "当面明确表示不接受调解",
        "version": str(case.version)})
    assert response.status_code == 302
    case = db.session.get(Dispute, case.id)
    assert (case.status, case.not_accepted_ground, case.objection_by) == ("not_accepted", "party_refused", "李四")
    assert "人民调解法第十七条" in chinese_sentence(timeline(case.id)[-1])
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "明确拒绝主动调解" in page and "一方当事人不同意调解的" in page


def test_a_party_refusing_during_mediation_ends_it_and_nothing_more_can_be_refused(world):
    case = make_dispute(world.mediator, world.village, state="mediating")
    case.source = wf.Source.INITIATIVE.value
    db.session.commit()
    today = clock.today()
    assert services.record_objection(case, world.mediator, today, "张三", "拒绝继续调解", today) is wf.DisputeState.CONCLUDED
    assert (case.outcome, case.end_reason, case.closed_on) == ("ended", "refused", today)
    with pytest.raises(DomainError, match="调解已结束"):
        services.record_objection(case, world.mediator, today, "李四", "也拒绝", today)


def test_an_objection_is_only_for_initiative_cases_and_is_not_offered_on_others(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    assert "/objection" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert client.get(f"/cases/{case.id}/objection").status_code == 409
    before = case_snapshot(case.id)
    with pytest.raises(DomainError, match="只有主动调解的案件"):
        services.record_objection(case, world.mediator, clock.today(), "李四", "拒绝", clock.today())
    db.session.rollback()
    assert case_snapshot(case.id) == before


def _conclude(client, case, **fields):
    body = {"outcome": "succeeded", "closed_on": clock.today().isoformat(), "agreement_form": "written",
            "agreement_terms": "李四赔偿张三12000元", "end_reason": "", "version": str(case.version)}
    body.update(fields)
    return client.post(f"/cases/{case.id}/conclude", data=body)


def test_an_agreement_records_its_amount_in_yuan_and_shows_it(client, world):
    case = make_dispute(world.mediator, world.village, state="mediating")
    login(client, "mediator1")
    assert _conclude(client, case, agreement_amount="12,000.5").status_code == 302
    case = db.session.get(Dispute, case.id)
    assert case.agreement_amount_fen == 1_200_050
    assert "协议涉及金额12,000.50元" in chinese_sentence(timeline(case.id)[-1])
    assert "12,000.50 元" in client.get(f"/cases/{case.id}").get_data(as_text=True)


@pytest.mark.parametrize("amount, message", [
    ("-5", "金额不能为负数"), ("12.345", "金额最多保留两位小数"), ("一万", "金额应为数字"), ("nan", "金额应为数字"),
])
def test_a_bad_amount_is_refused_beside_the_field_and_nothing_is_saved(client, world, amount, message):
    case = make_dispute(world.mediator, world.village, state="mediating")
    login(client, "mediator1")
    before = case_snapshot(case.id)
    response = _conclude(client, case, agreement_amount=amount)
    assert response.status_code == 400
    assert any(message in m for m in field_errors(response.get_data(as_text=True))["agreement_amount"])
    assert case_snapshot(case.id) == before


def test_a_failed_mediation_records_where_the_parties_were_sent_as_a_list(client, world):
    case = make_dispute(world.mediator, world.village, state="mediating")
    login(client, "mediator1")
    form = client.get(f"/cases/{case.id}/conclude").get_data(as_text=True)
    for route in wf.ReferralOut:
        assert f'value="{route.label}"' in form
    response = _conclude(client, case, outcome="failed", agreement_form="", agreement_terms="",
                         channels_told=["诉前调解", "引导诉讼"])
    assert response.status_code == 302
    case = db.session.get(Dispute, case.id)
    assert case.channels_told == "引导诉讼、诉前调解" and case.referrals_out == ["引导诉讼", "诉前调解"]
    refused = _conclude(client, make_dispute(world.mediator, world.village, state="mediating"), outcome="failed",
                        agreement_form="", agreement_terms="", channels_told=["法院"])
    assert refused.status_code == 400 and field_errors(refused.get_data(as_text=True)).get("channels_told")
    assert _conclude(client, make_dispute(world.mediator, world.village, state="mediating"), outcome="failed",
                     agreement_form="", agreement_terms="", channels_told=["仲裁"],
                     agreement_amount="100").status_code == 400  # an amount without an agreement


def test_the_registration_form_of_a_referred_case_states_its_origin(client, world):
    login(client, "mediator1")
    registered = client.post("/cases/new", data=intake_form(world.village, source="referral", referral_origin="police",
                                                            referral_body="城关派出所"))
    assert registered.status_code == 302
    case = _newest()
    page = client.get(f"/cases/{case.id}/documents/application").get_data(as_text=True)
    assert "移送来源" in page and re.search("公安[(\uff08]城关派出所[)\uff09]", page)  # documents write full-width brackets
