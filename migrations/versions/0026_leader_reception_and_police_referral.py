"""petitions: 领导接访 (the leader who received a visit on a reception day) and 缠访闹访 referred to the police

Revision ID: 0026
Revises: 0018
Create Date: 2026-12-07 15:30:00

Two nullable petition columns. Existing rows keep NULL: nothing recorded says a leader received a visit, or that a
disruptive petitioner's conduct went to the police, so the report counts neither until it is recorded.
"""
from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('petitions', sa.Column('leader_received_by', sa.String(60), nullable=True))
    op.add_column('petitions', sa.Column('police_referred_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('petitions') as batch:
        batch.drop_column('police_referred_on')
        batch.drop_column('leader_received_by')
