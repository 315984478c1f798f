"""The township's desk pages also fit a 360 px phone: a leader or clerk away from the office still gets them whole."""

import pytest

pytestmark = pytest.mark.e2e


def test_staff_and_leader_pages_fit_a_phone(crew, site):
    for username, paths in [
        ("staff", ["/", "/queue", "/queue?tab=overdue", "/petitions", "/petitions/new", "/screening",
                   "/screening/new", "/screening/board", "/ledger/", "/help/phone"]),
        ("leader", ["/", f"/reports/{site.year}", f"/reports/{site.year}/q1", "/cases/supervised", "/petitions"]),
    ]:
        person = crew.actor(username, "phone")
        with person.step("log in"):
            person.login(username)
        for path in paths:
            with person.step(f"open {path}"):
                person.goto(path)
        with person.step("open a case"):
            person.press(person.page.locator(".bottombar a", has_text="案件"))
            person.press(person.page.locator(".queue-table tbody a").first)
