"""Callable factories for petitions (信访): register one and drive it through the real services to any state."""

from datetime import date, timedelta

from sqlalchemy import func, select

from casetrack import clock
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, Petition, PetitionCategory, Township, User, Village
from casetrack.services import petitions as services

VALID_ID = "11010519491231002X"  # GB 11643 example with a correct check digit
VALID_PHONE = "13812345678"

PATH = [
    "registered", "accepted", "in_progress", "answered", "delivered", "rated",
    "under_review", "reviewed", "under_second_review", "closed",
]
"""The main road through the workflow; make_petition stops at any of these (or not_accepted/forwarded/assigned)."""

# Days after receipt on which make_petition takes each step (all well inside their statutory windows).
STEP_DAY = {
    "accepted": 2, "in_progress": 3, "answered": 20, "delivered": 22, "under_review": 30, "reviewed": 40,
    "under_second_review": 45, "closed": 55,
}


def category(township: Township, name: str = "村务管理") -> PetitionCategory:
    """Return one of the township's default petition categories by name."""
    return db.session.execute(
        select(PetitionCategory).where(PetitionCategory.township_id == township.id, PetitionCategory.name == name)
    ).scalar_one()


def make_petition(
    actor: User, township: Township, *, state: str = "registered", received_on: date | None = None,
    village: Village | None = None, channel: str = "letter", persons: int = 1,
    petitioners: list[services.PetitionerData] | None = None, repeat_of_number: str | None = None,
    request: str = "反映村集体土地补偿款未按时发放", category_name: str = "村务管理",
) -> Petition:
    """Register a petition received on received_on (default 100 days ago) and take it to state; commits.

    Each step is taken STEP_DAY[step] days after receipt, so received_on must be at least 55 days ago
    for a petition driven to "closed".
    """
    today = clock.today()
    received_on = received_on or today - timedelta(days=100)
    intake = services.PetitionIntake(
        received_on=received_on, channel=pw.Channel(channel), category_id=category(township, category_name).id,
        request=request, persons=persons, village_id=village.id if village else None,
        repeat_of_number=repeat_of_number,
        petitioners=petitioners or [services.PetitionerData("赵大民", VALID_ID, VALID_PHONE, "斜沟村3号")],
    )
    petition = services.register_petition(actor, township, intake, today)
    on = {step: received_on + timedelta(days=n) for step, n in STEP_DAY.items()}
    if state in ("not_accepted", "forwarded", "assigned"):
        note = {"not_accepted": "不属于信访事项", "forwarded": "县自然资源局", "assigned": "乡农经站"}[state]
        services.decide(petition, actor, state, on["accepted"], today, note)
    elif state != "registered":
        reached = PATH.index(state)
        services.decide(petition, actor, "accepted", on["accepted"], today)
        if reached >= PATH.index("in_progress"):
            services.start(petition, actor, on["in_progress"], today)
        if reached >= PATH.index("answered"):
            services.answer(petition, actor, pw.Opinion.EXPLAINED, "已向信访人解释补偿标准", on["answered"], today)
        if reached >= PATH.index("delivered"):
            services.deliver(petition, actor, on["delivered"], today)
        if reached >= PATH.index("rated"):
            services.rate(petition, actor, wf.Satisfaction.DISSATISFIED)
        if reached >= PATH.index("under_review"):
            services.request_review(petition, actor, on["under_review"], today)
        if reached >= PATH.index("reviewed"):
            services.answer_review(petition, actor, "维持原处理意见", on["reviewed"], today)
        if reached >= PATH.index("under_second_review"):
            services.request_second_review(petition, actor, on["under_second_review"], today)
        if reached >= PATH.index("closed"):
            services.answer_second_review(petition, actor, "复核维持,信访事项终结", on["closed"], today)
    db.session.commit()
    assert petition.status == state, (petition.status, state)
    return petition


def petition_snapshot(petition_id: int) -> dict:
    """Flush, reload the petition from the database and return what a refusal must leave untouched."""
    db.session.flush()
    db.session.expire_all()
    petition = db.session.get(Petition, petition_id)
    return {
        "status": petition.status, "version": petition.version, "decision": petition.decision,
        "decided_on": petition.decided_on, "extension_days": petition.extension_days,
        "extension_requested_days": petition.extension_requested_days,
        "extension_approved_by_id": petition.extension_approved_by_id, "opinion": petition.opinion,
        "answered_on": petition.answered_on, "review_requested_on": petition.review_requested_on,
        "second_review_requested_on": petition.second_review_requested_on, "closed_on": petition.closed_on,
        "disputes": [d.id for d in petition.disputes],
        "events": db.session.execute(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.petition_id == petition_id)
        ).scalar_one(),
    }


def petition_timeline(petition_id: int) -> list[CaseEvent]:
    """Return a petition's timeline entries from the database, oldest first."""
    return list(db.session.execute(
        select(CaseEvent).where(CaseEvent.petition_id == petition_id).order_by(CaseEvent.id)
    ).scalars())


def dispute_timeline(dispute_id: int) -> list[CaseEvent]:
    """Return a dispute's timeline entries from the database, oldest first."""
    return list(db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == dispute_id).order_by(CaseEvent.id)
    ).scalars())


def count_disputes() -> int:
    """Count every dispute in the database."""
    return db.session.execute(select(func.count()).select_from(Dispute)).scalar_one()


def count_petitions() -> int:
    """Count every petition in the database."""
    return db.session.execute(select(func.count()).select_from(Petition)).scalar_one()


def set_township_settings(township: Township, **settings) -> None:
    """Change township settings (assigning a new dict so the JSON column is saved); commits."""
    township.settings = {**(township.settings or {}), **settings}
    db.session.commit()


# A year's holiday plan (放假安排) as an admin would enter it for 2027, which the chinese-calendar package
# does not know: New Year, a Spring Festival week with two make-up workdays (Sun 14 Feb, Sat 20 Feb) and the
# National Day week with two (Sun 26 Sep, Sat 9 Oct). Invented for the tests, in the shape the State Council uses.
PLAN_2027_ROWS = [
    ("2027-01-01", "休"),
    *((f"2027-02-{day:02d}", "休") for day in range(6, 14)),
    ("2027-02-14", "班"),
    ("2027-02-20", "班"),
    ("2027-09-26", "班"),
    *((f"2027-10-{day:02d}", "休") for day in range(1, 8)),
    ("2027-10-09", "班"),
]
PLAN_2027 = "日期,类型\n" + "".join(f"{day},{kind}\n" for day, kind in PLAN_2027_ROWS)
