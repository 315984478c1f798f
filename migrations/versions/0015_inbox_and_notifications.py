"""inbox and notifications: a password the user must replace after an admin's reset

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:00:00

users.must_change_password is set by an admin's reset and cleared when the user chooses their own password;
existing accounts keep theirs (false).

Indexes for the inbox (casetrack/services/inbox.py), so that none of its queries scans a table: a village's
limits in order, the 司法确认 windows still open, the extension requests waiting, the send-backs answered.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_index('ix_disputes_village_due', 'disputes', ['village_id', 'due_on', 'id'])
    open_window = sa.text("outcome = 'succeeded' AND judicial_confirmation_applied_on IS NULL")
    op.create_index('ix_disputes_confirmation_open', 'disputes', ['township_id', 'closed_on'],
                    sqlite_where=open_window, postgresql_where=open_window)
    requested = sa.text('extension_requested_days IS NOT NULL')
    op.create_index('ix_petitions_extension_requested', 'petitions', ['township_id'],
                    sqlite_where=requested, postgresql_where=requested)
    corrected = sa.text("action = 'corrected'")
    op.create_index('ix_case_events_corrected_at', 'case_events', ['at'],
                    sqlite_where=corrected, postgresql_where=corrected)


def downgrade():
    op.drop_index('ix_case_events_corrected_at', table_name='case_events')
    op.drop_index('ix_petitions_extension_requested', table_name='petitions')
    op.drop_index('ix_disputes_confirmation_open', table_name='disputes')
    op.drop_index('ix_disputes_village_due', table_name='disputes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
