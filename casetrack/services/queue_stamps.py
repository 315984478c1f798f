"""Change stamps for the queue's cached counts: a committed write to a township's cases gives it a new token.

The queue keeps its tab counts in each worker process, keyed by the tokens of the townships counted
(services.queue). A token changes in the same transaction as the write, just before COMMIT, so counts read
after the token can only be as new as it or newer, and a write from any process or code path is seen:

- an ORM flush names the townships of the disputes, petitions, parties, petitioners and supervisions it
  writes (precise);
- any other INSERT, UPDATE, DELETE or TRUNCATE of those tables or of dispute_mediators that goes through
  SQLAlchemy (Core statements, bulk ORM updates, the ledger import's executemany, text()) changes the token
  of every township (coarse, but never stale), as does the ledger import's COPY on PostgreSQL, which says
  so itself (mark_written);
- any write to the reference tables a queue page also shows (REFERENCE_TABLES: villages, types, accounts,
  holidays, settings, saved views) changes the token of every township too.

The tokens are written as the last statement before COMMIT, so a stamp row is locked only while its
transaction commits: two writers of one township wait for each other there, never while holding other rows.
"""

import re
import secrets

from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from casetrack import permissions

WATCHED_TABLES = frozenset({"disputes", "petitions", "parties", "petitioners", "supervisions", "dispute_mediators"})
REFERENCE_TABLES = frozenset({"townships", "villages", "natural_villages", "dispute_types", "petition_categories",
                              "users", "calendar_days", "saved_views"})
"""What a queue page shows besides the cases: names, settings, holidays (time limits), accounts, saved views.
They change rarely, so any write to them changes the token of every township (the page cache, web/queue.py)."""
_WRITE = re.compile(
    r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM|(TRUNCATE))\s+(?:TABLE\s+)?'
    r'(?:ONLY\s+)?(?:"?\w+"?\.)?"?(\w+)', re.IGNORECASE)
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "TRUNCA")

# Kept in the DBAPI connection's info dict, which lives as long as the pooled connection: cleared at every
# commit and rollback.
TOUCHED = "casetrack.queue.touched"  # township ids written in this transaction, or EVERY
FLUSHING = "casetrack.queue.flushing"  # an ORM flush is running and will name its townships itself
FLUSH_WROTE = "casetrack.queue.flush_wrote"  # that flush wrote a watched table
EVERY = "every township"


def _mark(info: dict, townships) -> None:
    info.setdefault(TOUCHED, set()).update(townships)


def _after_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    if not statement.lstrip()[:6].upper().startswith(_WRITE_VERBS):
        return
    match = _WRITE.match(statement)
    if match is None:
        _mark(conn.info, [EVERY])  # a write we cannot read: assume the worst
        return
    truncate, table = match.groups()
    if not truncate and table.lower() in REFERENCE_TABLES:
        _mark(conn.info, [EVERY])
        return
    if not truncate and table.lower() not in WATCHED_TABLES:
        return
    if conn.info.get(FLUSHING) and not truncate:
        conn.info[FLUSH_WROTE] = True
    else:
        _mark(conn.info, [EVERY])


def mark_written(connection, table_name: str) -> None:
    """Note a write the cursor events cannot see (PostgreSQL COPY in the ledger import), by the same rule."""
    if table_name in WATCHED_TABLES or table_name in REFERENCE_TABLES:
        _mark(connection.info, [EVERY])


def _townships_of(session: Session, objects) -> set | None:
    """Return the townships of the watched objects written by a flush; None when one cannot be told."""
    from casetrack.models import Dispute, Party, Petition, Petitioner, Supervision

    found = set()
    for obj in objects:
        if isinstance(obj, Dispute | Petition):
            township_id = obj.township_id if obj.township_id is not None else getattr(obj.township, "id", None)
        elif isinstance(obj, Supervision) and obj.petition_id is not None:
            township_id = _parent_township(session, Petition, obj.petition_id, getattr(obj, "petition", None))
        elif isinstance(obj, Party | Supervision):
            township_id = _parent_township(session, Dispute, obj.dispute_id, getattr(obj, "dispute", None))
        elif isinstance(obj, Petitioner):
            township_id = _parent_township(session, Petition, obj.petition_id, getattr(obj, "petition", None))
        else:
            continue
        if township_id is None:
            return None
        found.add(township_id)
    return found


def _parent_township(session: Session, model, parent_id, parent):
    if parent is not None and parent.township_id is not None:
        return parent.township_id
    if parent_id is None:
        return None
    # bookkeeping of a write, not a view: the parent is found whatever the writer's reach
    return session.execute(select(model.township_id).where(model.id == parent_id)
                           .execution_options(**permissions.COUNTY_WIDE)).scalar()


def _before_flush(session: Session, flush_context, instances) -> None:
    info = session.connection().info
    info[FLUSHING] = True
    info.pop(FLUSH_WROTE, None)


def _after_flush(session: Session, flush_context) -> None:
    info = session.connection().info
    with session.no_autoflush:
        townships = _townships_of(session, [*session.new, *session.dirty, *session.deleted])
    if townships is None or (info.get(FLUSH_WROTE) and not townships):
        townships = {EVERY}  # a watched row was written for an object we cannot place
    if townships:
        _mark(info, townships)
    info.pop(FLUSHING, None)
    info.pop(FLUSH_WROTE, None)


def _stamps_table_exists(cursor, dialect: str) -> bool:
    if dialect == "sqlite":
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'queue_stamps'")
    else:
        cursor.execute("SELECT to_regclass('queue_stamps')")
    row = cursor.fetchone()
    return bool(row and row[0] is not None)


def _on_commit(conn) -> None:
    touched = conn.info.pop(TOUCHED, None)
    conn.info.pop(FLUSHING, None)
    conn.info.pop(FLUSH_WROTE, None)
    if not touched:
        return
    # The transaction is committing: write on the DBAPI connection itself, inside that same transaction.
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if not _stamps_table_exists(cursor, conn.dialect.name):  # a database at an older migration
            return
        which = "true" if EVERY in touched else f"id IN ({', '.join(str(int(t)) for t in sorted(touched))})"
        token = secrets.token_hex(8)  # hex digits only: safe inline
        cursor.execute(
            f"INSERT INTO queue_stamps (township_id, token) SELECT id, '{token}' FROM townships WHERE {which} "
            "ORDER BY id ON CONFLICT (township_id) DO UPDATE SET token = excluded.token")
    finally:
        cursor.close()


def _on_rollback(conn) -> None:
    for key in (TOUCHED, FLUSHING, FLUSH_WROTE):
        conn.info.pop(key, None)


def _on_rollback_savepoint(conn, name, context) -> None:
    conn.info.pop(FLUSHING, None)  # a flush that failed inside a savepoint; what it marked stays marked


def _on_checkin(dbapi_connection, connection_record) -> None:
    for key in (TOUCHED, FLUSHING, FLUSH_WROTE):
        connection_record.info.pop(key, None)


_LISTENERS = (
    (Engine, "after_cursor_execute", _after_cursor_execute),
    (Engine, "commit", _on_commit),
    (Engine, "rollback", _on_rollback),
    (Engine, "rollback_savepoint", _on_rollback_savepoint),
    (Session, "before_flush", _before_flush),
    (Session, "after_flush", _after_flush),
)


def init_app(app) -> None:
    """Stamp every committed change to cases, whatever code makes it (listeners are process-wide, added once)."""
    from sqlalchemy.pool import Pool

    for target, name, listener in (*_LISTENERS, (Pool, "checkin", _on_checkin)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def tokens(session: Session, township_ids: list[int] | None) -> tuple:
    """Return the current stamps of some townships (all when None), to key cached figures by."""
    from casetrack.models import QueueStamp

    query = select(QueueStamp.township_id, QueueStamp.token).order_by(QueueStamp.township_id)
    if township_ids is not None:
        query = query.where(QueueStamp.township_id.in_(township_ids))
    return tuple(session.execute(query).all())


def has_uncommitted_changes(session: Session) -> bool:
    """Tell whether this session's transaction has written cases not yet committed (so not yet stamped)."""
    session = session() if callable(session) else session  # a scoped_session: its session of this context
    return bool(session.in_transaction() and session.connection().info.get(TOUCHED))
