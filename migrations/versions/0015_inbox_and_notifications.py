"""inbox and notifications: a password the user must replace after an admin's reset

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:00:00

users.must_change_password is set by an admin's reset and cleared when the user chooses their own password;
existing accounts keep theirs (false).
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


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
