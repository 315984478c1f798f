"""Append entries to a case's timeline, as data: a kind, its parameters, the changed fields with raw values."""

import functools
from datetime import date
from enum import Enum
from typing import Any

from casetrack.domain import timeline as tl
from casetrack.extensions import db
from casetrack.models import CaseEvent, Dispute, Petition, User


def plain(value: Any) -> Any:
    """Make a value JSON-safe and raw: enums by their stored value, dates as ISO strings."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def record_event(
    dispute: Dispute | None, actor: User | None, kind: str, params: dict | None = None,
    changes: dict[str, tuple] | None = None, petition: Petition | None = None,
) -> CaseEvent:
    """Append an entry to a dispute's or a petition's timeline.

    kind names a sentence of domain/timeline.py; params fill it (None values are left out); changes map a
    field key to (old, new) raw values.
    """
    entry = CaseEvent(
        dispute_id=dispute.id if dispute else None,
        petition_id=petition.id if petition else None,
        actor_id=actor.id if actor else None,
        action=kind,
        params={name: plain(value) for name, value in (params or {}).items() if value is not None},
        summary=None,
        changes={key: [plain(old), plain(new)] for key, (old, new) in (changes or {}).items()},
    )
    db.session.add(entry)
    return entry


def chinese_sentence(entry: CaseEvent) -> str:
    """Return the entry's sentence in Chinese, as files that print the timeline keep it."""
    return shown_sentence(entry, tl.same)


def chinese_changes(entry: CaseEvent) -> dict[str, list]:
    """Return the entry's changes in Chinese, {label: [old, new]}, as files that print the timeline keep them."""
    return {c.label: [c.old, c.new] for c in shown_changes(entry, tl.same)}


@functools.cache
def _words() -> dict:
    from casetrack.models.attachments import ATTACHMENT_KINDS
    return {"attachment_kind": ATTACHMENT_KINDS}


@functools.cache
def _ledger_headers() -> dict[str, str]:
    from casetrack.ledger.format import COLUMNS
    return {column.key: column.header for columns in COLUMNS.values() for column in columns}


def shown_sentence(entry: CaseEvent, translate: tl.Translate) -> str:
    """Return the entry's sentence in the language of translate (gettext for the reader's language)."""
    return tl.render_sentence(entry.action, entry.params, entry.of_petition, translate,
                              legacy_text=entry.summary, words=_words())


def shown_changes(entry: CaseEvent, translate: tl.Translate) -> list[tl.ShownChange]:
    """Return the entry's changed fields with labels and values in the language of translate."""
    return tl.render_changes(entry.changes, entry.of_petition, translate, extra_labels=_ledger_headers(),
                             legacy=entry.legacy)
