"""Append entries to a case's timeline."""

from datetime import date
from enum import StrEnum
from typing import Any

from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, User


def _plain(value: Any) -> Any:
    """Make a value JSON-safe and readable: enums by label, dates as ISO strings."""
    if isinstance(value, StrEnum):
        return getattr(value, "label", value.value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_event(
    dispute: Dispute, actor: User | None, action: str, summary: str, changes: dict[str, tuple] | None = None
) -> CaseEvent:
    """Append a timeline entry: changes map a Chinese field label to (old, new)."""
    entry = CaseEvent(
        dispute_id=dispute.id,
        actor_id=actor.id if actor else None,
        action=action,
        summary=summary,
        changes={label: [_plain(old), _plain(new)] for label, (old, new) in (changes or {}).items()},
    )
    db.session.add(entry)
    return entry
