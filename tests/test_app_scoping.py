"""App scoping (issue 11 section 1): url_for, hardcoded links, templates and session writes are checked
against the app that runs them, as Flask resolves them at run time, never against another app of the
repository. Where the owner is unknown the union of apps is used and no fix is safe."""

from __future__ import annotations

from pathlib import Path

from rule_testing import findings, lint, write_project
from flasklint.diagnostics import Applicability

APP_A = """\
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "a"
"""

MYFLASK = "from flask import Flask\n\n\nclass MyFlask(Flask):\n    pass\n"

MYAPP = """\
from flask import render_template, session

from myapp.web.wrappers import MyFlask

app = MyFlask(__name__)


@app.route("/login")
def login():
    return render_template("login.html")
"""


def _lint(tmp_path: Path, files: dict[str, str], code: str) -> list:
    write_project(tmp_path, files)
    return [d for d in lint(tmp_path) if d.code == code]


def test_issue_repro_a_link_of_another_apps_route_is_not_reported(tmp_path: Path) -> None:
    """tools/proxy.py's own app has `/`; myapp (a Flask subclass from another module) renders login.html:
    `<a href="/">` there is not one of myapp's URLs (today: FLK203 "route 'index'" with a safe fix that
    writes a BuildError); `/login` is, and its fix is safe: the owning app is proven."""
    files = {
        "tools/proxy.py": APP_A,
        "myapp/__init__.py": MYAPP,
        "myapp/web/__init__.py": "",
        "myapp/web/wrappers.py": MYFLASK,
        "myapp/templates/login.html": '<a href="/">home</a> <a href="/login">again</a>\n',
    }
    found = _lint(tmp_path, files, "FLK203")
    assert findings(found) == [
        (
            "myapp/templates/login.html", 1, 30, 1, 36,
            "hardcoded URL `/login` of this app's route 'login': use `url_for('login')` so it follows the app's "
            "URL prefix and route changes",
        )
    ]  # fmt: skip
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.SAFE


def test_url_for_of_another_apps_endpoint_is_reported_in_this_app(tmp_path: Path) -> None:
    files = {
        "a.py": APP_A,
        "b.py": 'from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/b")\n'
        'def page():\n    return url_for("index")\n',
    }
    assert findings(_lint(tmp_path, files, "FLK201")) == [
        ("b.py", 8, 19, 8, 26, "`url_for('index')`: no endpoint 'index' in the app created in b.py; Flask raises BuildError here")
    ]


def test_url_for_outside_views_uses_the_union_of_apps(tmp_path: Path) -> None:
    """A helper may run under either app: `index` exists in one of them, so it may build."""
    files = {
        "a.py": APP_A,
        "b.py": 'from flask import Flask\n\napp = Flask(__name__)\n',
        "helpers.py": 'from flask import url_for\n\n\ndef home():\n    return url_for("index")\n',
    }
    assert _lint(tmp_path, files, "FLK201") == []


def test_modules_of_the_same_name_in_two_folders_stay_two_apps(tmp_path: Path) -> None:
    """examples/a/app.py and examples/b/app.py (no packages) are both module `app`: each keeps its endpoints."""
    files = {
        "examples/a/app.py": 'from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
        'def first():\n    return url_for("first")\n',
        "examples/b/app.py": 'from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
        'def second():\n    return url_for("second") + url_for("first")\n',
    }
    assert findings(_lint(tmp_path, files, "FLK201")) == [
        (
            "examples/b/app.py", 8, 39, 8, 46,
            "`url_for('first')`: no endpoint 'first' in the app created in examples/b/app.py; Flask raises BuildError here",
        )
    ]  # fmt: skip


def test_a_blueprint_never_registered_contributes_no_endpoint(tmp_path: Path) -> None:
    files = {
        "app.py": 'from flask import Flask, url_for\nimport admin\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
        'def index():\n    return url_for("admin.panel")\n',
        "admin.py": 'from flask import Blueprint\n\nbp = Blueprint("admin", __name__)\n\n\n@bp.route("/panel")\n'
        'def panel():\n    return "panel"\n',
    }
    assert [d.message for d in _lint(tmp_path, files, "FLK201")] == [
        "`url_for('admin.panel')`: no endpoint 'admin.panel'; Flask raises BuildError here"
    ]


def test_an_app_built_in_main_counts_its_blueprints(tmp_path: Path) -> None:
    files = {
        "factory.py": "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n",
        "factory_app.py": "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
        "web.py": 'from flask import Blueprint, url_for\n\nweb = Blueprint("web", __name__)\n\n\n@web.route("/")\n'
        'def home():\n    return url_for("web.home") + url_for("web.hme")\n',
        "main.py": "from factory_app import create_app\nfrom web import web\n\n\ndef main():\n"
        "    app = create_app()\n    app.register_blueprint(web)\n    app.run()\n",
    }
    assert [d.message for d in _lint(tmp_path, files, "FLK201")] == [
        "`url_for('web.hme')`: no endpoint 'web.hme' (did you mean 'web.home'?); Flask raises BuildError here"
    ]


def test_session_written_in_an_app_without_a_key_is_reported_even_when_another_app_has_one(tmp_path: Path) -> None:
    files = {
        "a.py": 'import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.environ["KEY"]\n',
        "b.py": 'from flask import Flask, session\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
        'def page():\n    session["seen"] = True\n    return "b"\n',
    }
    assert [(d.path, d.start.row) for d in _lint(tmp_path, files, "FLK302")] == [("b.py", 8)]


def test_a_template_two_apps_load_uses_their_union_and_no_safe_fix(tmp_path: Path) -> None:
    files = {
        "a.py": APP_A.replace('"/"', '"/home"'),
        "b.py": 'from flask import Flask\n\napp = Flask(__name__)\n',
        "templates/page.html": '<a href="/home">home</a>\n',
    }
    found = _lint(tmp_path, files, "FLK203")
    assert [(d.path, d.start.row, d.start.column) for d in found] == [("templates/page.html", 1, 9)]
    assert found[0].fix is not None and found[0].fix.applicability is Applicability.UNSAFE


def test_an_app_mounted_under_a_prefix_answers_only_under_it(tmp_path: Path) -> None:
    """DispatcherMiddleware(front, {"/api": api}): `/api/users` in api's template is its route `/users`."""
    files = {
        "front.py": 'from flask import Flask\n\nfront = Flask(__name__)\n\n\n@front.route("/")\ndef home():\n'
        '    return "front"\n',
        "api/__init__.py": 'from flask import Flask\n\napi = Flask(__name__)\n\n\n@api.route("/users")\n'
        'def users():\n    return "users"\n',
        "api/templates/list.html": '<a href="/api/users">users</a> <a href="/users">not api\'s</a>\n',
        "wsgi.py": "from werkzeug.middleware.dispatcher import DispatcherMiddleware\n\nfrom api import api\n"
        "from front import front\n\napplication = DispatcherMiddleware(front, {\"/api\": api})\n",
    }
    assert [(d.path, d.start.column, d.message.split("`")[1]) for d in _lint(tmp_path, files, "FLK203")] == [
        ("api/templates/list.html", 9, "/api/users")
    ]


def test_a_custom_url_for_silences_the_templates_it_renders(tmp_path: Path) -> None:
    files = {
        "app.py": 'from flask import Flask, render_template\n\napp = Flask(__name__, static_folder=None)\n\n\n'
        "def custom_url_for(endpoint, **values):\n    return '/' + endpoint\n\n\n"
        '@app.route("/")\ndef index():\n    return render_template("page.html", url_for=custom_url_for)\n',
        "templates/page.html": "<link href=\"{{ url_for('static', filename='x.css') }}\"> <a href=\"/\">home</a>\n",
    }
    write_project(tmp_path, files)
    assert [d for d in lint(tmp_path) if d.code in ("FLK201", "FLK203")] == []


def test_a_custom_url_for_in_jinja_globals_silences_its_apps_templates(tmp_path: Path) -> None:
    files = {
        "app.py": 'from flask import Flask\n\napp = Flask(__name__)\napp.jinja_env.globals["url_for"] = lambda e, **v: e\n',
        "templates/page.html": "{{ url_for('nowhere') }}\n",
    }
    assert _lint(tmp_path, files, "FLK201") == []


def test_static_without_a_static_folder_gets_no_other_endpoint_suggested(tmp_path: Path) -> None:
    files = {
        "app.py": 'from flask import Flask, url_for\n\napp = Flask(__name__, static_folder=None)\n\n\n'
        '@app.route("/stats")\ndef stats():\n    return url_for("static", filename="x.css")\n',
    }
    found = _lint(tmp_path, files, "FLK201")
    assert [(d.message, d.fix) for d in found] == [
        ("`url_for('static')`: no endpoint 'static' (the app has `static_folder=None`); Flask raises BuildError here", None)
    ]


def test_extensions_with_blueprints_silence_only_dotted_names(tmp_path: Path) -> None:
    files = {
        "app.py": 'from flask import Flask, url_for\nfrom flask_admin import Admin\n\napp = Flask(__name__)\n'
        'admin = Admin(app)\n\n\n@app.route("/")\ndef index():\n    return url_for("admin.index") + url_for("indx")\n',
    }
    assert [d.message for d in _lint(tmp_path, files, "FLK201")] == [
        "`url_for('indx')`: no endpoint 'indx' (did you mean 'index'?); Flask raises BuildError here"
    ]


def test_a_file_in_a_templates_folder_no_app_loads_is_not_a_template(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/")\ndef index():\n'
        '    return "x"\n',
        "chart/templates/NOTES.txt": '{{- if .Values.ingress.enabled }}\n<a href="/">x</a>\n{{ url_for("nope") }}\n',
    }
    write_project(tmp_path, files)
    assert [d for d in lint(tmp_path) if d.path.startswith("chart/")] == []


def test_a_blueprint_made_by_a_factory_is_registered_where_the_factory_is_called(tmp_path: Path) -> None:
    """securedrop's layout: `app.register_blueprint(col.make_blueprint(), url_prefix="/col")`."""
    files = {
        "app.py": 'from flask import Flask\n\nimport col\n\napp = Flask(__name__)\n'
        'app.register_blueprint(col.make_blueprint(), url_prefix="/col")\n',
        "col.py": 'from flask import Blueprint, redirect, url_for\n\n\ndef make_blueprint():\n'
        '    view = Blueprint("col", __name__)\n\n    @view.route("/<name>")\n    def show(name):\n'
        '        return redirect("/col/all") if name == "x" else url_for("col.shw", name=name)\n\n'
        '    @view.route("/all")\n    def everything():\n        return "all"\n\n    return view\n',
    }
    write_project(tmp_path, files)
    found = [(d.code, d.start.row, d.start.column) for d in lint(tmp_path) if d.code in ("FLK201", "FLK203")]
    assert sorted(found) == [("FLK201", 9, 64), ("FLK203", 9, 24)]


def test_a_custom_url_for_passed_with_a_computed_template_name_reaches_every_template(tmp_path: Path) -> None:
    """searxng: `render_template(f"{theme}/{name}", url_for=custom_url_for)` in one helper, and no static folder."""
    files = {
        "app.py": 'from flask import Flask, render_template\n\napp = Flask(__name__, static_folder=None)\n\n\n'
        "def custom_url_for(endpoint, **values):\n    return '/static/' + values.get('filename', '')\n\n\n"
        "def render(name, **kwargs):\n    return render_template(f'simple/{name}', url_for=custom_url_for, **kwargs)\n\n\n"
        '@app.route("/stats")\ndef stats():\n    return render("stats.html")\n',
        "templates/simple/stats.html": "<link href=\"{{ url_for('static', filename='x.css') }}\">\n",
    }
    assert _lint(tmp_path, files, "FLK201") == []


def test_an_environment_default_is_not_the_apps_key(tmp_path: Path) -> None:
    """`os.environ.setdefault("SECRET_KEY", "dev")` sets a variable, not `app.secret_key` (FLK104 reports the literal)."""
    files = {
        "app.py": 'import os\n\nfrom flask import Flask, session\n\nos.environ.setdefault("SECRET_KEY", "dev")\n'
        'app = Flask(__name__)\n\n\n@app.route("/")\ndef page():\n    session["seen"] = True\n    return "x"\n',
    }
    assert [(d.path, d.start.row) for d in _lint(tmp_path, files, "FLK302")] == [("app.py", 11)]


def test_a_route_no_app_can_be_credited_with_is_no_evidence_for_a_hardcoded_link(tmp_path: Path) -> None:
    """Two apps and `def register(app): @app.route("/about")`: the route may be either app's."""
    files = {
        "a.py": 'from flask import Flask\n\napp = Flask(__name__)\n',
        "b/__init__.py": 'from flask import Flask\n\napp = Flask(__name__)\n',
        "views.py": 'def register(app):\n    @app.route("/about")\n    def about():\n        return "about"\n',
        "templates/page.html": '<a href="/about">about</a>\n',
        "b/templates/page.html": '<a href="/about">about</a>\n',
    }
    assert _lint(tmp_path, files, "FLK203") == []


def test_routes_on_another_host_are_not_this_hosts_paths(tmp_path: Path) -> None:
    """A blueprint with subdomain= (or a route with host=/subdomain=) answers on another host: `/ping` on
    the app's own host is a 404, and url_for builds `http://api.<server>/ping`, so no FLK203."""
    files = {
        "app.py": 'from flask import Blueprint, Flask, redirect\n\napp = Flask(__name__)\n'
        'api = Blueprint("api", __name__, subdomain="api")\nadmin = Blueprint("admin", __name__)\n\n\n'
        '@api.route("/ping")\ndef ping():\n    return "pong"\n\n\n'
        '@admin.route("/panel")\ndef panel():\n    return "panel"\n\n\n'
        '@app.route("/stats", subdomain="stats")\ndef stats():\n    return "stats"\n\n\n'
        'app.register_blueprint(api)\napp.register_blueprint(admin, subdomain="admin", url_prefix="/a")\n\n\n'
        '@app.route("/")\ndef index():\n    return redirect("/ping") or redirect("/a/panel") or redirect("/stats")\n',
    }
    assert _lint(tmp_path, files, "FLK203") == []


def test_a_template_in_a_shared_folder_belongs_to_the_apps_that_render_it(tmp_path: Path) -> None:
    """Both apps can load templates/ (same folder), but only a.py's view renders page.html (directly, and
    base.html through `extends`): its link and url_for are checked against a.py's app alone."""
    files = {
        "a.py": 'from flask import Flask, render_template\n\napp = Flask(__name__)\n\n\n@app.route("/")\n'
        'def index():\n    return render_template("page.html")\n',
        "b.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/home")\ndef home():\n    return "b"\n',
        "templates/base.html": "<a href=\"/home\">b's home</a>{{ url_for('home') }}{% block body %}{% endblock %}\n",
        "templates/page.html": '{% extends "base.html" %}{% block body %}<a href="/">index</a>{% endblock %}\n',
    }
    write_project(tmp_path, files)
    found = [(d.code, d.path, d.start.column, d.fix and d.fix.applicability.value) for d in lint(tmp_path)]
    assert sorted(f for f in found if f[0] in ("FLK201", "FLK203")) == [
        ("FLK201", "templates/base.html", 39, None),
        ("FLK203", "templates/page.html", 50, "safe"),
    ]


def test_no_fix_for_a_value_url_for_would_write_differently(tmp_path: Path) -> None:
    """`/u/a%2Fb`: url_for(name='a/b') writes `/u/a/b` (no match); `&amp;` in an attribute is `&`."""
    files = {
        "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/u/<name>")\ndef user(name):\n'
        '    return name\n',
        "templates/page.html": '<a href="/u/a%2Fb">x</a> <a href="/u/x?a=1&amp;b=2">y</a> <a href="/u/ada">z</a>\n',
    }
    found = _lint(tmp_path, files, "FLK203")
    assert [(d.start.column, d.fix is not None) for d in found] == [(9, False), (34, False), (67, True)]
