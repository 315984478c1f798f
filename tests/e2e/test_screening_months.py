"""The 排查 list on a 360 px phone: one month at a time (this month first), paged by month, filters kept."""

import re
from datetime import date

import pytest

from casetrack import clock

pytestmark = pytest.mark.e2e


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _dates(page) -> list[str]:
    return [cell.strip() for cell in page.locator("main table tbody td:first-child").all_inner_texts()]


def test_a_phone_pages_the_screening_list_by_month_keeping_the_level(crew, site):
    staff = crew.actor("staff", "phone")
    this_month = clock.today().replace(day=1)
    last_month, before = _shift(this_month, -1), _shift(this_month, -2)
    with staff.step("log in and open 排查"):
        staff.login("staff")
        staff.press(staff.page.locator(".bottombar a", has_text="排查"))
        page = staff.page
        assert page.locator("#month").input_value() == f"{this_month:%Y-%m}"
        assert all(d.startswith(f"{this_month:%Y-%m}") for d in _dates(page)), _dates(page)
        assert page.locator(".pager a[rel=next]").count() == 0  # nothing after this month
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, f"one month of rounds should not be a {height} px page"

    with staff.step("previous month"):
        staff.press(page.locator(".pager a[rel=prev]"))
        assert f"month={last_month:%Y-%m}" in page.url
        shown = _dates(page)
        assert shown and all(d.startswith(f"{last_month:%Y-%m}") for d in shown), shown
        assert {"村级排查", "乡级排查"} <= set(page.locator("main table tbody td:nth-child(2)").all_inner_texts())

    with staff.step("only the township's rounds"):
        staff.choose(page.locator("#level"), "乡级排查")
        staff.press(page.locator("form.filters button[type=submit]"))
        assert "level=township" in page.url and f"month={last_month:%Y-%m}" in page.url
        assert set(page.locator("main table tbody td:nth-child(2)").all_inner_texts()) == {"乡级排查"}
        assert len(_dates(page)) <= 3  # a half-monthly round: two, or three with an intensified period

    with staff.step("back one more month, still the township's"):
        staff.press(page.locator(".pager a[rel=prev]"))
        assert re.search(rf"month={before:%Y-%m}", page.url) and "level=township" in page.url
        assert set(page.locator("main table tbody td:nth-child(2)").all_inner_texts()) <= {"乡级排查"}
        assert all(d.startswith(f"{before:%Y-%m}") for d in _dates(page))

    with staff.step("forward again with the next link"):
        staff.press(page.locator(".pager a[rel=next]"))
        assert f"month={last_month:%Y-%m}" in page.url and "level=township" in page.url
        staff.picture("screening-month-phone", full_page=True)
