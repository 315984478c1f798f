"""A change stamp per township: a new token whenever its cases change, so cached queue counts know they are old."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from casetrack.extensions import db


class QueueStamp(db.Model):
    """The token of a township's latest committed change to its disputes, petitions or what the queue counts by.

    Written by services.queue_stamps at commit time, never by hand; a missing row means "not changed since
    this table was created", which is a valid stamp too.
    """

    __tablename__ = "queue_stamps"

    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
