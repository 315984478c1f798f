"""The petition (信访) workflow under 信访工作条例 (2022): states, actions and the transition table.

登记 → 受理 / 不予受理 / 转送 / 交办 → 办理中 → 处理意见 (支持 / 解释说明 / 不支持) → 送达 →
满意度 → optional 复查 (Art. 35) → optional 复核 (Art. 36) → 终结.

Decisions taken here:
- 交办 (assigned) means a township department handles the matter: it starts work like an accepted one.
- 转送 (forwarded) hands the matter to another body and ends our handling; so does 不予受理.
- The opinion (出具处理意见) may come straight after 受理 or after 开始办理, never before 受理
  and never on an assigned matter that has not started.
- 评价满意度 is recorded once after delivery (DELIVERED → RATED); after a 复查 answer the petitioner
  may be asked again, which replaces the rating and keeps the state REVIEWED, so 复核 stays possible.
- 复核答复 ends the matter (终结): the same matter is not accepted again (Art. 36).
- 延期 and 转调解 are recorded without changing the state: they map a state to itself.
  信访转调 leaves the petition running; the mediation case is linked to it.
- A matter 转送 or 交办 to the township from above (Source) may be objected to within 5 working days
  (Art. 23): 提出异议 keeps it registered until the higher body answers.
- 依法分类处理 (Art. 31): a matter that belongs in litigation, arbitration, administrative reconsideration
  or another legal procedure is routed there at acceptance (导入法定程序) instead of the 60-day track; that
  ends our handling (the state 已终结, the route recorded beside it).
"""

from collections.abc import Iterable

from casetrack.domain.errors import N_, DomainError, InvalidTransition
from casetrack.domain.workflow import LabelledEnum, Satisfaction


class PetitionState(LabelledEnum):
    """Name the states a petition passes through; value is a stable key, label is Chinese."""

    REGISTERED = ("registered", "已登记")
    ACCEPTED = ("accepted", "已受理")
    NOT_ACCEPTED = ("not_accepted", "不予受理")
    FORWARDED = ("forwarded", "已转送")
    ASSIGNED = ("assigned", "已交办")
    IN_PROGRESS = ("in_progress", "办理中")
    ANSWERED = ("answered", "已出具意见")
    DELIVERED = ("delivered", "已送达")
    RATED = ("rated", "已评价")
    UNDER_REVIEW = ("under_review", "复查中")
    REVIEWED = ("reviewed", "已复查")
    UNDER_SECOND_REVIEW = ("under_second_review", "复核中")
    CLOSED = ("closed", "已终结")


class PetitionAction(LabelledEnum):
    """Name the actions a user takes on a petition, in the order they are usually taken."""

    ACCEPT = ("accept", "受理")
    NOT_ACCEPT = ("not_accept", "不予受理")
    FORWARD = ("forward", "转送")
    ASSIGN = ("assign", "交办")
    START = ("start", "开始办理")
    ANSWER = ("answer", "出具处理意见")
    DELIVER = ("deliver", "送达")
    RATE = ("rate", "评价满意度")
    REQUEST_REVIEW = ("request_review", "申请复查")
    ANSWER_REVIEW = ("answer_review", "复查答复")
    REQUEST_SECOND_REVIEW = ("request_second_review", "申请复核")
    ANSWER_SECOND_REVIEW = ("answer_second_review", "复核答复")
    CLOSE = ("close", "终结")
    EXTEND = ("extend", "延期")
    CONVERT_TO_MEDIATION = ("convert_to_mediation", "转调解")
    ROUTE = ("route", "导入法定程序")
    OBJECT = ("object", "提出异议")


class Decision(LabelledEnum):
    """Name what was decided on receiving a matter (Art. 22-23): still 待定, or 受理, 不予受理, 转送 or 交办."""

    PENDING = ("pending", "待定")
    ACCEPTED = ("accepted", "受理")
    NOT_ACCEPTED = ("not_accepted", "不予受理")
    FORWARDED = ("forwarded", "转送")
    ASSIGNED = ("assigned", "交办")

    @property
    def action(self) -> PetitionAction:
        """The workflow action that records this decision (待定 has none: KeyError)."""
        return DECISION_ACTIONS[self]

    @property
    def handled(self) -> bool:
        """Tell whether the matter is handled and answered here after this decision (受理 or 交办)."""
        return self in (Decision.ACCEPTED, Decision.ASSIGNED)

    @classmethod
    def taken(cls) -> list["Decision"]:
        """The decisions a clerk takes (all but 待定), in the form's order."""
        return [d for d in cls if d is not cls.PENDING]


DECISION_ACTIONS = {Decision.ACCEPTED: PetitionAction.ACCEPT, Decision.NOT_ACCEPTED: PetitionAction.NOT_ACCEPT,
                    Decision.FORWARDED: PetitionAction.FORWARD, Decision.ASSIGNED: PetitionAction.ASSIGN}
"""The workflow action that records each decision taken."""


class Source(LabelledEnum):
    """Name where a petition came from: received here, or forwarded (转送) or assigned (交办) from above."""

    OWN = ("own", "本级受理")
    FORWARDED_IN = ("forwarded_in", "上级转送")
    ASSIGNED_IN = ("assigned_in", "上级交办")

    @property
    def from_above(self) -> bool:
        """Tell whether a higher body sent the matter (the 5-working-day objection applies, Art. 23)."""
        return self is not Source.OWN


class LegalRoute(LabelledEnum):
    """Name the legal procedures a matter is routed into (依法分类处理, Art. 31)."""

    LITIGATION = ("litigation", "诉讼")
    ARBITRATION = ("arbitration", "仲裁")
    RECONSIDERATION = ("reconsideration", "行政复议")
    OTHER = ("other", "其他法定途径")


class ObjectionOutcome(LabelledEnum):
    """Name the higher body's answer to an objection against a matter sent down (Art. 23)."""

    PENDING = ("pending", "待上级核实")
    AGREED = ("agreed", "上级同意,交还材料")
    REFUSED = ("refused", "上级不同意,由本级办理")


class Opinion(LabelledEnum):
    """Name the outcomes of a written handling opinion (Art. 32)."""

    SUPPORT = ("support", "支持")
    EXPLAINED = ("explained", "解释说明")
    NOT_SUPPORTED = ("not_supported", "不支持")


class Channel(LabelledEnum):
    """Name the channels a petition arrives by (oral petitions are recorded)."""

    ONLINE = ("online", "网上")
    LETTER = ("letter", "来信")
    PHONE = ("phone", "来电")
    FAX = ("fax", "传真")
    VISIT = ("visit", "来访")


class Level(LabelledEnum):
    """Name the levels a petition can reach, ordered from township to Beijing."""

    TOWNSHIP = ("township", "乡")
    COUNTY = ("county", "县")
    CITY = ("city", "市")
    PROVINCE = ("province", "省")
    BEIJING = ("beijing", "进京")

    @property
    def rank(self) -> int:
        """Return the level's position, 0 for the township up to 4 for Beijing."""
        return list(Level).index(self)

    def __lt__(self, other):
        """Compare two levels by rank."""
        return self.rank < other.rank if isinstance(other, Level) else NotImplemented

    def __le__(self, other):
        """Compare two levels by rank."""
        return self.rank <= other.rank if isinstance(other, Level) else NotImplemented

    def __gt__(self, other):
        """Compare two levels by rank."""
        return self.rank > other.rank if isinstance(other, Level) else NotImplemented

    def __ge__(self, other):
        """Compare two levels by rank."""
        return self.rank >= other.rank if isinstance(other, Level) else NotImplemented


S, A = PetitionState, PetitionAction

_PRE_ANSWER = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)

TRANSITIONS: dict[tuple[PetitionState, PetitionAction], PetitionState] = {
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.REGISTERED, A.FORWARD): S.FORWARDED,
    (S.REGISTERED, A.ASSIGN): S.ASSIGNED,
    (S.ACCEPTED, A.START): S.IN_PROGRESS,
    (S.ASSIGNED, A.START): S.IN_PROGRESS,
    (S.ACCEPTED, A.ANSWER): S.ANSWERED,
    (S.IN_PROGRESS, A.ANSWER): S.ANSWERED,
    (S.ANSWERED, A.DELIVER): S.DELIVERED,
    (S.DELIVERED, A.RATE): S.RATED,
    (S.REVIEWED, A.RATE): S.REVIEWED,
    (S.DELIVERED, A.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.RATED, A.REQUEST_REVIEW): S.UNDER_REVIEW,
    (S.UNDER_REVIEW, A.ANSWER_REVIEW): S.REVIEWED,
    (S.REVIEWED, A.REQUEST_SECOND_REVIEW): S.UNDER_SECOND_REVIEW,
    (S.UNDER_SECOND_REVIEW, A.ANSWER_SECOND_REVIEW): S.CLOSED,
    (S.DELIVERED, A.CLOSE): S.CLOSED,
    (S.RATED, A.CLOSE): S.CLOSED,
    (S.REVIEWED, A.CLOSE): S.CLOSED,
    (S.REGISTERED, A.ROUTE): S.CLOSED,
    (S.REGISTERED, A.OBJECT): S.REGISTERED,
    **{(state, A.EXTEND): state for state in _PRE_ANSWER},
    **{(state, A.CONVERT_TO_MEDIATION): state for state in (S.REGISTERED, *_PRE_ANSWER)},
}

OPEN_STATES = frozenset(S) - {S.NOT_ACCEPTED, S.FORWARDED, S.CLOSED}
"""States in which the petition still needs our handling (a delivered one may still go to 复查)."""

FINAL_STATES = frozenset({S.NOT_ACCEPTED, S.FORWARDED, S.CLOSED})
"""States from which no action is possible."""

NO_STATE_CHANGE = frozenset({A.EXTEND, A.CONVERT_TO_MEDIATION, A.OBJECT})
"""Actions that are recorded but leave the state as it is."""

MAX_REPRESENTATIVES = 5
"""Most representatives a group visiting about one matter may choose."""

_REASONS: dict[tuple[PetitionState, PetitionAction], str] = {
    (S.REGISTERED, A.ANSWER): N_("尚未受理,不能出具处理意见"),
    (S.ASSIGNED, A.ANSWER): N_("交办事项尚未开始办理,不能出具处理意见"),
    (S.REVIEWED, A.REQUEST_REVIEW): N_("复查已答复,不服的可申请复核"),
    **{(state, A.EXTEND): N_("已出具处理意见,不能延期")
       for state in (S.ANSWERED, S.DELIVERED, S.RATED, S.UNDER_REVIEW, S.REVIEWED, S.UNDER_SECOND_REVIEW)},
}


def next_state(state: PetitionState | str, action: PetitionAction | str) -> PetitionState:
    """Return the state after an action, or raise InvalidTransition in Chinese."""
    state, action = PetitionState(state), PetitionAction(action)
    target = TRANSITIONS.get((state, action))
    if target is None:
        reason = _REASONS.get((state, action))
        if reason is None:
            raise InvalidTransition("当前状态为“%(state)s”,不能“%(action)s”。", state=state.label, action=action.label)
        raise InvalidTransition("当前状态为“%(state)s”,%(reason)s。", state=state.label, reason=reason)
    return target


def allowed_actions(state: PetitionState | str) -> list[PetitionAction]:
    """List the actions possible now, in the order they are usually taken."""
    state = PetitionState(state)
    return [action for action in PetitionAction if (state, action) in TRANSITIONS]


def is_open(state: PetitionState | str) -> bool:
    """Tell whether the petition still needs our handling (not refused, forwarded or closed)."""
    return PetitionState(state) in OPEN_STATES


def is_final(state: PetitionState | str) -> bool:
    """Tell whether no further action is possible in this state."""
    return PetitionState(state) in FINAL_STATES


def can_accept_again(previous_states_of_same_matter: Iterable[PetitionState | str],
                     had_second_review: bool) -> bool:
    """Tell whether a new petition on a matter may be accepted (Art. 19 and Art. 36)."""
    if had_second_review:
        return False
    return not any(is_open(state) for state in previous_states_of_same_matter)


MAX_LEADER_NAME = 60


def leader_may_receive(channel: Channel | str) -> bool:
    """A leader receives a visit on a reception day (领导接访), not a letter or a call."""
    return Channel(channel) is Channel.VISIT


def check_leader_reception(channel: Channel | str, leader: str | None) -> None:
    """Check the leader named as receiving a petition (the page and the ledger ask the same); raise DomainError."""
    if not leader:
        return
    if not leader_may_receive(channel):
        raise DomainError("只有来访才能填写接访领导。")
    if len(leader) > MAX_LEADER_NAME:
        raise DomainError("接访领导姓名太长,最多%(most)s个字。", most=MAX_LEADER_NAME)


def check_representatives(channel: Channel | str, persons: int, representatives: int) -> None:
    """Check the people and representatives of a petition; raise DomainError in Chinese."""
    if persons < 1:
        raise DomainError("信访人数至少为1人。")
    if representatives < 0:
        raise DomainError("代表人数不能为负数。")
    if representatives > persons:
        raise DomainError("代表人数不能多于信访人数。")
    if Channel(channel) is not Channel.VISIT:
        return
    too_many = representatives > MAX_REPRESENTATIVES
    none_chosen = persons > MAX_REPRESENTATIVES and representatives == 0
    if too_many or none_chosen:
        raise DomainError("多人就同一事项来访,应推选代表,代表人数不超过%(limit)s人", limit=MAX_REPRESENTATIVES)


def is_collective(persons: int, threshold: int = 5) -> bool:
    """Tell whether a petition counts as collective (集体访): persons at or above the threshold."""
    if threshold < 2:
        raise ValueError("threshold must be at least 2")
    return persons >= threshold


def reaches_province_or_beijing(level: Level | str) -> bool:
    """Tell whether a petition reached the province or Beijing (赴省进京)."""
    return Level(level) >= Level.PROVINCE


def skips_level(authority: Level | str, reached: Level | str) -> bool:
    """Tell whether a petition went above the level with authority and the one above it (越级)."""
    return Level(reached).rank > Level(authority).rank + 1


def is_satisfied(satisfaction: Satisfaction | str) -> bool:
    """Tell whether a rating counts toward the satisfaction rate (满意 or 基本满意)."""
    return Satisfaction(satisfaction) in (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
