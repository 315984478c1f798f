"""Nothing typed is lost: a draft survives leaving the page, an expired session (sign in on the page, then the
typed case is registered) and a lost signal (the page says so and keeps the draft)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.e2e

SUMMARY = "褚明亮与褚明光因老宅后院的一棵核桃树归属发生争执,双方都称是父亲生前分给自己的,申请调解。"


def test_a_typed_intake_survives_leaving_an_expired_session_and_a_lost_signal(crew):
    me = crew.actor("mediator1", "phone")
    page = me.page

    with me.step("type a long intake, leave the page and come back"):
        me.login("mediator1")
        me.goto("/cases/new")
        me.fill(page.locator("#applicants-0-name"), "褚明亮")
        me.fill(page.locator("#respondents-0-name"), "褚明光")
        me.fill(page.locator("#summary"), SUMMARY)
        me.goto("/")
        me.goto("/cases/new")
        expect(page.locator(".draft-notice")).to_contain_text("已恢复")
        expect(page.locator("#summary")).to_have_value(SUMMARY)
        expect(page.locator("#respondents-0-name")).to_have_value("褚明光")

    with me.step("without a signal the page says so and keeps the draft"):
        me.context.set_offline(True)
        page.locator("main form button.primary").click()
        expect(page.locator(".draft-notice")).to_contain_text("没有网络信号")
        assert page.url.endswith("/cases/new")
        expect(page.locator("#summary")).to_have_value(SUMMARY)
        me.context.set_offline(False)

    with me.step("the session expires; submitting asks to sign in on the page, then registers what was typed"):
        me.context.clear_cookies()
        page.locator("main form button.primary").click()
        expect(page.locator(".draft-notice")).to_contain_text("登录已过期")
        page.locator("#relogin-username").fill("mediator1")
        page.locator("#relogin-password").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="登录并提交").click()
        assert re.search(r"/cases/\d+$", page.url), page.url
        expect(page.locator(".flash")).to_contain_text("已登记")
        expect(page.locator("main")).to_contain_text(SUMMARY)

    with me.step("the saved draft is gone"):
        me.goto("/cases/new")
        expect(page.locator(".draft-notice")).to_have_count(0)
        expect(page.locator("#summary")).to_have_value("")
