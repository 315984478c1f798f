"""The demo township 斜沟乡: villages, accounts and disputes in every state over two years."""

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.identity import id_check_digit
from casetrack.models import IntensifiedPeriod, Role, Township, User
from casetrack.services import accounts, counties, disputes, petitions, places, screening, supervision

DEMO_TOWNSHIP = "斜沟乡"
DEMO_VILLAGES = {
    "斜沟村": ["上斜沟", "下斜沟", "阳洼"],
    "王家庄村": ["王家庄", "后庄"],
    "李家湾村": ["李家湾", "柳树湾", "新庄"],
    "马家坪村": ["马家坪", "东坪"],
    "杨家河村": ["杨家河", "河湾", "沙沟"],
    "张家岘村": ["张家岘", "岘口"],
    "赵家沟村": ["赵家沟", "寺沟", "阴山"],
}
SURNAMES = "王李张刘陈杨赵马周吴孙郭何高罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海龙", "玉梅", "天明", "春花", "永福", "金花", "德胜", "小军", "红霞", "宝山"]
SCENARIOS = [
    ("邻里", "因{a}家修建院墙占用公共通道,与邻居{b}发生争执,双方多次口角。"),
    ("婚姻家庭", "{a}与{b}夫妻因家庭琐事及子女抚养问题矛盾激化,{a}要求村调委会调解。"),
    ("房屋宅基地", "{a}与{b}因宅基地界址不清发生纠纷,双方均主张对方越界建房。"),
    ("山林土地", "{a}与{b}因承包地地界及一片林地归属发生争议。"),
    ("损害赔偿", "{b}饲养的牛羊啃食{a}家麦苗约两亩,{a}要求赔偿损失。"),
    ("合同", "{a}将核桃卖给{b},{b}尚欠货款8600元未付。"),
    ("劳动争议", "{a}在{b}承包的工地务工三个月,工资12000元未结清。"),
    ("道路交通事故", "{a}驾驶三轮车与{b}的摩托车相撞,{b}腿部受伤,双方就医药费赔偿有争议。"),
    ("生产经营", "{a}与{b}合伙养殖散伙,就共同财产分割发生纠纷。"),
    ("征地拆迁", "{a}对道路拓宽工程占地补偿款分配有异议,与同组村民{b}发生争执。"),
    ("环境污染", "{b}养殖场粪污排入{a}家承包地,{a}要求停止侵害并赔偿。"),
    ("其他", "{a}与{b}因灌溉用水先后顺序发生争吵。"),
]
PLACES = ["村委会调解室", "乡人民调解委员会", "当事人家中", "村文化广场"]


@dataclass
class DemoResult:
    township: Township
    password: str
    accounts: list[tuple[str, str]]
    case_count: int


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _id_number(rng: random.Random, born: date) -> str:
    first17 = f"620123{born:%Y%m%d}{rng.randint(100, 999)}"
    return first17 + id_check_digit(first17)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"


def generated_password() -> str:
    """Return a random password for the demo accounts: 16 characters of 64, far from any list or name."""
    return secrets.token_urlsafe(12)


def create_demo(password: str | None = None, seed: int = 2020) -> DemoResult:
    """Create 斜沟乡 with its 7 villages, the demo accounts and about 120 disputes."""
    password = password or generated_password()
    township = places.add_township(DEMO_TOWNSHIP)
    villages = [places.add_village(township, name, naturals) for name, naturals in DEMO_VILLAGES.items()]
    admin = accounts.add_user("admin", password, Role.ADMIN, full_name="系统管理员")
    staff = accounts.add_user("staff", password, Role.STAFF, township=township, full_name="乡司法所 刘明")
    leader = accounts.add_user("leader", password, Role.LEADER, township=township, full_name="分管领导 陈志国")
    mediators = [
        accounts.add_user(f"mediator{n}", password, Role.MEDIATOR, village=village,
                          full_name=f"{village.name}调解员")
        for n, village in enumerate(villages, start=1)
    ]
    created = _create_cases(random.Random(seed), township, villages, mediators, staff)
    _create_screening(random.Random(seed + 1), township, villages, mediators, staff)
    _create_petitions(random.Random(seed + 2), township, villages, staff, leader)
    listing = [(u.username, u.role.label) for u in [admin, staff, *mediators]]
    listing.insert(2, ("leader", Role.LEADER.label))
    second, second_accounts, second_created = _create_second_township(password, seed)
    county = counties.add_county(DEMO_COUNTY, [township.name, second.name])
    county_user = accounts.add_user("county", password, Role.COUNTY, county=county, full_name="县司法局 周平")
    listing += [*second_accounts, (county_user.username, county_user.role.label)]
    return DemoResult(township, password, listing, created + second_created)


DEMO_COUNTY = "示范县"
SECOND_TOWNSHIP = "东岭乡"
SECOND_VILLAGES = {"东岭村": ["东岭", "岭后"], "石门村": ["石门", "下石门"], "柳林村": ["柳林", "新庄"]}


def _create_second_township(password: str, seed: int) -> tuple[Township, list[tuple[str, str]], int]:
    """A smaller second township (东岭乡), so the county's roll-up (/county) compares townships."""
    township = places.add_township(SECOND_TOWNSHIP)
    villages = [places.add_village(township, name, naturals) for name, naturals in SECOND_VILLAGES.items()]
    staff = accounts.add_user("dlstaff", password, Role.STAFF, township=township, full_name="东岭乡司法所 何静")
    leader = accounts.add_user("dlleader", password, Role.LEADER, township=township, full_name="东岭乡分管领导 孙强")
    mediators = [accounts.add_user(f"dlmediator{n}", password, Role.MEDIATOR, village=village,
                                   full_name=f"{village.name}调解员")
                 for n, village in enumerate(villages, start=1)]
    created = _create_cases(random.Random(seed + 10), township, villages, mediators, staff, total=60)
    _create_screening(random.Random(seed + 11), township, villages, mediators, staff)
    _create_petitions(random.Random(seed + 12), township, villages, staff, leader)
    return township, [(u.username, u.role.label) for u in [staff, leader, *mediators]], created


def _create_cases(rng, township, villages, mediators, staff: User, total: int = 120) -> int:
    today = clock.today()
    types = {t.name: t for t in places.dispute_types(township.id)}
    start = date(today.year - 1, 1, 3)
    span = (today - start).days
    count = 0
    for index in range(total):
        registered = start + timedelta(days=int(span * index / total) + rng.randint(0, 2))
        if registered > today:
            registered = today
        village_index = rng.randrange(len(villages))
        village, mediator = villages[village_index], mediators[village_index]
        type_name, template = rng.choice(SCENARIOS)
        a, b = _person(rng), _person(rng)
        parties = [
            disputes.PartyData(wf.PartySide.APPLICANT, a, rng.choice(list(wf.Gender)),
                               _id_number(rng, date(rng.randint(1955, 1998), rng.randint(1, 12), rng.randint(1, 28))),
                               _phone(rng), f"{village.name}{rng.choice(village.natural_villages).name}"),
            disputes.PartyData(wf.PartySide.RESPONDENT, b, rng.choice(list(wf.Gender)), None, _phone(rng), None),
        ]
        risk = rng.choices(list(wf.RiskLevel), weights=[85, 12, 3])[0]
        natural = rng.choice(village.natural_villages).id  # drawn in the order the demo always drew them
        source = rng.choices(list(wf.Source), weights=[60, 25, 10, 5])[0]
        origin = list(wf.ReferralOrigin)[index % len(wf.ReferralOrigin)] if source is wf.Source.REFERRAL else None
        intake = disputes.DisputeIntake(
            village_id=village.id, natural_village_id=natural,
            dispute_type_id=types[type_name].id,
            source=source, referral_origin=origin,
            referral_body=REFERRING_BODIES[origin] if origin else None,
            registered_on=registered, summary=template.format(a=a, b=b), parties=parties,
            people_involved=rng.choice([2, 2, 2, 3, 4, 6]), risk_level=risk,
            police_reported=risk is wf.RiskLevel.MAJOR,
        )
        case = disputes.register_dispute(mediator, intake, today)
        if case.is_major:  # 领导包案 before anything else may happen to it
            supervision.name_responsibility(case, mediator, f"{township.name}人民政府", "陈志国", "刘明")
        if rng.random() < 0.06:
            supervision.record_prevention(case, mediator, rng.choice([2, 3, 5]) if rng.random() < 0.6 else 0,
                                          rng.choice([6, 8, 12]) if rng.random() < 0.5 else 0)
        if index < 117:  # the three newest wait to be accepted (已登记)
            _advance(rng, case, mediator, staff, today)
        count += 1
    return count


MONEY_TYPES = {"损害赔偿", "合同", "劳动争议", "道路交通事故", "生产经营", "消费", "医疗", "物业"}
"""Dispute types whose agreements usually settle a sum of money (协议涉及金额)."""

REFERRING_BODIES = {
    wf.ReferralOrigin.COURT_ASSIGNED: "县人民法院", wf.ReferralOrigin.COURT_ENTRUSTED: "县人民法院",
    wf.ReferralOrigin.POLICE: "乡派出所", wf.ReferralOrigin.PETITION_OFFICE: "县信访局",
    wf.ReferralOrigin.OTHER_DEPARTMENT: "县自然资源局",
}


def _advance(rng, case, mediator, staff, today) -> None:
    """Take a case some way along the workflow; older cases get further."""
    age = (today - case.registered_on).days
    roll = rng.random()
    if age < 14 and roll < 0.4:
        return  # freshly registered
    if roll < 0.05:
        on = min(case.registered_on + timedelta(days=1), today)
        disputes.not_accept(case, mediator, on, "属于人民法院专属管辖的事项,依法不能调解。", "县人民法院", today)
        return
    actor = mediator
    on = min(case.registered_on + timedelta(days=rng.randint(0, 2)), today)
    disputes.accept(case, actor, on, today)
    if case.risk_level != "general" and rng.random() < 0.5:
        disputes.escalate(case, actor, "案情复杂、涉及人数较多,村级调解难度大,上报乡调委会。")
        actor = staff
    if age < 30 and roll < 0.55:
        return  # accepted, waiting for a mediator
    disputes.assign_mediators(case, actor, [mediator.id])
    held = min(on + timedelta(days=rng.randint(1, 6)), today)
    disputes.record_investigation(case, actor, held, "走访双方当事人及周边群众,查看现场,了解纠纷起因。", today,
                                  place="纠纷现场", subject="双方当事人及知情村民")
    disputes.record_session(case, actor, held, rng.choice(PLACES), mediator.display_name, "双方当事人",
                            "向双方讲解相关法律法规,分别做思想工作,双方各自陈述意见。", today)
    if age < 45:
        return  # still in mediation
    closed = min(held + timedelta(days=rng.randint(2, 20)), today)
    outcome = rng.choices(list(wf.Outcome), weights=[88, 8, 4])[0]
    result = disputes.Conclusion(outcome=outcome, closed_on=closed)
    if outcome is wf.Outcome.SUCCEEDED:
        result.agreement_form = rng.choice([wf.AgreementForm.WRITTEN, wf.AgreementForm.WRITTEN, wf.AgreementForm.ORAL])
        result.agreement_facts = case.summary
        result.agreement_terms = "一、双方就争议事项达成一致;\n二、被申请人于约定期限内履行;\n三、双方今后互谅互让,不再因此事发生纠纷。"
        result.performance_manner = "当场或于村委会现场交付"
        result.performance_deadline = closed + timedelta(days=rng.choice([0, 7, 15, 30]))
        result.agreement_copies = 3
        result.agreement_amount_fen = (case.id % 7) * 150_000 if case.dispute_type.name in MONEY_TYPES else None
    elif outcome is wf.Outcome.FAILED:
        result.channels_told, result.legal_aid_referred = ["引导诉讼", "仲裁"], rng.random() < 0.5
    else:
        result.end_reason = rng.choice(list(wf.EndReason))
    disputes.conclude(case, actor, result, today)
    if outcome is not wf.Outcome.SUCCEEDED:
        if age > 60:
            disputes.archive(case, actor, min(closed + timedelta(days=10), today), today)
        return
    visit_on = (result.performance_deadline or closed) + timedelta(days=rng.randint(3, 20))
    if visit_on > today or age < 50:
        return  # waiting for the return visit
    performance = rng.choices(list(wf.Performance), weights=[90, 7, 3])[0]
    disputes.record_return_visit(case, actor, visit_on, performance, today,
                                 rng.choice([wf.Satisfaction.SATISFIED, wf.Satisfaction.BASICALLY]))
    if age > 90:
        disputes.archive(case, actor, min(visit_on + timedelta(days=5), today), today)


FESTIVALS = [("春节", (1, 28), (2, 4)), ("国庆", (10, 1), (10, 7))]
FINDINGS = ["两户村民因地界发生口角,已当场劝解", "村民反映邻居修房占用巷道", "外出务工人员工资拖欠,情绪激动"]


def _create_screening(rng, township, villages, mediators, staff) -> None:
    """Two years of rounds: mostly held, a quarter nil reports (零上报), some missed on purpose."""
    from casetrack.extensions import db

    today = clock.today()
    for year in (today.year - 1, today.year):
        for name, (m1, d1), (m2, d2) in FESTIVALS:
            db.session.add(IntensifiedPeriod(township_id=township.id, name=name, starts_on=date(year, m1, d1),
                                             ends_on=date(year, m2, d2), interval="week", applies_to="both"))
    db.session.flush()
    start = date(today.year - 1, 1, 1)
    units = [("village", v, m) for v, m in zip(villages, mediators, strict=True)] + [("township", None, staff)]
    for level, village, actor in units:
        reliability = 0.97 if village is None else rng.uniform(0.8, 0.99)
        periods = screening.sc.schedule(start, today, screening.interval_for(township, level),
                                        screening.intensified_periods(township, level, start, today))
        for period in periods:
            if period.end >= today or rng.random() > reliability:
                continue  # the current period is still due; the rest were missed
            held_on = period.start + timedelta(days=rng.randint(0, (period.end - period.start).days))
            findings = [] if rng.random() < 0.6 else [
                screening.FindingData(rng.choice(FINDINGS), False, "已当场化解,不需立案")
            ]
            screening.record_round(actor, township, level, village.id if village else None, held_on,
                                   actor.display_name, findings, today)


REQUESTS = ["反映土地承包经营权被他人占用,要求恢复", "要求落实征地补偿款", "反映拖欠务工工资", "要求解决宅基地审批问题",
            "反映村务公开不及时", "要求解决低保评定问题"]


def _create_petitions(rng, township, villages, staff, leader) -> None:
    """About thirty petitions over two years: answered, rated, reviewed, extended, a few group visits."""
    from casetrack.domain import petition_workflow as pw

    today = clock.today()
    categories = places.petition_categories(township.id)
    start = date(today.year - 1, 1, 10)
    span = (today - start).days
    for index in range(30):
        received = min(start + timedelta(days=int(span * index / 30)), today)
        persons = rng.choice([1, 1, 1, 2, 3, 6])
        channel = pw.Channel.VISIT if persons > 1 else rng.choice(list(pw.Channel))
        names = [_person(rng) for _ in range(min(persons, 5) if channel is pw.Channel.VISIT else 1)]
        people = [petitions.PetitionerData(name, None, _phone(rng), None, i == 0 and persons > 1)
                  for i, name in enumerate(names)]
        intake = petitions.PetitionIntake(
            received_on=received, channel=channel, category_id=rng.choice(categories).id,
            request=rng.choice(REQUESTS), petitioners=people, persons=persons,
            village_id=rng.choice(villages).id, level=rng.choice([pw.Level.TOWNSHIP] * 6 + [pw.Level.COUNTY]),
        )
        petition = petitions.register_petition(staff, township, intake, today)
        age = (today - received).days
        if age < 5:
            continue  # waiting for the acceptance decision
        petitions.decide(petition, staff, "accepted", received + timedelta(days=3), today)
        if rng.random() < 0.15:
            petitions.extend(petition, leader, 20, "需要会同国土部门现场测量", received + timedelta(days=40), today)
        if age < 70:
            continue  # still being handled
        answered = received + timedelta(days=rng.randint(20, 62))
        petitions.answer(petition, staff, rng.choice(list(pw.Opinion)), "经调查核实,依据有关政策作出答复。",
                         min(answered, today), today)
        petitions.deliver(petition, staff, min(answered + timedelta(days=2), today), today)
        petitions.rate(petition, staff, rng.choice([wf.Satisfaction.SATISFIED] * 3 + [wf.Satisfaction.BASICALLY,
                                                                                      wf.Satisfaction.DISSATISFIED]))
        if age > 120 and rng.random() < 0.8:
            petitions.close(petition, staff, min(answered + timedelta(days=35), today), today)
