"""Admin page of API tokens: list them (never the token itself: only its first characters) and revoke one."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from casetrack import permissions
from casetrack.extensions import db, login_manager
from casetrack.forms.admin import ConfirmForm
from casetrack.models import ApiToken, User
from casetrack.services import api_tokens

bp = Blueprint("tokens_admin", __name__, url_prefix="/admin/tokens")


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not permissions.can_administer(current_user):
        abort(403)
    return None


def _managed_user_ids() -> list[int] | None:
    """The accounts whose tokens this admin manages: all (a county-wide admin) or their township's."""
    if current_user.township_id is None:
        return None
    return list(db.session.execute(select(User.id).where(User.township_id == current_user.township_id)).scalars())


@bp.route("")
def index():
    """Every token of the accounts the admin manages, newest first, with its state."""
    from casetrack.clock import now_utc

    return render_template("admin/tokens.html", tokens=api_tokens.tokens_of(_managed_user_ids()), now=now_utc(),
                           button=ConfirmForm(formdata=None))


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke(token_id: int):
    """Revoke a token at once: its next request is answered 401."""
    row = db.session.get(ApiToken, token_id)
    managed = _managed_user_ids()
    if row is None or (managed is not None and row.user_id not in managed):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(row)
    db.session.commit()
    flash(_("已撤销令牌 #%(n)s。", n=row.id), "success")
    return redirect(url_for("tokens_admin.index"))
