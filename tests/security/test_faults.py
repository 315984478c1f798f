"""Faults: a ledger import killed with SIGKILL half-way leaves the database exactly as it was before it
started, and the app serves normally on it afterwards (gunicorn restarted on the same database: sign in,
open the queue, register a case); the same file then imports whole.

It runs on SQLite (killed once the write-ahead log grows, i.e. with uncommitted pages already on disk) and on
PostgreSQL (killed while its one transaction is open).
"""

import csv
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from casetrack.extensions import db
from casetrack.models import CaseCounter, CaseEvent, Dispute, Party
from tests.conftest import PASSWORD
from tests.factories import intake_form, make_dispute
from tests.ledger.helpers import DISPUTE_HEADERS, dispute

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000  # enough that writing them takes a while, so the kill lands in the middle
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _write_ledger(path: Path, rows: int) -> Path:
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(DISPUTE_HEADERS)
        for n in range(rows):
            row = dispute(申请人=f"台账申请人{n}", 被申请人=f"台账被申请人{n}", 简要案情=f"台账第{n}件:宅基地边界争执")
            writer.writerow(["" if row.get(h) is None else row.get(h) for h in DISPUTE_HEADERS])
    return path


def _env(database_url: str, instance: Path) -> dict:
    return {**os.environ, "CASETRACK_DATABASE_URL": database_url, "CASETRACK_SECRET_KEY": "faults-test",
            "CASETRACK_INSTANCE_PATH": str(instance), "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}


def _state() -> dict:
    """What a half-done import would change: the cases, their parties and timeline, the number counters."""
    db.session.rollback()
    db.session.expire_all()
    count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
    return {
        "disputes": sorted(db.session.execute(select(Dispute.id, Dispute.number)).all()),
        "parties": count(Party), "events": count(CaseEvent),
        "counters": sorted(db.session.execute(select(CaseCounter.township_id, CaseCounter.year, CaseCounter.kind,
                                                     CaseCounter.last)).all()),
    }


def _sqlite_file(database_url: str) -> Path | None:
    url = make_url(database_url)
    return Path(url.database) if url.get_backend_name() == "sqlite" else None


def _import_and_kill(database_url: str, ledger: Path, instance: Path) -> str:
    """Start `flask ledger import`, SIGKILL it while it writes; return what it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "casetrack", "ledger", "import", str(ledger), "--township", "斜沟乡"],
        cwd=ROOT, env=_env(database_url, instance), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        encoding="utf-8", start_new_session=True,
    )
    printed = []
    try:
        for line in process.stdout:  # the plan is printed once the file is checked; writing starts next
            printed.append(line)
            if "新建" in line:
                break
        sqlite_file = _sqlite_file(database_url)
        wal = Path(f"{sqlite_file}-wal") if sqlite_file else None
        if wal is not None:
            start = wal.stat().st_size if wal.exists() else 0
            deadline, grew = time.monotonic() + 60, False
            while process.poll() is None and time.monotonic() < deadline and not grew:
                grew = wal.exists() and wal.stat().st_size > start + 256 * 1024  # uncommitted pages reach the log
                time.sleep(0.01)
            assert grew, "the write-ahead log did not grow while the import ran"
        else:
            assert _wait_for_pg_inserts(database_url, process), "the import never began to write"
        assert process.poll() is None, "the import ended before it could be killed:\n" + "".join(printed)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert "导入完成" not in "".join(printed)
    return "".join(printed)


def _wait_for_pg_inserts(database_url: str, process: subprocess.Popen) -> bool:
    """Wait until the import's transaction holds the insert lock on disputes (its rows are written, uncommitted)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                if connection.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE relation = to_regclass('disputes') "
                    "AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
                )).scalar_one():
                    return True
                connection.rollback()
                time.sleep(0.002)
        return False
    finally:
        engine.dispose()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A browser with cookies and CSRF tokens against the restarted server; redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), self._NoRedirect())

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(self.base + path, body, timeout=30)
            return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace"), answer.headers.get("Location", "")

    def token(self, path: str) -> str:
        status, page, _ = self.open(path)
        assert status == 200, (path, status)
        return CSRF.search(page).group(1)


def _serve_after_the_crash(database_url: str, instance: Path, village) -> None:
    """Start gunicorn on the database the killed import left; sign in, open the queue, register a case."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"], cwd=ROOT, env=_env(database_url, instance), start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/auth/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        browser = Browser(base)
        token = browser.token("/auth/login")
        status, _page, location = browser.open("/auth/login", {"username": "staff", "password": PASSWORD,
                                                               "csrf_token": token})
        assert status == 302 and "/auth/login" not in location
        status, page, _ = browser.open("/queue")
        assert status == 200 and "斜沟村" in page
        token = browser.token("/cases/new")
        status, _page, location = browser.open("/cases/new", {**intake_form(village), "csrf_token": token})
        assert status == 302 and re.search(r"/cases/\d+$", location), (status, location)
        status, page, _ = browser.open(location.removeprefix(base))
        assert status == 200 and "张三" in page
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_a_ledger_import_killed_midway_leaves_the_database_as_before_and_the_app_serves_after(
        app, world, database_url, tmp_path):
    make_dispute(world.staff, world.village)
    make_dispute(world.mediator, world.village, state="mediating")
    db.session.commit()
    before = _state()
    ledger = _write_ledger(tmp_path / "台账.csv", ROWS)
    instance = tmp_path / "instance"

    printed = _import_and_kill(database_url, ledger, instance)
    assert f"新建 {ROWS} 件" in printed
    assert _state() == before, "the killed import left part of its rows behind"
    sqlite_file = _sqlite_file(database_url)
    if sqlite_file:
        with sqlite3.connect(sqlite_file) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    _serve_after_the_crash(database_url, instance, world.village)
    after_serving = _state()
    assert len(after_serving["disputes"]) == len(before["disputes"]) + 1

    # the same file imports whole once nothing kills it: the kill was the only reason nothing was imported
    finished = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "casetrack", "ledger", "import", str(ledger), "--township", "斜沟乡"],
        cwd=ROOT, env=_env(database_url, instance), capture_output=True, text=True, encoding="utf-8", timeout=600,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert len(_state()["disputes"]) == len(after_serving["disputes"]) + ROWS


def test_a_bulk_change_killed_midway_changes_no_case(app, world, database_url, tmp_path):
    """A multi-row change in one transaction (accepting many cases, as the queue's bulk action does) killed
    half-way: every case is still as it was."""
    cases = [make_dispute(world.staff, world.village).id for _ in range(3)]
    db.session.commit()
    script = tmp_path / "bulk.py"
    script.write_text(BULK_SCRIPT, "utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(world.staff.id), *map(str, cases)], cwd=ROOT,
        env=_env(database_url, tmp_path / "instance"), stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("accepted"):  # the first case is accepted (flushed), the transaction still open
                break
        assert process.poll() is None
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    db.session.rollback()
    db.session.expire_all()
    statuses = db.session.execute(select(Dispute.status).where(Dispute.id.in_(cases))).scalars().all()
    assert statuses == ["registered"] * len(cases)


BULK_SCRIPT = '''
import sys, time
from casetrack import clock, create_app
from casetrack.extensions import db
from casetrack.models import Dispute, User
from casetrack.services import disputes

app = create_app()
with app.app_context():
    actor = db.session.get(User, int(sys.argv[1]))
    for case_id in map(int, sys.argv[2:]):
        disputes.accept(db.session.get(Dispute, case_id), actor, clock.today(), clock.today())
        db.session.flush()
        print("accepted", case_id, flush=True)
        time.sleep(30)  # killed here, between two rows of one transaction
    db.session.commit()
'''
