"""SQLAlchemy models, one module per aggregate."""

from casetrack.models.cases import (
    Dispute,
    DisputeType,
    InvestigationNote,
    MediationSession,
    Party,
    ReturnVisit,
    dispute_mediators,
)
from casetrack.models.counters import CaseCounter
from casetrack.models.events import CaseEvent
from casetrack.models.geo import NaturalVillage, Township, Village
from casetrack.models.users import LoginFailure, Role, User

__all__ = [
    "CaseCounter",
    "CaseEvent",
    "Dispute",
    "DisputeType",
    "InvestigationNote",
    "LoginFailure",
    "MediationSession",
    "NaturalVillage",
    "Party",
    "ReturnVisit",
    "Role",
    "Township",
    "User",
    "Village",
    "dispute_mediators",
]
