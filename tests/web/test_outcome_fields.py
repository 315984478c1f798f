"""One rule for an outcome's fields: the domain, the conclusion form, the ledger and app.js refuse and show alike."""

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.forms.cases import ConcludeForm
from casetrack.ledger import validation
from casetrack.ledger.format import DISPUTE, VALUES
from tests.conftest import login
from tests.factories import make_dispute

DOMAIN_VALUES = {
    "agreement_form": wf.AgreementForm.WRITTEN, "agreement_facts": "院墙占道", "agreement_terms": "拆除院墙",
    "performance_manner": "自行拆除", "performance_deadline": date(2025, 5, 1), "agreement_copies": 2,
    "agreement_amount": 50_000, "performance": wf.Performance.PERFORMED, "channels_told": ["仲裁"],
    "legal_aid_referred": True, "end_reason": wf.EndReason.REFUSED,
}
FORM_VALUES = {
    "agreement_form": "written", "agreement_facts": "院墙占道", "agreement_terms": "拆除院墙",
    "performance_manner": "自行拆除", "performance_deadline": "LATER", "agreement_copies": "2",
    "agreement_amount": "500", "channels_told": "仲裁", "legal_aid_referred": "y", "end_reason": "refused",
}
LEDGER_VALUES = {"agreement_form": "written", "performance": "performed", "agreement_amount": 50_000,
                 "channels_told": ("仲裁",)}
SITUATIONS = [(outcome, key, present) for outcome in wf.Outcome for key in wf.OUTCOME_DETAILS
              for present in (True, False)]


def _fields(outcome: wf.Outcome, key: str, present: bool) -> list[str]:
    """The outcome's required fields, with key added (present) or taken away."""
    required = set(wf.OUTCOME_FIELDS[outcome].required)
    return sorted(required | {key} if present else required - {key})


def _domain_refuses(outcome, given) -> bool:
    try:
        wf.check_outcome_details(outcome, **{key: DOMAIN_VALUES[key] for key in given})
    except DomainError:
        return True
    return False


def _form_refuses(app, outcome, given) -> set[str]:
    data = MultiDict({"outcome": outcome.value, "closed_on": clock.today().isoformat(), "agreement_form": "",
                      "end_reason": ""})
    for key in given:
        if key in FORM_VALUES:
            later = (clock.today() + timedelta(days=30)).isoformat()  # judged when the test runs
            data[key] = later if FORM_VALUES[key] == "LATER" else FORM_VALUES[key]
    with app.test_request_context():
        form = ConcludeForm(formdata=data, meta={"csrf": False})
        form.validate()
        return {key for key in wf.OUTCOME_DETAILS if key in form and form[key].errors}


def _ledger_refuses(outcome, given) -> set[str]:
    row = VALUES[DISPUTE](**dict.fromkeys(VALUES[DISPUTE]._fields))
    row = row._replace(outcome=outcome.value if outcome else None,
                       **{key: LEDGER_VALUES[key] for key in given if key in LEDGER_VALUES})
    return {key for key, _reason in validation.outcome_rules(row)}


@pytest.mark.parametrize(("outcome", "key", "present"), SITUATIONS)
def test_the_form_the_ledger_and_the_domain_refuse_the_same_outcome_fields(app, outcome, key, present):
    given = _fields(outcome, key, present)
    fields = wf.OUTCOME_FIELDS[outcome]
    wrong = (key not in fields.allowed) if present else (key in fields.required)
    assert _domain_refuses(outcome, given) is wrong
    if key in FORM_VALUES:
        assert _form_refuses(app, outcome, given) == ({key} if wrong else set())
    if key in validation.OUTCOME_COLUMNS:
        ledger_wrong = wrong and (present or key not in validation.NOT_REQUIRED_IN_LEDGER)
        assert _ledger_refuses(outcome, given) == ({key} if ledger_wrong else set())


def test_every_field_of_the_conclusion_form_that_depends_on_the_outcome_is_in_the_domains_table(app):
    with app.test_request_context():
        form = ConcludeForm(meta={"csrf": False})
    others = {"csrf_token", "version", "outcome", "closed_on", "notes"}
    assert {f.name for f in form} - others == set(wf.OUTCOME_DETAILS) - {"performance"}


def test_a_ledger_row_without_an_outcome_may_hold_none_of_the_outcome_columns():
    for key in validation.OUTCOME_COLUMNS:
        assert _ledger_refuses(None, [key]) == {key}


def test_the_conclusion_page_hands_app_js_the_domains_table(client, world):
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    page = client.get(f"/cases/{case.id}/conclude").get_data(as_text=True)
    attribute = re.search(r'data-outcome-fields="([^"]*)"', page)
    shown = json.loads(html.unescape(attribute.group(1)))
    assert shown == {outcome.value: list(fields.allowed) for outcome, fields in wf.OUTCOME_FIELDS.items()}
    script = (Path(__file__).parents[2] / "casetrack/static/app.js").read_text(encoding="utf-8")
    assert "data-outcome-fields" in script
    assert not any(f'"{key}"' in script for key in wf.OUTCOME_DETAILS)  # no list of its own beside the table


def test_a_conclusion_keeps_only_the_chosen_outcomes_fields_when_the_page_sends_the_others(client, world):
    """Without the script every field is sent; the 3 copies a failed mediation's form still holds are not kept."""
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/conclude", data={
        "version": str(case.version), "outcome": "failed", "closed_on": clock.today().isoformat(),
        "agreement_form": "", "end_reason": "", "agreement_copies": "3", "channels_told": ["仲裁"]})
    assert response.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "仲裁" in page and "协议份数" not in page


def test_a_conclusion_is_taken_when_the_page_sends_only_the_chosen_outcomes_fields(client, world):
    """With the script the other outcomes' fields are disabled, so the browser does not send them at all."""
    case = make_dispute(world.staff, world.village, state="mediating")
    login(client, "staff")
    response = client.post(f"/cases/{case.id}/conclude", data={
        "version": str(case.version), "outcome": "succeeded", "closed_on": clock.today().isoformat(),
        "agreement_form": "oral", "agreement_terms": "双方按单双日轮流使用水井", "agreement_copies": "3"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "调解成功" in page and "双方按单双日轮流使用水井" in page
