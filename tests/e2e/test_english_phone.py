"""English on a 360 px phone, in Chromium: the header's English button, then the pages a mediator and the
township's staff use, with no untranslated interface string (the same check as tests/web/test_english_pages.py,
run on what the browser rendered)."""

import pytest

from tests.web.test_english_pages import _data_values, untranslated

pytestmark = pytest.mark.e2e


def test_english_pages_on_a_phone_hold_no_untranslated_string(crew, site):
    with site.app.app_context():
        data = _data_values()
    found = {}
    for username, paths in [
        ("staff", ["/", "/inbox", "/queue", "/queue?tab=overdue", "/petitions", "/screening", "/screening/board",
                   "/warnings", f"/reports/{site.year}", "/cases/new", "/no-such-page"]),
        ("leader", ["/", f"/reports/{site.year}", f"/reports/{site.year}/q1", "/cases/supervised"]),
    ]:
        person = crew.actor(username, "phone")
        with person.step("log in and choose English"):
            person.login(username)
            person.press(person.page.locator("header button", has_text="English"))
            assert person.page.locator("html").get_attribute("lang") == "en"
        with person.step("open a case"):
            person.press(person.page.locator(".bottombar a", has_text="Cases"))
            person.press(person.page.locator(".queue-table tbody a").first)
            words, _links = untranslated(person.page.content(), data)
            if words:
                found[f"{username} {person.page.url}"] = words
        for path in paths:
            with person.step(f"open {path}"):
                response = person.page.goto(path)
                assert response is not None and (response.ok or path == "/no-such-page"), path
                person.audit()
                words, _links = untranslated(person.page.content(), data)
                if words:
                    found[f"{username} {path}"] = words
        with person.step("choose 中文 again"):  # the choice is kept on the account; the other tests read Chinese
            person.page.goto("/")
            person.press(person.page.locator("header button", has_text="中文"))
            assert person.page.locator("html").get_attribute("lang") != "en"
    assert not found, "untranslated interface strings:\n" + "\n".join(f"{k}: {v}" for k, v in found.items())
