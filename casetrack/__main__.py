"""`python -m casetrack run|test|serve`: the two make targets without make (Windows: run.bat, test.bat).

run    install (when pyproject.toml changed), compile the translations, upgrade the database, load the demo
       township on first start, then serve (as `make run`); --host 0.0.0.0 serves the office network.
test   install with the test extras, then run pytest with the given arguments (as `make test`).
serve  print the addresses (this computer's, and the phones') and serve with the development server.

Everything runs with the interpreter that runs this (python -m casetrack), whatever venv that is.
"""

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 5000


def _step(*args: str) -> None:
    """Run a command with this interpreter in the project folder; stop on failure as make does."""
    command = [sys.executable, *args]
    print("»", " ".join(command[1:]), flush=True)
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode:
        sys.exit(completed.returncode)


def install(test_extras: bool) -> None:
    """Install the project (editable) into this interpreter when pyproject.toml changed since the last time."""
    pyproject = ROOT / "pyproject.toml"
    if not pyproject.exists():
        return  # an installed package, not a source checkout: nothing to install from
    tag = hashlib.sha1(f"{sys.executable}|{test_extras}".encode()).hexdigest()[:12]
    marker = ROOT / "build" / f".installed-{tag}"
    stamp = str(pyproject.stat().st_mtime_ns)
    if marker.exists() and marker.read_text() == stamp:
        return
    _step("-m", "pip", "install", "--quiet", "-e", ".[test]" if test_extras else ".")
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(stamp)


def compile_translations() -> None:
    """Compile the message catalogues (make's `translations` target)."""
    from babel.messages.frontend import CommandLineInterface

    folder = ROOT / "casetrack" / "translations"
    if any(folder.glob("*/LC_MESSAGES/messages.po")):
        CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(folder)])


def serve(host: str, port: int) -> None:
    """Print where to open casetrack, then serve it with the development server until Ctrl+C."""
    from casetrack import create_app
    from casetrack.network import describe

    os.environ["CASETRACK_SERVE_HOST"] = host  # the phone page (/help/phone) tells whether phones can reach it
    os.environ["CASETRACK_SERVE_PORT"] = str(port)
    app = create_app()
    for line in describe(host, port):
        print(line, flush=True)
    print("按 Ctrl+C 停止。", flush=True)
    app.run(host=host, port=port, use_reloader=False, debug=False)


def run(host: str, port: int, no_install: bool) -> None:
    """Do what `make run` does: install, migrate, load the demo township on first start, serve."""
    if not no_install:
        install(test_extras=False)
    compile_translations()
    _step("-m", "flask", "--app", "casetrack", "db", "upgrade")
    _step("-m", "flask", "--app", "casetrack", "demo", "--if-empty")
    serve(host, port)


def test(pytest_args: list[str], no_install: bool) -> int:
    """Do what `make test` does: install with the test extras and run pytest; return its exit status."""
    if not no_install:
        install(test_extras=True)
    compile_translations()
    print("»", "-m pytest", " ".join(pytest_args), flush=True)
    return subprocess.run([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m casetrack", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "serve"):
        command = commands.add_parser(name, help="安装、迁移、加载演示数据并启动" if name == "run" else "只启动")
        command.add_argument("--host", default=DEFAULT_HOST,
                             help="监听地址;0.0.0.0 让局域网内的手机也能访问(默认 127.0.0.1,只在本机)")
        command.add_argument("--port", type=int, default=DEFAULT_PORT)
        if name == "run":
            command.add_argument("--no-install", action="store_true", help="不检查、不安装依赖")
    tests = commands.add_parser("test", help="安装测试依赖并运行测试(其余参数交给 pytest)")
    tests.add_argument("--no-install", action="store_true", help="不检查、不安装依赖")
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "test":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "run":
        run(args.host, args.port, args.no_install)
    elif args.command == "serve":
        serve(args.host, args.port)
    else:
        return test([a for a in rest if a != "--"], args.no_install)
    return 0


if __name__ == "__main__":
    sys.exit(main())
