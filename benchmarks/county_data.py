"""A county's worth of cases for the benchmarks: 30 townships × 10 years (2016–2025), 1,000,000 disputes by
default, with their parties (当事人), petitions (信访) with their petitioners, and screening rounds (排查), in a
SQLite file migrated by the app's own Alembic migrations (so every index the app declares is there).

    .venv/bin/python benchmarks/county_data.py [--disputes 1000000] [--townships 30] [--rebuild]

    from benchmarks.county_data import ensure_database
    path = ensure_database(1_000_000)       # benchmarks/.data/county-1000000-30t.sqlite: built once, then reused
    path = ensure_database(1_000_000, 20)   # benchmarks/.data/county-1000000.sqlite (queue.py, report.py)

The file is cached under benchmarks/.data/ (git-ignored); delete it or pass --rebuild after a migration.
Reference rows (townships, villages, types, users) go through the app's services; the bulk (disputes,
petitions, rounds, findings) goes in with SQLAlchemy Core executemany in batches, never the ORM per row.

The mix is that of a township's ledger: rows are generated in registration order (ids grow with time), most
past disputes concluded, visited or archived; 85% of outcomes succeed; 3% not accepted; levels 75% village,
20% township, 5% county; a few percent prevented escalations and merged duplicates; petitions with
repeats, group visits, extensions, late answers and ratings; weekly village and half-monthly township
rounds with a few missed; two parties a dispute and one to three petitioners a petition, with ID numbers
and phones (so the API's masking has work to do). A fixed seed makes the same file every time.
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first, and not this folder, where queue.py (the name issue 5 gives it) would shadow the
# standard library's queue module (psycopg, alembic and concurrent.futures import it).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]
DATA_DIR = Path(__file__).resolve().parent / ".data"

FIRST_YEAR, LAST_YEAR = 2016, 2025
TOWNSHIP_NAMES = ["斜沟乡", "东岭乡", "西河镇", "南坪乡", "北庄镇", "石门乡", "红崖乡", "柳林镇", "青山乡", "白水镇",
                  "高家乡", "李家镇", "前进乡", "后沟镇", "马坊乡", "杨庄镇", "新城乡", "古城镇", "黄土乡", "龙泉镇",
                  "桃园乡", "枣林镇", "大峪乡", "小河镇", "东关乡", "西营镇", "上庄乡", "下寨镇", "金沙乡", "银川镇"]
TOWNSHIPS = 30  # the county: 10–30 townships on one server; the largest
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ["建国", "秀英", "志强", "桂兰", "海强", "玉梅", "国华", "丽娟", "永红", "春生", "小军", "淑珍"]
VILLAGE_NAMES = ["{}村", "王家庄村", "李家沟村", "张家湾村", "河东村", "河西村", "杨树坪村"]
SUMMARIES = ["因宅基地界址发生争执", "因借款到期未还发生纠纷", "因赡养老人费用分担发生争执", "因灌溉用水先后发生争执",
             "因院墙占道发生争执", "因土地承包经营权流转发生纠纷", "因邻里噪音发生口角", "因婚后财产分割发生纠纷"]
BATCH = 20_000
PASSWORD = "Bench-mark-2026"  # of every generated account: staff1..staffN, leader1..leaderN (one each per township)


def _weighted(rng: random.Random, table: list[tuple[object, float]]):
    """Return a picker for a fixed weighted table (fast: bisect over cumulative weights)."""
    from bisect import bisect
    from itertools import accumulate

    values = [v for v, _w in table]
    cumulative = list(accumulate(w for _v, w in table))
    total = cumulative[-1]
    return lambda: values[bisect(cumulative, rng.random() * total)]


def database_path(disputes: int, townships: int = TOWNSHIPS) -> Path:
    return DATA_DIR / (f"county-{disputes}.sqlite" if townships == 20 else f"county-{disputes}-{townships}t.sqlite")


def ensure_database(disputes: int = 1_000_000, townships: int = TOWNSHIPS, rebuild: bool = False,
                    quiet: bool = False) -> Path:
    """Return the cached county database of this size, building it first when absent (or asked to)."""
    if not 1 <= townships <= len(TOWNSHIP_NAMES):
        raise ValueError(f"townships: 1 to {len(TOWNSHIP_NAMES)}")
    path = database_path(disputes, townships)
    if path.exists() and not rebuild:
        return path
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".building")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    build(partial, disputes, townships, quiet=quiet)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    partial.replace(path)
    return path


def build(path: Path, disputes: int, townships: int = TOWNSHIPS, quiet: bool = False) -> None:
    """Migrate an empty SQLite file with the app's migrations and fill it."""
    from flask_migrate import upgrade

    from casetrack import create_app
    from casetrack.extensions import db

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    started = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "benchmark",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        reference = _reference_rows(TOWNSHIP_NAMES[:townships])
        db.session.commit()
        with db.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA synchronous=OFF")
            connection.exec_driver_sql("PRAGMA cache_size=-1000000")  # 1 GB: the indexes stay in memory while loading
            rng = random.Random(20261127)
            rounds = _insert_rounds(connection, reference, rng)
            say(f"screening rounds: {rounds['count']:,} ({time.perf_counter() - started:.0f} s)")
            count = _insert_disputes(connection, reference, rounds, disputes, rng)
            say(f"disputes: {count:,} ({time.perf_counter() - started:.0f} s)")
            count = _insert_petitions(connection, reference, disputes // 5, rng)
            say(f"petitions: {count:,} ({time.perf_counter() - started:.0f} s)")
            count = _insert_people(connection, rng)
            say(f"parties and petitioners: {count:,} ({time.perf_counter() - started:.0f} s)")
            _set_counters(connection)
            connection.commit()
            # No ANALYZE: the app's own databases have no sqlite_stat1 either (see docs/performance.md on what
            # SQLite's planner then does with `merged_into_id IS NULL`).
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    say(f"built {path} in {time.perf_counter() - started:.0f} s")


def _reference_rows(names: list[str]) -> dict:
    """Townships with 7 villages each, their default types and categories, and a staff member and a leader."""
    from sqlalchemy import select

    from casetrack.extensions import db
    from casetrack.models import PetitionCategory, Role
    from casetrack.services import accounts, places

    result = {}
    for index, name in enumerate(names):
        township = places.add_township(name, [v.format(name[:-1]) for v in VILLAGE_NAMES])
        staff = accounts.add_user(f"staff{index + 1}", PASSWORD, Role.STAFF, township=township)
        leader = accounts.add_user(f"leader{index + 1}", PASSWORD, Role.LEADER, township=township)
        db.session.flush()
        categories = db.session.execute(select(PetitionCategory.id).where(
            PetitionCategory.township_id == township.id).order_by(PetitionCategory.position)).scalars()
        result[township.id] = {
            "name": township.name, "case_prefix": township.case_prefix, "petition_prefix": f"{township.name[0]}信字",
            "villages": [v.id for v in township.villages],
            "types": {t.name: t.id for t in places.dispute_types(township.id)},
            "categories": list(categories), "staff": staff.id, "leader": leader.id,
        }
    return result


def _insert(connection, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    if rows:
        connection.execute(insert(table), rows)
        rows.clear()


def _insert_rounds(connection, reference: dict, rng: random.Random) -> dict:
    """Weekly village rounds (90% held) and half-monthly township rounds (95%); 15% find something."""
    from casetrack.domain import screening as sc
    from casetrack.models import ScreeningFinding, ScreeningRound

    rounds, findings, by_township_year = [], [], {}
    next_id, next_finding = 1, 1
    first, last = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
    village_periods = sc.schedule(first, last, "week")
    township_periods = sc.schedule(first, last, "half_month")
    now = datetime(LAST_YEAR + 1, 1, 1)
    for township_id, ref in reference.items():
        units = [("village", v, village_periods, 0.9) for v in ref["villages"]]
        units.append(("township", None, township_periods, 0.95))
        for level, village_id, periods, held in units:
            for period in periods:
                if rng.random() > held:
                    continue
                held_on = period.start + timedelta(days=rng.randrange((period.end - period.start).days + 1))
                rounds.append({"id": next_id, "township_id": township_id, "village_id": village_id, "level": level,
                               "held_on": held_on, "period_start": period.start, "period_end": period.end,
                               "screeners": "调解员", "created_by_id": ref["staff"], "created_at": now})
                by_township_year.setdefault((township_id, held_on.year), []).append(next_id)
                if rng.random() < 0.15:
                    findings.append({"id": next_finding, "round_id": next_id, "description": "两户因灌溉用水有争议",
                                     "is_dispute": False})
                    next_finding += 1
                next_id += 1
                if len(rounds) >= BATCH:
                    _insert(connection, ScreeningRound.__table__, rounds)
    _insert(connection, ScreeningRound.__table__, rounds)
    _insert(connection, ScreeningFinding.__table__, findings)
    return {"count": next_id - 1, "by_township_year": by_township_year}


def _insert_disputes(connection, reference: dict, rounds: dict, total: int, rng: random.Random) -> int:
    from casetrack.models import Dispute

    township_ids = list(reference)
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    per_year = total // len(years)
    type_pick = {t: _weighted(rng, [(ref["types"][n], w) for n, w in (
        ("邻里", 30), ("婚姻家庭", 18), ("房屋宅基地", 15), ("山林土地", 10), ("合同", 5), ("损害赔偿", 5),
        ("生产经营", 3), ("征地拆迁", 3), ("劳动争议", 2), ("道路交通事故", 2), ("其他", 7))])
        for t, ref in reference.items()}
    past_state = _weighted(rng, [("not_accepted", 3), ("registered", 0.2), ("accepted", 0.3), ("mediating", 1),
                                 ("concluded", 15), ("visited", 30), ("archived", 50.5)])
    recent_state = _weighted(rng, [("not_accepted", 3), ("registered", 2), ("accepted", 3), ("mediating", 8),
                                   ("concluded", 30), ("visited", 34), ("archived", 20)])
    outcome = _weighted(rng, [("succeeded", 85), ("failed", 10), ("ended", 5)])
    level = _weighted(rng, [("village", 75), ("township", 20), ("county", 5)])
    source = _weighted(rng, [("application", 60), ("initiative", 25), ("referral", 10), ("petition", 5)])
    channel = _weighted(rng, [("peoples", 90), ("administrative", 7), ("judicial", 3)])
    risk = _weighted(rng, [("general", 90), ("serious", 8), ("major", 2)])
    performance = _weighted(rng, [("performed", 85), ("partial", 10), ("unperformed", 5)])
    table, rows, next_id = Dispute.__table__, [], 1
    last_id_in_township: dict[int, int] = {}
    for year in years:
        count = per_year + (total - per_year * len(years) if year == years[-1] else 0)
        days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
        cases = sorted((rng.randrange(days), rng.choice(township_ids)) for _ in range(count))
        seq = dict.fromkeys(township_ids, 0)
        state_of = recent_state if year == LAST_YEAR else past_state
        for day, township_id in cases:
            ref = reference[township_id]
            registered = date(year, 1, 1) + timedelta(days=day)
            seq[township_id] += 1
            status = state_of()
            row = {
                "id": next_id, "township_id": township_id, "village_id": rng.choice(ref["villages"]),
                "number": f"({year}){ref['case_prefix']}第{seq[township_id]}号", "year": year,
                "seq": seq[township_id], "registered_on": registered, "dispute_type_id": type_pick[township_id](),
                "source": source(), "channel": channel(), "summary": rng.choice(SUMMARIES),
                "people_involved": rng.randint(2, 6), "risk_level": risk(), "police_reported": False,
                "status": status, "level": "village", "accepted_on": None, "not_accepted_reason": None,
                "continuation_agreed": False, "outcome": None, "closed_on": None, "agreement_form": None,
                "agreement_terms": None, "channels_told": None, "legal_aid_referred": False, "end_reason": None,
                "performance": None, "archived_on": None, "screening_round_id": None,
                "prevented_criminal": False, "prevented_criminal_persons": 0, "prevented_group_petition": False,
                "prevented_group_petition_persons": 0, "merged_into_id": None, "due_on": None,
                "created_by_id": ref["staff"], "created_at": datetime(year, 1, 1) + timedelta(days=day, hours=9),
                "updated_at": datetime(year, 1, 1) + timedelta(days=day, hours=9), "version": 1,
            }
            if status == "not_accepted":
                row.update(not_accepted_reason="属于法院专属管辖", closed_on=registered)
            elif status != "registered":
                row.update(accepted_on=registered, level=level())
                if status in ("accepted", "mediating"):
                    row["due_on"] = registered + timedelta(days=30)
                else:
                    result = "succeeded" if status == "visited" else outcome()
                    closed = registered + timedelta(days=rng.randrange(0, 40))
                    row.update(outcome=result, closed_on=closed)
                    if result == "succeeded":
                        row.update(agreement_form=rng.choice(("written", "written", "oral")),
                                   agreement_terms="双方达成协议,按期履行")
                        if status in ("visited", "archived"):
                            row["performance"] = performance()
                        else:
                            row["due_on"] = closed + timedelta(days=30)
                    elif result == "failed":
                        row["channels_told"] = "诉讼"
                    else:
                        row["end_reason"] = "withdrawn"
                    if status == "archived":
                        row["archived_on"] = closed + timedelta(days=30)
                        if result == "succeeded" and row["performance"] is None:
                            row["performance"] = performance()
            if row["source"] == "initiative" and rng.random() < 0.3:
                candidates = rounds["by_township_year"].get((township_id, year))
                if candidates:
                    row["screening_round_id"] = rng.choice(candidates)
            if status != "not_accepted" and rng.random() < 0.02:
                row.update(prevented_criminal=True, prevented_criminal_persons=rng.randint(2, 8))
            if status != "not_accepted" and rng.random() < 0.01:
                row.update(prevented_group_petition=True, prevented_group_petition_persons=rng.randint(5, 30))
            if township_id in last_id_in_township and rng.random() < 0.003:
                row["merged_into_id"] = last_id_in_township[township_id]
            last_id_in_township[township_id] = next_id
            rows.append(row)
            next_id += 1
            if len(rows) >= BATCH:
                _insert(connection, table, rows)
    _insert(connection, table, rows)
    return next_id - 1


def _insert_petitions(connection, reference: dict, total: int, rng: random.Random) -> int:
    """Petitions in receipt order: 8% repeats of an earlier one, group visits, extensions, late answers."""
    from casetrack.models import Petition

    township_ids = list(reference)
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    per_year = total // len(years)
    channel = _weighted(rng, [("visit", 40), ("letter", 20), ("phone", 20), ("online", 18), ("fax", 2)])
    level = _weighted(rng, [("township", 90), ("county", 7), ("city", 2), ("province", 0.8), ("beijing", 0.2)])
    decision = _weighted(rng, [("accepted", 80), ("assigned", 8), ("forwarded", 7), ("not_accepted", 5)])
    rating = _weighted(rng, [("satisfied", 70), ("basically", 20), ("dissatisfied", 10)])
    table, rows, next_id = Petition.__table__, [], 1
    recent: dict[int, list[int]] = {t: [] for t in township_ids}
    end = date(LAST_YEAR + 1, 11, 27)
    for year in years:
        days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
        cases = sorted((rng.randrange(days), rng.choice(township_ids)) for _ in range(per_year))
        seq = dict.fromkeys(township_ids, 0)
        for day, township_id in cases:
            ref = reference[township_id]
            received = date(year, 1, 1) + timedelta(days=day)
            seq[township_id] += 1
            ch = channel()
            persons = rng.randint(5, 30) if ch == "visit" and rng.random() < 0.08 else (
                rng.randint(2, 4) if rng.random() < 0.1 else 1)
            row = {
                "id": next_id, "township_id": township_id,
                "village_id": rng.choice(ref["villages"]) if rng.random() < 0.8 else None,
                "number": f"({year}){ref['petition_prefix']}第{seq[township_id]}号", "year": year,
                "seq": seq[township_id], "received_on": received, "channel": ch, "persons": persons,
                "category_id": rng.choice(ref["categories"]), "request": "反映村集体土地补偿款未按时发放",
                "level": level(), "cross_level": rng.random() < 0.02, "disruptive": rng.random() < 0.01,
                "repeat_of_id": None, "status": "registered", "decision": "pending", "decided_on": None,
                "extension_days": 0, "extension_approved_by_id": None, "extension_approved_on": None,
                "opinion": None, "answered_on": None, "delivered_on": None, "satisfaction": None,
                "closed_on": None, "due_on": None, "opinion_due_on": None, "created_by_id": ref["staff"],
                "created_at": datetime(year, 1, 1) + timedelta(days=day, hours=10),
                "updated_at": datetime(year, 1, 1) + timedelta(days=day, hours=10), "version": 1,
            }
            if recent[township_id] and rng.random() < 0.08:
                row["repeat_of_id"] = rng.choice(recent[township_id][-50:])  # linked, not decided again
            else:
                chosen = decision()
                decided = received + timedelta(days=rng.randrange(0, 16))
                row.update(decision=chosen, decided_on=decided, status=chosen)
                if chosen == "not_accepted":
                    row["closed_on"] = decided
                elif chosen in ("accepted", "assigned"):
                    extension = rng.randint(10, 30) if rng.random() < 0.05 else 0
                    due = decided + timedelta(days=60 + extension)
                    if extension:
                        row.update(extension_days=extension, extension_approved_by_id=ref["leader"],
                                   extension_approved_on=decided + timedelta(days=40))
                    row["opinion_due_on"] = due
                    answered = decided + timedelta(days=rng.randrange(10, 60 + extension + 15))  # some late
                    if answered <= end and rng.random() < 0.97:
                        row.update(opinion=rng.choice(("support", "explained", "not_supported")),
                                   answered_on=answered, delivered_on=answered, status="closed", closed_on=answered)
                        if rng.random() < 0.7:
                            row["satisfaction"] = rating()
                    else:
                        row.update(status="in_progress", due_on=due)
                recent[township_id].append(next_id)
            rows.append(row)
            next_id += 1
            if len(rows) >= BATCH:
                _insert(connection, table, rows)
    _insert(connection, table, rows)
    return next_id - 1


def _insert_people(connection, rng: random.Random) -> int:
    """Two parties (applicant, respondent) for every dispute; one petitioner for most petitions, two or three for
    some (the representative first). Names from a small pool, whose search keys are worked out once."""
    from sqlalchemy import select

    from casetrack.models import Dispute, Party, Petition, Petitioner
    from casetrack.models.cases import name_search_key

    names = [s + g for s in SURNAMES for g in GIVEN_NAMES]
    keys = {n: name_search_key(n) for n in names}
    regions = ["140302", "140321", "140322", "140311", "140303"]

    def person() -> dict:
        name = rng.choice(names)
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
        id_number = f"{rng.choice(regions)}{born:%Y%m%d}{rng.randrange(1000):03d}{rng.choice('0123456789X')}"
        phone = f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}" if rng.random() < 0.9 else None
        return {"name": name, "search_key": keys[name], "id_number": id_number if rng.random() < 0.95 else None,
                "phone": phone, "address": None}

    count, rows = 0, []
    dispute_ids = connection.execute(select(Dispute.id).order_by(Dispute.id)).scalars().all()
    for dispute_id in dispute_ids:
        for position, side in enumerate(("applicant", "respondent")):
            rows.append({"dispute_id": dispute_id, "side": side, "position": position, "gender": None, **person()})
        count += 2
        if len(rows) >= BATCH:
            _insert(connection, Party.__table__, rows)
    _insert(connection, Party.__table__, rows)
    for petition_id, persons in connection.execute(select(Petition.id, Petition.persons).order_by(Petition.id)).all():
        for position in range(min(persons, 3)):
            rows.append({"petition_id": petition_id, "position": position, "is_representative": position == 0,
                         **person()})
            count += 1
        if len(rows) >= BATCH:
            _insert(connection, Petitioner.__table__, rows)
    _insert(connection, Petitioner.__table__, rows)
    return count


def _set_counters(connection) -> None:
    """Leave the case-number counters where the data ends, so the app would number new cases after them."""
    connection.exec_driver_sql(
        "INSERT INTO case_counters (township_id, year, kind, last) "
        "SELECT township_id, year, 'dispute', MAX(seq) FROM disputes GROUP BY township_id, year")
    connection.exec_driver_sql(
        "INSERT INTO case_counters (township_id, year, kind, last) "
        "SELECT township_id, year, 'petition', MAX(seq) FROM petitions GROUP BY township_id, year")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", type=int, default=1_000_000)
    parser.add_argument("--townships", type=int, default=TOWNSHIPS, help=f"1 to {len(TOWNSHIP_NAMES)}")
    parser.add_argument("--rebuild", action="store_true", help="build again even if the cached file exists")
    args = parser.parse_args()
    print(ensure_database(args.disputes, args.townships, rebuild=args.rebuild))


if __name__ == "__main__":
    main()
