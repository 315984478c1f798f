"""Backup and restore carry the attachments: one archive with a manifest of checksums, checked on restore;
an old plain .sqlite backup still restores. On PostgreSQL (pg_dump keeps the database) the archive holds the
attachments alone, and restoring it puts them back."""

import hashlib
import io
import os
import stat
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casetrack.documents import attachments
from casetrack.extensions import db
from casetrack.models import Attachment, Dispute
from casetrack.services import backup
from tests.documents.conftest import pdf_bytes, png_bytes
from tests.factories import make_dispute


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("a plain SQLite backup; PostgreSQL is backed up with pg_dump (test_backup.py)")


def _attach(app, case, actor, content: bytes, name: str) -> Attachment:
    item = attachments.store_attachment(case, actor, io.BytesIO(content), name, "evidence", None,
                                        attachments.attachment_folder(app))
    db.session.commit()
    return item


def _files(app) -> dict[str, bytes]:
    folder = attachments.attachment_folder(app)
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_a_restored_backup_brings_back_the_cases_files_identical(app, runner, world, tmp_path, database_url):
    on_sqlite = database_url.startswith("sqlite")
    case = make_dispute(world.staff, world.village, state="mediating")
    scan, photo = pdf_bytes(), png_bytes()
    first, second = _attach(app, case, world.staff, scan, "协议.pdf"), _attach(app, case, world.staff, photo, "现场.png")
    keys = {first.storage_key: scan, second.storage_key: photo}
    archive = tmp_path / "backups" / "casetrack.tar"

    result = runner.invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0 and "附件 2 个" in result.output, result.output
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600
    with tarfile.open(archive) as tar:
        database = ["casetrack.sqlite"] if on_sqlite else []  # PostgreSQL: pg_dump keeps the database
        assert sorted(tar.getnames()) == sorted(["manifest.json", *database, *(f"attachments/{key}" for key in keys)])

    # after the backup: one file lost, one altered, and a case registered
    folder = attachments.attachment_folder(app)
    (folder / first.storage_key).unlink()
    (folder / second.storage_key).write_bytes(b"\x89PNG altered")
    make_dispute(world.staff, world.village, applicant="备份后登记")
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 2

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    restored = {item.storage_key: item.sha256 for item in db.session.execute(select(Attachment)).scalars()}
    assert restored == {key: hashlib.sha256(content).hexdigest() for key, content in keys.items()}
    assert {key: data for key, data in _files(app).items() if key in keys} == keys
    assert all(stat.S_IMODE(os.stat(folder / key).st_mode) == 0o600 for key in keys)
    # the database as it was at the backup on SQLite; on PostgreSQL it is pg_restore's to put back
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == (1 if on_sqlite else 2)


def _tamper(archive: Path, target: Path, change) -> Path:
    with tarfile.open(archive) as old, tarfile.open(target, "w") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            data, member = change(member, data)
            if member is not None:
                member.size = len(data)
                new.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.parametrize("change", [
    lambda m, d: (d[:-1] + bytes([d[-1] ^ 1]), m) if m.name.startswith("attachments/") else (d, m),  # a bit flipped
    lambda m, d: (d, None if m.name.startswith("attachments/") else m),  # a file left out
    lambda m, d: (d, _renamed(m, "../" + m.name) if m.name.startswith("attachments/") else m),  # a path outside
], ids=["altered", "missing", "escaping"])
def test_a_tampered_archive_is_refused_and_changes_nothing(app, runner, world, tmp_path, change):
    case = make_dispute(world.staff, world.village, state="mediating")
    key = _attach(app, case, world.staff, pdf_bytes(), "协议.pdf").storage_key
    archive = tmp_path / "casetrack.tar"
    assert runner.invoke(args=["backup", "-o", str(archive)]).exit_code == 0
    bad = _tamper(archive, tmp_path / "bad.tar", change)
    make_dispute(world.staff, world.village, applicant="备份后登记")
    (attachments.attachment_folder(app) / key).write_bytes(b"%PDF-1.4 later version")

    result = runner.invoke(args=["restore", str(bad), "--yes"])
    assert result.exit_code != 0 and "备份文件不完整或已被改动" in result.output, result.output
    db.session.remove()
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 2
    assert _files(app)[key] == b"%PDF-1.4 later version"
    assert not (tmp_path.parent / key).exists()


def _renamed(member: tarfile.TarInfo, name: str) -> tarfile.TarInfo:
    member.name = name
    return member


@pytest.mark.usefixtures("sqlite_only")
def test_an_old_plain_sqlite_backup_still_restores(app, runner, world, database_url, tmp_path):
    make_dispute(world.staff, world.village)
    plain = tmp_path / "old.sqlite"
    backup.backup(database_url, plain)  # what the backup command wrote before archives
    make_dispute(world.staff, world.village, applicant="备份后登记")
    result = runner.invoke(args=["restore", str(plain), "--yes"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.execute(select(func.count()).select_from(Dispute)).scalar_one() == 1
