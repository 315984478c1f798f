"""Beijing time, whatever the server's clock zone: "today" and every time limit are judged in it.

For tests only, CASETRACK_TEST_TODAY=YYYY-MM-DD moves the clock: "today" becomes that date and every
instant moves by the same number of days, so the suite can be run as if it were 2027 or 2030.
"""

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
TEST_TODAY_VARIABLE = "CASETRACK_TEST_TODAY"


def _shift() -> timedelta:
    """Return how far the test clock is moved (nothing unless CASETRACK_TEST_TODAY is set)."""
    moved_to = os.environ.get(TEST_TODAY_VARIABLE)
    if not moved_to:
        return timedelta(0)
    return date.fromisoformat(moved_to) - datetime.now(BEIJING).date()


def now_utc() -> datetime:
    """Return the current instant as a naive UTC datetime, the form stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None) + _shift()


def today() -> date:
    """Return today's date in Beijing."""
    return datetime.now(BEIJING).date() + _shift()


def to_beijing(moment: datetime | None) -> datetime | None:
    """Convert a stored naive-UTC datetime to Beijing time for display."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(BEIJING)
