"""The login lock holds under parallel requests: a burst of 50 wrong passwords at once, against gunicorn with 4
workers on the test's database, checks no more passwords than the limit, and the right password afterwards is
refused while the lock lasts. The figure is in docs/security.md."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from casetrack.extensions import db
from casetrack.models import User
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BURST = 50


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(app, database_url, tmp_path):
    """gunicorn, 4 workers, on a free port, serving the test's database (CSRF off: the burst posts bare forms)."""
    port = _free_port()
    env = {**os.environ, "CASETRACK_DATABASE_URL": database_url, "CASETRACK_SECRET_KEY": "burst-secret",
           "CASETRACK_WTF_CSRF_ENABLED": "false", "CASETRACK_INSTANCE_PATH": str(tmp_path / "server")}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _try in range(300):  # wait for the workers, up to a minute on a busy machine
            try:
                urllib.request.urlopen(f"{base}/auth/login", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn stopped: {server.stderr.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _post_login(base: str, username: str, password: str) -> int:
    data = urllib.parse.urlencode({"username": username, "password": password}).encode()
    request = urllib.request.Request(f"{base}/auth/login", data=data, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a successful login answers 302: keep it as the answer


def test_a_burst_of_parallel_wrong_passwords_checks_at_most_the_limit(app, world, gunicorn):
    # the real hash (scrypt), so each check takes as long as in production and the burst overlaps in it
    db.session.get(User, world.staff.id).password_hash = generate_password_hash(PASSWORD, method="scrypt")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers: list[int] = []
    start = threading.Barrier(BURST)

    def attempt(n: int) -> None:
        start.wait()
        answers.append(_post_login(gunicorn, "staff", f"wrong-password-{n}"))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 401 = the password was checked and was wrong; 429 = refused by the lock before any check
    checked, refused = answers.count(401), answers.count(429)
    assert checked + refused == BURST, sorted(answers)
    assert checked <= limit, f"{checked} passwords checked in a burst of {BURST}; the limit is {limit}"
    assert checked == limit  # and the lock is no stricter than said: exactly the limit was checked
    assert _post_login(gunicorn, "staff", PASSWORD) == 429  # the right password is refused while locked
