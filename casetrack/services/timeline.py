"""Append entries to a case's timeline."""

from datetime import date
from enum import StrEnum
from typing import Any

from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, Petition, User


def _plain(value: Any) -> Any:
    """Make a value JSON-safe and readable: enums by label, dates as ISO strings."""
    if isinstance(value, StrEnum):
        return getattr(value, "label", value.value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_event(
    dispute: Dispute | None, actor: User | None, action: str, summary: str,
    changes: dict[str, tuple] | None = None, petition: Petition | None = None,
) -> CaseEvent:
    """Append an entry to a dispute's or a petition's timeline: changes map a Chinese label to (old, new)."""
    entry = CaseEvent(
        dispute_id=dispute.id if dispute else None,
        petition_id=petition.id if petition else None,
        actor_id=actor.id if actor else None,
        action=action,
        summary=summary,
        changes={label: [_plain(old), _plain(new)] for label, (old, new) in (changes or {}).items()},
    )
    db.session.add(entry)
    return entry
