"""The tab counts a worker keeps between pages are never stale: any committed write to a township's cases,
by this worker, another worker or a path around the ORM, gives the township a new stamp, and the next page
counts afresh; a page that only reads does not count again."""

from datetime import date

import pytest
from sqlalchemy import event, select, text, update

from casetrack import create_app
from casetrack.extensions import db
from casetrack.models import Dispute, QueueStamp
from casetrack.services import disputes as dispute_services

from . import browse_as, days, dispute, petition, read_queue, today


@pytest.fixture
def cases(world):
    """Two pending disputes and a pending petition in 斜沟乡, one pending dispute in 东岭乡."""
    first = dispute(world.staff, world.village, date(2026, 10, 8))
    second = dispute(world.staff, world.other_village, date(2026, 10, 9))
    petition(world.staff, world.township, days(-13), village=world.village)  # acceptance limit in 2 days
    far = dispute(world.far_staff, world.far_village, date(2026, 10, 8))
    return first, second, far


@pytest.fixture
def other_worker(app, database_url):
    """A second app on the same database: another gunicorn worker, with its own cache."""
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                        "WTF_CSRF_ENABLED": False, "SERVER_NAME": None,
                        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


class StatementLog:
    """The SQL statements the app runs while it is listening."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def counts(self) -> int:
        return sum(1 for s in self.statements if "count(*)" in s.lower())


@pytest.fixture
def statements(app):
    log = StatementLog()
    event.listen(db.engine, "before_cursor_execute", log)
    yield log
    event.remove(db.engine, "before_cursor_execute", log)


def _pending(client) -> tuple[int, int]:
    page = read_queue(client)
    return page.counts["pending"], page.counts["all"]


def test_a_page_that_only_reads_does_not_count_again(app, cases, statements):
    client = browse_as(app, "staff")
    first = read_queue(client)
    assert statements.counts() > 0
    statements.statements.clear()
    again = read_queue(client)
    assert statements.counts() == 0  # served from the worker's cache
    assert again.counts == first.counts == {
        "pending": 3, "mediating": 0, "due_soon": 1, "overdue": 0, "major": 0, "follow_up": 0, "petitions": 0,
        "returned": 0, "all": 3}


def test_a_write_through_the_app_shows_in_the_next_counts(app, world, cases):
    client = browse_as(app, "staff")
    assert _pending(client) == (3, 3)
    first = db.session.get(Dispute, cases[0].id)
    dispute_services.accept(first, world.staff, today(), today())
    db.session.commit()
    page = read_queue(client)
    assert (page.counts["pending"], page.counts["mediating"], page.counts["all"]) == (2, 1, 3)


def test_a_write_by_another_worker_shows_in_this_workers_counts(app, world, cases, other_worker):
    client = browse_as(app, "staff")
    assert _pending(client) == (3, 3)
    other_client = browse_as(other_worker, "staff")
    assert _pending(other_client) == (3, 3)  # both workers now hold the counts
    with other_worker.app_context():  # the other worker registers a dispute and accepts one
        dispute(db.session.get(type(world.staff), world.staff.id), db.session.get(type(world.village),
                world.village.id), date(2026, 11, 1))
        accepted = db.session.get(Dispute, cases[1].id)
        dispute_services.accept(accepted, accepted.created_by, today(), today())
        db.session.commit()
    page = read_queue(client)
    assert (page.counts["pending"], page.counts["mediating"], page.counts["all"]) == (3, 1, 4)


@pytest.mark.parametrize("path", ["core update", "raw sql", "own connection"])
def test_a_write_around_the_orm_shows_in_the_next_counts(app, world, cases, path):
    client = browse_as(app, "staff")
    assert _pending(client) == (3, 3)
    archive = {"status": "archived", "closed_on": today(), "archived_on": today()}
    if path == "core update":
        db.session.execute(update(Dispute.__table__).where(Dispute.__table__.c.id == cases[0].id).values(archive))
        db.session.commit()
    elif path == "raw sql":
        db.session.execute(text("UPDATE disputes SET status = 'archived' WHERE id = :id"), {"id": cases[0].id})
        db.session.commit()
    else:
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE disputes SET status = 'archived' WHERE id = :id"), {"id": cases[0].id})
    assert _pending(client) == (2, 3)


def test_uncommitted_changes_of_the_same_session_are_counted_then_forgotten(app, world, cases):
    client = browse_as(app, "staff")
    assert _pending(client) == (3, 3)
    db.session.execute(text("UPDATE disputes SET status = 'archived' WHERE id = :id"), {"id": cases[0].id})
    assert _pending(client) == (2, 3)  # the test and its requests share one session and transaction
    db.session.rollback()
    assert _pending(client) == (3, 3)


def test_a_write_in_one_township_leaves_the_others_stamp_alone(app, world, cases):
    def stamps():
        return dict(db.session.execute(select(QueueStamp.township_id, QueueStamp.token)).all())

    before = stamps()
    far = db.session.get(Dispute, cases[2].id)
    dispute_services.accept(far, world.far_staff, today(), today())
    db.session.commit()
    after = stamps()
    assert after[world.other_township.id] != before[world.other_township.id]
    assert after[world.township.id] == before[world.township.id]
    db.session.execute(text("UPDATE disputes SET summary = summary WHERE id = :id"), {"id": far.id})
    db.session.commit()  # a write the ORM did not make: every township is stamped anew
    assert all(stamps()[t] != after[t] for t in (world.township.id, world.other_township.id))

