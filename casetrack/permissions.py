"""Who may see and do what. Every query of cases is scoped here, so no view can forget it."""

from sqlalchemy import Select, false, true

from casetrack.domain import workflow as wf
from casetrack.models import Dispute, Petition, Role, User, Village


def dispute_scope(user: User):
    """Return a WHERE clause limiting disputes to those the user may see."""
    role = user.role_enum
    if role is Role.ADMIN:
        return true() if user.township_id is None else Dispute.township_id == user.township_id
    if role in (Role.STAFF, Role.LEADER):
        return Dispute.township_id == user.township_id
    if role is Role.MEDIATOR:
        return Dispute.village_id == user.village_id
    return false()


def scoped_disputes(user: User, query: Select) -> Select:
    """Apply the user's reach to a select() of disputes."""
    return query.where(dispute_scope(user))


def village_scope(user: User):
    """Return a WHERE clause limiting villages to those the user may register cases in."""
    role = user.role_enum
    if role is Role.MEDIATOR:
        return Village.id == user.village_id
    if user.township_id is None:
        return true()
    return Village.township_id == user.township_id


def can_view(user: User, dispute: Dispute) -> bool:
    """Tell whether the user may see this dispute at all."""
    role = user.role_enum
    if role is Role.ADMIN:
        return user.township_id is None or dispute.township_id == user.township_id
    if role in (Role.STAFF, Role.LEADER):
        return dispute.township_id == user.township_id
    return role is Role.MEDIATOR and dispute.village_id == user.village_id


def can_register(user: User) -> bool:
    """Tell whether the user may register new disputes."""
    return user.role_enum in (Role.MEDIATOR, Role.STAFF)


def can_act(user: User, dispute: Dispute, action: str | None = None) -> bool:
    """Tell whether the user may change this dispute (optionally: take this action).

    Staff act on their whole township. A mediator acts on their own village's cases while they are
    handled at village level; escalating one to the township hands it over. Leaders and admins read.
    """
    role = user.role_enum
    if role is Role.STAFF:
        return dispute.township_id == user.township_id
    if role is Role.MEDIATOR:
        return dispute.village_id == user.village_id and dispute.level == wf.Level.VILLAGE.value
    return False


def sees_personal_data(user: User, dispute: Dispute) -> bool:
    """Tell whether ID numbers and phones are shown whole: only to those who handle the case."""
    return can_act(user, dispute)


def petition_scope(user: User):
    """Return a WHERE clause limiting petitions to those the user may see."""
    role = user.role_enum
    if role is Role.ADMIN:
        return true() if user.township_id is None else Petition.township_id == user.township_id
    if role in (Role.STAFF, Role.LEADER):
        return Petition.township_id == user.township_id
    if role is Role.MEDIATOR:
        return Petition.village_id == user.village_id
    return false()


def can_register_petition(user: User) -> bool:
    """Staff register petitions for the township, mediators for their own village."""
    return user.role_enum in (Role.MEDIATOR, Role.STAFF)


def can_handle_petition(user: User, petition: Petition) -> bool:
    """Only township staff handle petitions once registered."""
    return user.role_enum is Role.STAFF and petition.township_id == user.township_id


def can_approve_extension(user: User, petition: Petition) -> bool:
    """A leader of the township approves extensions of the handling limit (Art. 34)."""
    return user.role_enum is Role.LEADER and petition.township_id == user.township_id


def sees_petitioner_data(user: User, petition: Petition) -> bool:
    """Tell whether petitioners' ID numbers and phones are shown whole."""
    return can_handle_petition(user, petition)
