"""Load and save a township's ledger mapping (models.LedgerMapping), so its next file needs no mapping."""

from sqlalchemy import select

from casetrack.extensions import db
from casetrack.ledger.mapping import LedgerMap
from casetrack.models import LedgerMapping


def load_map(township_id: int | None) -> LedgerMap:
    """Return the mapping saved for a township (empty for None)."""
    mapping = LedgerMap()
    if township_id is None:
        return mapping
    for row in db.session.execute(select(LedgerMapping).where(LedgerMapping.township_id == township_id)).scalars():
        if row.column:
            mapping.values[(row.kind, row.column, row.source)] = row.target
        else:
            mapping.headers[(row.kind, row.source)] = row.target
    return mapping


def save_map(township_id: int, mapping: LedgerMap) -> None:
    """Add a mapping's entries to the township's saved one, replacing entries for the same header or value."""
    existing = {(row.kind, row.column, row.source): row for row in db.session.execute(
        select(LedgerMapping).where(LedgerMapping.township_id == township_id)).scalars()}
    entries = [((kind, "", source), target) for (kind, source), target in mapping.headers.items()]
    entries += [((kind, column, source), target) for (kind, column, source), target in mapping.values.items()]
    for (kind, column, source), target in entries:
        row = existing.get((kind, column, source))
        if row is None:
            db.session.add(LedgerMapping(township_id=township_id, kind=kind, column=column, source=source,
                                         target=target))
        else:
            row.target = target
    db.session.flush()
