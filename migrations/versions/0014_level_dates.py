"""level dates: the day a dispute reached the township and the county level

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-07 09:00:00

The report counts each case at the level where it stood at the period's end, so the day of each escalation
is kept beside the level. Existing rows take it from the timeline's "escalate" entries (the Beijing date of
the entry); a level set without an entry (the ledger import) stays NULL, read as "since registration".
Accepted disputes that lack a 受理日期 (imported before the importer set it) take their 登记日期, as the
importer does now.
"""
from datetime import UTC

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None

LEVEL_COLUMNS = {'乡': 'township_level_on', '县': 'county_level_on'}


def upgrade():
    op.add_column('disputes', sa.Column('township_level_on', sa.Date(), nullable=True))
    op.add_column('disputes', sa.Column('county_level_on', sa.Date(), nullable=True))
    _backfill_level_dates()
    op.execute("UPDATE disputes SET accepted_on = registered_on WHERE accepted_on IS NULL "
               "AND (status IN ('accepted', 'mediating', 'concluded', 'visited') "
               "OR (status = 'archived' AND outcome IS NOT NULL))")


def _backfill_level_dates():
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo('Asia/Shanghai')
    events = sa.table('case_events', sa.column('dispute_id', sa.Integer), sa.column('at', sa.DateTime),
                      sa.column('action', sa.String), sa.column('changes', sa.JSON))
    disputes = sa.table('disputes', sa.column('id', sa.Integer), sa.column('township_level_on', sa.Date),
                        sa.column('county_level_on', sa.Date))
    connection = op.get_bind()
    reached: dict[tuple[int, str], object] = {}
    rows = connection.execute(sa.select(events.c.dispute_id, events.c.at, events.c.changes).where(
        events.c.action == 'escalate', events.c.dispute_id.is_not(None)).order_by(events.c.at))
    for dispute_id, at, changes in rows:
        if isinstance(changes, str):  # a driver that hands JSON back as text
            import json
            changes = json.loads(changes)
        level = ((changes or {}).get('处理层级') or [None, None])[1]
        column = LEVEL_COLUMNS.get(level)
        if column and (dispute_id, column) not in reached:
            reached[(dispute_id, column)] = at.replace(tzinfo=UTC).astimezone(beijing).date()
    for (dispute_id, column), day in reached.items():
        connection.execute(disputes.update().where(disputes.c.id == dispute_id).values({column: day}))


def downgrade():
    # SQLite (3.35+) drops a column in place, keeping the table's partial indexes as they are.
    op.drop_column('disputes', 'county_level_on')
    op.drop_column('disputes', 'township_level_on')
