"""one screening round per unit and period: a village's per village and period, the township's per period

Revision ID: 0023
Revises: 0025
Create Date: 2026-12-07 15:30:00

Two unique partial indexes: (village_id, period_start) among village rounds, (township_id, period_start) among
township rounds (a township round has no village, so one index over both levels could not hold it).

An old database may already hold two or more rounds of the same unit for the same period (the service did not
refuse them before). Before the indexes are built, each such group is merged into its earliest round (lowest
held_on, then lowest id), and nothing recorded is lost:
- the later rounds' findings move to the kept round (a finding turned into a dispute keeps its dispute);
- a dispute registered from a later round (disputes.screening_round_id) points at the kept round;
- the kept round's notes gain one line per merged round: "[合并] <held_on> 排查人员:<screeners>;重点:<focus>;
  备注:<notes>" (the parts it had), so who screened on which day stays readable;
- the later rounds are then deleted.
A group's rounds count once on the compliance board and in the reports either way (a period is held or not), so
no figure changes, except that a period whose kept round was nil and a later one had findings now reads 已排查
with those findings, which is what happened in it.

Downgrade drops the indexes; merged rounds are not split again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0025'
branch_labels = None
depends_on = None

INDEXES = {
    'village': ('uq_screening_rounds_village_period', 'village_id'),
    'township': ('uq_screening_rounds_township_period', 'township_id'),
}


def _merge_duplicates(connection) -> None:
    for level, (_name, unit) in INDEXES.items():
        rows = connection.execute(sa.text(
            f"SELECT id, {unit}, period_start, held_on, screeners, focus, notes FROM screening_rounds "
            "WHERE level = :level ORDER BY " + unit + ", period_start, held_on, id"
        ), {"level": level}).all()
        groups: dict[tuple, list] = {}
        for row in rows:
            groups.setdefault((row[1], row[2]), []).append(row)
        for group in groups.values():
            if len(group) < 2:
                continue
            kept, later = group[0], group[1:]
            lines = [kept.notes] if kept.notes else []
            for row in later:
                parts = [f"[合并] {row.held_on} 排查人员:{row.screeners}"]
                if row.focus:
                    parts.append(f"重点:{row.focus}")
                if row.notes:
                    parts.append(f"备注:{row.notes}")
                lines.append(";".join(parts))
                params = {"kept": kept.id, "gone": row.id}
                connection.execute(sa.text("UPDATE screening_findings SET round_id = :kept WHERE round_id = :gone"),
                                   params)
                connection.execute(sa.text(
                    "UPDATE disputes SET screening_round_id = :kept WHERE screening_round_id = :gone"), params)
                connection.execute(sa.text("DELETE FROM screening_rounds WHERE id = :gone"), params)
            connection.execute(sa.text("UPDATE screening_rounds SET notes = :notes WHERE id = :id"),
                               {"notes": "\n".join(lines), "id": kept.id})


def upgrade():
    _merge_duplicates(op.get_bind())
    with op.batch_alter_table('screening_rounds', schema=None) as batch_op:
        for level, (name, unit) in INDEXES.items():
            where = sa.text(f"level = '{level}'")
            batch_op.create_index(name, [unit, 'period_start'], unique=True, sqlite_where=where,
                                  postgresql_where=where)


def downgrade():
    with op.batch_alter_table('screening_rounds', schema=None) as batch_op:
        for name, _unit in INDEXES.values():
            batch_op.drop_index(name)
