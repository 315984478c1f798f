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

# Each dispute registered in the period (by the cut) as it stood on the cut: declined (不予受理), accepted,
# concluded, its level then (from the escalation days) and its performance as last visited by then.
AS_AT = """
WITH d AS (
  SELECT d.*,
         (d.accepted_on IS NULL AND d.outcome IS NULL AND d.closed_on IS NOT NULL AND d.closed_on <= :cut) AS declined,
         (d.outcome IS NOT NULL AND d.closed_on <= :cut) AS concluded,
         ((d.accepted_on IS NOT NULL AND d.accepted_on <= :cut) OR (d.outcome IS NOT NULL AND d.closed_on <= :cut))
           AS accepted,
         CASE WHEN d.level = 'county' AND (d.county_level_on IS NULL OR d.county_level_on <= :cut) THEN 'county'
              WHEN d.level IN ('county', 'township') AND (d.township_level_on IS NULL OR d.township_level_on <= :cut)
              THEN 'township' ELSE 'village' END AS level_at
  FROM disputes d
  WHERE d.township_id = :t AND d.registered_on BETWEEN :start AND :cut AND d.merged_into_id IS NULL
)
"""
DISPUTES = AS_AT + """
SELECT SUM(NOT declined), SUM(declined), SUM(NOT declined AND accepted), SUM(NOT declined AND NOT accepted),
       SUM(concluded AND outcome = 'succeeded'), SUM(concluded AND outcome = 'failed'),
       SUM(concluded AND outcome = 'ended'), SUM(accepted AND NOT concluded),
       SUM(concluded AND outcome = 'succeeded' AND performance_at = 'performed'),
       SUM(concluded AND outcome = 'succeeded' AND performance_at IS NOT NULL),
       SUM(concluded AND outcome = 'succeeded' AND level_at = 'village'),
       SUM(concluded AND outcome = 'succeeded' AND level_at = 'township'),
       SUM(accepted AND channel = 'peoples' AND level_at != 'county'),
       SUM(concluded AND channel = 'peoples' AND level_at != 'county'),
       SUM(concluded AND outcome = 'succeeded' AND channel = 'peoples' AND level_at != 'county'),
       SUM(NOT declined AND risk_level = 'major'),
       SUM(NOT declined AND risk_level = 'major' AND LENGTH(TRIM(COALESCE(responsible_unit, ''))) > 0
           AND LENGTH(TRIM(COALESCE(responsible_leader, ''))) > 0
           AND LENGTH(TRIM(COALESCE(responsible_person, ''))) > 0),
       SUM(concluded AND outcome = 'failed' AND legal_aid_referred),
       SUM(NOT declined AND prevented_criminal),
       SUM(CASE WHEN NOT declined AND prevented_criminal THEN prevented_criminal_persons ELSE 0 END),
       SUM(NOT declined AND prevented_group_petition),
       SUM(CASE WHEN NOT declined AND prevented_group_petition THEN prevented_group_petition_persons ELSE 0 END)
FROM (SELECT d.*, CASE WHEN d.outcome = 'succeeded' AND d.closed_on <= :cut THEN COALESCE(
        (SELECT v.performance FROM return_visits v WHERE v.dispute_id = d.id AND v.visited_on <= :cut
         ORDER BY v.visited_on DESC, v.id DESC LIMIT 1),
        CASE WHEN NOT EXISTS (SELECT 1 FROM return_visits v WHERE v.dispute_id = d.id) THEN d.performance END)
      END AS performance_at FROM d)
"""
DISPUTE_BREAKDOWNS = {
    "by_type": AS_AT + "SELECT k.name, COUNT(*) FROM d JOIN dispute_types k ON k.id = d.dispute_type_id "
                       "WHERE NOT d.declined GROUP BY k.name",
    "by_village": AS_AT + "SELECT v.name, COUNT(*) FROM d JOIN villages v ON v.id = d.village_id "
                          "WHERE NOT d.declined GROUP BY v.name",
    "by_source": AS_AT + "SELECT source, COUNT(*) FROM d WHERE NOT declined GROUP BY source",
    "by_channel": AS_AT + "SELECT channel, COUNT(*) FROM d WHERE NOT declined GROUP BY channel",
    "by_level": AS_AT + "SELECT level_at, COUNT(*) FROM d WHERE concluded AND outcome = 'succeeded' GROUP BY level_at",
    "by_month": AS_AT + "SELECT CAST(strftime('%m', registered_on) AS INTEGER), COUNT(*) FROM d "
                        "WHERE NOT declined GROUP BY 1",
}
PETITIONS = """
SELECT SUM(repeat_of_id IS NULL), COALESCE(SUM(persons), 0), SUM(channel = 'visit' AND persons >= :threshold),
       SUM(channel != 'visit' AND persons >= :threshold), SUM(repeat_of_id IS NOT NULL), SUM(cross_level),
       SUM(level IN ('province', 'beijing')),
       SUM(repeat_of_id IS NULL AND decision IN ('accepted', 'assigned') AND decided_on <= :cut),
       SUM(repeat_of_id IS NULL AND decision = 'forwarded' AND decided_on <= :cut),
       SUM(repeat_of_id IS NULL AND decision = 'not_accepted' AND decided_on <= :cut),
       SUM(repeat_of_id IS NULL AND (decision = 'pending' OR decided_on IS NULL OR decided_on > :cut)),
       SUM(answered_on <= :cut), SUM(answered_on <= :cut AND satisfaction IS NOT NULL),
       SUM(answered_on <= :cut AND satisfaction IN ('satisfied', 'basically')), SUM(disruptive),
       SUM(channel = 'visit'), COALESCE(SUM(CASE WHEN channel = 'visit' THEN persons END), 0),
       SUM(repeat_of_id IS NULL AND decision = 'assigned' AND decided_on <= :cut AND legal_route IS NULL),
       SUM(disruptive AND police_referred_on <= :cut),
       SUM(channel = 'visit' AND leader_received_by IS NOT NULL),
       COALESCE(SUM(CASE WHEN channel = 'visit' AND leader_received_by IS NOT NULL THEN persons END), 0),
       COUNT(DISTINCT CASE WHEN channel = 'visit' AND leader_received_by IS NOT NULL THEN received_on END)
FROM petitions WHERE township_id = :t AND received_on BETWEEN :start AND :cut
"""
DECIDED = """
SELECT received_on, decided_on FROM petitions
WHERE township_id = :t AND received_on BETWEEN :start AND :cut AND repeat_of_id IS NULL
  AND decision IN ('accepted', 'assigned', 'forwarded', 'not_accepted') AND decided_on <= :cut
"""
DUE = """
SELECT COUNT(*), SUM(answered_on IS NOT NULL AND answered_on <= opinion_due_on)
FROM petitions
WHERE township_id = :t AND opinion_due_on BETWEEN :start AND :end AND (opinion_due_on < :as_of OR answered_on IS NOT NULL)
"""
RECEIVED = "p.township_id = :t AND p.received_on BETWEEN :start AND :cut AND p.repeat_of_id IS NULL"
PETITION_BREAKDOWNS = {
    "by_channel": f"SELECT p.channel, COUNT(*) FROM petitions p WHERE {RECEIVED} GROUP BY p.channel",
    "by_village": f"SELECT COALESCE(v.name, '未指明村'), COUNT(*) FROM petitions p LEFT JOIN villages v "
                  f"ON v.id = p.village_id WHERE {RECEIVED} GROUP BY 1",
    "by_category": f"SELECT c.name, COUNT(*) FROM petitions p JOIN petition_categories c ON c.id = p.category_id "
                   f"WHERE {RECEIVED} GROUP BY c.name",
}
# One row per unit and schedule period (as the rounds store it) that belongs to the year: a village's week by its
# Thursday (weeks starting from :first_monday to :last_monday), the township's half-months within the year.
ROUNDS = """
SELECT COUNT(*), SUM(found = 0), SUM(found > 0), COALESCE(SUM(found), 0), COALESCE(SUM(registered), 0),
       COALESCE(SUM(resolved), 0) FROM (
  SELECT SUM((SELECT COUNT(*) FROM screening_findings f WHERE f.round_id = r.id)) AS found,
         SUM((SELECT COUNT(f.dispute_id) FROM screening_findings f WHERE f.round_id = r.id)) AS registered,
         SUM((SELECT COUNT(*) FROM screening_findings f WHERE f.round_id = r.id AND NOT f.is_dispute
              AND f.dispute_id IS NULL)) AS resolved
  FROM screening_rounds r
  WHERE r.township_id = :t AND r.held_on BETWEEN :window_start AND :window_end
    AND ((r.level = 'village' AND r.period_start BETWEEN :first_monday AND :last_monday)
      OR (r.level = 'township' AND r.period_start BETWEEN :start AND :end))
  GROUP BY r.level, r.village_id, r.period_start)
"""


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _thursday_weeks(start: date, end: date) -> tuple[date, date]:
    """The first and last Monday of the weeks whose Thursday falls in [start, end] (ISO weeks of a year)."""
    first_thursday = start + timedelta(days=(3 - start.weekday()) % 7)
    last_thursday = end - timedelta(days=(end.weekday() - 3) % 7)
    return first_thursday - timedelta(days=3), last_thursday - timedelta(days=3)


def upgrade_schema(path: Path) -> None:
    """Bring the database up to the app's latest migration (a no-op when it is already there)."""
    from flask_migrate import upgrade

    from casetrack import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    with app.app_context():
        upgrade()


def plain_sql(connection: sqlite3.Connection, township: str, year: int, as_of: date) -> dict:
    """The year's figures for one township with hand-written SQL (the same definitions as the app)."""
    from casetrack.domain import deadlines as dl

    start, end = date(year, 1, 1), date(year, 12, 31)
    cut = min(end, as_of)
    t, villages, threshold = connection.execute(
        "SELECT t.id, (SELECT COUNT(*) FROM villages v WHERE v.township_id = t.id), "
        "COALESCE(json_extract(t.settings, '$.collective_threshold'), 5) FROM townships t WHERE t.name = ?",
        (township,)).fetchone()
    p = {"t": t, "start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat(),
         "cut": cut.isoformat(), "threshold": threshold}
    (registered, not_accepted, accepted, pending, succeeded, failed, ended, in_progress, performed, known, village,
     township_level, vt_accepted, vt_mediated, vt_succeeded, major, major_responsible, legal_aid, criminal,
     criminal_persons, group, group_persons) = (v or 0 for v in connection.execute(DISPUTES, p).fetchone())
    mediated = succeeded + failed + ended
    disputes = {
        "registered": registered, "accepted": accepted, "pending_decision": pending, "not_accepted": not_accepted,
        "mediated": mediated, "succeeded": succeeded, "failed": failed, "ended": ended, "in_progress": in_progress,
        "mediation_rate": _rate(mediated, accepted), "success_rate": _rate(succeeded, accepted),
        "village_township": {"accepted": vt_accepted, "mediated": vt_mediated, "succeeded": vt_succeeded,
                             "mediation_rate": _rate(vt_mediated, vt_accepted),
                             "success_rate": _rate(vt_succeeded, vt_accepted)},
        "performed_rate": _rate(performed, known), "village_share": _rate(village, succeeded),
        "within_township_share": _rate(village + township_level, succeeded),
        "major": major, "major_responsible": major_responsible, "legal_aid": legal_aid,
        "prevented_criminal": criminal, "prevented_criminal_persons": criminal_persons,
        "prevented_group_petition": group, "prevented_group_petition_persons": group_persons,
    }
    for key, query in DISPUTE_BREAKDOWNS.items():
        rows = connection.execute(query, p).fetchall()
        names = LABELS.get(key[3:], {})
        disputes[key] = {names.get(name, name): count for name, count in rows}
    (received, persons, collective, collective_other, repeat, cross, province, p_accepted, forwarded, p_not_accepted,
     undecided, answered, rated, satisfied, disruptive, visits, visit_persons, assigned, police_referred,
     leader_visits, leader_visit_persons, leader_days) = (
        v or 0 for v in connection.execute(PETITIONS, p).fetchone())
    # 及时受理: decided within 15 days of receipt, the last day moved past rest days (the domain's own rule: the
    # app's definition of a time limit, not something SQL can say); the generated database has no calendar rows.
    policy = dl.DeadlinePolicy()
    limits: dict[str, date] = {}
    timely = 0
    for received_on, decided_on in connection.execute(DECIDED, p):
        if received_on not in limits:
            limits[received_on] = dl.petition_acceptance_deadline(date.fromisoformat(received_on), policy).due
        timely += date.fromisoformat(decided_on) <= limits[received_on]
    due, on_time = (v or 0 for v in connection.execute(DUE, p).fetchone())
    petitions = {
        "received": received, "accepted": p_accepted, "forwarded": forwarded, "not_accepted": p_not_accepted,
        "undecided": undecided, "timely_decided": timely,
        "timely_decided_rate": _rate(timely, p_accepted + forwarded + p_not_accepted), "supervised": 0,
        "persons": persons, "visits": visits, "visit_persons": visit_persons, "collective": collective,
        "collective_other": collective_other, "repeat": repeat, "cross_level": cross,
        "to_province_or_beijing": province, "due": due, "on_time": on_time, "on_time_rate": _rate(on_time, due),
        "answered": answered, "rated": rated, "rating_rate": _rate(rated, answered), "satisfied": satisfied,
        "satisfaction_rate": _rate(satisfied, rated), "disruptive": disruptive, "assigned": assigned,
        "police_referred": police_referred, "leader_visits": leader_visits,
        "leader_visit_persons": leader_visit_persons, "leader_reception_days": leader_days,
    }
    for key, query in PETITION_BREAKDOWNS.items():
        names = LABELS["petition_channel"] if key == "by_channel" else {}
        petitions[key] = {names.get(name, name): count for name, count in connection.execute(query, p).fetchall()}
    # Rounds are due per village weekly and for the township half-monthly (the default settings, no
    # intensified periods in the data), in the periods that belong to the year; a period counts once ended (or
    # once a round was held in it). The data begins years before, so no period is before the first record.
    first_monday, last_monday = _thursday_weeks(start, end)
    ended_weeks = sum(1 for i in range((last_monday - first_monday).days // 7 + 1)
                      if first_monday + timedelta(days=7 * i + 6) < as_of)
    half_months = sum((date(year, m, 15) < as_of) + (date(year, m, calendar.monthrange(year, m)[1]) < as_of)
                      for m in range(1, 13))
    held, nil, found, findings, found_registered, found_resolved = (v or 0 for v in connection.execute(ROUNDS, {
        **p, "window_start": (start - timedelta(days=6)).isoformat(), "window_end": (end + timedelta(days=6)).isoformat(),
        "first_monday": first_monday.isoformat(), "last_monday": last_monday.isoformat()}).fetchone())
    due_rounds = villages * ended_weeks + half_months
    screening = {"due": due_rounds, "held": held, "nil": nil, "found": found, "findings": findings,
                 "found_registered": found_registered, "found_resolved": found_resolved,
                 "rate": _rate(min(held, due_rounds), due_rounds), "intensified_held": 0}
    return {"year": year, "township": township, "disputes": disputes, "petitions": petitions, "screening": screening}


def compare(app_figures: dict, sql_figures: dict) -> list[str]:
    """Return the figures on which the two disagree (breakdowns compared as dicts, rates to 1e-12)."""
    problems = []
    for section in ("disputes", "petitions", "screening"):
        for key, value in sql_figures[section].items():
            mine = app_figures[section].get(key)
            pairs = [(f"{key}.{k}", v, (mine or {}).get(k)) for k, v in value.items()] \
                if key == "village_township" else [(key, value, mine)]
            for name, theirs, ours in pairs:
                if isinstance(theirs, float) and isinstance(ours, float):
                    same = abs(theirs - ours) < 1e-12
                else:
                    same = theirs == ours
                if not same:
                    problems.append(f"{section}.{name}: app {ours!r} ≠ sql {theirs!r}")
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
        path = ensure_database(args.disputes, 20)
        upgrade_schema(path)  # a cached file built before the latest migration gets its new indexes
    from casetrack import clock, create_app
    from casetrack.domain.periods import Period
    from casetrack.extensions import db
    from casetrack.models import Dispute, Township
    from casetrack.services import places
    from casetrack.services import statistics as stats

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    as_of = clock.today()
    period = Period.of_year(args.year)
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
