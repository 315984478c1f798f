"""The condition behind each report figure: which cases it counts, each as it stood on a cut-off day.

A period's figures count the cases registered (received) in it, each with its state, level and outcome as at
the period's last day, or the day the report is made when that is earlier (the "cut"). Every condition takes
the cut either as a bound parameter (the report's cached counting statements) or as a date (the queue's list of
the cases behind a figure), so both count and list the same cases.

What "as at" reads, all from dated columns (the timeline holds the same steps, with the moment they were entered):
  受理 accepted_on; 不予受理 closed_on without an outcome; 调结 outcome with closed_on; the level from
  township_level_on / county_level_on (the escalation's day; NULL when the level came with the case, from an
  import); performance from the last return visit (回访) on or before the cut; a petition's decision from
  decided_on, its answer from answered_on. A rating (满意度) is counted with the answer it rates. The 调解方式
  (channel) and the flags (防止民转刑, 缠访闹访, 越级, 到达层级) are facts of the case: a correction applies to
  every period.
"""

from collections.abc import Callable
from functools import partial

from sqlalchemy import and_, case, exists, func, not_, or_, select, true

from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.models import Dispute, Petition, ReturnVisit, Supervision

D, P, RV = Dispute, Petition, ReturnVisit
SATISFIED = (wf.Satisfaction.SATISFIED.value, wf.Satisfaction.BASICALLY.value)
VILLAGE, TOWNSHIP, COUNTY = wf.Level.VILLAGE.value, wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value


def declined(cut):
    """不予受理 by the cut: decided (closed) without being accepted or mediated."""
    return and_(D.accepted_on.is_(None), D.outcome.is_(None), D.closed_on.is_not(None), D.closed_on <= cut)


def concluded(cut):
    return and_(D.outcome.is_not(None), D.closed_on <= cut)


def accepted(cut):
    """受理 by the cut; a case concluded by then was accepted by then, whatever its 受理日期 says."""
    return or_(and_(D.accepted_on.is_not(None), D.accepted_on <= cut), concluded(cut))


def outcome(value: wf.Outcome, cut):
    return and_(D.outcome == value.value, D.closed_on <= cut)


def level_at(cut):
    """The handling level (村/乡/县) the case stood at on the cut (levels only rise)."""
    return case(
        (and_(D.level == COUNTY, or_(D.county_level_on.is_(None), D.county_level_on <= cut)), COUNTY),
        (and_(D.level.in_([COUNTY, TOWNSHIP]), or_(D.township_level_on.is_(None), D.township_level_on <= cut)),
         TOWNSHIP),
        else_=VILLAGE,
    )


def village_township(cut):
    """People's mediation (人民调解) handled at 村 or 乡 on the cut: the "乡村两级调解组织"."""
    return and_(D.channel == wf.Channel.PEOPLES.value, level_at(cut) != COUNTY)


def performance_at(cut):
    """The agreement's performance as the last return visit on or before the cut found it.

    A case with no return visit on record at all (imported with its 履行情况) keeps its stored performance.
    """
    last_visit = (select(RV.performance).where(RV.dispute_id == D.id, RV.visited_on <= cut)
                  .order_by(RV.visited_on.desc(), RV.id.desc()).limit(1).scalar_subquery())
    never_visited = ~exists().where(RV.dispute_id == D.id)
    return func.coalesce(last_visit, case((never_visited, D.performance), else_=None))


def registered(cut):
    return not_(declined(cut))


def court_result(result: wf.CourtResult, cut):
    """The court's result on a 司法确认 application, known by the cut."""
    return and_(registered(cut), D.judicial_confirmation_result == result.value,
                D.judicial_confirmation_result_on <= cut)


def _succeeded(cut):
    return outcome(wf.Outcome.SUCCEEDED, cut)


DISPUTE_CONDITIONS: dict[str, Callable] = {
    "registered": registered,
    "accepted": lambda cut: and_(registered(cut), accepted(cut)),
    "pending_decision": lambda cut: and_(registered(cut), not_(accepted(cut))),
    "not_accepted": declined,
    "mediated": concluded,
    "succeeded": _succeeded,
    "failed": lambda cut: outcome(wf.Outcome.FAILED, cut),
    "ended": lambda cut: outcome(wf.Outcome.ENDED, cut),
    "in_progress": lambda cut: and_(accepted(cut), not_(concluded(cut))),
    "performed": lambda cut: and_(_succeeded(cut), performance_at(cut) == wf.Performance.PERFORMED.value),
    "performance_known": lambda cut: and_(_succeeded(cut), performance_at(cut).is_not(None)),
    "succeeded_village": lambda cut: and_(_succeeded(cut), level_at(cut) == VILLAGE),
    "succeeded_township": lambda cut: and_(_succeeded(cut), level_at(cut) == TOWNSHIP),
    "succeeded_within_township": lambda cut: and_(_succeeded(cut), level_at(cut) != COUNTY),
    "vt_accepted": lambda cut: and_(accepted(cut), village_township(cut)),
    "vt_mediated": lambda cut: and_(concluded(cut), village_township(cut)),
    "vt_succeeded": lambda cut: and_(_succeeded(cut), village_township(cut)),
    "major": lambda cut: and_(registered(cut), D.risk_level == wf.RiskLevel.MAJOR.value),
    "major_responsible": lambda cut: and_(registered(cut), D.risk_level == wf.RiskLevel.MAJOR.value, *(
        func.length(func.trim(func.coalesce(column, ""))) > 0
        for column in (D.responsible_unit, D.responsible_leader, D.responsible_person))),
    "legal_aid": lambda cut: and_(outcome(wf.Outcome.FAILED, cut), D.legal_aid_referred.is_(True)),
    # 司法确认 (人民调解法 Art. 33): applied for by the cut, and the court's result known by the cut
    "judicial_applied": lambda cut: and_(registered(cut), D.judicial_confirmation_applied_on <= cut),
    "judicial_confirmed": lambda cut: court_result(wf.CourtResult.CONFIRMED, cut),
    "judicial_rejected": lambda cut: court_result(wf.CourtResult.REJECTED, cut),
    "judicial_withdrawn": lambda cut: court_result(wf.CourtResult.WITHDRAWN, cut),
    "prevented_criminal": lambda cut: and_(registered(cut), D.prevented_criminal.is_(True)),
    "prevented_group_petition": lambda cut: and_(registered(cut), D.prevented_group_petition.is_(True)),
}
"""Disputes registered in the period (merged duplicates excluded) that a figure counts, as at the cut."""


# ------------------------------------------------------------ referrals, grounds, agreements (issue 19)

REFERRAL = wf.Source.REFERRAL.value
RO, NG = wf.ReferralOrigin, wf.NotAcceptedGround


def referred_in(cut, *origins: wf.ReferralOrigin):
    """委托移送 disputes (registered, not declined), from the given origins when any are named."""
    condition = and_(registered(cut), D.source == REFERRAL)
    return and_(condition, D.referral_origin.in_([o.value for o in origins])) if origins else condition


def referred_out(route: wf.ReferralOut, cut):
    """Failed mediations whose parties were sent on by this route (stored as labels joined by 、)."""
    return and_(outcome(wf.Outcome.FAILED, cut), D.channels_told.like(f"%{route.label}%"))


def declined_on(ground: wf.NotAcceptedGround, cut):
    """不予受理 by the cut on this ground; a decline without a recorded ground counts as 其他."""
    if ground is NG.OTHER:
        return and_(declined(cut), or_(D.not_accepted_ground.is_(None), D.not_accepted_ground == NG.OTHER.value))
    return and_(declined(cut), D.not_accepted_ground == ground.value)


def agreement_form(form: wf.AgreementForm, cut):
    return and_(_succeeded(cut), D.agreement_form == form.value)


DISPUTE_CONDITIONS.update({
    "referred_in": lambda cut: referred_in(cut),
    "court_docking": lambda cut: referred_in(cut, RO.COURT_ASSIGNED, RO.COURT_ENTRUSTED),
    "police_docking": lambda cut: referred_in(cut, RO.POLICE),
    # 访调对接: referred by the petition office, and petitions turned into mediations (信访转调)
    "petition_docking": lambda cut: or_(referred_in(cut, RO.PETITION_OFFICE),
                                        and_(registered(cut), D.source == wf.Source.PETITION.value)),
    **{f"referred_out_{route.value}": partial(referred_out, route) for route in wf.ReferralOut},
    **{f"not_accepted_{ground.value}": partial(declined_on, ground) for ground in wf.NotAcceptedGround},
    "objected": lambda cut: and_(D.source == wf.Source.INITIATIVE.value, D.objection_on <= cut),
    "written_agreements": lambda cut: agreement_form(wf.AgreementForm.WRITTEN, cut),
    "oral_agreements": lambda cut: agreement_form(wf.AgreementForm.ORAL, cut),
    "agreement_amount": lambda cut: and_(_succeeded(cut), D.agreement_amount_fen.is_not(None)),
})

DISPUTE_ALIASES = {
    "mediation_rate": "mediated", "success_rate": "succeeded", "performed_rate": "performed",
    "village_share": "succeeded_village", "within_township_share": "succeeded_within_township",
    "prevented_criminal_persons": "prevented_criminal", "prevented_group_petition_persons": "prevented_group_petition",
    "village_township.accepted": "vt_accepted", "village_township.mediated": "vt_mediated",
    "village_township.succeeded": "vt_succeeded", "village_township.mediation_rate": "vt_mediated",
    "village_township.success_rate": "vt_succeeded",
}
"""A rate's link lists its numerator's cases; a group's figure has its own condition."""

FIRST = P.repeat_of_id.is_(None)


def decided(cut, *decisions: str):
    return and_(P.decision.in_(decisions), P.decided_on <= cut)


def answered(cut):
    return and_(P.answered_on.is_not(None), P.answered_on <= cut)


def rated(cut):
    return and_(answered(cut), P.satisfaction.is_not(None))


PETITION_CONDITIONS: dict[str, Callable] = {
    "received": lambda cut: FIRST,
    "all": lambda cut: true(),
    "repeat": lambda cut: P.repeat_of_id.is_not(None),
    "accepted": lambda cut: and_(FIRST, decided(cut, "accepted", "assigned"), P.legal_route.is_(None)),
    "routed": lambda cut: and_(FIRST, decided(cut, "accepted"), P.legal_route.is_not(None)),
    "from_above": lambda cut: and_(FIRST, P.source != pw.Source.OWN.value),
    "assigned": lambda cut: and_(FIRST, decided(cut, "assigned"), P.legal_route.is_(None)),
    "forwarded": lambda cut: and_(FIRST, decided(cut, "forwarded")),
    "not_accepted": lambda cut: and_(FIRST, decided(cut, "not_accepted")),
    "decided": lambda cut: and_(FIRST, decided(cut, "accepted", "assigned", "forwarded", "not_accepted")),
    "undecided": lambda cut: and_(FIRST, or_(P.decision == "pending", P.decided_on.is_(None), P.decided_on > cut)),
    "supervised": lambda cut: exists().where(Supervision.petition_id == P.id, Supervision.supervised_on <= cut),
    "cross_level": lambda cut: P.cross_level.is_(True),
    "to_province_or_beijing": lambda cut: and_(P.level.in_([pw.Level.PROVINCE.value, pw.Level.BEIJING.value]),
                                               or_(P.province_reached_on.is_(None), P.province_reached_on <= cut)),
    "answered": answered,
    "rated": rated,
    "satisfied": lambda cut: and_(rated(cut), P.satisfaction.in_(SATISFIED)),
    # 缠访闹访 by the cut: so since receipt (at intake, in a ledger), or found so (disruptive_on) by then
    "disruptive": lambda cut: and_(P.disruptive.is_(True), or_(P.disruptive_on.is_(None), P.disruptive_on <= cut)),
    # 依法处置缠访闹访: the matters whose unlawful conduct went to the police (条例 Art. 47) by the cut; found
    # 缠访闹访 by that day at the latest (services.petitions.record_disruptive)
    "police_referred": lambda cut: and_(P.disruptive.is_(True), P.police_referred_on <= cut),
    "visits": lambda cut: P.channel == pw.Channel.VISIT.value,
    # 领导接访: visits a leader received on a reception day (recorded at intake)
    "leader_visits": lambda cut: and_(P.channel == pw.Channel.VISIT.value, P.leader_received_by.is_not(None)),
}
"""Petitions received in the period that a figure counts (all petitions, repeats included, unless said)."""

PETITION_ALIASES = {"persons": "all", "visit_persons": "visits", "on_time_rate": "on_time", "satisfaction_rate": "satisfied",
                    "rating_rate": "rated", "timely_decided_rate": "timely_decided",
                    "leader_visit_persons": "leader_visits", "leader_reception_days": "leader_visits"}
