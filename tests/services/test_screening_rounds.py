"""One screening round per unit and schedule period, kept by the service and by the database."""

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from casetrack import clock
from casetrack.extensions import db
from casetrack.models import IntensifiedPeriod, ScreeningRound
from casetrack.services import screening


def _count() -> int:
    return db.session.execute(select(func.count()).select_from(ScreeningRound)).scalar_one()


def _record(world, day, level="village", village=None, findings=()):
    village = village or world.village
    return screening.record_round(world.staff, world.township, level, village.id if level == "village" else None,
                                  day, "王调解", list(findings), date(2025, 12, 31))


def test_a_village_records_one_round_a_week_and_the_refusal_names_the_first(app, world):
    first = _record(world, date(2025, 3, 4))  # Tuesday of the week of Monday 03-03
    db.session.commit()
    with pytest.raises(screening.DuplicateRound) as refused:
        _record(world, date(2025, 3, 9), findings=[screening.FindingData("两户争水")])  # its Sunday
    assert refused.value.existing_id == first.id
    assert str(refused.value) == "斜沟村在本排查周期(2025-03-03至2025-03-09)已于2025-03-04记录过排查,每个周期只记录一次。"
    db.session.rollback()
    assert _count() == 1
    _record(world, date(2025, 3, 10))  # the next week
    _record(world, date(2025, 3, 5), village=world.other_village)  # another village
    _record(world, date(2025, 3, 5), level="township")  # the township's own half month
    with pytest.raises(screening.DuplicateRound):
        _record(world, date(2025, 3, 15), level="township")
    db.session.commit()
    assert _count() == 4


def test_an_intensified_period_asks_a_round_a_day_and_still_one_per_day(app, world):
    db.session.add(IntensifiedPeriod(township_id=world.township.id, name="春节", starts_on=date(2025, 1, 28),
                                     ends_on=date(2025, 2, 4), interval="day", applies_to="village"))
    _record(world, date(2025, 1, 29))
    _record(world, date(2025, 1, 30))
    with pytest.raises(screening.DuplicateRound):
        _record(world, date(2025, 1, 30))
    db.session.rollback()


def test_a_round_held_before_a_period_was_intensified_still_counts_for_its_days(app, world):
    """The week's round on Wednesday was recorded for the whole week; a daily period added later starts that
    Wednesday: a second round on the same day is refused even though the periods' starts differ."""
    kept = _record(world, date(2025, 3, 5))
    db.session.add(IntensifiedPeriod(township_id=world.township.id, name="两会", starts_on=date(2025, 3, 5),
                                     ends_on=date(2025, 3, 9), interval="day", applies_to="village"))
    db.session.flush()
    with pytest.raises(screening.DuplicateRound) as refused:
        _record(world, date(2025, 3, 5))
    assert refused.value.existing_id == kept.id
    db.session.rollback()


def test_the_database_refuses_a_second_round_for_the_same_unit_and_period(app, world):
    """Written past the service (another request, a script): the unique indexes keep the rule."""
    _record(world, date(2025, 3, 4))
    _record(world, date(2025, 3, 4), level="township")
    db.session.commit()

    def raw(level, village_id, held_on, start, end):
        db.session.add(ScreeningRound(township_id=world.township.id, village_id=village_id, level=level,
                                      held_on=held_on, period_start=start, period_end=end, screeners="某人"))
        db.session.flush()

    with pytest.raises(IntegrityError):
        raw("village", world.village.id, date(2025, 3, 6), date(2025, 3, 3), date(2025, 3, 9))
    db.session.rollback()
    with pytest.raises(IntegrityError):
        raw("township", None, date(2025, 3, 6), date(2025, 3, 1), date(2025, 3, 15))
    db.session.rollback()
    raw("village", world.other_village.id, date(2025, 3, 6), date(2025, 3, 3), date(2025, 3, 9))
    db.session.commit()
    assert _count() == 3


def test_a_round_saved_meanwhile_by_another_request_gives_the_same_refusal(app, world, monkeypatch):
    """The check found nothing (the other request had not committed); the index refuses, the service says why."""
    first = _record(world, date(2025, 3, 4))
    db.session.commit()
    monkeypatch.setattr(screening, "round_in_period", _only_second_time(screening.round_in_period))
    with pytest.raises(screening.DuplicateRound) as refused:
        _record(world, date(2025, 3, 6))
    assert refused.value.existing_id == first.id
    db.session.rollback()
    assert _count() == 1


def _only_second_time(lookup):
    calls = []

    def lookup_after_the_first_call(*args):
        calls.append(args)
        return None if len(calls) == 1 else lookup(*args)

    return lookup_after_the_first_call


def test_demo_like_schedules_record_one_round_per_period(app, world):
    """Every period of a year gets a round without a refusal: the schedule and the rule agree."""
    today = clock.today()
    start = date(today.year - 1, 1, 1)
    for period in screening.sc.schedule(start, date(today.year - 1, 12, 31), "week"):
        screening.record_round(world.staff, world.township, "village", world.village.id, period.end, "王调解",
                               [], today)
    db.session.commit()
    assert _count() == len(screening.sc.schedule(start, date(today.year - 1, 12, 31), "week"))
