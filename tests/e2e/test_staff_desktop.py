"""Journey 2: township staff at a 1366×900 desktop work the queue, a petition with a leader, and screening."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VALID_ID

pytestmark = pytest.mark.e2e


def test_staff_work_the_queue_a_petition_and_the_screening_board(crew, site):
    staff = crew.actor("staff", "desktop")
    page = staff.page

    with staff.step("log in"):
        staff.login("staff")
        expect(page.locator(".sidenav")).to_be_visible()

    with staff.step("filter the queue"):
        staff.press(page.locator(".sidenav a", has_text="案件队列"))
        staff.press(page.locator(".tabs a", has_text="待受理"))
        expect(page.locator(".tabs a[aria-current=page]")).to_contain_text("待受理")
        page.locator("details.filterbox summary").click()
        staff.choose(page.locator("#village"), "斜沟村")
        staff.press(page.locator(".queue-filters button[type=submit]"))
        village_id = page.locator("#village").input_value()
        assert re.search(r"[?&]tab=pending(&|$)", page.url) and f"village={village_id}" in page.url, page.url
        rows = page.locator(".queue-table tbody tr")
        expect(rows.first).to_be_visible()
        for row in rows.all():  # the filter and the tab both hold
            expect(row.locator("td[data-label=所属村]")).to_have_text("斜沟村")
            expect(row.locator("td[data-label=状态]")).to_have_text("已登记")
        total = int(re.search(r"共 (\d+) 件", page.locator("h1").inner_text()).group(1))
        assert rows.count() == min(total, 50)
        expect(page.locator(".tabs a[aria-current=page] .count")).to_have_text(str(total))
        page.reload()  # the filters live in the URL: a reload (or a bookmark) keeps them
        expect(page.locator("#village option:checked")).to_have_text("斜沟村")

    with staff.step("accept and assign a case"):
        staff.press(page.locator(".queue-table a", has_text=site.to_accept))
        staff.press(page.locator(".actions button.primary", has_text="受理"))  # today's acceptance, one click
        expect(page.locator(".case-head .badge").first).to_have_text("已受理")
        expect(page.locator(".actions .primary")).to_have_text("指派调解员")  # the next step
        staff.press(page.locator(".actions").get_by_role("link", name="指派调解员", exact=True))
        staff.choose(page.locator("#mediator_ids"), "斜沟村调解员(斜沟村)")
        staff.press(page.locator("main form button.primary"))
        expect(page.locator(".case-head .badge").first).to_have_text("调解中")
        expect(page.locator(".facts")).to_contain_text("斜沟村调解员")

    with staff.step("escalate another case"):
        staff.goto("/queue?tab=pending&q=郑秋菊")
        staff.press(page.locator(".queue-table a", has_text=site.to_escalate))
        expect(page.locator(".case-head")).to_contain_text("处理层级:村")
        staff.press(page.locator(".actions").get_by_role("link", name="上报升级", exact=True))
        staff.fill(page.locator("#reason"), "涉及三户、矛盾反复,村调委会难以化解,报乡人民调解委员会调解。")
        staff.press(page.locator("main form button.primary"))
        expect(page.locator(".case-head")).to_contain_text("处理层级:乡")
        expect(page.locator(".timeline")).to_contain_text("上报乡级处理")

    with staff.step("register a petition"):
        staff.press(page.locator(".sidenav a", has_text="信访"))
        staff.goto("/petitions/new")
        staff.choose(page.locator("#channel"), "来访")
        staff.choose(page.locator("#village_id"), "王家庄村")
        staff.choose(page.locator("#category_id"), "村务管理")
        staff.fill(page.locator("#petitioners-0-name"), "王秀英")
        staff.fill(page.locator("#petitioners-0-id_number"), VALID_ID)
        staff.fill(page.locator("#petitioners-0-phone"), "13612345678")
        staff.fill(page.locator("#request"), "反映村里低保评定不公开,要求公示评定结果。")
        staff.press(page.locator("main form button.primary"))
        assert re.search(r"/petitions/\d+$", page.url), page.url
        expect(page.locator(".flash")).to_contain_text("已登记信访")
        petition_path = page.url.removeprefix(site.url)

    with staff.step("accept the petition and start handling it"):
        staff.press(page.locator(".actions").get_by_role("link", name="受理、转送或交办", exact=True))
        staff.choose(page.locator("#decision"), "受理")
        staff.press(page.locator("main form button.primary"))
        expect(page.locator(".case-head .badge").first).to_have_text("已受理")
        staff.press(page.locator(".actions").get_by_role("link", name="开始办理", exact=True))
        staff.press(page.locator("main form button.primary"))
        expect(page.locator(".case-head .badge").first).to_have_text("办理中")

    with staff.step("ask for an extension"):
        staff.press(page.locator(".actions").get_by_role("link", name="申请延期", exact=True))
        staff.fill(page.locator("#days"), "15")
        staff.fill(page.locator("#reason"), "需会同民政办重新核查评定材料。")
        staff.press(page.locator("main form button.primary"))
        expect(page.locator("main")).to_contain_text("延期申请待领导审批:15日")
        expect(page.locator(".actions").get_by_role("link", name="批准延期", exact=True)).to_have_count(0)  # only a leader approves

    leader = crew.actor("leader", "desktop")  # a second browser context: the leader's own session
    with leader.step("the leader approves the extension"):
        leader.login("leader")
        leader.goto(petition_path)
        leader.press(leader.page.locator(".actions").get_by_role("link", name="批准延期", exact=True))
        expect(leader.page.locator("#days")).to_have_value("15")
        leader.press(leader.page.locator("main form button.primary"))
        expect(leader.page.locator("main")).to_contain_text("批准延期15日")

    with staff.step("see the extension granted"):
        staff.goto(petition_path)
        expect(page.locator("main")).to_contain_text("批准延期15日")
        expect(page.locator("main")).not_to_contain_text("延期申请待领导审批")
        expect(page.locator(".actions").get_by_role("link", name="申请延期", exact=True)).to_have_count(0)

    with staff.step("record a nil screening report"):
        staff.press(page.locator(".sidenav a", has_text="排查"))
        staff.goto("/screening/board")
        row = page.locator(".grid-table tbody tr", has=page.locator("th", has_text="斜沟村")).first
        expect(row.locator("td.cell").last).to_have_text("本期待排查")
        expect(page.locator(".flash", has_text="斜沟村本期")).to_have_count(1)
        staff.goto("/screening/new")
        staff.choose(page.locator("#level"), "村级排查")
        staff.choose(page.locator("#village_id"), "斜沟村")
        staff.fill(page.locator("#screeners"), "刘明、斜沟村调解员")
        staff.press(page.locator("main form button.primary"))
        expect(page.locator("main")).to_contain_text("零上报")

    with staff.step("see it on the screening board"):
        staff.goto("/screening/board")
        row = page.locator(".grid-table tbody tr", has=page.locator("th", has_text="斜沟村")).first
        expect(row.locator("td.cell").last).to_have_text("零上报")
        expect(page.locator(".flash", has_text="斜沟村本期")).to_have_count(0)
