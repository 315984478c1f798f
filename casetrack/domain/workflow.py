"""The dispute (矛盾纠纷) mediation workflow: states, actions and the transition table.

人民调解法 (2010) and 人民调解工作若干规定 (2002): 登记 → 受理 / 不予受理 → 调解中 → 已调结
(调解成功 / 调解不成 / 终止) → 已回访 → 已归档. Escalation (村 → 乡 → 县) changes the handling
level, not the state.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from casetrack.domain.errors import N_, DomainError, InvalidTransition


class LabelledEnum(StrEnum):
    """A StrEnum whose members carry a Chinese label: Member = ("key", "标签")."""

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """Return (value, label) pairs for a form's select field."""
        return [(m.value, m.label) for m in cls]

    @classmethod
    def from_label(cls, label: str):
        """Return the member whose Chinese label is given; ValueError when none."""
        for member in cls:
            if member.label == label:
                return member
        raise ValueError(label)


class DisputeState(LabelledEnum):
    REGISTERED = ("registered", "已登记")
    ACCEPTED = ("accepted", "已受理")
    NOT_ACCEPTED = ("not_accepted", "不予受理")
    MEDIATING = ("mediating", "调解中")
    CONCLUDED = ("concluded", "已调结")
    VISITED = ("visited", "已回访")
    ARCHIVED = ("archived", "已归档")


class Outcome(LabelledEnum):
    SUCCEEDED = ("succeeded", "调解成功")
    FAILED = ("failed", "调解不成")
    ENDED = ("ended", "终止")


class AgreementForm(LabelledEnum):
    WRITTEN = ("written", "书面")
    ORAL = ("oral", "口头")


class Level(LabelledEnum):
    VILLAGE = ("village", "村")
    TOWNSHIP = ("township", "乡")
    COUNTY = ("county", "县")

    def next_up(self) -> "Level | None":
        """Return the level above this one, or None at the county."""
        order = list(Level)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class Source(LabelledEnum):
    APPLICATION = ("application", "当事人申请")
    INITIATIVE = ("initiative", "主动调解")
    REFERRAL = ("referral", "委托移送")
    PETITION = ("petition", "信访转调")


class Channel(LabelledEnum):
    PEOPLES = ("peoples", "人民调解")
    ADMINISTRATIVE = ("administrative", "行政调解")
    JUDICIAL = ("judicial", "司法调解")


class RiskLevel(LabelledEnum):
    GENERAL = ("general", "一般")
    SERIOUS = ("serious", "较大")
    MAJOR = ("major", "重大")


class Performance(LabelledEnum):
    PERFORMED = ("performed", "已履行")
    PARTIAL = ("partial", "部分履行")
    UNPERFORMED = ("unperformed", "未履行")


class CourtResult(LabelledEnum):
    """What the court decided on an application for judicial confirmation (司法确认, 人民调解法 Art. 33)."""

    CONFIRMED = ("confirmed", "确认有效")
    REJECTED = ("rejected", "驳回")
    WITHDRAWN = ("withdrawn", "撤回")


class Satisfaction(LabelledEnum):
    SATISFIED = ("satisfied", "满意")
    BASICALLY = ("basically", "基本满意")
    DISSATISFIED = ("dissatisfied", "不满意")


class EndReason(LabelledEnum):
    REFUSED = ("refused", "一方当事人明确拒绝继续调解")
    WITHDRAWN = ("withdrawn", "当事人撤回申请")


class ReferralOrigin(LabelledEnum):
    """Who referred a 委托移送 dispute to the committee; 诉调、警调、访调对接 are counted from it."""

    COURT_ASSIGNED = ("court_assigned", "法院委派")  # before a suit is filed (诉前委派调解)
    COURT_ENTRUSTED = ("court_entrusted", "法院委托")  # a suit on file, entrusted to mediation (诉中委托调解)
    POLICE = ("police", "公安")
    PETITION_OFFICE = ("petition_office", "信访")
    OTHER_DEPARTMENT = ("other_department", "其他部门")

    @property
    def docking(self) -> str | None:
        """The 对接 mechanism the referral belongs to: 诉调 / 警调 / 访调, or None."""
        return {"court_assigned": "court", "court_entrusted": "court", "police": "police",
                "petition_office": "petition"}.get(self.value)


class ReferralOut(LabelledEnum):
    """Where the parties were sent after 调解不成 (人民调解法 Art. 26: 仲裁、行政、司法等途径)."""

    LITIGATION = ("litigation", "引导诉讼")
    PRE_LITIGATION = ("pre_litigation", "诉前调解")
    ARBITRATION = ("arbitration", "仲裁")
    ADMINISTRATIVE = ("administrative", "行政")

    @classmethod
    def normalise(cls, words: list[str]) -> list[str]:
        """The routes' labels in list order, reading the old word 诉讼 as 引导诉讼; DomainError for any other word."""
        read = {OLD_REFERRAL_WORDS.get(w.strip(), w.strip()) for w in words if w and w.strip()}
        unknown = sorted(read - {r.label for r in cls})
        if unknown:
            raise DomainError("未知的告知途径:%(names)s(可选:引导诉讼、诉前调解、仲裁、行政)。", names="、".join(unknown))
        return [r.label for r in cls if r.label in read]


OLD_REFERRAL_WORDS = {"诉讼": "引导诉讼"}
"""Words the old free list used, as the new list reads them (migration 0018 rewrites stored ones the same way)."""


class NotAcceptedGround(LabelledEnum):
    """Why a committee declined a dispute (不予受理): 若干规定 Art. 22, 人民调解法 Art. 17, or another reason."""

    SPECIAL_BODY = ("special_body", "法律法规规定只能由专门机关管辖处理或禁止民间调解的")
    ALREADY_HANDLED = ("already_handled", "人民法院、公安机关或者其他行政机关已经受理或者解决的")
    PARTY_REFUSED = ("party_refused", "一方当事人不同意调解的")
    OTHER = ("other", "其他")

    @property
    def basis(self) -> str:
        """The provision the ground rests on."""
        return {"special_body": "人民调解工作若干规定第二十二条第(一)项",
                "already_handled": "人民调解工作若干规定第二十二条第(二)项",
                "party_refused": "人民调解法第十七条", "other": ""}[self.value]


class Gender(LabelledEnum):
    MALE = ("male", "男")
    FEMALE = ("female", "女")


class PartySide(LabelledEnum):
    APPLICANT = ("applicant", "申请人")
    RESPONDENT = ("respondent", "被申请人")


class DisputeAction(LabelledEnum):
    ACCEPT = ("accept", "受理")
    NOT_ACCEPT = ("not_accept", "不予受理")
    START_MEDIATION = ("start_mediation", "开始调解")
    CONCLUDE = ("conclude", "登记结果")
    FOLLOW_UP = ("follow_up", "回访")
    ARCHIVE = ("archive", "归档")


S, A = DisputeState, DisputeAction

TRANSITIONS: dict[tuple[DisputeState, DisputeAction], DisputeState] = {
    (S.REGISTERED, A.ACCEPT): S.ACCEPTED,
    (S.REGISTERED, A.NOT_ACCEPT): S.NOT_ACCEPTED,
    (S.ACCEPTED, A.START_MEDIATION): S.MEDIATING,
    (S.MEDIATING, A.CONCLUDE): S.CONCLUDED,
    (S.CONCLUDED, A.FOLLOW_UP): S.VISITED,
    (S.VISITED, A.FOLLOW_UP): S.VISITED,
    (S.CONCLUDED, A.ARCHIVE): S.ARCHIVED,
    (S.VISITED, A.ARCHIVE): S.ARCHIVED,
    (S.NOT_ACCEPTED, A.ARCHIVE): S.ARCHIVED,
}

OPEN_STATES = frozenset({S.REGISTERED, S.ACCEPTED, S.MEDIATING})
"""States in which mediation has not concluded: the case can still be escalated, merged or refused."""

OPEN_STATUSES = frozenset(state.value for state in OPEN_STATES)
"""OPEN_STATES as the values stored in `disputes.status`, for queries and the ledger."""

NOTE_STATES = frozenset({S.ACCEPTED, S.MEDIATING})
"""States in which investigation notes and mediation sessions may be recorded."""


def next_state(state: DisputeState, action: DisputeAction, outcome: Outcome | None = None) -> DisputeState:
    """Return the state after an action, or raise InvalidTransition in Chinese."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise InvalidTransition("当前状态为“%(state)s”,不能“%(action)s”。", state=state.label, action=action.label)
    if action is A.FOLLOW_UP and outcome is not Outcome.SUCCEEDED:
        raise InvalidTransition("只有调解成功、达成协议的案件才需要回访履行情况。")
    if action is A.ARCHIVE and state is S.CONCLUDED and outcome is Outcome.SUCCEEDED:
        raise InvalidTransition("调解成功的案件应先回访协议履行情况,再归档。")
    return target


def allowed_actions(state: DisputeState, outcome: Outcome | None = None) -> list[DisputeAction]:
    """List the workflow actions possible now, in the order they are usually taken."""
    allowed = []
    for action in DisputeAction:
        try:
            next_state(state, action, outcome)
        except InvalidTransition:
            continue
        allowed.append(action)
    return allowed


def can_escalate(state: DisputeState, level: Level) -> bool:
    """Tell whether a case may move up a handling level now."""
    return state in OPEN_STATES and level.next_up() is not None


def escalation_target(state: DisputeState, level: Level) -> Level:
    """Return the level a case escalates to, or raise InvalidTransition."""
    if state not in OPEN_STATES:
        raise InvalidTransition("当前状态为“%(state)s”,调解已结束,不能上报升级。", state=state.label)
    target = level.next_up()
    if target is None:
        raise InvalidTransition("案件已在县级处理,不能再上报升级。")
    return target


@dataclass(frozen=True)
class OutcomeFields:
    """What recording one outcome must fill in (required) and may fill in (allowed, the required among them)."""

    required: tuple[str, ...]
    allowed: tuple[str, ...]
    basis: str  # the provisions that ask for them


OUTCOME_FIELDS: dict[Outcome, OutcomeFields] = {
    Outcome.SUCCEEDED: OutcomeFields(
        required=("agreement_form", "agreement_terms"),
        allowed=("agreement_form", "agreement_facts", "agreement_terms", "performance_manner", "performance_deadline",
                 "agreement_copies", "agreement_amount", "performance"),
        basis="人民调解法第二十八条、第二十九条;人民调解工作若干规定第三十四条、第三十五条",
    ),
    Outcome.FAILED: OutcomeFields(
        required=("channels_told",), allowed=("channels_told", "legal_aid_referred"), basis="人民调解法第二十六条",
    ),
    Outcome.ENDED: OutcomeFields(required=("end_reason",), allowed=("end_reason",), basis="人民调解法第二十三条、第二十六条"),
}
"""The one statement of which fields each outcome asks for: the domain, the conclusion form, the ledger and the
form's script (data-outcome-fields) all read it. A field of one outcome is not filled in for another."""

OUTCOME_DETAILS: tuple[str, ...] = tuple(dict.fromkeys(key for f in OUTCOME_FIELDS.values() for key in f.allowed))
"""Every field that belongs to one outcome, in the table's order."""

OUTCOME_FIELD_LABELS = {
    "agreement_form": N_("协议形式"), "agreement_facts": N_("纠纷事实、争议事项及各方责任"),
    "agreement_terms": N_("协议内容"), "performance_manner": N_("履行方式、地点"), "performance_deadline": N_("履行期限"),
    "agreement_copies": N_("协议份数"), "agreement_amount": N_("协议涉及金额"), "performance": N_("履行情况"),
    "channels_told": N_("调解不成后的去向"), "legal_aid_referred": N_("已引导申请法律援助"), "end_reason": N_("终止原因"),
}


def outcome_of_field(key: str) -> Outcome:
    """Return the outcome whose record holds a field of OUTCOME_DETAILS."""
    return next(outcome for outcome, fields in OUTCOME_FIELDS.items() if key in fields.allowed)


def missing_outcome_fields(outcome: Outcome | None, given: Iterable[str]) -> list[str]:
    """The fields the outcome requires that are not among those given, in the table's order."""
    given = set(given)
    return [key for key in OUTCOME_FIELDS[outcome].required if key not in given] if outcome else []


def misplaced_outcome_fields(outcome: Outcome | None, given: Iterable[str]) -> list[str]:
    """The fields given that belong to another outcome (all of them when there is no outcome), in the table's order."""
    allowed = OUTCOME_FIELDS[outcome].allowed if outcome else ()
    given = set(given)
    return [key for key in OUTCOME_DETAILS if key in given and key not in allowed]


def is_filled(value: object) -> bool:
    """Tell whether a field holds something: not None, blank text, an empty list or False."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value is not False and value != [] and value != ()


def check_outcome_details(outcome: Outcome, **details: object) -> None:
    """Check that an outcome carries what the statute requires of it and nothing of another outcome.

    details: the fields of OUTCOME_DETAILS by key, as recorded; the rule is OUTCOME_FIELDS.
    """
    unknown = set(details) - set(OUTCOME_DETAILS)
    if unknown:
        raise TypeError(f"not outcome fields: {sorted(unknown)}")
    given = [key for key, value in details.items() if is_filled(value)]
    for key in missing_outcome_fields(outcome, given):
        if key == "agreement_form":
            raise DomainError("调解成功须注明协议形式(书面或口头)。")
        if key == "agreement_terms":
            raise DomainError("调解成功须记录协议内容。")
        if key == "channels_told":
            raise DomainError("调解不成的,应告知当事人可依法通过仲裁、行政、司法等途径维护权利,请记录已告知的途径。")
        if key == "end_reason":
            raise DomainError("终止调解须注明原因(一方明确拒绝或撤回申请)。")
        raise DomainError("“%(outcome)s”须填写%(field)s。", outcome=outcome.label, field=OUTCOME_FIELD_LABELS[key])
    for key in misplaced_outcome_fields(outcome, given):
        if key == "agreement_form":
            raise DomainError("“%(outcome)s”的案件没有调解协议,不能填写协议形式。", outcome=outcome.label)
        if key == "agreement_amount":
            raise DomainError("只有调解成功、达成协议的案件才填写协议涉及金额。")
        raise DomainError("只有“%(owner)s”的案件才填写%(field)s。", owner=outcome_of_field(key).label,
                          field=OUTCOME_FIELD_LABELS[key])


def requires_written_agreement(creates_obligations: bool, party_asked: bool) -> bool:
    """Tell whether the agreement must be written (若干规定 Art. 34)."""
    return creates_obligations or party_asked


def check_major_responsibility(risk_level: str, unit: str | None, leader: str | None, person: str | None) -> None:
    """A major dispute (重大) moves on only once a unit, a leader and a person answer for it (领导包案)."""
    if risk_level == RiskLevel.MAJOR.value and not all(
        (value or "").strip() for value in (unit, leader, person)
    ):
        raise DomainError("重大矛盾纠纷须先明确责任单位、责任领导和责任人员(领导包案),才能继续办理。")


OBJECTION_STATES = OPEN_STATES
"""States in which a party may still refuse a committee's own initiative (主动调解)."""


def objection_target(source: Source, state: DisputeState) -> DisputeState:
    """Where a party's clear refusal of 主动调解 takes the case (人民调解法 Art. 17: 不得调解).

    Before acceptance the committee declines it (不予受理, 一方当事人不同意调解的); once accepted, mediation ends
    (终止, 一方当事人明确拒绝继续调解). After mediation concluded there is nothing left to refuse.
    """
    if source is not Source.INITIATIVE:
        raise InvalidTransition("只有主动调解的案件才记录当事人对主动调解的拒绝;其他案件一方拒绝调解的,请登记结果为终止。")
    if state not in OBJECTION_STATES:
        raise InvalidTransition("当前状态为“%(state)s”,调解已结束,不能再记录当事人拒绝调解。", state=state.label)
    return S.NOT_ACCEPTED if state is S.REGISTERED else S.CONCLUDED


def describe_not_accepted(ground: str | None, reason: str | None) -> str:
    """A 不予受理 decision's reason as written: the ground with its article, then any text; 其他: the text alone."""
    ground_enum = NotAcceptedGround(ground) if ground else None
    if ground_enum is None or ground_enum is NotAcceptedGround.OTHER:
        return reason or ""
    stated = f"{ground_enum.label}({ground_enum.basis})"
    return f"{stated};{reason}" if reason else stated
