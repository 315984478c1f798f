"""Time wrong-password logins for a real account and for a name no account has (docs/security.md).

    .venv/bin/python benchmarks/login_timing.py [rounds]

A fresh SQLite database in a temporary folder, the production hash (scrypt), one account; each round posts one
wrong password for the real name and one for an unknown name, each from its own client address so that the
throttle does not lock the pair. Prints the median time of each; they should be close.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from casetrack import create_app
from casetrack.extensions import db
from casetrack.models import Role
from casetrack.services import accounts


def main(rounds: int = 40) -> None:
    folder = Path(tempfile.mkdtemp(prefix="casetrack-login-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "LOGIN_ACCOUNT_SLOW_AFTER": 10**6})
    app.instance_path = str(folder)
    with app.app_context():
        upgrade()
        accounts.add_user("realname", "Quiet-river-2026", Role.ADMIN)
        db.session.commit()
    client = app.test_client()
    times: dict[str, list[float]] = {"realname": [], "nosuchname": []}
    for n in range(rounds):
        for name in times:
            address = f"10.{n // 250}.{n % 250}.{1 if name == 'realname' else 2}"
            start = time.perf_counter()
            response = client.post("/auth/login", data={"username": name, "password": f"wrong-{n}"},
                                   environ_base={"REMOTE_ADDR": address})
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 401, response.status_code
    for name, values in times.items():
        print(f"{name:<12} median {statistics.median(values) * 1000:6.1f} ms over {rounds} wrong passwords")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
