"""inbox and notifications: a password the user must replace after an admin's reset

Revision ID: 0015
Revises: 0019
Create Date: 2026-12-07 12:00:00

users.must_change_password is set by an admin's reset and cleared when the user chooses their own password;
existing accounts keep theirs (false).

Indexes for the inbox (casetrack/services/inbox.py), so that none of its queries scans a table: a village's
limits in order, the 司法确认 windows still open, the extension requests waiting, the send-backs answered.

notifications is the outbox (one message to one person on one channel, retried with backoff; one digest per
person, channel and day by a unique key) and notification_channels each township's webhooks.
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_index('ix_disputes_village_due', 'disputes', ['village_id', 'due_on', 'id'])
    returned = sa.text('returned_note IS NOT NULL')
    op.create_index('ix_disputes_village_returned', 'disputes', ['village_id'],
                    sqlite_where=returned, postgresql_where=returned)
    open_window = sa.text("outcome = 'succeeded' AND judicial_confirmation_applied_on IS NULL")
    op.create_index('ix_disputes_confirmation_open', 'disputes', ['township_id', 'closed_on'],
                    sqlite_where=open_window, postgresql_where=open_window)
    requested = sa.text('extension_requested_days IS NOT NULL')
    op.create_index('ix_petitions_extension_requested', 'petitions', ['township_id', 'opinion_due_on'],
                    sqlite_where=requested, postgresql_where=requested)
    op.create_table(
        'notification_channels',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('secret', sa.String(length=200), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('wecom', 'dingtalk', 'sms')", name=op.f('ck_notification_channels_kind_known')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'],
                                name=op.f('fk_notification_channels_township_id_townships')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_channels')),
        sa.UniqueConstraint('township_id', 'kind', name=op.f('uq_notification_channels_township_id')),
    )
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('township_id', sa.Integer(), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('digest_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("channel IN ('inapp', 'wecom', 'dingtalk', 'sms')",
                           name=op.f('ck_notifications_channel_known')),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_notifications_status_known')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_notifications_township_id_townships')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
        sa.UniqueConstraint('user_id', 'channel', 'digest_on', name='uq_notifications_digest'),
    )
    pending = sa.text("status = 'pending'")
    op.create_index('ix_notifications_pending', 'notifications', ['next_attempt_at'],
                    sqlite_where=pending, postgresql_where=pending)
    op.create_index('ix_notifications_user_created', 'notifications', ['user_id', 'created_at'])
    op.create_index('ix_notifications_township_status', 'notifications', ['township_id', 'status', 'created_at'])
    corrected = sa.text("action = 'corrected'")
    op.create_index('ix_case_events_corrected_at', 'case_events', ['at'],
                    sqlite_where=corrected, postgresql_where=corrected)


def downgrade():
    op.drop_table('notifications')
    op.drop_table('notification_channels')
    op.drop_index('ix_case_events_corrected_at', table_name='case_events')
    op.drop_index('ix_petitions_extension_requested', table_name='petitions')
    op.drop_index('ix_disputes_confirmation_open', table_name='disputes')
    op.drop_index('ix_disputes_village_returned', table_name='disputes')
    op.drop_index('ix_disputes_village_due', table_name='disputes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
