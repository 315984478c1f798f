"""Files attached to a case: the type read from the content, stored outside static, one timeline entry each."""

import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO

from casetrack import permissions
from casetrack.domain import workflow as wf
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.models import Attachment, Dispute, User
from casetrack.models.attachments import ATTACHMENT_KINDS, PERSONAL_KINDS
from casetrack.private_files import private_open
from casetrack.services.timeline import record_event

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_KNOWN_EXTENSIONS = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
_CHUNK = 64 * 1024
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


class AttachmentRefused(DomainError):
    """An upload that cannot be stored; status is the HTTP answer that fits."""

    status = 400


class AttachmentTooLarge(AttachmentRefused):
    status = 413


def sniff_content_type(head: bytes) -> str | None:
    """Name the file's type from its first bytes (PDF, JPEG or PNG), whatever its name says; None otherwise."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "image/png"
    return None


def clean_filename(name: str | None, content_type: str) -> str:
    """Keep the name the user gave, without any path or control characters, ending as its real type does."""
    base = _UNSAFE_IN_NAME.sub("", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "附件"
    stem, dot, extension = base.rpartition(".")
    known = _KNOWN_EXTENSIONS.get(f".{extension.lower()}") if dot and stem else None
    if known == content_type:
        return f"{stem[:190]}.{extension}"
    return (stem if known else base)[:190] + EXTENSIONS[content_type]


def can_upload(user: User, dispute: Dispute) -> bool:
    """Those who act on a case may attach files to it until it is archived (归档: the file is closed)."""
    return permissions.can_act(user, dispute, "attach") and dispute.status != wf.DisputeState.ARCHIVED.value


def store_attachment(
    dispute: Dispute, actor: User, stream: BinaryIO, filename: str | None, kind: str, description: str | None,
    folder: Path, max_bytes: int = DEFAULT_MAX_BYTES,
) -> Attachment:
    """Check and store an uploaded file under a random key, record its SHA-256 and a timeline entry; flushes.

    The caller commits, and on failure calls discard() so no file is left without its row.
    """
    if kind not in ATTACHMENT_KINDS:
        raise AttachmentRefused("请选择附件类别。")
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(20)
    partial = folder / f"{key}.part"
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with private_open(partial) as out:  # ID scans and agreements: readable by the app's account alone
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentTooLarge("文件超过 %(megabytes)s MB,不能上传。", megabytes=max_bytes // (1024 * 1024))
                if len(head) < 16:
                    head += chunk[:16]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentRefused("文件是空的。")
        content_type = sniff_content_type(head)
        if content_type is None:
            raise AttachmentRefused("只能上传 PDF、JPEG 或 PNG 文件(按文件内容判断,而不是文件名)。")
        os.replace(partial, folder / key)
    finally:
        partial.unlink(missing_ok=True)
    item = Attachment(
        kind=kind, filename=clean_filename(filename, content_type), content_type=content_type, size=size,
        sha256=digest.hexdigest(), storage_key=key, description=(description or "").strip()[:200] or None,
        uploaded_by_id=actor.id,
    )
    dispute.attachments.append(item)
    db.session.flush()
    record_event(dispute, actor, "attachment", {"filename": item.filename, "attachment_kind": kind,
                                                "attachment_id": item.id})
    return item


def can_open(user: User, dispute: Dispute, item: Attachment) -> bool:
    """A personal document (ID scan, signed agreement) follows the masking rule: whoever sees the case's ID numbers
    masked may not open it; other files, anyone who may see the case."""
    return item.kind not in PERSONAL_KINDS or permissions.sees_personal_data(user, dispute)


def attachment_folder(app) -> Path:
    """Return the folder an app keeps attachments in: ATTACHMENT_FOLDER, else instance/attachments."""
    return Path(app.config.get("ATTACHMENT_FOLDER") or Path(app.instance_path) / "attachments")


def stored_path(folder: Path, item: Attachment) -> Path:
    """Return where an attachment's bytes are kept."""
    return folder / item.storage_key


def discard(folder: Path, item: Attachment) -> None:
    """Remove a stored file whose row was not committed."""
    stored_path(folder, item).unlink(missing_ok=True)
