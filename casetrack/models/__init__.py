"""SQLAlchemy models, one module per aggregate."""

from casetrack.models.api_tokens import ApiToken
from casetrack.models.attachments import Attachment
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
from casetrack.models.geo import County, NaturalVillage, Township, Village
from casetrack.models.holidays import CalendarDay, CalendarPlan
from casetrack.models.ledger_imports import LedgerImport
from casetrack.models.ledger_maps import LedgerMapping
from casetrack.models.monthly_returns import MonthlyReturn, ReturnStatus
from casetrack.models.notifications import Notification, NotificationChannel
from casetrack.models.petitions import Petition, PetitionCategory, Petitioner
from casetrack.models.queue_tallies import QueueDueTally, QueueTally, QueueTypeTally
from casetrack.models.reports import ReportSnapshot, SavedView
from casetrack.models.screening import IntensifiedPeriod, ScreeningFinding, ScreeningRound
from casetrack.models.supervision import Supervision
from casetrack.models.users import LoginThrottle, Role, User
from casetrack.models.warnings import RiskWarning, WarningEvent

__all__ = [
    "MonthlyReturn",
    "ReturnStatus",
    "ApiToken",
    "Attachment",
    "ReportSnapshot",
    "SavedView",
    "CalendarDay",
    "CalendarPlan",
    "LedgerImport",
    "LedgerMapping",
    "Notification",
    "NotificationChannel",
    "Petition",
    "PetitionCategory",
    "QueueTally",
    "QueueDueTally",
    "QueueTypeTally",
    "Petitioner",
    "CaseCounter",
    "CaseEvent",
    "County",
    "Dispute",
    "IntensifiedPeriod",
    "ScreeningFinding",
    "ScreeningRound",
    "Supervision",
    "DisputeType",
    "InvestigationNote",
    "LoginThrottle",
    "MediationSession",
    "NaturalVillage",
    "Party",
    "ReturnVisit",
    "Role",
    "Township",
    "User",
    "Village",
    "dispute_mediators",
    "RiskWarning",
    "WarningEvent",
]
