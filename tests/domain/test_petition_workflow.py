"""Tests for the petition (信访) workflow: every state × action pair, and the helper rules."""

import itertools
import re

import pytest

from casetrack.domain import petition_workflow as pw
from casetrack.domain.errors import DomainError, InvalidTransition
from casetrack.domain.petition_workflow import (
    Channel,
    Level,
    Opinion,
    PetitionAction,
    PetitionState,
    Satisfaction,
)

S, A = PetitionState, PetitionAction

# Written out by hand, independently of the module's table.
EXPECTED = {
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.REGISTERED, A.FORWARD): S.FORWARDED,
    (S.REGISTERED, A.ASSIGN): S.ASSIGNED,
    (S.REGISTERED, A.CONVERT_TO_MEDIATION): S.REGISTERED,
    (S.REGISTERED, A.ROUTE): S.CLOSED,
    (S.REGISTERED, A.OBJECT): S.REGISTERED,
    (S.ACCEPTED, A.START): S.IN_PROGRESS,
    (S.ACCEPTED, A.ANSWER): S.ANSWERED,
    (S.ACCEPTED, A.EXTEND): S.ACCEPTED,
    (S.ACCEPTED, A.CONVERT_TO_MEDIATION): S.ACCEPTED,
    (S.ASSIGNED, A.START): S.IN_PROGRESS,
    (S.ASSIGNED, A.EXTEND): S.ASSIGNED,
    (S.ASSIGNED, A.CONVERT_TO_MEDIATION): S.ASSIGNED,
    (S.IN_PROGRESS, A.ANSWER): S.ANSWERED,
    (S.IN_PROGRESS, A.EXTEND): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.CONVERT_TO_MEDIATION): S.IN_PROGRESS,
    (S.ANSWERED, A.DELIVER): S.DELIVERED,
    (S.DELIVERED, A.RATE): S.RATED,
    (S.DELIVERED, A.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.DELIVERED, A.CLOSE): S.CLOSED,
    (S.RATED, A.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.RATED, A.CLOSE): S.CLOSED,
    (S.UNDER_REVIEW, A.ANSWER_REVIEW): S.REVIEWED,
    (S.REVIEWED, A.RATE): S.REVIEWED,
    (S.REVIEWED, A.REQUEST_SECOND_REVIEW): S.UNDER_SECOND_REVIEW,
    (S.REVIEWED, A.CLOSE): S.CLOSED,
    (S.UNDER_SECOND_REVIEW, A.ANSWER_SECOND_REVIEW): S.CLOSED,
}

ALL_PAIRS = list(itertools.product(PetitionState, PetitionAction))
ALLOWED = [pair for pair in ALL_PAIRS if pair in EXPECTED]
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _id(pair):
    return f"{pair[0].value}-{pair[1].value}"


def test_every_pair_is_covered():
    assert len(ALL_PAIRS) == len(PetitionState) * len(PetitionAction) == 13 * 17
    assert len(ALLOWED) + len(REFUSED) == len(ALL_PAIRS)


def test_module_table_equals_expected_table():
    assert pw.TRANSITIONS == EXPECTED


@pytest.mark.parametrize("pair", ALLOWED, ids=[_id(p) for p in ALLOWED])
def test_allowed_transition_reaches_expected_state(pair):
    state, action = pair
    assert pw.next_state(state, action) is EXPECTED[pair]


@pytest.mark.parametrize("pair", ALLOWED, ids=[_id(p) for p in ALLOWED])
def test_allowed_transition_accepts_plain_string_values(pair):
    state, action = pair
    assert pw.next_state(state.value, action.value) is EXPECTED[pair]


@pytest.mark.parametrize("pair", REFUSED, ids=[_id(p) for p in REFUSED])
def test_refused_transition_raises_in_chinese_naming_the_state(pair):
    state, action = pair
    with pytest.raises(InvalidTransition) as caught:
        pw.next_state(state, action)
    message = str(caught.value)
    assert message.startswith(f"当前状态为“{state.label}”,")
    assert message.endswith("。")
    assert CJK.search(message)
    assert isinstance(caught.value, DomainError)


def test_generic_refusal_message_names_state_and_action():
    with pytest.raises(InvalidTransition, match="^当前状态为“已登记”,不能“送达”。$"):
        pw.next_state(S.REGISTERED, A.DELIVER)


@pytest.mark.parametrize(
    ("state", "action", "reason"),
    [
        (S.REGISTERED, A.ANSWER, "尚未受理,不能出具处理意见"),
        (S.ASSIGNED, A.ANSWER, "交办事项尚未开始办理,不能出具处理意见"),
        (S.REVIEWED, A.REQUEST_REVIEW, "复查已答复,不服的可申请复核"),
        (S.ANSWERED, A.EXTEND, "已出具处理意见,不能延期"),
        (S.DELIVERED, A.EXTEND, "已出具处理意见,不能延期"),
        (S.RATED, A.EXTEND, "已出具处理意见,不能延期"),
        (S.UNDER_REVIEW, A.EXTEND, "已出具处理意见,不能延期"),
        (S.REVIEWED, A.EXTEND, "已出具处理意见,不能延期"),
        (S.UNDER_SECOND_REVIEW, A.EXTEND, "已出具处理意见,不能延期"),
    ],
)
def test_specific_refusal_reasons(state, action, reason):
    with pytest.raises(InvalidTransition) as caught:
        pw.next_state(state, action)
    assert str(caught.value) == f"当前状态为“{state.label}”,{reason}。"


def test_unknown_values_are_rejected():
    with pytest.raises(ValueError):
        pw.next_state("nonsense", A.ACCEPT)
    with pytest.raises(ValueError):
        pw.next_state(S.REGISTERED, "nonsense")


@pytest.mark.parametrize("state", list(PetitionState), ids=lambda s: s.value)
def test_allowed_actions_match_table(state):
    expected = [action for action in PetitionAction if (state, action) in EXPECTED]
    assert pw.allowed_actions(state) == expected
    assert pw.allowed_actions(state.value) == expected
    for action in PetitionAction:
        if action in expected:
            pw.next_state(state, action)
        else:
            with pytest.raises(InvalidTransition):
                pw.next_state(state, action)


@pytest.mark.parametrize("state", list(PetitionState), ids=lambda s: s.value)
def test_open_final_and_allowed_actions_agree(state):
    assert pw.is_final(state) == (pw.allowed_actions(state) == [])
    assert pw.is_open(state) != pw.is_final(state)


def test_open_states():
    assert {s for s in PetitionState if not pw.is_open(s)} == {S.NOT_ACCEPTED, S.FORWARDED, S.CLOSED}
    assert pw.is_open("delivered") and not pw.is_open("forwarded")


@pytest.mark.parametrize("action", [A.EXTEND, A.CONVERT_TO_MEDIATION, A.OBJECT])
def test_side_actions_never_change_state(action):
    for (state, act), target in pw.TRANSITIONS.items():
        if act is action:
            assert target is state
    assert action in pw.NO_STATE_CHANGE


def test_extend_only_before_the_opinion():
    assert {s for s in PetitionState if A.EXTEND in pw.allowed_actions(s)} == {
        S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}


def test_conversion_to_mediation_states():
    assert {s for s in PetitionState if A.CONVERT_TO_MEDIATION in pw.allowed_actions(s)} == {
        S.REGISTERED, S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS}


def _walk(*actions, state=S.REGISTERED):
    for action in actions:
        state = pw.next_state(state, action)
    return state


def test_full_path_through_second_review_ends_closed():
    path = (A.ACCEPT, A.START, A.EXTEND, A.ANSWER, A.DELIVER, A.RATE, A.REQUEST_REVIEW,
            A.ANSWER_REVIEW, A.RATE, A.REQUEST_SECOND_REVIEW, A.ANSWER_SECOND_REVIEW)
    assert _walk(*path) is S.CLOSED
    assert pw.allowed_actions(S.CLOSED) == []


def test_short_paths():
    assert _walk(A.ACCEPT, A.ANSWER, A.DELIVER, A.CLOSE) is S.CLOSED
    assert _walk(A.ASSIGN, A.START, A.ANSWER, A.DELIVER, A.REQUEST_REVIEW) is S.UNDER_REVIEW
    assert _walk(A.CONVERT_TO_MEDIATION, A.ACCEPT) is S.ACCEPTED


def test_only_one_review_and_one_second_review():
    state = _walk(A.ACCEPT, A.ANSWER, A.DELIVER, A.REQUEST_REVIEW, A.ANSWER_REVIEW, A.RATE)
    assert state is S.REVIEWED
    with pytest.raises(InvalidTransition):
        pw.next_state(state, A.REQUEST_REVIEW)
    closed = _walk(A.REQUEST_SECOND_REVIEW, A.ANSWER_SECOND_REVIEW, state=state)
    with pytest.raises(InvalidTransition, match="已终结"):
        pw.next_state(closed, A.REQUEST_SECOND_REVIEW)


@pytest.mark.parametrize(
    ("previous", "had_second_review", "expected"),
    [
        ([], False, True),
        ([], True, False),
        ([S.CLOSED], False, True),
        ([S.CLOSED], True, False),
        ([S.NOT_ACCEPTED], False, True),
        ([S.FORWARDED], False, True),
        ([S.NOT_ACCEPTED, S.CLOSED], False, True),
        ([S.REGISTERED], False, False),
        ([S.ACCEPTED], False, False),
        ([S.ASSIGNED], False, False),
        ([S.IN_PROGRESS], False, False),
        ([S.ANSWERED], False, False),
        ([S.DELIVERED], False, False),
        ([S.RATED], False, False),
        ([S.UNDER_REVIEW], False, False),
        ([S.REVIEWED], False, False),
        ([S.UNDER_SECOND_REVIEW], False, False),
        ([S.CLOSED, S.IN_PROGRESS], False, False),
        (["closed", "not_accepted"], False, True),
    ],
)
def test_can_accept_again(previous, had_second_review, expected):
    assert pw.can_accept_again(previous, had_second_review) is expected
    assert pw.can_accept_again(iter(previous), had_second_review) is expected


GROUP_MESSAGE = "多人就同一事项来访,应推选代表,代表人数不超过5人"


@pytest.mark.parametrize(
    ("persons", "representatives"),
    [(1, 0), (1, 1), (5, 0), (5, 5), (6, 1), (6, 5), (30, 3), (200, 5)],
)
def test_visit_representatives_accepted(persons, representatives):
    assert pw.check_representatives(Channel.VISIT, persons, representatives) is None


@pytest.mark.parametrize(("persons", "representatives"), [(6, 6), (30, 0), (30, 6), (100, 10), (6, 0)])
def test_visit_representatives_refused(persons, representatives):
    with pytest.raises(DomainError, match=f"^{GROUP_MESSAGE}$"):
        pw.check_representatives(Channel.VISIT, persons, representatives)
    with pytest.raises(DomainError, match=GROUP_MESSAGE):
        pw.check_representatives("visit", persons, representatives)


@pytest.mark.parametrize("channel", [c for c in Channel if c is not Channel.VISIT], ids=lambda c: c.value)
def test_representative_limit_applies_only_to_visits(channel):
    pw.check_representatives(channel, 30, 0)
    pw.check_representatives(channel, 30, 10)


@pytest.mark.parametrize("channel", list(Channel), ids=lambda c: c.value)
@pytest.mark.parametrize(
    ("persons", "representatives", "fragment"),
    [(0, 0, "至少为1人"), (-1, 0, "至少为1人"), (3, -1, "负数"), (2, 3, "不能多于")],
)
def test_representative_counts_must_make_sense(channel, persons, representatives, fragment):
    with pytest.raises(DomainError, match=fragment):
        pw.check_representatives(channel, persons, representatives)


@pytest.mark.parametrize(
    ("persons", "threshold", "expected"),
    [(1, 5, False), (4, 5, False), (5, 5, True), (6, 5, True), (2, 3, False), (3, 3, True), (10, 10, True)],
)
def test_is_collective(persons, threshold, expected):
    assert pw.is_collective(persons, threshold) is expected


def test_is_collective_default_threshold_is_five():
    assert not pw.is_collective(4)
    assert pw.is_collective(5)


@pytest.mark.parametrize("threshold", [1, 0, -5])
def test_is_collective_rejects_meaningless_threshold(threshold):
    with pytest.raises(ValueError):
        pw.is_collective(10, threshold)


def test_level_order():
    assert list(Level) == [Level.TOWNSHIP, Level.COUNTY, Level.CITY, Level.PROVINCE, Level.BEIJING]
    assert [lv.rank for lv in Level] == [0, 1, 2, 3, 4]
    assert Level.TOWNSHIP < Level.COUNTY < Level.CITY < Level.PROVINCE < Level.BEIJING
    assert Level.BEIJING > Level.PROVINCE >= Level.PROVINCE
    assert Level.TOWNSHIP <= Level.TOWNSHIP
    assert sorted([Level.BEIJING, Level.TOWNSHIP, Level.PROVINCE, Level.COUNTY]) == [
        Level.TOWNSHIP, Level.COUNTY, Level.PROVINCE, Level.BEIJING]
    assert max(Level) is Level.BEIJING
    with pytest.raises(TypeError):
        _ = Level.CITY < 3


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.TOWNSHIP, False), (Level.COUNTY, False), (Level.CITY, False), (Level.PROVINCE, True),
     (Level.BEIJING, True), ("province", True), ("county", False)],
)
def test_reaches_province_or_beijing(level, expected):
    assert pw.reaches_province_or_beijing(level) is expected


@pytest.mark.parametrize(
    ("authority", "reached", "expected"),
    [(Level.TOWNSHIP, Level.TOWNSHIP, False), (Level.TOWNSHIP, Level.COUNTY, False),
     (Level.TOWNSHIP, Level.CITY, True), (Level.TOWNSHIP, Level.BEIJING, True),
     (Level.COUNTY, Level.CITY, False), (Level.COUNTY, Level.PROVINCE, True),
     (Level.PROVINCE, Level.BEIJING, False), (Level.CITY, Level.COUNTY, False)],
)
def test_skips_level(authority, reached, expected):
    assert pw.skips_level(authority, reached) is expected


@pytest.mark.parametrize(
    ("rating", "expected"),
    [(Satisfaction.SATISFIED, True), (Satisfaction.BASICALLY, True), (Satisfaction.DISSATISFIED, False)],
)
def test_is_satisfied(rating, expected):
    assert pw.is_satisfied(rating) is expected


@pytest.mark.parametrize(
    ("enum", "labels"),
    [
        (PetitionState, ["已登记", "已受理", "不予受理", "已转送", "已交办", "办理中", "已出具意见", "已送达",
                         "已评价", "复查中", "已复查", "复核中", "已终结"]),
        (PetitionAction, ["受理", "不予受理", "转送", "交办", "开始办理", "出具处理意见", "送达", "评价满意度",
                          "申请复查", "复查答复", "申请复核", "复核答复", "终结", "延期", "转调解",
                          "导入法定程序", "提出异议"]),
        (pw.Source, ["本级受理", "上级转送", "上级交办"]),
        (pw.LegalRoute, ["诉讼", "仲裁", "行政复议", "其他法定途径"]),
        (pw.ObjectionOutcome, ["待上级核实", "上级同意,交还材料", "上级不同意,由本级办理"]),
        (Opinion, ["支持", "解释说明", "不支持"]),
        (Satisfaction, ["满意", "基本满意", "不满意"]),
        (Channel, ["网上", "来信", "来电", "传真", "来访"]),
        (Level, ["乡", "县", "市", "省", "进京"]),
    ],
    ids=lambda e: getattr(e, "__name__", "labels"),
)
def test_enum_labels_and_keys(enum, labels):
    assert [m.label for m in enum] == labels
    for member in enum:
        assert isinstance(member, str)
        assert re.fullmatch(r"[a-z_]+", member.value)
        assert member == member.value and str(member) == member.value
        assert enum(member.value) is member
    assert len({m.value for m in enum}) == len(enum)
    assert enum.choices() == [(m.value, m.label) for m in enum]


def test_state_keys_are_stable():
    assert [s.value for s in PetitionState] == [
        "registered", "accepted", "not_accepted", "forwarded", "assigned", "in_progress", "answered",
        "delivered", "rated", "under_review", "reviewed", "under_second_review", "closed"]
    assert [o.value for o in Opinion] == ["support", "explained", "not_supported"]


def test_module_is_pure():
    source = open(pw.__file__, encoding="utf-8").read()
    for banned in ("flask", "sqlalchemy", "werkzeug", "today(", "now("):
        assert banned not in source.lower()
