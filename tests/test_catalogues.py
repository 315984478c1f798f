"""English from every documented way to install: the app compiles its message catalogues when they are missing
or older than the *.po, so `pip install .` or `pip install -e .` without make serves English."""

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from casetrack import catalogues

ROOT = Path(__file__).resolve().parents[1]


def _copy_catalogues(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    for po in catalogues.PACKAGE_TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        copy = target / po.relative_to(catalogues.PACKAGE_TRANSLATIONS)
        copy.parent.mkdir(parents=True)
        shutil.copy(po, copy)
    return target


def test_a_missing_or_older_catalogue_is_compiled_and_a_fresh_one_kept(tmp_path):
    source = _copy_catalogues(tmp_path)
    mo = source / "en/LC_MESSAGES/messages.mo"
    assert not mo.exists()
    assert catalogues.translation_directory(str(tmp_path / "instance"), source) == str(source)
    assert mo.stat().st_size > 1000
    made = mo.stat().st_mtime_ns
    catalogues.translation_directory(str(tmp_path / "instance"), source)
    assert mo.stat().st_mtime_ns == made  # up to date: left alone
    po = source / "en/LC_MESSAGES/messages.po"
    later = time.time() + 5
    os.utime(po, (later, later))  # the *.po changed after the last compile
    catalogues.translation_directory(str(tmp_path / "instance"), source)
    assert mo.stat().st_mtime_ns != made


def test_a_read_only_package_compiles_into_the_instance_folder(tmp_path, monkeypatch):
    source = _copy_catalogues(tmp_path)
    real = catalogues._compile

    def refuse_beside_the_po(po, mo):
        if mo.parent == po.parent:
            raise PermissionError(mo)
        real(po, mo)

    monkeypatch.setattr(catalogues, "_compile", refuse_beside_the_po)
    found = catalogues.translation_directory(str(tmp_path / "instance"), source)
    assert found == str(tmp_path / "instance" / "translations")
    assert (Path(found) / "en/LC_MESSAGES/messages.mo").exists()


def _source_tree(tmp_path: Path) -> Path:
    """The project as a checkout holds it: tracked and new files, none of the ignored *.mo."""
    tree = tmp_path / "src"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split("\n")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / name, tree / name)
    assert not list(tree.rglob("*.mo"))
    return tree


def _run(script: str, path: Path, cwd: Path) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], check=True, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(path)}, cwd=cwd).stdout


def test_a_checkout_run_without_make_serves_english_pages(tmp_path):
    """`pip install -e .` puts the checkout on the path and compiles nothing: the first start does."""
    tree = _source_tree(tmp_path)
    page = _run(f"""
        import casetrack
        assert casetrack.__file__.startswith({str(tree)!r}), casetrack.__file__
        app = casetrack.create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                                    "SESSION_COOKIE_SECURE": False}})
        client = app.test_client()
        with client.session_transaction() as session:
            session["locale"] = "en"
        print(client.get("/auth/login").get_data(as_text=True))
    """, tree, tmp_path)
    assert "Sign in" in page, page[:2000]
    assert "登录" not in page.split("</head>")[1]


def test_pip_install_dot_without_make_translates(tmp_path):
    """`pip install .` from a checkout (no *.mo in it): the installed package's catalogues are compiled at start."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(_source_tree(tmp_path))], check=True, capture_output=True)
    assert not list(target.rglob("*.mo"))
    said = _run(f"""
        import casetrack
        from flask_babel import force_locale, gettext
        assert casetrack.__file__.startswith({str(target)!r}), casetrack.__file__
        app = casetrack.create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}})
        with app.test_request_context(), force_locale("en"):
            print(gettext("登录"))
    """, target, tmp_path)
    assert said.strip() == "Sign in"
