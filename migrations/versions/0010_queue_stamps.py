"""queue stamps: a change token per township for the queue's cached counts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 14:40:00

services.queue_stamps writes a new token for a township whenever a transaction that changed its disputes,
petitions, parties, petitioners, supervisions or mediator assignments commits; the queue keys its cached
tab counts by it, so every gunicorn worker sees every other worker's writes. No rows to start with: a
township without a row has not changed since, which is a stamp too.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'queue_stamps',
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], ondelete='CASCADE',
                                name=op.f('fk_queue_stamps_township_id_townships')),
        sa.PrimaryKeyConstraint('township_id', name=op.f('pk_queue_stamps')),
    )


def downgrade():
    op.drop_table('queue_stamps')
