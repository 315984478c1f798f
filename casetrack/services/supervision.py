"""Major disputes (重大矛盾纠纷): who answers for them (领导包案), leaders' supervision (督办), prevented escalations."""

from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from casetrack import permissions
from casetrack.clock import now_utc
from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf
from casetrack.domain.errors import N_, DomainError
from casetrack.extensions import db
from casetrack.models import Dispute, Petition, Supervision, User
from casetrack.services import notifications
from casetrack.services.disputes import check_version
from casetrack.services.timeline import record_event

CLOSED = (wf.DisputeState.ARCHIVED.value, wf.DisputeState.NOT_ACCEPTED.value)


def name_responsibility(dispute: Dispute, actor: User, unit: str, leader: str, person: str,
                        expected_version: int | None = None) -> None:
    """Name the responsible unit, leader and person (责任单位、责任领导、责任人员), while the case is handled."""
    check_version(dispute, expected_version)
    if dispute.state in (wf.DisputeState.ARCHIVED, wf.DisputeState.NOT_ACCEPTED):
        raise DomainError("案件已%(state)s,不能再明确包案责任。", state=dispute.state.label)
    values = {N_("责任单位"): unit.strip(), N_("责任领导"): leader.strip(), N_("责任人员"): person.strip()}
    missing = [label for label, value in values.items() if not value]
    if missing:
        raise DomainError("请填写%(fields)s。", fields=missing)
    keys = ("responsible_unit", "responsible_leader", "responsible_person")
    before = {key: getattr(dispute, key) for key in keys}
    dispute.responsible_unit, dispute.responsible_leader, dispute.responsible_person = values.values()
    db.session.flush()
    changes = {key: (before[key], value) for key, value in zip(keys, values.values(), strict=True)
               if before[key] != value}
    unit, leader, person = values.values()
    record_event(dispute, actor, "responsibility", {"unit": unit, "leader": leader, "person": person}, changes)


def supervise(dispute: Dispute, leader: User, note: str, due_on: date, today: date) -> Supervision:
    """A leader supervises (督办) a case with a note and a deadline; it stays on their list until closed."""
    if not permissions.can_act(leader, dispute, "supervise"):
        raise DomainError("只有本乡镇的领导可以督办。")
    if dispute.status in CLOSED:
        raise DomainError("已结案的案件不需要督办。")
    supervision = _supervision(leader, note, due_on, today, dispute_id=dispute.id)
    record_event(dispute, leader, "supervise", _params(supervision))
    notifications.announce_supervision(dispute, leader, due_on, now_utc())
    return supervision


def _supervision(leader: User, note: str, due_on: date, today: date, **case) -> Supervision:
    """Check the instruction and the deadline and store a 督办 of a dispute or a petition (case: its id)."""
    if not note.strip():
        raise DomainError("请填写督办意见。")
    if due_on < today:
        raise DomainError("督办期限不能早于今天。")
    supervision = Supervision(leader_id=leader.id, note=note.strip(), due_on=due_on, supervised_on=today, **case)
    db.session.add(supervision)
    db.session.flush()
    return supervision


def _params(supervision: Supervision) -> dict:
    """The timeline entry's parameters: the leader is the entry's actor, so they are not named again."""
    return {"note": supervision.note, "due_on": supervision.due_on, "supervision_id": supervision.id}


def record_prevention(dispute: Dispute, actor: User, criminal_persons: int, group_persons: int,
                      expected_version: int | None = None) -> None:
    """Record prevented escalations (防止民转刑, 防止群体性上访) with the people involved; 0 clears one."""
    check_version(dispute, expected_version)
    if criminal_persons < 0 or group_persons < 0:
        raise DomainError("人数不能为负数。")
    before = (dispute.prevented_criminal_persons if dispute.prevented_criminal else 0,
              dispute.prevented_group_petition_persons if dispute.prevented_group_petition else 0)
    dispute.prevented_criminal, dispute.prevented_criminal_persons = criminal_persons > 0, criminal_persons
    dispute.prevented_group_petition, dispute.prevented_group_petition_persons = group_persons > 0, group_persons
    db.session.flush()
    record_event(dispute, actor, "prevention", {}, {
        "prevented_criminal_persons": (before[0], criminal_persons),
        "prevented_group_petition_persons": (before[1], group_persons)})


def leader_list(leader: User) -> list[Dispute]:
    """The open cases a leader supervises, soonest supervision deadline first."""
    supervised = exists().where(Supervision.dispute_id == Dispute.id, Supervision.leader_id == leader.id)
    return list(db.session.execute(
        select(Dispute).where(supervised, Dispute.status.not_in(CLOSED))
        .options(selectinload(Dispute.supervisions), selectinload(Dispute.village)).order_by(Dispute.registered_on)
    ).scalars())


def supervise_petition(petition: Petition, leader: User, note: str, due_on: date, today: date) -> Supervision:
    """A leader supervises (督办) a petition as a dispute: note, deadline, on their list until it is closed."""
    if not permissions.can_act_on_petition(leader, petition, "supervise"):
        raise DomainError("只有本乡镇的领导可以督办。")
    if not pw.is_open(petition.state):
        raise DomainError("已办结的信访事项不需要督办。")
    supervision = _supervision(leader, note, due_on, today, petition_id=petition.id)
    record_event(None, leader, "supervise", _params(supervision), petition=petition)
    notifications.announce_petition_supervision(petition, leader, due_on, now_utc())
    return supervision


def leader_petition_list(leader: User) -> list[Petition]:
    """The open petitions a leader supervises, oldest first."""
    supervised = exists().where(Supervision.petition_id == Petition.id, Supervision.leader_id == leader.id)
    open_states = [state.value for state in pw.OPEN_STATES]
    return list(db.session.execute(
        select(Petition).where(supervised, Petition.status.in_(open_states))
        .options(selectinload(Petition.supervisions)).order_by(Petition.received_on, Petition.id)
    ).scalars())
