"""Time the county's roll-up and the API's case pages on a county's cases (1,000,000 disputes by default).

    .venv/bin/python benchmarks/county.py [--disputes 1000000] [--townships 30] [--year 2025] [--repeat 5]
                                          [--walks 40] [--writes 20]

The database comes from benchmarks/county_data.py (cached under benchmarks/.data/, brought up to the latest
migration); a county holding every township, a county account and API tokens (the county's and a township
staff member's) are added to it once. All the while a second process writes to the same file (--writes
transactions a second: a case's state and time changed, a party's phone changed, a new case with its parties,
a petition touched), so neither side reads a database at rest.

  roll-up   GET /county/<year> as the county account through Flask's test client (the whole request: the reach
            hook, each township's figures and the county total by services.statistics, the page), against
            the same figures with hand-written SQL (benchmarks/report.py's plain_sql for each township, the
            total summed from them). Target: within 2× of the SQL.
  API       GET /api/v1/cases pages with the tokens, a fixed mix of --walks requests varied as a county system
            would vary them (disputes or petitions; all townships or one; a year or not; a state or not; from
            the start or from a cursor deep in the table; one to four pages followed by next_cursor), against
            the same pages of the same queries from bare Flask + sqlite3 (benchmarks/bare_app.py /cases.json,
            which answers the same JSON: names joined, people masked). The two answer the same cases (checked).
            Target: at least 50% of the bare app's pages per second.
"""

import argparse
import base64
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

from benchmarks.county_data import FIRST_YEAR, LAST_YEAR, TOWNSHIPS, ensure_database  # noqa: E402
from benchmarks.report import plain_sql, upgrade_schema  # noqa: E402

COUNTY = "基准县"
USERNAME = "benchcounty"
PASSWORD = "Bench-mark-2026"


def prepare(app) -> dict:
    """Add the county of every township, its account (once) and a token for it and for staff1; return them."""
    from sqlalchemy import select

    from casetrack.extensions import db
    from casetrack.models import County, Role, Township, User
    from casetrack.services import accounts, api_tokens, counties

    county = db.session.execute(select(County).where(County.name == COUNTY)).scalar_one_or_none()
    if county is None:
        names = db.session.execute(select(Township.name).order_by(Township.id)).scalars().all()
        county = counties.add_county(COUNTY, list(names))
    user = db.session.execute(select(User).where(User.username == USERNAME)).scalar_one_or_none()
    if user is None:
        user = accounts.add_user(USERNAME, PASSWORD, Role.COUNTY, county=county)
    _row, token = api_tokens.create_token(user, days=1, name="benchmark")
    staff = db.session.execute(select(User).where(User.username == "staff1")).scalar_one()
    _row, staff_token = api_tokens.create_token(staff, days=1, name="benchmark")
    db.session.commit()
    return {"county": (token, None), "staff": (staff_token, staff.township.name)}


# --- writes meanwhile ----------------------------------------------------------------------------------------

def write_meanwhile(path: Path, per_second: float) -> None:
    """Write to the database until SIGTERM, then print how many transactions were committed (the writer process)."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    db = sqlite3.connect(path, isolation_level=None, timeout=15)
    for pragma in ("foreign_keys=ON", "busy_timeout=15000", "journal_mode=WAL", "synchronous=NORMAL"):
        db.execute(f"PRAGMA {pragma}")
    rng = random.Random(7)
    columns = [r[1] for r in db.execute("PRAGMA table_info(disputes)") if r[1] != "id"]
    party_columns = [r[1] for r in db.execute("PRAGMA table_info(parties)") if r[1] not in ("id", "dispute_id")]
    copied = ", ".join({"number": "number || ?", "created_at": "?", "updated_at": "?"}.get(c, c) for c in columns)
    top = db.execute("SELECT MAX(id) FROM disputes").fetchone()[0]
    top_party = db.execute("SELECT MAX(id) FROM parties").fetchone()[0]
    top_petition = db.execute("SELECT MAX(id) FROM petitions").fetchone()[0]
    done = 0
    while not stop:
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE disputes SET status = CASE status WHEN 'accepted' THEN 'mediating' ELSE status END, "
                   "updated_at = ?, version = version + 1 WHERE id = ?", (now, rng.randint(1, top)))
        db.execute("UPDATE parties SET phone = ? WHERE id = ?",
                   (f"139{rng.randrange(10 ** 8):08d}", rng.randint(1, top_party)))
        if done % 4 == 0:  # a new case, a copy of an old one under a new number, with its parties
            source = rng.randint(1, top)
            new_id = db.execute(f"INSERT INTO disputes ({', '.join(columns)}) SELECT {copied} FROM disputes "
                                "WHERE id = ?", (f"-w{time.time_ns()}", now, now, source)).lastrowid
            db.execute(f"INSERT INTO parties (dispute_id, {', '.join(party_columns)}) SELECT ?, "
                       f"{', '.join(party_columns)} FROM parties WHERE dispute_id = ?", (new_id, source))
        if done % 10 == 0:
            db.execute("UPDATE petitions SET updated_at = ?, version = version + 1 WHERE id = ?",
                       (now, rng.randint(1, top_petition)))
        db.execute("COMMIT")
        done += 1
        time.sleep(1 / per_second)
    print(done, flush=True)


def start_writer(path: Path, per_second: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--writer", str(path), "--writes", str(per_second)],
                            stdout=subprocess.PIPE, text=True)


def stop_writer(writer: subprocess.Popen) -> int:
    writer.send_signal(signal.SIGTERM)
    out, _ = writer.communicate(timeout=60)
    return int(out.strip() or 0)


# --- the API's requests ---------------------------------------------------------------------------------------

DISPUTE_STATES = ["registered", "not_accepted", "accepted", "mediating", "concluded", "visited", "archived"]
PETITION_STATES = ["registered", "accepted", "assigned", "forwarded", "not_accepted", "in_progress", "closed"]


def request_mix(count: int, names: list[str], tokens: dict, top_ids: dict, first_year: int, last_year: int) -> list:
    """A fixed (seeded) mix of walks: (account, query without cursor, first cursor id, pages to follow)."""
    rng = random.Random(21)
    walks = []
    for _ in range(count):
        account = "staff" if rng.random() < 0.25 else "county"
        kind = "petition" if rng.random() < 0.3 else "dispute"
        query = {"kind": kind}
        own = tokens[account][1]
        if own is not None:
            query["township"] = own  # the staff member's reach; the bare app is told it
        elif rng.random() < 0.5:
            query["township"] = rng.choice(names)
        if rng.random() < 0.5:
            query["year"] = rng.randint(first_year, last_year)
        if rng.random() < 0.4:
            query["status"] = rng.choice(DISPUTE_STATES if kind == "dispute" else PETITION_STATES)
        start = rng.randint(1, top_ids[kind]) if rng.random() < 0.3 else 0
        walks.append((account, query, start, rng.randint(1, 4)))
    return walks


def sql_rollup(connection: sqlite3.Connection, names: list[str], year: int, as_of) -> dict:
    """Each township's figures by plain SQL and the county's counts summed from them."""
    rows = {name: plain_sql(connection, name, year, as_of) for name in names}
    total = {key: sum(r["disputes"][key] for r in rows.values()) for key in ("accepted", "mediated")}
    total["petitions_accepted"] = sum(r["petitions"]["accepted"] for r in rows.values())
    return {"rows": rows, "total": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--townships", type=int, default=TOWNSHIPS)
    parser.add_argument("--walks", type=int, default=40, help="API requests (each followed for 1–4 pages) per run")
    parser.add_argument("--writes", type=float, default=20, help="write transactions a second meanwhile")
    parser.add_argument("--api-only", action="store_true", help="leave out the roll-up")
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)  # the writing process itself
    args = parser.parse_args()
    if args.writer:
        write_meanwhile(args.writer, args.writes)
        return
    path = ensure_database(args.disputes, args.townships)
    upgrade_schema(path)
    from casetrack import clock, create_app
    from casetrack.extensions import db
    from casetrack.models import Dispute, Township

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark",
                      "API_RATE_LIMIT": 10 ** 9, "WTF_CSRF_ENABLED": False})
    connection = sqlite3.connect(path)
    for pragma in ("foreign_keys=ON", "busy_timeout=15000", "journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")
    as_of = clock.today()
    with app.app_context():
        tokens = prepare(app)
        names = [t.name for t in db.session.query(Township).order_by(Township.id)]
        total = db.session.query(Dispute).count()
        db.session.remove()
    client = app.test_client()
    assert client.post("/auth/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 302

    def run_app():
        response = client.get(f"/county/{args.year}")
        assert response.status_code == 200, response.status_code

    def run_sql():
        sql_rollup(connection, names, args.year, as_of)

    load_before, began = os.getloadavg()[0], time.perf_counter()
    writer = start_writer(path, args.writes)
    if not args.api_only:
        run_app(), run_sql()
    timings = {"app": [], "sql": []}
    for _ in range(0 if args.api_only else args.repeat):
        for name, run in (("app", run_app), ("sql", run_sql)):
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    print(f"database: {path.name}, {total:,} disputes, {len(names)} townships; load average {load_before:.1f}")
    if not args.api_only:
        app_ms, sql_ms = (statistics.median(timings[k]) * 1000 for k in ("app", "sql"))
        print(f"app  GET /county/{args.year}: median {app_ms:8.1f} ms ({args.repeat} runs: "
              f"{', '.join(f'{t * 1000:.0f}' for t in timings['app'])})")
        print(f"plain SQL roll-up:    median {sql_ms:8.1f} ms ({', '.join(f'{t * 1000:.0f}' for t in timings['sql'])})")
        print(f"ratio app / SQL: {app_ms / sql_ms:.2f}× (target ≤ 2×: {'met' if app_ms / sql_ms <= 2 else 'MISSED'})")

    os.environ["BARE_DATABASE"] = str(path)
    from urllib.parse import urlencode

    from benchmarks.bare_app import app as bare

    bare_client = bare.test_client()
    api_client = app.test_client()  # no session: the API opens with the token only
    top_ids = {kind: connection.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0]
               for kind, table in (("dispute", "disputes"), ("petition", "petitions"))}
    walks = request_mix(args.walks, names, tokens, top_ids, FIRST_YEAR, LAST_YEAR)

    def api_get(account, query, after):
        cursor = base64.urlsafe_b64encode(str(after).encode()).decode().rstrip("=") if after else None
        url = "/api/v1/cases?" + urlencode({**query, **({"cursor": cursor} if cursor else {})})
        response = api_client.get(url, headers={"Authorization": f"Bearer {tokens[account][0]}"})
        assert response.status_code == 200, (url, response.status_code)
        body = response.get_json()
        after = int(base64.urlsafe_b64decode(body["next_cursor"] + "==")) if body["next_cursor"] else None
        return body["items"], after

    def bare_get(_account, query, after):
        response = bare_client.get("/cases.json?" + urlencode({**query, **({"cursor": after} if after else {})}))
        assert response.status_code == 200, response.status_code
        body = response.get_json()
        return body["items"], int(body["next_cursor"]) if body["next_cursor"] else None

    def run(get):
        pages = items = 0
        seen = []
        for account, query, start, count in walks:
            after = start
            for _ in range(count):
                found, after = get(account, query, after)
                pages, items = pages + 1, items + len(found)
                seen.append([item["number"] for item in found])
                if after is None:
                    break
        return pages, items, seen

    api_once, bare_once = run(api_get), run(bare_get)
    same = sum(a == b for a, b in zip(api_once[2], bare_once[2], strict=True))
    print(f"API mix: {args.walks} walks, {api_once[0]} pages, {api_once[1]:,} cases; the same cases from both "
          f"on {same} of {len(api_once[2])} pages (a page apart: a write landed between the two reads)")
    rates = {"api": [], "bare": []}
    for _ in range(args.repeat):
        for name, get in (("api", api_get), ("bare", bare_get)):
            started = time.perf_counter()
            pages, _items, _seen = run(get)
            rates[name].append(pages / (time.perf_counter() - started))
    api_rate, bare_rate = (statistics.median(rates[k]) for k in ("api", "bare"))
    ratios = [a / b for a, b in zip(rates["api"], rates["bare"], strict=True)]
    print(f"API /api/v1/cases:  median {api_rate:7.1f} pages/s (runs: {', '.join(f'{r:.0f}' for r in rates['api'])})")
    print(f"bare Flask+sqlite3: median {bare_rate:7.1f} pages/s (runs: {', '.join(f'{r:.0f}' for r in rates['bare'])})")
    print(f"API / bare: {api_rate / bare_rate:.0%}, run by run {min(ratios):.0%}–{max(ratios):.0%} "
          f"(target ≥ 50%: {'met' if api_rate >= bare_rate / 2 else 'MISSED'})")
    written = stop_writer(writer)
    print(f"writes committed meanwhile: {written:,} transactions ({written / (time.perf_counter() - began):.1f}/s); "
          f"load average {os.getloadavg()[0]:.1f} (before: {load_before:.1f})")


if __name__ == "__main__":
    main()
