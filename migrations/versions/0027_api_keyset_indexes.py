"""API keyset indexes: the API's case pages read the next 100 ids straight from an index

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 15:30:00

GET /api/v1/cases pages by id (services/api_cases.py): a township's cases, its year, state or both; a year, a
state or both across the county; a mediator's village: each walked in id order from one of these indexes, so a
page reads the 101 rows it needs and sorts nothing; the changes since a moment (updated_since) by their time.
ix_petitions_township_status gains the id (PostgreSQL's indexes do not end with it on their own; SQLite's do,
so there it is the same index).
"""
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

INDEXES = {
    'disputes': [
        ('ix_disputes_api_township', ['township_id', 'id']),
        ('ix_disputes_api_township_year', ['township_id', 'year', 'id']),
        ('ix_disputes_api_township_status', ['township_id', 'status', 'id']),
        ('ix_disputes_api_township_year_status', ['township_id', 'year', 'status', 'id']),
        ('ix_disputes_api_year', ['year', 'id']),
        ('ix_disputes_api_year_status', ['year', 'status', 'id']),
        ('ix_disputes_api_status', ['status', 'id']),
        ('ix_disputes_api_village', ['village_id', 'id']),
        ('ix_disputes_updated', ['updated_at']),
    ],
    'petitions': [
        ('ix_petitions_api_township', ['township_id', 'id']),
        ('ix_petitions_api_township_year', ['township_id', 'year', 'id']),
        ('ix_petitions_api_township_year_status', ['township_id', 'year', 'status', 'id']),
        ('ix_petitions_api_year', ['year', 'id']),
        ('ix_petitions_api_year_status', ['year', 'status', 'id']),
        ('ix_petitions_api_status', ['status', 'id']),
        ('ix_petitions_api_village', ['village_id', 'id']),
        ('ix_petitions_updated', ['updated_at']),
    ],
}


def upgrade():
    op.drop_index('ix_petitions_township_status', table_name='petitions')
    op.create_index('ix_petitions_township_status', 'petitions', ['township_id', 'status', 'id'])
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.create_index(name, table, columns)


def downgrade():
    for table, indexes in INDEXES.items():
        for name, _columns in reversed(indexes):
            op.drop_index(name, table_name=table)
    op.drop_index('ix_petitions_township_status', table_name='petitions')
    op.create_index('ix_petitions_township_status', 'petitions', ['township_id', 'status'])
