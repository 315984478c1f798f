"""A township's own ledger headers and values, matched to the format's (台账列对应).

Hand-kept ledgers name their columns their own way (受理时间 for 登记日期, 当事人 for 申请人) and write
values their own way (成功 for 调解成功). The common variants below are read without being asked; what is
still unknown is mapped by the user (the web preview, or the CLI's --map and --ignore) and saved per
township, so the next file needs no mapping. docs/ledger.md lists the variants.
"""

from dataclasses import dataclass, field

from casetrack.ledger.format import BY_HEADER, DISPUTE, KINDS, PETITION, BadValue, normalise_header

IGNORE = ""  # the target of a header the user chose to ignore

# The township's header → the format's header, per kind. A variant is used only when the file has no column
# under the format's own header (or another name) for it already.
HEADER_VARIANTS: dict[str, dict[str, str]] = {
    DISPUTE: {
        "案件编号": "编号", "案号": "编号", "纠纷编号": "编号",
        "所属乡镇": "乡镇", "乡镇名称": "乡镇",
        "村别": "所属村", "村名": "所属村", "行政村": "所属村", "所在村": "所属村", "村(社区)": "所属村",
        "村居": "所属村",
        "村民小组": "自然村", "组别": "自然村",
        "受理时间": "登记日期", "登记时间": "登记日期", "受理日期": "登记日期", "收案日期": "登记日期",
        "纠纷类型": "纠纷类别", "纠纷种类": "纠纷类别", "矛盾类型": "纠纷类别", "类别": "纠纷类别", "类型": "纠纷类别",
        "纠纷来源": "案件来源", "来源": "案件来源",
        "调解类型": "调解方式",
        "当事人": "申请人", "申请人姓名": "申请人", "当事人姓名": "申请人", "当事人(申请人)": "申请人",
        "被申请人姓名": "被申请人", "对方当事人": "被申请人",
        "人数": "涉及人数", "涉及人员数": "涉及人数",
        "纠纷简要情况": "简要案情", "基本案情": "简要案情", "简要情况": "简要案情", "纠纷情况": "简要案情",
        "纠纷概况": "简要案情", "案情": "简要案情", "主要内容": "简要案情",
        "风险级别": "风险等级",
        "调处层级": "处理层级", "层级": "处理层级",
        "办理状态": "状态", "案件状态": "状态", "当前状态": "状态", "进展情况": "状态",
        "调处结果": "调解结果", "处理结果": "调解结果", "结果": "调解结果",
        "协议类型": "协议形式",
        "办结时间": "结案日期", "调结时间": "结案日期", "结案时间": "结案日期", "办结日期": "结案日期",
        "调结日期": "结案日期",
        "协议履行情况": "履行情况",
        "调解人": "调解员", "调解人员": "调解员", "承办人": "调解员",
        "说明": "备注",
    },
    PETITION: {
        "案件编号": "编号", "信访编号": "编号",
        "所属乡镇": "乡镇", "乡镇名称": "乡镇",
        "村别": "所属村", "村名": "所属村", "行政村": "所属村", "所在村": "所属村",
        "来访时间": "登记日期", "信访日期": "登记日期", "信访时间": "登记日期", "登记时间": "登记日期",
        "受理时间": "受理日期",
        "信访方式": "信访形式", "来访方式": "信访形式",
        "信访人姓名": "信访人", "来访人": "信访人", "反映人": "信访人",
        "信访人数": "人数", "来访人数": "人数",
        "信访类别": "事项类别", "问题类别": "事项类别", "事项类型": "事项类别",
        "信访事项": "诉求摘要", "主要诉求": "诉求摘要", "反映问题": "诉求摘要", "诉求": "诉求摘要",
        "信访内容": "诉求摘要",
        "受理结果": "受理情况",
        "信访层级": "到达层级",
        "办结时间": "办结日期", "答复日期": "办结日期",
        "答复意见": "处理意见",
        "说明": "备注",
    },
}

# The format's header → {the township's value: the format's value}, for choice columns.
VALUE_VARIANTS: dict[str, dict[str, str]] = {
    "调解结果": {
        "成功": "调解成功", "已调成": "调解成功", "调成": "调解成功", "达成协议": "调解成功",
        "不成": "调解不成", "调解失败": "调解不成", "失败": "调解不成", "未调成": "调解不成", "未成功": "调解不成",
        "调解不成功": "调解不成",
        "终止调解": "终止",
    },
    "状态": {
        "已结": "已调结", "已结案": "已调结", "结案": "已调结", "办结": "已调结", "已办结": "已调结", "调结": "已调结",
        "正在调解": "调解中", "在调": "调解中",
        "受理": "已受理", "登记": "已登记", "待受理": "已登记", "归档": "已归档", "回访": "已回访",
        "不受理": "不予受理",
    },
    "案件来源": {
        "申请": "当事人申请", "群众申请": "当事人申请",
        "主动": "主动调解", "排查发现": "主动调解", "主动排查": "主动调解",
        "委托": "委托移送", "移送": "委托移送",
        "信访": "信访转调", "信访转办": "信访转调",
    },
    "协议形式": {"书面协议": "书面", "口头协议": "口头"},
    "履行情况": {"履行": "已履行", "履行完毕": "已履行", "已履行完毕": "已履行", "没有履行": "未履行"},
}


def normalise_value(text: str) -> str:
    """Return a cell's text as choice columns compare it: without spaces, full-width ones included."""
    return text.replace(" ", "").replace("\u3000", "")


@dataclass
class LedgerMap:
    """The user's mapping: (kind, their header) → the format's header or IGNORE; (kind, format header, their
    value) → the format's value label."""

    headers: dict[tuple[str, str], str] = field(default_factory=dict)
    values: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def header(self, kind: str, text: str) -> str | None:
        """Return what the user mapped a header to (IGNORE to skip it), or None when they did not."""
        return self.headers.get((kind, text))

    def value_variants(self, kind: str, header: str) -> dict[str, str]:
        """Return the known and the user's variants of a column's values: their value → the format's label."""
        variants = dict(VALUE_VARIANTS.get(header, {}))
        variants.update({value: label for (k, h, value), label in self.values.items() if k == kind and h == header})
        return variants

    def updated(self, other: "LedgerMap") -> "LedgerMap":
        """Return this mapping with other's entries over it."""
        return LedgerMap({**self.headers, **other.headers}, {**self.values, **other.values})


def header_target(kind: str, text: str, mapping: LedgerMap | None) -> tuple[str | None, bool]:
    """Return (the format's header a header reads as — IGNORE to skip it, None when unknown —, whether it is the
    format's own or the user's, as opposed to a known variant)."""
    given = mapping.header(kind, text) if mapping else None
    if given is not None:
        return given, True
    if text in BY_HEADER[kind]:
        return text, True
    return HEADER_VARIANTS[kind].get(text.replace("(", "(").replace(")", ")")), False


def parse_map_options(maps: tuple[str, ...], ignored: tuple[str, ...]) -> LedgerMap:
    """Read the CLI's --map "受理时间=登记日期,当事人=申请人" (repeatable) and --ignore COLUMN options.

    A pair applies to each kind that has the target column; a target no kind has is refused. A pair
    "状态:已调处=已调结" maps a value of a format column to one of its values.
    """
    mapping = LedgerMap()
    for option in maps:
        for pair in option.replace(",", ",").split(","):
            if not pair.strip():
                continue
            source, equals, target = pair.replace("=", "=").partition("=")
            if ":" in source.replace(":", ":"):  # a value: 状态:已调处=已调结
                _map_value(mapping, source.replace(":", ":"), target)
                continue
            source, target = normalise_header(source), normalise_header(target)
            if not equals or not source or not target:
                raise BadValue("--map 应写成“表中的列名=台账格式的列名”,如 受理时间=登记日期")
            kinds = [kind for kind in KINDS if target in BY_HEADER[kind]]
            if not kinds:
                raise BadValue("“%(target)s”不是台账格式的列名", target=target)
            for kind in kinds:
                mapping.headers[(kind, source)] = target
    for option in ignored:
        for name in option.replace(",", ",").split(","):
            if normalise_header(name):
                for kind in KINDS:
                    mapping.headers[(kind, normalise_header(name))] = IGNORE
    return mapping


def _map_value(mapping: LedgerMap, source: str, target: str) -> None:
    header, _colon, value = source.partition(":")
    header, value, target = normalise_header(header), normalise_value(value.strip()), normalise_value(target.strip())
    kinds = [kind for kind in KINDS if header in BY_HEADER[kind] and BY_HEADER[kind][header].kind == "choice"]
    if not kinds or not value:
        raise BadValue("“%(header)s”不是有固定取值的台账列", header=header)
    for kind in kinds:
        if target not in BY_HEADER[kind][header].labels:
            raise BadValue("“%(target)s”不是“%(header)s”列的取值(%(labels)s)", target=target, header=header,
                           labels=" / ".join(BY_HEADER[kind][header].labels))
        mapping.values[(kind, header, value)] = target
