"""counties: a county holds townships; county accounts read all of them; API tokens

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-07 12:00:00

A county (县) holds townships (townships.county_id); an account of the new role `county` (县司法局/信访局)
belongs to one county (users.county_id) and reads every township of it. Existing townships belong to no county
until an admin assigns them (flask county add, or the admin page).
api_tokens: bearer tokens of the JSON API (/api/v1), kept as SHA-256 hashes, with a rate-limit window each.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0014'
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
        sa.Column('window_start', sa.DateTime(), nullable=True),
        sa.Column('window_count', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
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
