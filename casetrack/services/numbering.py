"""Allocate running case numbers per township, year and kind: (2020)斜调字第12号."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from casetrack.extensions import db
from casetrack.models import CaseCounter, Township


def next_sequence(township: Township, year: int, kind: str) -> int:
    """Return the next running number, holding the counter row's lock until commit."""
    for _attempt in range(3):
        bumped = db.session.execute(
            update(CaseCounter)
            .where(CaseCounter.township_id == township.id, CaseCounter.year == year, CaseCounter.kind == kind)
            .values(last=CaseCounter.last + 1)
            .execution_options(synchronize_session=False)
        )
        if bumped.rowcount:
            return db.session.execute(
                select(CaseCounter.last).where(
                    CaseCounter.township_id == township.id, CaseCounter.year == year, CaseCounter.kind == kind
                )
            ).scalar_one()
        try:
            with db.session.begin_nested():
                db.session.add(CaseCounter(township_id=township.id, year=year, kind=kind, last=1))
            return 1
        except IntegrityError:
            continue  # another request created the counter first; bump it instead
    raise RuntimeError("could not allocate a case number")


def format_case_number(year: int, prefix: str, seq: int) -> str:
    """Format a case number in the committee's pattern."""
    return f"({year}){prefix}第{seq}号"


def raise_counter_to(township: Township, year: int, kind: str, seq: int) -> None:
    """Make sure later numbers follow an imported or hand-given number."""
    counter = db.session.execute(
        select(CaseCounter).where(
            CaseCounter.township_id == township.id, CaseCounter.year == year, CaseCounter.kind == kind
        )
    ).scalar_one_or_none()
    if counter is None:
        db.session.add(CaseCounter(township_id=township.id, year=year, kind=kind, last=seq))
    elif counter.last < seq:
        counter.last = seq
