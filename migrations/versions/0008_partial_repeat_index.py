"""partial index on petitions.repeat_of_id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 12:35:00

Almost every petition has repeat_of_id NULL; once SQLite has statistics, a full index on it lures the
planner into scanning it for "repeat_of_id IS NULL" instead of the township indexes (as 0006 found for
disputes.merged_into_id). Keep only the repeats in it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_petitions_repeat_of_id', table_name='petitions')
    op.create_index('ix_petitions_repeat_of_id', 'petitions', ['repeat_of_id'],
                    sqlite_where=sa.text('repeat_of_id IS NOT NULL'),
                    postgresql_where=sa.text('repeat_of_id IS NOT NULL'))


def downgrade():
    op.drop_index('ix_petitions_repeat_of_id', table_name='petitions')
    op.create_index('ix_petitions_repeat_of_id', 'petitions', ['repeat_of_id'])
