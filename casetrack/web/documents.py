"""The case file (卷宗): print views and DOCX of a case's documents, and its attachments."""

from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from casetrack import permissions
from casetrack.documents import attachments, kinds, word
from casetrack.documents.case_file import build_case_file, build_document
from casetrack.documents.content import Document
from casetrack.extensions import db
from casetrack.forms.documents import AttachmentForm
from casetrack.i18n import domain_message
from casetrack.models import Attachment, Dispute
from casetrack.models.attachments import ATTACHMENT_KINDS
from casetrack.web.cases import load_case

bp = Blueprint("documents", __name__, url_prefix="/cases")

CASE_FILE = "case-file"
KIND = "<any(" + ", ".join(f"'{kind}'" for kind in (*kinds.KINDS, CASE_FILE)) + "):kind>"


def _documents(case: Dispute, kind: str) -> list[Document]:
    """Build what was asked for, or answer 404 when the case's state does not allow it."""
    show_personal = permissions.sees_personal_data(current_user, case)
    if kind == CASE_FILE:
        return build_case_file(case, show_personal).all
    n = request.args.get("n", 1, type=int) if kind == "session" else None
    document = build_document(case, kind, show_personal, n)
    if document is None:
        abort(404)
    return [document]


def _private(response):
    response.headers["Cache-Control"] = "no-store"  # documents carry personal data
    return response


@bp.route(f"/<int:case_id>/documents/{KIND}")
@login_required
def show(case_id: int, kind: str):
    """Show a document (or the whole file) as a print view: A4, no navigation."""
    case = load_case(case_id)
    documents = _documents(case, kind)
    title = "卷宗" if kind == CASE_FILE else documents[0].title
    docx_url = url_for("documents.docx", case_id=case.id, kind=kind, **({"n": documents[0].n} if documents[0].n else {}))
    return _private(current_app.make_response(render_template(
        "documents/document.html", case=case, documents=documents, title=title, docx_url=docx_url,
    )))


@bp.route(f"/<int:case_id>/documents/{KIND}.docx")
@login_required
def docx(case_id: int, kind: str):
    """Download a document (or the whole file, case-file.docx) as DOCX."""
    case = load_case(case_id)
    documents = _documents(case, kind)
    first = documents[0]
    name = "卷宗" if kind == CASE_FILE else (f"{first.title}第{first.n}次" if first.n else first.title)
    return _private(send_file(
        BytesIO(word.render(documents)), mimetype=word.DOCX_MIMETYPE, as_attachment=True,
        download_name=f"{case.number}{name}.docx", max_age=0,
    ))


def _folder() -> Path:
    return attachments.attachment_folder(current_app)


def _max_bytes() -> int:
    return current_app.config.get("ATTACHMENT_MAX_BYTES", attachments.DEFAULT_MAX_BYTES)


def _upload_page(case: Dispute, form: AttachmentForm, status: int = 200):
    return render_template("documents/upload.html", case=case, form=form), status


@bp.route("/<int:case_id>/attachments/new")
@login_required
def new_attachment(case_id: int):
    """Show the upload form on its own page (the case page carries the same form)."""
    case = load_case(case_id)
    if not attachments.can_upload(current_user, case):
        abort(403)
    return _upload_page(case, AttachmentForm())


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@login_required
def upload(case_id: int):
    """Attach a PDF, JPEG or PNG to the case; a refused file comes back with the reason beside the field."""
    case = load_case(case_id)
    if not attachments.can_upload(current_user, case):
        abort(403)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _upload_page(case, form, 400)
    folder = _folder()
    try:
        item = attachments.store_attachment(
            case, current_user, form.file.data.stream, form.file.data.filename, form.kind.data,
            form.description.data, folder, _max_bytes(),
        )
    except attachments.AttachmentRefused as refused:
        db.session.rollback()
        form.file.errors = [*form.file.errors, domain_message(refused)]
        return _upload_page(case, form, refused.status)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        attachments.discard(folder, item)
        raise
    flash(_("已上传附件:%(name)s。", name=item.filename), "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="documents"))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def attachment(case_id: int, attachment_id: int):
    """Send an attachment to a user who may see its case; 404 for anyone else."""
    case = load_case(case_id)
    item = db.session.execute(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.dispute_id == case.id)
    ).scalar_one_or_none()
    path = attachments.stored_path(_folder(), item) if item is not None else None
    if path is None or not path.is_file():
        abort(404)
    if not attachments.can_open(current_user, case, item):
        abort(403)  # an ID scan to someone who sees IDs masked: the case is theirs to see, this file is not
    inline = item.content_type.startswith("image/") and request.args.get("download") != "1"
    response = send_file(path, mimetype=item.content_type, download_name=item.filename, max_age=0,
                         as_attachment=not inline)  # PDFs download: no browser plugin runs a stored file
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return _private(response)


@bp.app_template_global()
def documents_for(case: Dispute) -> list[dict]:
    """List the documents the case's state allows now, with their print and DOCX links, for the case page."""
    found = []
    for item in kinds.available(case):
        extra = {"n": item.n} if item.n else {}
        found.append({
            "label": _(item.title) + (_("(第%(n)s次)", n=item.n) if item.n else ""),
            "url": url_for("documents.show", case_id=case.id, kind=item.kind, **extra),
            "docx_url": url_for("documents.docx", case_id=case.id, kind=item.kind, **extra),
        })
    return found


@bp.app_template_global()
def can_upload_attachment(case: Dispute) -> bool:
    return current_user.is_authenticated and attachments.can_upload(current_user, case)


@bp.app_template_global()
def can_open_attachment(case: Dispute, item: Attachment) -> bool:
    return current_user.is_authenticated and attachments.can_open(current_user, case, item)


@bp.app_template_global()
def attachment_form() -> AttachmentForm:
    return AttachmentForm()


@bp.app_template_global()
def attachment_limit_mb() -> int:
    return _max_bytes() // (1024 * 1024)


@bp.app_template_global()
def attachment_kind_label(kind: str) -> str:
    return _(ATTACHMENT_KINDS[kind]) if kind in ATTACHMENT_KINDS else kind


@bp.app_template_filter("filesize")
def filesize(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"
