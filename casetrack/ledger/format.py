"""Name the ledger's (台账) columns and read and write single cell values, as shared/ledger.md fixes them.

A column's canonical value is what casetrack compares and stores: a date, an int, a bool, an enum's stored
value ("succeeded"), a tuple of names, or a name that lookups.py turns into an id. ``parse_*`` turn a cell
into it, raising BadValue with a Chinese reason; ``render_cell`` turns it back into what export writes.
"""

import re
import unicodedata
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils.datetime import from_excel

from casetrack import clock
from casetrack.domain import money
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import LIST_SEPARATOR, format_message
from casetrack.domain.identity import id_number_problem, normalise_id_number

DISPUTE, PETITION = "dispute", "petition"
KINDS = (DISPUTE, PETITION)
SHEET_NAMES = {DISPUTE: "矛盾纠纷", PETITION: "信访"}
EXTRA_HEADERS = ("受理期限", "办结期限", "是否超期", "期限说明")  # written by export after the ledger columns; import ignores them
ROW_NUMBER_HEADER = "序号"  # hand-kept ledgers number their rows; ignored
EXAMPLE_MARK = "示例"  # a row whose 序号 says 示例 is the template's example: skipped
LIST_SHEET = "下拉选项"  # the template's hidden sheet of drop-down values: skipped
NAME_SEPARATOR = "、"
MAX_NAME = 60  # the parties', petitioners' and users' name columns
MAX_NUMBER = 40


class Label(str):
    """A parameter of a reason that is one of casetrack's own words (a state, a decision, an ID-number problem).

    The web layer translates a Label when it shows the reason; any other parameter (a name, a date, the
    labels a cell must hold) is shown as it is, since the clerk must find or write exactly that in the file.
    """

    __slots__ = ()


class Notice(str):
    """A note on how a ledger was read or what importing it will do, in Chinese (as the CLI prints it).

    It keeps its template and parameters so the web can show it in the user's language; mark the template
    with N_ for the catalogue: Notice(N_("工作表“%(sheet)s”中没有台账表头,已跳过。"), sheet=name).
    """

    def __new__(cls, template: str, /, **params: object):
        notice = super().__new__(cls, format_message(template, params, LIST_SEPARATOR))
        notice.template, notice.params = template, params
        return notice


class BadValue(ValueError):
    """A cell's value does not fit its column, or a row breaks a rule; str() says why, in Chinese.

    Raise it with a constant Chinese template and named parameters, never a ready-made f-string, so the
    template can be extracted (casetrack/i18n_extract.py) and the web layer can show it translated:
    BadValue("不能小于%(low)s", low=low). A list or tuple parameter is joined with "、" here.
    """

    def __init__(self, template: str, /, **params: object):
        self.template = template
        self.params = params
        super().__init__(format_message(template, params, LIST_SEPARATOR))

    def __reduce__(self):
        return _bad_value, (self.template, self.params)


def _bad_value(template: str, params: dict) -> BadValue:
    return BadValue(template, **params)


@dataclass(frozen=True, slots=True)
class LedgerError:
    """A problem found in a ledger: where (sheet, row, column), the value, and what is wrong.

    message is the Chinese reason the CLI and the error report print; template and params keep its parts
    (empty when message is a constant text, which is then its own template) for the web to translate.
    """

    sheet: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    template: str = field(default="", compare=False, repr=False)
    params: Mapping[str, object] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def because(cls, sheet: str, row: int | None, column: str | None, value: str | None,
                reason: BadValue) -> "LedgerError":
        """Return the error for a reason given as a BadValue, keeping its template and parameters."""
        return cls(sheet, row, column, value, str(reason), reason.template, reason.params)

    def __str__(self) -> str:
        where = f"工作表“{self.sheet}”"
        if self.row:
            where += f" 第{self.row}行"
        if self.column:
            where += f" “{self.column}”列"
        if self.value not in (None, ""):
            where += f",值“{self.value}”"
        return f"{where}:{self.message}"


@dataclass(frozen=True)
class Column:
    """One ledger column: its record field, Chinese header, kind of value and allowed labels."""

    key: str
    header: str
    kind: str  # text number date int bool choice names township village natural_village dispute_type category user ref
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, Chinese label)
    default: object = None
    low: int | None = None  # bounds of an int column
    high: int | None = None

    @property
    def labels(self) -> list[str]:
        return [label for _value, label in self.choices]

    def label_of(self, value: str | None) -> str:
        """Return the Chinese label for a stored value."""
        return dict(self.choices).get(value, value or "")


def _choices(enum) -> tuple[tuple[str, str], ...]:
    return tuple(enum.choices())


DISPUTE_COLUMNS = (
    Column("number", "编号", "number"),
    Column("township", "乡镇", "township"),
    Column("village", "所属村", "village", required=True),
    Column("natural_village", "自然村", "natural_village"),
    Column("registered_on", "登记日期", "date", required=True),
    Column("dispute_type", "纠纷类别", "dispute_type", required=True),
    Column("source", "案件来源", "choice", required=True, choices=_choices(wf.Source)),
    Column("channel", "调解方式", "choice", choices=_choices(wf.Channel), default=wf.Channel.PEOPLES.value),
    Column("applicants", "申请人", "names", required=True),
    Column("respondents", "被申请人", "names", default=()),
    Column("people_involved", "涉及人数", "int", low=1, high=100000),
    Column("summary", "简要案情", "text", required=True),
    Column("risk_level", "风险等级", "choice", choices=_choices(wf.RiskLevel), default=wf.RiskLevel.GENERAL.value),
    Column("level", "处理层级", "choice", choices=_choices(wf.Level), default=wf.Level.VILLAGE.value),
    Column("status", "状态", "choice", required=True, choices=_choices(wf.DisputeState)),
    Column("outcome", "调解结果", "choice", choices=_choices(wf.Outcome)),
    Column("agreement_form", "协议形式", "choice", choices=_choices(wf.AgreementForm)),
    Column("closed_on", "结案日期", "date"),
    Column("performance", "履行情况", "choice", choices=_choices(wf.Performance)),
    Column("mediators", "调解员", "names", default=()),
    Column("prevented_criminal", "防止民转刑", "bool", default=False),
    Column("prevented_group_petition", "防止群体性上访", "bool", default=False),
    Column("remarks", "备注", "text"),
    # issue 19, after the columns of the first format: who referred a 委托移送 case, why a case was declined,
    # where a failed one was sent, the sum agreed
    Column("referral_origin", "移送来源", "choice", choices=_choices(wf.ReferralOrigin)),
    Column("referral_body", "移送单位", "text"),
    Column("referral_received_on", "移送日期", "date"),
    Column("not_accepted_ground", "不予受理理由", "ground", choices=_choices(wf.NotAcceptedGround)),
    Column("channels_told", "调解不成去向", "routes", choices=_choices(wf.ReferralOut)),
    Column("agreement_amount", "协议涉及金额", "money"),
)

PETITION_COLUMNS = (
    Column("number", "编号", "number"),
    Column("township", "乡镇", "township"),
    Column("village", "所属村", "village"),
    Column("received_on", "登记日期", "date", required=True),
    Column("channel", "信访形式", "choice", required=True, choices=_choices(pw.Channel)),
    Column("petitioners", "信访人", "names", required=True),
    Column("persons", "人数", "int", required=True, low=1, high=100000),
    Column("category", "事项类别", "category", required=True),
    Column("request", "诉求摘要", "text", required=True),
    Column("decision", "受理情况", "choice", choices=_choices(pw.Decision), default=pw.Decision.PENDING.value),
    Column("decided_on", "受理日期", "date"),
    Column("level", "到达层级", "choice", required=True, choices=_choices(pw.Level)),
    Column("cross_level", "越级", "bool", default=False),
    Column("repeat_of", "重复信访", "ref"),
    Column("extension_days", "延期天数", "int", default=0, low=0, high=30),
    Column("extension_approver", "延期批准人", "user"),
    Column("answered_on", "办结日期", "date"),
    Column("opinion", "处理意见", "choice", choices=_choices(pw.Opinion)),
    Column("satisfaction", "满意度", "choice", choices=_choices(wf.Satisfaction)),
    Column("disruptive", "缠访闹访", "bool", default=False),
    # #19: matters forwarded (转送) or assigned (交办) from above; a file without these columns imports as 本级受理
    Column("source", "信访来源", "choice", choices=_choices(pw.Source), default=pw.Source.OWN.value),
    Column("source_body", "转送交办机关", "text"),
    Column("source_reference", "转送交办文号", "text"),
    Column("assigned_due_on", "指定办理期限", "date"),
    Column("completion_report_on", "办结报告日期", "date"),
    # #14: 领导接访 and the police referral of 缠访闹访 (条例 Art. 47); a file without them imports as before
    Column("leader_received_by", "接访领导", "text"),
    Column("police_referred_on", "移交公安日期", "date"),
    Column("remarks", "备注", "text"),
)

COLUMNS = {DISPUTE: DISPUTE_COLUMNS, PETITION: PETITION_COLUMNS}
BY_HEADER = {kind: {c.header: c for c in columns} for kind, columns in COLUMNS.items()}
BY_KEY = {kind: {c.key: c for c in columns} for kind, columns in COLUMNS.items()}
REQUIRED_HEADERS = {kind: [c.header for c in columns if c.required] for kind, columns in COLUMNS.items()}

DisputeValues = namedtuple("DisputeValues", [c.key for c in DISPUTE_COLUMNS])
PetitionValues = namedtuple("PetitionValues", [c.key for c in PETITION_COLUMNS])
VALUES = {DISPUTE: DisputeValues, PETITION: PetitionValues}

# Words hand-kept ledgers use for the same thing; the label on the left is what casetrack writes.
_ALIASES = {
    "乡": ("乡镇", "镇", "乡级", "镇级", "乡镇级"),
    "村": ("村级",),
    "县": ("县级",),
    "市": ("市级",),
    "省": ("省级",),
    "进京": ("赴京",),
    "人民调解": ("人调",),
    "公安": ("公安机关", "派出所", "公安局"),
    "信访": ("信访部门", "信访局", "信访办"),
    "其他部门": ("其他", "行政机关", "其他行政机关"),
    "行政": ("行政途径", "行政处理", "行政机关"),
    "引导诉讼": ("诉讼", "起诉"),
}


def choice_map(column: Column) -> dict[str, str]:
    """Map every label and alias a column accepts to its stored value."""
    mapping = {}
    for value, label in column.choices:
        mapping[label] = value
        for alias in _ALIASES.get(label, ()):
            mapping.setdefault(alias, value)
    return mapping


# ------------------------------------------------------------------ cells to values

_SPACES = re.compile(r"\s+")


def clean(cell) -> str:
    """Return a cell as text with surrounding spaces, full-width ones included, trimmed.

    Whole numbers read as 2.0 give "2", so that 13812345678 stays a phone number; a date-only cell
    (calamine gives a date where openpyxl gives a datetime at midnight) reads as openpyxl's does.
    """
    if cell is None:
        return ""
    kind = cell.__class__
    if kind is str:
        return cell.strip()
    if kind is float and cell.is_integer():
        cell = int(cell)
    elif kind is date:
        return f"{cell.isoformat()} 00:00:00"
    return str(cell).strip()


def shown(cell) -> str:
    """Return a cell as an error message quotes it: dates in ISO form, anything else as clean() reads it."""
    if cell.__class__ is date:
        return f"{cell.isoformat()}T00:00:00"  # as openpyxl's datetime at midnight shows
    return cell.isoformat() if hasattr(cell, "isoformat") else clean(cell)


def normalise_header(cell) -> str:
    """Return a header without any spaces or required-marks: "登 记\\n日期*" → "登记日期"."""
    return _SPACES.sub("", clean(cell)).strip("*※")


def is_blank(cell) -> bool:
    """Tell whether a cell holds nothing but spaces."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


_DATE_DASHED = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+0{1,2}:00(?::00)?)?$")
_DATE_WORDS = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$")


def parse_date(cell) -> date:
    """Read a real spreadsheet date or YYYY-MM-DD, YYYY/MM/DD, YYYY年M月D日, full-width digits too."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if 1 <= cell < 2958466:  # an Excel serial day number in a cell not formatted as a date
            return from_excel(cell).date()
        raise BadValue("不是有效日期,应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年M月D日")
    text = unicodedata.normalize("NFKC", clean(cell))
    match = _DATE_DASHED.match(text) or _DATE_WORDS.match(text)
    if not match:
        raise BadValue("不是有效日期,应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年M月D日")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadValue("日期不存在(月或日超出范围)") from None


_TRUE = {"是", "√", "✓", "✔", "Y", "YES", "1", "TRUE", "有"}
_FALSE = {"否", "×", "✗", "✘", "N", "NO", "0", "FALSE", "无"}


def parse_bool(cell) -> bool:
    """Read 是/否, √/×, Y/N or 1/0."""
    if isinstance(cell, bool):
        return cell
    text = unicodedata.normalize("NFKC", clean(cell)).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue("应为“是”或“否”(也可写 √/×、Y/N、1/0)")


def parse_int(cell, low: int | None = None, high: int | None = None) -> int:
    """Read a whole number, full-width digits and a trailing 人 or 天 allowed."""
    if isinstance(cell, bool):
        raise BadValue("应为整数")
    if isinstance(cell, float):
        if not cell.is_integer():
            raise BadValue("应为整数")
        cell = int(cell)
    if isinstance(cell, int):
        number = cell
    else:
        text = unicodedata.normalize("NFKC", clean(cell)).removesuffix("人").removesuffix("天").removesuffix("日")
        if not re.fullmatch(r"-?\d+", text.strip()):
            raise BadValue("应为整数")
        number = int(text)
    if low is not None and number < low:
        raise BadValue("不能小于%(low)s", low=low)
    if high is not None and number > high:
        raise BadValue("不能大于%(high)s", high=high)
    return number


_NAME_SPLIT = re.compile(r"[、;;,,/\s]+")  # hand-kept ledgers separate names with any of these
_LISTED, _LISTED_SPLIT = re.compile(r"[、;;]"), re.compile(r"\s*[、;;]\s*")  # what export writes
_ID_CHARACTERS = {0xFF10 + d: 0x30 + d for d in range(10)} | {0xFF38: "X", 0xFF58: "x", 0xFF08: "(", 0xFF09: ")"}
_NAME_WITH_ID = re.compile(r"^(.+?)[((]([0-9Xx]{17,18}|[0-9Xx]{15})[))]$")


class Name(str):
    """A person's name as a ledger gives it, with the ID number written after it in brackets, if any."""

    id_number: str | None = None


def split_names(cell) -> tuple[str, ...]:
    """Split 张三、李四;王五 into names of at most 60 characters: on 、 and ; alone when the cell holds one (a name
    may hold a space or comma: Maria Garcia、张三), else on commas, slashes and spaces too (张三 李四).

    A name may carry its ID number in brackets, 张三(11010519491231002X): its check digit and birth date are
    checked (GB 11643) and it is kept as Name.id_number; the name alone is what the ledger compares.
    """
    names = []
    text = clean(cell).translate(_ID_CHARACTERS)
    for part in (_LISTED_SPLIT if _LISTED.search(text) else _NAME_SPLIT).split(text):
        if not part:
            continue
        match = _NAME_WITH_ID.match(part) if part[-1] == ")" else None
        name = Name(match.group(1)) if match else part  # a plain str when no ID: 100,000 rows add up
        if match:
            problem = id_number_problem(match.group(2), clock.today())
            if problem:
                raise BadValue("%(name)s的%(problem)s", name=name, problem=Label(problem))
            name.id_number = normalise_id_number(match.group(2))
        if len(name) > MAX_NAME:
            raise BadValue("姓名“%(name)s…”超过%(most)s个字", name=name[:20], most=MAX_NAME)
        names.append(name)
    return tuple(names)


def join_names(names) -> str:
    """Join names as the ledger writes them: 张三、李四; a lone name holding a space, comma or slash ends with 、
    (Maria Garcia、), so that split_names reads it back as one name."""
    joined = NAME_SEPARATOR.join(names)
    return joined + NAME_SEPARATOR if len(names) == 1 and _NAME_SPLIT.search(joined) else joined


def normalise_number(cell) -> str:
    """Return a case number with ASCII digits and full-width parentheses: (2020)斜调字第12号."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", clean(cell)))
    text = text.replace("(", "(").replace(")", ")")
    if len(text) > MAX_NUMBER:
        raise BadValue("编号超过%(most)s个字", most=MAX_NUMBER)
    return text


_NUMBER = re.compile(r"^(\d{4})\)(.+?)第(\d+)号$")


def split_number(number: str) -> tuple[int, str, int] | None:
    """Return (year, prefix, running number) of a number in the committee's pattern, else None."""
    match = _NUMBER.match(number.removeprefix("("))
    if not number.startswith("(") or not match:
        return None
    return int(match.group(1)), match.group(2), int(match.group(3))


OTHER_GROUND = wf.NotAcceptedGround.OTHER.value
NOT_ACCEPTED_REASON = "台账未载明不予受理的理由"  # what an imported decline without a written reason carries


def ground_value(ground: str | None, reason: str | None) -> str | None:
    """A stored 不予受理 ground as the ledger's canonical value: a ground of Art. 22, or "other:<the reason's text>"
    ("other" alone when no text was written)."""
    if ground != OTHER_GROUND:
        return ground
    return f"{OTHER_GROUND}:{reason}" if reason and reason != NOT_ACCEPTED_REASON else OTHER_GROUND


def ground_parts(value: str | None) -> tuple[str | None, str | None]:
    """(ground, reason's text) of a canonical 不予受理理由."""
    if value is None:
        return None, None
    ground, _, text = value.partition(":")
    return ground, text or None


def render_cell(column: Column, value, names: dict | None = None):
    """Return what export writes for a canonical value: labels, 是/否, names joined, ids as names."""
    if value is None:
        return None
    kind = column.kind
    if kind == "choice":
        return column.label_of(value)
    if kind == "ground":  # a ground of Art. 22 by its words; another by its own text
        ground, text = ground_parts(value)
        return text or column.label_of(ground)
    if kind == "routes":
        return NAME_SEPARATOR.join(value)
    if kind == "money":  # yuan to the fen, written as text so that a CSV keeps it exact
        return f"{money.yuan(value)}"
    if kind == "bool":
        return "是" if value else "否"
    if kind == "names":
        return join_names(value) or None
    if kind in ("village", "natural_village", "dispute_type", "category", "township"):
        return (names or {}).get(value)
    return value
