"""Dates judged when a test runs, not when its module is imported.

The suite takes about ten minutes; a run that crosses Beijing midnight must not carry yesterday's "today"
into a test. Parametrized input names a day by one of the placeholders below and a test resolves it.
"""

from datetime import timedelta

from casetrack import clock

YESTERDAY, TODAY, TOMORROW = "<yesterday>", "<today>", "<tomorrow>"
_OFFSETS = {YESTERDAY: -1, TODAY: 0, TOMORROW: 1}


def resolve(value):
    """The ISO date a placeholder stands for today; any other value unchanged."""
    if isinstance(value, str) and value in _OFFSETS:
        return (clock.today() + timedelta(days=_OFFSETS[value])).isoformat()
    return value


def resolved(body: dict) -> dict:
    """A form body with every placeholder replaced by its date."""
    return {key: resolve(value) for key, value in body.items()}
