"""The facts a case's binding time limit is counted from, whatever holds them: a stored case, a ledger row
about to be inserted, a queue row read by one statement.

services.time_limits turns them into deadlines with the township's policy (domain/deadlines.py).
"""

from dataclasses import dataclass
from datetime import date

from casetrack.domain import petition_workflow as pw
from casetrack.domain import workflow as wf


@dataclass(frozen=True)
class DisputeFacts:
    """What a dispute's limit depends on: its state, acceptance and agreed continuation, and its outcome."""

    state: wf.DisputeState
    accepted_on: date | None = None
    continuation_agreed: bool = False
    continued_until: date | None = None  # the date both parties agreed to mediate until (延续调解)
    outcome: wf.Outcome | None = None
    performance_deadline: date | None = None
    closed_on: date | None = None

    def __post_init__(self):
        # a stored value or a row's text becomes the member, so `is` comparisons hold
        object.__setattr__(self, "state", wf.DisputeState(self.state))
        object.__setattr__(self, "outcome", wf.Outcome(self.outcome) if self.outcome else None)
        object.__setattr__(self, "continuation_agreed", bool(self.continuation_agreed))


@dataclass(frozen=True)
class PetitionFacts:
    """What a petition's limits depend on: its state, receipt, decision, extension, source and legal route."""

    state: pw.PetitionState
    received_on: date
    decision: pw.Decision | None = None  # only the 60-day opinion limit asks (None: not known, no such limit)
    decided_on: date | None = None
    extension_days: int = 0
    review_requested_on: date | None = None
    second_review_requested_on: date | None = None
    source: pw.Source = pw.Source.OWN
    assigned_due_on: date | None = None  # the limit a higher body set on a matter it assigned (交办)
    completion_report_on: date | None = None
    legal_route: pw.LegalRoute | None = None  # routed into a legal procedure at acceptance (Art. 31)

    def __post_init__(self):
        object.__setattr__(self, "state", pw.PetitionState(self.state))
        object.__setattr__(self, "decision", pw.Decision(self.decision) if self.decision else None)
        object.__setattr__(self, "source", pw.Source(self.source or pw.Source.OWN))
        object.__setattr__(self, "extension_days", self.extension_days or 0)
        object.__setattr__(self, "legal_route", pw.LegalRoute(self.legal_route) if self.legal_route else None)

    @property
    def from_above(self) -> bool:
        """Tell whether a higher body forwarded or assigned the matter (Art. 23)."""
        return self.source.from_above
