"""the record of ledger imports (台账导入记录), and each user's language

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-07 15:30:00

ledger_imports keeps one row per import of a ledger file into a township: who, when, the file's name, how many
rows were created, updated, unchanged and skipped, and the notices the import produced (as templates and
parameters, shown in the reader's language). An import with notices worth a look waits in the township staff's
inbox until one of them marks it seen (the partial index ix_ledger_imports_waiting holds only those). No past
imports were recorded, so the table starts empty.

users.locale is the language the user chose for the interface; NULL (every existing user) means Simplified
Chinese. The messages sent to a user are written in it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0018'
branch_labels = None
depends_on = None


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


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('locale')
    op.drop_index('ix_ledger_imports_waiting', table_name='ledger_imports')
    op.drop_index('ix_ledger_imports_township_at', table_name='ledger_imports')
    op.drop_table('ledger_imports')
