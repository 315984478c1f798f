"""Beijing time, whatever the server's clock zone: "today" and every time limit are judged in it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    """Return the current instant as a naive UTC datetime, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Return today's date in Beijing."""
    return datetime.now(BEIJING).date()


def to_beijing(moment: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC datetime to Beijing time for display."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(BEIJING)
