"""The yardstick for benchmarks/queue.py: bare Flask + sqlite3 rendering 50 rows from the same disputes table."""

import os
import sqlite3

from flask import Flask, g, render_template_string, request

app = Flask(__name__)
PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>rows</title></head><body>
<table>{% for row in rows %}<tr><td>{{ row[0] }}</td><td>{{ row[1] }}</td><td>{{ row[2] }}</td><td>{{ row[3] }}</td></tr>
{% endfor %}</table></body></html>"""


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
    return render_template_string(PAGE, rows=found)
