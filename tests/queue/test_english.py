"""The queue in the English interface: the rows' states and time limits come out in English, as on other pages."""

from datetime import date

from tests.web.test_i18n import _choose, english, locale_per_request  # noqa: F401, F811  (fixtures)

from . import browse_as, days, dispute


def test_the_english_queue_shows_states_and_limits_in_english(app, world, english):  # noqa: F811
    mediating = dispute(world.staff, world.village, date(2026, 9, 1), state="mediating", due=days(10))
    client = browse_as(app, "staff")
    _choose(client, "en", back="/queue")
    html = client.get("/queue").get_data(as_text=True)
    assert mediating.number in html
    assert "调解中" not in html.split("<tbody>")[1]  # the rows' states and limits are in English
    assert "调解期限" not in html
    row = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "Mediating" in row and "10 days left" in row, row
