"""Measure /inbox (待办) at 1,000,000 cases, the user and role changing on every request, with writes meanwhile.

    .venv/bin/python benchmarks/inbox.py [--disputes 1000000] [--requests 300] [--writes-per-second 2]

Uses the cached county database (benchmarks/county_data.py: 1,000,000 disputes, 20 townships × 7 villages,
10 years), brought up to the latest migration. Once (kept in the file) it adds a mediator to each of the first
two villages of every township, and in every township five extension requests, five 督办 come due and a ledger
import with notices, so that every kind of line has rows to find.

Every staff member (20), leader (20) and those mediators (40) signs in through the real form; then /inbox is
requested --requests times, each time as the next of the 80 users in turn (staff, leader, mediator, staff, ...),
in-process (Flask's test client, so the time is the server's own: routing, session, the queries, the limits of
each line, the template). Meanwhile another process writes through the app's services and commits, about
--writes-per-second times a second: registers a dispute in a random village, or accepts one waiting (the
staff's lines change under the reader, SQLite's WAL holds both). The median, 90th percentile and worst per role
are printed (wall clock), with the median CPU time of this process per request (what the request itself costs,
whatever else the machine runs), the writes done and the load average; then, for one user of each role, every statement of
one request whose plan scans a case table whole (there should be none; --plans prints every plan).
Target (issue 17): /inbox under 50 ms at 1,000,000 cases. The writes stay in the cached file (a few hundred
disputes a run).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

from benchmarks.county_data import PASSWORD, ensure_database  # noqa: E402

MEDIATOR = "bench-mediator{township}-{village}"
CONFIG = {"SECRET_KEY": "benchmark", "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}


def _app(path: Path):
    from casetrack import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", **CONFIG})


def prepare(app) -> list[tuple[str, str]]:
    """Add the mediators and each township's leader lines and import once; return (username, role) in turn."""
    from sqlalchemy import select, update

    from casetrack import clock
    from casetrack.extensions import db
    from casetrack.models import Dispute, LedgerImport, Petition, Role, Supervision, Township, User
    from casetrack.services import accounts

    with app.app_context():
        townships = db.session.execute(select(Township).order_by(Township.id)).scalars().all()
        done = db.session.execute(select(User.id).where(User.username == MEDIATOR.format(township=1, village=1))).first()
        for number, township in enumerate(townships, 1):
            if done:
                break
            for index, village in enumerate(township.villages[:2], 1):
                accounts.add_user(MEDIATOR.format(township=number, village=index), PASSWORD, Role.MEDIATOR,
                                  village=village)
            leader = db.session.execute(select(User).where(User.username == f"leader{number}")).scalar_one()
            petitions = db.session.execute(select(Petition.id).where(
                Petition.township_id == township.id, Petition.status == "in_progress").limit(5)).scalars().all()
            db.session.execute(update(Petition).where(Petition.id.in_(petitions)).values(
                extension_requested_days=15, extension_requested_reason="需要现场核实"))
            for dispute_id in db.session.execute(select(Dispute.id).where(
                    Dispute.township_id == township.id, Dispute.status == "mediating").limit(5)).scalars():
                db.session.add(Supervision(dispute_id=dispute_id, leader_id=leader.id, note="请尽快化解",
                                           due_on=clock.today() - timedelta(days=1)))
        for township in townships:  # a ledger import with notices waiting in each township (once)
            if db.session.execute(select(LedgerImport.id).where(LedgerImport.township_id == township.id)).first():
                continue
            db.session.add(LedgerImport(
                township_id=township.id, source="cli", filename="2025年手工台账.xlsx", imported_at=clock.now_utc(),
                created=120, updated=3, unchanged=0, skipped=2, attention=3, notices=[
                    {"template": "工作表“%(sheet)s”:未知列“%(column)s”,已忽略。",
                     "params": {"sheet": "矛盾纠纷", "column": "备用"}, "attention": True}]))
        db.session.commit()
        people = []
        for number in range(1, len(townships) + 1):
            people += [(f"staff{number}", "staff"), (f"leader{number}", "leader"),
                       (MEDIATOR.format(township=number, village=1 + number % 2), "mediator")]
        for number in range(1, len(townships) + 1):
            people.append((MEDIATOR.format(township=number, village=2 - number % 2), "mediator"))
        return people


def write_meanwhile(path: str, per_second: float, stop, done) -> None:
    """Write through the services until told to stop: register a dispute, or accept one waiting; commit each."""
    from sqlalchemy import select

    from casetrack import clock
    from casetrack.domain import workflow as wf
    from casetrack.extensions import db
    from casetrack.models import Dispute, Township, User
    from casetrack.services import disputes
    from casetrack.services.places import dispute_types

    app = _app(Path(path))
    rng = random.Random(os.getpid())
    with app.app_context():
        townships = db.session.execute(select(Township).order_by(Township.id)).scalars().all()
        staff = {t.id: db.session.execute(select(User).where(User.username == f"staff{n}")).scalar_one()
                 for n, t in enumerate(townships, 1)}
        today = clock.today()
        while not stop.is_set():
            started = time.perf_counter()
            township = rng.choice(townships)
            actor = staff[township.id]
            waiting = db.session.execute(select(Dispute).where(
                Dispute.township_id == township.id, Dispute.status == "registered",
                Dispute.merged_into_id.is_(None), Dispute.registered_on >= today - timedelta(days=10))
                .limit(1)).scalar_one_or_none()
            if waiting is not None and rng.random() < 0.5:
                disputes.accept(waiting, actor, today, today)
            else:
                intake = disputes.DisputeIntake(
                    village_id=rng.choice(township.villages).id, dispute_type_id=dispute_types(township.id)[0].id,
                    source=wf.Source.APPLICATION, registered_on=today, summary="因院墙占道发生争执",
                    people_involved=2, parties=[disputes.PartyData(wf.PartySide.APPLICANT, "王某"),
                                                disputes.PartyData(wf.PartySide.RESPONDENT, "李某")])
                disputes.register_dispute(actor, intake, today)
            db.session.commit()
            with done.get_lock():
                done.value += 1
            time.sleep(max(0.0, 1 / per_second - (time.perf_counter() - started)))


def signed_in(app, people):
    clients = []
    for username, role in people:
        client = app.test_client()
        response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, f"{username} could not sign in"
        clients.append((username, role, client))
    return clients


FULL_SCAN = re.compile(r"^SCAN (\w+)(?! USING)", re.M)


def plans_of_one_request(app, client) -> list[tuple[str, str]]:
    """Every SELECT of one /inbox request with its SQLite plan."""
    from sqlalchemy import event

    from casetrack.extensions import db

    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert client.get("/inbox").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    plans = []
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for statement, parameters in statements:
            rows = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            plans.append((statement, "\n".join(row[-1] for row in rows)))
    return plans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--writes-per-second", type=float, default=2.0)
    parser.add_argument("--plans", action="store_true", help="print every statement's plan, not only full scans")
    args = parser.parse_args()

    from benchmarks.queue import upgrade_schema

    path = ensure_database(args.disputes, 20)
    upgrade_schema(f"sqlite:///{path}")
    app = _app(path)
    people = prepare(app)
    clients = signed_in(app, people)
    lines = {}
    for username, _role, client in clients:  # each user's page once, unmeasured: the lines they see
        lines[username] = client.get("/inbox").get_data(as_text=True).count('class="inbox-line"')

    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: no SQLite connection shared across a fork
    stop, done = spawn.Event(), spawn.Value("i", 0)
    writer = spawn.Process(
        target=write_meanwhile, args=(str(path), args.writes_per_second, stop, done), daemon=True)
    writer.start()
    time.sleep(3)  # the writer's app is up and writing
    before = done.value
    times: dict[str, list[float]] = {"staff": [], "leader": [], "mediator": []}
    started_all = time.perf_counter()
    load_before = os.getloadavg()[0]
    cpu: dict[str, list[float]] = {role: [] for role in times}
    for n in range(args.requests):
        _username, role, client = clients[n % len(clients)]
        started, started_cpu = time.perf_counter(), time.process_time()
        assert client.get("/inbox").status_code == 200
        times[role].append((time.perf_counter() - started) * 1000)
        cpu[role].append((time.process_time() - started_cpu) * 1000)
    elapsed = time.perf_counter() - started_all
    writes = done.value - before
    stop.set()
    writer.join(timeout=30)
    everyone = sorted(t for values in times.values() for t in values)

    def line(name, values, shown, cpu_values):
        values = sorted(values)
        p90 = values[max(0, int(len(values) * 0.9) - 1)]
        print(f"{name:<10}{len(values):>9}{shown:>8}{statistics.median(values):>11.1f}{p90:>9.1f}{values[-1]:>9.1f}"
              f"{statistics.median(cpu_values):>13.1f}")

    print(f"/inbox on {path.name}: {args.requests} requests over {len(clients)} users in turn, in-process; "
          f"{writes} writes committed meanwhile ({writes / elapsed:.1f}/s); "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'role':<10}{'requests':>9}{'lines':>8}{'median ms':>11}{'p90 ms':>9}{'max ms':>9}{'CPU ms med':>13}")
    for role, values in times.items():
        shown = [lines[u] for u, r, _c in clients if r == role]
        line(role, values, f"{min(shown)}–{max(shown)}", cpu[role])
    line("all", everyone, "", [t for values in cpu.values() for t in values])

    for username, _role, client in [next(c for c in clients if c[1] == role) for role in times]:
        plans = plans_of_one_request(app, client)
        scans = [(s, p) for s, p in plans if FULL_SCAN.search(p) and not FULL_SCAN.search(p).group(1).startswith(
            ("calendar_", "townships", "villages"))]  # the holiday calendar and the places are small, read whole
        print(f"{username}: {len(plans)} statements, {len(scans)} full scans of a case table")
        for statement, plan in (plans if args.plans else scans):
            print("   ", " ".join(statement.split())[:160])
            print("     ", plan.replace("\n", "\n      "))


if __name__ == "__main__":
    main()
