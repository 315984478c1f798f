"""time limits in every year: entered holiday plans, the dates the windows count from, the court's result

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

calendar_plans marks the years whose whole holiday plan (放假安排) is entered, so their dates are no longer
estimates (暂定). Petitions get 复查答复送达日期 (the 复核 window counts from it, 条例 Art. 36); disputes get
协议生效日期 (司法确认 counts from it, 人民调解法 Art. 33), the court's result and the date both parties
agreed to continue mediation until (延续调解). Existing rows keep NULL: the answer date, the agreement date
and "no date agreed" stand in, as before. The CHECK on the court's result is added on PostgreSQL; SQLite
cannot add a constraint to a table without rebuilding it, and the service checks the value anyway.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_plans',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('entered_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("source IN ('notice', 'csv')", name=op.f('ck_calendar_plans_source_known')),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_plans')),
    )
    op.add_column('petitions', sa.Column('review_delivered_on', sa.Date(), nullable=True))
    op.add_column('disputes', sa.Column('continued_until', sa.Date(), nullable=True))
    op.add_column('disputes', sa.Column('agreement_effective_on', sa.Date(), nullable=True))
    op.add_column('disputes', sa.Column('judicial_confirmation_result', sa.String(length=16), nullable=True))
    op.add_column('disputes', sa.Column('judicial_confirmation_result_on', sa.Date(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.create_check_constraint(
            op.f('ck_disputes_judicial_confirmation_result_known'), 'disputes',
            "judicial_confirmation_result IS NULL OR judicial_confirmation_result IN "
            "('confirmed', 'rejected', 'withdrawn')",
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_disputes_judicial_confirmation_result_known'), 'disputes', type_='check')
    with op.batch_alter_table('disputes') as batch:
        batch.drop_column('judicial_confirmation_result_on')
        batch.drop_column('judicial_confirmation_result')
        batch.drop_column('agreement_effective_on')
        batch.drop_column('continued_until')
    with op.batch_alter_table('petitions') as batch:
        batch.drop_column('review_delivered_on')
    op.drop_table('calendar_plans')
