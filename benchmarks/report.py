"""Time the year's report figures (the JSON of /reports/<year>.json) against the same aggregates written as
plain SQL, side by side on one SQLite file of a county's cases (1,000,000 disputes by default).

    .venv/bin/python benchmarks/report.py [--disputes 1000000] [--year 2025] [--township 斜沟乡]
                                          [--repeat 15] [--explain] [--database FILE]

The database comes from benchmarks/county_data.py (built once, cached under benchmarks/.data/, and brought
up to the latest migration on each run).
  app   casetrack.services.statistics.figures(year, one township): what a request for the JSON runs, from a
        fresh session (the township is loaded inside the timing, as a request would);
  sql   the same counts with hand-written SQL through the sqlite3 module on the same file: one aggregate
        pass over the township's disputes, the breakdowns joined to their names, the petitions' counts,
        the due / on-time counts, and the screening rounds grouped per unit and period (the schedule's
        length is arithmetic).
Runs alternate (app, sql, app, sql ...) after one warm-up each, so both see the same cache and load; the
medians and their ratio are printed (target: app within 2× of sql). Both results are checked equal first.
--explain prints SQLite's plan and time for each statement the app runs.
"""

import argparse
import calendar
import sqlite3
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first, and not this folder, where queue.py (the name issue 5 gives it) would shadow the
# standard library's queue module (psycopg, alembic and concurrent.futures import it).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

from benchmarks.county_data import ensure_database  # noqa: E402

LABELS = {  # stored value -> label, as the app shows them (casetrack.domain.workflow / petition_workflow)
    "source": {"application": "当事人申请", "initiative": "主动调解", "referral": "委托移送", "petition": "信访转调"},
    "channel": {"peoples": "人民调解", "administrative": "行政调解", "judicial": "司法调解"},
    "level": {"village": "村", "township": "乡", "county": "县"},
    "petition_channel": {"online": "网上", "letter": "来信", "phone": "来电", "fax": "传真", "visit": "来访"},
}

DISPUTES = """
SELECT SUM(status != 'not_accepted'), SUM(status = 'not_accepted'),
       SUM(outcome = 'succeeded'), SUM(outcome = 'failed'), SUM(outcome = 'ended'),
       SUM(status != 'not_accepted' AND outcome IS NULL),
       SUM(outcome = 'succeeded' AND performance = 'performed'),
       SUM(outcome = 'succeeded' AND performance IS NOT NULL),
       SUM(outcome = 'succeeded' AND level = 'village'), SUM(outcome = 'succeeded' AND level = 'township'),
       SUM(status != 'not_accepted' AND prevented_criminal),
       SUM(CASE WHEN status != 'not_accepted' AND prevented_criminal THEN prevented_criminal_persons ELSE 0 END),
       SUM(status != 'not_accepted' AND prevented_group_petition),
       SUM(CASE WHEN status != 'not_accepted' AND prevented_group_petition
                THEN prevented_group_petition_persons ELSE 0 END),
       SUM(source = 'initiative' AND screening_round_id IS NOT NULL)
FROM disputes
WHERE township_id = :t AND registered_on BETWEEN :start AND :end AND merged_into_id IS NULL
"""
IN_YEAR = "d.township_id = :t AND d.registered_on BETWEEN :start AND :end AND d.merged_into_id IS NULL"
DISPUTE_BREAKDOWNS = {
    "by_type": f"SELECT k.name, COUNT(*) FROM disputes d JOIN dispute_types k ON k.id = d.dispute_type_id "
               f"WHERE {IN_YEAR} AND d.status != 'not_accepted' GROUP BY k.name",
    "by_village": f"SELECT v.name, COUNT(*) FROM disputes d JOIN villages v ON v.id = d.village_id "
                  f"WHERE {IN_YEAR} AND d.status != 'not_accepted' GROUP BY v.name",
    "by_source": f"SELECT d.source, COUNT(*) FROM disputes d WHERE {IN_YEAR} AND d.status != 'not_accepted' "
                 f"GROUP BY d.source",
    "by_channel": f"SELECT d.channel, COUNT(*) FROM disputes d WHERE {IN_YEAR} AND d.status != 'not_accepted' "
                  f"GROUP BY d.channel",
    "by_level": f"SELECT d.level, COUNT(*) FROM disputes d WHERE {IN_YEAR} AND d.outcome = 'succeeded' "
                f"GROUP BY d.level",
    "by_month": f"SELECT CAST(strftime('%m', d.registered_on) AS INTEGER), COUNT(*) FROM disputes d "
                f"WHERE {IN_YEAR} AND d.status != 'not_accepted' GROUP BY 1",
}
PETITIONS = """
SELECT SUM(repeat_of_id IS NULL), COALESCE(SUM(persons), 0), SUM(persons >= :threshold),
       SUM(repeat_of_id IS NOT NULL), SUM(cross_level), SUM(level IN ('province', 'beijing')),
       SUM(satisfaction IS NOT NULL), SUM(satisfaction IN ('satisfied', 'basically')), SUM(disruptive)
FROM petitions WHERE township_id = :t AND received_on BETWEEN :start AND :end
"""
DUE = """
SELECT COUNT(*), SUM(answered_on IS NOT NULL AND answered_on <= opinion_due_on)
FROM petitions
WHERE township_id = :t AND opinion_due_on BETWEEN :start AND :end AND (opinion_due_on < :as_of OR answered_on IS NOT NULL)
"""
RECEIVED = "p.township_id = :t AND p.received_on BETWEEN :start AND :end AND p.repeat_of_id IS NULL"
PETITION_BREAKDOWNS = {
    "by_channel": f"SELECT p.channel, COUNT(*) FROM petitions p WHERE {RECEIVED} GROUP BY p.channel",
    "by_village": f"SELECT COALESCE(v.name, '未指明村'), COUNT(*) FROM petitions p LEFT JOIN villages v "
                  f"ON v.id = p.village_id WHERE {RECEIVED} GROUP BY 1",
    "by_category": f"SELECT c.name, COUNT(*) FROM petitions p JOIN petition_categories c ON c.id = p.category_id "
                   f"WHERE {RECEIVED} GROUP BY c.name",
}
ROUNDS = """
SELECT COUNT(*), SUM(NOT found) FROM (
  SELECT MAX(EXISTS (SELECT 1 FROM screening_findings f WHERE f.round_id = r.id)) AS found
  FROM screening_rounds r
  WHERE r.township_id = :t AND r.held_on BETWEEN :window_start AND :window_end
    AND r.period_end >= :start AND r.period_start <= :end
  GROUP BY r.level, r.village_id, r.period_start)
"""


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _weeks(start: date, end: date) -> tuple[int, date, date]:
    """Monday-to-Sunday weeks overlapping [start, end]: how many, and the first Monday and last Sunday."""
    first = start - timedelta(days=start.weekday())
    last = end + timedelta(days=6 - end.weekday())
    return ((last - first).days + 1) // 7, first, last


def upgrade_schema(path: Path) -> None:
    """Bring the database up to the app's latest migration (a no-op when it is already there)."""
    from flask_migrate import upgrade

    from casetrack import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()


def plain_sql(connection: sqlite3.Connection, township: str, year: int, as_of: date) -> dict:
    """The year's figures for one township with hand-written SQL (the same definitions as the app)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    t, villages, threshold = connection.execute(
        "SELECT t.id, (SELECT COUNT(*) FROM villages v WHERE v.township_id = t.id), "
        "COALESCE(json_extract(t.settings, '$.collective_threshold'), 5) FROM townships t WHERE t.name = ?",
        (township,)).fetchone()
    p = {"t": t, "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat(),
         "threshold": threshold}
    (registered, not_accepted, succeeded, failed, ended, in_progress, performed, known, village, township_level,
     criminal, criminal_persons, group, group_persons, found) = (v or 0 for v in connection.execute(DISPUTES, p).fetchone())
    mediated = succeeded + failed + ended
    disputes = {
        "registered": registered, "not_accepted": not_accepted, "mediated": mediated, "succeeded": succeeded,
        "failed": failed, "ended": ended, "in_progress": in_progress,
        "mediation_rate": _rate(mediated, registered), "success_rate": _rate(succeeded, registered),
        "performed_rate": _rate(performed, known), "village_share": _rate(village, succeeded),
        "within_township_share": _rate(village + township_level, succeeded),
        "prevented_criminal": criminal, "prevented_criminal_persons": criminal_persons,
        "prevented_group_petition": group, "prevented_group_petition_persons": group_persons,
    }
    for key, query in DISPUTE_BREAKDOWNS.items():
        rows = connection.execute(query, p).fetchall()
        names = LABELS.get(key[3:], {})
        disputes[key] = {names.get(name, name): count for name, count in rows}
    received, persons, collective, repeat, cross, province, rated, satisfied, disruptive = (
        v or 0 for v in connection.execute(PETITIONS, p).fetchone())
    due, on_time = (v or 0 for v in connection.execute(DUE, p).fetchone())
    petitions = {
        "received": received, "persons": persons, "collective": collective, "repeat": repeat,
        "cross_level": cross, "to_province_or_beijing": province, "due": due, "on_time": on_time,
        "on_time_rate": _rate(on_time, due), "rated": rated, "satisfied": satisfied,
        "satisfaction_rate": _rate(satisfied, rated), "disruptive": disruptive,
    }
    for key, query in PETITION_BREAKDOWNS.items():
        names = LABELS["petition_channel"] if key == "by_channel" else {}
        petitions[key] = {names.get(name, name): count for name, count in connection.execute(query, p).fetchall()}
    # Rounds are due per village weekly and for the township half-monthly (the default settings, no
    # intensified periods in the data); a period counts once ended (or once a round was held in it).
    weeks, window_start, window_end = _weeks(start, min(end, as_of))
    ended_weeks = sum(1 for i in range(weeks) if window_start + timedelta(days=7 * i + 6) < as_of)
    half_months = sum((date(year, m, 15) < as_of) + (date(year, m, calendar.monthrange(year, m)[1]) < as_of)
                      for m in range(1, 13))
    held, nil = (v or 0 for v in connection.execute(
        ROUNDS, {**p, "window_start": window_start.isoformat(), "window_end": window_end.isoformat()}).fetchone())
    due_rounds = villages * ended_weeks + half_months
    screening = {"due": due_rounds, "held": held, "nil": nil, "found": found,
                 "rate": _rate(min(held, due_rounds), due_rounds)}
    return {"year": year, "township": township, "disputes": disputes, "petitions": petitions, "screening": screening}


def compare(app_figures: dict, sql_figures: dict) -> list[str]:
    """Return the figures on which the two disagree (breakdowns compared as dicts, rates to 1e-12)."""
    problems = []
    for section in ("disputes", "petitions", "screening"):
        for key, value in sql_figures[section].items():
            mine = app_figures[section].get(key)
            if isinstance(value, float) and isinstance(mine, float):
                same = abs(value - mine) < 1e-12
            else:
                same = value == mine
            if not same:
                problems.append(f"{section}.{key}: app {mine!r} ≠ sql {value!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--township", default="斜沟乡")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="print the plan of each app statement and the time of its execute call")
    parser.add_argument("--database", type=Path, help="use this SQLite file instead of the generated one")
    args = parser.parse_args()

    if args.database:
        path = args.database.resolve()
    else:
        path = ensure_database(args.disputes)
        upgrade_schema(path)  # a cached file built before the latest migration gets its new indexes
    from casetrack import clock, create_app
    from casetrack.extensions import db
    from casetrack.models import Dispute, Township
    from casetrack.services import places
    from casetrack.services import statistics as stats

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    as_of = clock.today()
    period = stats.year_period(args.year)
    connection = sqlite3.connect(path)
    for pragma in ("foreign_keys=ON", "busy_timeout=15000", "journal_mode=WAL", "synchronous=NORMAL"):
        connection.execute(f"PRAGMA {pragma}")  # what the app sets on each of its connections

    with app.app_context():
        township_id = places.find_township(args.township).id
        total = db.session.query(Dispute).count()

        def run_app() -> dict:
            db.session.remove()  # a fresh session, as each request has
            township = db.session.get(Township, township_id)
            return stats.figures(period, stats.Scope((township,)), as_of)

        def run_sql() -> dict:
            return plain_sql(connection, args.township, args.year, as_of)

        app_figures, sql_figures = run_app(), run_sql()  # warm-up, and the check that both count the same
        problems = compare(app_figures, sql_figures)
        if problems:
            sys.exit("the app and the plain SQL disagree:\n  " + "\n  ".join(problems))
        timings = {"app": [], "sql": []}
        for _ in range(args.repeat):
            for name, run in (("app", run_app), ("sql", run_sql)):
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
        if args.explain:
            explain(app, connection, period, township_id, as_of)

    d = app_figures["disputes"]
    app_ms, sql_ms = (statistics.median(timings[k]) * 1000 for k in ("app", "sql"))
    revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    analyzed = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone() is not None
    print(f"database: {path.name}, {total:,} disputes, schema {revision}, "
          f"{'with' if analyzed else 'without'} sqlite_stat1 (ANALYZE); {args.township} {args.year}: "
          f"{d['registered']:,} registered, {app_figures['petitions']['received']:,} petitions received")
    print(f"app  figures(): median {app_ms:7.1f} ms  (min {min(timings['app']) * 1000:.1f}, {args.repeat} runs)")
    print(f"plain SQL:      median {sql_ms:7.1f} ms  (min {min(timings['sql']) * 1000:.1f}, {args.repeat} runs)")
    ratio = app_ms / sql_ms
    print(f"ratio app / SQL: {ratio:.2f}× (target ≤ 2×: {'met' if ratio <= 2 else 'MISSED'})")


def explain(app, connection: sqlite3.Connection, period, township_id: int, as_of: date) -> None:
    """Print each statement the app runs for the figures, its time and SQLite's query plan."""
    from sqlalchemy import event

    from casetrack.extensions import db
    from casetrack.models import Township
    from casetrack.services import statistics as stats

    seen: list[tuple[str, tuple, float]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters, time.perf_counter() - conn.info.pop("started")))

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        stats.figures(period, stats.Scope((db.session.get(Township, township_id),)), as_of)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)
    print(f"\n{len(seen)} statements, {sum(s for *_x, s in seen) * 1000:.1f} ms in the database:")
    for statement, parameters, seconds in seen:
        print(f"\n-- {seconds * 1000:.2f} ms: {' '.join(statement.split())[:160]}")
        for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall():
            print(f"   {row[-1]}")


if __name__ == "__main__":
    main()
