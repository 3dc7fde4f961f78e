"""FLK202 url-for-missing-variable: what real Flask raises and builds, and the traps the rule stays silent on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rule_testing import findings, lint, write_project
from flasklint.rules.flk202_url_for_missing_variable import UrlForMissingVariable

BUILD = """\
import importlib, json, sys
from flask import url_for

module, path, calls = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
app = importlib.import_module(module).app
built = []
with app.test_request_context(path):
    app.preprocess_request()  # url_value_preprocessor callbacks run, as in a real request
    for endpoint, values in calls:
        try:
            built.append(url_for(endpoint, **values))
        except Exception as error:
            built.append(f"{type(error).__module__}.{type(error).__name__}: {error}")
print(json.dumps(built))
"""

LANG_APP = {
    "app.py": "from flask import Flask\nfrom shop import bp\n\napp = Flask(__name__)\n"
    "app.register_blueprint(bp, url_prefix='/<lang>')\n",
    "shop.py": "from flask import Blueprint, g, url_for\n\nbp = Blueprint('shop', __name__)\n\n"
    "@bp.url_defaults\ndef add_lang(endpoint, values):\n    values.setdefault('lang', g.lang)\n\n"
    "@bp.url_value_preprocessor\ndef pull_lang(endpoint, values):\n    g.lang = values.pop('lang')\n\n"
    "@bp.route('/')\ndef index():\n    return url_for('.index')\n",
}
DEFAULTS_APP = """\
from flask import Flask, url_for

app = Flask(__name__)

@app.route('/users/', defaults={'page': 1})
@app.route('/users/<int:page>')
def users(page):
    return url_for('users')

@app.route('/feed/<fmt>', defaults={'fmt': 'rss'})
def feed(fmt):
    return url_for('feed')

@app.route('/user/<name>')
def user(name):
    return url_for('user', page=2)
"""


def build(root: Path, module: str, path: str, calls: list[tuple[str, dict[str, object]]]) -> list[str]:
    """What real Flask's url_for returns (or raises) for each call, the project imported in a fresh
    interpreter with `root` as its directory (the linter never imports analysed code)."""
    command = [sys.executable, "-B", "-c", BUILD, module, path, json.dumps(calls)]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_real_flask_raises_on_the_reported_call_and_builds_the_traps(tmp_path: Path) -> None:
    pytest.importorskip("flask", reason="Flask is a test dependency (pip install -e '.[dev]')")
    write_project(tmp_path, {"app.py": DEFAULTS_APP, **{f"lang/{k}": v for k, v in LANG_APP.items()}})
    assert findings(lint(tmp_path, "FLK202")) == [
        ("app.py", 16, 19, 16, 25, "`url_for('user')` misses variable 'name' of rule '/user/<name>'; Flask raises BuildError here"),
    ]
    assert build(tmp_path, "app", "/", [("user", {"page": 2}), ("users", {}), ("feed", {}), ("user", {"name": "a", "x": 1})]) == [
        "werkzeug.routing.exceptions.BuildError: Could not build url for endpoint 'user' with values ['page']. "
        "Did you forget to specify values ['name']?",
        "/users/",
        "/feed/rss",
        "/user/a?x=1",
    ]
    # The url_defaults + url_value_preprocessor pair injects the prefix variable.
    assert build(tmp_path / "lang", "app", "/en/", [(".index", {})]) == ["/en/"]


def test_the_docs_example_raises_build_error_with_the_documented_text(tmp_path: Path) -> None:
    pytest.importorskip("flask", reason="Flask is a test dependency (pip install -e '.[dev]')")
    example = UrlForMissingVariable.invalid[0].files["app.py"]
    write_project(tmp_path, {"app.py": example})
    [error] = build(tmp_path, "app", "/me", [("user", {})])
    assert error == (
        "werkzeug.routing.exceptions.BuildError: Could not build url for endpoint 'user'. "
        "Did you forget to specify values ['name']?"
    )
    assert f"`{error}`" in " ".join(UrlForMissingVariable.doc_section("Why is this bad?").split())

APP = "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n@app.route('/user/<name>')\ndef user(name):\n    return name\n"


@pytest.mark.parametrize(
    "extra",
    [
        "PAGE = {'name': 'me'}\napp.add_url_rule('/me', 'user', user, defaults=PAGE)\n",  # defaults= unread
        "def register(rule, **options):\n    app.add_url_rule(rule, **options)\n",  # options forwarded
        "app.url_build_error_handlers.append(lambda error, endpoint, values: '/')\n",
        "from werkzeug.routing import Rule\napp.url_map.add(Rule('/me', endpoint='user'))\n",  # a rule it cannot see
        "for rule in RULES:\n    app.add_url_rule(rule, rule.strip('/'), user)\n",  # computed endpoints
    ],
)
def test_silent_when_values_may_come_from_what_the_index_cannot_read(tmp_path: Path, extra: str) -> None:
    write_project(tmp_path, {"app.py": APP + extra, "links.py": "from flask import url_for\n\ndef me():\n    return url_for('user')\n"})
    assert findings(lint(tmp_path, "FLK202")) == []


def test_the_same_project_without_them_is_reported(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": APP, "links.py": "from flask import url_for\n\ndef me():\n    return url_for('user')\n"})
    assert [f[:2] for f in findings(lint(tmp_path, "FLK202"))] == [("links.py", 4)]


def test_a_template_jinja_cannot_parse_is_not_reported(tmp_path: Path) -> None:
    # Its url_for calls are found in the token stream, where keywords are not read.
    page = "{% frobnicate %}\n<a href=\"{{ url_for('user', name='me') }}\">me</a>\n"
    write_project(tmp_path, {"app.py": APP, "templates/page.html": page})
    assert findings(lint(tmp_path, "FLK202")) == []


def test_a_relative_endpoint_in_a_template_counts_every_blueprint(tmp_path: Path) -> None:
    app = (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\na = Blueprint('a', __name__)\nb = Blueprint('b', __name__)\n\n"
        "@a.route('/a/<int:id>')\ndef item(id):\n    return ''\n\n@b.route('/b/<int:id>')\ndef item(id):\n    return ''\n\n"
        "@b.route('/b/list')\ndef rows():\n    return ''\n\napp.register_blueprint(a)\napp.register_blueprint(b)\n"
    )
    write_project(tmp_path, {"app.py": app, "templates/t.html": "{{ url_for('.item') }} {{ url_for('.rows', id=1) }}\n"})
    assert findings(lint(tmp_path, "FLK202")) == [
        (
            "templates/t.html", 1, 11, 1, 18,
            "`url_for('.item')` misses variable 'id' of rule '/a/<int:id>' and variable 'id' of rule '/b/<int:id>'; "
            "Flask raises BuildError here",
        ),
    ]  # fmt: skip


def test_hooks_of_test_files_serve_their_test_apps_only(tmp_path: Path) -> None:
    hooks = "from app import app\n\napp.url_build_error_handlers.append(lambda e, endpoint, values: '/')\n"
    links = "from flask import url_for\n\ndef me():\n    return url_for('user')\n"
    write_project(tmp_path, {"app.py": APP, "links.py": links, "tests/test_links.py": hooks})
    assert [f[:2] for f in findings(lint(tmp_path, "FLK202"))] == [("links.py", 4)]


def test_real_flask_a_blueprint_on_two_apps(tmp_path: Path) -> None:
    """The view runs in both apps: reported only when neither app builds the URL (real Flask agrees)."""
    pytest.importorskip("flask", reason="Flask is a test dependency (pip install -e '.[dev]')")
    invalid = next(case.files for case in UrlForMissingVariable.invalid if "b.py" in case.files and "shop.py" in case.files)
    valid = next(case for case in UrlForMissingVariable.valid if isinstance(case, dict) and "'/shop'" in case.get("b.py", ""))
    write_project(tmp_path / "invalid", invalid)
    write_project(tmp_path / "valid", valid)
    missing = "werkzeug.routing.exceptions.BuildError: Could not build url for endpoint 'shop.index'. Did you forget to specify values"
    assert build(tmp_path / "invalid", "a", "/en/", [(".index", {})])[0].startswith(f"{missing} ['lang']?")
    assert build(tmp_path / "invalid", "b", "/eu/", [(".index", {})])[0].startswith(f"{missing} ['region']?")
    assert build(tmp_path / "valid", "a", "/en/", [(".index", {})])[0].startswith(f"{missing} ['lang']?")
    assert build(tmp_path / "valid", "b", "/shop/", [(".index", {})]) == ["/shop/"]
    assert [f[0] for f in findings(lint(tmp_path / "invalid", "FLK202"))] == ["shop.py"]
    assert findings(lint(tmp_path / "valid", "FLK202")) == []
