"""A world with a record of every kind in three places, a database fingerprint, and the role accounts.

The places are the mediator's own village (斜沟村), another village of the same township (王家庄村) and a
village of another township (东岭村). Each holds a dispute being mediated with an attachment, a petition in
progress, a village screening round with a finding, a natural village and a saved view of its mediator.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from flask import current_app
from sqlalchemy import select, text

from casetrack import clock
from casetrack.documents import attachments
from casetrack.extensions import db
from casetrack.models import LedgerImport, RiskWarning, Role, SavedView, User
from casetrack.services import accounts, places, supervision
from casetrack.services import screening as screening_services
from tests.conftest import PASSWORD, World, login
from tests.factories import make_dispute
from tests.petition_factories import make_petition

PLACES = ("own", "other", "far")
ROLES = ("anonymous", "mediator", "staff", "leader", "admin", "county_admin")
USERNAMES = {"mediator": "mediator1", "staff": "staff", "leader": "leader", "admin": "townadmin",
             "county_admin": "admin"}
"""The account of each role: a township admin (乡镇管理员) and the county admin (县级管理员, no township)."""


def png_bytes() -> bytes:
    """A minimal real PNG (1×1 grey)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


@dataclass
class Place:
    """The records of one place, by the URL argument names that reach them."""

    township: object
    village: object
    actor: User
    mediator: User
    args: dict = field(default_factory=dict)


@dataclass
class RichWorld:
    base: World
    townadmin: User
    places: dict[str, Place]

    def arg(self, place: str, name: str):
        return self.places[place].args[name]


def rich_world(world: World) -> RichWorld:
    """Add to the conftest world a township admin and the records of every kind in each of the three places."""
    townadmin = accounts.add_user("townadmin", PASSWORD, Role.ADMIN, township=world.township)
    places.add_natural_village(world.far_village, "东岭上庄")
    db.session.commit()
    folder = Path(current_app.config.get("ATTACHMENT_FOLDER") or Path(current_app.instance_path) / "attachments")
    today = clock.today()
    made = {}
    for place, village, actor, mediator in (
        ("own", world.village, world.staff, world.mediator),
        ("other", world.other_village, world.staff, world.other_mediator),
        ("far", world.far_village, world.far_staff, world.far_mediator),
    ):
        township = village.township
        dispute = make_dispute(actor, village, state="mediating", registered_on=today - timedelta(days=10))
        item = attachments.store_attachment(dispute, actor, BytesIO(png_bytes()), "现场照片.png", "evidence", None,
                                            folder)
        petition = make_petition(actor, township, state="in_progress", village=village,
                                 received_on=today - timedelta(days=10))
        round_ = screening_services.record_round(
            actor, township, "village", village.id, today - timedelta(days=1), "刘明、王调解",
            [screening_services.FindingData("两户因宅基地边界争执", True)], today,
        )
        view = SavedView(user_id=mediator.id, name="我的待办", query="tab=all")
        db.session.add(view)
        # an early warning (预警) in each place, raised as this commits; a flag no POST of the matrix clears
        supervision.record_prevention(dispute, actor, 2, 0)
        db.session.commit()
        warning = db.session.execute(select(RiskWarning).where(RiskWarning.subject == f"case:{dispute.id}")).scalar_one()
        ledger_import = LedgerImport(  # a ledger import with a notice, waiting on the township staff's inbox
            township_id=township.id, user_id=actor.id, source="web", filename=f"{village.name}台账.xlsx",
            imported_at=clock.now_utc(), attention=1,
            notices=[{"template": "工作表“%(sheet)s”中没有台账表头,已跳过。", "params": {"sheet": "说明"},
                      "attention": True}])
        db.session.add(ledger_import)
        db.session.commit()
        natural = village.natural_villages[0]
        made[place] = Place(township, village, actor, mediator, {
            "case_id": dispute.id, "attachment_id": item.id, "petition_id": petition.id, "round_id": round_.id,
            "finding_id": round_.findings[0].id, "view_id": view.id, "township_id": township.id,
            "warning_id": warning.id, "import_id": ledger_import.id,
            "village_id": village.id, "natural_id": natural.id, "user_id": mediator.id,
            "dispute_type_id": places.dispute_types(township.id)[0].id,
            "petition_category_id": places.petition_categories(township.id)[0].id,
        })
    return RichWorld(world, townadmin, made)


def client_as(app, role: str):
    """A fresh client, logged in as the role's account (anonymous: not logged in)."""
    client = app.test_client()
    if role != "anonymous":
        response = login(client, USERNAMES[role])
        assert response.status_code == 302, f"{role} could not log in"
    return client


def fingerprint(include_files: bool = True) -> str:
    """A digest of every row of every table and of every file in the instance folder: any write changes it.

    It reads through a raw connection of its own (what is committed), as SQLAlchemy's per-row work would
    make a check after every request slow.
    """
    db.session.rollback()
    digest = hashlib.sha256()
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for table in db.metadata.sorted_tables:
            cursor.execute(f"SELECT * FROM {table.name}")
            digest.update(table.name.encode())
            digest.update(repr(sorted(map(repr, cursor.fetchall()))).encode())
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    root = Path(current_app.instance_path)
    for path in sorted(root.rglob("*")) if include_files else ():
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def count_rows(table_name: str) -> int:
    db.session.rollback()
    return db.session.execute(text(f"SELECT count(*) FROM {table_name}")).scalar_one()
