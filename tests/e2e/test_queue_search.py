"""Journey: a township clerk at a 1366 px desktop finds 赵海强's case by typing "zhq", then "zhaohaiqiang", into the
queue's search box, which is in sight without unfolding the filters; no row of the queue wraps."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

WRAPPED_CELLS = """
() => [...document.querySelectorAll('.queue-table tbody td')].filter(td => {
  const range = document.createRange();
  range.selectNodeContents(td);
  const tops = [...range.getClientRects()].map(r => r.top).sort((a, b) => a - b);
  return tops.length && tops[tops.length - 1] - tops[0] > 12;  // text on a second line
}).map(td => td.getAttribute('data-label') + ': ' + td.innerText)
"""


def test_clerk_finds_a_party_by_pinyin_initials_and_full_pinyin(crew):
    me = crew.actor("staff", "desktop")
    page = me.page

    with me.step("register 赵海强's case"):
        me.login("staff")
        me.goto("/cases/new")
        me.choose(page.locator("#village_id"), "王家庄村")
        me.choose(page.locator("#dispute_type_id"), "邻里")
        me.fill(page.locator("#applicants-0-name"), "赵海强")
        me.fill(page.locator("#respondents-0-name"), "钱秀英")
        me.fill(page.locator("#summary"), "赵海强与钱秀英因宅基地边界的篱笆发生争执,申请调解。")
        me.press(page.locator("main form button.primary"))
        number = page.locator("h1").inner_text().strip()

    for typed in ("zhq", "zhaohaiqiang"):
        with me.step(f"search the queue for {typed}"):
            me.goto("/queue")
            box = page.locator("#q")
            expect(box).to_be_visible()  # no panel to unfold first
            me.fill(box, typed)
            me.press(page.locator(".queue-search button"))
            rows = page.locator(".queue-table tbody tr")
            expect(rows).to_have_count(1)
            expect(rows.first.locator("td[data-label=编号] a")).to_have_text(number)
            expect(rows.first).to_contain_text("赵海强")

    with me.step("the whole queue keeps each row on one line at 1366 px"):
        me.goto("/queue")
        expect(page.locator(".queue-table tbody tr").first).to_be_visible()
        assert page.evaluate(WRAPPED_CELLS) == []
