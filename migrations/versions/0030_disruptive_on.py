"""petitions.disruptive_on: the day a matter was found 缠访闹访, so the figure counts it as at the period's end

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 19:20:00

The 缠访闹访 figure counted every marked matter in every period, even one found 缠访闹访 after the period ended.
A matter marked at intake or in a ledger stays NULL: it was so since its receipt. One found later by the step
依法处置缠访闹访 (its timeline entry, kind "disruptive") takes that entry's Beijing day, or its referral to the
police when that was earlier (services.petitions.record_disruptive does the same from now on).
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

BEIJING = timedelta(hours=8)  # case_events.at is UTC; a day in casetrack is Beijing's


def upgrade():
    with op.batch_alter_table('petitions') as batch:
        batch.add_column(sa.Column('disruptive_on', sa.Date(), nullable=True))
    events = sa.table('case_events', sa.column('petition_id', sa.Integer), sa.column('action', sa.String),
                      sa.column('at', sa.DateTime))
    petitions = sa.table('petitions', sa.column('id', sa.Integer), sa.column('disruptive', sa.Boolean),
                         sa.column('police_referred_on', sa.Date), sa.column('disruptive_on', sa.Date))
    bind = op.get_bind()
    found = bind.execute(
        sa.select(events.c.petition_id, sa.func.min(events.c.at), petitions.c.police_referred_on)
        .join(petitions, petitions.c.id == events.c.petition_id)
        .where(events.c.action == 'disruptive', petitions.c.disruptive.is_(True))
        .group_by(events.c.petition_id, petitions.c.police_referred_on)).all()
    for petition_id, at, referred_on in found:
        day = (at + BEIJING).date()
        if referred_on is not None:
            day = min(day, referred_on)
        bind.execute(petitions.update().where(petitions.c.id == petition_id).values(disruptive_on=day))


def downgrade():
    with op.batch_alter_table('petitions') as batch:
        batch.drop_column('disruptive_on')
