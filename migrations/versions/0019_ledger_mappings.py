"""ledger mappings: a township's own ledger headers and values, mapped once to the format's

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-07 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ledger_mappings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('column', sa.String(length=40), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('target', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_ledger_mappings_township_id_townships'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_mappings')),
        sa.UniqueConstraint('township_id', 'kind', 'column', 'source', name='uq_ledger_mappings_source'),
    )
    with op.batch_alter_table('ledger_mappings') as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_mappings_township_id'), ['township_id'], unique=False)


def downgrade():
    with op.batch_alter_table('ledger_mappings') as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_mappings_township_id'))
    op.drop_table('ledger_mappings')
