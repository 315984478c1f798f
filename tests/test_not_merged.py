""""Not merged" is one expression of the model (Dispute.not_merged), in queries and on a loaded case."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from casetrack.extensions import db
from casetrack.models import Dispute
from casetrack.services import review
from tests.factories import make_dispute

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
PACKAGE = Path(__file__).parents[1] / "casetrack"


def test_a_merged_duplicate_is_left_out_by_the_models_one_expression(world):
    original = make_dispute(world.staff, world.village)
    duplicate = make_dispute(world.staff, world.village)
    review.merge(duplicate, original, world.staff)
    db.session.commit()
    shown = db.session.execute(select(Dispute.id).where(Dispute.not_merged, Dispute.id.in_(
        [original.id, duplicate.id]))).scalars().all()
    assert shown == [original.id]
    assert original.not_merged and not duplicate.not_merged


def test_no_module_writes_not_merged_out_again():
    copies = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
              if re.search(r"merged_into_id\.is_\(None\)", path.read_text(encoding="utf-8"))]
    assert set(copies) == {"models/cases.py"}
