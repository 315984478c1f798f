"""queue tallies: the queue's tab counts kept by triggers in the writing transaction; the change stamps go

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-07 15:30:00

queue_tallies counts the live disputes and petitions of each group the queue's tabs and filters ask about
(township, village, dispute type, state, risk, level, and the marks 督办 / outcome succeeded / 退回补正);
queue_due_tallies the same groups by the day their binding limit falls on. Row triggers on disputes,
petitions and supervisions change the counts in the statement that changes a case, so the counts commit or
roll back with it, whoever writes (ORM, Core, raw SQL, COPY); on PostgreSQL a count row is locked by the
writing transaction until it ends, so concurrent writers of one group queue there and none is lost. Both
tables are filled from the cases here. queue_stamps (0010), the change tokens of the per-worker caches that
this replaces, is dropped.
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None

KEY = ("township_id", "kind", "village_id", "status", "risk_level", "level", "supervised", "succeeded", "returned",
       "dated")
TYPE_KEY = ("township_id", "type_id", "kind", "village_id", "status", "risk_level", "level", "supervised",
            "succeeded", "returned", "dated")
DUE_KEY = ("township_id", "due_on", "kind", "village_id", "type_id", "status", "risk_level", "level")
TALLIES = {  # table: its key, the cases it counts, and which of them (beyond being live)
    "queue_tallies": (KEY, ("disputes", "petitions"), None),
    "queue_type_tallies": (TYPE_KEY, ("disputes",), None),
    "queue_due_tallies": (DUE_KEY, ("disputes", "petitions"), "due_on IS NOT NULL"),
}
WATCHED = {
    "disputes": ("township_id", "village_id", "dispute_type_id", "status", "risk_level", "level", "outcome",
                 "returned_note", "merged_into_id", "due_on"),
    "petitions": ("township_id", "village_id", "status", "due_on"),
}


def _dispute_key(r: str, supervised: str | None = None) -> dict:
    return {
        "township_id": f"{r}.township_id", "kind": "'dispute'", "village_id": f"{r}.village_id",
        "type_id": f"{r}.dispute_type_id", "status": f"{r}.status", "risk_level": f"{r}.risk_level",
        "level": f"{r}.level",
        "supervised": supervised or f"CASE WHEN EXISTS (SELECT 1 FROM supervisions s WHERE s.dispute_id = {r}.id) "
                                    "THEN 1 ELSE 0 END",
        "succeeded": f"CASE WHEN {r}.outcome = 'succeeded' THEN 1 ELSE 0 END",
        "returned": f"CASE WHEN {r}.returned_note IS NOT NULL THEN 1 ELSE 0 END",
        "dated": f"CASE WHEN {r}.due_on IS NOT NULL THEN 1 ELSE 0 END",
        "due_on": f"{r}.due_on",
    }


def _petition_key(r: str) -> dict:
    return {
        "township_id": f"{r}.township_id", "kind": "'petition'", "village_id": f"COALESCE({r}.village_id, 0)",
        "type_id": "0", "status": f"{r}.status", "risk_level": "''", "level": "''", "supervised": "0",
        "succeeded": "0", "returned": "0", "dated": f"CASE WHEN {r}.due_on IS NOT NULL THEN 1 ELSE 0 END",
        "due_on": f"{r}.due_on",
    }


KEYS = {"disputes": _dispute_key, "petitions": _petition_key}


def _match(columns, key: dict) -> str:
    return " AND ".join(f"{c} = {key[c]}" for c in columns)


def _values(columns, key: dict) -> str:
    return ", ".join(key[c] for c in columns)


def _only(row: str, tally: str) -> str:
    which = TALLIES[tally][2]
    return f" AND {row}.{which}" if which else ""


def _add(dialect: str, tally: str, key: dict, cond: str) -> list[str]:
    """Statements adding one case of this key to a tally (when `cond` holds)."""
    columns = TALLIES[tally][0]
    names = ", ".join(columns)
    if dialect == "sqlite":
        return [f"INSERT OR IGNORE INTO {tally} ({names}, n) SELECT {_values(columns, key)}, 0 WHERE {cond};",
                f"UPDATE {tally} SET n = n + 1 WHERE {_match(columns, key)} AND {cond};"]
    return [f"IF {cond} THEN INSERT INTO {tally} ({names}, n) VALUES ({_values(columns, key)}, 1) "
            f"ON CONFLICT ({names}) DO UPDATE SET n = {tally}.n + 1; END IF;"]


def _remove(dialect: str, tally: str, key: dict, cond: str) -> list[str]:
    """Statements taking one case of this key off a tally (when `cond` holds); a row left at 0 goes."""
    columns = TALLIES[tally][0]
    statements = [f"UPDATE {tally} SET n = n - 1 WHERE {_match(columns, key)}",
                  f"DELETE FROM {tally} WHERE {_match(columns, key)} AND n = 0"]
    if dialect == "sqlite":
        return [f"{s} AND {cond};" for s in statements]
    return [f"IF {cond} THEN {'; '.join(statements)}; END IF;"]


def _case_statements(dialect: str, table: str, row: str, sign: str) -> list[str]:
    key = KEYS[table](row)
    live = f"{row}.merged_into_id IS NULL" if table == "disputes" else "TRUE"
    change = _add if sign == "+" else _remove
    return [statement for tally, (_key, tables, _which) in TALLIES.items() if table in tables
            for statement in change(dialect, tally, key, live + _only(row, tally))]


def _changed(table: str) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED[table])


def _supervision_statements(dialect: str, row: str, became: int) -> list[str]:
    """Move a dispute between supervised and not when its first supervision comes or its last goes."""
    where = f"d.id = {row}.dispute_id AND d.merged_into_id IS NULL"
    old, new = _dispute_key("d", supervised=str(1 - became)), _dispute_key("d", supervised=str(became))
    statements = []
    for tally in ("queue_tallies", "queue_type_tallies"):
        columns = TALLIES[tally][0]
        names = ", ".join(columns)
        statements += [f"UPDATE {tally} SET n = n - 1 WHERE ({names}) IN "
                       f"(SELECT {_values(columns, old)} FROM disputes d WHERE {where})",
                       f"DELETE FROM {tally} WHERE n = 0 AND ({names}) IN "
                       f"(SELECT {_values(columns, old)} FROM disputes d WHERE {where})"]
        if dialect == "sqlite":
            statements += [f"INSERT OR IGNORE INTO {tally} ({names}, n) SELECT {_values(columns, new)}, 0 "
                           f"FROM disputes d WHERE {where}",
                           f"UPDATE {tally} SET n = n + 1 WHERE ({names}) IN "
                           f"(SELECT {_values(columns, new)} FROM disputes d WHERE {where})"]
        else:
            statements.append(f"INSERT INTO {tally} ({names}, n) SELECT {_values(columns, new)}, 1 "
                              f"FROM disputes d WHERE {where} ON CONFLICT ({names}) DO UPDATE SET n = {tally}.n + 1")
    return [s + ";" for s in statements]


def _others(row: str) -> str:
    return f"EXISTS (SELECT 1 FROM supervisions o WHERE o.dispute_id = {row}.dispute_id AND o.id <> {row}.id)"


def _create_sqlite_triggers() -> None:
    for table in WATCHED:
        body = {
            "AFTER INSERT": ("", _case_statements("sqlite", table, "NEW", "+")),
            "AFTER UPDATE": (f"WHEN {_changed(table)}", _case_statements("sqlite", table, "OLD", "-")
                             + _case_statements("sqlite", table, "NEW", "+")),
            # BEFORE DELETE: the case's supervisions (ON DELETE CASCADE) are still there to read its group by
            "BEFORE DELETE": ("", _case_statements("sqlite", table, "OLD", "-")),
        }
        for when, (condition, statements) in body.items():
            name = f"queue_tally_{table}_{when.split()[1].lower()}"
            op.execute(f"CREATE TRIGGER {name} {when} ON {table} {condition} BEGIN\n"
                       + "\n".join(statements) + "\nEND")
    op.execute("CREATE TRIGGER queue_tally_supervisions_insert AFTER INSERT ON supervisions "
               f"WHEN NEW.dispute_id IS NOT NULL AND NOT {_others('NEW')} BEGIN\n"
               + "\n".join(_supervision_statements("sqlite", "NEW", 1)) + "\nEND")
    op.execute("CREATE TRIGGER queue_tally_supervisions_delete AFTER DELETE ON supervisions "
               f"WHEN OLD.dispute_id IS NOT NULL AND NOT {_others('OLD')} BEGIN\n"
               + "\n".join(_supervision_statements("sqlite", "OLD", 0)) + "\nEND")


def _create_postgresql_triggers() -> None:
    for table in WATCHED:
        remove = "\n".join(_case_statements("postgresql", table, "OLD", "-"))
        add = "\n".join(_case_statements("postgresql", table, "NEW", "+"))
        op.execute(f"""
CREATE FUNCTION queue_tally_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
{remove}
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
{add}
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$""")
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in WATCHED[table])
        op.execute(f"CREATE TRIGGER queue_tally_{table}_insert AFTER INSERT ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION queue_tally_{table}()")
        op.execute(f"CREATE TRIGGER queue_tally_{table}_update AFTER UPDATE ON {table} FOR EACH ROW "
                   f"WHEN ({changed}) EXECUTE FUNCTION queue_tally_{table}()")
        op.execute(f"CREATE TRIGGER queue_tally_{table}_delete BEFORE DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION queue_tally_{table}()")
    op.execute(f"""
CREATE FUNCTION queue_tally_supervisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.dispute_id IS NOT NULL AND NOT {_others('NEW')} THEN
{chr(10).join(_supervision_statements("postgresql", "NEW", 1))}
    END IF;
  ELSIF OLD.dispute_id IS NOT NULL AND NOT {_others('OLD')} THEN
{chr(10).join(_supervision_statements("postgresql", "OLD", 0))}
  END IF;
  RETURN NULL;
END $$""")
    op.execute("CREATE TRIGGER queue_tally_supervisions AFTER INSERT OR DELETE ON supervisions "
               "FOR EACH ROW EXECUTE FUNCTION queue_tally_supervisions()")


def fill_statements() -> list[str]:
    """The statements counting the existing cases into the tallies (also run by benchmarks/queue.py)."""
    statements = []
    for tally, (columns, tables, which) in TALLIES.items():
        for table in tables:
            key = KEYS[table]("c")
            live = "c.merged_into_id IS NULL" if table == "disputes" else "1 = 1"
            only = f" AND c.{which}" if which else ""
            positions = ", ".join(str(i + 1) for i in range(len(columns)))
            statements.append(f"INSERT INTO {tally} ({', '.join(columns)}, n) SELECT {_values(columns, key)}, "
                              f"COUNT(*) FROM {table} c WHERE {live}{only} GROUP BY {positions}")
    return statements


def _columns(names) -> list:
    types = {"kind": sa.String(length=8), "status": sa.String(length=24), "risk_level": sa.String(length=16),
             "level": sa.String(length=16), "due_on": sa.Date()}
    return [sa.Column(name, types[name], nullable=False) if name in types
            else sa.Column(name, sa.Integer(), autoincrement=False, nullable=False) for name in names]


INDEXES = {"queue_tallies": ["village_id"], "queue_type_tallies": ["village_id", "type_id"],
           "queue_due_tallies": ["village_id", "due_on"]}


def upgrade():
    op.drop_table('queue_stamps')
    for tally, (columns, _tables, _which) in TALLIES.items():
        op.create_table(tally, *_columns(columns), sa.Column('n', sa.Integer(), nullable=False),
                        sa.PrimaryKeyConstraint(*columns, name=op.f(f'pk_{tally}')))
        op.create_index(f'ix_{tally}_village', tally, INDEXES[tally], unique=False)
    for statement in fill_statements():
        op.execute(statement)
    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_triggers()
    else:
        _create_postgresql_triggers()


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for table in WATCHED:
            for when in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS queue_tally_{table}_{when}")
        for when in ("insert", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS queue_tally_supervisions_{when}")
    else:
        for table in (*WATCHED, "supervisions"):
            op.execute(f"DROP FUNCTION IF EXISTS queue_tally_{table}() CASCADE")
    for tally in TALLIES:
        op.drop_index(f'ix_{tally}_village', table_name=tally)
        op.drop_table(tally)
    op.create_table(
        'queue_stamps',
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], ondelete='CASCADE',
                                name=op.f('fk_queue_stamps_township_id_townships')),
        sa.PrimaryKeyConstraint('township_id', name=op.f('pk_queue_stamps')),
    )
