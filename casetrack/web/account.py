"""The signed-in user's own account: change the password, and choose one's own after an admin's reset."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.forms.auth import ChangePasswordForm
from casetrack.i18n import domain_message
from casetrack.services import accounts

bp = Blueprint("account", __name__, url_prefix="/account")

# What a user who must first choose a password may still reach: the form itself, signing out, the language.
_OPEN_WHILE_CHANGING = {"account.password", "auth.logout", "auth.language", "auth.login", "static"}


@bp.before_app_request
def _must_change_password_first():
    """After an admin's reset, every page leads to the change form until the user has chosen their own."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _OPEN_WHILE_CHANGING):
        return redirect(url_for("account.password"))
    return None


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password: the current one, then the new one twice."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_own_password(user, form.current.data, form.password.data)
        except accounts.WrongCurrentPassword as refused:
            db.session.rollback()
            form.current.errors.append(domain_message(refused).rstrip("。."))
        except DomainError as refused:
            db.session.rollback()
            form.password.errors.append(domain_message(refused).rstrip("。."))
        else:
            db.session.commit()
            login_user(user)  # the new session generation: other devices are signed out, this one stays
            flash(_("密码已修改。其他设备上的登录已退出。"), "success")
            return redirect(url_for("main.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template("account/password.html", form=form, forced=current_user.must_change_password), status
