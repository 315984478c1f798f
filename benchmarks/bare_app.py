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
