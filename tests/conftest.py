"""Fixtures: the app on a real database (SQLite file, and PostgreSQL when CASETRACK_TEST_DATABASE_URL is set),
a client, a CLI runner, and a small world of two townships with users in every role."""

import os
import uuid
from dataclasses import dataclass

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from casetrack import create_app
from casetrack.extensions import db
from casetrack.models import Role, Township, User, Village
from casetrack.services import accounts, places

PASSWORD = "pass1234word"
PG_URL = os.environ.get("CASETRACK_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _pg_url_with_schema(url: str, schema: str) -> str:
    from casetrack.config import normalise_database_url

    joiner = "&" if "?" in url else "?"
    return f"{normalise_database_url(url)}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """A database migrated from empty by Alembic, once per backend for the whole session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        schema = None
    else:
        schema = f"casetrack_test_{uuid.uuid4().hex[:10]}"
        admin_engine = create_engine(_pg_url_with_schema(PG_URL, "public"))
        with admin_engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _pg_url_with_schema(PG_URL, schema)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if schema:
        with admin_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin_engine.dispose()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":  # TRUNCATE: the append-only trigger refuses DELETE
        db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:  # the append-only triggers refuse DELETE too: lift them for the sweep, then put them back as they were
        triggers = db.session.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'case_events'")).all()
        for name, _sql in triggers:
            db.session.execute(text(f"DROP TRIGGER {name}"))
        for table in tables:
            db.session.execute(text(f"DELETE FROM {table}"))
        for _name, sql in triggers:
            db.session.execute(text(sql))
    db.session.commit()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    app.instance_path = str(tmp_path)

    @app.before_request
    def _forget_cached_user():
        # The test keeps one app context open, and Flask-Login caches the user in g: without this a
        # second client would act as the first one's user. Each real request has its own context.
        # Flask-WTF caches the CSRF token there too: each client must get its own session's token.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    with app.app_context():
        yield app
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class World:
    """Two townships: 斜沟乡 (villages 斜沟村, 王家庄村) and 东岭乡 (村 东岭村), with a user in every role."""

    township: Township
    other_township: Township
    village: Village
    other_village: Village
    far_village: Village
    admin: User
    staff: User
    leader: User
    mediator: User
    other_mediator: User
    far_staff: User
    far_mediator: User


@pytest.fixture
def world(app) -> World:
    township = places.add_township("斜沟乡", ["斜沟村", "王家庄村"])
    places.add_natural_village(township.villages[0], "上斜沟")
    places.add_natural_village(township.villages[1], "后庄")
    other = places.add_township("东岭乡", ["东岭村"])
    village, other_village = township.villages
    far_village = other.villages[0]
    made = World(
        township=township, other_township=other, village=village, other_village=other_village,
        far_village=far_village,
        admin=accounts.add_user("admin", PASSWORD, Role.ADMIN),
        staff=accounts.add_user("staff", PASSWORD, Role.STAFF, township=township, full_name="刘明"),
        leader=accounts.add_user("leader", PASSWORD, Role.LEADER, township=township),
        mediator=accounts.add_user("mediator1", PASSWORD, Role.MEDIATOR, village=village, full_name="王调解"),
        other_mediator=accounts.add_user("mediator2", PASSWORD, Role.MEDIATOR, village=other_village),
        far_staff=accounts.add_user("farstaff", PASSWORD, Role.STAFF, township=other),
        far_mediator=accounts.add_user("farmediator", PASSWORD, Role.MEDIATOR, village=far_village),
    )
    db.session.commit()
    return made


def login(client, username: str, password: str = PASSWORD):
    """Log in through the real form."""
    return client.post("/auth/login", data={"username": username, "password": password})


@pytest.fixture
def fast_password_hashing(app):
    """Hash passwords with a cheap pbkdf2 so tests creating many accounts stay quick.

    check_password reads the method from the stored hash, so logging in is unchanged; only the work factor
    is lowered. Opt in with pytestmark = pytest.mark.usefixtures("fast_password_hashing").
    """
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"


@pytest.fixture
def csrf_app(app, database_url):
    """A second app on the same database with CSRF protection switched on, as in production."""
    strict = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-csrf",
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": None,
    })
    strict.instance_path = app.instance_path
    yield strict
    with strict.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def csrf_client(csrf_app):
    return csrf_app.test_client()
