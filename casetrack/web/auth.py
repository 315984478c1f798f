"""Login, logout (everywhere) and language choice."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from casetrack.clock import now_utc
from casetrack.extensions import db
from casetrack.forms.auth import LoginForm
from casetrack.i18n import domain_message
from casetrack.services import accounts
from casetrack.services.login_throttle import AccountLocked, LoginSlowed, ThrottlePolicy

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.dashboard")


def _on_a_phone() -> bool:
    """Tell whether the browser says it is a phone (the "Mobi" every mobile browser's User-Agent holds)."""
    return "Mobi" in (request.headers.get("User-Agent") or "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username, address = form.username.data.strip(), request.remote_addr or ""
        try:
            accounts.admit_login(username, address, now_utc(), ThrottlePolicy.from_config(current_app.config))
        except (AccountLocked, LoginSlowed) as refused:
            db.session.commit()
            form.form_errors.append(domain_message(refused))
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # the attempt is counted before the (slow) password check, and no lock is held over it
        user = accounts.authenticate(username, form.password.data, address)
        db.session.commit()
        if user is not None:
            locale = session.get("locale")
            session.clear()  # a fresh session on login: no fixation
            if locale in current_app.config["LANGUAGES"] and accounts.choose_language(user, locale):
                db.session.commit()  # chosen on the login page: theirs from now on, for messages too
            if user.locale in current_app.config["LANGUAGES"]:
                session["locale"] = user.locale  # the language they chose, on this device or another
            login_user(user)
            if not request.args.get("next") and _on_a_phone():
                return redirect(url_for("inbox.index"))  # on a phone, the first page is what waits on them
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(_("用户名或密码不正确。"))
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/alive")
def alive():
    """Tell the page's script whether its session still holds, with a CSRF token for its next post.

    A form typed for longer than the idle sign-out is not lost: the script asks here before posting and,
    when the session ended, signs in on the page and then posts what was typed (static/app.js).
    """
    response = jsonify(user=current_user.id if current_user.is_authenticated else None, csrf=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    """Sign out: every session of the account ends, on this device and every other."""
    if request.method == "GET":  # logging out changes state, so it takes a POST with its CSRF token
        return render_template("auth/logout.html")
    accounts.end_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language():
    code = request.form.get("locale")
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated and accounts.choose_language(current_user._get_current_object(), code):
            db.session.commit()  # kept on the account: the next sign-in and the messages sent to them
    return redirect(_safe_next(request.form.get("next")))
