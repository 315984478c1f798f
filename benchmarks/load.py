"""Drive casetrack under gunicorn with concurrent clients, then check no acknowledged write was lost.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--clients 16] [--workers 4] [--database-url URL]

Without --database-url it uses a fresh SQLite file; with a PostgreSQL URL it makes and drops its own
schema. Clients are mediators and staff who register disputes, accept them, assign a mediator, record
sessions and read the case list. Every write the server acknowledged (a redirect after POST) is then
looked up in the database. It prints requests, errors, p50/p95 latency and writes acknowledged/found.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first, and not this folder, where queue.py (the name issue 5 gives it) would shadow the
# standard library's queue module (psycopg, alembic and concurrent.futures import it).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
PASSWORD = "Load-test-2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    registered: list[tuple[int, str]] = field(default_factory=list)  # (case id, applicant name)
    sessions: dict[int, int] = field(default_factory=dict)  # case id -> sessions acknowledged
    accepted: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser-like user: a cookie jar, a CSRF token, and timed requests."""

    def __init__(self, base: str, tally: Tally):
        self.base, self.tally = base, tally
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        self.token = ""

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode() if data is not None else None
        started = time.perf_counter()
        try:
            response = self.opener.open(self.base + path, body, timeout=30)
            status, text, location = response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as answer:
            status, text, location = answer.code, answer.read().decode(errors="replace"), answer.headers.get("Location", "")
        except OSError as failure:
            status, text, location = 0, str(failure), ""
        with self.tally.lock:
            self.tally.latencies.append(time.perf_counter() - started)
            if status == 0 or status >= 500:
                self.tally.errors.append(f"{path}: {status} {text[:200]}")
        return status, text, location

    def login(self, username: str) -> None:
        _status, page, _ = self.request("/auth/login")
        self.token = CSRF.search(page).group(1)
        status, _text, _ = self.request("/auth/login", {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login failed for {username}: {status}")
        _status, page, _ = self.request("/cases/new")
        self.token = CSRF.search(page).group(1)


def _version(page: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(r'value="(\d+)"[^>]*name="version"', page)
    return match.group(1) if match else ""


def work(client: Client, village_id: int, type_id: int, me_id: int, deadline: float, rng: random.Random) -> None:
    """Loop over the mediator's day until the deadline: register, accept, assign, record, read."""
    mine: list[int] = []
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.35 or not mine:
            name = "申" + uuid.uuid4().hex[:6]
            status, _text, location = client.request("/cases/new", {
                "village_id": village_id, "dispute_type_id": type_id, "source": "application",
                "channel": "peoples", "registered_on": time.strftime("%Y-%m-%d"), "applicants-0-name": name,
                "respondents-0-name": "被" + name, "people_involved": 2, "summary": "负载测试纠纷", "risk_level": "general",
            })
            if status == 302 and "/cases/" in location:
                case_id = int(location.rstrip("/").rsplit("/", 1)[1])
                mine.append(case_id)
                with client.tally.lock:
                    client.tally.registered.append((case_id, name))
        elif roll < 0.75:
            case_id = rng.choice(mine)
            _status, page, _ = client.request(f"/cases/{case_id}")
            if "/accept" in page:
                _s, form, _ = client.request(f"/cases/{case_id}/accept")
                status, _t, _l = client.request(f"/cases/{case_id}/accept", {
                    "accepted_on": time.strftime("%Y-%m-%d"), "version": _version(form)})
                if status == 302:
                    with client.tally.lock:
                        client.tally.accepted.add(case_id)
            elif "/assign" in page and "/session" not in page:
                _s, form, _ = client.request(f"/cases/{case_id}/assign")
                client.request(f"/cases/{case_id}/assign", {"mediator_ids": me_id, "version": _version(form)})
            elif "/session" in page:
                status, _t, _l = client.request(f"/cases/{case_id}/session", {
                    "held_on": time.strftime("%Y-%m-%d"), "place": "村委会", "mediators": "调解员",
                    "attendees": "双方当事人", "notes": "负载测试调解记录", "version": ""})
                if status == 302:
                    with client.tally.lock:
                        client.tally.sessions[case_id] = client.tally.sessions.get(case_id, 0) + 1
        else:
            client.request("/cases?page=1")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(database_url: str, clients: int) -> list[dict]:
    """Migrate the database and create a township with one mediator account per client."""
    from flask_migrate import upgrade

    from casetrack import create_app
    from casetrack.extensions import db
    from casetrack.models import Role
    from casetrack.services import accounts, places

    # The accounts' password hashes are cheap: sign-in is not what this measures.
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        township = places.add_township("压力测试乡", [f"第{n}村" for n in range(1, clients + 1)])
        users = [accounts.add_user(f"load{n}", PASSWORD, Role.MEDIATOR, village=v)
                 for n, v in enumerate(township.villages, start=1)]
        type_id = places.dispute_types(township.id)[1].id
        db.session.commit()
        made = [{"username": u.username, "id": u.id, "village_id": u.village_id, "type_id": type_id} for u in users]
        db.engine.dispose()
    return made


def verify(database_url: str, tally: Tally) -> tuple[int, int, list[str]]:
    """Look up every acknowledged write; return (acknowledged, found, problems)."""
    from sqlalchemy import func, select

    from casetrack import create_app
    from casetrack.extensions import db
    from casetrack.models import Dispute, MediationSession, Party

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "load"})
    problems, acknowledged, found = [], 0, 0
    with app.app_context():
        names = dict(db.session.execute(select(Party.dispute_id, Party.name).where(Party.side == "applicant")).all())
        states = dict(db.session.execute(select(Dispute.id, Dispute.status)).all())
        sessions = dict(db.session.execute(
            select(MediationSession.dispute_id, func.count()).group_by(MediationSession.dispute_id)).all())
        for case_id, name in tally.registered:
            acknowledged += 1
            if names.get(case_id) == name:
                found += 1
            else:
                problems.append(f"case {case_id} ({name}) missing")
        for case_id in tally.accepted:
            acknowledged += 1
            if states.get(case_id) not in (None, "registered"):
                found += 1
            else:
                problems.append(f"acceptance of case {case_id} lost")
        for case_id, count in tally.sessions.items():
            acknowledged += count
            found += min(sessions.get(case_id, 0), count)
            if sessions.get(case_id, 0) < count:
                problems.append(f"case {case_id}: {count} sessions acknowledged, {sessions.get(case_id, 0)} stored")
        db.engine.dispose()
    return acknowledged, found, problems


def run(database_url: str, seconds: float, clients: int, workers: int) -> dict:
    """Serve with gunicorn, drive the clients, stop, verify; return the figures."""
    users = prepare(database_url, clients)
    port = _free_port()
    env = {**os.environ, "CASETRACK_DATABASE_URL": database_url, "CASETRACK_SECRET_KEY": "load-" + uuid.uuid4().hex,
           "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/auth/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        tally = Tally()
        logged_in = []
        for n in range(clients):
            user = users[n % len(users)]
            client = Client(base, tally)
            client.login(user["username"])
            logged_in.append((client, user))
        tally.latencies.clear()  # logins hash passwords on purpose; measure the work, not the sign-in
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=work, args=(client, user["village_id"], user["type_id"], user["id"], deadline,
                                                random.Random(n)))
            for n, (client, user) in enumerate(logged_in)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    acknowledged, found, problems = verify(database_url, tally)
    latencies = sorted(tally.latencies)
    return {
        "database": database_url.split(":", 1)[0], "seconds": round(elapsed, 1), "clients": clients,
        "workers": workers, "requests": len(latencies), "requests_per_second": round(len(latencies) / elapsed, 1),
        "errors": len(tally.errors), "error_samples": tally.errors[:5],
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1) if latencies else None,
        "writes_acknowledged": acknowledged, "writes_found": found, "lost": problems[:10],
    }


def _postgres_schema_url(url: str) -> tuple[str, str]:
    schema = "load_" + uuid.uuid4().hex[:8]
    from sqlalchemy import create_engine, text

    from casetrack.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    joiner = "&" if "?" in url else "?"
    return f"{normalise_database_url(url)}{joiner}options=-csearch_path%3D{schema}", schema


def _drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from casetrack.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--database-url", help="postgresql://... to run on PostgreSQL (a schema is made and dropped)")
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("postgres"):
        url, schema = _postgres_schema_url(args.database_url)
        try:
            result = run(url, args.seconds, args.clients, args.workers)
        finally:
            _drop_schema(args.database_url, schema)
    else:
        with tempfile.TemporaryDirectory() as folder:
            result = run(f"sqlite:///{folder}/load.sqlite", args.seconds, args.clients, args.workers)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    sys.exit(1 if result["errors"] or result["lost"] else 0)


if __name__ == "__main__":
    main()
