"""Consistent copies of the SQLite database while the app serves, and putting one back after checking it.

A backup is one tar archive (backup_archive): manifest.json, the database copy casetrack.sqlite, and the
attachments the copy refers to under attachments/<key>, each with its size and SHA-256 in the manifest.
restore() checks every file of the archive against the manifest (and the database's integrity) before it
touches anything, then puts the attachments back and the database. It still takes the plain .sqlite files
earlier versions wrote, which hold no attachments and leave the attachment folder as it is.
"""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from casetrack.domain.errors import DomainError
from casetrack.private_files import make_private, private_open

FORMAT = "casetrack-backup"
VERSION = 1
MANIFEST, DATABASE, ATTACHMENTS = "manifest.json", "casetrack.sqlite", "attachments/"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}$")  # storage keys are token_hex(20); nothing that could name a path
_CHUNK = 1 << 20


def sqlite_path(database_uri: str) -> Path:
    """Return the SQLite file behind the app's database URL, or refuse for other databases."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise DomainError(
            "备份命令只适用于 SQLite 数据库。PostgreSQL 请用 pg_dump,例如:"
            "pg_dump -Fc casetrack > casetrack-$(date +%F).dump"
        )
    return Path(url.database)


def backup(database_uri: str, target: Path) -> int:
    """Copy the live database into target with SQLite's online backup API; return the pages copied."""
    source_path = sqlite_path(database_uri)
    if not source_path.exists():
        raise DomainError("数据库文件不存在:%(path)s", path=source_path)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    destination = sqlite3.connect(partial)
    try:
        # In one step: a stepped copy starts over whenever another connection commits between steps, so on a
        # busy app it may never finish. Under WAL one step reads a single snapshot and writers go on meanwhile.
        source.backup(destination, pages=-1)
        pages = destination.execute("PRAGMA page_count").fetchone()[0]
        destination.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        destination.close()
        source.close()
    check(partial)
    make_private(partial)
    partial.replace(target)
    return pages


@dataclass
class BackupSummary:
    """What a backup archive holds."""

    pages: int
    attachments: int
    missing: list[str] = field(default_factory=list)  # attachments the database lists whose file is gone
    database: bool = True  # False on PostgreSQL: pg_dump backs the database up


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": _sha256(path)}


def backup_archive(database_uri: str, attachment_folder: Path, target: Path) -> BackupSummary:
    """Write one archive holding a consistent copy of the database and the attachments it refers to (0600).

    On PostgreSQL, whose database pg_dump keeps, the archive holds the attachments the live database names.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".casetrack-backup-") as work:
        copy, pages = None, 0
        if make_url(database_uri).get_backend_name() == "sqlite":
            copy = Path(work) / DATABASE
            pages = backup(database_uri, copy)  # the attachments a committed row names were stored before it
            connection = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
            try:
                keys = [row[0] for row in connection.execute("SELECT storage_key FROM attachments ORDER BY id")]
                revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            finally:
                connection.close()
        else:
            keys, revision = _live_attachment_keys()
        files, missing = {}, []
        for key in keys:
            path = Path(attachment_folder) / key
            if _KEY.match(key) and path.is_file():
                files[key] = path
            else:
                missing.append(key)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "revision": revision, "database": _entry(copy) if copy else None,
            "attachments": {key: _entry(path) for key, path in files.items()}, "missing": missing,
        }
        partial = target.with_name(target.name + ".partial")
        with private_open(partial) as stream, tarfile.open(fileobj=stream, mode="w") as archive:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(body), 0o600
            archive.addfile(info, io.BytesIO(body))
            if copy:
                archive.add(copy, DATABASE, recursive=False, filter=_private_member)
            for key, path in files.items():
                archive.add(path, ATTACHMENTS + key, recursive=False, filter=_private_member)
        partial.replace(target)
    return BackupSummary(pages, len(files), missing, database=copy is not None)


def _live_attachment_keys() -> tuple[list[str], str]:
    """Return the storage keys of the live database's attachments and its schema revision (PostgreSQL)."""
    from sqlalchemy import select, text

    from casetrack.extensions import db
    from casetrack.models import Attachment

    try:
        keys = list(db.session.execute(select(Attachment.storage_key).order_by(Attachment.id)).scalars())
        return keys, db.session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        db.session.rollback()


def _private_member(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def is_archive(path: Path) -> bool:
    """Tell a backup archive from a plain SQLite backup (as earlier versions wrote)."""
    with open(path, "rb") as stream:
        if stream.read(16) == b"SQLite format 3\x00":
            return False
    return tarfile.is_tarfile(path)


@dataclass
class CheckedBackup:
    """A backup whose files all matched their manifest, unpacked in a private working folder."""

    revision: str
    database: Path | None  # None: an archive of attachments alone (taken on PostgreSQL)
    attachments: dict[str, Path]


def _refuse_archive(reason: str) -> DomainError:
    return DomainError("备份文件不完整或已被改动:%(reason)s", reason=reason)


def _unpack(archive: tarfile.TarFile, work: Path) -> CheckedBackup:
    member = archive.getmember(MANIFEST) if MANIFEST in archive.getnames() else None
    if member is None or not member.isfile() or member.size > 50 * _CHUNK:
        raise _refuse_archive(MANIFEST)
    try:
        manifest = json.loads(archive.extractfile(member).read())
        expected = {ATTACHMENTS + key: entry for key, entry in manifest["attachments"].items()}
        if manifest["database"] is not None:
            expected[DATABASE] = manifest["database"]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _refuse_archive(MANIFEST) from None
    if manifest.get("format") != FORMAT:
        raise DomainError("该文件不是本系统的数据库备份。")
    found: dict[str, Path] = {}
    for item in archive.getmembers():
        if item.name == MANIFEST:
            continue
        entry = expected.get(item.name)
        key = item.name.removeprefix(ATTACHMENTS)
        if entry is None or not item.isfile() or (item.name != DATABASE and not _KEY.match(key)):
            raise _refuse_archive(item.name)  # only the files the manifest lists, by names that are no paths
        if item.name in found or item.size != entry.get("size"):
            raise _refuse_archive(item.name)
        path = work / ("database.sqlite" if item.name == DATABASE else f"attachment-{key}")
        digest = hashlib.sha256()
        with archive.extractfile(item) as source, private_open(path) as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != entry.get("sha256"):
            raise _refuse_archive(item.name)
        found[item.name] = path
    absent = sorted(set(expected) - set(found))
    if absent:
        raise _refuse_archive(absent[0])
    revision = check(found[DATABASE]) if DATABASE in found else str(manifest.get("revision"))
    attachments = {name.removeprefix(ATTACHMENTS): path for name, path in found.items() if name != DATABASE}
    return CheckedBackup(revision, found.get(DATABASE), attachments)


@contextmanager
def checked(source: Path, work_folder: Path | None = None):
    """Check a backup (archive or plain SQLite file) and yield it as a CheckedBackup; refuse a bad one."""
    source = Path(source)
    if not source.exists():
        raise DomainError("备份文件不存在:%(path)s", path=source)
    if not is_archive(source):
        yield CheckedBackup(check(source), source, {})
        return
    if work_folder is not None:
        Path(work_folder).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work_folder, prefix=".casetrack-restore-") as work:
        try:
            with tarfile.open(source, mode="r:") as archive:
                unpacked = _unpack(archive, Path(work))
        except (tarfile.TarError, OSError, EOFError) as broken:
            raise DomainError("无法读取备份文件:%(error)s", error=broken) from broken
        yield unpacked


def check(path: Path) -> str:
    """Check a backup file: SQLite integrity and a casetrack schema; return its schema revision."""
    path = Path(path)
    if not path.exists():
        raise DomainError("备份文件不存在:%(path)s", path=path)
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise DomainError("备份文件已损坏:%(result)s", result=result)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"alembic_version", "disputes", "case_events", "users"} <= tables:
                raise DomainError("该文件不是本系统的数据库备份。")
            return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as broken:
        raise DomainError("无法读取备份文件:%(error)s", error=broken) from broken


def restore(database_uri: str, source: Path, attachment_folder: Path | None = None) -> str:
    """Check a backup and put it back in place of the live database (and its attachments, from an archive);
    return its schema revision. Nothing is changed unless every file of the backup checks out."""
    work = Path(attachment_folder).parent if attachment_folder is not None else None
    with checked(source, work) as backup_:
        return put_back(database_uri, backup_, attachment_folder)


def put_back(database_uri: str, backup_: CheckedBackup, attachment_folder: Path | None) -> str:
    """Put a checked backup's attachments, then its database (if it holds one), in place; return its revision."""
    target_path = sqlite_path(database_uri) if backup_.database is not None else None
    if backup_.attachments and attachment_folder is None:
        raise DomainError("备份中有附件,请指定附件目录。")
    _put_back_attachments(backup_.attachments, attachment_folder)
    if target_path is None:  # attachments alone: pg_restore puts a PostgreSQL database back
        return backup_.revision
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup_connection = sqlite3.connect(f"file:{backup_.database}?mode=ro", uri=True)
    live = sqlite3.connect(target_path, timeout=30)
    try:
        backup_connection.backup(live)
    finally:
        live.close()
        backup_connection.close()
    make_private(target_path)
    return backup_.revision


def _put_back_attachments(files: dict[str, Path], folder: Path | None) -> None:
    """Put each checked attachment back under its key (0600); files the backup does not name stay as they are."""
    if not files:
        return
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for key, path in files.items():
        partial = folder / f"{key}.restoring"
        with open(path, "rb") as source, private_open(partial) as out:
            shutil.copyfileobj(source, out, _CHUNK)
        os.replace(partial, folder / key)
