"""Revision 0024 on a large timeline: how long reading old prose into data takes.

    .venv/bin/python benchmarks/timeline_migration.py [--entries 500000] [--database sqlite|postgresql-url]

Builds a database at revision 0018 (the app's own migrations), inserts the given number of old-style timeline
entries (prose and Chinese labels, in the mix a township's timeline holds: registrations, acceptances, sessions,
results, visits, archiving, supervision, ledger imports, and one in twenty of no known shape), then times
`flask db upgrade` to 0024 and counts what it read into data. Prints the figures docs/performance.md records.
"""

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks")]

SHAPES = [
    ("register", "登记纠纷 (2024)斜调字第{n}号(邻里,当事人:张三、李四)", {}),
    ("accept", "受理(2024-03-01)", {"状态": ["已登记", "已受理"]}),
    ("start_mediation", "指派调解员 刘明,开始调解", {"状态": ["已受理", "调解中"], "调解员": [None, "刘明"]}),
    ("session", "记录第1次调解(2024-03-05,村委会调解室)", {}),
    ("conclude", "调解结果:调解成功(书面协议)", {"状态": ["调解中", "已调结"], "调解结果": [None, "调解成功"]}),
    ("follow_up", "回访:已履行,当事人满意", {"状态": ["已调结", "已回访"], "履行情况": [None, "已履行"]}),
    ("archive", "结案归档(2024-04-01)", {"状态": ["已回访", "已归档"]}),
    ("supervise", "督办:请尽快化解(期限2024-03-20)", {}),
    ("ledger_import", "由台账导入:台账.xlsx,工作表“矛盾纠纷”第{n}行", {"备注": [None, "初次调解"]}),
    ("supervise", "陈志国督办:请尽快化解(期限2024-03-20)", {}),  # no known shape: kept as stored
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()

    from sqlalchemy import text

    from casetrack import create_app
    from casetrack.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="timeline-migration-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}" if args.database == "sqlite" else args.database
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    app.instance_path = str(folder)
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "0018"]).exit_code == 0
        rng = random.Random(16)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            batch = []
            for n in range(args.entries):
                action, summary, changes = SHAPES[-1] if n % 20 == 0 else SHAPES[rng.randrange(len(SHAPES) - 1)]
                batch.append({"case": n // 10 + 1, "at": datetime(2024, 3, 1), "action": action,
                              "summary": summary.format(n=n), "changes": json.dumps(changes, ensure_ascii=False)})
                if len(batch) == 20_000 or n == args.entries - 1:
                    connection.execute(text(
                        "INSERT INTO case_events (dispute_id, at, actor_id, action, summary, changes) "
                        "VALUES (NULL, :at, NULL, :action, :summary, :changes)"), batch)
                    batch = []
        print(f"built {args.entries:,} old-style entries in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        result = runner.invoke(args=["db", "upgrade"])
        took = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            data = connection.execute(text("SELECT count(*) FROM case_events WHERE params IS NOT NULL")).scalar()
            legacy = connection.execute(text("SELECT count(*) FROM case_events WHERE params IS NULL")).scalar()
        print(f"upgrade 0018 -> head: {took:.1f} s ({args.entries / took:,.0f} entries/s); "
              f"read into data {data:,}, kept as stored {legacy:,}")


if __name__ == "__main__":
    main()
