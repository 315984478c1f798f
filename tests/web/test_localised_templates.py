"""Templates compiled once per language, their fixed texts translated as they compile (web/localised_templates.py):
each reader reads their own language however readers of the two follow each other in one process, texts with
variables are still filled in at render, and a template made from a string is translated at render as before."""

from datetime import date

from flask import render_template_string, session
from lxml import html as lxml_html

from casetrack.web import localised_templates as lt
from tests.queue import browse_as, dispute
from tests.web.test_i18n import _choose, english, locale_per_request  # noqa: F401  (fixtures)


def _read(client) -> tuple[str, str, str]:
    """The queue's heading, its total beside it and the sign-out button, as the reader sees them."""
    tree = lxml_html.fromstring(client.get("/queue").get_data(as_text=True))
    heading = tree.xpath("//h1")[0]
    total = heading.xpath("string(small)").strip()
    title = (heading.text or "").strip()
    sign_out = tree.xpath("string(//form[contains(@action, 'logout')]/button)").strip()
    return title, total, sign_out


def test_readers_of_two_languages_one_after_the_other_each_read_their_own(app, world, english):  # noqa: F811
    dispute(world.staff, world.village, date(2026, 9, 1))
    dispute(world.staff, world.village, date(2026, 9, 2))
    chinese, english_reader = browse_as(app, "staff"), browse_as(app, "leader")
    _choose(english_reader, "en", back="/queue")

    assert _read(chinese) == ("案件队列", "共 2 件", "退出")
    assert _read(english_reader) == ("Case queue", "2 in all", "Sign out")
    assert _read(chinese) == ("案件队列", "共 2 件", "退出")  # the English compilation did not take the Chinese one's place
    _choose(chinese, "en", back="/queue")
    assert _read(chinese) == ("Case queue", "2 in all", "Sign out")
    _choose(english_reader, "zh_Hans_CN", back="/queue")
    assert _read(english_reader) == ("案件队列", "共 2 件", "退出")


def test_a_template_made_from_a_string_is_translated_at_render(app, english):  # noqa: F811
    with app.test_request_context("/"):
        session["locale"] = "en"  # as the language form leaves it
        assert render_template_string("{{ _('退出') }}|{{ _('共 %(n)s 件', n=3) }}") == "Sign out|3 in all"


def test_a_text_is_written_as_the_render_would_give_it():
    assert lt._translated(lambda text: "100%%", "x") == "100%"  # "%%" is "%", as Jinja's newstyle gettext gives it
    assert lt._translated(lambda text: "无", "x") == "无"
    assert lt._translated(lambda text: "50% 以上", "x") is None  # a lone "%" is left to the render


def test_names_carry_their_language_once():
    assert lt.localised("queue/index.html", "en") == "en::queue/index.html"
    assert lt.localised("en::queue/index.html", "zh_Hans_CN") == "en::queue/index.html"
    assert lt.localised("queue/index.html", None) == "queue/index.html"
    assert lt.split("en::queue/index.html") == ("en", "queue/index.html")
    assert lt.split("queue/index.html") == (None, "queue/index.html")
