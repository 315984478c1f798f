"""Configuration: safe defaults, overridden by instance/config.py and CASETRACK_* environment variables."""

import os
import secrets
from pathlib import Path


class DefaultConfig:
    """Defaults for a single-laptop township install."""

    # hide_parameters: no ID numbers in logs; pool_pre_ping: a PostgreSQL connection the server closed (a restart)
    # is replaced before a request uses it (create_app turns it off for a SQLite file, which has no server)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_Hans_CN": "简体中文", "en": "English"}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    SESSION_REFRESH_EACH_REQUEST = False  # the session is renewed when its time last seen is (casetrack/__init__.py)
    SESSION_IDLE_MINUTES = 60  # signed out after this long without a request
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    LOGIN_MAX_FAILURES = 5  # password checks per (account, client address) in the window; then that pair is locked
    LOGIN_LOCK_MINUTES = 15  # the window, and so the longest lock
    LOGIN_ACCOUNT_SLOW_AFTER = 20  # checks of one account from all addresses in the window before it is slowed
    LOGIN_ACCOUNT_SLOW_SECONDS = 5  # a slowed account gets one password check per this many seconds
    PROXY_FIX_X_FOR = 0  # behind a reverse proxy: how many X-Forwarded-For hops to trust for the client address
    PAGE_SIZE = 50
    API_RATE_LIMIT = 300  # requests of one API token per window (services.api_tokens.admit); past it: 429
    API_RATE_WINDOW_SECONDS = 60
    PASSWORD_HASH_METHOD = "scrypt"  # the suite uses a cheap pbkdf2 to stay fast; never lower it in production


def load_environment(app) -> None:
    """Apply CASETRACK_* environment variables (values read as JSON where they are: true, 5; else text)."""
    app.config.from_prefixed_env("CASETRACK")
    for key in ("SECRET_KEY", "DATABASE_URL"):  # text even when it reads as a JSON number
        if f"CASETRACK_{key}" in os.environ:
            app.config[key] = os.environ[f"CASETRACK_{key}"]
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(app.config.pop("DATABASE_URL"))


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for postgresql:// URLs, as psycopg2 is not installed."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def ensure_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, generating it on first start."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        from casetrack.private_files import private_open

        with private_open(path, "w") as secret:  # 0600 from the start: no moment at which others could read it
            secret.write(secrets.token_hex(32))
    return path.read_text().strip()
