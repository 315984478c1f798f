"""name search keys: the pinyin and initials of every party's and petitioner's name, indexed

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-07 12:00:00

The queue finds 赵海强 by "zhaohaiqiang" or "zhq". The models keep the key up to date on every write of a
name (models/cases.py Party.search_key); this revision adds the columns and fills them for the rows there are.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0017'
branch_labels = None
depends_on = None

TABLES = ('parties', 'petitioners')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('search_key', sa.String(length=300), nullable=True))
        op.create_index(f'ix_{table}_search_key', table, ['search_key'])
    _backfill()


def _backfill():
    from casetrack.domain.name_keys import name_search_key

    connection = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('name', sa.String),
                         sa.column('search_key', sa.String))
        rows = connection.execute(sa.select(table.c.id, table.c.name)).all()
        for row_id, person in rows:
            key = name_search_key(person)
            if key:
                connection.execute(table.update().where(table.c.id == row_id).values(search_key=key))


def downgrade():
    for table in TABLES:
        op.drop_index(f'ix_{table}_search_key', table_name=table)
        op.drop_column(table, 'search_key')
