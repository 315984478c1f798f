"""Measure the review queue at county scale beside a bare Flask + sqlite3 endpoint, in one run.

    .venv/bin/python benchmarks/queue.py [--disputes 1000000] [--seconds 20] [--concurrency 8]

Builds (once, then reuses) a SQLite database of 1,000,000 disputes in 20 townships over 10 years
(benchmarks/county_data.py), serves casetrack and the bare endpoint (benchmarks/bare_app.py) each under
gunicorn with 2 workers on loopback, and drives each page with concurrent keep-alive clients for the same
time: a staff user's queue first page, a filtered page, the last page. It prints requests per second and
latency percentiles, and each queue page's throughput as a share of the bare endpoint's (measured before and
after each queue page, so a machine whose load changes during the run compares like with like), with the
servers' CPU time per request and the load average before and after.
Target (issue 5): every queue page at least 50% of the bare throughput and p95 under 100 ms.
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


def upgrade_schema(path: Path) -> None:
    """Bring a cached database up to the app's latest migration (new indexes included)."""
    from flask_migrate import upgrade

    from casetrack import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()


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


def drive(port: int, path: str, seconds: float, concurrency: int, cookie: str = "",
          server: subprocess.Popen | None = None) -> dict:
    """Hit one path with keep-alive clients for a while; return throughput, latency percentiles and the
    server's CPU time per request (which, unlike the rest, hardly depends on what else loads the machine)."""
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                bad.append(response.status)
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
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

    return {"path": path, "requests": len(ordered), "errors": len(errors), "rps": round(len(ordered) / elapsed, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1),
            "server_cpu_ms_per_request": round(cpu * 1000 / max(1, len(ordered)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-page-cache", action="store_true",
                        help="render every page afresh (CASETRACK_QUEUE_PAGE_CACHE=false): what a page costs the "
                             "first time after a write; the tab counts are still kept")
    args = parser.parse_args()
    path = ensure_database(args.disputes, 20)
    upgrade_schema(path)
    with sqlite3.connect(path) as db:
        township_id, staff = db.execute(
            "SELECT township_id, username FROM users WHERE role = 'staff' ORDER BY id LIMIT 1").fetchone()
        village_id, type_id = db.execute(
            "SELECT village_id, dispute_type_id FROM disputes WHERE township_id = ? GROUP BY village_id, "
            "dispute_type_id ORDER BY count(*) DESC LIMIT 1", (township_id,)).fetchone()
        total = db.execute("SELECT count(*) FROM disputes").fetchone()[0]
    app_port, bare_port = free_port(), free_port()
    app = serve("wsgi:app", {"CASETRACK_DATABASE_URL": f"sqlite:///{path}", "CASETRACK_SECRET_KEY": "benchmark",
                             "CASETRACK_QUEUE_PAGE_CACHE": "false" if args.no_page_cache else "true"}, app_port)
    bare = serve("benchmarks.bare_app:app", {"BARE_DATABASE": str(path)}, bare_port)
    rows = f"/rows?township={township_id}"
    pages = {
        "first page": "/queue",
        "filtered page": f"/queue?village={village_id}&type={type_id}&status=archived",
        "last page": "/queue?page=last",
    }
    load_before = os.getloadavg()
    try:
        cookie = login_cookie(app_port, staff, "Bench-mark-2026")
        for url in pages.values():  # fill caches (each worker's tab counts, SQLite's pages) before measuring
            drive(app_port, url, 2, 2, cookie)
        drive(bare_port, rows, 2, 2)
        # The machine may be shared: measure the bare page before each queue page and after the last, and
        # compare each queue page with the bare runs on either side of it.
        bare_runs, results = [drive(bare_port, rows, args.seconds, args.concurrency, server=bare)], {}
        for name, url in pages.items():
            results[name] = drive(app_port, url, args.seconds, args.concurrency, cookie, server=app)
            bare_runs.append(drive(bare_port, rows, args.seconds, args.concurrency, server=bare))
    finally:
        stop(app)
        stop(bare)
    load_after = os.getloadavg()
    queue = {}
    for index, (name, r) in enumerate(results.items()):
        around = bare_runs[index:index + 2]
        bare_rps = statistics.fmean(b["rps"] for b in around)
        bare_cpu = statistics.fmean(b["server_cpu_ms_per_request"] for b in around)
        queue[name] = {**r, "share_of_bare": round(r["rps"] / bare_rps, 3),
                       "cpu_share_of_bare": round(bare_cpu / r["server_cpu_ms_per_request"], 3)
                       if r["server_cpu_ms_per_request"] else None}
    report = {"disputes": total, "workers": 2, "concurrency": args.concurrency, "seconds": args.seconds,
              "page_cache": not args.no_page_cache,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in load_after],
              "bare": bare_runs, "queue": queue}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
