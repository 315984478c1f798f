"""Helpers for the queue tests: cases made through the real services on chosen dates, browsing as a user, and
reading the queue page (its rows, tab counts and pager links) back out of the HTML a user gets.

Dates are fixed days in 2024-2026 where only the calendar matters, and relative to clock.today() where a
time limit must fall due soon or be overdue; the services refuse dates after today. A limit placed on an exact
day may fall on a weekend, so the townships here take the strict reading (no roll past a rest day): the queue
is tested on stored limits; how a limit rolls is tested in tests/domain and tests/services.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import g
from flask.testing import FlaskClient
from lxml import html as lxml_html
from sqlalchemy import select

from casetrack import clock
from casetrack.domain import deadlines as dl
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import (
    CaseEvent,
    Dispute,
    Petition,
    PetitionCategory,
    Township,
    User,
    Village,
)
from casetrack.services import disputes as dispute_services
from casetrack.services import petitions as petition_services
from casetrack.services.places import dispute_types

from ..conftest import PASSWORD

VALID_ID = "11010519491231002X"  # GB 11643 example with a correct check digit
OTHER_ID = "110105194912310021"  # not checked against the digit rules here: only stored, never registered
VALID_PHONE = "13812345678"


def today() -> date:
    return clock.today()


def days(n: int) -> date:
    """Return the day n days from today (negative: in the past)."""
    return today() + timedelta(days=n)


def count_strictly(township: Township) -> None:
    """Let the township's limits end on the day counted, even a rest day, so tests can place them exactly."""
    if not township.setting("strict_period_end"):
        township.settings = {**(township.settings or {}), "strict_period_end": True}
        db.session.flush()


def accepted_for_due(due: date) -> date:
    """Return the acceptance day whose one-month mediation limit ends on `due` (calendar days, no holiday roll).

    No day does for the 29th-31st after a shorter month (03-29..31 follow February): then the day giving the
    latest limit before it, and dispute() records the parties' agreed date (延续调解) as the limit.
    """
    for back in range(27, 33):
        accepted = due - timedelta(days=back)
        if dl.add_months(accepted, 1) == due:
            return accepted
    return next(due - timedelta(days=back) for back in range(28, 33)
                if dl.add_months(due - timedelta(days=back), 1) < due)


def dispute(
    actor: User, village: Village, registered_on: date, *, state: str = "registered", due: date | None = None,
    accepted_on: date | None = None, outcome: str = "succeeded", risk: str = "general", level: str = "village",
    type_name: str = "邻里", applicant: str = "张三", respondent: str = "李四", summary: str = "因院墙占道发生争执",
    id_number: str | None = VALID_ID, phone: str | None = VALID_PHONE, mediators: list[User] | None = None,
) -> Dispute:
    """Register a dispute and drive it through the services to state (registered, accepted, mediating,
    concluded, visited, archived, not_accepted). `due` picks the acceptance day so the mediation limit ends
    then; level "township"/"county" is reached by escalating after acceptance. Commits."""
    now = today()
    count_strictly(village.township)
    if due is not None:
        accepted_on = accepted_for_due(due)
    if accepted_on is not None:
        registered_on = min(registered_on, accepted_on)
    types = {t.name: t for t in dispute_types(village.township_id)}
    parties = [dispute_services.PartyData(wf.PartySide.APPLICANT, applicant, wf.Gender.MALE, id_number, phone)]
    if respondent:
        parties.append(dispute_services.PartyData(wf.PartySide.RESPONDENT, respondent, wf.Gender.FEMALE))
    intake = dispute_services.DisputeIntake(
        village_id=village.id, dispute_type_id=types[type_name].id, source=wf.Source.APPLICATION,
        registered_on=registered_on, summary=summary, risk_level=wf.RiskLevel(risk), parties=parties,
    )
    case = dispute_services.register_dispute(actor, intake, now)
    if risk == "major":  # a major dispute moves on only once someone answers for it (领导包案)
        from casetrack.services import supervision

        supervision.name_responsibility(case, actor, "乡综治中心", "乡长", "综治专干")
    if state == "not_accepted":
        dispute_services.not_accept(case, actor, registered_on, "属于法院专属管辖", "县人民法院", now)
    elif state != "registered":
        on = accepted_on or registered_on
        dispute_services.accept(case, actor, on, now)
        for _ in range(["village", "township", "county"].index(level)):
            dispute_services.escalate(case, actor, "村调委会调解未果,上报处理")
        if state != "accepted":
            chosen = mediators if mediators is not None else [actor]
            dispute_services.assign_mediators(case, actor, [u.id for u in chosen])
        if state in ("concluded", "visited", "archived"):
            closed_on = min(on + timedelta(days=5), now)
            result = dispute_services.Conclusion(outcome=wf.Outcome(outcome), closed_on=closed_on)
            if outcome == "succeeded":
                result.agreement_form = wf.AgreementForm.WRITTEN
                result.agreement_terms = "李四于十日内拆除占道院墙"
                result.performance_deadline = min(closed_on + timedelta(days=10), now)
            elif outcome == "failed":
                result.channels_told = ["诉讼"]
            else:
                result.end_reason = wf.EndReason.WITHDRAWN
            dispute_services.conclude(case, actor, result, now)
            if state in ("visited", "archived") and outcome == "succeeded":
                dispute_services.record_return_visit(
                    case, actor, min(closed_on + timedelta(days=12), now), wf.Performance.PERFORMED, now)
            if state == "archived":
                dispute_services.archive(case, actor, min(closed_on + timedelta(days=15), now), now)
    elif level != "village":
        for _ in range(["village", "township", "county"].index(level)):
            dispute_services.escalate(case, actor, "村调委会调解未果,上报处理")
    if due is not None and state in ("accepted", "mediating") and dl.add_months(accepted_on, 1) != due:
        case.continuation_agreed, case.continued_until = True, due  # see accepted_for_due
    db.session.commit()
    if state == "not_accepted":
        assert case.status == "not_accepted"
    else:
        assert case.status == state, (case.status, state)
    if due is not None:
        assert case.due_on == due, (case.due_on, due)
    return case


def supervise(case: Dispute, leader: User, due_on: date) -> None:
    """Put a case under a leader's supervision (督办) through the service; commits."""
    from casetrack.services import supervision

    supervision.supervise(case, leader, "请于期限内调结并报告", due_on, today())
    db.session.commit()


def category(township: Township, name: str = "村务管理") -> PetitionCategory:
    return db.session.execute(select(PetitionCategory).where(
        PetitionCategory.township_id == township.id, PetitionCategory.name == name)).scalar_one()


PETITION_PATH = ["registered", "accepted", "in_progress", "answered", "delivered", "closed"]


def petition(
    actor: User, township: Township, received_on: date, *, state: str = "registered", village: Village | None = None,
    name: str = "赵大民", request: str = "反映村集体土地补偿款未按时发放",
) -> Petition:
    """Register a petition received on received_on and take it along the main road to state; each step is taken
    one day after the one before (never after today). Commits."""
    now = today()
    count_strictly(township)
    intake = petition_services.PetitionIntake(
        received_on=received_on, channel=pw.Channel.LETTER, category_id=category(township).id, request=request,
        village_id=village.id if village else None,
        petitioners=[petition_services.PetitionerData(name, VALID_ID, None, "斜沟村3号")],
    )
    case = petition_services.register_petition(actor, township, intake, now)
    reached = PETITION_PATH.index(state)

    def on(step: int) -> date:
        return min(received_on + timedelta(days=step), now)

    if reached >= 1:
        petition_services.decide(case, actor, "accepted", on(1), now)
    if reached >= 2:
        petition_services.start(case, actor, on(2), now)
    if reached >= 3:
        petition_services.answer(case, actor, pw.Opinion.EXPLAINED, "已向信访人解释补偿标准", on(3), now)
    if reached >= 4:
        petition_services.deliver(case, actor, on(4), now)
    if reached >= 5:
        petition_services.close(case, actor, on(5), now)
    db.session.commit()
    assert case.status == state, (case.status, state)
    return case


def events(case: Dispute) -> list[CaseEvent]:
    """Return a dispute's timeline, oldest first, from the database."""
    return list(db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == case.id).order_by(CaseEvent.id)).scalars())


def snapshot(case_id: int) -> dict:
    """Reload a dispute and return what a refused action must leave as it was."""
    db.session.expire_all()
    case = db.session.get(Dispute, case_id)
    return {"status": case.status, "version": case.version, "level": case.level, "accepted_on": case.accepted_on,
            "mediators": [u.id for u in case.mediators], "events": len(events(case)),
            "returned_note": case.returned_note, "merged_into_id": case.merged_into_id}


class Browser(FlaskClient):
    """A test client that loads its user from its own cookie on every request.

    The app fixture keeps one app context open for a whole test, so Flask-Login's user cached in flask.g
    would otherwise carry one client's user into another client's requests.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


def browse_as(app, username: str) -> Browser:
    """Return a client logged in through the real form as username."""
    client = Browser(app, app.response_class, use_cookies=True)
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@dataclass
class QueuePage:
    """What a user reads off one queue page."""

    numbers: list[str]
    counts: dict[str, int]  # tab key -> count in the tab bar
    current_tab: str
    total: int
    links: dict[str, str] = field(default_factory=dict)  # first / prev / next / last -> href
    flashes: list[str] = field(default_factory=list)
    checkboxes: int = 0
    html: str = ""


TAB_KEYS = {"待受理": "pending", "调解中": "mediating", "即将到期": "due_soon", "已超期": "overdue", "重大": "major",
            "待回访": "follow_up", "信访办理中": "petitions", "退回补正": "returned", "全部": "all"}
PAGER = {"首页": "first", "上一页": "prev", "下一页": "next", "末页": "last"}


def read_queue(client, url: str = "/queue", **params) -> QueuePage:
    """GET a queue page and read its rows, tab counts, total and pager links."""
    response = client.get(url, query_string=params or None)
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    tree = lxml_html.fromstring(text)
    numbers = [a.text_content().strip() for a in
               tree.xpath("//table[contains(@class, 'queue-table')]/tbody/tr/td[@data-label='编号']/a")]
    counts, current = {}, None
    for a in tree.xpath("//nav[@class='tabs']/a"):
        label = a.text.strip()
        counts[TAB_KEYS[label]] = int(a.xpath("string(span[@class='count'])"))
        if a.get("aria-current") == "page":
            current = TAB_KEYS[label]
    total = int("".join(ch for ch in tree.xpath("string(//h1/small)") if ch.isdigit()))
    links = {PAGER[a.text_content().strip()]: a.get("href") for a in tree.xpath("//nav[@class='pager']/a")}
    flashes = [p.text_content().strip() for p in tree.xpath("//p[contains(@class, 'flash')]")]
    checkboxes = len(tree.xpath("//input[@type='checkbox'][@name='ids']"))
    return QueuePage(numbers, counts, current, total, links, flashes, checkboxes, text)


def numbers(*cases) -> set[str]:
    return {case.number for case in cases}
