"""Backup while the app writes: casetrack.services.backup.backup() copies the live SQLite database while
another thread keeps registering disputes; the copy, restored into a fresh file, passes PRAGMA
integrity_check and holds every write acknowledged before the backup began, each whole (its parties and
timeline with it). On PostgreSQL the plain copy refuses and points to pg_dump (the archive of test_backup_archive.py
holds the attachments alone there).
"""

import sqlite3
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from casetrack import clock
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.services import backup, disputes
from casetrack.services.places import dispute_types

RESULTS: dict[str, int] = {}


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite backup API; PostgreSQL is backed up with pg_dump (test_backup_on_postgresql_...)")


class Writer(threading.Thread):
    """Registers disputes one transaction each, as the app does, and notes each one acknowledged (committed)."""

    def __init__(self, app, actor_id: int, village_id: int):
        super().__init__(daemon=True)
        self.app, self.actor_id, self.village_id = app, actor_id, village_id
        self.acknowledged: list[tuple[float, int, str]] = []  # (when, dispute id, applicant name)
        self.stop, self.errors = threading.Event(), []

    def run(self):
        from casetrack.models import User, Village

        with self.app.app_context():
            actor = db.session.get(User, self.actor_id)
            village = db.session.get(Village, self.village_id)
            type_id = dispute_types(village.township_id)[0].id
            n = 0
            while not self.stop.is_set():
                name = f"备份中登记{n}"
                try:
                    intake = disputes.DisputeIntake(
                        village_id=village.id, dispute_type_id=type_id, source=wf.Source.APPLICATION,
                        registered_on=clock.today() - timedelta(days=1), summary="备份期间登记的纠纷",
                        parties=[disputes.PartyData(wf.PartySide.APPLICANT, name, wf.Gender.MALE)],
                    )
                    case = disputes.register_dispute(actor, intake, clock.today())
                    db.session.commit()
                    self.acknowledged.append((time.monotonic(), case.id, name))
                except Exception as failure:  # noqa: BLE001 - recorded, and the test fails on it
                    db.session.rollback()
                    self.errors.append(repr(failure))
                n += 1
            db.session.remove()


def _grow(size_mb: int) -> None:
    """Make the database many megabytes, so a copy takes long enough for writes to commit meanwhile."""
    filler = "卷宗扫描件说明。" * 4000  # about 100 KB of text per row
    for _ in range(size_mb * 10):
        db.session.execute(text("INSERT INTO case_events (action, summary, changes, at) "
                                "VALUES ('filler', :summary, '{}', CURRENT_TIMESTAMP)"), {"summary": filler})
    db.session.commit()


def _backup_with_timeout(database_url: str, target: Path, seconds: float) -> int:
    outcome: dict = {}

    def run():
        try:
            outcome["pages"] = backup.backup(database_url, target)
        except Exception as failure:  # noqa: BLE001
            outcome["error"] = failure

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the backup did not finish in {seconds} s while the app was writing"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["pages"]


def _run(app, world, database_url, tmp_path, size_mb: int) -> None:
    _grow(size_mb)
    writer = Writer(app, world.staff.id, world.village.id)
    writer.start()
    try:
        while len(writer.acknowledged) < 50:  # the app is busy writing before the backup starts
            time.sleep(0.02)
            assert not writer.errors, writer.errors
        # A small database copies in a few milliseconds, and a loaded machine may not finish a write meanwhile:
        # back up again until one did (each try is a whole backup, judged below like any other).
        for attempt in range(20):
            began = time.monotonic()
            acknowledged_before = [entry for entry in writer.acknowledged if entry[0] < began]
            copy = tmp_path / f"backup-{attempt}.sqlite"
            pages = _backup_with_timeout(database_url, copy, seconds=120)
            during = [entry for entry in writer.acknowledged if entry[0] >= began]
            if during:
                break
        assert during, "no write happened while the backup ran: it proves nothing"
    finally:
        writer.stop.set()
        writer.join(30)
    assert not writer.errors, writer.errors

    fresh = tmp_path / "restored.sqlite"
    revision = backup.restore(f"sqlite:///{fresh}", copy)
    assert revision
    with sqlite3.connect(fresh) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        stored = dict(connection.execute(
            "SELECT d.id, p.name FROM disputes d JOIN parties p ON p.dispute_id = d.id AND p.side = 'applicant'"))
        with_events = {row[0] for row in connection.execute(
            "SELECT DISTINCT dispute_id FROM case_events WHERE dispute_id IS NOT NULL")}
        all_disputes = {row[0] for row in connection.execute("SELECT id FROM disputes")}
    found = [case_id for _at, case_id, name in acknowledged_before if stored.get(case_id) == name]
    RESULTS.update(acknowledged_before=len(acknowledged_before), found=len(found), during=len(during),
                   during_in_copy=sum(1 for _at, case_id, _n in during if case_id in stored), pages=pages)
    print(f"\nbackup of {pages} pages: {len(acknowledged_before)} writes acknowledged before it began, "
          f"{len(found)} found in the restored copy; {len(during)} more during it "
          f"({RESULTS['during_in_copy']} of them in the copy)")
    assert len(found) == len(acknowledged_before), "writes acknowledged before the backup are missing"
    assert all_disputes <= set(stored) and all_disputes <= with_events, "a dispute without its parties or timeline"


@pytest.mark.usefixtures("sqlite_only")
def test_a_backup_taken_while_the_app_writes_restores_whole(app, world, database_url, tmp_path):
    _run(app, world, database_url, tmp_path, size_mb=1)


@pytest.mark.usefixtures("sqlite_only")
def test_a_backup_of_a_database_of_many_steps_finishes_while_the_app_writes(app, world, database_url, tmp_path):
    """A township's years of records are many megabytes; writes committed meanwhile must not make the copy start over."""
    _run(app, world, database_url, tmp_path, size_mb=12)


def test_backup_on_postgresql_refuses_and_points_to_pg_dump(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    with pytest.raises(DomainError, match="pg_dump"):
        backup.backup(database_url, tmp_path / "backup.sqlite")
