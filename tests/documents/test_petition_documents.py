"""Petition documents (信访文书): each offered only when the record allows it, as a print view and as DOCX,
re-opened with python-docx and checked for the record's facts."""

from datetime import date

import pytest

from casetrack import clock
from casetrack.documents.content import cn_date, typeset
from casetrack.domain import petition_workflow as pw
from casetrack.extensions import db
from casetrack.services import petitions as services
from tests.conftest import login
from tests.documents.conftest import docx_text
from tests.petition_factories import category, make_petition

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECEIVED = date(2025, 3, 3)
REASON = "需调取土地确权档案"


def _fetch(client, petition_id: int, kind: str) -> tuple[str, str]:
    """Return the print view's HTML and the DOCX's text, re-read with python-docx."""
    page = client.get(f"/petitions/{petition_id}/documents/{kind}")
    assert page.status_code == 200, kind
    assert page.headers["Cache-Control"] == "no-store"
    word = client.get(f"/petitions/{petition_id}/documents/{kind}.docx")
    assert word.status_code == 200 and word.mimetype == DOCX
    assert "attachment" in word.headers["Content-Disposition"]
    return page.get_data(as_text=True), docx_text(word.data)


def _check(client, petition, kind: str, title: str, words: list[str]) -> None:
    html, text = _fetch(client, petition.id, kind)
    for shown in (html, text):
        assert title in shown and petition.number in shown and "斜沟乡人民政府" in shown
        assert "赵大民" in shown
        for word in words:
            assert typeset(word) in shown, (kind, word)


def _offered(client, petition) -> set[str]:
    html = client.get(f"/petitions/{petition.id}").get_data(as_text=True)
    kinds = ("acceptance-notice", "non-acceptance-notice", "forward-notice", "extension-notice", "opinion")
    return {kind for kind in kinds if f"/petitions/{petition.id}/documents/{kind}\"" in html}


def test_an_accepted_extended_and_answered_petition_has_its_notices_and_opinion(client, world):
    petition = make_petition(world.staff, world.township, state="in_progress", received_on=RECEIVED)
    services.extend(petition, world.leader, 15, REASON, date(2025, 3, 20), clock.today())
    services.answer(petition, world.staff, pw.Opinion.SUPPORT, "补偿款已于4月1日补发到户", date(2025, 4, 2), clock.today())
    db.session.commit()
    login(client, "staff")
    assert _offered(client, petition) == {"acceptance-notice", "extension-notice", "opinion"}
    # accepted 03-05: 60 days → 05-04 (劳动节) → 05-06; extended by 15 → 05-19
    _check(client, petition, "acceptance-notice", "信访事项受理告知书",
           [cn_date(date(2025, 3, 5)), cn_date(RECEIVED), cn_date(date(2025, 5, 6)), "反映村集体土地补偿款未按时发放",
            "第三十四条"])
    _check(client, petition, "extension-notice", "信访事项延期办理告知书",
           [REASON, "延长15日", cn_date(date(2025, 5, 19)), cn_date(date(2025, 3, 20)), "第三十四条"])
    _check(client, petition, "opinion", "信访事项处理意见书",
           ["支持", "补偿款已于4月1日补发到户", cn_date(date(2025, 4, 2)), "30日内", "复查", "第三十五条"])
    assert client.get(f"/petitions/{petition.id}/documents/forward-notice").status_code == 404
    assert client.get(f"/petitions/{petition.id}/documents/non-acceptance-notice.docx").status_code == 404


def test_a_refused_petition_has_only_its_non_acceptance_notice_with_the_reason(client, world):
    petition = make_petition(world.staff, world.township, state="not_accepted", received_on=RECEIVED)
    login(client, "staff")
    assert _offered(client, petition) == {"non-acceptance-notice"}
    _check(client, petition, "non-acceptance-notice", "信访事项不予受理告知书",
           ["不予受理", "不属于信访事项", cn_date(RECEIVED)])
    assert client.get(f"/petitions/{petition.id}/documents/acceptance-notice").status_code == 404


def test_a_forwarded_petition_tells_where_it_went(client, world):
    petition = make_petition(world.staff, world.township, state="forwarded", received_on=RECEIVED)
    login(client, "staff")
    assert _offered(client, petition) == {"forward-notice"}
    _check(client, petition, "forward-notice", "信访事项转送告知书", ["县自然资源局", cn_date(date(2025, 3, 5))])


def test_a_matter_assigned_from_above_names_the_sender_and_its_reference(client, world):
    intake = services.PetitionIntake(
        received_on=RECEIVED, channel=pw.Channel.ONLINE, category_id=category(world.township).id,
        request="反映村道硬化工程款未结清", petitioners=[services.PetitionerData("赵大民")],
        source=pw.Source.ASSIGNED_IN, source_body="县信访局", source_reference="县信交〔2025〕7号",
        assigned_due_on=date(2025, 4, 2))
    petition = services.register_petition(world.staff, world.township, intake, clock.today())
    login(client, "staff")
    assert _offered(client, petition) == set()  # nothing decided yet: no notice
    services.decide(petition, world.staff, "accepted", date(2025, 3, 5), clock.today())
    db.session.commit()
    _check(client, petition, "acceptance-notice", "信访事项受理告知书",
           ["县信访局交办(县信交〔2025〕7号)", "反映村道硬化工程款未结清", cn_date(RECEIVED)])


def test_a_routed_matter_tells_the_petitioner_the_procedure_and_body(client, world):
    petition = make_petition(world.staff, world.township, received_on=RECEIVED)
    services.route_to_procedure(petition, world.staff, pw.LegalRoute.ARBITRATION, "县劳动人事争议仲裁委员会",
                                date(2025, 3, 6), clock.today())
    db.session.commit()
    login(client, "staff")
    assert _offered(client, petition) == {"acceptance-notice"}
    _check(client, petition, "acceptance-notice", "信访事项受理告知书",
           ["仲裁程序", "县劳动人事争议仲裁委员会", "第三十一条"])
    assert "60日内办结" not in _fetch(client, petition.id, "acceptance-notice")[1]


def test_a_village_beyond_reach_gets_no_document(client, world):
    petition = make_petition(world.staff, world.township, state="not_accepted", received_on=RECEIVED,
                             village=world.other_village)
    login(client, "mediator1")
    assert client.get(f"/petitions/{petition.id}/documents/non-acceptance-notice").status_code == 404
    assert client.get(f"/petitions/{petition.id}/documents/non-acceptance-notice.docx").status_code == 404
