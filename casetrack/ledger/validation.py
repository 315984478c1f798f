"""Check ledger rows: each cell against its column, then each row against the workflow's rules.

A blank cell is "not given": a new case takes the column's default, an existing case keeps its value
(merge). The rules then run on what the case would become, so a row can never write a case the
workflow could not reach by hand.
"""

import re
from collections import defaultdict
from datetime import date

from casetrack.domain import money
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.domain.text import clean_pasted, has_unstorable
from casetrack.ledger.format import (
    COLUMNS,
    DISPUTE,
    OTHER_GROUND,
    VALUES,
    BadValue,
    Column,
    Label,
    LedgerError,
    choice_map,
    clean,
    normalise_number,
    parse_bool,
    parse_date,
    parse_int,
    shown,
    split_names,
)
from casetrack.ledger.lookups import Books, TownshipBook
from casetrack.ledger.mapping import LedgerMap, normalise_value

DS = wf.DisputeState
CLOSED = {DS.NOT_ACCEPTED.value, DS.CONCLUDED.value, DS.VISITED.value, DS.ARCHIVED.value}
SUCCEEDED = wf.Outcome.SUCCEEDED.value
PENDING = pw.Decision.PENDING
HANDLED = tuple(d.value for d in pw.Decision if d.handled)  # decisions after which the matter is handled and answered
_CACHED_KINDS = {"date", "int", "bool", "choice", "ground", "routes", "money"}
REFERRAL = wf.Source.REFERRAL.value
NAMES_CACHED = 10_000  # distinct names cells kept per sheet; beyond that, mostly one-off parties, each is split anew
_MISSING = object()
UNKNOWN_VALUES_KEPT = 30  # distinct unknown values per column offered for mapping


class RowChecker:
    """Turn one sheet's rows into canonical values (None where blank), or into errors."""

    def __init__(self, kind: str, sheet_name: str, positions: dict[str, int], books: Books, today: date,
                 mapping: LedgerMap | None = None):
        self.kind, self.sheet_name, self.books, self.today = kind, sheet_name, books, today
        fields = VALUES[kind]._fields
        # (cell index, column, field position), in the columns' order: 乡镇 before 所属村 before 自然村
        self.columns = [(positions[c.key], c, fields.index(c.key)) for c in COLUMNS[kind] if c.key in positions]
        self.required = [(c, at) for _i, c, at in self.columns if c.required]
        self.maps = {c.key: _with_variants(c, kind, mapping or LedgerMap())
                     for _i, c, _at in self.columns if c.kind in ("choice", "ground")}
        self.unknown_values: dict[str, dict[str, None]] = defaultdict(dict)  # header → values no label fits
        self.values_type = VALUES[kind]
        self.width = len(fields)
        self.township_at = fields.index("township")
        self.village_at = fields.index("village")
        self.has_township = "township" in positions
        self._cache: dict = defaultdict(dict)  # per column: cell → value (or BadValue); dates, labels, names
        self._names: dict = {}  # cell → tuple of names, for every names column (a BadValue is not kept)

    def check(self, row: int, cells: tuple) -> tuple[object | None, TownshipBook | None, list[LedgerError]]:
        """Return (values, township book, errors) for one row; values is None when any cell is wrong."""
        errors: list[LedgerError] = []
        parsed: list = [None] * self.width
        book = None
        if not self.has_township:
            try:
                book = self.books.for_row(None)
                parsed[self.township_at] = book.township_id
            except BadValue as bad:
                errors.append(LedgerError.because(self.sheet_name, row, "乡镇", None, bad))
        width, given = len(cells), set()
        for index, column, at in self.columns:
            raw = cells[index] if index < width else None
            if column.kind == "township":
                try:
                    book = self.books.for_row(clean(raw))
                    parsed[at] = book.township_id
                except BadValue as bad:
                    errors.append(self.error(row, column, raw, bad))
                continue
            if raw is None or raw == "" or (raw.__class__ is str and not raw.strip()):
                continue
            given.add(at)
            try:
                parsed[at] = self._parse(column, raw, book, parsed)
            except BadValue as bad:
                errors.append(self.error(row, column, raw, bad))
            except _NeedsTownship:
                pass  # the 乡镇 cell is already reported
        for column, at in self.required:
            if not parsed[at] and at not in given:
                errors.append(self.error(row, column, None, BadValue("必填,不能为空")))
        if errors:
            return None, book, errors
        return self.values_type._make(parsed), book, []

    def error(self, row: int, column: Column, raw, reason: BadValue) -> LedgerError:
        """Build an error for a cell of this sheet."""
        return LedgerError.because(self.sheet_name, row, column.header, shown(raw), reason)

    def _parse(self, column: Column, raw, book: TownshipBook | None, parsed: list):
        if raw.__class__ is str and not raw.isprintable():  # rare: line breaks, full-width spaces, or worse
            raw = clean_pasted(raw)
            if has_unstorable(raw):  # NUL (Excel's _x0000_, decoded), other control characters, U+FFFF
                raise BadValue("含有空字符或其他无法保存的隐藏字符,请删去后再导入")
        kind = column.kind
        if kind == "text":
            return clean(raw)
        if kind in ("number", "ref"):
            return normalise_number(raw)
        if kind == "names":
            if raw.__class__ is not str:  # a number: True == 1 == 1.0 would share a key
                return split_names(raw) or None
            names = self._names.get(raw)  # the same cell gives the same tuple: a ledger names its mediators often
            if names is None:
                names = split_names(raw) or None
                if len(self._names) < NAMES_CACHED:
                    self._names[raw] = names
            return names
        if kind in _CACHED_KINDS:
            key, compute = raw, lambda: self._parse_plain(column, raw)
        else:
            if book is None:
                raise _NeedsTownship()
            village = parsed[self.village_at] if kind == "natural_village" else None
            key, compute = (book.township_id, village, raw), lambda: self._parse_name(kind, clean(raw), book, village)
        cache = self._cache[column.key]
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            try:
                value = compute()
            except BadValue as bad:
                value = bad
            cache[key] = value
        if value.__class__ is BadValue:
            raise value
        return value

    @staticmethod
    def _parse_name(kind: str, name: str, book: TownshipBook, village: int | None) -> int:
        if kind == "village":
            return book.village_id(name)
        if kind == "natural_village":
            if village is None:
                raise BadValue("须先填写正确的所属村")
            return book.natural_village_id(village, name)
        if kind == "dispute_type":
            return book.dispute_type_id(name)
        if kind == "category":
            return book.category_id(name)
        if kind == "user":
            return book.leader_id(name)
        raise AssertionError(kind)

    def _parse_plain(self, column: Column, raw):
        kind = column.kind
        if kind == "date":
            day = parse_date(raw)
            if day > self.today:
                raise BadValue("日期不能晚于今天(%(today)s)", today=self.today.isoformat())
            if day.year < 1949:
                raise BadValue("日期年份有误")
            return day
        if kind == "int":
            return parse_int(raw, column.low, column.high)
        if kind == "bool":
            return parse_bool(raw)
        if kind in ("ground", "routes", "money"):
            return _parse_issue19(column, raw, self.maps.get(column.key))
        text = normalise_value(clean(raw))
        value = self.maps[column.key].get(text)
        if value is None:
            if len(self.unknown_values[column.header]) < UNKNOWN_VALUES_KEPT:
                self.unknown_values[column.header][text] = None
            raise BadValue("应为 %(labels)s 之一", labels=" / ".join(column.labels))
        return value


def _with_variants(column: Column, kind: str, mapping: LedgerMap) -> dict[str, str]:
    """Map a choice column's labels, aliases, known value variants and the user's value mapping to stored values."""
    labels = choice_map(column)
    for variant, label in mapping.value_variants(kind, column.header).items():
        if label in labels:
            labels.setdefault(normalise_value(variant), labels[label])
    return labels


def _parse_issue19(column: Column, raw, labels: dict | None):
    """不予受理理由 (a ground of Art. 22 by its words, any other text kept as 其他), 调解不成去向 (a list), 协议涉及金额."""
    text = clean(raw)
    if column.kind == "ground":
        ground = labels.get(text.replace(" ", "").replace("\u3000", "").rstrip("。"))
        if ground is not None:
            return ground
        if len(text) > 2000:
            raise BadValue("不予受理理由超过%(most)s个字", most=2000)
        return f"{OTHER_GROUND}:{text}"
    if column.kind == "routes":
        try:
            return tuple(wf.ReferralOut.normalise(re.split(r"[、;;,,/\s]+", text))) or None
        except DomainError:
            raise BadValue("应为 %(labels)s 中的一项或几项(用“、”分隔)", labels=" / ".join(column.labels)) from None
    try:
        return money.parse_yuan(text)
    except DomainError as error:  # the same reasons, as constant templates the catalogue holds
        if "负数" in error.template:
            raise BadValue("金额不能为负数。") from None
        if "两位小数" in error.template:
            raise BadValue("金额最多保留两位小数(分)。") from None
        if "过大" in error.template:
            raise BadValue("金额过大,请核对(单位:元)。") from None
        raise BadValue("金额应为数字(单位:元),如 12000 或 3500.50。") from None


class _NeedsTownship(Exception):
    """A name column cannot be read before the row's township is known."""


# ------------------------------------------------------------------ defaults, merge, rules


def with_defaults(kind: str, values):
    """Fill a new case's blank cells with the columns' defaults."""
    filled = {c.key: c.default for c in COLUMNS[kind] if c.default is not None and getattr(values, c.key) is None}
    if kind == DISPUTE and values.people_involved is None:
        filled["people_involved"] = max(1, len(values.applicants or ()) + len(values.respondents or ()))
    return values._replace(**filled)


def same(column: Column, old, new) -> bool:
    """Tell whether two canonical values are the same; names in another order are the same names."""
    if column.kind == "names":
        return sorted(old or ()) == sorted(new or ())
    return old == new


def merge(kind: str, given, stored):
    """Return the stored case's values with the row's given cells over them.

    A value the row left blank is dropped when what the row did give rules it out: a stored agreement
    form does not survive a row that records a failed mediation.
    """
    merged = {}
    for column, new, old in zip(COLUMNS[kind], given, stored, strict=True):
        merged[column.key] = old if new is None or same(column, old, new) else new
    kept = {c.key for c, new in zip(COLUMNS[kind], given, strict=True) if new is None}

    def drop(*keys, to=None):
        for key in keys:
            if key in kept:
                merged[key] = to

    if kind == DISPUTE:
        if merged["status"] in wf.OPEN_STATUSES:
            drop("outcome", "agreement_form", "closed_on", "performance")
        if merged["status"] == DS.NOT_ACCEPTED.value:
            drop("outcome", "agreement_form", "performance")
        drop(*wf.misplaced_outcome_fields(_outcome(merged["outcome"]), OUTCOME_COLUMNS))
        if not is_declined(merged["status"], merged["outcome"]):
            drop("not_accepted_ground")
        if merged["source"] != REFERRAL:
            drop("referral_origin", "referral_body", "referral_received_on")
    else:
        if merged["decision"] == PENDING:
            drop("decided_on")
        if merged["decision"] not in HANDLED:
            drop("answered_on", "opinion", "satisfaction", "extension_approver")
            drop("extension_days", to=0)
        if merged["answered_on"] is None:
            drop("opinion", "satisfaction")
        if not merged["extension_days"]:
            drop("extension_approver")
    return VALUES[kind](**merged)


def dispute_rules(v) -> list[tuple[str, BadValue]]:
    """Return (column key, reason) for each workflow rule a dispute's values break."""
    problems = []
    status = DS(v.status)
    state = Label(status.label)
    if status.value in CLOSED and v.closed_on is None:
        problems.append(("closed_on", BadValue("状态为“%(state)s”时必须填写结案日期", state=state)))
    if status.value in wf.OPEN_STATUSES and v.closed_on is not None:
        problems.append(("closed_on", BadValue("状态为“%(state)s”的案件尚未结案,不应有结案日期", state=state)))
    if v.closed_on is not None and v.closed_on < v.registered_on:
        problems.append(("closed_on", BadValue("结案日期不能早于登记日期(%(day)s)", day=v.registered_on.isoformat())))
    if status in (DS.CONCLUDED, DS.VISITED) and v.outcome is None:
        problems.append(("outcome", BadValue("状态为“%(state)s”时必须填写调解结果", state=state)))
    if v.outcome is not None and (status.value in wf.OPEN_STATUSES or status is DS.NOT_ACCEPTED):
        problems.append(("outcome", BadValue("状态为“%(state)s”的案件还没有调解结果", state=state)))
    if status is DS.VISITED and v.outcome not in (None, SUCCEEDED):
        problems.append(("status", BadValue("只有调解成功、达成协议的案件才需要回访履行情况")))
    problems += outcome_rules(v)
    if v.not_accepted_ground is not None and not is_declined(v.status, v.outcome):
        problems.append(("not_accepted_ground", BadValue("只有不予受理的案件才填写不予受理理由")))
    if v.source != REFERRAL:
        for key in ("referral_origin", "referral_body", "referral_received_on"):
            if getattr(v, key) is not None:
                problems.append((key, BadValue("只有案件来源为委托移送的案件才填写移送来源、移送单位和移送日期")))
    if v.referral_received_on is not None and v.referral_received_on > v.registered_on:
        problems.append(("referral_received_on", BadValue("移送日期不能晚于登记日期(%(day)s)",
                                                          day=v.registered_on.isoformat())))
    return problems


OUTCOME_COLUMNS = tuple(c.key for c in COLUMNS[DISPUTE] if c.key in wf.OUTCOME_DETAILS)
"""The ledger's columns among the outcomes' fields (wf.OUTCOME_FIELDS); the others are not in a ledger."""
NOT_REQUIRED_IN_LEDGER = frozenset({"channels_told"})
"""Required when recorded by hand but not in a ledger: 调解不成去向 came with issue 19, older ledgers lack it."""


def _outcome(value: str | None) -> wf.Outcome | None:
    return wf.Outcome(value) if value else None


def outcome_rules(v) -> list[tuple[str, BadValue]]:
    """Return (column key, reason) for each outcome field a row lacks or should not have (wf.OUTCOME_FIELDS)."""
    problems = []
    outcome = _outcome(v.outcome)
    given = [key for key in OUTCOME_COLUMNS if getattr(v, key) is not None]
    for key in wf.missing_outcome_fields(outcome, given):
        if key == "agreement_form":
            problems.append((key, BadValue("调解成功时必须填写协议形式(书面或口头)")))
        elif key in OUTCOME_COLUMNS and key not in NOT_REQUIRED_IN_LEDGER:
            problems.append((key, BadValue("必填,不能为空")))
    for key in wf.misplaced_outcome_fields(outcome, given):
        if key == "agreement_form":
            if outcome:
                reason = BadValue("“%(outcome)s”的案件没有调解协议,不能填写协议形式", outcome=Label(outcome.label))
            else:
                reason = BadValue("未调解成功的案件没有调解协议,不能填写协议形式")
        elif key == "performance":
            reason = BadValue("只有调解成功、达成协议的案件才有履行情况")
        elif key == "agreement_amount":
            reason = BadValue("只有调解成功、达成协议的案件才有协议涉及金额")
        elif key == "channels_told":
            reason = BadValue("只有调解不成的案件才填写调解不成去向")
        else:
            reason = BadValue("只有%(outcome)s的案件才填写此项", outcome=Label(wf.outcome_of_field(key).label))
        problems.append((key, reason))
    return problems


def is_declined(status: str, outcome: str | None) -> bool:
    """不予受理, or archived after it (已归档 without a result)."""
    return status == DS.NOT_ACCEPTED.value or (status == DS.ARCHIVED.value and outcome is None)


def petition_rules(v) -> list[tuple[str, BadValue]]:
    """Return (column key, reason) for each rule of the 信访工作条例 a petition's values break."""
    problems = []
    decision = Label(pw.Decision(v.decision).label)
    if v.decision != PENDING and v.decided_on is None:
        problems.append(("decided_on", BadValue("受理情况为“%(decision)s”时必须填写受理日期", decision=decision)))
    if v.decision == PENDING and v.decided_on is not None:
        problems.append(("decided_on", BadValue("受理情况为“待定”(或未填)时不应有受理日期")))
    if v.decided_on is not None and v.decided_on < v.received_on:
        problems.append(("decided_on", BadValue("受理日期不能早于登记日期(%(day)s)", day=v.received_on.isoformat())))
    if v.answered_on is not None and v.opinion is None:
        problems.append(("opinion", BadValue("填写了办结日期时必须填写处理意见")))
    if v.opinion is not None and v.answered_on is None:
        problems.append(("answered_on", BadValue("填写了处理意见时必须填写办结日期")))
    if (v.answered_on or v.opinion) and v.decision not in HANDLED:
        problems.append(("answered_on", BadValue("受理情况为“%(decision)s”的信访事项不出具处理意见", decision=decision)))
    if v.answered_on and v.decided_on and v.answered_on < v.decided_on:
        problems.append(("answered_on", BadValue("办结日期不能早于受理日期(%(day)s)", day=v.decided_on.isoformat())))
    if v.extension_days and v.extension_approver is None:
        problems.append(("extension_approver", BadValue("延期须经领导批准,请填写延期批准人")))
    if v.extension_approver is not None and not v.extension_days:
        problems.append(("extension_approver", BadValue("延期天数为0,不应有延期批准人")))
    if v.extension_days and v.decision not in HANDLED:
        problems.append(("extension_days", BadValue("只有受理或交办的信访事项可以延期")))
    if v.satisfaction is not None and v.answered_on is None:
        problems.append(("satisfaction", BadValue("出具处理意见后才能评价满意度")))
    problems += _source_rules(v)
    problems += _reception_and_referral_rules(v)
    return problems


def _reception_and_referral_rules(v) -> list[tuple[str, BadValue]]:
    """A leader receives a visit, not a letter; only a 缠访闹访 matter goes to the police, on or after its receipt
    (the same rules as the petition page: services.petitions)."""
    problems = []
    leader = getattr(v, "leader_received_by", None)  # the rule is the domain's (pw.check_leader_reception)
    if leader and not pw.leader_may_receive(v.channel):
        problems.append(("leader_received_by", BadValue("只有来访才能填写接访领导。")))
    elif leader and len(leader) > pw.MAX_LEADER_NAME:
        problems.append(("leader_received_by", BadValue("接访领导姓名太长,最多%(most)s个字。", most=pw.MAX_LEADER_NAME)))
    referred_on = getattr(v, "police_referred_on", None)
    if referred_on is not None:
        if not v.disruptive:
            problems.append(("police_referred_on", BadValue("只有缠访闹访的信访事项才移交公安机关处理")))
        elif referred_on < v.received_on:
            problems.append(("police_referred_on", BadValue("移交公安日期不能早于登记日期(%(day)s)",
                                                            day=v.received_on.isoformat())))
    return problems


def _source_rules(v) -> list[tuple[str, BadValue]]:
    """A matter from above names its sender; a 交办 matter its set limit, and its 办结报告 follows the opinion."""
    problems = []
    source = getattr(v, "source", None) or pw.Source.OWN.value
    if source != pw.Source.OWN.value and not v.source_body:
        problems.append(("source_body", BadValue("上级转送、交办的信访事项必须填写转送交办机关")))
    if source == pw.Source.ASSIGNED_IN.value:
        if v.assigned_due_on is None:
            problems.append(("assigned_due_on", BadValue("上级交办的信访事项必须填写指定办理期限")))
        elif v.assigned_due_on <= v.received_on:
            problems.append(("assigned_due_on", BadValue("指定办理期限应晚于登记日期(%(day)s)",
                                                         day=v.received_on.isoformat())))
    elif v.assigned_due_on is not None:
        problems.append(("assigned_due_on", BadValue("只有上级交办的信访事项有指定办理期限")))
    if v.completion_report_on is not None:
        if source != pw.Source.ASSIGNED_IN.value:
            problems.append(("completion_report_on", BadValue("只有上级交办的信访事项提交办结报告")))
        elif v.answered_on is None:
            problems.append(("completion_report_on", BadValue("出具处理意见后才能提交办结报告")))
        elif v.completion_report_on < v.answered_on:
            problems.append(("completion_report_on", BadValue("办结报告日期不能早于办结日期(%(day)s)",
                                                              day=v.answered_on.isoformat())))
    return problems


RULES = {DISPUTE: dispute_rules, "petition": petition_rules}


def petition_status(v) -> str:
    """Return the state a petition's ledger values put it in; an opinion in a ledger counts as delivered."""
    settled = {PENDING: pw.PetitionState.REGISTERED, pw.Decision.NOT_ACCEPTED: pw.PetitionState.NOT_ACCEPTED,
               pw.Decision.FORWARDED: pw.PetitionState.FORWARDED}
    if v.decision in settled:
        return settled[v.decision].value
    if v.answered_on is None:
        return v.decision
    return pw.PetitionState.RATED.value if v.satisfaction else pw.PetitionState.DELIVERED.value


def _reachable(transitions: dict, start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, _action), target in transitions.items():
            if source.value == state and target.value not in seen:
                seen.add(target.value)
                todo.append(target.value)
    return goal in seen


_ANSWERED = {"answered", "delivered", "rated", "under_review", "reviewed", "under_second_review", "closed"}


def next_status(kind: str, current: str, values) -> str:
    """Return the state an update moves a case to, or raise BadValue when the workflow cannot go there."""
    if kind == DISPUTE:
        wanted = values.status
        if wanted == current or _reachable(wf.TRANSITIONS, current, wanted):
            return wanted
        raise BadValue("案件当前为“%(current)s”,不能改回“%(wanted)s”", current=Label(DS(current).label),
                       wanted=Label(DS(wanted).label))
    wanted = petition_status(values)
    if wanted == current:
        return current
    if current in _ANSWERED and wanted in ("delivered", "rated"):
        return "rated" if wanted == "rated" and current in ("answered", "delivered") else current
    if _reachable(pw.TRANSITIONS, current, wanted):
        return wanted
    if _reachable(pw.TRANSITIONS, wanted, current):
        return current  # the case went on in casetrack (办理中, 复查…) beyond what a ledger records
    label = pw.PetitionState
    raise BadValue("信访事项当前为“%(current)s”,台账所写的情况(“%(wanted)s”)无法由此办理得到",
                   current=Label(label(current).label), wanted=Label(label(wanted).label))
