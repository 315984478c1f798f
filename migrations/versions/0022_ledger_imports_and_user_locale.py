"""the record of ledger imports (台账导入记录), and each user's language

Revision ID: 0022
Revises: 0027
Create Date: 2026-12-07 15:30:00

ledger_imports keeps one row per import of a ledger file into a township: who, when, the file's name, how many
rows were created, updated, unchanged and skipped, and the notices the import produced (as templates and
parameters, shown in the reader's language). An import with notices worth a look waits in the township staff's
inbox until one of them marks it seen (the partial index ix_ledger_imports_waiting holds only those). No past
imports were recorded, so the table starts empty.

The inbox (待办) gains indexes that hold each kind of line's condition and order, so that its first rows
and its count are read from the index alone at a million cases (docs/performance.md). ix_petitions_township_status
(township, status, id) stays: the API's pages walk it in id order (0027).

users.locale is the language the user chose for the interface; NULL (every existing user) means Simplified
Chinese. The messages sent to a user are written in it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0027'
branch_labels = None
depends_on = None


LIVE_DUE = 'merged_into_id IS NULL AND due_on IS NOT NULL'
INBOX_INDEXES = [
    ('ix_disputes_township_due_live', 'disputes', ['township_id', 'due_on', 'id'], LIVE_DUE),
    ('ix_disputes_village_due_live', 'disputes', ['village_id', 'due_on', 'status', 'outcome', 'id'], LIVE_DUE),
    ('ix_disputes_township_major_unassigned', 'disputes', ['township_id', 'risk_level', 'registered_on', 'id', 'status'],
     'responsible_unit IS NULL AND merged_into_id IS NULL'),
    ('ix_petitions_township_status_due', 'petitions', ['township_id', 'status', 'due_on', 'id'], None),
    ('ix_petitions_township_due_status', 'petitions', ['township_id', 'due_on', 'status', 'id'], 'due_on IS NOT NULL'),
]
"""The inbox at 1,000,000 cases: each kind's first rows in order and its count from one index alone."""


def upgrade():
    op.create_table(
        'ledger_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.Column('created', sa.Integer(), nullable=False),
        sa.Column('updated', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('notices', sa.JSON(), nullable=False),
        sa.Column('notices_left_out', sa.Integer(), nullable=False),
        sa.Column('attention', sa.Integer(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=True),
        sa.Column('seen_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("source IN ('web', 'cli')", name=op.f('ck_ledger_imports_source_known')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'],
                                name=op.f('fk_ledger_imports_township_id_townships')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_ledger_imports_user_id_users')),
        sa.ForeignKeyConstraint(['seen_by_id'], ['users.id'], name=op.f('fk_ledger_imports_seen_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_imports')),
    )
    op.create_index('ix_ledger_imports_township_at', 'ledger_imports', ['township_id', 'imported_at'])
    op.create_index('ix_ledger_imports_waiting', 'ledger_imports', ['township_id'],
                    sqlite_where=sa.text('attention > 0 AND seen_at IS NULL'),
                    postgresql_where=sa.text('attention > 0 AND seen_at IS NULL'))
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('locale', sa.String(length=16), nullable=True))
    for name, table, columns, where in INBOX_INDEXES:
        op.create_index(name, table, columns, sqlite_where=sa.text(where) if where else None,
                        postgresql_where=sa.text(where) if where else None)


def downgrade():
    for name, table, _columns, _where in INBOX_INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table('users') as batch:
        batch.drop_column('locale')
    op.drop_index('ix_ledger_imports_waiting', table_name='ledger_imports')
    op.drop_index('ix_ledger_imports_township_at', table_name='ledger_imports')
    op.drop_table('ledger_imports')
