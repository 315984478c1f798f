"""notifications.language: the language a message was written in, so the inbox marks it as such

Revision ID: 0029
Revises: 0024
Create Date: 2026-12-07 19:10:00

Since issue 17 a message is written in its recipient's language (users.locale). The inbox shows it as sent, and
marked it lang="zh" whatever it was written in. The language is now kept with the message. Messages written
before this revision stay NULL: they were written before the language was kept, and are shown as stored.
"""
import sqlalchemy as sa
from alembic import op

revision = '0029'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('language', sa.String(16), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('language')
