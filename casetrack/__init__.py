"""casetrack: township dispute mediation (矛盾纠纷) and petition (信访) tracker."""

import importlib
import os
import time
from pathlib import Path

from flask import Flask, flash, request, session
from flask_babel import gettext
from flask_login import current_user, logout_user
from sqlalchemy import bindparam, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import joinedload

from casetrack import catalogues, log_privacy
from casetrack.config import DefaultConfig, ensure_secret_key, load_environment, normalise_database_url
from casetrack.domain.errors import N_
from casetrack.extensions import babel, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI and error pages."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("CASETRACK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from casetrack.web.localised_templates import LocalisedEnvironment

    app.jinja_environment = LocalisedEnvironment  # templates compiled per language, before any extension asks for them
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    load_environment(app)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'casetrack.sqlite'}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file has no server to lose a connection to: no ping before each request's first statement.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(app.instance_path)

    if app.config.get("PROXY_FIX_X_FOR"):  # the login throttle counts per client address: see docs/security.md
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))
    _init_extensions(app)
    from casetrack.web import guards

    guards.install_converters(app)  # before the blueprints' rules are added
    guards.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    from casetrack.web import errors, templating

    errors.init_app(app)
    templating.init_app(app)
    log_privacy.install(app.logger.name)
    from casetrack.services import time_limits

    time_limits.init_app(app)
    from casetrack.services import warnings

    warnings.init_app(app)  # early warnings follow every write to the cases behind them
    return app


SQLITE_MMAP_BYTES = 1 << 30
SEEN_STEP_SECONDS = 60
"""How often a signed-in session's time last seen is renewed (its cookie signed again): once a minute."""


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Turn on foreign keys, WAL and a busy timeout for every SQLite connection."""
    if dbapi_connection.__class__.__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Read the file through a memory map: after another process commits, SQLite drops this connection's page
        # cache, and pages come back from the map without a read() each (docs/performance.md, the inbox).
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


def _select_locale():
    chosen = session.get("locale")
    if chosen in ("zh_Hans_CN", "en"):
        return chosen
    return "zh_Hans_CN"


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=catalogues.translation_directory(app.instance_path),
    )
    login_manager.init_app(app)
    from casetrack import permissions

    permissions.install()  # every ORM query of a request keeps to the signed-in user's reach
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录。")
    login_manager.localize_callback = gettext  # flashed in the reader's language
    login_manager.login_message_category = "info"

    from casetrack.models import User

    # Accounts are not scoped by reach; asking for the reach here would load this same user again. The township
    # comes in the same statement: every page names it in the header, and most pages read it. Built once: a
    # statement keeps its cache key, where session.get built and keyed a new one on every request.
    account = (select(User).options(joinedload(User.township)).where(User.id == bindparam("user_id"))
               .execution_options(**permissions.COUNTY_WIDE))

    @login_manager.user_loader
    def load_user(session_id: str):
        """Find the session's account; a session of an older generation (see User.get_id) is over."""
        user_id, _sep, generation = session_id.partition(":")
        if not (user_id.isdigit() and generation.isdigit()) or len(user_id) > 9:
            return None  # opened before session generations existed (or no account's id): sign in again
        user = db.session.execute(account, {"user_id": int(user_id)}).unique().scalar_one_or_none()
        if user is None or not user.active or user.session_generation != int(generation):
            return None
        return user

    @app.before_request
    def _keep_session_fresh():
        """End a signed-in session after SESSION_IDLE_MINUTES without a request.

        The time last seen is written at most once a minute (SEEN_STEP_SECONDS), so a page read within the
        minute leaves the session as it was and its cookie is not signed and sent again (SESSION_REFRESH_EACH_REQUEST
        is off); an hour's idle limit is so kept to the minute. Not for the API (/api/v1): it opens with a bearer
        token, never with the session, so its answers set no session cookie (and pay for no signing).
        """
        if request.blueprint == "api":
            return
        if not session.permanent:
            session.permanent = True
        now = int(time.time())
        last_seen = session.get("seen")
        idle_limit = app.config["SESSION_IDLE_MINUTES"] * 60
        if current_user.is_authenticated and last_seen and now - last_seen > idle_limit:
            logout_user()
            session.clear()
            flash(gettext("长时间未操作,已自动退出,请重新登录。"), "info")
        if not last_seen or now - last_seen >= SEEN_STEP_SECONDS:
            session["seen"] = now

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user.is_authenticated and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


BLUEPRINTS = ("auth", "account", "inbox", "notifications", "main", "cases", "review", "petitions", "queue", "screening",
              "reports", "documents", "ledger", "admin", "holidays", "petition_documents", "help", "warnings",
              "counties_admin", "county", "api", "tokens_admin", "returns")
"""The modules of casetrack.web whose `bp` is registered, one per area."""


def _register_blueprints(app: Flask) -> None:
    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"casetrack.web.{name}").bp)


def _register_cli(app: Flask) -> None:
    from casetrack import cli

    cli.init_app(app)
