"""Measure the review queue rendered afresh at county scale beside a bare Flask + sqlite3 page, in one run.

    .venv/bin/python benchmarks/queue.py [--disputes 1000000] [--seconds 20] [--concurrency 4]
    .venv/bin/python benchmarks/queue.py --database-url postgresql://postgres@127.0.0.1:5432/test

Builds (once, then reuses) a SQLite database of 1,000,000 disputes in 20 townships over 10 years
(benchmarks/county_data.py); with --database-url, copies it once into the schema `bench_queue_<n>` of that
PostgreSQL server. Serves casetrack and the bare endpoint (benchmarks/bare_app.py: 50 rows of the same disputes
from the SQLite file through a Jinja template) each under gunicorn with 2 workers on loopback, and drives
concurrent keep-alive clients, each signed in as the staff member of a different township, through a mix of
queue addresses: every tab, no filter or a village, type, status, risk or level filter, every sort, the
first page, a page after a cursor or the last page. Meanwhile a writer process accepts, escalates and
registers disputes in those townships through the app's services, several times a second, so the tallies and
the rows change under the readers. Nothing is kept between pages: each is read and rendered afresh. The bare
page is measured before and after the queue, and the queue compared with the mean of the two.
Target (issue 16): at least 50% of the bare throughput and p95 under 25 ms.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, where this module's name would shadow the
# standard library's `queue` (imported by alembic, logging.handlers, concurrent.futures): drop that folder.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

from benchmarks.county_data import ensure_database  # noqa: E402


def upgrade_schema(url: str) -> None:
    """Bring a database up to the app's latest migration (0025 fills the queue's tallies from the cases)."""
    from flask_migrate import upgrade

    from casetrack import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()


def postgresql_copy(sqlite_path: Path, server_url: str, disputes: int) -> str:
    """Copy the county database into its own schema on a PostgreSQL server, once; return its URL."""
    from sqlalchemy import create_engine, text

    from casetrack.config import normalise_database_url

    schema = f"bench_queue_{disputes}"
    joiner = "&" if "?" in server_url else "?"
    url = f"{normalise_database_url(server_url)}{joiner}options=-csearch_path%3D{schema}"
    admin = create_engine(normalise_database_url(server_url))
    with admin.begin() as connection:
        done = connection.execute(text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s "
                                       "AND table_name = 'copy_done'"), {"s": schema}).first()
        if done:
            admin.dispose()
            upgrade_schema(url)  # a copy made before the latest migration gets it (its indexes, say)
            return url
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    upgrade_schema(url)  # the app's own schema, triggers included
    from casetrack import create_app
    from casetrack.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
    started = time.perf_counter()
    with app.app_context(), sqlite3.connect(sqlite_path) as source:
        engine = db.engine
        with engine.begin() as connection:
            raw = connection.connection.driver_connection
            raw.execute("SET session_replication_role = replica")  # no triggers while copying: filled after
            for table in db.metadata.sorted_tables:
                columns = [c.name for c in table.columns]
                present = {r[1] for r in source.execute(f"PRAGMA table_info({table.name})")}
                if not present or table.name.startswith("queue_"):
                    continue
                columns = [c for c in columns if c in present]
                raw.execute(f"DELETE FROM {table.name}")
                quoted = ", ".join(f'"{c}"' for c in columns)
                booleans = [i for i, c in enumerate(columns) if str(table.c[c].type) == "BOOLEAN"]
                with raw.cursor() as cursor, cursor.copy(
                        f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
                    for row in source.execute(f"SELECT {quoted} FROM {table.name}"):
                        if booleans:
                            row = list(row)
                            for i in booleans:
                                row[i] = None if row[i] is None else bool(row[i])
                        copy.write_row(row)
                if "id" in columns and table.c["id"].autoincrement:
                    raw.execute(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"COALESCE((SELECT max(id) FROM {table.name}), 1))")
            raw.execute("SET session_replication_role = origin")
            from importlib import import_module

            fill = import_module("migrations.versions.0025_queue_tallies")
            for tally in fill.TALLIES:
                raw.execute(f"DELETE FROM {tally}")
            for statement in fill.fill_statements():  # the migration's own: count the copied cases
                raw.execute(statement)
            raw.execute("ANALYZE")
            raw.execute("CREATE TABLE copy_done (at timestamp)")
        engine.dispose()
    print(f"copied into {schema} in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(target: str, env: dict, port: int) -> subprocess.Popen:
    """Start gunicorn with 2 workers on loopback and wait until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level",
         "warning", target], cwd=ROOT, env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def login_cookie(port: int, username: str, password: str) -> str:
    """Sign in through the real form and return the session cookie."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/auth/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": token})
    connection.request("POST", "/auth/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"login failed: {response.status}")
    return response.getheader("Set-Cookie").split(";")[0]


def cpu_seconds(process: subprocess.Popen) -> float:
    """Return the CPU time (user + system) used so far by a gunicorn master and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # a process that ended meanwhile
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if process.pid in (pid, ppid):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def drive(port: int, paths: list[str], seconds: float, concurrency: int, cookies: list[str] = (),
          server: subprocess.Popen | None = None, seed: int = 1) -> dict:
    """Hit a mix of paths with keep-alive clients for a while (client i signed in with cookies[i], each choosing
    its next path at random); return throughput, latency percentiles and the server's CPU time per request
    (which, unlike the rest, hardly depends on what else loads the machine)."""
    import random

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(index: int):
        rng = random.Random(seed * 1000 + index)
        cookie = cookies[index % len(cookies)] if cookies else ""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.monotonic() < deadline:
            path = rng.choice(paths)
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            renewed = response.getheader("Set-Cookie")
            if cookie and renewed and renewed.startswith("session="):  # as a browser keeps the renewed session
                cookie = renewed.split(";")[0]
            if response.status != 200:
                bad.append(f"{response.status} {path}")
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    cpu_before = cpu_seconds(server) if server else 0.0
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(server) - cpu_before if server else 0.0
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 1)

    return {"paths": len(paths), "requests": len(ordered), "errors": len(errors), "error_samples": errors[:3],
            "rps": round(len(ordered) / elapsed, 1), "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, len(ordered)), 2), "latencies": ordered}


TABS = ("all", "pending", "mediating", "due_soon", "overdue", "major", "follow_up", "petitions", "returned")
SORTS = ("registered", "deadline", "activity")


def queue_paths(db: sqlite3.Connection, township_id: int, rng) -> list[str]:
    """Addresses a staff member of the township asks: tab × filter × sort, the first page or the last."""
    villages = [r[0] for r in db.execute("SELECT id FROM villages WHERE township_id = ?", (township_id,))]
    types = [r[0] for r in db.execute("SELECT id FROM dispute_types WHERE township_id = ? LIMIT 6", (township_id,))]
    filters = [{}, {}, {"village": rng.choice(villages)}, {"type": rng.choice(types)}, {"status": "mediating"},
               {"status": "archived"}, {"risk": "major"}, {"level": "township"}, {"village": rng.choice(villages),
                                                                                   "type": rng.choice(types)},
               {"kind": "petition"}]
    paths = []
    for _ in range(60):
        args = {"tab": rng.choice(TABS), "sort": rng.choice(SORTS), **rng.choice(filters)}
        if rng.random() < 0.15:
            args["page"] = "last"
        paths.append("/queue?" + urllib.parse.urlencode(args))
    return paths


def next_pages(port: int, cookie: str, paths: list[str]) -> list[str]:
    """The addresses of the pages after some first pages (their 下一页 links, cursors in them)."""
    found = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path in paths:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        page = response.read().decode()
        link = re.search(r'<a href="([^"]+)" rel="next">', page)
        if link:
            found.append(link.group(1).replace("&amp;", "&"))
    return found


def writer(url: str, township_ids: list[int], stop_file: str) -> None:
    """Change cases through the app's services until stop_file appears: accept a registered dispute, escalate an
    accepted one, register a new one, in turn, each committed, about ten writes a second."""
    import random

    from sqlalchemy import select

    from casetrack import clock, create_app
    from casetrack.domain.errors import DomainError
    from casetrack.extensions import db
    from casetrack.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
    rng, writes = random.Random(7), 0
    with app.app_context():
        while not Path(stop_file).exists():
            township_id = rng.choice(township_ids)
            staff = db.session.execute(select(User).where(User.township_id == township_id,
                                                          User.role == "staff")).scalars().first()
            today = clock.today()
            step = writes % 3
            try:
                _write_once(step, township_id, staff, today, rng)
                db.session.commit()
                writes += 1
            except DomainError:  # a case the rules refuse to move (a later step of the mix): skip it
                db.session.rollback()
                writes += 1
            time.sleep(0.1)
    print(json.dumps({"writes": writes}), flush=True)


def _write_once(step: int, township_id: int, staff, today, rng) -> None:
    """One write of the writer's mix, uncommitted."""
    from datetime import timedelta

    from sqlalchemy import select

    from casetrack.domain import workflow as wf
    from casetrack.extensions import db
    from casetrack.models import Dispute
    from casetrack.services import disputes as services
    from casetrack.services.places import dispute_types

    if step == 0:
        case = db.session.execute(select(Dispute).where(
            Dispute.township_id == township_id, Dispute.status == "registered", Dispute.risk_level != "major",
            Dispute.merged_into_id.is_(None)).limit(1)).scalar_one_or_none()
        if case:
            services.accept(case, staff, max(case.registered_on, today - timedelta(days=3)), today)
    elif step == 1:
        case = db.session.execute(select(Dispute).where(
            Dispute.township_id == township_id, Dispute.status == "accepted", Dispute.level == "village",
            Dispute.risk_level != "major", Dispute.merged_into_id.is_(None)).limit(1)).scalar_one_or_none()
        if case:
            services.escalate(case, staff, "村调委会调解未果,上报处理")
    else:
        village = rng.choice(staff.township.villages)
        services.register_dispute(staff, services.DisputeIntake(
            village_id=village.id, dispute_type_id=dispute_types(township_id)[0].id,
            source=wf.Source.APPLICATION, registered_on=today, summary="基准测试写入的纠纷",
            parties=[services.PartyData(wf.PartySide.APPLICANT, "测试申请人", wf.Gender.MALE, None, None)]),
            today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database-url", help="postgresql://... to serve casetrack from PostgreSQL (the data copied "
                                               "once into a schema of its own); the bare page stays on SQLite")
    parser.add_argument("--no-writer", action="store_true", help="no writes during the run")
    parser.add_argument("--writer", nargs=3, metavar=("URL", "TOWNSHIPS", "STOP_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        url, townships, stop_file = args.writer
        writer(url, [int(t) for t in townships.split(",")], stop_file)
        return
    import random
    import tempfile

    path = ensure_database(args.disputes, 20)  # the queue's figures are at 20 townships
    sqlite_url = f"sqlite:///{path}"
    upgrade_schema(sqlite_url)
    url = postgresql_copy(path, args.database_url, args.disputes) if args.database_url else sqlite_url
    rng = random.Random(20261207)
    with sqlite3.connect(path) as db:
        staff = db.execute("SELECT township_id, username FROM users WHERE role = 'staff' ORDER BY id LIMIT ?",
                           (args.concurrency,)).fetchall()
        paths = [p for township_id, _name in staff for p in queue_paths(db, township_id, rng)]
        total = db.execute("SELECT count(*) FROM disputes").fetchone()[0]
    app_port, bare_port = free_port(), free_port()
    app = serve("wsgi:app", {"CASETRACK_DATABASE_URL": url, "CASETRACK_SECRET_KEY": "benchmark"}, app_port)
    bare = serve("benchmarks.bare_app:app", {"BARE_DATABASE": str(path)}, bare_port)
    rows = [f"/rows?township={township_id}" for township_id, _name in staff]
    stop_file = Path(tempfile.mkdtemp()) / "stop"
    load_before = os.getloadavg()
    write_process = None
    try:
        cookies = [login_cookie(app_port, name, "Bench-mark-2026") for _t, name in staff]
        # cookies[i] belongs to the i-th township: each client reads its own township's addresses
        per_client = {i: [p for p in paths[i * 60:(i + 1) * 60]] for i in range(len(staff))}
        for i, cookie in enumerate(cookies):  # pages after a cursor, from the first pages' 下一页 links
            per_client[i] += next_pages(app_port, cookie, per_client[i][:20])
        drive(bare_port, rows, 2, 2)
        if not args.no_writer:
            write_process = subprocess.Popen(
                [sys.executable, __file__, "--writer", url, ",".join(str(t) for t, _n in staff), str(stop_file)],
                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        bare_runs = [drive(bare_port, rows, args.seconds, args.concurrency, server=bare)]
        queue_runs = [drive_clients(app_port, per_client, cookies, args.seconds, app)]
        bare_runs.append(drive(bare_port, rows, args.seconds, args.concurrency, server=bare))
    finally:
        stop_file.touch()
        writes = json.loads(write_process.communicate(timeout=60)[0] or "{}") if write_process else {}
        stop(app)
        stop(bare)
    load_after = os.getloadavg()
    for run in bare_runs:
        run.pop("latencies")
    bare_rps = statistics.fmean(b["rps"] for b in bare_runs)
    bare_cpu = statistics.fmean(b["server_cpu_ms_per_request"] for b in bare_runs)
    queue = queue_runs[0]
    report = {"disputes": total, "database": "postgresql" if args.database_url else "sqlite", "workers": 2,
              "concurrency": args.concurrency, "seconds": args.seconds, "addresses": sum(map(len, per_client.values())),
              "writer": writes, "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in load_after], "bare": bare_runs,
              "queue": {**queue, "share_of_bare": round(queue["rps"] / bare_rps, 3),
                        "cpu_share_of_bare": round(bare_cpu / queue["server_cpu_ms_per_request"], 3)
                        if queue["server_cpu_ms_per_request"] else None}}
    print(json.dumps(report, ensure_ascii=False, indent=2))


def drive_clients(port: int, per_client: dict[int, list[str]], cookies: list[str], seconds: float,
                  server: subprocess.Popen) -> dict:
    """Drive one client per signed-in staff member, each through its own township's addresses, at once."""
    results, lock = [], threading.Lock()
    cpu_before = cpu_seconds(server)

    def one(index: int):
        result = drive(port, per_client[index], seconds, 1, [cookies[index]], seed=index + 1)
        with lock:
            results.append(result)

    threads = [threading.Thread(target=one, args=(i,)) for i in per_client]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = cpu_seconds(server) - cpu_before
    ordered = sorted(x for r in results for x in r["latencies"])
    requests = len(ordered)

    def pct(p: float) -> float:
        return round(ordered[min(requests - 1, int(requests * p))] * 1000, 1)

    return {"requests": requests, "errors": sum(r["errors"] for r in results),
            "error_samples": [e for r in results for e in r["error_samples"]][:3],
            "rps": round(sum(r["rps"] for r in results), 1), "p50_ms": pct(0.5), "p95_ms": pct(0.95),
            "p99_ms": pct(0.99), "server_cpu_ms_per_request": round(cpu * 1000 / max(1, requests), 2)}


if __name__ == "__main__":
    main()
