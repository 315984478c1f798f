"""The yardstick for benchmarks/queue.py: bare Flask + sqlite3 rendering 50 rows from the same disputes table."""

import os
import sqlite3

from flask import Flask, g, render_template, request
from jinja2 import DictLoader

app = Flask(__name__)
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>rows</title></head><body>
<table>{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[2] }}</td><td>{{ row[3] }}</td></tr>
{% endfor %}</table></body></html>"""
# A named template, compiled once and cached as any Flask app's templates are (render_template_string would
# compile it again on every request and make the yardstick slower than a bare app is).
app.jinja_loader = DictLoader({"rows.html": PAGE})


def connection() -> sqlite3.Connection:
    if "db" not in g:
        g.db = sqlite3.connect(f"file:{os.environ['BARE_DATABASE']}?mode=ro", uri=True)
    return g.db


@app.teardown_appcontext
def close(_error):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@app.route("/rows")
def rows():
    township = int(request.args.get("township", 1))
    found = connection().execute(
        "SELECT number, registered_on, status, summary FROM disputes WHERE township_id = ? "
        "ORDER BY registered_on DESC, id DESC LIMIT 50", (township,)
    ).fetchall()
    return render_template("rows.html", rows=found)


@app.route("/cases.json")
def cases_json():
    """The yardstick for benchmarks/county.py's API pages: 100 disputes after a cursor with their parties, as JSON."""
    after = int(request.args.get("cursor", 0))
    db = connection()
    found = db.execute(
        "SELECT id, number, township_id, village_id, registered_on, status, level, outcome, closed_on, updated_at "
        "FROM disputes WHERE id > ? AND merged_into_id IS NULL ORDER BY id LIMIT 101", (after,)).fetchall()
    page = found[:100]
    ids = [row[0] for row in page]
    parties: dict[int, list] = {}
    if ids:
        marks = ",".join("?" * len(ids))
        for dispute_id, side, name, id_number, phone in db.execute(
                f"SELECT dispute_id, side, name, id_number, phone FROM parties WHERE dispute_id IN ({marks}) "
                "ORDER BY dispute_id, position, id", ids):
            parties.setdefault(dispute_id, []).append(
                {"side": side, "name": name, "id_number": id_number and id_number[:4] + "*" * 10 + id_number[-4:],
                 "phone": phone and phone[:3] + "****" + phone[-4:]})
    items = [{"number": r[1], "township_id": r[2], "village_id": r[3], "registered_on": r[4], "status": r[5],
              "level": r[6], "outcome": r[7], "closed_on": r[8], "updated_at": r[9], "parties": parties.get(r[0], [])}
             for r in page]
    return {"items": items, "next_cursor": str(page[-1][0]) if len(found) > 100 else None}
