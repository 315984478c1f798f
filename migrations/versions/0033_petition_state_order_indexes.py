"""petition state order indexes: a township's petitions in one state read in the queue's order from an index

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-08 02:00:00

The queue's 待受理 tab and its state filter list a township's petitions in one state by date of receipt or by last
change. The index of (township, state) holds them in id order, so each page read every petition in that state (on
the benchmark's county, some 800 awaiting a decision per township) from the table and sorted them to keep 51; an
index of (township, state, received_on, id) and one of (township, state, updated_at, id) hold them in the page's
order, and a page reads its 51 (docs/performance.md, "Review queue").
"""
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

INDEXES = [
    ('ix_petitions_township_status_received', 'petitions', ['township_id', 'status', 'received_on', 'id']),
    ('ix_petitions_township_status_updated', 'petitions', ['township_id', 'status', 'updated_at', 'id']),
]


def upgrade():
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
