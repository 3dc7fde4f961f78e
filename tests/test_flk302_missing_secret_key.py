"""FLK302 missing-secret-key: session writes without a key, the loaders that keep it silent, the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rule_testing import fixed

QUICKSTART_SESSIONS = """\
from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        return redirect(url_for("index"))
    return "<form method=post><input name=username></form>"


@app.route("/logout")
def logout():
    session.pop("username", None)
    return redirect(url_for("index"))
"""


def test_every_session_write_is_reported_with_flasks_error(project) -> None:
    found = project(QUICKSTART_SESSIONS, select="FLK302")
    assert [(d.start.row, d.start.column, d.end.column) for d in found] == [(9, 8, 27), (16, 4, 33)]
    assert found[0].message == (
        "the session is written but no secret key is ever set: Flask raises `RuntimeError: The session is "
        "unavailable because no secret key was set.` here; set `app.secret_key` from the environment"
    )
    assert found[0].severity.value == "warning"


def test_flash_and_login_user_in_a_blueprint_of_a_factory_app(project) -> None:
    files = {
        "myapp/__init__.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"
        "    from .auth import bp\n    app.register_blueprint(bp)\n    return app\n",
        "myapp/auth.py": "from flask import Blueprint, flash\nfrom flask_login import login_user\n\n"
        "bp = Blueprint('auth', __name__)\n\n\n@bp.post('/login')\ndef login():\n"
        "    login_user(load_user())\n    flash('Welcome back')\n    return 'ok'\n",
    }
    found = project(files, select="FLK302")
    assert [(d.path, d.start.row, d.data["kind"]) for d in found] == [
        ("myapp/auth.py", 9, "login_user"),
        ("myapp/auth.py", 10, "flash"),
    ]
    assert found[1].message.startswith("`flash()` stores its message in the session but no secret key")
    assert all(d.fix is None for d in found), "the app is created in another file: no fix here"


def test_a_config_class_nobody_loads_does_not_count(project) -> None:
    files = {
        "config.py": "class Config:\n    SECRET_KEY = 'k'\n",
        "app.py": "from flask import Flask, session\n\nfrom config import Config\n\napp = Flask(__name__)\n"
        "session['x'] = 1\n",
    }
    assert len(project(files, select="FLK302")) == 1


def test_from_object_of_a_project_class_without_a_key(project) -> None:
    files = {
        "config.py": "class Config:\n    DEBUG = False\n",
        "app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_object('config.Config')\n"
        "session['x'] = 1\n",
    }
    assert len(project(files, select="FLK302")) == 1


@pytest.mark.parametrize(
    "files",
    [
        # the key is set, in every way Flask allows
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.secret_key = 'x'\nsession['a'] = 1\n"},
        {
            "app.py": "from flask import Flask, session\n\napp = Flask(__name__)\nsession['a'] = 1\n",
            "extensions.py": "import os\n\n\ndef init(app):\n    app.config.update(SECRET_KEY=os.environ['K'])\n",
        },
        {
            "config.py": "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY')\n",
            "app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_object('config.Config')\n"
            "session['a'] = 1\n",
        },
        {
            "app.py": "from flask import Flask, session\n\nSECRET_KEY = 'dev'\napp = Flask(__name__)\n"
            "app.config.from_object(__name__)\nsession['a'] = 1\n",
        },
        # loaders whose content we cannot see
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_pyfile('app.cfg', silent=True)\nsession['a'] = 1\n"},
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_envvar('APP_SETTINGS')\nsession['a'] = 1\n"},
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_prefixed_env()\nsession['a'] = 1\n"},
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_object('flask_settings.Prod')\nsession['a'] = 1\n"},
        {
            "app.py": "from flask import Flask, session\n\n\ndef create_app(config_class):\n    app = Flask(__name__)\n"
            "    app.config.from_object(config_class)\n    return app\n\n\ndef f():\n    session['a'] = 1\n"
        },
        {"app.py": "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.update(**load())\nsession['a'] = 1\n"},
        # a computed config key may be SECRET_KEY; a name bound to "SECRET_KEY" is the key itself
        {
            "app.py": "import os\nfrom flask import Flask, session\n\napp = Flask(__name__)\n"
            "for name in ('SECRET_KEY', 'DATABASE_URL'):\n    app.config[name] = os.environ[name]\nsession['a'] = 1\n"
        },
        {
            "app.py": "import os\nfrom flask import Flask, session\n\nKEY = 'SECRET_KEY'\napp = Flask(__name__)\n"
            "app.config[KEY] = os.environ['K']\nsession['a'] = 1\n"
        },
        # server-side sessions, or no app in this project
        {"app.py": "from flask import Flask, session\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\nsession['a'] = 1\n"},
        {"views.py": "from flask import Blueprint, flash\n\nbp = Blueprint('v', __name__)\n\n\n@bp.route('/')\ndef v():\n    flash('x')\n    return ''\n"},
        # reading the session needs no key
        {"app.py": "from flask import Flask, session, get_flashed_messages\n\napp = Flask(__name__)\nuser = session.get('user')\nget_flashed_messages()\n"},
        # test files build their own apps; a write there fails loudly under pytest anyway
        {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n", "tests/test_views.py": "from flask import session\n\n\ndef test_x():\n    session['a'] = 1\n"},
    ],
)
def test_silent_when_a_key_is_or_may_be_set(project, files: dict[str, str]) -> None:
    assert project(files, select="FLK302") == []


def test_a_key_set_only_by_a_test_fixture_does_not_count(project) -> None:
    files = {
        "app.py": "from flask import Flask, session\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n"
        "    session['a'] = 1\n    return ''\n",
        "tests/conftest.py": "from app import app\n\napp.config['SECRET_KEY'] = 'test'\n",
    }
    assert [(d.path, d.start.row) for d in project(files, select="FLK302")] == [("app.py", 8)]


# -- fixes -----------------------------------------------------------------------------------
def test_fix_sets_the_key_after_the_app_and_imports_os(tmp_path: Path) -> None:
    expected = QUICKSTART_SESSIONS.replace(
        "from flask import Flask, redirect, request, session, url_for\n",
        "from flask import Flask, redirect, request, session, url_for\nimport os\n",
    ).replace('app = Flask(__name__)\n', 'app = Flask(__name__)\napp.secret_key = os.environ["SECRET_KEY"]\n')
    assert fixed(tmp_path, {"app.py": QUICKSTART_SESSIONS}, "FLK302") == expected


def test_fix_inside_a_factory_keeps_the_indentation_and_the_existing_import(tmp_path: Path) -> None:
    source = """\
        import os

        from flask import Flask, session


        def create_app():
            application = Flask(
                __name__,
                instance_relative_config=True,
            )

            @application.route("/")
            def index():
                session["seen"] = True
                return "ok"

            return application
    """
    expected = """\
        import os

        from flask import Flask, session


        def create_app():
            application = Flask(
                __name__,
                instance_relative_config=True,
            )
            application.secret_key = os.environ["SECRET_KEY"]

            @application.route("/")
            def index():
                session["seen"] = True
                return "ok"

            return application
    """
    assert fixed(tmp_path, {"app.py": textwrap.dedent(source)}, "FLK302") == textwrap.dedent(expected)


def test_no_fix_when_the_app_shares_its_line(project) -> None:
    source = "from flask import Flask, session\n\napp = Flask(__name__); app.debug = False\nsession['a'] = 1\n"
    (diagnostic,) = project(source, select="FLK302")
    assert diagnostic.fix is None
