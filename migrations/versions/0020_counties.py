"""counties: a county holds townships; county accounts read all of them

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-07 12:00:00

A county (县) holds townships (townships.county_id); an account of the new role `county` (县司法局/信访局)
belongs to one county (users.county_id) and reads every township of it. Existing townships belong to no county
until an admin assigns them (flask county add, or the admin page).
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


def downgrade():
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
