"""counties: a county holds townships; county accounts read all of them; API tokens; monthly returns

Revision ID: 0020
Revises: 0021
Create Date: 2026-12-07 12:00:00

A county (县) holds townships (townships.county_id); an account of the new role `county` (县司法局/信访局)
belongs to one county (users.county_id) and reads every township of it. Existing townships belong to no county
until an admin assigns them (flask county add, or the admin page).
api_tokens: bearer tokens of the JSON API (/api/v1), kept as SHA-256 hashes.
monthly_returns: every submitted version of a township's monthly return (月报), its frozen figures as JSON.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'counties',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_counties')),
        sa.UniqueConstraint('name', name=op.f('uq_counties_name')),
    )
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_townships_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_townships_county_id_counties'), 'counties', ['county_id'], ['id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('county_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_county_id'), ['county_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_county_id_counties'), 'counties', ['county_id'], ['id'])
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_role_known'), "role IN ('mediator', 'staff', 'leader', 'admin', 'county')")
        batch_op.create_check_constraint(
            batch_op.f('ck_users_county_has_county'), "role != 'county' OR county_id IS NOT NULL")
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)
    op.create_table(
        'monthly_returns',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('township_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('nil_return', sa.Boolean(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=False),
        sa.Column('submitted_at', sa.DateTime(), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('review_reason', sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('submitted', 'accepted', 'sent_back')",
                           name=op.f('ck_monthly_returns_status_known')),
        sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_monthly_returns_reviewed_by_id_users')),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'],
                                name=op.f('fk_monthly_returns_submitted_by_id_users')),
        sa.ForeignKeyConstraint(['township_id'], ['townships.id'], name=op.f('fk_monthly_returns_township_id_townships')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_returns')),
        sa.UniqueConstraint('township_id', 'period', 'version', name=op.f('uq_monthly_returns_township_id')),
    )
    with op.batch_alter_table('monthly_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_returns_township_id'), ['township_id'], unique=False)


def downgrade():
    with op.batch_alter_table('monthly_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_returns_township_id'))
    op.drop_table('monthly_returns')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))
    op.drop_table('api_tokens')
    op.execute("DELETE FROM users WHERE role = 'county'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_county_has_county'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint(
            batch_op.f('ck_users_role_known'), "role IN ('mediator', 'staff', 'leader', 'admin')")
        batch_op.drop_constraint(batch_op.f('fk_users_county_id_counties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_county_id'))
        batch_op.drop_column('county_id')
    with op.batch_alter_table('townships', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_townships_county_id_counties'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_townships_county_id'))
        batch_op.drop_column('county_id')
    op.drop_table('counties')
