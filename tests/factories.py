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
