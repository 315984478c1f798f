"""Callable factories: make a dispute and drive it through the real services to any state."""

from datetime import date, timedelta

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.extensions import db
from casetrack.models import Dispute, User, Village
from casetrack.services import disputes
from casetrack.services.places import dispute_types

VALID_ID = "11010519491231002X"  # GB 11643 example with a correct check digit
VALID_PHONE = "13812345678"

PATH = ["registered", "accepted", "mediating", "concluded", "visited", "archived"]


def make_dispute(
    actor: User, village: Village, *, state: str = "registered", outcome: str = "succeeded",
    registered_on: date | None = None, level: str = "village", risk: str = "general",
    applicant: str = "张三", respondent: str = "李四", type_name: str = "邻里",
) -> Dispute:
    """Register a dispute and take it to the given state; commits."""
    today = clock.today()
    registered_on = registered_on or today - timedelta(days=40)
    types = {t.name: t for t in dispute_types(village.township_id)}
    intake = disputes.DisputeIntake(
        village_id=village.id, dispute_type_id=types[type_name].id, source=wf.Source.APPLICATION,
        registered_on=registered_on, summary="因院墙占道发生争执", risk_level=wf.RiskLevel(risk),
        parties=[
            disputes.PartyData(wf.PartySide.APPLICANT, applicant, wf.Gender.MALE, VALID_ID, VALID_PHONE, "斜沟村1号"),
            disputes.PartyData(wf.PartySide.RESPONDENT, respondent, wf.Gender.FEMALE),
        ],
    )
    case = disputes.register_dispute(actor, intake, today)
    day = registered_on
    if state == "not_accepted":
        disputes.not_accept(case, actor, day, "属于法院专属管辖", "县人民法院", today)
    elif state != "registered":
        disputes.accept(case, actor, day, today)
        if PATH.index(state) >= PATH.index("mediating"):
            disputes.assign_mediators(case, actor, [actor.id] if actor.role in ("mediator", "staff") else [])
        if PATH.index(state) >= PATH.index("concluded"):
            conclusion = disputes.Conclusion(outcome=wf.Outcome(outcome), closed_on=day + timedelta(days=5))
            if outcome == "succeeded":
                conclusion.agreement_form = wf.AgreementForm.WRITTEN
                conclusion.agreement_terms = "李四于十日内拆除占道院墙"
                conclusion.performance_deadline = day + timedelta(days=15)
            elif outcome == "failed":
                conclusion.channels_told = ["诉讼"]
            else:
                conclusion.end_reason = wf.EndReason.WITHDRAWN
            disputes.conclude(case, actor, conclusion, today)
        if PATH.index(state) >= PATH.index("visited") and outcome == "succeeded":
            disputes.record_return_visit(case, actor, day + timedelta(days=20), wf.Performance.PERFORMED, today)
        if state == "archived":
            disputes.archive(case, actor, day + timedelta(days=25), today)
    if level != "village":
        case.level = level
    db.session.commit()
    return case


# --- helpers for the workflow, scoping and validation tests -------------------------------------------

SITUATIONS: dict[str, tuple[str, str | None]] = {
    "registered": ("registered", None),
    "accepted": ("accepted", None),
    "not_accepted": ("not_accepted", None),
    "mediating": ("mediating", None),
    "concluded-succeeded": ("concluded", "succeeded"),
    "concluded-failed": ("concluded", "failed"),
    "concluded-ended": ("concluded", "ended"),
    "visited": ("visited", "succeeded"),
    "archived-succeeded": ("archived", "succeeded"),
    "archived-failed": ("archived", "failed"),
    "archived-not_accepted": ("archived", None),
}
"""Every place a case can stand in the workflow: its state and, once concluded, its outcome."""


def make_case_in(actor: User, village: Village, situation: str, **kwargs) -> Dispute:
    """Make a dispute standing in one of SITUATIONS, driven there by the real services; commits."""
    state, outcome = SITUATIONS[situation]
    if situation == "archived-not_accepted":
        case = make_dispute(actor, village, state="not_accepted", **kwargs)
        disputes.archive(case, actor, case.closed_on, clock.today())
        db.session.commit()
        return case
    return make_dispute(actor, village, state=state, outcome=outcome or "succeeded", **kwargs)


def case_snapshot(case_id: int) -> dict:
    """Reload a dispute from the database and return what a refusal must leave untouched."""
    from sqlalchemy import func, select

    from casetrack.models import CaseEvent

    db.session.expire_all()
    case = db.session.get(Dispute, case_id)
    return {
        "status": case.status, "version": case.version, "level": case.level, "outcome": case.outcome,
        "accepted_on": case.accepted_on, "closed_on": case.closed_on, "archived_on": case.archived_on,
        "performance": case.performance, "not_accepted_reason": case.not_accepted_reason,
        "agreement_form": case.agreement_form, "summary": case.summary, "risk_level": case.risk_level,
        "judicial_confirmation_court": case.judicial_confirmation_court,
        "continuation_agreed": case.continuation_agreed,
        "mediators": [u.id for u in case.mediators],
        "return_visits": len(case.return_visits), "sessions": len(case.sessions),
        "investigation_notes": len(case.investigation_notes),
        "events": db.session.execute(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.dispute_id == case_id)
        ).scalar_one(),
    }


def timeline(case_id: int) -> list:
    """Return a dispute's timeline entries from the database, oldest first."""
    from sqlalchemy import select

    from casetrack.models import CaseEvent

    return list(db.session.execute(
        select(CaseEvent).where(CaseEvent.dispute_id == case_id).order_by(CaseEvent.id)
    ).scalars())


def count_disputes() -> int:
    """Count every dispute in the database."""
    from sqlalchemy import func, select

    return db.session.execute(select(func.count()).select_from(Dispute)).scalar_one()


def intake_form(village: Village, **overrides) -> dict:
    """Return a valid POST body for /cases/new in this village; overrides replace or add fields."""
    types = dispute_types(village.township_id)
    data = {
        "village_id": str(village.id), "natural_village_id": "", "dispute_type_id": str(types[1].id),
        "source": "application", "channel": "peoples",
        "registered_on": (clock.today() - timedelta(days=3)).isoformat(),
        "applicants-0-name": "张三", "applicants-0-gender": "male", "applicants-0-id_number": VALID_ID,
        "applicants-0-phone": VALID_PHONE, "applicants-0-address": "斜沟村1号",
        "respondents-0-name": "李四", "respondents-0-gender": "female", "respondents-0-id_number": "",
        "respondents-0-phone": "", "respondents-0-address": "",
        "people_involved": "2", "summary": "因院墙占道发生争执", "risk_level": "general",
        "not_duplicate": "1",  # the user has seen any possible duplicates (tests of that step drop this)
    }
    data.update(overrides)
    return data


WORKFLOW_SLUGS = frozenset({
    "accept", "not-accept", "assign", "investigation", "session", "continuation", "conclude", "return-visit",
    "judicial-confirmation", "archive", "escalate", "edit", "objection",
})
"""The case page's links that change a dispute's facts or move it through the mediation workflow."""


def workflow_links(page: str, case_id: int) -> list[str]:
    """The workflow and edit links a case page offers, in page order."""
    import re

    return [slug for slug in re.findall(rf'href="/cases/{case_id}/([a-z-]+)"', page) if slug in WORKFLOW_SLUGS]
