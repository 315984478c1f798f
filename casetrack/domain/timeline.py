"""The case timeline as data: each entry's kind, its parameters and its changed fields, and their sentences.

An entry (models/events.py) stores a stable kind ("accept", "supervise", ...), the parameters its sentence
needs (dates as ISO strings, enum values, numbers, and people's or bodies' names as written) and its changes
as {field key: [old, new]} with raw values. The sentence is rendered here, in the reader's language, from a
Chinese template (the message id) by a translate function the caller passes: the web passes gettext, files
that print the timeline pass nothing and keep Chinese. Request Tracker and Zammad keep ticket history alike.

Entries written before revision 0024 whose prose could not be read into a kind keep their text (params is
None); they are shown as stored.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import LIST_SEPARATOR, N_

Translate = Callable[[str], str]


def same(text: str) -> str:
    """Keep a Chinese text as it is: the translate function of files, which keep Chinese."""
    return text


@dataclass(frozen=True, slots=True)
class Sentence:
    """A kind's sentence: a template, then clauses appended in order when their parameter is given."""

    text: str
    clauses: tuple[tuple[str, str], ...] = field(default=())
    defaults: tuple[tuple[str, str], ...] = field(default=())  # (parameter, Chinese word) when not given
    variants: tuple[tuple[str, str], ...] = field(default=())  # (parameter, text used instead when it is given)


_LATE_REQUEST = ("late_days", N_("(逾期%(late_days)s日提出,%(window)s截至%(window_due)s;逾期说明:%(late_note)s)"))

DISPUTE_SENTENCES: dict[str, Sentence] = {
    "register": Sentence(N_("登记纠纷 %(number)s(%(type)s,当事人:%(names)s)"), variants=(
        ("referral_details", N_("登记纠纷 %(number)s(%(type)s,当事人:%(names)s,%(referral_origin)s移送(%(referral_details)s))")),
        ("referral_origin", N_("登记纠纷 %(number)s(%(type)s,当事人:%(names)s,%(referral_origin)s移送)")))),
    "accept": Sentence(N_("受理(%(on)s)")),
    "not_accept": Sentence(N_("不予受理:%(ground)s"), (
        ("reason", N_(";%(reason)s")), ("referred_to", N_(",告知当事人向%(referred_to)s申请解决")))),
    "start_mediation": Sentence(N_("指派调解员 %(mediators)s,开始调解")),
    "assign": Sentence(N_("调整调解员为 %(mediators)s")),
    "assign_registrar": Sentence(N_("登记人 %(mediator)s 为调解员")),
    "objection": Sentence(N_("当事人%(party)s于%(on)s明确拒绝主动调解,依人民调解法第十七条不得调解,%(result)s:%(note)s")),
    "investigation": Sentence(N_("记录调查(%(on)s,%(subject)s)"), defaults=(("subject", N_("现场调查")),)),
    "session": Sentence(N_("记录第%(count)s次调解(%(on)s,%(place)s)")),
    "continuation": Sentence(N_("双方当事人同意延续调解至%(until)s:%(note)s")),
    "conclude": Sentence(N_("调解结果:%(outcome)s"), (
        ("form", N_("(%(form)s协议)")), ("amount_yuan", N_(",协议涉及金额%(amount_yuan)s元")),
        ("channels_told", N_(",调解不成后的去向:%(channels_told)s")), ("legal_aid", N_(",并引导申请法律援助")),
        ("end_reason", N_("(%(end_reason)s)")))),
    "follow_up": Sentence(N_("回访:%(performance)s"), (("satisfaction", N_(",当事人%(satisfaction)s")),)),
    "archive": Sentence(N_("结案归档(%(on)s)")),
    "escalate": Sentence(N_("上报%(to_level)s级处理:%(reason)s")),
    "edit": Sentence(N_("修改案件信息")),
    "send_back": Sentence(N_("退回补正:%(note)s")),
    "corrected": Sentence(N_("已补正"), (("note", N_(":%(note)s")),)),
    "merged": Sentence(N_("作为重复登记合并到 %(number)s")),
    "merged_in": Sentence(N_("重复登记的 %(number)s 已合并到本案")),
    "from_petition": Sentence(N_("由信访事项 %(number)s 转入调解")),
    "from_screening": Sentence(N_("由%(on)s%(screening)s发现,主动调解")),
    "judicial_confirmation": Sentence(N_("双方当事人向%(court)s申请司法确认(%(on)s)"), (
        ("late_days", N_("(逾期%(late_days)s日,%(window)s截至%(window_due)s;逾期说明:%(late_note)s)")),)),
    "court_result": Sentence(N_("司法确认结果:%(court_result)s(%(on)s)")),
    "responsibility": Sentence(N_("明确包案责任:责任单位%(unit)s,责任领导%(leader)s,责任人员%(person)s")),
    "prevention": Sentence(N_("记录防止激化情况")),
    "attachment": Sentence(N_("上传附件:%(filename)s(%(attachment_kind)s)")),
}

PETITION_SENTENCES: dict[str, Sentence] = {
    "register": Sentence(N_("登记信访 %(number)s(%(channel)s,%(persons)s人,%(category)s)"), (
        ("leader", N_(",领导接访:%(leader)s")), ("source_body", N_(",%(source)s:%(source_body)s")), ("source_reference", N_(",%(source_reference)s")),
        ("assigned_due_on", N_(",指定办理期限%(assigned_due_on)s")),
        ("repeat_of", N_(",系 %(repeat_of)s 的重复信访")), ("repeat", N_(",系重复信访")))),
    "repeat": Sentence(N_("收到重复信访"), (("number", N_(" %(number)s")),)),
    "accept": Sentence(N_("受理(%(on)s)"), (("note", N_(":%(note)s")), ("late_due", N_("(已超过受理期限 %(late_due)s)")))),
    "not_accept": Sentence(N_("不予受理(%(on)s)"), (
        ("note", N_(":%(note)s")), ("late_due", N_("(已超过受理期限 %(late_due)s)")))),
    "forward": Sentence(N_("转送(%(on)s)"), (("note", N_(":%(note)s")), ("late_due", N_("(已超过受理期限 %(late_due)s)")))),
    "assign": Sentence(N_("交办(%(on)s)"), (("note", N_(":%(note)s")), ("late_due", N_("(已超过受理期限 %(late_due)s)")))),
    "start": Sentence(N_("开始办理(%(on)s)")),
    "extension_requested": Sentence(N_("申请延期%(days)s日,待领导审批:%(reason)s")),
    "extend": Sentence(N_("批准延期%(days)s日:%(reason)s(已告知信访人延期理由)")),
    "extension_declined": Sentence(N_("未批准延期%(days)s日:%(note)s"), defaults=(("note", N_("无")),)),
    "answer": Sentence(N_("出具处理意见:%(opinion)s"), (("late_due", N_("(超过办结期限 %(late_due)s)")),)),
    "deliver": Sentence(N_("处理意见已送达信访人(%(on)s)")),
    "rate": Sentence(N_("信访人评价:%(satisfaction)s")),
    "request_review": Sentence(N_("信访人请求复查(%(on)s)"), (_LATE_REQUEST,), variants=(
        ("body", N_("信访人请求复查(%(on)s,已转报%(body)s)")),)),
    "answer_review": Sentence(N_("复查答复(%(on)s)"), variants=(
        ("delivered_on", N_("复查答复(%(on)s,%(delivered_on)s送达)")),)),
    "request_second_review": Sentence(N_("信访人请求复核(%(on)s)"), (_LATE_REQUEST,), variants=(
        ("body", N_("信访人请求复核(%(on)s,已转报%(body)s)")),)),
    "answer_second_review": Sentence(N_("复核答复,信访事项终结(%(on)s)")),
    "close": Sentence(N_("信访事项终结(%(on)s)")),
    "convert_to_mediation": Sentence(N_("转为人民调解案件 %(number)s(信访转调)")),
    "object": Sentence(N_("向%(body)s提出异议(%(on)s):%(reason)s"), (("late_due", N_("(已超过异议期限 %(late_due)s)")),)),
    "objection_agreed": Sentence(N_("%(body)s同意异议,交还相关材料(%(on)s)")),
    "objection_refused": Sentence(N_("%(body)s不同意异议,由本级办理(%(on)s)")),
    "completion_report": Sentence(N_("向%(body)s提交办结报告(%(on)s)"), (
        ("late_due", N_("(超过指定办理期限 %(late_due)s)")),)),
    "route": Sentence(N_("依法分类处理:导入%(route)s程序,已告知信访人向%(body)s提出(%(on)s)"), (
        ("late_due", N_("(已超过受理期限 %(late_due)s)")),)),
    "level": Sentence(N_("信访事项到达%(petition_level)s级(%(on)s)")),
    "supervise": Sentence(N_("督办:%(note)s(期限%(due_on)s)")),
    # 缠访闹访 (条例 Art. 47): found, with the referral to the police when made the same day; or the referral later
    "disruptive": Sentence(N_("认定为缠访闹访"), (
        ("police_referred_on", N_(",违法行为依法移交公安机关处理(%(police_referred_on)s)")),)),
    "police_referral": Sentence(N_("违法行为依法移交公安机关处理(%(police_referred_on)s)")),
}

# Kinds both a dispute and a petition have, with the same sentence.
for _kind, _sentence in {
    "supervise": Sentence(N_("督办:%(note)s(期限%(due_on)s)")),
    "due_recomputed": Sentence(N_("因%(reason_key)s重新计算期限")),
    "ledger_import": Sentence(N_("由台账导入:%(filename)s,工作表“%(sheet)s”第%(row)s行")),
    "ledger_update": Sentence(N_("由台账更新(%(filename)s,工作表“%(sheet)s”第%(row)s行)")),
}.items():
    DISPUTE_SENTENCES.setdefault(_kind, _sentence)
    PETITION_SENTENCES.setdefault(_kind, _sentence)

# Words a parameter may hold that are not an enum's member: the reason limits were recomputed, a result.
WORD_LABELS = {
    "calendar": N_("节假日安排变更"), "rule": N_("本乡镇期限计算规则变更"),
    "not_accepted": N_("不予受理"), "ended": N_("终止调解"),
    "village": N_("村级排查"), "township": N_("乡级排查"),
}
_WORDS = ("reason_key", "result", "screening")

# Parameters and fields holding an enum's value, shown by the member's label in the reader's language.
PARAM_ENUMS: dict[str, type[Enum]] = {
    "outcome": wf.Outcome, "form": wf.AgreementForm, "end_reason": wf.EndReason, "performance": wf.Performance,
    "satisfaction": wf.Satisfaction, "court_result": wf.CourtResult, "to_level": wf.Level,
    "referral_origin": wf.ReferralOrigin, "ground": wf.NotAcceptedGround, "channel": pw.Channel,
    "source": pw.Source, "opinion": pw.Opinion, "route": pw.LegalRoute, "petition_level": pw.Level,
    "channels_told": wf.ReferralOut,
}
DISPUTE_FIELD_ENUMS: dict[str, type[Enum]] = {
    "status": wf.DisputeState, "outcome": wf.Outcome, "performance": wf.Performance, "level": wf.Level,
    "court_result": wf.CourtResult, "risk_level": wf.RiskLevel, "channel": wf.Channel, "source": wf.Source,
    "referral_origin": wf.ReferralOrigin, "gender": wf.Gender, "agreement_form": wf.AgreementForm,
    "satisfaction": wf.Satisfaction, "end_reason": wf.EndReason,
}
PETITION_FIELD_ENUMS: dict[str, type[Enum]] = {
    "status": pw.PetitionState, "satisfaction": wf.Satisfaction, "level": pw.Level,
    "objection_outcome": pw.ObjectionOutcome, "channel": pw.Channel, "source": pw.Source, "opinion": pw.Opinion,
}
YES_NO = {True: N_("是"), False: N_("否")}
BOOLEAN_FIELDS = ("police_reported", "group_dispute", "cross_level", "disruptive", "legal_aid_referred")

FIELD_LABELS = {
    "status": N_("状态"), "mediators": N_("调解员"), "outcome": N_("调解结果"), "performance": N_("履行情况"),
    "level": N_("处理层级"), "returned_note": N_("退回补正"), "merged_into": N_("合并到"),
    "objection_party": N_("当事人拒绝调解"), "court_result": N_("司法确认结果"), "continued_until": N_("调解期限"),
    "responsible_unit": N_("责任单位"), "responsible_leader": N_("责任领导"), "responsible_person": N_("责任人员"),
    "prevented_criminal_persons": N_("防止民转刑(人)"), "prevented_group_petition_persons": N_("防止群体性上访(人)"),
    "due_on": N_("当前期限"), "opinion_due_on": N_("办结期限"), "satisfaction": N_("满意度"),
    "objection_outcome": N_("异议"), "completion_report_on": N_("办结报告"),
    "village_id": N_("所属村"), "registered_on": N_("登记日期"), "source": N_("案件来源"),
    "dispute_type_id": N_("纠纷类别"), "natural_village_id": N_("自然村"), "summary": N_("简要案情"),
    "people_involved": N_("涉及人数"), "risk_level": N_("风险等级"), "police_reported": N_("已报告公安机关"),
    "group_dispute": N_("群体性纠纷"), "channel": N_("调解方式"), "referral_origin": N_("移送来源"),
    "referral_body": N_("移送单位"), "referral_received_on": N_("移送日期"),
    "remarks": N_("备注"), "unlinked_mediators": N_("调解员(无账号)"),
    **wf.OUTCOME_FIELD_LABELS,  # an outcome's fields, emptied when a ledger changes the outcome
}
PETITION_FIELD_LABELS = {**FIELD_LABELS, "level": N_("到达层级"), "disruptive": N_("缠访闹访"),
                         "police_referred_on": N_("移交公安机关")}
PARTY_FIELD_LABELS = {"name": N_("姓名"), "gender": N_("性别"), "id_number": N_("身份证号码"),
                      "phone": N_("联系电话"), "address": N_("住址")}
PARTY_SIDES = {"applicant": N_("申请人"), "respondent": N_("被申请人")}
REMOVED = N_("(删除)")


def party_key(side: str, name: str, field_key: str) -> str:
    """The changes key of a party's field: party:applicant:phone:张三 (added and removed are fields too)."""
    return f"party:{side}:{field_key}:{name}"


def sentences(is_petition: bool) -> dict[str, Sentence]:
    """Return the sentence catalogue of a petition's or a dispute's timeline."""
    return PETITION_SENTENCES if is_petition else DISPUTE_SENTENCES


def _label(enum: type[Enum] | None, value, translate: Translate):
    if isinstance(value, list):
        return translate(LIST_SEPARATOR).join(str(_label(enum, v, translate)) for v in value)
    if enum is None or value is None or value == "":
        return value
    try:
        return translate(enum(value).label)
    except ValueError:  # a label written by an older entry or a ledger: shown as it is
        return translate(value) if isinstance(value, str) else value


def _param(name: str, value, translate: Translate, words: Mapping[str, Mapping[str, str]]):
    if name in words and isinstance(value, str) and value in words[name]:
        return translate(words[name][value])
    if name in _WORDS and value in WORD_LABELS:
        return translate(WORD_LABELS[value])
    if name == "window":
        return translate(value)
    return _label(PARAM_ENUMS.get(name), value, translate)


def render_sentence(kind: str, params: Mapping | None, is_petition: bool, translate: Translate = same,
                    legacy_text: str | None = None, words: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Return an entry's sentence in the reader's language (translate = gettext) or in Chinese (no translate).

    words gives the Chinese labels of parameters whose values this catalogue does not know (an attachment's
    kind); a legacy entry (params None) or an unknown kind shows its stored text.
    """
    sentence = sentences(is_petition).get(kind)
    if params is None or sentence is None:
        return legacy_text or kind
    values = {name: _param(name, value, translate, words or {}) for name, value in params.items()}
    for name, word in sentence.defaults:
        if params.get(name) in (None, ""):
            values[name] = translate(word)
    skipped = _ground(params, values, translate)
    template = next((text for name, text in sentence.variants if params.get(name) not in (None, "")), sentence.text)
    for text in (template, *(clause for _name, clause in sentence.clauses)):
        for name in _placeholders(text):
            values.setdefault(name, "")
    text = translate(template) % values
    for name, clause in sentence.clauses:
        if name not in skipped and params.get(name) not in (None, "", False):
            text += translate(clause) % values
    return text


def _ground(params: Mapping, values: dict, translate: Translate) -> set[str]:
    """Show a 不予受理 ground with its article, then the reason; 其他 by the reason alone. Return clauses to skip."""
    if not params.get("ground"):
        return set()
    ground = wf.NotAcceptedGround(params["ground"])
    if ground is wf.NotAcceptedGround.OTHER:
        values["ground"] = values.get("reason") or ""
        return {"reason"}
    label, basis = translate(ground.label), translate(ground.basis)
    if label == ground.label:  # a Chinese reader, or a file
        values["ground"] = f"{label}({basis})"
    else:  # the article is a citation of Chinese law: shown where the catalogue has it
        values["ground"] = label + (f" ({basis})" if basis != ground.basis else "")
    return set()


def _placeholders(template: str) -> list[str]:
    names, rest = [], template
    while "%(" in rest:
        rest = rest.split("%(", 1)[1]
        names.append(rest.split(")", 1)[0])
    return names


@dataclass(frozen=True, slots=True)
class ShownChange:
    """One changed field as a reader sees it."""

    label: str
    old: object
    new: object


def render_changes(changes: Mapping | None, is_petition: bool, translate: Translate = same,
                   extra_labels: Mapping[str, str] | None = None, legacy: bool = False) -> list[ShownChange]:
    """Return an entry's changed fields with their labels and values in the reader's language.

    A legacy entry's keys are Chinese labels and its values labels too: shown as stored. extra_labels names
    fields this catalogue does not (the ledger's columns, by their headers).
    """
    if legacy:
        return [ShownChange(key, pair[0], pair[1]) for key, pair in (changes or {}).items()]
    labels = PETITION_FIELD_LABELS if is_petition else FIELD_LABELS
    enums = PETITION_FIELD_ENUMS if is_petition else DISPUTE_FIELD_ENUMS
    shown = []
    for key, (old, new) in (changes or {}).items():
        if key.startswith("party:"):
            shown.append(_party_change(key, old, new, translate))
            continue
        label = labels.get(key) or (extra_labels or {}).get(key) or key
        shown.append(ShownChange(translate(label), _value(key, old, enums, translate),
                                 _value(key, new, enums, translate)))
    return shown


def _value(key: str, value, enums, translate: Translate):
    if key in BOOLEAN_FIELDS and isinstance(value, bool):
        return translate(YES_NO[value])
    return _label(enums.get(key), value, translate)


def _party_change(key: str, old, new, translate: Translate) -> ShownChange:
    _prefix, side, field_key, name = key.split(":", 3)
    side_label = translate(PARTY_SIDES.get(side, side))
    if field_key in ("added", "removed"):
        if isinstance(new, dict):
            new = translate(LIST_SEPARATOR).join(str(_label(wf.Gender if k == "gender" else None, v, translate))
                                       for k, v in new.items() if v)
        if field_key == "removed":
            new = translate(REMOVED)
        return ShownChange(f"{side_label} {name}", old, new)
    label = f"{side_label} {name} · {translate(PARTY_FIELD_LABELS.get(field_key, field_key))}"
    gender = wf.Gender if field_key == "gender" else None
    return ShownChange(label, _label(gender, old, translate), _label(gender, new, translate))
