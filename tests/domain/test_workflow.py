"""The dispute state machine: every (state × action) pair, allowed or refused, with its Chinese reason."""

import re
from itertools import product

import pytest

from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError, InvalidTransition

S, A, OUT, L = wf.DisputeState, wf.DisputeAction, wf.Outcome, wf.Level
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Where a case can stand: its state and, once mediation has concluded, the outcome it ended with.
SITUATIONS = [
    (S.REGISTERED, None),
    (S.ACCEPTED, None),
    (S.NOT_ACCEPTED, None),
    (S.MEDIATING, None),
    (S.CONCLUDED, OUT.SUCCEEDED),
    (S.CONCLUDED, OUT.FAILED),
    (S.CONCLUDED, OUT.ENDED),
    (S.VISITED, OUT.SUCCEEDED),
    (S.ARCHIVED, OUT.SUCCEEDED),
    (S.ARCHIVED, OUT.FAILED),
    (S.ARCHIVED, OUT.ENDED),
    (S.ARCHIVED, None),  # archived after 不予受理
]

# Written out from domain.md ("Workflow"), not read from the code: what each situation allows.
EXPECTED = {
    (S.REGISTERED, None): {A.ACCEPT: S.ACCEPTED, A.NOT_ACCEPT: S.NOT_ACCEPTED},
    (S.ACCEPTED, None): {A.START_MEDIATION: S.MEDIATING},
    (S.NOT_ACCEPTED, None): {A.ARCHIVE: S.ARCHIVED},
    (S.MEDIATING, None): {A.CONCLUDE: S.CONCLUDED},
    (S.CONCLUDED, OUT.SUCCEEDED): {A.FOLLOW_UP: S.VISITED},  # an agreement is visited before filing
    (S.CONCLUDED, OUT.FAILED): {A.ARCHIVE: S.ARCHIVED},
    (S.CONCLUDED, OUT.ENDED): {A.ARCHIVE: S.ARCHIVED},
    (S.VISITED, OUT.SUCCEEDED): {A.FOLLOW_UP: S.VISITED, A.ARCHIVE: S.ARCHIVED},
    (S.ARCHIVED, OUT.SUCCEEDED): {},
    (S.ARCHIVED, OUT.FAILED): {},
    (S.ARCHIVED, OUT.ENDED): {},
    (S.ARCHIVED, None): {},
}


def _id(state, outcome, action=None):
    parts = [state.value] + ([outcome.value] if outcome else []) + ([action.value] if action else [])
    return "-".join(parts)


ALL = [(state, outcome, action) for state, outcome in SITUATIONS for action in A]
ALLOWED = [(s, o, a) for s, o, a in ALL if a in EXPECTED[(s, o)]]
REFUSED = [(s, o, a) for s, o, a in ALL if a not in EXPECTED[(s, o)]]


def test_the_matrix_covers_every_state_and_action_pair():
    assert {(s, a) for s, _o, a in ALL} == set(product(S, A))
    assert len(ALLOWED) + len(REFUSED) == len(SITUATIONS) * len(A)


def test_transition_table_holds_exactly_the_expected_moves():
    expected_pairs = {(s, a): target for (s, _o), moves in EXPECTED.items() for a, target in moves.items()}
    assert wf.TRANSITIONS == expected_pairs


@pytest.mark.parametrize(("state", "outcome", "action"), ALLOWED, ids=[_id(*c) for c in ALLOWED])
def test_allowed_transition_moves_to_expected_state(state, outcome, action):
    assert wf.next_state(state, action, outcome) is EXPECTED[(state, outcome)][action]


@pytest.mark.parametrize(("state", "outcome", "action"), REFUSED, ids=[_id(*c) for c in REFUSED])
def test_refused_transition_raises_invalid_transition_in_chinese(state, outcome, action):
    with pytest.raises(InvalidTransition) as refused:
        wf.next_state(state, action, outcome)
    message = str(refused.value)
    assert CHINESE.search(message)
    if (state, action) not in wf.TRANSITIONS:  # the plain refusal names where the case stands and what was tried
        assert message == f"当前状态为“{state.label}”,不能“{action.label}”。"


@pytest.mark.parametrize(("state", "outcome"), SITUATIONS, ids=[_id(s, o) for s, o in SITUATIONS])
def test_allowed_actions_lists_exactly_the_allowed_moves_in_usual_order(state, outcome):
    expected = [a for a in A if a in EXPECTED[(state, outcome)]]
    assert wf.allowed_actions(state, outcome) == expected


@pytest.mark.parametrize("outcome", [None, OUT.FAILED, OUT.ENDED], ids=["no-outcome", "failed", "ended"])
def test_follow_up_is_refused_unless_mediation_succeeded(outcome):
    with pytest.raises(InvalidTransition, match="只有调解成功、达成协议的案件才需要回访"):
        wf.next_state(S.CONCLUDED, A.FOLLOW_UP, outcome)


def test_follow_up_after_success_moves_to_visited_and_may_be_repeated():
    assert wf.next_state(S.CONCLUDED, A.FOLLOW_UP, OUT.SUCCEEDED) is S.VISITED
    assert wf.next_state(S.VISITED, A.FOLLOW_UP, OUT.SUCCEEDED) is S.VISITED


def test_successful_case_is_not_archived_before_its_return_visit():
    with pytest.raises(InvalidTransition, match="调解成功的案件应先回访协议履行情况,再归档"):
        wf.next_state(S.CONCLUDED, A.ARCHIVE, OUT.SUCCEEDED)


@pytest.mark.parametrize("outcome", [OUT.FAILED, OUT.ENDED])
def test_failed_or_ended_case_is_archived_without_a_visit(outcome):
    assert wf.next_state(S.CONCLUDED, A.ARCHIVE, outcome) is S.ARCHIVED


def test_not_accepted_case_is_archived_directly():
    assert wf.next_state(S.NOT_ACCEPTED, A.ARCHIVE) is S.ARCHIVED


@pytest.mark.parametrize("action", list(A), ids=[a.value for a in A])
def test_archived_case_allows_nothing(action):
    with pytest.raises(InvalidTransition, match="已归档"):
        wf.next_state(S.ARCHIVED, action, OUT.SUCCEEDED)


# --- escalation: 村 → 乡 → 县, only while mediation is open --------------------------------------

OPEN = [S.REGISTERED, S.ACCEPTED, S.MEDIATING]
CLOSED = [S.NOT_ACCEPTED, S.CONCLUDED, S.VISITED, S.ARCHIVED]


def test_levels_go_village_township_county():
    assert L.VILLAGE.next_up() is L.TOWNSHIP
    assert L.TOWNSHIP.next_up() is L.COUNTY
    assert L.COUNTY.next_up() is None


@pytest.mark.parametrize("state", OPEN, ids=[s.value for s in OPEN])
@pytest.mark.parametrize(("level", "target"), [(L.VILLAGE, L.TOWNSHIP), (L.TOWNSHIP, L.COUNTY)],
                         ids=["village-to-township", "township-to-county"])
def test_open_case_escalates_one_level_up(state, level, target):
    assert wf.can_escalate(state, level)
    assert wf.escalation_target(state, level) is target


@pytest.mark.parametrize("state", OPEN, ids=[s.value for s in OPEN])
def test_escalation_is_refused_at_county_level(state):
    assert not wf.can_escalate(state, L.COUNTY)
    with pytest.raises(InvalidTransition, match="案件已在县级处理,不能再上报升级"):
        wf.escalation_target(state, L.COUNTY)


@pytest.mark.parametrize("state", CLOSED, ids=[s.value for s in CLOSED])
@pytest.mark.parametrize("level", list(L), ids=[lv.value for lv in L])
def test_escalation_is_refused_once_mediation_has_ended(state, level):
    assert not wf.can_escalate(state, level)
    with pytest.raises(InvalidTransition) as refused:
        wf.escalation_target(state, level)
    assert str(refused.value) == f"当前状态为“{state.label}”,调解已结束,不能上报升级。"


def test_every_state_is_either_open_or_closed_for_escalation():
    assert set(OPEN) | set(CLOSED) == set(S)
    assert wf.OPEN_STATES == frozenset(OPEN)


# --- what each outcome must carry (法 Art. 26, 29; 若干规定 Art. 34-35) ---------------------------

@pytest.mark.parametrize(("details", "message"), [
    ({"agreement_terms": "赔偿500元"}, "调解成功须注明协议形式"),
    ({"agreement_form": wf.AgreementForm.WRITTEN}, "调解成功须记录协议内容"),
    ({"agreement_form": wf.AgreementForm.ORAL, "agreement_terms": "   "}, "调解成功须记录协议内容"),
], ids=["no-form", "no-terms", "blank-terms"])
def test_success_without_its_agreement_is_refused(details, message):
    with pytest.raises(DomainError, match=message):
        wf.check_outcome_details(OUT.SUCCEEDED, **details)


@pytest.mark.parametrize("outcome", [OUT.FAILED, OUT.ENDED])
def test_agreement_form_on_an_outcome_without_agreement_is_refused(outcome):
    with pytest.raises(DomainError, match=f"“{outcome.label}”的案件没有调解协议"):
        wf.check_outcome_details(outcome, agreement_form=wf.AgreementForm.WRITTEN, channels_told=["诉讼"],
                                 end_reason=wf.EndReason.REFUSED)


def test_failed_mediation_must_record_the_channels_the_parties_were_told():
    with pytest.raises(DomainError, match="调解不成的,应告知当事人"):
        wf.check_outcome_details(OUT.FAILED, channels_told=[])


def test_ended_mediation_must_say_why():
    with pytest.raises(DomainError, match="终止调解须注明原因"):
        wf.check_outcome_details(OUT.ENDED)


@pytest.mark.parametrize(("outcome", "details"), [
    (OUT.SUCCEEDED, {"agreement_form": wf.AgreementForm.ORAL, "agreement_terms": "赔偿500元"}),
    (OUT.FAILED, {"channels_told": ["诉讼", "仲裁"]}),
    (OUT.ENDED, {"end_reason": wf.EndReason.WITHDRAWN}),
], ids=["succeeded", "failed", "ended"])
def test_complete_outcome_details_pass(outcome, details):
    assert wf.check_outcome_details(outcome, **details) is None


@pytest.mark.parametrize(("creates_obligations", "party_asked", "written"), [
    (True, False, True), (False, True, True), (True, True, True), (False, False, False),
])
def test_agreement_must_be_written_when_it_creates_obligations_or_a_party_asks(creates_obligations, party_asked, written):
    assert wf.requires_written_agreement(creates_obligations, party_asked) is written


def test_enum_labels_round_trip_for_form_choices():
    assert wf.DisputeState.choices()[0] == ("registered", "已登记")
    assert wf.DisputeState.from_label("调解中") is S.MEDIATING
    with pytest.raises(ValueError):
        wf.DisputeState.from_label("不存在")
