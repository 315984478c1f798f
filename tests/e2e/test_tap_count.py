"""The mediator's clean case on a 360 px phone, from the login page to the 回访 saved: at most 10 taps and 15
typed or chosen fields, counted as the journey goes (every tap and every field goes through the counters)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MOST_TAPS, MOST_FIELDS = 10, 15


def test_a_clean_case_from_login_to_return_visit_in_few_taps_and_fields(crew):
    me = crew.actor("mediator1", "phone")
    page = me.page
    taps, fields = [], []
    press, fill, choose = me.press, me.fill, me.choose
    me.press = lambda locator: (taps.append(str(locator)), press(locator))
    me.fill = lambda locator, text: (fields.append(str(locator)), fill(locator, text))
    me.choose = lambda locator, label: (fields.append(str(locator)), choose(locator, label))

    with me.step("log in"):
        me.login("mediator1")
    with me.step("register"):
        me.press(page.locator(".bottombar a", has_text="登记纠纷"))
        me.choose(page.locator("#dispute_type_id"), "邻里")
        me.fill(page.locator("#applicants-0-name"), "冯玉兰")
        me.fill(page.locator("#respondents-0-name"), "冯长贵")
        me.fill(page.locator("#summary"), "冯玉兰与冯长贵因共用水井的使用时间发生争执,申请调解。")
        me.press(page.locator("main form button.primary"))
        assert re.search(r"/cases/\d+$", page.url), page.url
    with me.step("accept: mediation starts with me as its mediator"):
        me.press(page.locator(".actions .primary"))
        expect(page.locator(".case-head .badge").first).to_have_text("调解中")
    with me.step("record the session"):
        me.press(page.locator(".actions .primary", has_text="记录调解"))
        me.fill(page.locator("#place"), "村委会调解室")
        me.fill(page.locator("#notes"), "讲明相邻关系规定,双方同意按单双日轮流使用水井。")
        me.press(page.locator("main form button.primary"))
        expect(page.locator("main")).to_contain_text("第1次调解")
    with me.step("record the agreement"):
        me.press(page.locator(".actions .primary", has_text="登记结果"))
        me.choose(page.locator("#agreement_form"), "口头")
        me.fill(page.locator("#agreement_terms"), "双方按单双日轮流使用水井,互不阻拦。")
        me.press(page.locator("main form button.primary"))
        expect(page.locator("main")).to_contain_text("调解结果:调解成功")
    with me.step("record the return visit"):
        me.press(page.locator(".actions .primary", has_text="回访"))
        me.choose(page.locator("#performance"), "已履行")
        me.press(page.locator("main form button.primary"))
        expect(page.locator(".case-head .badge").first).to_have_text("已回访")

    assert len(taps) <= MOST_TAPS, taps
    assert len(fields) <= MOST_FIELDS, fields
