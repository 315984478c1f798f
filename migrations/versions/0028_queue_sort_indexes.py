"""queue sort indexes: every sort order of the review queue held by an index within a township and a village

Revision ID: 0028
Revises: 0031
Create Date: 2026-12-07 19:10:00

The queue's rows are read by keyset, each table's part in the order of one index (services/queue_sql.py): by
registration, by latest activity or by deadline, within the user's township or village. These were missing:
petitions by activity (a township's, a village's), a village's petitions by receipt and by deadline, a village's
disputes by activity, and a township's disputes of one state by deadline (the 已归档 filter sorted by deadline
walked every dated case to find none).

On PostgreSQL also statistics of how a case's place columns go together (a village lies in one township, a
dispute type belongs to one township): the planner took a township's village or type filter for a rare one, as
if independent of the township, and walked the whole table's activity index for a page of them.
"""
from alembic import op

revision = '0028'
down_revision = '0031'
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


STATISTICS = {
    'st_disputes_place': ('disputes', 'township_id, village_id, dispute_type_id'),
    'st_petitions_place': ('petitions', 'township_id, village_id'),
}


def upgrade():
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.create_index(name, table, columns)
    if op.get_bind().dialect.name == 'postgresql':
        for name, (table, columns) in STATISTICS.items():
            op.execute(f'CREATE STATISTICS {name} (dependencies) ON {columns} FROM {table}')
            op.execute(f'ANALYZE {table}')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in STATISTICS:
            op.execute(f'DROP STATISTICS {name}')
    for table, indexes in INDEXES.items():
        for name, _columns in reversed(indexes):
            op.drop_index(name, table_name=table)
