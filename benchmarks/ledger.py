"""Time a 100,000-row ledger import against openpyxl merely reading the same file, and report peak memory.

    .venv/bin/python benchmarks/ledger.py [--rows 100000] [--workdir DIR] [--style both] [--unique-names]
                                          [--database-url postgresql://postgres@127.0.0.1:5432/test]

Each phase runs in a fresh child process, so its peak resident memory (VmHWM) is its own:
  read    openpyxl read_only iterating every row of the file (values_only), nothing else: the baseline;
  import  casetrack's import into a fresh SQLite file (or, with --database-url, a fresh schema on that
          PostgreSQL server, dropped afterwards): plan_import (read + check every row, the dry run) then
          apply_plan and commit;
  calamine (for information) python-calamine loading the file and iterating its rows, as the import reads.
The import's rate is rows ÷ (plan + apply); the target is at least half the read rate, under 300 MB.
On PostgreSQL the server's work is not in the import's CPU time, so compare by wall clock there.
Rates are compared by CPU time as well as wall clock: on a shared machine the wall clock of two runs
minutes apart differs with the load, while CPU time does not. Both kinds of .xlsx are measured: the
inline strings openpyxl writes (and casetrack's export) read about twice as slowly as the shared-string
table Excel and WPS write, which leaves the import's own work a larger share.

Party names come from a pool of 2,520 by default; --unique-names gives every applicant and respondent a
name of their own (mediators still repeat), the worst case for the plan's memory.
"""

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project root first, and not this folder, where queue.py (the name issue 5 gives it) would shadow the
# standard library's queue module (psycopg, alembic and concurrent.futures import it).
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

VILLAGES = ["斜沟村", "王家庄村", "李家沟村", "前进村", "后沟村", "石门村", "红崖村"]
TYPES = ["婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "其他"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
HEADERS = ["序号", "编号", "所属村", "登记日期", "纠纷类别", "案件来源", "调解方式", "申请人", "被申请人", "涉及人数",
           "简要案情", "风险等级", "处理层级", "状态", "调解结果", "协议形式", "结案日期", "履行情况", "调解员",
           "防止民转刑", "防止群体性上访", "备注"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice("建国秀英志强桂兰明华玉梅军红") + rng.choice("一二三四五六七八九")


def _row(i: int, rng: random.Random, unique: bool = False) -> list:
    registered = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 3 * 365))
    state = rng.choice(["已登记", "已受理", "调解中", "已调结", "已调结", "已回访", "已归档", "不予受理"])
    outcome = form = closed = performance = None
    if state in ("已调结", "已回访", "已归档"):
        outcome = "调解成功" if state == "已回访" else rng.choice(["调解成功", "调解成功", "调解不成", "终止"])
        form = rng.choice(["书面", "口头"]) if outcome == "调解成功" else None
        performance = rng.choice(["已履行", "部分履行", None]) if outcome == "调解成功" else None
    if state in ("已调结", "已回访", "已归档", "不予受理"):
        closed = registered + timedelta(days=rng.randrange(0, 40))
    number = f"({registered.year})斜调字第{i + 1}号" if i % 2 == 0 else None  # half the rows get new numbers
    village, dispute_type = rng.choice(VILLAGES), rng.choice(TYPES)  # the random draws in the order they always were
    applicant, respondent = _name(rng), _name(rng)
    if unique:
        applicant, respondent = applicant + _serial(2 * i), respondent + _serial(2 * i + 1)
    return [i + 1, number, village, registered, dispute_type, "当事人申请", "人民调解", applicant, respondent, 2,
            f"因{rng.choice(['宅基地界址', '借款', '婚姻', '赡养', '噪音'])}问题发生争执,双方各执一词",
            "一般", rng.choice(["村", "村", "乡"]), state, outcome, form, closed, performance, _name(rng),
            rng.choice(["否", "否", "是"]), "否", None]


def _serial(n: int) -> str:
    """Return n written in 20 given-name characters, so that every party's name differs."""
    text = ""
    while True:
        n, digit = divmod(n, 20)
        text += "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"[digit]
        if not n:
            return text


def generate(path: Path, rows: int, unique: bool = False) -> None:
    """Write a ledger of rows disputes, with a title row above the header as hand-kept ledgers have."""
    from openpyxl import Workbook

    rng = random.Random(7)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("矛盾纠纷")
    sheet.append(["斜沟乡矛盾纠纷排查调处台账"])
    sheet.append(HEADERS)
    for i in range(rows):
        sheet.append(_row(i, rng, unique))
    workbook.save(path)


_INLINE = re.compile(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t(?: xml:space="preserve")?>(.*?)</t></is></c>')


def share_strings(source: Path, target: Path) -> None:
    """Rewrite openpyxl's inline strings as a shared-string table, the way Excel and WPS save a workbook."""
    strings: dict[str, int] = {}

    def shared(match: re.Match) -> str:
        index = strings.setdefault(match.group(3), len(strings))
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{index}</v></c>'

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(shared, data.decode("utf-8")).encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdShared" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                    b'Target="sharedStrings.xml"/></Relationships>')
            new.writestr(item, data)
        table = "".join(f"<si><t>{text}</t></si>" for text in strings)
        new.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                     f'count="{len(strings)}" uniqueCount="{len(strings)}">{table}</sst>')


def phase_read(path: Path) -> dict:
    from openpyxl import load_workbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = load_workbook(path, read_only=True, data_only=True)
    count = 0
    for sheet in workbook.worksheets:
        for _row in sheet.iter_rows(values_only=True):
            count += 1
    workbook.close()
    return {"rows": count, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def phase_calamine(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    started, cpu = time.perf_counter(), time.process_time()
    workbook = CalamineWorkbook.from_path(str(path))
    count = 0
    for name in workbook.sheet_names:
        for _row in workbook.get_sheet_by_name(name).iter_rows():
            count += 1
    workbook.close()
    return {"rows": count, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


def phase_import(path: Path, database: Path | None, database_url: str | None = None) -> dict:
    from casetrack import create_app
    from casetrack.extensions import db

    schema = None
    if database_url:
        from sqlalchemy import create_engine, text

        from casetrack.config import normalise_database_url

        schema = f"ledger_bench_{os.getpid()}"
        admin = create_engine(normalise_database_url(database_url))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        joiner = "&" if "?" in database_url else "?"
        url = f"{normalise_database_url(database_url)}{joiner}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{database}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    try:
        return _import_into(app, path)
    finally:
        if schema:
            with app.app_context():
                db.engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _import_into(app, path: Path) -> dict:
    """Migrate the empty database, add the township and a clerk, then time plan_import and apply_plan."""
    from flask_migrate import upgrade

    from casetrack.extensions import db
    from casetrack.ledger.importing import apply_plan, plan_import
    from casetrack.models import Role
    from casetrack.services import accounts, places

    with app.app_context():
        upgrade()
        township = places.add_township("斜沟乡", VILLAGES)
        accounts.add_user("staff", "benchmark-password", Role.STAFF, township=township, full_name="刘明")
        db.session.commit()
        started, cpu = time.perf_counter(), time.process_time()
        plan = plan_import(path)
        planned = time.perf_counter()
        apply_plan(plan, None)
        db.session.commit()
        done = time.perf_counter()
        counts = plan.counts()
    return {"plan_seconds": planned - started, "apply_seconds": done - planned, "seconds": done - started,
            "cpu": time.process_time() - cpu, "errors": len(plan.errors), "created": counts["dispute"]["create"]}


def _peak_rss_mb() -> float:
    """Return this process's peak resident memory (VmHWM: unlike ru_maxrss it does not carry the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(args: list[str]) -> dict:
    output = subprocess.run([sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--phase", choices=["read", "calamine", "import"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--database", type=Path)
    parser.add_argument("--database-url", help="import into a fresh schema on this PostgreSQL server instead of SQLite")
    parser.add_argument("--style", choices=["inline", "shared", "both"], default="both",
                        help="which kind of .xlsx to measure")
    parser.add_argument("--unique-names", action="store_true", help="give every party a name of their own")
    args = parser.parse_args()
    if args.phase:
        if args.phase == "import":
            result = phase_import(args.file, args.database, args.database_url)
        else:
            result = (phase_read if args.phase == "read" else phase_calamine)(args.file)
        result["max_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    unique = "-unique" if args.unique_names else ""
    inline = workdir / f"ledger-{args.rows}{unique}.xlsx"
    shared = workdir / f"ledger-{args.rows}{unique}-shared.xlsx"
    if not inline.exists():
        started = time.perf_counter()
        generate(inline, args.rows, args.unique_names)
        print(f"generated {inline} ({inline.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.0f} s")
    if not shared.exists():
        share_strings(inline, shared)
    print(f"rows: {args.rows}   python {sys.version.split()[0]}   {os.cpu_count()} cores   "
          f"into {'PostgreSQL' if args.database_url else 'SQLite'}")
    styles = [("inline", "openpyxl write-only file (inline strings, as casetrack exports)", inline),
              ("shared", "Excel-style file (shared strings, as Excel and WPS save)", shared)]
    for _style, label, path in (s for s in styles if args.style in (s[0], "both")):
        load_before = os.getloadavg()[0]
        read = _child(["--phase", "read", "--file", str(path)])
        calamine = _child(["--phase", "calamine", "--file", str(path)])
        database = workdir / "bench.sqlite"
        for leftover in workdir.glob("bench.sqlite*"):
            os.remove(leftover)
        target = ["--database-url", args.database_url] if args.database_url else ["--database", str(database)]
        imported = _child(["--phase", "import", "--file", str(path), *target])
        print(f"\n{label}:")
        print(f"  openpyxl read_only, reading only: {read['seconds']:.1f} s wall, {read['cpu']:.1f} s CPU "
              f"= {args.rows / read['cpu']:,.0f} rows per CPU second; peak RSS {read['max_rss_mb']:.0f} MB")
        print(f"  (python-calamine, reading only: {calamine['seconds']:.1f} s wall, {calamine['cpu']:.1f} s CPU; "
              f"peak RSS {calamine['max_rss_mb']:.0f} MB)")
        print(f"  casetrack import: plan (dry run) {imported['plan_seconds']:.1f} s + apply {imported['apply_seconds']:.1f} s"
              f" = {imported['seconds']:.1f} s wall, {imported['cpu']:.1f} s CPU = {args.rows / imported['cpu']:,.0f} "
              f"rows per CPU second; peak RSS {imported['max_rss_mb']:.0f} MB; {imported['created']} created, "
              f"{imported['errors']} errors")
        print(f"  import rate / read rate: {read['cpu'] / imported['cpu']:.0%} by CPU time, "
              f"{read['seconds'] / imported['seconds']:.0%} by wall clock (target ≥ 50%); "
              f"peak memory {imported['max_rss_mb']:.0f} MB (target < 300 MB); load average {load_before:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
