"""Enter in a text field sends the form it is in, not the "add another person" or "not the same dispute"
button that comes first in the form."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_enter_in_a_party_name_registers_the_dispute(crew, scripts):
    me = crew.actor("mediator1", "phone", scripts)
    page = me.page
    with me.step("log in and open the intake form"):
        me.login("mediator1")
        me.goto("/cases/new")
    with me.step("fill it and press Enter in the respondent's name"):
        me.choose(page.locator("#dispute_type_id"), "邻里")
        me.fill(page.locator("#applicants-0-name"), "钱秀芝" if scripts else "钱秀英")
        me.fill(page.locator("#summary"), "钱秀芝与邻居因宅基地界桩位置发生争执,申请调解。")
        me.fill(page.locator("#respondents-0-name"), "钱永福" if scripts else "钱永贵")
        with page.expect_navigation():
            page.locator("#respondents-0-name").press("Enter")
    with me.step("the case is registered, not a second respondent row added"):
        expect(page).to_have_url(re.compile(r"/cases/\d+$"))
        expect(page.locator("main")).to_contain_text("钱永福" if scripts else "钱永贵")
        me.audit()


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_enter_in_a_petitioner_name_registers_the_petition(crew, scripts):
    me = crew.actor("staff", "desktop", scripts)
    page = me.page
    with me.step("log in and open the petition form"):
        me.login("staff")
        me.goto("/petitions/new")
    with me.step("fill it and press Enter in the petitioner's name"):
        page.locator("#category_id").select_option(index=1)
        me.fill(page.locator("#request"), "要求公开村道硬化工程的补偿款发放情况。")
        me.fill(page.locator("#petitioners-0-name"), "郑国强")
        with page.expect_navigation():
            page.locator("#petitioners-0-name").press("Enter")
    with me.step("the petition is registered, not a second petitioner row added"):
        expect(page).to_have_url(re.compile(r"/petitions/\d+$"))
        expect(page.locator("#petitioners-1-name")).to_have_count(0)
        me.audit()
