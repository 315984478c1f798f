"""Journey 1: a village mediator on a 360×780 phone registers a dispute and takes it to a printed agreement.

The same journey runs twice: by touch, and with the keyboard alone (Tab to move, Enter to follow a link or to
send a form from a text field, Space to press a button, the arrow keys to pick in a select; never a click).
"""

import re

import pytest
from playwright.sync_api import expect

from casetrack.domain.identity import id_check_digit

pytestmark = pytest.mark.e2e

PEOPLE = {  # each run registers its own dispute, with parties no open case names (no duplicate warning)
    "touch": ("周桂兰", "周建军", "62012319780416152", "13893210451"),
    "keyboard": ("孙玉梅", "孙德胜", "62012319820907264", "13893210452"),
}


@pytest.mark.parametrize("by", ["touch", "keyboard"])
def test_mediator_registers_a_dispute_and_prints_the_agreement(crew, by):
    me = crew.actor("mediator1", "phone")
    me.keyboard_only = by == "keyboard"
    page = me.page
    applicant, respondent, first17, phone = PEOPLE[by]
    good_id = first17 + id_check_digit(first17)
    bad_id = first17 + ("1" if good_id[-1] != "1" else "2")  # the same number with a wrong check digit
    summary = f"{applicant}与邻居{respondent}因房后滴水檐和排水沟位置发生争执,双方多次争吵,{applicant}申请调解。"

    with me.step("log in"):
        me.login("mediator1")
        expect(page.locator("h1")).to_contain_text("工作台")

    with me.step("open the intake form"):
        me.press(page.locator(".bottombar a", has_text="登记纠纷"))
        assert page.url.endswith("/cases/new")
        expect(page.locator("#village_id option:checked")).to_have_text("斜沟村")  # the mediator's own village

    with me.step("fill the intake form with a wrong ID number"):
        me.choose(page.locator("#dispute_type_id"), "邻里")
        me.fill(page.locator("#applicants-0-name"), applicant)
        me.choose(page.locator("#applicants-0-gender"), "女")
        me.fill(page.locator("#applicants-0-id_number"), bad_id)
        me.fill(page.locator("#applicants-0-phone"), phone)
        me.fill(page.locator("#respondents-0-name"), respondent)
        me.fill(page.locator("#summary"), summary)
        me.press(page.locator("main form button.primary"))

    with me.step("see the error beside the ID number, with the input kept"):
        assert page.url.endswith("/cases/new")
        field = page.locator("#applicants-0-id_number")
        error = page.locator("#applicants-0-id_number-error")
        expect(error).to_be_visible()
        expect(error).to_have_attribute("role", "alert")
        expect(error).to_contain_text("校验位")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", "applicants-0-id_number-error")
        field_box, error_box = field.bounding_box(), error.bounding_box()
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 24, (field_box, error_box)
        assert abs(error_box["x"] - field_box["x"]) < 24, (field_box, error_box)
        expect(field).to_have_value(bad_id)
        expect(page.locator("#applicants-0-name")).to_have_value(applicant)
        expect(page.locator("#applicants-0-gender option:checked")).to_have_text("女")
        expect(page.locator("#applicants-0-phone")).to_have_value(phone)
        expect(page.locator("#respondents-0-name")).to_have_value(respondent)
        expect(page.locator("#dispute_type_id option:checked")).to_have_text("邻里")
        expect(page.locator("#summary")).to_have_value(summary)
        if me.keyboard_only:  # the page puts the focus on the first wrong field, so its error is read out
            expect(field).to_be_focused()
        else:
            me.picture("phone-intake", full_page=True)

    with me.step("fix the ID number and register"):
        me.fill(field, good_id)
        if me.keyboard_only:  # Enter in the field registers the dispute (not 再添加一人, the form's first button)
            with page.expect_navigation():
                page.keyboard.press("Enter")
            me.audit()
        else:
            me.press(page.locator("main form button.primary"))
        assert re.search(r"/cases/\d+$", page.url), page.url
        expect(page.locator(".flash")).to_contain_text("已登记")
        expect(page.locator(".case-head .badge").first).to_have_text("已登记")
        case_path = page.url.removeprefix(crew.site.url)
        number = page.locator("h1").inner_text().strip()

    with me.step("accept the case: I registered it in my village, so I am its mediator and mediation starts"):
        expect(page.locator(".facts")).to_contain_text("斜沟村调解员")
        me.press(page.locator(".actions button.primary", has_text="受理"))  # today's acceptance, one tap
        assert page.url.endswith(case_path)
        expect(page.locator(".case-head .badge").first).to_have_text("调解中")
        expect(page.locator(".actions .primary")).to_have_text("记录调解")  # the next step

    with me.step("record a mediation session"):
        me.press(page.locator(".actions").get_by_role("link", name="记录调解", exact=True))
        expect(page.locator("#mediators")).to_have_value("斜沟村调解员")  # filled in from the case
        expect(page.locator("#attendees")).to_have_value(f"{applicant}、{respondent}")
        me.fill(page.locator("#place"), "村委会调解室")
        me.fill(page.locator("#notes"), "调解员讲明相邻关系的法律规定,双方同意由被申请人改建排水沟。")
        me.press(page.locator("main form button.primary"))
        expect(page.locator("main")).to_contain_text("第1次调解")

    with me.step("record a written agreement"):
        me.press(page.locator(".actions").get_by_role("link", name="登记结果", exact=True))
        me.choose(page.locator("#outcome"), "调解成功")
        expect(page.locator("#agreement_terms")).to_be_visible()
        expect(page.locator("#end_reason")).to_be_hidden()  # app.js shows only what the outcome needs
        me.choose(page.locator("#agreement_form"), "书面")
        me.fill(page.locator("#agreement_terms"), f"{respondent}于十日内将排水沟改至自家院内,费用自理。")
        me.fill(page.locator("#performance_manner"), "当场交付,在村委会见证下履行")
        me.press(page.locator("main form button.primary"))
        assert page.url.endswith(case_path)
        expect(page.locator("main")).to_contain_text("调解结果:调解成功")
        expect(page.locator(".facts").last).to_contain_text("书面")

    with me.step("open the agreement's print view"):
        me.press(page.locator("#documents a", has_text="人民调解协议书"))
        assert page.url.endswith(f"{case_path}/documents/agreement")
        expect(page.locator("h1").first).to_have_text("人民调解协议书")
        document = page.locator("article.document")
        for words in (applicant, respondent, "排水沟改至自家院内"):
            expect(document).to_contain_text(words)
        page.emulate_media(media="print")
        expect(page.locator(".toolbar")).to_be_hidden()
        expect(page.locator(".bottombar")).to_have_count(0)
        page.emulate_media(media="screen")

    with me.step("find the case among my cases"):
        me.press(page.locator(".toolbar a", has_text="返回案件"))
        me.press(page.locator(".bottombar a", has_text="我的案件"))
        card = page.locator(".queue-table tbody tr", has=page.locator("a", has_text=number))
        expect(card).to_contain_text(f"{applicant}、{respondent}")
        expect(card.locator("td[data-label=状态]")).to_have_text("已调结")
