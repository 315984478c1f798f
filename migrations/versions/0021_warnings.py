"""early warnings (预警): the warnings table and its history, the 群体性 mark on disputes

Revision ID: 0021
Revises: 0015
Create Date: 2026-12-07 12:00:00

services.warnings raises, changes and resolves warnings (domain/warnings.py rules) on every write to the
cases behind them and in the nightly `flask warnings refresh`; people acknowledge them. A resolved warning is
kept with its history. Disputes gain group_dispute (群体性纠纷, false for existing rows), and petitioners an
index on their ID number, by which the repeat-petitioner rule finds a person. No warnings to start with: the
first `flask warnings refresh` raises them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('disputes', sa.Column('group_dispute', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index(op.f('ix_petitioners_id_number'), 'petitioners', ['id_number'], unique=False)
    op.create_table(
        'warnings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=True),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('dispute_ids', sa.JSON(), nullable=False),
        sa.Column('petition_ids', sa.JSON(), nullable=False),
        sa.Column('numbers', sa.JSON(), nullable=False),
        sa.Column('people', sa.JSON(), nullable=False),
        sa.Column('since', sa.Date(), nullable=False),
        sa.Column('raised_at', sa.DateTime(), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
        sa.Column('acknowledged_note', sa.Text(), nullable=True),
        sa.Column('assignee_id', sa.Integer(), nullable=True),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_on', sa.Date(), nullable=True),
        sa.CheckConstraint("level IN ('blue', 'yellow', 'red')", name=op.f('ck_warnings_level_known')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_warnings_township_id_townships')),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_warnings_village_id_villages')),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'],
                                name=op.f('fk_warnings_acknowledged_by_id_users')),
        sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_warnings_assignee_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warnings')),
    )
    op.create_index('ix_warnings_open_subject', 'warnings', ['township_id', 'rule', 'subject'], unique=True,
                    sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_index('ix_warnings_township_since', 'warnings', ['township_id', 'since'])
    op.create_index('ix_warnings_village_open', 'warnings', ['village_id'],
                    sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
    op.create_table(
        'warning_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('warning_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['warning_id'], ['warnings.id'], ondelete='CASCADE',
                                name=op.f('fk_warning_events_warning_id_warnings')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_warning_events_actor_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_events')),
    )
    op.create_index(op.f('ix_warning_events_warning_id'), 'warning_events', ['warning_id'])


def downgrade():
    op.drop_table('warning_events')
    op.drop_table('warnings')
    op.drop_index(op.f('ix_petitioners_id_number'), table_name='petitioners')
    # SQLite (3.35+) drops a column in place, keeping the table's partial indexes as they are.
    op.drop_column('disputes', 'group_dispute')
