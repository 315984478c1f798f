"""Time the county's roll-up and the API's case pages on a county's cases (1,000,000 disputes by default).

    .venv/bin/python benchmarks/county.py [--disputes 1000000] [--year 2025] [--repeat 5] [--pages 30]

The database comes from benchmarks/county_data.py (cached under benchmarks/.data/, brought up to the latest
migration); a county holding every township, a county account and an API token are added to it once.

  roll-up   GET /county/<year> as the county account through Flask's test client (the whole request: the reach
            hook, each township's figures and the county total by services.statistics, the page), against
            the same figures with hand-written SQL (benchmarks/report.py's plain_sql for each township, the
            total summed from them). Target: within 2× of the SQL.
  API       GET /api/v1/cases pages (100 disputes each, walked by next_cursor, with the token) against the same
            pages from bare Flask + sqlite3 (benchmarks/bare_app.py /cases.json). Target: at least 50% of the
            bare app's pages per second.
"""

import argparse
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

from benchmarks.county_data import ensure_database  # noqa: E402
from benchmarks.report import plain_sql, upgrade_schema  # noqa: E402

COUNTY = "基准县"
USERNAME = "benchcounty"
PASSWORD = "Bench-mark-2026"


def prepare(app) -> str:
    """Add the county of every township, its account and a token (once); return the token."""
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
    db.session.commit()
    return token


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
    parser.add_argument("--pages", type=int, default=30, help="API pages walked per run")
    args = parser.parse_args()
    path = ensure_database(args.disputes)
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
        token = prepare(app)
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

    run_app(), run_sql()
    timings = {"app": [], "sql": []}
    for _ in range(args.repeat):
        for name, run in (("app", run_app), ("sql", run_sql)):
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    app_ms, sql_ms = (statistics.median(timings[k]) * 1000 for k in ("app", "sql"))
    print(f"database: {path.name}, {total:,} disputes, {len(names)} townships; /county/{args.year}")
    print(f"app  GET /county/{args.year}: median {app_ms:8.1f} ms ({args.repeat} runs)")
    print(f"plain SQL roll-up:    median {sql_ms:8.1f} ms")
    print(f"ratio app / SQL: {app_ms / sql_ms:.2f}× (target ≤ 2×: {'met' if app_ms / sql_ms <= 2 else 'MISSED'})")

    os.environ["BARE_DATABASE"] = str(path)
    from benchmarks.bare_app import app as bare

    bare_client = bare.test_client()
    api_client = app.test_client()  # no session: the API opens with the token only
    headers = {"Authorization": f"Bearer {token}"}

    def walk(get, url, key):
        cursor, pages = None, 0
        while pages < args.pages:
            body = get(url + (f"{key}{cursor}" if cursor else "")).get_json()
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        return pages

    def run_api():
        return walk(lambda u: api_client.get(u, headers=headers), "/api/v1/cases?kind=dispute", "&cursor=")

    def run_bare():
        return walk(bare_client.get, "/cases.json", "?cursor=")

    run_api(), run_bare()
    rates = {"api": [], "bare": []}
    for _ in range(args.repeat):
        for name, run in (("api", run_api), ("bare", run_bare)):
            started = time.perf_counter()
            pages = run()
            rates[name].append(pages / (time.perf_counter() - started))
    api_rate, bare_rate = (statistics.median(rates[k]) for k in ("api", "bare"))
    print(f"API /api/v1/cases:  median {api_rate:7.1f} pages/s (100 disputes a page, {args.pages} pages a run)")
    print(f"bare Flask+sqlite3: median {bare_rate:7.1f} pages/s")
    print(f"API / bare: {api_rate / bare_rate:.0%} (target ≥ 50%: {'met' if api_rate >= bare_rate / 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
