"""How many cases the queue holds in each group of what its tabs and filters ask: kept by database triggers.

Each row counts the live cases (a merged duplicate is not one) of one group; migration 0025 creates the
triggers that change the counts in the same statement as the write to the cases, whatever makes it (the ORM,
a Core statement, raw SQL, the ledger import's COPY), and fills them from the cases at upgrade. Never written
by the app. Read by services.queue.tab_counts.
"""

from datetime import date

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.extensions import db


class _Group:
    """The group a tally counts: place, state, risk, level and the marks the tabs read (督办 supervised, outcome
    succeeded, returned for correction, a binding limit at all). A petition has risk and level '' and no
    marks; a case without a village has village 0."""

    township_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # "dispute" or "petition"
    village_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    supervised: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    succeeded: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    returned: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    dated: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # due_on is set
    n: Mapped[int]


class QueueTally(_Group, db.Model):
    """The number of live disputes and petitions of each group: a few hundred rows a township."""

    __tablename__ = "queue_tallies"
    __table_args__ = (Index("ix_queue_tallies_village", "village_id"),)


class QueueTypeTally(_Group, db.Model):
    """The same for disputes, by dispute type too: read when the queue is filtered by 纠纷类别."""

    __tablename__ = "queue_type_tallies"
    __table_args__ = (Index("ix_queue_type_tallies_village", "village_id", "type_id"),)

    type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class QueueDueTally(db.Model):
    """The number of live cases of one group whose binding time limit falls on one day (cases without one are
    not here). The tabs read the days from today on: 即将到期 is a sum over them up to the due-soon day, and
    已超期 the dated cases of queue_tallies less those of today and after."""

    __tablename__ = "queue_due_tallies"
    __table_args__ = (Index("ix_queue_due_tallies_village", "village_id", "due_on"),)

    township_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due_on: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    village_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(24), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int]
