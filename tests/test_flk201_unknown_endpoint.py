"""FLK201 unknown-endpoint: url_for in Python and templates against the project's endpoint table."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rule_testing import fix, lint, write_project
from flasklint.diagnostics import Applicability
from flasklint.fix import apply_fixes

QUICKSTART = """\
from flask import Flask, url_for

app = Flask(__name__)

@app.route('/')
def index():
    return 'index'

@app.route('/login')
def login():
    return 'login'

@app.route('/user/<username>')
def profile(username):
    return f'{username}\\'s profile'

with app.test_request_context():
    print(url_for('index'))
    print(url_for('login'))
    print(url_for('login', next='/'))
    print(url_for('profile', username='John Doe'))
    print(url_for('static', filename='style.css'))
"""

APP_WITH_AUTH = """\
from flask import Flask
from auth import bp

app = Flask(__name__)
app.register_blueprint(bp, url_prefix="/auth")
"""

AUTH = """\
from flask import Blueprint, redirect, url_for

bp = Blueprint("auth", __name__)

@bp.route("/login")
def login():
    return "login"

@bp.route("/logout")
def logout():
    return redirect(url_for("{target}"))
"""


def test_quickstart_url_for_examples_are_clean(project) -> None:
    assert project({"app.py": QUICKSTART}, "FLK201") == []


def test_typo_in_python_names_the_closest_endpoint_and_fixes_it(tmp_path: Path) -> None:
    source = QUICKSTART.replace("url_for('login', next='/')", "url_for('logn', next='/')")
    write_project(tmp_path, {"app.py": source})
    [found] = lint(tmp_path, "FLK201")
    assert found.message == (
        "`url_for('logn')`: no endpoint 'logn' (did you mean 'login'?); Flask raises BuildError here"
    )
    assert (found.start.row, found.start.column, found.end.row, found.end.column) == (20, 18, 20, 24)
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
    assert fix(tmp_path, "FLK201")["app.py"] == QUICKSTART
    assert lint(tmp_path, "FLK201") == []


def test_several_close_endpoints_are_named_without_a_fix(project) -> None:
    found = project(
        """
        from flask import Flask, url_for

        app = Flask(__name__)

        @app.route('/post/<int:id>')
        def post(id):
            return url_for('pots', id=1)

        @app.route('/posts')
        def posts():
            return 'all'
        """,
        "FLK201",
    )
    assert [d.message for d in found] == [
        "`url_for('pots')`: no endpoint 'pots' (did you mean 'posts' or 'post'?); Flask raises BuildError here"
    ]
    assert found[0].fix is None


def test_unknown_endpoint_without_a_close_match(project) -> None:
    found = project(QUICKSTART.replace("url_for('index')", "url_for('dashboard')"), "FLK201")
    assert [d.message for d in found] == ["`url_for('dashboard')`: no endpoint 'dashboard'; Flask raises BuildError here"]
    assert found[0].fix is None


def test_bare_view_name_of_a_blueprint_view_suggests_the_blueprint_endpoint(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": APP_WITH_AUTH, "auth.py": AUTH.format(target="login")})
    [found] = lint(tmp_path, "FLK201")
    assert found.message == (
        "`url_for('login')`: no endpoint 'login' (did you mean 'auth.login'?); Flask raises BuildError here"
    )
    assert (found.path, found.start.row, found.start.column) == ("auth.py", 11, 28)
    assert fix(tmp_path, "FLK201")["auth.py"] == AUTH.format(target="auth.login")


def test_blueprint_endpoints_absolute_and_relative_are_clean(project) -> None:
    files = {"app.py": APP_WITH_AUTH, "auth.py": AUTH.format(target=".login")}
    assert project(files, "FLK201") == []
    files["auth.py"] = AUTH.format(target="auth.login")
    assert project(files, "FLK201") == []


def test_relative_typo_resolves_against_the_views_blueprint(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": APP_WITH_AUTH, "auth.py": AUTH.format(target=".logn")})
    [found] = lint(tmp_path, "FLK201")
    assert found.message == (
        "`url_for('.logn')`: no endpoint 'auth.logn' (did you mean '.login' or '.logout'?); "
        "Flask raises BuildError here"
    )
    assert found.fix is not None  # '.login' is much closer than '.logout'
    assert fix(tmp_path, "FLK201")["auth.py"] == AUTH.format(target=".login")


def test_relative_endpoint_of_another_blueprint_is_reported(project) -> None:
    files = {
        "app.py": APP_WITH_AUTH + "from shop import shop\napp.register_blueprint(shop)\n",
        "auth.py": AUTH.format(target=".login"),
        "shop.py": """
            from flask import Blueprint, url_for

            shop = Blueprint("shop", __name__)

            @shop.route("/cart")
            def cart():
                return url_for(".login")
        """,
    }
    [found] = project(files, "FLK201")
    assert found.path == "shop.py"
    assert found.message.startswith("`url_for('.login')`: no endpoint 'shop.login'")


def test_relative_endpoint_in_an_app_view_resolves_against_the_app(project) -> None:
    found = project(
        """
        from flask import Flask, url_for

        app = Flask(__name__)

        @app.route('/')
        def index():
            return url_for('.index') + url_for('.missing')
        """,
        "FLK201",
    )
    assert [d.message.split(":")[0] for d in found] == ["`url_for('.missing')`"]


def test_relative_endpoint_in_a_helper_accepts_any_blueprint(project) -> None:
    files = {
        "app.py": APP_WITH_AUTH,
        "auth.py": AUTH.format(target="auth.login"),
        "helpers.py": """
            from flask import redirect, url_for

            def to_login():
                return redirect(url_for(".login"))

            def nowhere():
                return redirect(url_for(".nowhere"))
        """,
    }
    found = project(files, "FLK201")
    assert [d.message for d in found] == [
        "`url_for('.nowhere')`: no blueprint (nor the app) has an endpoint 'nowhere'; Flask raises BuildError here"
    ]


def test_relative_endpoint_in_a_blueprint_with_a_computed_name_is_not_reported(project) -> None:
    """The blueprint's registered name is unknown ("<name>.login"): `.login` may exist, as any
    "<unknown blueprint>.<view>" may (it used to be reported as "no endpoint " with no name at all)."""
    files = {
        "app.py": APP_WITH_AUTH,
        "auth.py": AUTH.format(target=".logn").replace('Blueprint("auth"', "Blueprint(NAME").replace(
            "bp = ", "import os\n\nNAME = os.environ['BLUEPRINT']\nbp = "
        ),
    }
    assert project(files, "FLK201") == []


def test_nested_blueprint_endpoints(project) -> None:
    source = """
        from flask import Flask, Blueprint, url_for

        admin = Blueprint("admin", __name__, url_prefix="/admin")
        users = Blueprint("users", __name__, url_prefix="/users")

        @users.route("/")
        def listing():
            return url_for("admin.users.listing") + url_for("{target}")

        admin.register_blueprint(users)
        app = Flask(__name__)
        app.register_blueprint(admin)
    """
    assert project(source.replace("{target}", ".listing"), "FLK201") == []
    [found] = project(source.replace("{target}", "users.listing"), "FLK201")
    assert "(did you mean 'admin.users.listing'?)" in found.message


def test_template_typo_with_did_you_mean_and_fix(tmp_path: Path) -> None:
    template = "<p>é</p>\r\n<a href=\"{{ url_for('index') }}\">Home</a> <a href=\"{{ url_for('logn') }}\">Log in</a>\r\n"
    write_project(tmp_path, {"app.py": QUICKSTART})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "nav.html").write_bytes(template.encode("utf-8"))
    [found] = lint(tmp_path, "FLK201")
    assert found.path == "templates/nav.html"
    assert (found.start.row, found.start.column, found.end.row, found.end.column) == (2, 62, 2, 68)
    assert "(did you mean 'login'?)" in found.message
    path = tmp_path / "templates" / "nav.html"
    fixed, applied = apply_fixes(path.read_bytes().decode("utf-8"), [found.fix])
    assert applied == 1 and fixed == template.replace("'logn'", "'login'")  # CRLF kept
    path.write_bytes(fixed.encode("utf-8"))
    assert lint(tmp_path, "FLK201") == []


def test_template_multiline_call_and_two_calls_on_one_line(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app.py": QUICKSTART,
            "templates/page.html": """\
                {{ url_for('lgin') }}{{ url_for('lgin') }}
                {{ url_for(
                     'profle',
                     username='ada') }}
            """,
        },
    )
    found = lint(tmp_path, "FLK201")
    assert [(d.start.row, d.start.column, d.end.column) for d in found] == [(1, 11, 17), (1, 32, 38), (3, 5, 13)]
    assert fix(tmp_path, "FLK201")["templates/page.html"] == textwrap.dedent(
        """\
        {{ url_for('login') }}{{ url_for('login') }}
        {{ url_for(
             'profile',
             username='ada') }}
        """
    )


def test_template_relative_endpoints_raw_blocks_and_unknown_tags(project) -> None:
    files = {
        "app.py": APP_WITH_AUTH,
        "auth.py": AUTH.format(target="auth.login"),
        "templates/auth.html": "{{ url_for('.login') }}{{ url_for('.logout') }}\n",
        "templates/raw.html": "{% raw %}{{ url_for('nothing') }}{% endraw %}\n",
        "templates/ext.html": "{% assets 'css' %}{% endassets %}\n{{ url_for('auth.logn') }}\n",
    }
    found = project(files, "FLK201")
    assert [(d.path, d.start.row, d.start.column) for d in found] == [("templates/ext.html", 2, 11)]


def test_silent_when_the_index_is_incomplete(project) -> None:
    computed = QUICKSTART + "\nfor name in ('a', 'b'):\n    app.add_url_rule('/' + name, name, index)\n"
    assert project(computed.replace("url_for('index')", "url_for('a')"), "FLK201") == []



ROUTE_HELPER = """\
from functools import wraps
from flask import Blueprint, Flask, redirect, url_for

app = Flask(__name__)
bp = Blueprint("stores", __name__, url_prefix="/stores")


def route(bp, *args, **kwargs):
    def decorator(f):
        @bp.route(*args, **kwargs)
        @wraps(f)
        def wrapper(*args, **kwargs):
            return f(*args, **kwargs)
        return f
    return decorator


@route(bp, "/")
def listing():
    return redirect(url_for("stores.show", store_id=1))


@route(bp, "/<int:store_id>")
def show(store_id):
    return redirect(url_for("stores.listing"))


app.register_blueprint(bp)
"""


def test_views_registered_through_a_route_helper_are_not_reported(project) -> None:
    # The helper forwards *args/**kwargs to bp.route on a @wraps wrapper: the endpoints are its
    # callers' view names, which the index cannot list, so nothing may be called unknown.
    assert project(ROUTE_HELPER, "FLK201") == []
    without_forwarding = ROUTE_HELPER.replace("@bp.route(*args, **kwargs)", '@bp.route("/w")')
    assert project(without_forwarding, "FLK201") == []


def test_views_registered_through_an_add_url_rule_helper_are_not_reported(project) -> None:
    files = {
        "app.py": """
            from flask import Flask
            from helpers import register_view
            from views import forum

            app = Flask(__name__)
            app.register_blueprint(forum)
        """,
        "helpers.py": """
            def register_view(bp_or_app, routes, view_func, *args, **kwargs):
                for route in routes:
                    bp_or_app.add_url_rule(route, view_func=view_func, *args, **kwargs)
        """,
        "views.py": """
            from flask import Blueprint, redirect, url_for
            from flask.views import MethodView
            from helpers import register_view

            forum = Blueprint("forum", __name__)


            class Index(MethodView):
                def get(self):
                    return redirect(url_for("forum.topic", topic_id=1))


            class Topic(MethodView):
                def get(self, topic_id):
                    return redirect(url_for("forum.index"))


            register_view(forum, routes=["/"], view_func=Index.as_view("index"))
            register_view(forum, routes=["/topic/<int:topic_id>"], view_func=Topic.as_view("topic"))
        """,
    }
    assert project(files, "FLK201") == []

def test_extension_blueprints_are_not_reported_but_known_ones_are(project) -> None:
    files = {
        "app.py": APP_WITH_AUTH + "from flask_admin import Admin\nadmin = Admin(app)\n",
        "auth.py": AUTH.format(target="admin.index"),
    }
    assert project(files, "FLK201") == []
    files["auth.py"] = AUTH.format(target="auth.logn")
    assert [d.message.split(":")[0] for d in project(files, "FLK201")] == ["`url_for('auth.logn')`"]


def test_dynamic_endpoints_and_projects_without_an_app_are_skipped(project) -> None:
    assert project("from flask import url_for\n\ndef link(name):\n    return url_for(name)\n", "FLK201") == []
    assert project("from flask import url_for\n\ndef link():\n    return url_for('x')\n", "FLK201") == []


def test_app_factory_and_wsgi_module(project) -> None:
    files = {
        "pkg/__init__.py": """
            from flask import Flask, url_for

            def create_app():
                app = Flask(__name__)

                @app.route("/")
                def index():
                    return url_for("index") + url_for("hook") + url_for("indx")

                return app
        """,
        "wsgi.py": """
            from pkg import create_app

            app = create_app()

            @app.post("/hook")
            def hook():
                return "ok"
        """,
    }
    assert [d.message.split(":")[0] for d in project(files, "FLK201")] == ["`url_for('indx')`"]


def test_a_blueprint_rule_without_a_leading_slash_is_joined_to_its_prefix_not_dropped(tmp_path: Path) -> None:
    """`@main.route("other")` under `url_prefix="/x"` is `/x/other` in real Flask: `main.other` exists, and
    the index, which cannot place that rule, stays silent about the blueprint's endpoints."""
    app = (
        "from flask import Blueprint, Flask, url_for\n\n"
        "main = Blueprint('main', __name__)\n\n\n"
        "@main.route('other')\ndef other():\n    return url_for('main.other') + url_for('main.gone')\n\n\n"
        "@main.route('/')\ndef home():\n    return ''\n\n\n"
        "app = Flask(__name__)\napp.register_blueprint(main, url_prefix='/x')\n"
        "print(url_for('missing'))\n"
    )
    write_project(tmp_path, {"app.py": app})
    assert [d.message for d in lint(tmp_path, "FLK201")] == [
        "`url_for('missing')`: no endpoint 'missing'; Flask raises BuildError here"
    ]


def test_an_endpoint_given_to_a_project_registrar_may_exist(tmp_path: Path) -> None:
    """redash registers its API through `api.add_org_resource(R, "/api/queries", endpoint="queries")`, a
    method of its own Flask-RESTful Api subclass, in a module naming nothing else the pre-scan looks for."""
    files = {
        "app.py": (
            "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n"
            "    return url_for('queries') + url_for('missing')\n"
        ),
        "api.py": "from ext import ApiExt\n\napi = ApiExt()\napi.add_org_resource(Queries, '/api/queries', endpoint='queries')\n",
    }
    write_project(tmp_path, files)
    assert [d.message for d in lint(tmp_path, "FLK201")] == [
        "`url_for('missing')`: no endpoint 'missing'; Flask raises BuildError here"
    ]
