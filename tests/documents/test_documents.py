"""Each document of the case file, as a print view and as DOCX, for a case whose state allows it."""

import pytest

from casetrack.documents.content import cn_date
from casetrack.extensions import db
from tests.conftest import login
from tests.documents.conftest import docx_lines, docx_text, make_full_case
from tests.factories import VALID_ID, VALID_PHONE, make_dispute

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _expected(case) -> dict[str, tuple[str, list[str]]]:
    """What each document must say about this case: its title and words taken from the case."""
    note, first, second, visit = case.investigation_notes[0], case.sessions[0], case.sessions[1], case.return_visits[0]
    return {
        "application": ("人民调解申请书", ["因院墙占道发生争执", cn_date(case.registered_on), "邻里", "斜沟村1号"]),
        "rights-notice": ("当事人权利义务告知书", [cn_date(case.accepted_on), "选择或者接受人民调解员", "如实陈述纠纷事实"]),
        "investigation": ("调查记录", [note.content, cn_date(note.noted_on), "邻居王五"]),
        "session": ("调解记录", [first.notes, cn_date(first.held_on), "村委会调解室"]),
        "agreement": ("人民调解协议书", [
            "1. 李四于十日内拆除占道院墙", "2. 张三承担拆除费用二百元", "院墙向外占道约一米",
            f"履行期限\uff1a{cn_date(case.performance_deadline)}前履行完毕", "李四自行拆除", "本协议一式3份",
            cn_date(case.closed_on), "斜沟村人民调解委员会\uff08印\uff09", "签名盖章或按指印",
        ]),
        "follow-up": ("回访记录", [cn_date(visit.visited_on), "已履行", "满意", "李四于十日内拆除占道院墙"]),
    } | {"session-2": ("调解记录", [second.notes, cn_date(second.held_on)])}


@pytest.mark.parametrize("kind", ["application", "rights-notice", "investigation", "session", "session-2",
                                  "agreement", "follow-up"])
def test_each_document_holds_the_cases_parties_terms_and_dates(client, world, kind):
    case = make_full_case(world.mediator, world.village)
    title, words = _expected(case)[kind]
    path = f"/cases/{case.id}/documents/{kind.split('-2')[0]}"
    query = "?n=2" if kind == "session-2" else ""
    login(client, "mediator1")

    page = client.get(path + query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    docx_response = client.get(path + ".docx" + query)
    assert docx_response.status_code == 200
    assert docx_response.mimetype == DOCX
    text = docx_text(docx_response.data)

    for shown in (html, text):
        assert title in shown
        assert case.number in shown
        assert "张三" in shown and "李四" in shown
        for word in words:
            assert word in shown, word


def test_documents_come_as_word_files_named_after_the_case(client, full_case):
    login(client, "mediator1")
    response = client.get(f"/cases/{full_case.id}/documents/agreement.docx")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "%E4%BA%BA%E6%B0%91%E8%B0%83%E8%A7%A3%E5%8D%8F%E8%AE%AE%E4%B9%A6.docx" in disposition  # 人民调解协议书
    assert response.headers["Cache-Control"] == "no-store"


REFUSED = [
    ("registered", "rights-notice"), ("registered", "investigation"), ("registered", "session"),
    ("registered", "agreement"), ("registered", "oral-agreement"), ("registered", "follow-up"),
    ("not_accepted", "rights-notice"), ("mediating", "agreement"), ("mediating", "session"),
    ("concluded-failed", "agreement"), ("concluded-failed", "oral-agreement"), ("concluded-ended", "agreement"),
    ("concluded-succeeded", "follow-up"), ("concluded-succeeded", "oral-agreement"),
]


@pytest.mark.parametrize(("situation", "kind"), REFUSED)
def test_a_document_the_cases_state_does_not_allow_is_not_found(client, world, situation, kind):
    state, _, outcome = situation.partition("-")
    case = make_dispute(world.mediator, world.village, state=state, outcome=outcome or "succeeded")
    login(client, "mediator1")
    assert client.get(f"/cases/{case.id}/documents/{kind}").status_code == 404
    assert client.get(f"/cases/{case.id}/documents/{kind}.docx").status_code == 404


def test_a_session_that_was_not_held_is_not_found(client, full_case):
    login(client, "mediator1")
    assert client.get(f"/cases/{full_case.id}/documents/session?n=2").status_code == 200
    for n in ("3", "0", "-1", "x"):
        expected = 200 if n == "x" else 404  # a number that is not one falls back to the first session
        assert client.get(f"/cases/{full_case.id}/documents/session?n={n}").status_code == expected
    assert client.get(f"/cases/{full_case.id}/documents/session.docx?n=3").status_code == 404
    assert client.get(f"/cases/{full_case.id}/documents/judgement").status_code == 404


def test_the_application_is_allowed_from_registration_and_names_the_refusal(client, world):
    declined = make_dispute(world.mediator, world.village, state="not_accepted")
    login(client, "mediator1")
    text = client.get(f"/cases/{declined.id}/documents/application").get_data(as_text=True)
    assert "不予受理" in text and "属于法院专属管辖" in text and "县人民法院" in text


def test_a_case_not_applied_for_files_a_registration_form_instead(client, world):
    case = make_dispute(world.mediator, world.village, state="accepted")
    case.source = "initiative"
    db.session.commit()
    login(client, "mediator1")
    text = client.get(f"/cases/{case.id}/documents/application").get_data(as_text=True)
    assert "人民调解受理登记表" in text and "人民调解申请书" not in text


def test_agreement_only_for_a_written_agreement_and_the_oral_register_only_for_an_oral_one(client, world):
    written = make_full_case(world.mediator, world.village, form="written")
    oral = make_full_case(world.mediator, world.village, form="oral", applicant="赵大")
    login(client, "mediator1")
    assert client.get(f"/cases/{written.id}/documents/agreement").status_code == 200
    assert client.get(f"/cases/{written.id}/documents/oral-agreement").status_code == 404
    assert client.get(f"/cases/{oral.id}/documents/agreement").status_code == 404
    response = client.get(f"/cases/{oral.id}/documents/oral-agreement.docx")
    assert response.status_code == 200
    text = docx_text(response.data)
    assert "人民调解口头协议登记表" in text and "李四于十日内拆除占道院墙" in text and "赵大" in text
    assert "口头调解协议自各方当事人达成协议之日起生效" in text

    written_page = client.get(f"/cases/{written.id}").get_data(as_text=True)
    oral_page = client.get(f"/cases/{oral.id}").get_data(as_text=True)
    assert f"/cases/{written.id}/documents/agreement" in written_page
    assert "人民调解口头协议登记表" not in written_page
    assert f"/cases/{oral.id}/documents/agreement\"" not in oral_page
    assert f"/cases/{oral.id}/documents/oral-agreement" in oral_page


def test_the_case_page_links_the_documents_available_now(client, world):
    case = make_dispute(world.mediator, world.village, state="registered")
    login(client, "mediator1")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'href="/cases/{case.id}/documents/application"' in page
    assert f'href="/cases/{case.id}/documents/application.docx"' in page
    assert f'href="/cases/{case.id}/documents/case-file.docx"' in page
    for absent in ("rights-notice", "investigation", "session", "agreement", "follow-up"):
        assert f"/cases/{case.id}/documents/{absent}" not in page


def test_a_full_case_page_links_every_document_including_each_session(client, full_case):
    login(client, "mediator1")
    page = client.get(f"/cases/{full_case.id}").get_data(as_text=True)
    for kind in ("application", "rights-notice", "investigation", "session?n=1", "session?n=2", "agreement",
                 "follow-up"):
        assert f"/cases/{full_case.id}/documents/{kind}" in page
    assert "调解记录(第2次)" in page


def test_personal_data_is_masked_for_a_user_without_the_right(client, full_case):
    login(client, "leader")
    for path in ("agreement", "agreement.docx", "application", "application.docx", "case-file.docx"):
        response = client.get(f"/cases/{full_case.id}/documents/{path}")
        assert response.status_code == 200
        text = docx_text(response.data) if path.endswith(".docx") else response.get_data(as_text=True)
        assert "1101**********002X" in text, path
        assert "138****5678" in text, path
        assert VALID_ID not in text and VALID_PHONE not in text, path


def test_personal_data_is_whole_for_those_who_handle_the_case(client, full_case):
    login(client, "mediator1")
    for path in ("agreement", "agreement.docx"):
        response = client.get(f"/cases/{full_case.id}/documents/{path}")
        text = docx_text(response.data) if path.endswith(".docx") else response.get_data(as_text=True)
        assert VALID_ID in text and VALID_PHONE in text
        assert "1101**********002X" not in text


@pytest.mark.parametrize("username", ["mediator2", "farstaff", "farmediator"])
def test_documents_of_a_case_out_of_reach_are_not_found(client, full_case, username):
    login(client, username)
    for path in ("application", "agreement", "agreement.docx", "case-file", "case-file.docx"):
        assert client.get(f"/cases/{full_case.id}/documents/{path}").status_code == 404


def test_documents_need_a_login(client, full_case):
    response = client.get(f"/cases/{full_case.id}/documents/agreement")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_print_view_has_no_navigation_and_heads_every_page_with_the_case_number(client, full_case):
    login(client, "mediator1")
    html = client.get(f"/cases/{full_case.id}/documents/agreement").get_data(as_text=True)
    assert "print.css" in html and "app.css" not in html
    assert "sidenav" not in html and "bottombar" not in html
    # the agreement of a case mediated in the village is headed by the village's committee, which issues it
    assert f'<div class="running-head"><span>斜沟村人民调解委员会</span><span>{full_case.number}</span></div>' in html
    assert "<thead><tr><td>" in html  # the running head is a table header, repeated on each printed page


def test_the_agreement_has_a_number_line_numbered_sections_and_the_case_number_in_the_page_header(client, full_case):
    from io import BytesIO

    import docx as python_docx

    login(client, "mediator1")
    document = python_docx.Document(BytesIO(client.get(f"/cases/{full_case.id}/documents/agreement.docx").data))
    styles = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", "人民调解协议书") in styles
    assert ("CT Number", full_case.number) in styles
    headings = [text for style, text in styles if style == "Heading 1"]
    assert headings == ["一、当事人基本情况", "二、纠纷主要事实、争议事项及各方责任", "三、协议内容",
                        "四、履行方式、地点和期限", "五、其他事项"]
    assert full_case.number in document.sections[0].header.paragraphs[0].text


def test_committee_seal_and_header_come_from_the_township_settings(client, world):
    world.township.settings = {"committee_name": "斜沟乡人民调解委员会(乡调委会)",
                               "seal_text": "斜沟乡人民调解委员会调解专用章", "document_header": "斜沟乡矛盾纠纷调处中心"}
    db.session.commit()
    case = make_full_case(world.staff, world.village, level="township")  # the township's committee issues it
    login(client, "staff")
    for path in ("agreement", "agreement.docx"):
        response = client.get(f"/cases/{case.id}/documents/{path}")
        text = docx_text(response.data) if path.endswith(".docx") else response.get_data(as_text=True)
        assert "斜沟乡人民调解委员会调解专用章\uff08印\uff09" in text
        assert "斜沟乡矛盾纠纷调处中心" in text
        assert "经斜沟乡人民调解委员会\uff08乡调委会\uff09调解" in text


def test_signature_lines_name_each_party_and_the_mediator(client, full_case):
    login(client, "mediator1")
    lines = docx_lines(client.get(f"/cases/{full_case.id}/documents/agreement.docx").data)
    assert any(line.startswith("申请人  张三 | 签名盖章或按指印") for line in lines)
    assert any(line.startswith("被申请人  李四 | 签名盖章或按指印") for line in lines)
    assert any(line.startswith("人民调解员  王调解 | 签名") for line in lines)
