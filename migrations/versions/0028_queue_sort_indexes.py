"""queue sort indexes: every sort order of the review queue held by an index within a township and a village

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-07 19:10:00

The queue's rows are read by keyset, each table's part in the order of one index (services/queue_sql.py): by
registration, by latest activity or by deadline, within the user's township or village. These were missing:
petitions by activity (a township's, a village's), a village's petitions by receipt and by deadline, a village's
disputes by activity, and a township's disputes of one state by deadline (the 已归档 filter sorted by deadline
walked every dated case to find none).
"""
from alembic import op

revision = '0028'
down_revision = '0024'
branch_labels = None
depends_on = None

INDEXES = {
    'disputes': [
        ('ix_disputes_village_updated', ['village_id', 'updated_at', 'id']),
        ('ix_disputes_township_status_due', ['township_id', 'status', 'due_on', 'id']),
    ],
    'petitions': [
        ('ix_petitions_township_updated', ['township_id', 'updated_at', 'id']),
        ('ix_petitions_village_received', ['village_id', 'received_on', 'id']),
        ('ix_petitions_village_updated', ['village_id', 'updated_at', 'id']),
        ('ix_petitions_village_due', ['village_id', 'due_on', 'id']),
    ],
}


def upgrade():
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.create_index(name, table, columns)


def downgrade():
    for table, indexes in INDEXES.items():
        for name, _columns in reversed(indexes):
            op.drop_index(name, table_name=table)
