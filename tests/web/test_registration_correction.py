"""Correcting what was registered: every fact and the parties, checked as at intake, each change in the timeline
(ID numbers and phones masked), the documents printing the corrected facts, and a send-back answered by it."""

import re
from datetime import timedelta

import pytest

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import Dispute, ReportSnapshot
from casetrack.services.timeline import chinese_changes, chinese_sentence
from tests.conftest import login
from tests.factories import VALID_ID, VALID_PHONE, case_snapshot, make_dispute, timeline
from tests.web.test_validation import field_errors

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

OTHER_ID = "110105198001010016"  # a valid GB 11643 number (check digit 6)


def edit_body(case: Dispute, **changes) -> dict:
    """The correction form as the page fills it for this case, with changes."""
    body = {
        "village_id": str(case.village_id), "natural_village_id": "", "dispute_type_id": str(case.dispute_type_id),
        "source": case.source, "channel": case.channel, "registered_on": case.registered_on.isoformat(),
        "people_involved": str(case.people_involved), "summary": case.summary, "risk_level": case.risk_level,
        "version": str(case.version),
    }
    for side, prefix in (("applicant", "applicants"), ("respondent", "respondents")):
        for i, party in enumerate(p for p in case.parties if p.side == side):
            body.update({f"{prefix}-{i}-party_id": str(party.id), f"{prefix}-{i}-name": party.name,
                         f"{prefix}-{i}-gender": party.gender or "", f"{prefix}-{i}-id_number": party.id_number or "",
                         f"{prefix}-{i}-phone": party.phone or "", f"{prefix}-{i}-address": party.address or ""})
    body.update(changes)
    return body


def test_the_edit_page_offers_every_registered_fact_and_the_parties(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    for name in ("village_id", "registered_on", "source", "dispute_type_id", "applicants-0-name",
                 "applicants-0-id_number", "applicants-0-phone", "respondents-0-name", "respondents-0-address"):
        assert f'name="{name}"' in page, name
    assert 'value="张三"' in page and 'value="李四"' in page and VALID_ID in page  # the handler sees it whole
    applicant = case.parties[0]
    assert re.search(rf'name="applicants-0-party_id"[^>]*value="{applicant.id}"', page)  # a row names its party
    assert "统计数字冻结前可以更正" in page


def test_a_send_back_is_answered_by_correcting_the_respondents_id_and_the_documents_print_it(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "staff")
    sent = client.post(f"/cases/{case.id}/send-back", data={"note": "被申请人身份证号码缺失,请补充",
                                                            "version": str(case.version)})
    assert sent.status_code == 302
    login(client, "mediator1")
    db.session.expire_all()
    case = db.session.get(Dispute, case.id)
    form = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert "被申请人身份证号码缺失,请补充" in form and "保存并补正完毕" in form

    saved = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, **{"respondents-0-id_number": OTHER_ID, "mark_corrected": "1", "correction_note": "已补充被申请人身份证号码"}))
    assert saved.status_code == 302
    db.session.expire_all()
    case = db.session.get(Dispute, case.id)
    assert case.returned_note is None
    respondent = next(p for p in case.parties if p.side == "respondent")
    assert respondent.id_number == OTHER_ID
    events = timeline(case.id)
    edit = next(e for e in events if e.action == "edit")
    assert chinese_changes(edit) == {"被申请人 李四 · 身份证号码": [None, "1101**********0016"]}
    assert OTHER_ID not in str([chinese_changes(e) for e in events]) + str([chinese_sentence(e) for e in events])
    assert events[-1].action == "corrected" and "已补充被申请人身份证号码" in chinese_sentence(events[-1])

    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "1101**********0016" in page and "→" in page  # the timeline says from → to, masked
    document = client.get(f"/cases/{case.id}/documents/application").get_data(as_text=True)
    assert OTHER_ID in document  # the file holds the corrected ID, shown whole to the case's handler


def test_names_phones_and_a_new_party_are_corrected_and_a_party_removed(client, world):
    case = make_dispute(world.mediator, world.village)
    login(client, "mediator1")
    body = edit_body(case, **{
        "applicants-0-name": "张山", "applicants-0-phone": "13900001111",
        "respondents-1-name": "王五", "respondents-1-gender": "male", "respondents-1-id_number": "",
        "respondents-1-phone": "", "respondents-1-address": "王家庄3号",
    })
    assert client.post(f"/cases/{case.id}/edit", data=body).status_code == 302
    db.session.expire_all()
    case = db.session.get(Dispute, case.id)
    assert [(p.side, p.name) for p in case.parties] == [("applicant", "张山"), ("respondent", "李四"),
                                                         ("respondent", "王五")]
    changes = chinese_changes(timeline(case.id)[-1])
    assert changes["申请人 张三 · 姓名"] == ["张三", "张山"]
    assert changes["申请人 张三 · 联系电话"] == ["138****5678", "139****1111"]
    assert changes["被申请人 王五"][0] is None and "王家庄3号" in changes["被申请人 王五"][1]

    wang = case.parties[2]
    removed = client.post(f"/cases/{case.id}/edit", data=edit_body(case, **{"respondents-1-remove": "y"}))
    assert removed.status_code == 302
    db.session.expire_all()
    assert [p.name for p in db.session.get(Dispute, case.id).parties] == ["张山", "李四"]
    assert chinese_changes(timeline(case.id)[-1]) == {"被申请人 王五": ["王五", "(删除)"]}
    assert wang.id not in [p.id for p in db.session.get(Dispute, case.id).parties]


def test_a_bad_id_number_is_refused_beside_its_row_and_nothing_changes(client, world):
    case = make_dispute(world.mediator, world.village)
    before = case_snapshot(case.id)
    login(client, "mediator1")
    response = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, **{"respondents-0-id_number": "110105194912310022", "summary": "新的案情"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_errors(page).get("respondents-0-id_number")
    assert 'value="110105194912310022"' in page  # the input is kept
    assert case_snapshot(case.id) == before


def test_an_id_number_ending_in_x_is_accepted_and_the_field_allows_letters(client, world):
    case = make_dispute(world.mediator, world.village, applicant="赵一")
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    field = re.search(r'<input[^>]*name="respondents-0-id_number"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' not in field
    saved = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, **{"respondents-0-id_number": VALID_ID.lower()}))
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Dispute, case.id).parties[1].id_number == VALID_ID


def test_the_last_applicant_cannot_be_removed(client, world):
    case = make_dispute(world.mediator, world.village)
    before = case_snapshot(case.id)
    login(client, "mediator1")
    response = client.post(f"/cases/{case.id}/edit", data=edit_body(case, **{"applicants-0-remove": "y"}))
    assert response.status_code == 400
    assert "至少填写一名申请人" in response.get_data(as_text=True)
    assert case_snapshot(case.id) == before


def test_parties_of_a_concluded_case_are_corrected_but_not_added(client, world):
    case = make_dispute(world.mediator, world.village, state="concluded")
    before = case_snapshot(case.id)
    login(client, "mediator1")
    refused = client.post(f"/cases/{case.id}/edit", data=edit_body(case, **{"respondents-1-name": "王五"}))
    assert refused.status_code == 409
    assert "不能增删当事人" in refused.get_data(as_text=True)
    assert case_snapshot(case.id) == before
    corrected = client.post(f"/cases/{case.id}/edit", data=edit_body(case, **{"respondents-0-phone": VALID_PHONE}))
    assert corrected.status_code == 302


def test_registration_date_village_and_source_are_corrected_with_from_and_to(client, world):
    case = make_dispute(world.staff, world.village, registered_on=clock.today() - timedelta(days=3))
    old_day = case.registered_on
    new_day = old_day - timedelta(days=1) if old_day.day > 1 else old_day
    login(client, "staff")
    refused = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, village_id=str(world.other_village.id), registered_on=new_day.isoformat(), source="referral"))
    assert refused.status_code == 400  # a case turned 委托移送 says who referred it (issue 19)
    assert "委托移送的案件须选择移送来源" in refused.get_data(as_text=True)
    saved = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, village_id=str(world.other_village.id), registered_on=new_day.isoformat(), source="referral",
        referral_origin="police", referral_body="城关派出所"))
    assert saved.status_code == 302
    changes = chinese_changes(timeline(case.id)[-1])
    assert changes["所属村"] == ["斜沟村", "王家庄村"]
    assert changes["案件来源"] == ["当事人申请", "委托移送"]
    assert changes["移送来源"][1] == "公安" and changes["移送单位"] == [None, "城关派出所"]
    if new_day != old_day:
        assert changes["登记日期"] == [old_day.isoformat(), new_day.isoformat()]


def test_registration_date_and_village_are_fixed_once_the_period_is_frozen(client, world):
    case = make_dispute(world.staff, world.village)
    day = case.registered_on
    db.session.add(ReportSnapshot(scope=f"township:{world.township.id}", period=f"{day.year}-{day.month:02d}",
                                  figures={}))
    db.session.commit()
    login(client, "staff")
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert f"{day.year}年{day.month}月的统计数字已冻结,登记日期和所属村不能再修改。" in page
    assert re.search(r'<select[^>]*disabled[^>]*name="village_id"|<select[^>]*name="village_id"[^>]*disabled', page)
    before = case_snapshot(case.id)
    refused = client.post(f"/cases/{case.id}/edit", data=edit_body(case, village_id=str(world.other_village.id)))
    assert refused.status_code == 409
    assert "统计数字已冻结" in refused.get_data(as_text=True)
    assert case_snapshot(case.id) == before
    # the other facts stay correctable; the disabled fields are not sent and keep their values
    body = edit_body(case, summary="补充案情")
    del body["village_id"], body["registered_on"]
    assert client.post(f"/cases/{case.id}/edit", data=body).status_code == 302
    assert case_snapshot(case.id)["summary"] == "补充案情"


def test_two_people_correcting_parties_never_silently_overwrite(app, world):
    case = make_dispute(world.mediator, world.village)
    mediator, staff = app.test_client(), app.test_client()
    login(mediator, "mediator1")
    login(staff, "staff")
    opened = edit_body(case)
    assert staff.post(f"/cases/{case.id}/edit", data={**opened, "applicants-0-name": "张山"}).status_code == 302
    late = mediator.post(f"/cases/{case.id}/edit", data={**opened, "applicants-0-address": "斜沟村9号"})
    assert late.status_code == 409
    assert "已被他人修改" in late.get_data(as_text=True) and 'value="斜沟村9号"' in late.get_data(as_text=True)
    db.session.expire_all()
    applicant = db.session.get(Dispute, case.id).parties[0]
    assert (applicant.name, applicant.address) == ("张山", "斜沟村1号")


def test_a_party_of_another_case_cannot_be_edited_through_this_one(client, world):
    case = make_dispute(world.mediator, world.village)
    other = make_dispute(world.mediator, world.village, applicant="赵六")
    before = [p.name for p in other.parties]
    login(client, "mediator1")
    response = client.post(f"/cases/{case.id}/edit", data=edit_body(
        case, **{"applicants-0-party_id": str(other.parties[0].id), "applicants-0-name": "篡改"}))
    assert response.status_code == 409
    db.session.expire_all()
    assert [p.name for p in db.session.get(Dispute, other.id).parties] == before
