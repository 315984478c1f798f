"""`python -m casetrack run|test` (run.bat / test.bat on Windows), the LAN address it prints, and /help/phone."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from casetrack.network import describe, lan_addresses, phone_urls
from casetrack.web.help import qr_svg
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _child_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRACK_")}
    env.update(CASETRACK_INSTANCE_PATH=str(tmp_path / "instance"),
               CASETRACK_DATABASE_URL=f"sqlite:///{tmp_path / 'casetrack.sqlite'}", PYTHONUNBUFFERED="1")
    return env


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return None


def test_run_migrates_loads_the_demo_serves_the_lan_and_prints_the_phones_address(tmp_path):
    port = _free_port()
    child = subprocess.Popen([sys.executable, "-m", "casetrack", "run", "--no-install", "--host", "0.0.0.0",
                              "--port", str(port)], cwd=ROOT, env=_child_env(tmp_path), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        for line in child.stdout:  # the steps print as they go; the server prints its addresses, then serves
            lines.append(line)
            if line.startswith("按 Ctrl+C 停止"):
                break
        output = "".join(lines)
        assert "已创建演示乡镇 斜沟乡" in output, output
        assert f"本机打开:http://127.0.0.1:{port}/" in output
        phones = re.findall(rf"手机\(同一局域网/WiFi\)打开:(http://[\d.]+:{port}/)", output)
        assert phones == [f"http://{a}:{port}/" for a in lan_addresses()]
        for url in [f"http://127.0.0.1:{port}/", *phones]:  # polled until the server answers (no time asserted)
            for _attempt in range(600):
                if _status(url + "auth/login") == 200:
                    break
                time.sleep(0.2)
            assert _status(url + "auth/login") == 200, url
    finally:
        child.terminate()
        child.wait(timeout=60)


def test_test_runs_pytest_with_the_arguments_given_and_returns_its_status(tmp_path):
    env = _child_env(tmp_path)
    passing = subprocess.run([sys.executable, "-m", "casetrack", "test", "--no-install", "-q", "-p", "no:cacheprovider",
                              "tests/domain/test_identity.py"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"\d+ passed", passing.stdout)
    nothing = subprocess.run([sys.executable, "-m", "casetrack", "test", "--no-install", "-q", "-p", "no:cacheprovider",
                              "tests/domain/test_identity.py", "-k", "no_test_has_this_name"], cwd=ROOT, env=env,
                             capture_output=True, text=True)
    assert nothing.returncode == 5  # pytest's "no tests ran", passed through as run.bat/test.bat's exit code


def test_the_start_says_where_phones_open_it_or_how_to_let_them():
    assert phone_urls("127.0.0.1", 5000) == []
    assert any("make run HOST=0.0.0.0" in line for line in describe("127.0.0.1", 5000))
    assert phone_urls("192.168.1.23", 8000) == ["http://192.168.1.23:8000/"]
    addresses = lan_addresses()
    assert all(not a.startswith("127.") for a in addresses)
    assert phone_urls("0.0.0.0", 5000) == [f"http://{a}:5000/" for a in addresses]


# --- /help/phone -----------------------------------------------------------------------------------

def test_the_phone_page_shows_the_address_it_was_opened_by_as_a_qr_code(client, world):
    lan = "http://192.168.1.23:5000"  # the session cookie is the LAN host's
    assert client.post("/auth/login", data={"username": "staff", "password": PASSWORD}, base_url=lan).status_code == 302
    page = client.get("/help/phone", base_url=lan)
    assert page.status_code == 200
    assert "http://192.168.1.23:5000/" in page.text
    assert str(qr_svg("http://192.168.1.23:5000/")) in page.text  # drawn on the server: no image is fetched
    assert "<img" not in page.text.split("<main")[1] and "只在本机可用" not in page.text


def test_on_this_computer_the_phone_page_gives_the_lan_addresses_or_says_how_to_serve_them(app, client, world):
    login(client, "staff")
    app.config["SERVE_HOST"] = "0.0.0.0"
    page = client.get("/help/phone", base_url="http://localhost:5000")
    for address in lan_addresses():
        assert f"http://{address}:5000/" in page.text
    assert "手机连不上" not in page.text
    app.config["SERVE_HOST"] = "127.0.0.1"
    page = client.get("/help/phone", base_url="http://localhost:5000")
    assert "现在只在本机可用,手机连不上" in page.text and "make run HOST=0.0.0.0" in page.text


def test_the_phone_page_needs_a_login(client, world):
    assert client.get("/help/phone").status_code == 302


@pytest.mark.parametrize("username", ["mediator1", "admin"])
def test_every_role_finds_the_phone_page(client, world, username):
    login(client, username)
    assert 'href="/help/phone"' in client.get("/").text


def test_the_service_files_start_the_app_the_repository_has():
    import xml.etree.ElementTree as ET

    unit = (ROOT / "deploy" / "casetrack.service").read_text("utf-8")
    assert "gunicorn" in unit and "wsgi:app" in unit and "Restart=on-failure" in unit
    task = ET.fromstring((ROOT / "deploy" / "casetrack-task.xml").read_bytes())
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    assert task.find("t:Actions/t:Exec/t:Command", ns).text.endswith("waitress-serve.exe")
    assert task.find("t:Actions/t:Exec/t:Arguments", ns).text == "--listen=0.0.0.0:8000 wsgi:app"
    assert task.find("t:Triggers/t:BootTrigger", ns) is not None
    assert "casetrack-task.xml" in (ROOT / "deploy" / "install-windows-task.ps1").read_text("utf-8")
    import wsgi

    assert wsgi.app.name == "casetrack"
    for script, command in (("run.bat", "-m casetrack run"), ("test.bat", "-m casetrack test")):
        assert command in (ROOT / script).read_text("utf-8")
