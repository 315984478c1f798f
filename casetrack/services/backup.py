"""Consistent copies of the SQLite database while the app serves, and putting one back after checking it."""

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from casetrack.domain.errors import DomainError


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
        source.backup(destination, pages=1024)  # in steps, so writers are held up only briefly
        pages = destination.execute("PRAGMA page_count").fetchone()[0]
        destination.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        destination.close()
        source.close()
    check(partial)
    partial.replace(target)
    return pages


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


def restore(database_uri: str, source: Path) -> str:
    """Put a checked backup back in place of the live database; return its schema revision."""
    revision = check(source)
    target_path = sqlite_path(database_uri)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    backup_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target_path, timeout=30)
    try:
        backup_connection.backup(live)
    finally:
        live.close()
        backup_connection.close()
    return revision
