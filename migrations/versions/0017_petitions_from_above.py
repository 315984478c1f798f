"""petitions from above: source, 交办 limit and 办结报告, objection, 依法分类处理, 复查/复核 bodies, 督办

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-07 12:00:00

A petition records where it came from (本级受理 / 上级转送 / 上级交办, with the referring body and its
reference number), the 办理期限 a higher body set for a 交办 matter and the 办结报告 sent back, the township's
objection within 5 working days (信访工作条例 Art. 23) with the higher body's answer, the legal procedure a
matter was routed into at acceptance (依法分类处理, Art. 31) and the bodies a 复查/复核 request was forwarded
to, and the day a petition reached 省 or 进京 (NULL: since receipt, as every existing one). Existing petitions
are 本级受理; those under 复查/复核 lose their stored current limit (the higher body's). Supervisions (督办) may now be of a petition: dispute_id becomes
nullable, petition_id is added, and supervised_on keeps the day it began (existing rows: NULL, read as their
creation). The CHECKs on the new enumerations are added on PostgreSQL; SQLite cannot add a constraint to a
table without rebuilding it, and the services check the values anyway.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0014'
branch_labels = None
depends_on = None

PETITION_COLUMNS = [
    ('source', lambda: sa.Column('source', sa.String(length=16), nullable=False, server_default='own')),
    ('source_body', lambda: sa.Column('source_body', sa.String(length=100), nullable=True)),
    ('source_reference', lambda: sa.Column('source_reference', sa.String(length=60), nullable=True)),
    ('assigned_due_on', lambda: sa.Column('assigned_due_on', sa.Date(), nullable=True)),
    ('completion_report_on', lambda: sa.Column('completion_report_on', sa.Date(), nullable=True)),
    ('completion_report_to', lambda: sa.Column('completion_report_to', sa.String(length=100), nullable=True)),
    ('completion_report_text', lambda: sa.Column('completion_report_text', sa.Text(), nullable=True)),
    ('objection_raised_on', lambda: sa.Column('objection_raised_on', sa.Date(), nullable=True)),
    ('objection_reason', lambda: sa.Column('objection_reason', sa.Text(), nullable=True)),
    ('objection_outcome', lambda: sa.Column('objection_outcome', sa.String(length=16), nullable=True)),
    ('objection_outcome_on', lambda: sa.Column('objection_outcome_on', sa.Date(), nullable=True)),
    ('legal_route', lambda: sa.Column('legal_route', sa.String(length=16), nullable=True)),
    ('legal_route_body', lambda: sa.Column('legal_route_body', sa.String(length=100), nullable=True)),
    ('legal_route_told_on', lambda: sa.Column('legal_route_told_on', sa.Date(), nullable=True)),
    ('province_reached_on', lambda: sa.Column('province_reached_on', sa.Date(), nullable=True)),
    ('review_body', lambda: sa.Column('review_body', sa.String(length=100), nullable=True)),
    ('second_review_body', lambda: sa.Column('second_review_body', sa.String(length=100), nullable=True)),
]

CHECKS = {
    'ck_petitions_source_known': "source IN ('own', 'forwarded_in', 'assigned_in')",
    'ck_petitions_objection_outcome_known':
        "objection_outcome IS NULL OR objection_outcome IN ('pending', 'agreed', 'refused')",
    'ck_petitions_legal_route_known':
        "legal_route IS NULL OR legal_route IN ('litigation', 'arbitration', 'reconsideration', 'other')",
}


def upgrade():
    for _name, column in PETITION_COLUMNS:
        op.add_column('petitions', column())
    with op.batch_alter_table('supervisions') as batch:
        batch.alter_column('dispute_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('petition_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('supervised_on', sa.Date(), nullable=True))
        batch.create_index(batch.f('ix_supervisions_petition_id'), ['petition_id'], unique=False)
        batch.create_foreign_key(batch.f('fk_supervisions_petition_id_petitions'), 'petitions', ['petition_id'],
                                 ['id'], ondelete='CASCADE')
    # 复查/复核 answers are the higher body's limits, no longer the township's stored current limit
    op.execute("UPDATE petitions SET due_on = NULL WHERE status IN ('under_review', 'under_second_review')")
    if op.get_bind().dialect.name == 'postgresql':
        for name, condition in CHECKS.items():
            op.create_check_constraint(op.f(name), 'petitions', condition)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in CHECKS:
            op.drop_constraint(op.f(name), 'petitions', type_='check')
    op.execute("DELETE FROM supervisions WHERE dispute_id IS NULL")
    with op.batch_alter_table('supervisions') as batch:
        batch.drop_constraint(batch.f('fk_supervisions_petition_id_petitions'), type_='foreignkey')
        batch.drop_index(batch.f('ix_supervisions_petition_id'))
        batch.drop_column('supervised_on')
        batch.drop_column('petition_id')
        batch.alter_column('dispute_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('petitions') as batch:
        for name, _column in reversed(PETITION_COLUMNS):
            batch.drop_column(name)
