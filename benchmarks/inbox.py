"""Measure /inbox (待办) at county scale for a staff member, a leader and a village mediator.

    .venv/bin/python benchmarks/inbox.py [--disputes 1000000] [--repeat 30]

Uses the cached county database (benchmarks/county_data.py: 1,000,000 disputes, 20 townships, 10 years),
brought up to the latest migration; adds, once, a mediator of the first village and, in the first township,
a few pending extension requests and due 督办 so that every kind of line has rows to find. Each user signs in
through the real form; then /inbox is requested --repeat times in-process (Flask's test client, so the time is
the server's own: routing, queries, template) and the median and worst are printed, with every SQL statement
of one request and its query plan. A plan that scans a whole table (SQLite's "SCAN <table>" without an index)
is flagged.
Target (issue 17): /inbox under 50 ms at 1,000,000 cases.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

from benchmarks.county_data import PASSWORD, ensure_database  # noqa: E402

MEDIATOR = "bench-mediator1"


def prepare(app) -> None:
    """Add the mediator and a few leader lines once (kept in the cached file)."""
    from sqlalchemy import select, update

    from casetrack import clock
    from casetrack.extensions import db
    from casetrack.models import Dispute, Petition, Role, Supervision, Township, User
    from casetrack.services import accounts

    with app.app_context():
        if db.session.execute(select(User.id).where(User.username == MEDIATOR)).first():
            return
        township = db.session.execute(select(Township).order_by(Township.id)).scalars().first()
        accounts.add_user(MEDIATOR, PASSWORD, Role.MEDIATOR, village=township.villages[0])
        leader = db.session.execute(select(User).where(User.username == "leader1")).scalar_one()
        petitions = db.session.execute(select(Petition.id).where(
            Petition.township_id == township.id, Petition.status == "in_progress").limit(5)).scalars().all()
        db.session.execute(update(Petition).where(Petition.id.in_(petitions)).values(
            extension_requested_days=15, extension_requested_reason="需要现场核实"))
        for dispute_id in db.session.execute(select(Dispute.id).where(
                Dispute.township_id == township.id, Dispute.status == "mediating").limit(5)).scalars():
            db.session.add(Supervision(dispute_id=dispute_id, leader_id=leader.id, note="请尽快化解",
                                       due_on=clock.today() - timedelta(days=1)))
        db.session.commit()


def measure(app, username: str, repeat: int) -> tuple[list[float], list[tuple[str, str]], int, list[float]]:
    """Sign in and time /inbox; return its times (ms), each statement with its plan, the lines shown, and the
    dashboard's times (ms) measured in turn as a reference for the machine's speed."""
    from sqlalchemy import event

    from casetrack.extensions import db

    client = app.test_client()
    response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    statements: list[tuple[str, tuple]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    page = client.get("/inbox")
    event.remove(engine, "before_cursor_execute", keep)
    assert page.status_code == 200
    lines = page.get_data(as_text=True).count('class="inbox-line"')
    times, reference = [], []
    for _ in range(repeat):  # /inbox and the dashboard in turn, so a change of the machine's load hits both
        started = time.perf_counter()
        assert client.get("/inbox").status_code == 200
        times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        assert client.get("/").status_code == 200
        reference.append((time.perf_counter() - started) * 1000)
    plans = []
    with engine.connect() as connection:
        for statement, parameters in statements:
            raw = connection.connection.driver_connection
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append((statement, "\n".join(row[-1] for row in rows)))
    return times, plans, lines, reference


FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING)", re.M)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--plans", action="store_true", help="print every statement's plan, not only full scans")
    args = parser.parse_args()

    from benchmarks.queue import upgrade_schema
    from casetrack import create_app

    path = ensure_database(args.disputes, 20)
    upgrade_schema(path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark",
                      "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    prepare(app)
    print(f"/inbox on {path.name}, {args.repeat} requests each, in-process; load average {os.getloadavg()[0]:.1f}")
    print(f"{'user':<18}{'lines':>6}{'median ms':>11}{'max ms':>9}{'dashboard ms':>14}{'statements':>12}"
          f"{'full scans':>12}")
    for username in ("staff1", "leader1", MEDIATOR):
        times, plans, lines, reference = measure(app, username, args.repeat)
        scans = [(s, p) for s, p in plans if FULL_SCAN.search(p) and not FULL_SCAN.search(p).group(1).startswith(
            ("calendar_", "townships", "villages"))]  # the holiday calendar and the places are small, read whole
        print(f"{username:<18}{lines:>6}{statistics.median(times):>11.1f}{max(times):>9.1f}"
              f"{statistics.median(reference):>14.1f}{len(plans):>12}{len(scans):>12}")
        for statement, plan in (plans if args.plans else scans):
            print("   ", " ".join(statement.split())[:160])
            print("     ", plan.replace("\n", "\n      "))


if __name__ == "__main__":
    main()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
