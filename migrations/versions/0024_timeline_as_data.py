"""timeline as data: each entry's kind, parameters and raw changes; the ledger's 备注 and unlinked 调解员 as columns

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 16:00:00

case_events gains params (JSON; NULL marks a legacy entry shown by its prose) and summary becomes nullable (it
holds only legacy prose). Every existing entry is read: its summary, parsed by the shape each kind was written
in until now, becomes params; its changes' Chinese labels become field keys and their labels raw values
(enum values, booleans). An entry whose summary has no known shape (an older wording, a name in front) keeps
its summary and changes as they were, with params NULL, and is shown as stored.

disputes.remarks, disputes.unlinked_mediators and petitions.remarks are filled from the latest ledger entries
(由台账导入 / 由台账更新) that held them under 备注 and 调解员(无账号): the ledger reads them from the columns now.

The append-only triggers are lifted for the rewrite and put back (SQLite rebuilds the table to make summary
nullable, which drops its triggers, so they are created again).

The parsing is frozen here, with copies of the words it reads, so that later changes to the code do not
change what this revision did.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {"case_events_no_update": "UPDATE", "case_events_no_delete": "DELETE"}
CHUNK = 2000
D = r"(\d{4}-\d{2}-\d{2})"

# Labels as they were written, to raw values (frozen copies of the domain's enums at this revision).
ENUMS = {
    "dispute_status": {"已登记": "registered", "已受理": "accepted", "不予受理": "not_accepted", "调解中": "mediating",
                       "已调结": "concluded", "已回访": "visited", "已归档": "archived"},
    "petition_status": {"已登记": "registered", "已受理": "accepted", "不予受理": "not_accepted", "已转送": "forwarded",
                        "已交办": "assigned", "办理中": "in_progress", "已出具意见": "answered", "已送达": "delivered",
                        "已评价": "rated", "复查中": "under_review", "已复查": "reviewed",
                        "复核中": "under_second_review", "已终结": "closed"},
    "outcome": {"调解成功": "succeeded", "调解不成": "failed", "终止": "ended"},
    "form": {"书面": "written", "口头": "oral"},
    "dispute_level": {"村": "village", "乡": "township", "县": "county"},
    "petition_level": {"乡": "township", "县": "county", "市": "city", "省": "province", "进京": "beijing"},
    "performance": {"已履行": "performed", "部分履行": "partial", "未履行": "unperformed"},
    "court_result": {"确认有效": "confirmed", "驳回": "rejected", "撤回": "withdrawn"},
    "satisfaction": {"满意": "satisfied", "基本满意": "basically", "不满意": "dissatisfied"},
    "end_reason": {"一方当事人明确拒绝继续调解": "refused", "当事人撤回申请": "withdrawn"},
    "referral_origin": {"法院委派": "court_assigned", "法院委托": "court_entrusted", "公安": "police",
                        "信访": "petition_office", "其他部门": "other_department"},
    "risk_level": {"一般": "general", "较大": "serious", "重大": "major"},
    "channel": {"人民调解": "peoples", "行政调解": "administrative", "司法调解": "judicial"},
    "dispute_source": {"当事人申请": "application", "主动调解": "initiative", "委托移送": "referral", "信访转调": "petition"},
    "petition_channel": {"网上": "online", "来信": "letter", "来电": "phone", "传真": "fax", "来访": "visit"},
    "petition_source": {"本级受理": "own", "上级转送": "forwarded_in", "上级交办": "assigned_in"},
    "opinion": {"支持": "support", "解释说明": "explained", "不支持": "not_supported"},
    "route": {"诉讼": "litigation", "仲裁": "arbitration", "行政复议": "reconsideration", "其他法定途径": "other"},
    "objection_outcome": {"待上级核实": "pending", "上级同意,交还材料": "agreed", "上级不同意,由本级办理": "refused"},
    "gender": {"男": "male", "女": "female"},
    "attachment_kind": {"签字调解协议扫描件": "agreement_scan", "身份证件扫描件": "id_document", "证据照片": "evidence"},
}
GROUNDS = {  # 不予受理 grounds as the timeline wrote them: label(basis)
    "special_body": "法律法规规定只能由专门机关管辖处理或禁止民间调解的",
    "already_handled": "人民法院、公安机关或者其他行政机关已经受理或者解决的",
    "party_refused": "一方当事人不同意调解的",
}
SIDES = {"申请人": "applicant", "被申请人": "respondent"}
PARTY_FIELDS = {"姓名": "name", "性别": "gender", "身份证号码": "id_number", "联系电话": "phone", "住址": "address"}

# Change labels to field keys, with the enum their values were labels of.
FIELDS = {
    "状态": ("status", "{case}_status"), "调解员": ("mediators", None), "调解结果": ("outcome", "outcome"),
    "履行情况": ("performance", "performance"), "处理层级": ("level", "dispute_level"),
    "到达层级": ("level", "petition_level"), "退回补正": ("returned_note", None), "合并到": ("merged_into", None),
    "当事人拒绝调解": ("objection_party", None), "司法确认结果": ("court_result", "court_result"),
    "调解期限": ("continued_until", None), "责任单位": ("responsible_unit", None),
    "责任领导": ("responsible_leader", None), "责任人员": ("responsible_person", None),
    "防止民转刑(人)": ("prevented_criminal_persons", None),
    "防止群体性上访(人)": ("prevented_group_petition_persons", None), "当前期限": ("due_on", None),
    "办结期限": ("opinion_due_on", None), "满意度": ("satisfaction", "satisfaction"),
    "异议": ("objection_outcome", "objection_outcome"), "办结报告": ("completion_report_on", None),
    "法定途径": ("legal_route", "route"), "所属村": ("village_id", None), "登记日期": ("registered_on", None),
    "案件来源": ("source", "dispute_source"), "纠纷类别": ("dispute_type_id", None),
    "自然村": ("natural_village_id", None), "简要案情": ("summary", None), "涉及人数": ("people_involved", None),
    "风险等级": ("risk_level", "risk_level"), "已报告公安机关": ("police_reported", "yes_no"),
    "群体性纠纷": ("group_dispute", "yes_no"), "调解方式": ("channel", "channel"),
    "移送来源": ("referral_origin", "referral_origin"), "移送单位": ("referral_body", None),
    "移送日期": ("referral_received_on", None), "备注": ("remarks", None),
    "调解员(无账号)": ("unlinked_mediators", None),
}
# The ledger's headers (its changes keep the ledger's own words as values).
LEDGER_HEADERS = {
    "编号": "number", "乡镇": "township", "所属村": "village", "自然村": "natural_village", "登记日期": "registered_on",
    "纠纷类别": "dispute_type", "案件来源": "source", "调解方式": "channel", "申请人": "applicants",
    "被申请人": "respondents", "涉及人数": "people_involved", "简要案情": "summary", "风险等级": "risk_level",
    "处理层级": "level", "状态": "status", "调解结果": "outcome", "协议形式": "agreement_form", "结案日期": "closed_on",
    "履行情况": "performance", "调解员": "mediators", "防止民转刑": "prevented_criminal",
    "防止群体性上访": "prevented_group_petition", "备注": "remarks", "调解员(无账号)": "unlinked_mediators",
    "信访形式": "channel", "信访人": "petitioners", "人数": "persons", "事项类别": "category", "诉求": "request",
}
LATE = (r"(?:(逾期(?P<late_days>\d+)日(?:提出)?,(?P<window>.+?)截至(?P<window_due>" + D[1:-1]
        + r");逾期说明:(?P<late_note>.*)))?")

SHARED = {
    "supervise": [rf"^督办:(?P<note>.*)(期限(?P<due_on>{D[1:-1]}))$"],
    "due_recomputed": [r"^因(?P<reason_key>节假日安排变更|本乡镇期限计算规则变更)重新计算期限(?::.*)?$"],
    "ledger_import": [r"^由台账导入:(?P<filename>.*),工作表“(?P<sheet>.*)”第(?P<row>\d+)行$"],
    "ledger_update": [r"^由台账更新(?::[^()]*)?((?P<filename>.*),工作表“(?P<sheet>.*)”第(?P<row>\d+)行)$"],
}
DISPUTE_SHAPES = {
    "register": [r"^登记纠纷 (?P<number>(?:(\d{4}))?[^(\s]+)((?P<type>[^,]*),当事人:(?P<names>.*?)"
                 r"(?:,(?P<referral_origin>法院委派|法院委托|公安|信访|其他部门)移送(?:((?P<referral_details>[^()]*)))?)?)$"],
    "accept": [rf"^受理((?P<on>{D[1:-1]}))$"],
    "start_mediation": [r"^指派调解员 (?P<mediators>.*),开始调解$"],
    "assign": [r"^调整调解员为 (?P<mediators>.*)$", r"^登记人 (?P<mediator>.+) 为调解员$"],
    "objection": [rf"^当事人(?P<party>.+?)于(?P<on>{D[1:-1]})明确拒绝主动调解,依人民调解法第十七条不得调解,"
                  r"(?P<result>不予受理|终止调解):(?P<note>.*)$"],
    "investigation": [rf"^记录调查((?P<on>{D[1:-1]}),(?P<subject>.*))$"],
    "session": [rf"^记录第(?P<count>\d+)次调解((?P<on>{D[1:-1]}),(?P<place>.*))$"],
    "continuation": [rf"^双方当事人同意延续调解至(?P<until>{D[1:-1]}):(?P<note>.*)$"],
    "follow_up": [r"^回访:(?P<performance>[^,]+)(?:,当事人(?P<satisfaction>.+))?$"],
    "archive": [rf"^结案归档((?P<on>{D[1:-1]}))$"],
    "escalate": [r"^上报(?P<to_level>[村乡县])级处理:(?P<reason>.*)$"],
    "edit": [r"^修改案件信息$"],
    "send_back": [r"^退回补正:(?P<note>.*)$"],
    "corrected": [r"^已补正(?::(?P<note>.*))?$"],
    "merged": [r"^作为重复登记合并到 (?P<number>\S+)$"],
    "merged_in": [r"^重复登记的 (?P<number>\S+) 已合并到本案$"],
    "from_petition": [r"^由信访事项 (?P<number>\S+) 转入调解$"],
    "from_screening": [rf"^由(?P<on>{D[1:-1]})(?P<screening>村级排查|乡级排查)发现,主动调解$"],
    "judicial_confirmation": [rf"^双方当事人向(?P<court>.+?)申请司法确认((?P<on>{D[1:-1]})){LATE}$"],
    "court_result": [rf"^司法确认结果:(?P<court_result>确认有效|驳回|撤回)((?P<on>{D[1:-1]}))$"],
    "responsibility": [r"^明确包案责任:责任单位(?P<unit>.*),责任领导(?P<leader>.*),责任人员(?P<person>.*)$"],
    "prevention": [r"^记录防止激化情况$"],
    "attachment": [r"^上传附件:(?P<filename>.+)((?P<attachment_kind>签字调解协议扫描件|身份证件扫描件|证据照片))$"],
}
_DECISION = rf"((?P<on>{D[1:-1]}))(?::(?P<note>.*?))?(?:(已超过受理期限 (?P<late_due>{D[1:-1]})))?$"
_FROM_ABOVE = (r"(?:,(?P<source>上级转送|上级交办):(?P<source_body>[^,]*)(?:,(?!指定办理期限|系)(?P<source_reference>[^,]*))?"
               rf"(?:,指定办理期限(?P<assigned_due_on>{D[1:-1]}))?)?")
PETITION_SHAPES = {
    "register": [r"^登记信访 (?P<number>(?:(\d{4}))?[^(\s]+)((?P<channel>网上|来信|来电|传真|来访),(?P<persons>\d+)人,(?P<category>[^,)]*))"
                 + r"(?:,领导接访:(?P<leader>[^,，]*))?" + _FROM_ABOVE + r"(?:,系 (?P<repeat_of>\S+) 的重复信访|(?P<repeat>,系重复信访))?$"],
    "repeat": [r"^收到重复信访(?: (?P<number>\S+))?$"],
    "accept": ["^受理" + _DECISION], "not_accept": ["^不予受理" + _DECISION],
    "forward": ["^转送" + _DECISION, rf"^(?P<body>.+)同意异议,交还相关材料((?P<on>{D[1:-1]}))$"],
    "assign": ["^交办" + _DECISION],
    "start": [rf"^开始办理((?P<on>{D[1:-1]}))$"],
    "extension_requested": [r"^申请延期(?P<days>\d+)日,待领导审批:(?P<reason>.*)$"],
    "extend": [r"^批准延期(?P<days>\d+)日:(?P<reason>.*)(已告知信访人延期理由)$"],
    "extension_declined": [r"^未批准延期(?P<days>\d+)日:(?P<note>.*)$"],
    "answer": [rf"^出具处理意见:(?P<opinion>支持|解释说明|不支持)(?:(超过办结期限 (?P<late_due>{D[1:-1]})))?$"],
    "deliver": [rf"^处理意见已送达信访人((?P<on>{D[1:-1]}))$"],
    "rate": [r"^信访人评价:(?P<satisfaction>满意|基本满意|不满意)$"],
    "request_review": [rf"^信访人请求复查((?P<on>{D[1:-1]})(?:,已转报(?P<body>[^)]*))?){LATE}$"],
    "answer_review": [rf"^复查答复((?P<on>{D[1:-1]})(?:,(?P<delivered_on>{D[1:-1]})送达)?)$"],
    "request_second_review": [rf"^信访人请求复核((?P<on>{D[1:-1]})(?:,已转报(?P<body>[^)]*))?){LATE}$"],
    "answer_second_review": [rf"^复核答复,信访事项终结((?P<on>{D[1:-1]}))$"],
    "close": [rf"^信访事项终结((?P<on>{D[1:-1]}))$"],
    "convert_to_mediation": [r"^转为人民调解案件 (?P<number>\S+)(信访转调)$"],
    "object": [rf"^向(?P<body>.+?)提出异议((?P<on>{D[1:-1]})):(?P<reason>.*?)"
               rf"(?:(已超过异议期限 (?P<late_due>{D[1:-1]})))?$"],
    "objection_refused": [rf"^(?P<body>.+)不同意异议,由本级办理((?P<on>{D[1:-1]}))$"],
    "completion_report": [rf"^向(?P<body>.+?)提交办结报告((?P<on>{D[1:-1]}))"
                          rf"(?:(超过指定办理期限 (?P<late_due>{D[1:-1]})))?$"],
    "route": [rf"^依法分类处理:导入(?P<route>诉讼|仲裁|行政复议|其他法定途径)程序,已告知信访人向(?P<body>.+)提出"
              rf"((?P<on>{D[1:-1]}))(?:(已超过受理期限 (?P<late_due>{D[1:-1]})))?$"],
    "level": [rf"^信访事项到达(?P<petition_level>乡|县|市|省|进京)级((?P<on>{D[1:-1]}))$"],
    # 缠访闹访 (revision 0026's step), written as prose by the code of that revision
    "disruptive": [rf"^认定为缠访闹访(?:,违法行为依法移交公安机关处理\((?P<police_referred_on>{D[1:-1]})\))?$"],
    "police_referral": [rf"^违法行为依法移交公安机关处理\((?P<police_referred_on>{D[1:-1]})\)$"],
}
for _shapes in (DISPUTE_SHAPES, PETITION_SHAPES):
    for _kind, _patterns in SHARED.items():
        _shapes.setdefault(_kind, _patterns)


def literal_parens(pattern: str) -> str:
    """Escape the parentheses the prose holds: in these shapes a group opens with "(?", any other "(" and the
    ")" that closes it are the text's own brackets."""
    out, stack, i = [], [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c == "[":
            end = pattern.index("]", i + 2)
            out.append(pattern[i:end + 1])
            i = end + 1
            continue
        if c == "(":
            group = pattern[i + 1:i + 2] == "?"
            stack.append(group)
            out.append("(" if group else "\\(")
        elif c == ")":
            out.append(")" if stack.pop() else "\\)")
        else:
            out.append(c)
        i += 1
    return "".join(out)


COMPILED = {case: {kind: [re.compile(literal_parens(p)) for p in patterns] for kind, patterns in shapes.items()}
            for case, shapes in (("dispute", DISPUTE_SHAPES), ("petition", PETITION_SHAPES))}

PARAM_ENUMS = {
    "outcome": "outcome", "form": "form", "end_reason": "end_reason", "performance": "performance",
    "satisfaction": "satisfaction", "court_result": "court_result", "to_level": "dispute_level",
    "referral_origin": "referral_origin", "channel": "petition_channel", "source": "petition_source",
    "opinion": "opinion", "route": "route", "petition_level": "petition_level", "attachment_kind": "attachment_kind",
}
WORDS = {"reason_key": {"节假日安排变更": "calendar", "本乡镇期限计算规则变更": "rule"},
         "result": {"不予受理": "not_accepted", "终止调解": "ended"},
         "screening": {"村级排查": "village", "乡级排查": "township"}}
INTEGERS = ("count", "days", "persons", "late_days", "row")
LISTS = ("names", "mediators")


def _conclusion(rest: str) -> dict | None:
    """Read the tail of 调解结果:… into parameters; None when it has another shape."""
    params = {}
    m = re.match(literal_parens(r"^((?P<form>书面|口头)协议)(?:,协议涉及金额(?P<amount_yuan>[\d,.]+)元)?"), rest)
    if m:
        params.update({k: v for k, v in m.groupdict().items() if v})
        rest = rest[m.end():]
    m = re.match(r"^,调解不成后的去向:(?P<channels>[^,]*)(?P<aid>,并引导申请法律援助)?", rest)
    if m:
        params["channels_told"] = [c for c in m["channels"].split("、") if c]
        if m["aid"]:
            params["legal_aid"] = True
        rest = rest[m.end():]
    m = re.match(literal_parens(r"^((?P<end_reason>一方当事人明确拒绝继续调解|当事人撤回申请))"), rest)
    if m:
        params["end_reason"] = m["end_reason"]
        rest = rest[m.end():]
    return params if rest == "" else None


def _not_accepted(rest: str) -> dict:
    params = {}
    m = re.search(r",告知当事人向(?P<referred_to>.+)申请解决$", rest)
    if m:
        params["referred_to"] = m["referred_to"]
        rest = rest[:m.start()]
    for ground, label in GROUNDS.items():
        if rest.startswith(label + "("):
            stated, _, reason = rest.partition(";")
            params["ground"] = ground
            if reason:
                params["reason"] = reason
            return params
    params["ground"] = "other"
    if rest:
        params["reason"] = rest
    return params


def parse_summary(case: str, kind: str, summary: str) -> tuple[str, dict] | None:
    """Return (kind, params) read from an entry's prose, or None when it has no known shape."""
    if case == "dispute" and kind == "conclude":
        m = re.match(r"^调解结果:(?P<outcome>调解成功|调解不成|终止)(?P<rest>.*)$", summary)
        tail = _conclusion(m["rest"]) if m else None
        if tail is None:
            return None
        raw = {"outcome": m["outcome"], **tail}
    elif case == "dispute" and kind == "not_accept":
        if not summary.startswith("不予受理:"):
            return None
        return kind, _not_accepted(summary[len("不予受理:"):])
    else:
        for pattern in COMPILED[case].get(kind, ()):
            m = pattern.match(summary)
            if m:
                break
        else:
            return None
        raw = {k: v for k, v in m.groupdict().items() if v is not None}
        if case == "dispute" and kind == "assign" and "mediator" in raw:
            kind = "assign_registrar"
        if case == "petition" and kind == "forward" and "body" in raw:
            kind = "objection_agreed"
    params = {}
    for name, value in raw.items():
        if name in PARAM_ENUMS:
            value = ENUMS[PARAM_ENUMS[name]].get(value, value)
        elif name in WORDS:
            value = WORDS[name].get(value, value)
        elif name in INTEGERS:
            value = int(value)
        elif name in LISTS:
            value = [v for v in value.split("、") if v]
        elif name == "repeat":
            value = True
        params[name] = value
    if kind == "corrected" and params.get("note") == "已按要求修改":
        params.pop("note")
    if kind == "extension_declined" and params.get("note") == "无":
        params.pop("note")
    return kind, params


def _party(label: str) -> tuple[str, str, str] | None:
    m = re.match(r"^(申请人|被申请人) (.+?)(?: · (姓名|性别|身份证号码|联系电话|住址))?$", label)
    if not m:
        return None
    return SIDES[m[1]], m[2], PARTY_FIELDS[m[3]] if m[3] else ""


def convert_changes(case: str, kind: str, changes: dict) -> dict:
    """Return changes keyed by field with raw values; a label not known keeps its key and values."""
    converted = {}
    for label, pair in (changes or {}).items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        if kind in ("ledger_import", "ledger_update"):
            converted[LEDGER_HEADERS.get(label, label)] = [old, new]
            continue
        party = _party(label) if kind == "edit" else None
        if party is not None:
            side, name, field = party
            if not field:
                if new == "(删除)":
                    converted[f"party:{side}:removed:{name}"] = [old, None]
                else:
                    converted[f"party:{side}:added:{name}"] = [old, new]
            else:
                gender = ENUMS["gender"] if field == "gender" else {}
                converted[f"party:{side}:{field}:{name}"] = [gender.get(old, old), gender.get(new, new)]
            continue
        if label not in FIELDS:
            converted[label] = [old, new]
            continue
        key, enum = FIELDS[label]
        if enum == "yes_no":
            mapping = {"是": True, "否": False}
        else:
            mapping = ENUMS.get((enum or "").format(case=case), {})
        converted[key] = [mapping.get(old, old) if isinstance(old, str) else old,
                          mapping.get(new, new) if isinstance(new, str) else new]
    return converted


def _lift_append_only(bind) -> None:
    if bind.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("ALTER TABLE case_events DISABLE TRIGGER case_events_append_only")


def _restore_append_only(bind) -> None:
    if bind.dialect.name == "sqlite":
        for name, event in SQLITE_TRIGGERS.items():
            op.execute(f"""
                CREATE TRIGGER {name} BEFORE {event} ON case_events
                BEGIN
                    SELECT RAISE(ABORT, 'case_events is append-only');
                END
            """)
    else:
        op.execute("ALTER TABLE case_events ENABLE TRIGGER case_events_append_only")


events = sa.table(
    "case_events", sa.column("id", sa.Integer), sa.column("dispute_id", sa.Integer),
    sa.column("petition_id", sa.Integer), sa.column("action", sa.String), sa.column("summary", sa.Text),
    sa.column("params", sa.JSON), sa.column("changes", sa.JSON),
)


def _fill_ledger_columns(bind) -> None:
    """Copy 备注 and 调解员(无账号) from each case's latest ledger entries holding them into the new columns."""
    latest: dict[tuple[str, int], dict] = {}
    rows = bind.execute(sa.select(events.c.dispute_id, events.c.petition_id, events.c.changes)
                        .where(events.c.action.in_(("ledger_import", "ledger_update"))).order_by(events.c.id))
    for dispute_id, petition_id, changes in rows:
        case = ("dispute", dispute_id) if dispute_id is not None else ("petition", petition_id)
        for label, column in (("备注", "remarks"), ("调解员(无账号)", "unlinked_mediators")):
            if label in (changes or {}):
                latest.setdefault(case, {})[column] = changes[label][1] or None
    for table, columns in (("disputes", ("remarks", "unlinked_mediators")), ("petitions", ("remarks",))):
        target = sa.table(table, sa.column("id", sa.Integer), *(sa.column(c, sa.Text) for c in columns))
        for column in columns:
            values = [{"case_id": case_id, "value": found[column]}
                      for (kind, case_id), found in latest.items() if kind == table[:-1] and column in found]
            if values:
                bind.execute(target.update().where(target.c.id == sa.bindparam("case_id"))
                             .values({column: sa.bindparam("value")}), values)


def _convert_entries(bind) -> None:
    """Read every entry's prose and labels into data; leave those of no known shape as they are."""
    last = 0
    while True:
        rows = bind.execute(sa.select(events.c.id, events.c.petition_id, events.c.action, events.c.summary,
                                      events.c.changes)
                            .where(events.c.id > last, events.c.params.is_(None)).order_by(events.c.id)
                            .limit(CHUNK)).all()
        if not rows:
            return
        last = rows[-1].id
        updates = []
        for row in rows:
            case = "petition" if row.petition_id is not None else "dispute"
            parsed = parse_summary(case, row.action, row.summary or "")
            if parsed is None:
                continue
            kind, params = parsed
            updates.append({"entry_id": row.id, "kind": kind, "params": params,
                            "changes": convert_changes(case, kind, row.changes)})
        if updates:
            bind.execute(events.update().where(events.c.id == sa.bindparam("entry_id")).values(
                action=sa.bindparam("kind"), params=sa.bindparam("params"), changes=sa.bindparam("changes"),
                summary=None), updates)


def upgrade():
    bind = op.get_bind()
    for table, column in (("disputes", "remarks"), ("disputes", "unlinked_mediators"), ("petitions", "remarks")):
        op.add_column(table, sa.Column(column, sa.Text(), nullable=True))
    op.add_column("case_events", sa.Column("params", sa.JSON(), nullable=True))
    _fill_ledger_columns(bind)
    _lift_append_only(bind)
    if bind.dialect.name == "sqlite":
        # the partial index is made again as it was: a table rebuild would not keep its WHERE clause
        op.drop_index("ix_case_events_corrected_at", table_name="case_events")
        with op.batch_alter_table("case_events", recreate="always") as batch_op:
            batch_op.alter_column("summary", existing_type=sa.Text(), nullable=True)
        op.create_index("ix_case_events_corrected_at", "case_events", ["at"],
                        sqlite_where=sa.text("action = 'corrected'"))
    else:
        op.alter_column("case_events", "summary", existing_type=sa.Text(), nullable=True)
    _convert_entries(bind)
    _restore_append_only(bind)


def downgrade():
    """Write each entry's Chinese sentence back into summary; the ledger columns go (their latest values stay
    in the ledger entries' changes, under field keys the older code does not read)."""
    from casetrack.domain import timeline as tl

    bind = op.get_bind()
    _lift_append_only(bind)
    ledger_labels = {key: header for header, key in LEDGER_HEADERS.items()}
    rows = bind.execute(sa.select(events.c.id, events.c.petition_id, events.c.action, events.c.params,
                                  events.c.changes).where(events.c.summary.is_(None))).all()
    updates = []
    for r in rows:
        of_petition = r.petition_id is not None
        kind = {"assign_registrar": "assign", "objection_agreed": "forward"}.get(r.action, r.action)
        if r.action in ("ledger_import", "ledger_update"):
            headers = {**ledger_labels, "channel": "信访形式" if of_petition else "调解方式"}
            changes = {headers.get(k, k): list(v) for k, v in (r.changes or {}).items()}
        else:
            changes = {c.label: [c.old, c.new] for c in tl.render_changes(r.changes, of_petition)}
        updates.append({"entry_id": r.id, "kind": kind, "changes": changes,
                        "text": tl.render_sentence(r.action, r.params or {}, of_petition)})
    if updates:
        bind.execute(events.update().where(events.c.id == sa.bindparam("entry_id")).values(
            summary=sa.bindparam("text"), action=sa.bindparam("kind"), changes=sa.bindparam("changes")), updates)
    if bind.dialect.name == "sqlite":
        op.drop_index("ix_case_events_corrected_at", table_name="case_events")
        with op.batch_alter_table("case_events", recreate="always") as batch_op:
            batch_op.alter_column("summary", existing_type=sa.Text(), nullable=False)
            batch_op.drop_column("params")
        op.create_index("ix_case_events_corrected_at", "case_events", ["at"],
                        sqlite_where=sa.text("action = 'corrected'"))
    else:
        op.alter_column("case_events", "summary", existing_type=sa.Text(), nullable=False)
        op.drop_column("case_events", "params")
    _restore_append_only(bind)
    op.drop_column("petitions", "remarks")
    op.drop_column("disputes", "unlinked_mediators")
    op.drop_column("disputes", "remarks")
