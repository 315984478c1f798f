"""The annual figures' 预警 section, counted from hand-made warnings with known answers."""

from datetime import date, datetime

from casetrack.extensions import db
from casetrack.models import RiskWarning, WarningEvent
from casetrack.services import statistics


def _warning(township, since, level, resolved_on=None, changes=()):
    row = RiskWarning(township_id=township.id, rule="many_people", subject=f"case:{since}{level}", level=level,
                      text="手工预警", since=since, resolved_on=resolved_on,
                      resolved_at=datetime(resolved_on.year, resolved_on.month, resolved_on.day, 2) if resolved_on
                      else None)
    row.events.append(WarningEvent(action="raised", level=level, text="", at=datetime(since.year, since.month,
                                                                                         since.day, 2)))
    for day, new_level in changes:
        row.events.append(WarningEvent(action="changed", level=new_level, text="",
                                       at=datetime(day.year, day.month, day.day, 2)))
        row.level = new_level
    db.session.add(row)


def test_the_year_counts_warnings_by_level_and_resolved(world):
    t = world.township
    _warning(t, date(2025, 12, 20), "red")  # the year before
    _warning(t, date(2026, 2, 1), "blue", resolved_on=date(2026, 3, 1))
    _warning(t, date(2026, 4, 1), "yellow", changes=[(date(2026, 5, 1), "red")])
    _warning(t, date(2026, 7, 1), "yellow")
    _warning(world.other_township, date(2026, 7, 1), "red")  # another township
    db.session.commit()
    scope = statistics.Scope((t,))
    figures = statistics.figures(statistics.year_period(2026), scope, date(2026, 12, 31))
    assert figures["warnings"] == {"raised": 3, "red": 1, "yellow": 1, "blue": 1, "resolved": 1}
    assert "预警" in figures["definitions"]["warnings.resolved"]
    first_quarter = statistics.figures(statistics.quarter_period(2026, 1), scope, date(2026, 12, 31))
    assert first_quarter["warnings"] == {"raised": 1, "red": 0, "yellow": 0, "blue": 1, "resolved": 1}
