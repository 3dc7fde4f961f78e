"""FLK501's promise: its safe fixes carry a Flask 2.0-era project to code that imports and runs on Flask 3.

The project uses several removed APIs at once (spread over three modules, each spelled another way).
Unfixed, real Flask 3 fails on it (ImportError, AttributeError, TypeError, a silently ignored config
key); fixed with the project's own fix machinery (and with the CLI), every page answers as the
original did on the Flask it was written for. The app runs in a subprocess: flasklint itself never imports analysed code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rule_testing import fix_and_relint, lint, write_project

pytest.importorskip("flask")

FLASK_2_PROJECT = {
    "app.py": """\
        from flask import Flask, Markup, escape, jsonify, request

        from downloads import bp as downloads
        from helpers import shout

        app = Flask(__name__)
        app.config["JSON_SORT_KEYS"] = False
        app.register_blueprint(downloads)


        @app.route("/hello/<name>")
        def hello(name):
            return Markup("<h1>Hello {}</h1>").format(name)


        @app.route("/escaped")
        def escaped():
            return f"<p>{escape(request.args.get('q', ''))}</p>"


        @app.route("/shout")
        def shout_view():
            return shout(request.args.get("q", ""))


        @app.route("/cookie-name")
        def cookie_name():
            return app.session_cookie_name


        @app.route("/data")
        def data():
            return jsonify(b=1, a=2)
        """,
    "helpers.py": """\
        import flask


        def shout(text):
            return flask.escape(text.upper())
        """,
    "downloads.py": """\
        import io
        import os

        from flask import Blueprint, send_file, send_from_directory

        bp = Blueprint("downloads", __name__)
        FILES = os.path.join(os.path.dirname(__file__), "files")


        @bp.route("/report.csv")
        def report():
            return send_file(
                io.BytesIO(b"a,b\\n1,2\\n"),
                mimetype="text/csv",
                as_attachment=True,
                attachment_filename="report.csv",
                cache_timeout=60,
            )


        @bp.route("/files/<path:name>")
        def files(name):
            return send_from_directory(FILES, filename=name)
        """,
    "files/readme.txt": "read me\n",
}

# Each page of the fixed app: (status, body, Content-Disposition, Cache-Control). Flask 2.0.3 serves the
# original the same (checked by hand), except /files/...: `send_from_directory(d, filename=...)` is
# Flask 1.1's spelling, which fails from 2.0 on.
EXERCISE_FIXED = """
import json
from app import app

client = app.test_client()
pages = {}
for url in ["/hello/<b>", "/escaped?q=<x>", "/shout?q=<i>", "/cookie-name", "/data", "/report.csv", "/files/readme.txt"]:
    response = client.get(url)
    pages[url] = [response.status_code, response.get_data(as_text=True),
                  response.headers.get("Content-Disposition"), response.headers.get("Cache-Control")]
print(json.dumps(pages))
"""

# What Flask 3 makes of the unfixed code, one removed API at a time.
EXERCISE_UNFIXED = """
import json
import flask

failures = {}
try:
    import app
except Exception as error:
    failures["import app"] = f"{type(error).__name__}: {error}"
try:
    import helpers
    helpers.shout("x")
except Exception as error:
    failures["helpers.shout"] = f"{type(error).__name__}: {error}"
import downloads
probe = flask.Flask("probe")
probe.testing = True
probe.register_blueprint(downloads.bp)
for url in ["/report.csv", "/files/readme.txt"]:
    try:
        probe.test_client().get(url)
    except Exception as error:
        failures[url] = f"{type(error).__name__}: {error}"
probe.config["JSON_SORT_KEYS"] = False  # the unfixed app.py's line
with probe.app_context():
    failures["jsonify"] = flask.jsonify(b=1, a=2).get_data(as_text=True)
print(json.dumps(failures))
"""


def run_with_flask(root: Path, script: str) -> dict[str, object]:
    """Run `script` in the project at `root` with the test environment's (real) Flask."""
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


FIXED_PAGES = {
    "/hello/<b>": [200, "<h1>Hello &lt;b&gt;</h1>", None, None],
    "/escaped?q=<x>": [200, "<p>&lt;x&gt;</p>", None, None],
    "/shout?q=<i>": [200, "&lt;I&gt;", None, None],
    "/cookie-name": [200, "session", None, None],
    "/data": [200, '{"b":1,"a":2}\n', None, None],
    "/report.csv": [200, "a,b\n1,2\n", "attachment; filename=report.csv", "public, max-age=60"],
    "/files/readme.txt": [200, "read me\n", "inline; filename=readme.txt", "no-cache"],
}


def test_the_unfixed_project_fails_on_flask_3(tmp_path: Path) -> None:
    write_project(tmp_path, FLASK_2_PROJECT)
    assert run_with_flask(tmp_path, EXERCISE_UNFIXED) == {
        "import app": "ImportError: cannot import name 'Markup' from 'flask' "
        f"({Path(__import__('flask').__file__)})",
        "helpers.shout": "AttributeError: escape",  # flask's module __getattr__
        "/report.csv": "TypeError: send_file() got an unexpected keyword argument 'attachment_filename'",
        "/files/readme.txt": "TypeError: send_from_directory() missing 1 required positional argument: 'path'",
        "jsonify": '{"a":2,"b":1}\n',  # JSON_SORT_KEYS is silently ignored: the keys come sorted
    }


def test_safe_fixes_carry_the_project_to_flask_3(tmp_path: Path) -> None:
    write_project(tmp_path, FLASK_2_PROJECT)
    changed = fix_and_relint(tmp_path, "FLK501", unsafe=False)
    assert sorted(changed) == ["app.py", "downloads.py", "helpers.py"]
    assert lint(tmp_path, "FLK501") == []
    assert changed["app.py"].startswith(
        "from flask import Flask, jsonify, request\nfrom markupsafe import Markup, escape\n"
    )
    assert 'app.json.sort_keys = False\n' in changed["app.py"]
    assert 'return app.config["SESSION_COOKIE_NAME"]\n' in changed["app.py"]
    assert changed["helpers.py"] == (
        "import flask\nimport markupsafe\n\n\ndef shout(text):\n    return markupsafe.escape(text.upper())\n"
    )
    assert 'download_name="report.csv",\n        max_age=60,\n' in changed["downloads.py"]
    assert "send_from_directory(FILES, path=name)" in changed["downloads.py"]
    assert run_with_flask(tmp_path, EXERCISE_FIXED) == FIXED_PAGES


def test_the_cli_fix_does_the_same(tmp_path: Path) -> None:
    """`flasklint check --select FLK501 --fix`, as a user runs it."""
    write_project(tmp_path, FLASK_2_PROJECT)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n", encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "flasklint", "check", "--select", "FLK501", "--fix", "--no-cache", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert run_with_flask(tmp_path, EXERCISE_FIXED) == FIXED_PAGES
