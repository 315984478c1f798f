"""Early warnings (预警) at county scale: the refresh after one write, and the nightly refresh of 30 townships.

    .venv/bin/python benchmarks/warnings.py [--disputes 1000000] [--rebuild] [--writes 20]

Builds (once, cached as benchmarks/.data/warnings-<n>.sqlite, migrated by the app's own Alembic migrations) a
county of 30 townships × 7 villages holding n disputes from 2016 to today with two parties each (names drawn from
a pool so that people come back, a third of them with ID numbers), and n/5 petitions with their petitioners.
Then it measures, on that file:

- one write: registering a dispute through services.disputes and committing it; the time of the warnings'
  incremental refresh inside that commit (services.warnings.refresh_touched) and of the whole commit;
- the nightly refresh: services.warnings.refresh_all() over the 30 townships, first (raising every warning)
  and again (nothing to change).

Prints the figures that docs/performance.md records. Targets: under 50 ms for the refresh after one write,
under a minute for the nightly refresh.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
DATA_DIR = Path(__file__).resolve().parent / ".data"

TOWNSHIPS = 30
FIRST_YEAR = 2016
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉鹏飞宇浩然子轩梓涵欣怡"
BATCH = 20_000


def _id_number(rng: random.Random) -> str:
    from casetrack.domain.identity import id_check_digit

    first = f"6201{rng.randrange(10, 99)}{rng.randrange(1950, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 28):02d}"
    first += f"{rng.randrange(0, 1000):03d}"
    return first + id_check_digit(first)


def ensure_database(disputes: int, rebuild: bool = False) -> Path:
    path = DATA_DIR / f"warnings-{disputes}.sqlite"
    if path.exists() and not rebuild:
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    build(partial, disputes)
    partial.replace(path)
    return path


def build(path: Path, total: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from casetrack import clock, create_app
    from casetrack.extensions import db
    from casetrack.models import Dispute, Party, Petition, Petitioner, Role
    from casetrack.services import accounts, places
    from casetrack.services.petitions import petition_prefix

    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    rng = random.Random(20261207)
    today = clock.today()
    with app.app_context():
        upgrade()
        townships = []
        for n in range(TOWNSHIPS):
            name = f"{SURNAMES[n]}家{'乡' if n % 2 else '镇'}"
            township = places.add_township(name, [f"{name[:-1]}{k}村" for k in range(1, 8)])
            staff = accounts.add_user(f"staff{n + 1}", "Bench-mark-2026", Role.STAFF, township=township)
            db.session.flush()
            types = [t.id for t in places.dispute_types(township.id)]
            from casetrack.models import PetitionCategory

            categories = [c for c in db.session.execute(db.select(PetitionCategory.id).where(
                PetitionCategory.township_id == township.id)).scalars()]
            townships.append({"id": township.id, "villages": [v.id for v in township.villages], "types": types,
                              "categories": categories, "staff": staff.id, "prefix": township.case_prefix,
                              "pprefix": petition_prefix(township)})
        db.session.commit()
        # People: per village a pool of residents (name, ID number or none) who come back now and then.
        people = {v: [(rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                       _id_number(rng) if rng.random() < 0.33 else None) for _ in range(600)]
                  for t in townships for v in t["villages"]}
        days = (today - date(FIRST_YEAR, 1, 1)).days + 1
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-1000000")
            dispute_rows, party_rows, seq = [], [], {}
            registered = sorted(rng.randrange(days) for _ in range(total))
            party_id = 1
            for dispute_id, day in enumerate(registered, start=1):
                t = rng.choice(townships)
                on = date(FIRST_YEAR, 1, 1) + timedelta(days=day)
                key = (t["id"], on.year)
                seq[key] = seq.get(key, 0) + 1
                recent = (today - on).days < 60
                status = rng.choice(("registered", "accepted", "mediating")) if recent and rng.random() < 0.5 else (
                    "archived" if rng.random() < 0.97 else "mediating")
                concluded = status == "archived"
                village = rng.choice(t["villages"])
                dispute_rows.append({
                    "id": dispute_id, "township_id": t["id"], "village_id": village,
                    "number": f"({on.year}){t['prefix']}第{seq[key]}号", "year": on.year, "seq": seq[key],
                    "registered_on": on, "dispute_type_id": rng.choice(t["types"]), "source": "application",
                    "channel": "peoples", "summary": "因宅基地界址发生争执", "people_involved": rng.choice(
                        (2, 2, 2, 3, 4, 5, 8, 25)), "risk_level": "major" if rng.random() < 0.02 else "general",
                    "police_reported": rng.random() < 0.01, "group_dispute": rng.random() < 0.003,
                    "status": status, "level": "village", "accepted_on": on if status != "registered" else None,
                    "outcome": "succeeded" if concluded else None, "agreement_form": "written" if concluded else None,
                    "closed_on": on + timedelta(days=10) if concluded else None,
                    "archived_on": on + timedelta(days=40) if concluded else None,
                    "due_on": None if concluded else on + timedelta(days=30),
                    "prevented_criminal": rng.random() < 0.01, "prevented_group_petition": False,
                    "created_by_id": t["staff"], "created_at": datetime(on.year, on.month, on.day, 2),
                    "updated_at": datetime(on.year, on.month, on.day, 2), "version": 1,
                })
                for position, side in enumerate(("applicant", "respondent")):
                    name, id_number = rng.choice(people[village])
                    party_rows.append({"id": party_id, "dispute_id": dispute_id, "side": side, "position": position,
                                       "name": name, "id_number": id_number})
                    party_id += 1
                if len(dispute_rows) >= BATCH:
                    connection.execute(insert(Dispute.__table__), dispute_rows)
                    connection.execute(insert(Party.__table__), party_rows)
                    dispute_rows.clear()
                    party_rows.clear()
            if dispute_rows:
                connection.execute(insert(Dispute.__table__), dispute_rows)
                connection.execute(insert(Party.__table__), party_rows)
            print(f"disputes: {total:,} ({time.perf_counter() - started:.0f} s)", flush=True)
            petition_rows, petitioner_rows, pseq = [], [], {}
            for petition_id, day in enumerate(sorted(rng.randrange(days) for _ in range(total // 5)), start=1):
                t = rng.choice(townships)
                on = date(FIRST_YEAR, 1, 1) + timedelta(days=day)
                key = (t["id"], on.year)
                pseq[key] = pseq.get(key, 0) + 1
                village = rng.choice(t["villages"])
                open_ = (today - on).days < 90
                petition_rows.append({
                    "id": petition_id, "township_id": t["id"], "village_id": village,
                    "number": f"({on.year}){t['pprefix']}第{pseq[key]}号", "year": on.year, "seq": pseq[key],
                    "received_on": on, "channel": "letter", "persons": 1, "category_id": rng.choice(t["categories"]),
                    "request": "反映土地补偿", "level": "county" if rng.random() < 0.05 else "township",
                    "cross_level": False, "disruptive": False, "repeat_of_id": None,
                    "status": "in_progress" if open_ else "closed", "decision": "accepted", "decided_on": on,
                    "closed_on": None if open_ else on + timedelta(days=50), "extension_days": 0,
                    "created_by_id": t["staff"], "created_at": datetime(on.year, on.month, on.day, 2),
                    "updated_at": datetime(on.year, on.month, on.day, 2), "version": 1,
                })
                name, id_number = rng.choice(people[village])
                petitioner_rows.append({"petition_id": petition_id, "position": 0, "name": name,
                                        "id_number": id_number, "is_representative": False})
                if len(petition_rows) >= BATCH:
                    connection.execute(insert(Petition.__table__), petition_rows)
                    connection.execute(insert(Petitioner.__table__), petitioner_rows)
                    petition_rows.clear()
                    petitioner_rows.clear()
            if petition_rows:
                connection.execute(insert(Petition.__table__), petition_rows)
                connection.execute(insert(Petitioner.__table__), petitioner_rows)
            connection.exec_driver_sql(
                "INSERT INTO case_counters (township_id, year, kind, last) "
                "SELECT township_id, year, 'dispute', MAX(seq) FROM disputes GROUP BY township_id, year")
            connection.exec_driver_sql(
                "INSERT INTO case_counters (township_id, year, kind, last) "
                "SELECT township_id, year, 'petition', MAX(seq) FROM petitions GROUP BY township_id, year")
            connection.commit()
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    print(f"built {path} in {time.perf_counter() - started:.0f} s", flush=True)


def measure(path: Path, writes: int) -> None:
    from sqlalchemy import func, select

    from casetrack import clock, create_app
    from casetrack.domain import workflow as wf
    from casetrack.extensions import db
    from casetrack.models import Party, RiskWarning, Township, User
    from casetrack.services import disputes
    from casetrack.services import warnings as ws
    from casetrack.services.places import dispute_types

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark"})
    with app.app_context():
        cases = db.session.execute(select(func.count()).select_from(db.metadata.tables["disputes"])).scalar_one()
        print(f"{cases:,} disputes, {TOWNSHIPS} townships")
        started = time.perf_counter()
        results = ws.refresh_all()
        first = time.perf_counter() - started
        raised = sum(r["raised"] for r in results.values())
        started = time.perf_counter()
        ws.refresh_all()
        again = time.perf_counter() - started
        open_count = db.session.execute(select(func.count()).select_from(RiskWarning).where(
            RiskWarning.resolved_at.is_(None))).scalar_one()
        print(f"nightly refresh, {TOWNSHIPS} townships: first {first:.2f} s ({raised:,} warnings raised), "
              f"again {again:.2f} s ({open_count:,} open)")

        # One write: a dispute registered between a party who has been here before and a newcomer.
        timings: list[float] = []
        original = ws.refresh_touched

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timings.append(time.perf_counter() - t0)

        ws.refresh_touched = timed
        commits = []
        rng = random.Random(7)
        today = clock.today()
        try:
            for n in range(writes):
                township = db.session.get(Township, rng.randrange(1, TOWNSHIPS + 1))
                village = rng.choice(township.villages)
                actor = db.session.execute(select(User).where(User.township_id == township.id)).scalars().first()
                regular = db.session.execute(select(Party.name, Party.id_number).where(
                    Party.dispute_id == rng.randrange(1, cases))).first()
                kind = dispute_types(township.id)[0]
                intake = disputes.DisputeIntake(
                    village_id=village.id, dispute_type_id=kind.id, source=wf.Source.APPLICATION,
                    registered_on=today, summary="院墙占道", people_involved=rng.choice((2, 6, 30)),
                    parties=[disputes.PartyData(wf.PartySide.APPLICANT, regular.name, None, regular.id_number),
                             disputes.PartyData(wf.PartySide.RESPONDENT, f"新人{n}")])
                disputes.register_dispute(actor, intake, today)
                t0 = time.perf_counter()
                db.session.commit()
                commits.append(time.perf_counter() - t0)
        finally:
            ws.refresh_touched = original
        ms = sorted(t * 1000 for t in timings)
        cm = sorted(t * 1000 for t in commits)
        print(f"refresh after one write ({writes} writes): median {statistics.median(ms):.1f} ms, "
              f"max {ms[-1]:.1f} ms; whole commit median {statistics.median(cm):.1f} ms, max {cm[-1]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args()
    path = ensure_database(args.disputes, args.rebuild)
    # Work on a copy: the measured writes and warnings must not change the cached file.
    import shutil

    work = path.with_name(path.stem + "-run.sqlite")
    shutil.copyfile(path, work)
    try:
        measure(work, args.writes)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
