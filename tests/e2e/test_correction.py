"""Journey: township staff send a village case back because the respondent's ID number is missing; the village
mediator, on a 360 px phone, adds it on the case's edit page and marks the case corrected with a note; the
timeline shows the change masked and the application form prints the number."""

import re

import pytest
from playwright.sync_api import expect

from casetrack.domain.identity import id_check_digit

pytestmark = pytest.mark.e2e

FIRST17 = "62012319700305241"
NOTE = "被申请人身份证号码缺失,请补充"


def test_mediator_answers_a_send_back_by_correcting_the_respondents_id(crew):
    me = crew.actor("mediator1", "phone")
    page = me.page
    good_id = FIRST17 + id_check_digit(FIRST17)

    with me.step("register a case without the respondent's ID number"):
        me.login("mediator1")
        me.goto("/cases/new")
        me.choose(page.locator("#dispute_type_id"), "邻里")
        me.fill(page.locator("#applicants-0-name"), "程桂香")
        me.fill(page.locator("#respondents-0-name"), "程德福")
        me.fill(page.locator("#summary"), "程桂香与程德福因房前通道堆放柴草发生争执,申请调解。")
        me.press(page.locator("main form button.primary"))
        assert re.search(r"/cases/\d+$", page.url), page.url
        case_path = page.url.removeprefix(crew.site.url)

    staff = crew.actor("staff", "desktop")
    with staff.step("send the case back"):
        staff.login("staff")
        staff.goto(case_path + "/send-back")
        staff.fill(staff.page.locator("#note"), NOTE)
        staff.press(staff.page.locator("main form button.primary"))
        expect(staff.page.locator("main")).to_contain_text(NOTE)

    with me.step("open the case and choose to correct it"):
        me.goto(case_path)
        expect(page.locator("main")).to_contain_text(NOTE)
        me.press(page.get_by_role("link", name="修改并补正"))
        assert page.url.endswith(case_path + "/edit")
        expect(page.locator("main")).to_contain_text(NOTE)
        expect(page.locator("#respondents-0-name")).to_have_value("程德福")
        expect(page.locator("#respondents-0-id_number")).not_to_have_attribute("inputmode", "numeric")

    with me.step("add the ID number and mark the case corrected"):
        me.fill(page.locator("#respondents-0-id_number"), good_id)
        me.fill(page.locator("#correction_note"), "已补充被申请人身份证号码")
        me.press(page.get_by_role("button", name="保存并补正完毕"))
        assert page.url.endswith(case_path), page.url
        expect(page.locator(".flash")).to_contain_text("已补正并保存")
        expect(page.locator(".form-errors", has_text="退回补正")).to_have_count(0)  # no longer awaiting correction
        expect(page.get_by_role("link", name="补正完毕")).to_have_count(0)
        timeline = page.locator("main").inner_text()
        assert "被申请人 程德福 · 身份证号码" in timeline and good_id[:4] + "**********" + good_id[-4:] in timeline
        assert "已补充被申请人身份证号码" in timeline
        assert "申请人 程桂香" not in timeline  # only what changed is listed

    with me.step("the application form prints the corrected number"):
        me.goto(case_path + "/documents/application")
        expect(page.locator("article.document")).to_contain_text(good_id)
