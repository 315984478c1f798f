"""The inbox (待办): each line one thing to do, with its limit and a link; a leader rules on extensions here."""

import time

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from casetrack import clock, permissions
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.inbox import ExtensionRulingForm
from casetrack.i18n import domain_message
from casetrack.models import Petition
from casetrack.services import inbox as inbox_service
from casetrack.services import notifications
from casetrack.services import petitions as petition_services

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

COUNT_KEPT_SECONDS = 60
"""The navigation's count is kept this long in the session; the inbox page itself is always counted afresh."""


@bp.app_template_global("inbox_count")
def navigation_count() -> int | None:
    """Return the count the navigation shows beside 待办, recounted at most once a minute."""
    if not current_user.is_authenticated:
        return None
    kept = session.get("inbox_count")
    now = int(time.time())
    if kept and kept[0] == current_user.id and now - kept[2] < COUNT_KEPT_SECONDS:
        return kept[1]
    try:
        count = inbox_service.inbox_for(current_user, clock.today(), clock.now_utc()).count
    except SQLAlchemyError:  # an error page on a failing database must still render: no count then
        db.session.rollback()
        return None
    session["inbox_count"] = [current_user.id, count, now]
    return count


@bp.route("")
@login_required
def index():
    """List what waits on the signed-in user now."""
    inbox = inbox_service.inbox_for(current_user, clock.today(), clock.now_utc())
    session["inbox_count"] = [current_user.id, inbox.count, int(time.time())]
    return render_template("inbox/index.html", inbox=inbox, kinds=inbox_service.KINDS,
                           ruling=ExtensionRulingForm(formdata=None),
                           messages=notifications.recent_in_app(current_user, clock.now_utc()))


@bp.route("/extension/<int:petition_id>", methods=["POST"])
@login_required
def rule_extension(petition_id: int):
    """Approve or refuse a petition's extension request from its inbox line, with a note."""
    petition = db.session.get(Petition, petition_id)  # the reach hook hides another township's petition
    if petition is None:
        abort(404)
    if not permissions.can_approve_extension(current_user, petition):
        abort(403)
    form = ExtensionRulingForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(f"{petition.number}:{error}", "error")
        return redirect(url_for("inbox.index")), 302
    try:
        if form.decision.data == "approve":
            if not petition.extension_requested_days:
                raise DomainError("没有待审批的延期申请。")
            reason = petition.extension_requested_reason or ""
            if form.note.data.strip():
                reason = f"{reason}(领导意见:{form.note.data.strip()})"
            petition_services.extend(petition, current_user, petition.extension_requested_days, reason,
                                     clock.today(), clock.today())
            message = _("已批准%(number)s的延期申请。", number=petition.number)
        else:
            if not form.note.data.strip():
                flash(_("%(number)s:不批准时请填写理由。", number=petition.number), "error")
                return redirect(url_for("inbox.index")), 302
            petition_services.decline_extension(petition, current_user, form.note.data)
            message = _("已不批准%(number)s的延期申请。", number=petition.number)
    except DomainError as refused:
        db.session.rollback()
        flash(f"{petition.number}:{domain_message(refused)}", "error")
        return redirect(url_for("inbox.index")), 302
    db.session.commit()
    session.pop("inbox_count", None)
    flash(message, "success")
    return redirect(url_for("inbox.index"))
