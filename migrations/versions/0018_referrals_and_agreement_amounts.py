"""referrals and agreement amounts: a 委托移送 case's origin, 不予受理 grounds, a party's objection, 协议涉及金额

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-07 12:00:00

New dispute columns, all nullable. Existing rows:
- a dispute declined (不予受理) with a reason takes the ground 其他, its free-text reason kept as that ground's text;
- a failed mediation's channels told keep their words, except the old "诉讼", which becomes "引导诉讼" (the list now
  reads 引导诉讼 / 诉前调解 / 仲裁 / 行政);
- a 委托移送 case's origin stays unknown (NULL, shown "未注明"): nothing recorded says who referred it.
The CHECK constraints keeping the new lists' values are added on PostgreSQL; SQLite cannot add a constraint to a
table in place (the models carry them, so a database built from them has them).
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0020'
branch_labels = None
depends_on = None

COLUMNS = [
    sa.Column('not_accepted_ground', sa.String(16), nullable=True),
    sa.Column('referral_origin', sa.String(16), nullable=True),
    sa.Column('referral_body', sa.String(120), nullable=True),
    sa.Column('referral_received_on', sa.Date(), nullable=True),
    sa.Column('objection_on', sa.Date(), nullable=True),
    sa.Column('objection_by', sa.String(60), nullable=True),
    sa.Column('objection_note', sa.Text(), nullable=True),
    sa.Column('agreement_amount_fen', sa.BigInteger(), nullable=True),
]

CHECKS = {
    'referral_origin_known': "referral_origin IS NULL OR referral_origin IN ('court_assigned', 'court_entrusted', "
                             "'police', 'petition_office', 'other_department')",
    'not_accepted_ground_known': "not_accepted_ground IS NULL OR not_accepted_ground IN ('special_body', "
                                 "'already_handled', 'party_refused', 'other')",
    'agreement_amount_not_negative': "agreement_amount_fen IS NULL OR agreement_amount_fen >= 0",
}


def upgrade():
    for column in COLUMNS:
        op.add_column('disputes', column)
    if op.get_bind().dialect.name == 'postgresql':
        for name, condition in CHECKS.items():
            op.create_check_constraint(op.f(f'ck_disputes_{name}'), 'disputes', condition)
    op.execute("UPDATE disputes SET not_accepted_ground = 'other' WHERE not_accepted_reason IS NOT NULL")
    op.execute("UPDATE disputes SET channels_told = REPLACE(channels_told, '诉讼', '引导诉讼') "
               "WHERE channels_told LIKE '%诉讼%' AND channels_told NOT LIKE '%引导诉讼%'")


def downgrade():
    op.execute("UPDATE disputes SET channels_told = REPLACE(channels_told, '引导诉讼', '诉讼') "
               "WHERE channels_told LIKE '%引导诉讼%'")
    if op.get_bind().dialect.name == 'postgresql':
        for name in CHECKS:
            op.drop_constraint(op.f(f'ck_disputes_{name}'), 'disputes', type_='check')
    for column in reversed(COLUMNS):
        op.drop_column('disputes', column.name)
