"""The figure catalogue: every report figure once, with its label, definition (口径), unit and kind.

A figure is addressed as "section.key" ("disputes.mediation_rate"); a group that is not a breakdown is one level
deeper ("disputes.village_township.success_rate"). The page, the JSON (``definitions``), the Markdown, DOCX and
XLSX files and the queue's list of the cases behind a figure (?figure=) all read labels and definitions from
here, so a figure is named the same everywhere. A breakdown (``by_*``) is a table of counts; its label is the
title its table, chart and sheet carry (marked for translation, since the page translates them).

Every figure counts the cases registered (received) in the period, each as it stood at the period's end, or at
the moment the report is made when that is earlier ("本期末" below).
"""

from dataclasses import dataclass

from casetrack.domain.errors import N_

AS_AT = N_("统计口径：本期登记的案件，按其在本期末（报告日早于期末时为报告日）的状态、层级和结果统计")

SECTION_TITLES = {"disputes": N_("矛盾纠纷调处"), "petitions": N_("信访工作"), "screening": N_("矛盾纠纷排查"),
                  "warnings": N_("预警")}

# Units a figure is counted in (the report's own words): disputes 起, petitions 件, visits in 批, people in
# 人 or 人次, screening rounds 次; a rate is a fraction shown as a percent.
DISPUTES, ITEMS, BATCHES, PERSONS, PERSON_TIMES, TIMES, RATE = "起", "件", "批", "人", "人次", "次", "%"
YUAN = "元"  # a sum of money, to the fen


@dataclass(frozen=True)
class Figure:
    """One report figure: its "section.key", short label, unit and definition."""

    key: str
    label: str
    unit: str
    definition: str
    recorded: bool = True  # False: casetrack does not record what it counts yet (null in the JSON, not shown)

    @property
    def section(self) -> str:
        return self.key.split(".")[0]

    @property
    def is_rate(self) -> bool:
        """A fraction in [0, 1] (None when its denominator is 0), shown as a percent."""
        return self.unit == RATE

    @property
    def is_breakdown(self) -> bool:
        """A table of counts by type, village, month … rather than one number."""
        return self.key.split(".")[-1].startswith("by_")

    @property
    def breakdown_title(self) -> str:
        """The title of a breakdown's table, chart and sheet: its label ("" for a single figure)."""
        return self.label if self.is_breakdown else ""


CATALOGUE: tuple[Figure, ...] = (
    Figure("disputes.registered", "登记纠纷", DISPUTES,
           "登记纠纷数 = 本期登记的矛盾纠纷件数(不含本期末已决定不予受理的)"),
    Figure("disputes.accepted", "受理纠纷", DISPUTES,
           "受理纠纷数 = 登记纠纷中本期末已受理的件数"),
    Figure("disputes.pending_decision", "待受理", DISPUTES,
           "待受理数 = 登记纠纷中本期末尚未决定受理或不予受理的件数"),
    Figure("disputes.not_accepted", "不予受理", DISPUTES,
           "不予受理数 = 本期登记、本期末已决定不予受理的矛盾纠纷件数"),
    Figure("disputes.mediated", "调处", DISPUTES,
           "调处数 = 受理纠纷中本期末调解已结束的件数：调解成功 + 调解不成 + 终止(各层级、各调解方式)"),
    Figure("disputes.succeeded", "调解成功", DISPUTES,
           "调解成功数 = 受理纠纷中本期末已达成调解协议(书面或口头)的件数"),
    Figure("disputes.failed", "调解不成", DISPUTES,
           "调解不成数 = 受理纠纷中本期末调解不成、已告知当事人其他救济途径的件数"),
    Figure("disputes.ended", "终止", DISPUTES,
           "终止数 = 受理纠纷中本期末因当事人拒绝调解或撤回申请而终止的件数"),
    Figure("disputes.in_progress", "调解中", DISPUTES,
           "调解中 = 受理纠纷中本期末尚未调结的件数"),
    Figure("disputes.mediation_rate", "调处率(全部)", RATE,
           "调处率(全部)= 调处数 ÷ 受理纠纷数，含县级及行政调解、司法调解"),
    Figure("disputes.success_rate", "调解成功率(全部)", RATE,
           "调解成功率(全部)= 调解成功数 ÷ 受理纠纷数，含县级及行政调解、司法调解"),
    Figure("disputes.village_township.accepted", "乡村两级受理", DISPUTES,
           "乡村两级受理数 = 受理纠纷中以人民调解方式、本期末在村级或乡级办理的件数"),
    Figure("disputes.village_township.mediated", "乡村两级调处", DISPUTES,
           "乡村两级调处数 = 乡村两级受理纠纷中本期末调解已结束的件数(“乡村两级调解组织共调处”所指)"),
    Figure("disputes.village_township.succeeded", "乡村两级调解成功", DISPUTES,
           "乡村两级调解成功数 = 乡村两级受理纠纷中本期末达成调解协议的件数"),
    Figure("disputes.village_township.mediation_rate", "调处率", RATE,
           "调处率 = 乡村两级调处数 ÷ 乡村两级受理数(人民调解，村、乡两级)"),
    Figure("disputes.village_township.success_rate", "调解成功率", RATE,
           "调解成功率 = 乡村两级调解成功数 ÷ 乡村两级受理数(司法部统计口径，人民调解)"),
    Figure("disputes.performed_rate", "调后履行率", RATE,
           "调后履行率 = 本期末最近一次回访为已履行的调解协议数 ÷ 本期末履行情况已知的调解协议数"),
    Figure("disputes.village_share", "村级化解占比", RATE,
           "村级化解占比(小事不出村)= 本期末在村级的调解成功数 ÷ 调解成功数"),
    Figure("disputes.within_township_share", "乡级以内化解占比", RATE,
           "乡级以内化解占比(大事不出乡)= 本期末在村级或乡级的调解成功数 ÷ 调解成功数"),
    Figure("disputes.major", "重大矛盾纠纷", DISPUTES,
           "重大矛盾纠纷数 = 登记纠纷中风险等级为重大的件数"),
    Figure("disputes.major_responsible", "落实领导包案", DISPUTES,
           "落实领导包案的重大矛盾纠纷数 = 重大矛盾纠纷中责任单位、责任领导、责任人员均已明确的件数"),
    Figure("disputes.legal_aid", "引导法律援助", DISPUTES,
           "引导法律援助数 = 本期末调解不成、已引导当事人申请法律援助的件数"),
    Figure("disputes.judicial_applied", "申请司法确认", DISPUTES,
           "申请司法确认数 = 登记纠纷中本期末前当事人已向人民法院申请司法确认的调解协议数(人民调解法第三十三条)"),
    Figure("disputes.judicial_confirmed", "司法确认有效", DISPUTES,
           "司法确认有效数 = 本期末前人民法院裁定确认调解协议有效的件数"),
    Figure("disputes.judicial_rejected", "司法确认驳回", DISPUTES,
           "司法确认驳回数 = 本期末前人民法院裁定驳回司法确认申请的件数"),
    Figure("disputes.judicial_withdrawn", "司法确认撤回", DISPUTES,
           "司法确认撤回数 = 本期末前当事人撤回司法确认申请的件数"),
    Figure("disputes.prevented_criminal", "防止民转刑(件)", DISPUTES,
           "防止民转刑件数 = 登记纠纷中标记为防止民转刑的件数"),
    Figure("disputes.prevented_criminal_persons", "防止民转刑(人)", PERSONS,
           "防止民转刑人数 = 标记为防止民转刑的纠纷涉及的人数"),
    Figure("disputes.prevented_group_petition", "防止群体性上访(件)", DISPUTES,
           "防止群体性上访件数 = 登记纠纷中标记为防止群体性上访的件数"),
    Figure("disputes.prevented_group_petition_persons", "防止群体性上访(人)", PERSONS,
           "防止群体性上访人数 = 标记为防止群体性上访的纠纷涉及的人数"),
    Figure("disputes.referred_in", "委托移送", DISPUTES,
           "委托移送数 = 登记纠纷中案件来源为委托移送(法院、公安、信访或其他部门移送)的件数"),
    Figure("disputes.court_docking", "诉调对接", DISPUTES,
           "诉调对接数 = 委托移送纠纷中由人民法院委派(诉前)或委托(诉中)调解的件数"),
    Figure("disputes.police_docking", "警调对接", DISPUTES,
           "警调对接数 = 委托移送纠纷中由公安机关(派出所)移送调解的件数"),
    Figure("disputes.petition_docking", "访调对接", DISPUTES,
           "访调对接数 = 委托移送纠纷中由信访部门移送调解的件数 + 案件来源为信访转调的登记纠纷件数"),
    Figure("disputes.referred_out_litigation", "调解不成引导诉讼", DISPUTES,
           "引导诉讼数 = 本期末调解不成、已引导当事人依法提起诉讼的件数(一案告知多种途径的，各途径分别计数)"),
    Figure("disputes.referred_out_pre_litigation", "调解不成转诉前调解", DISPUTES,
           "转诉前调解数 = 本期末调解不成、已引导当事人到人民法院诉前调解的件数"),
    Figure("disputes.referred_out_arbitration", "调解不成引导仲裁", DISPUTES,
           "引导仲裁数 = 本期末调解不成、已告知当事人申请仲裁的件数"),
    Figure("disputes.referred_out_administrative", "调解不成引导行政途径", DISPUTES,
           "引导行政途径数 = 本期末调解不成、已告知当事人通过行政途径(行政机关处理、行政裁决等)解决的件数"),
    Figure("disputes.not_accepted_special_body", "不予受理:只能由专门机关处理", DISPUTES,
           "不予受理数中，理由为法律、法规规定只能由专门机关管辖处理或禁止采用民间调解方式解决的件数"
           "(人民调解工作若干规定第二十二条第(一)项)"),
    Figure("disputes.not_accepted_already_handled", "不予受理:已由法院、公安或行政机关受理", DISPUTES,
           "不予受理数中，理由为人民法院、公安机关或者其他行政机关已经受理或者解决的件数"
           "(人民调解工作若干规定第二十二条第(二)项)"),
    Figure("disputes.not_accepted_party_refused", "不予受理:一方当事人不同意调解", DISPUTES,
           "不予受理数中，理由为一方当事人不同意调解的件数(人民调解法第十七条：当事人一方明确拒绝调解的，不得调解)"),
    Figure("disputes.not_accepted_other", "不予受理:其他理由", DISPUTES,
           "不予受理数中，理由为其他情形或未记录理由的件数；四项理由之和等于不予受理数"),
    Figure("disputes.objected", "主动调解遭当事人拒绝", DISPUTES,
           "主动调解遭拒绝数 = 本期登记的主动调解纠纷中，本期末前一方当事人明确拒绝调解的件数(含因此不予受理或终止调解的)"),
    Figure("disputes.written_agreements", "书面协议", DISPUTES,
           "书面协议数 = 调解成功数中以书面调解协议书结案的件数"),
    Figure("disputes.oral_agreements", "口头协议", DISPUTES,
           "口头协议数 = 调解成功数中达成口头协议的件数；书面协议数 + 口头协议数 = 调解成功数"),
    Figure("disputes.agreement_amount", "协议涉及金额", YUAN,
           "协议涉及金额 = 调解成功数中已记录协议涉及金额的调解协议所涉金额之和(元，精确到分)；未记录金额的协议不计入"),
    Figure("disputes.by_type", N_("按纠纷类别"), DISPUTES,
           "按纠纷类型分列的登记纠纷数"),
    Figure("disputes.by_village", N_("按村"), DISPUTES,
           "按行政村分列的登记纠纷数"),
    Figure("disputes.by_source", N_("按案件来源"), DISPUTES,
           "按案件来源分列的登记纠纷数"),
    Figure("disputes.by_referral_origin", N_("按委托移送来源"), DISPUTES,
           "按移送来源(法院委派、法院委托、公安、信访、其他部门；未记录来源的为“未注明”)分列的委托移送纠纷数"),
    Figure("disputes.by_channel", N_("按调解方式"), DISPUTES,
           "按调解方式(人民调解、行政调解、司法调解)分列的登记纠纷数"),
    Figure("disputes.by_level", N_("按化解层级"), DISPUTES,
           "按本期末所在层级(村、乡、县)分列的调解成功数"),
    Figure("disputes.by_month", N_("按月份"), DISPUTES,
           "按登记月份分列的登记纠纷数"),
    Figure("petitions.received", "收到信访(件)", ITEMS,
           "收到信访事项件数 = 本期登记的信访事项件数(重复信访关联首件，不重复计数)"),
    Figure("petitions.accepted", "受理信访(件)", ITEMS,
           "受理信访事项件数 = 收到的信访事项中本期末已决定受理或交办的件数(不含受理时依法导入法定程序的，另列)"),
    Figure("petitions.assigned", "交办", ITEMS,
           "交办件数 = 受理信访事项中本期末已决定交办有关机关办理的件数(计入受理件数)"),
    Figure("petitions.routed", "导入法定程序", ITEMS,
           "导入法定程序件数 = 收到的信访事项中本期末已依法分类处理、导入诉讼、仲裁、行政复议或其他法定途径"
           "(已告知信访人向有关机关提出，《信访工作条例》第三十一条)的件数；不计入受理件数，不计60日办结期限"),
    Figure("petitions.from_above", "上级转送交办", ITEMS,
           "上级转送交办件数 = 收到的信访事项中由上级机关转送或交办到本级的件数(以本级收到之日计入期间)"),
    Figure("petitions.forwarded", "转送", ITEMS,
           "转送件数 = 收到的信访事项中本期末已转送有权处理机关的件数"),
    Figure("petitions.not_accepted", "信访不予受理", ITEMS,
           "不予受理件数 = 收到的信访事项中本期末已决定不予受理的件数"),
    Figure("petitions.undecided", "待定", ITEMS,
           "待定件数 = 收到的信访事项中本期末尚未决定受理、转送、交办或不予受理的件数"),
    Figure("petitions.timely_decided", "及时受理", ITEMS,
           "及时受理件数 = 本期末已作出决定的信访事项中，在收到之日起15日内(期满日遇休息日顺延)作出决定的件数"),
    Figure("petitions.timely_decided_rate", "及时受理率", RATE,
           "及时受理率 = 收到之日起15日内作出决定的件数 ÷ 本期末已作出决定(受理、交办、转送、不予受理)的件数"),
    Figure("petitions.supervised", "督办", ITEMS,
           "督办件数 = 收到的信访事项(含重复信访)中本期末已由领导督办(记录督办意见和期限)的件数，同一事项多次督办计1件"),
    Figure("petitions.persons", "信访人次", PERSON_TIMES,
           "信访人次 = 本期登记的信访事项(含重复信访)的信访人数合计"),
    Figure("petitions.visits", "来访(批)", BATCHES,
           "来访批数 = 本期登记的来访信访事项(含重复信访)件数"),
    Figure("petitions.visit_persons", "来访人次", PERSON_TIMES,
           "来访人次 = 本期登记的来访信访事项(含重复信访)的信访人数合计"),
    Figure("petitions.leader_reception_days", "领导接访日", TIMES,
           "领导接访日次数 = 本期有乡领导接待来访(登记时记录接访领导)的日数，同一日多名领导接访计1次"),
    Figure("petitions.leader_visits", "领导接访(批)", BATCHES,
           "领导接访批数 = 本期登记的来访(含重复信访)中由乡领导在领导接访日接待的批数"),
    Figure("petitions.leader_visit_persons", "领导接访人次", PERSON_TIMES,
           "领导接访人次 = 领导接访的来访的信访人数合计"),
    Figure("petitions.collective", "集体访", BATCHES,
           "集体访批数 = 本期登记的来访(含重复信访)中人数达到集体访标准(乡镇设置，默认5人)的批数"),
    Figure("petitions.collective_other", "多人联名信访", ITEMS,
           "多人联名信访件数 = 本期登记的来信、网上、来电、传真中人数达到集体访标准的件数，不计入集体访"),
    Figure("petitions.repeat", "重复信访", ITEMS,
           "重复信访件数 = 已关联到首次信访、不计入收到件数的信访事项件数"),
    Figure("petitions.cross_level", "越级访", ITEMS,
           "越级访件数 = 标记为越级的信访事项件数"),
    Figure("petitions.to_province_or_beijing", "赴省进京上访", ITEMS,
           "赴省进京上访件数 = 本期末到达层级为省或进京的信访事项件数(按记录的到达之日；登记时已到达的自登记起计)"),
    Figure("petitions.due", "应办结", ITEMS,
           "应办结件数 = 办结期限(受理之日起60日，含经批准的延期)届满日在本期内、且已届满或已办结的信访事项件数"),
    Figure("petitions.on_time", "按期办结", ITEMS,
           "按期办结件数 = 应办结件数中在期限内出具处理意见的件数"),
    Figure("petitions.on_time_rate", "按期办结率", RATE,
           "按期办结率 = 按期办结件数 ÷ 应办结件数"),
    Figure("petitions.answered", "已答复", ITEMS,
           "已答复件数 = 收到的信访事项(含重复信访)中本期末已出具处理意见的件数"),
    Figure("petitions.rated", "参评", ITEMS,
           "参评件数 = 已答复件数中已记录满意度评价(满意、基本满意、不满意)的件数"),
    Figure("petitions.rating_rate", "参评率", RATE,
           "参评率 = 参评件数 ÷ 已答复件数"),
    Figure("petitions.satisfied", "满意(含基本满意)", ITEMS,
           "满意件数 = 参评件数中评价为满意或基本满意的件数"),
    Figure("petitions.satisfaction_rate", "满意率", RATE,
           "满意率 = (满意 + 基本满意)÷ 参评件数"),
    Figure("petitions.disruptive", "缠访闹访", ITEMS,
           "缠访闹访件数 = 本期末已认定为缠访闹访的信访事项件数(登记时即认定的，自登记日起计)"),
    Figure("petitions.police_referred", "缠访闹访移交公安", ITEMS,
           "移交公安机关件数 = 缠访闹访中本期末已将违法行为依法移交公安机关处理的件数(《信访工作条例》第四十七条)"),
    Figure("petitions.by_channel", N_("信访按形式"), ITEMS,
           "按信访形式(网上、来信、来电、传真、来访)分列的收到件数"),
    Figure("petitions.by_village", N_("信访按村"), ITEMS,
           "按行政村分列的收到件数"),
    Figure("petitions.by_category", N_("信访按事项类别"), ITEMS,
           "按信访事项类别分列的收到件数"),
    Figure("screening.due", "应排查", TIMES,
           "应排查次数 = 按排查制度(村每周一次、乡每半月一次，重点时段加密)属于本期、已届满或已排查的期数；跨月的一周属于其星期四所在的月份，故各月之和等于季度、各季度之和等于全年；自本乡镇在casetrack的首条记录起计"),
    Figure("screening.held", "实际排查", TIMES,
           "实际排查次数 = 应排查的各期中已开展排查(含零上报)的期数"),
    Figure("screening.nil", "零上报", TIMES,
           "零上报次数 = 已排查的各期中只有零上报(未发现矛盾纠纷)的期数"),
    Figure("screening.found", "有发现的排查", TIMES,
           "发现问题的排查次数 = 已排查的各期中有排查发现的期数"),
    Figure("screening.findings", "排查发现纠纷", DISPUTES,
           "排查发现矛盾纠纷数 = 属于本期的排查所发现的矛盾纠纷件数"),
    Figure("screening.found_registered", "登记调处", DISPUTES,
           "登记调处数 = 排查发现的矛盾纠纷中已登记为纠纷案件(主动调解)的件数"),
    Figure("screening.found_resolved", "当场化解", DISPUTES,
           "当场化解数 = 排查发现的矛盾纠纷中未登记为案件、当场化解的件数"),
    Figure("screening.intensified_held", "重点时段加密排查", TIMES,
           "重点时段加密排查次数 = 春节、全国两会等重点时段(乡镇设置的加密排查时段)中已开展排查的期数"),
    Figure("screening.rate", "排查完成率", RATE,
           "排查完成率 = 实际排查次数(超出应排查次数的部分不计)÷ 应排查次数"),
    # 预警 (early warnings, domain/warnings.py): a warning counts in the period it was raised in, at the level it
    # stood at on the period's end (or when it was resolved, if earlier).
    Figure("warnings.raised", "发出预警", ITEMS,
           "发出预警数 = 本期发出的预警条数(同一对象同一规则未解除前只计一条)"),
    Figure("warnings.red", "红色预警", ITEMS,
           "红色预警数 = 本期发出的预警中，本期末(已解除的按解除时)为红色的条数"),
    Figure("warnings.yellow", "黄色预警", ITEMS,
           "黄色预警数 = 本期发出的预警中，本期末(已解除的按解除时)为黄色的条数"),
    Figure("warnings.blue", "蓝色预警", ITEMS,
           "蓝色预警数 = 本期发出的预警中，本期末(已解除的按解除时)为蓝色的条数"),
    Figure("warnings.resolved", "预警已解除", ITEMS,
           "预警已解除数 = 本期发出的预警中，本期末前其所涉案件已化解、预警已解除的条数"),
)

FIGURES: dict[str, Figure] = {f.key: f for f in CATALOGUE}
"""Each figure by its "section.key", in the report's order."""

DEFINITIONS: dict[str, str] = {f.key: f.definition for f in CATALOGUE}
LABELS: dict[str, str] = {f.key: f.label for f in CATALOGUE}
RATE_KEYS = frozenset(f.key for f in CATALOGUE if f.is_rate)
NOT_RECORDED = frozenset(f.key for f in CATALOGUE if not f.recorded)
"""Figures casetrack cannot count yet: null in the JSON (with their definition), left out of the page and files."""
BREAKDOWN_TITLES: dict[str, str] = {f.key: f.breakdown_title for f in CATALOGUE if f.is_breakdown}
