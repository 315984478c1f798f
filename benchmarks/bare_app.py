"""Yardsticks written by hand with bare Flask + sqlite3 on the benchmark database: /rows (benchmarks/queue.py, 50 rows
of the disputes table as HTML) and /cases.json (benchmarks/county.py, the API's case pages)."""

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


DISPUTE_LABELS = {"registered": "已登记", "accepted": "已受理", "not_accepted": "不予受理", "mediating": "调解中",
                  "concluded": "已调结", "visited": "已回访", "archived": "已归档"}
PETITION_LABELS = {"registered": "已登记", "accepted": "已受理", "not_accepted": "不予受理", "forwarded": "已转送",
                   "assigned": "已交办", "in_progress": "办理中", "answered": "已出具意见", "delivered": "已送达",
                   "rated": "已评价", "under_review": "复查中", "reviewed": "已复查", "under_second_review": "复核中",
                   "closed": "已终结"}
PAGE = {
    "dispute": (
        "SELECT d.id, d.number, t.name, v.name, d.registered_on, d.status, dt.name, d.level, d.risk_level, d.outcome, "
        "d.closed_on, d.updated_at FROM disputes d LEFT JOIN townships t ON t.id = d.township_id "
        "LEFT JOIN villages v ON v.id = d.village_id LEFT JOIN dispute_types dt ON dt.id = d.dispute_type_id "
        "WHERE d.id > ? AND d.merged_into_id IS NULL",
        "SELECT dispute_id, side, name, id_number, phone FROM parties WHERE dispute_id IN ({}) "
        "ORDER BY dispute_id, position, id"),
    "petition": (
        "SELECT d.id, d.number, t.name, v.name, d.received_on, d.status, d.level, d.channel, d.persons, pc.name, "
        "d.updated_at FROM petitions d LEFT JOIN townships t ON t.id = d.township_id "
        "LEFT JOIN villages v ON v.id = d.village_id LEFT JOIN petition_categories pc ON pc.id = d.category_id "
        "WHERE d.id > ?",
        "SELECT petition_id, NULL, name, id_number, phone FROM petitioners WHERE petition_id IN ({}) "
        "ORDER BY petition_id, position, id"),
}


def _masked(id_number, phone) -> dict:
    return {"id_number": id_number and id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:],
            "phone": phone and phone[:3] + "*" * (len(phone) - 7) + phone[-4:]}


def _time(value):
    return value and value.replace(" ", "T").removesuffix(".000000") + "Z"


@app.route("/cases.json")
def cases_json():
    """The yardstick for benchmarks/county.py's API pages: the same page of the same query as GET /api/v1/cases
    (kind, township by name, year, status, cursor; 100 cases after the cursor in id order, their township, village
    and type named, their people masked), written by hand: no accounts, no scope, one connection per request."""
    kind = request.args.get("kind", "dispute")
    cases_sql, people_sql = PAGE[kind]
    db = connection()
    values: list = [int(request.args.get("cursor", 0))]
    if request.args.get("township"):
        found = db.execute("SELECT id FROM townships WHERE name = ?", (request.args["township"],)).fetchone()
        if found is None:
            return {"error": "township_not_found"}, 404
        cases_sql += " AND d.township_id = ?"
        values.append(found[0])
    if request.args.get("year"):
        cases_sql += " AND d.year = ?"
        values.append(int(request.args["year"]))
    if request.args.get("status"):
        cases_sql += " AND d.status = ?"
        values.append(request.args["status"])
    rows = db.execute(cases_sql + " ORDER BY d.id LIMIT 101", values).fetchall()
    page = rows[:100]
    people: dict[int, list] = {}
    if page:
        ids = [row[0] for row in page]
        for owner, side, name, id_number, phone in db.execute(people_sql.format(",".join("?" * len(ids))), ids):
            person = {"side": side, "name": name, **_masked(id_number, phone)} if side else {
                "name": name, **_masked(id_number, phone)}
            people.setdefault(owner, []).append(person)
    if kind == "dispute":
        items = [{"kind": "dispute", "number": r[1], "township": r[2], "village": r[3], "registered_on": r[4],
                  "status": r[5], "status_label": DISPUTE_LABELS.get(r[5]), "type": r[6], "level": r[7],
                  "risk_level": r[8], "outcome": r[9], "closed_on": r[10], "updated_at": _time(r[11]),
                  "parties": people.get(r[0], [])} for r in page]
    else:
        items = [{"kind": "petition", "number": r[1], "township": r[2], "village": r[3], "received_on": r[4],
                  "status": r[5], "status_label": PETITION_LABELS.get(r[5]), "level": r[6], "channel": r[7],
                  "persons": r[8], "category": r[9], "updated_at": _time(r[10]),
                  "petitioners": people.get(r[0], [])} for r in page]
    return {"items": items, "next_cursor": str(page[-1][0]) if len(rows) > 100 else None}
