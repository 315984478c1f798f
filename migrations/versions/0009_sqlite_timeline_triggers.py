"""SQLite refuses UPDATE and DELETE on case_events, as PostgreSQL's trigger (0001) does

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 14:40:00

The mapper's listeners refuse changes to a loaded CaseEvent, but a bulk statement (update(CaseEvent)...,
raw SQL, another tool on the file) bypasses them; the database itself must refuse. SQLite has no
statement-level switch, so two row triggers RAISE(ABORT). DROP TABLE does not fire them. A later migration
that rebuilds case_events in batch mode must create them again.
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TRIGGERS = {
    "case_events_no_update": "UPDATE",
    "case_events_no_delete": "DELETE",
}


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, event in TRIGGERS.items():
        op.execute(f"""
            CREATE TRIGGER {name} BEFORE {event} ON case_events
            BEGIN
                SELECT RAISE(ABORT, 'case_events is append-only');
            END
        """)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
