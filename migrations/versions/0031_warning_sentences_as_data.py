"""warnings.params, warning_events.params: a warning's sentence as data, shown in the reader's language

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 19:30:00

A warning's sentence was stored as Chinese prose only. Its parameters (names, counts, dates, the flags) are now
kept beside it and the page renders the sentence in the reader's language (domain.warnings.render_sentence), as
the timeline does since 0024; the Chinese text stays for files and the API. Rows from before stay NULL and show
their text as stored; the next refresh (`flask warnings refresh`, nightly) gives every open warning its
parameters.
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('warnings', 'warning_events'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('params', sa.JSON(), nullable=True))


def downgrade():
    for table in ('warnings', 'warning_events'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('params')
