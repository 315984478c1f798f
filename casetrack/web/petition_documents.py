"""Petition documents (信访文书): print views and DOCX of the notices and the handling opinion."""

from io import BytesIO

from flask import Blueprint, abort, current_app, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required

from casetrack.documents import petition_notices, word
from casetrack.models import Petition
from casetrack.web.petitions import load_petition

bp = Blueprint("petition_documents", __name__, url_prefix="/petitions")

KIND = "<any(" + ", ".join(f"'{kind}'" for kind in petition_notices.KINDS) + "):kind>"


def _document(petition: Petition, kind: str):
    document = petition_notices.build(petition, kind)
    if document is None:
        abort(404)  # the record does not allow this document (yet)
    return document


def _private(response):
    response.headers["Cache-Control"] = "no-store"  # documents carry petitioners' names
    return response


@bp.route(f"/<int:petition_id>/documents/{KIND}")
@login_required
def show(petition_id: int, kind: str):
    """Show a petition document as a print view: A4, no navigation."""
    petition = load_petition(petition_id)
    document = _document(petition, kind)
    docx_url = url_for("petition_documents.docx", petition_id=petition.id, kind=kind)
    return _private(current_app.make_response(render_template(
        "documents/document.html", case=petition, documents=[document], title=document.title, docx_url=docx_url,
        back_url=url_for("petitions.detail", petition_id=petition.id, _anchor="documents"), back_label=_("返回信访事项"),
    )))


@bp.route(f"/<int:petition_id>/documents/{KIND}.docx")
@login_required
def docx(petition_id: int, kind: str):
    """Download a petition document as DOCX."""
    petition = load_petition(petition_id)
    document = _document(petition, kind)
    return _private(send_file(
        BytesIO(word.render([document])), mimetype=word.DOCX_MIMETYPE, as_attachment=True,
        download_name=f"{petition.number}{document.title}.docx", max_age=0,
    ))


@bp.app_template_global()
def petition_documents_for(petition: Petition) -> list[dict]:
    """List the documents the petition's record allows now, with their print and DOCX links."""
    return [{
        "label": _(petition_notices.TITLES[kind]),
        "url": url_for("petition_documents.show", petition_id=petition.id, kind=kind),
        "docx_url": url_for("petition_documents.docx", petition_id=petition.id, kind=kind),
    } for kind in petition_notices.available(petition)]
