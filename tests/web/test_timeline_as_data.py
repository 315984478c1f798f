"""The timeline is data (issue 16): every kind's sentence renders from stored parameters in Chinese and in English,
a case page in English shows its timeline without Chinese prose, and the ledger keeps its two fields in columns."""

import re
from datetime import date

import pytest
from flask_babel import force_locale

from casetrack.domain import timeline as tl
from casetrack.extensions import db
from casetrack.i18n import reader_words
from casetrack.models import CaseEvent
from casetrack.services import disputes
from casetrack.services.timeline import chinese_changes, chinese_sentence, shown_changes, shown_sentence
from tests.conftest import login
from tests.factories import make_dispute, timeline
from tests.web.test_i18n import _choose, _text, english, locale_per_request  # noqa: F401  (fixtures)

CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\uff0c\uff1a\uff1b]")


def _sample(name: str):
    """A parameter's value as a service stores it: an enum's value, a date, a number or an ASCII name."""
    if name in tl.PARAM_ENUMS:
        return next(iter(tl.PARAM_ENUMS[name])).value
    if name in ("on", "until", "due_on", "late_due", "window_due", "assigned_due_on", "delivered_on"):
        return "2026-03-01"
    if name in ("count", "days", "persons", "late_days", "row"):
        return 3
    return {"reason_key": "calendar", "result": "ended", "screening": "village", "window": "受理期限",
            "ground": "special_body", "names": ["Zhang San", "Li Si"], "mediators": ["Liu Ming"],
            "channels_told": ["引导诉讼"], "attachment_kind": "evidence", "legal_aid": True,
            "repeat": True}.get(name, f"X-{name}")


def _every_kind():
    for is_petition, catalogue in ((False, tl.DISPUTE_SENTENCES), (True, tl.PETITION_SENTENCES)):
        for kind, sentence in catalogue.items():
            texts = [sentence.text, *(t for _n, t in sentence.clauses), *(t for _n, t in sentence.variants)]
            names = {n for text in texts for n in tl._placeholders(text)}
            names |= {n for n, _t in (*sentence.clauses, *sentence.variants)}
            yield pytest.param(is_petition, kind, {n: _sample(n) for n in names},
                               id=f"{'petition' if is_petition else 'dispute'}-{kind}")


@pytest.mark.parametrize(("is_petition", "kind", "params"), list(_every_kind()))
def test_every_kind_renders_from_its_stored_data_in_chinese_and_in_english(app, is_petition, kind, params):
    chinese = tl.render_sentence(kind, params, is_petition)
    assert chinese and "%(" not in chinese and CJK.search(chinese), chinese
    with force_locale("en"):
        english_text = tl.render_sentence(kind, params, is_petition, reader_words)
    assert english_text and "%(" not in english_text
    assert not CJK.search(english_text), english_text  # the samples hold no Chinese data


def test_changed_fields_keep_raw_values_and_show_labels_in_either_language(app):
    changes = {"status": ["accepted", "mediating"], "police_reported": [False, True],
               tl.party_key("respondent", "Wang Wu", "gender"): [None, "female"]}
    assert tl.render_changes(changes, False) == [
        tl.ShownChange("状态", "已受理", "调解中"), tl.ShownChange("已报告公安机关", "否", "是"),
        tl.ShownChange("被申请人 Wang Wu · 性别", None, "女")]
    with force_locale("en"):
        shown = tl.render_changes(changes, False, reader_words)
    assert not any(CJK.search(f"{c.label}{c.old}{c.new}") for c in shown), shown


def test_a_legacy_entry_is_shown_as_stored(app, world):
    case = make_dispute(world.staff, world.village)
    db.session.add(CaseEvent(dispute_id=case.id, action="supervise", params=None,
                             summary="陈志国督办:尽快化解", changes={"旧标签": ["甲", "乙"]}))
    db.session.commit()
    legacy = timeline(case.id)[-1]
    assert legacy.legacy and chinese_sentence(legacy) == "陈志国督办:尽快化解"
    assert chinese_changes(legacy) == {"旧标签": ["甲", "乙"]}


def test_a_case_page_in_english_shows_its_timeline_without_chinese_prose(client, world, english):  # noqa: F811
    case = make_dispute(world.staff, world.village, applicant="Zhang San", respondent="Li Si", type_name="邻里")
    disputes.accept(case, world.staff, date.today(), date.today())
    disputes.assign_mediators(case, world.staff, [world.mediator.id])
    disputes.escalate(case, world.staff, "too many people")
    db.session.commit()
    entries = timeline(case.id)
    assert [e.action for e in entries][:4] == ["register", "accept", "start_mediation", "escalate"]
    assert entries[1].params == {"on": date.today().isoformat()}
    assert entries[1].changes == {"status": ["registered", "accepted"]}  # raw values, not labels

    login(client, "staff")
    _choose(client, "en", back=f"/cases/{case.id}")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    items = re.findall(r'<li data-kind="[a-z_]+">(.*?)</li>\s*(?=<li data-kind|</ol>)', html, re.S)
    assert len(items) == len(entries)
    data = {case.number, case.dispute_type.name, world.staff.display_name, world.mediator.display_name}
    for item in items:
        text = re.sub(r"<[^>]+>", " ", item)
        for word in data:  # names and numbers are data, shown as stored in either language
            text = text.replace(word, "")
        assert not CJK.search(text), text
    with force_locale("en"):
        assert shown_sentence(entries[1], reader_words) == f"Accepted ({date.today().isoformat()})"
        assert [(c.label, c.old, c.new) for c in shown_changes(entries[1], reader_words)] == [
            ("Status", "Registered", "Accepted")]
