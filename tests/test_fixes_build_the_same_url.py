"""A safe fix is a proven fix (issue 11, section 3): FLK203's safe fixes, applied with the project's own
fix machinery, must make real Flask build exactly the URL the literal held, in the app that owns it.

Each fixture project is served by real Flask in a subprocess (cwd = the project, which is imported
there and only there: the linter never imports analysed code, and the test process stays clean).
Every view named in the test is requested before and after the safe fixes; the responses (status,
`Location` header, body) must be identical. A template's body is rendered by the view that really
renders it, so each `{{ url_for(...) }}` is built in the request context of its owning app (its
blueprint, its `DispatcherMiddleware` mount); a redirect's `Location` is the URL the fixed
`redirect(url_for(...))` built. Where ownership is not proven the fix must not be safe, and the
unsafe fix shows why: real Flask raises `BuildError` in the other app. FLK201's did-you-mean fix is
unsafe, and once applied real Flask builds the URL in the owning app.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest.mock import ANY

import pytest

from rule_testing import fix_and_relint, lint, write_project
from flasklint.diagnostics import Applicability, Diagnostic

pytest.importorskip("flask", reason="Flask is a test dependency (pip install -e '.[dev]')")

Request = tuple[str, str]  # (WSGI object as "module:attribute" or "module:factory()", path requested)
Response = tuple[str, str | None, str]  # (status or exception, Location header, body)
Offered = tuple[str, int, str, str]  # (path, row, applicability, replacement) of a fix

SERVE = """\
import importlib, json, sys
from flask import Flask
from werkzeug.test import Client


def wsgi(target):
    module, _, attribute = target.partition(":")
    application = getattr(importlib.import_module(module), attribute.removesuffix("()"))
    if attribute.endswith("()"):
        application = application()
    for app in [application, getattr(application, "app", None), *getattr(application, "mounts", {}).values()]:
        if isinstance(app, Flask):
            app.testing = True  # a BuildError propagates instead of becoming a 500
    return application


def get(target, path):
    try:
        response = Client(wsgi(target)).get(path)
    except Exception as error:
        return [f"{type(error).__name__}: {error}", None, ""]
    return [response.status, response.headers.get("Location"), response.get_data(as_text=True)]


print(json.dumps([get(target, path) for target, path in json.loads(sys.argv[1])]))
"""


def serve(root: Path, requests: list[Request], env: dict[str, str] | None = None) -> list[Response]:
    """What real Flask answers to each request, the project imported in a fresh interpreter."""
    command = [sys.executable, "-B", "-c", SERVE, json.dumps(requests)]
    environment = {**os.environ, **(env or {})}
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    return [tuple(answer) for answer in json.loads(result.stdout)]  # type: ignore[misc]


def fixes(diagnostics: list[Diagnostic], code: str = "FLK203") -> list[Offered]:
    """(path, row, applicability, replacement) of each fix of `code` (the replacement: its first edit)."""
    return [
        (d.path, d.start.row, d.fix.applicability.value, d.fix.edits[0].content)
        for d in diagnostics
        if d.code == code and d.fix is not None
    ]


def check_safe_fixes_build_the_same_urls(
    root: Path, files: dict[str, str] | None, requests: list[Request], env: dict[str, str] | None = None
) -> list[Offered]:
    """Write the project (unless already there), serve it, apply FLK203's safe fixes, serve it again:
    every answer is the same and no request fails. Every safe fix's literal must be in what the requests
    return (a page's body or a `Location`), so none goes unchecked. Returns the fixes the rule offered,
    for the caller to pin."""
    if files is not None:
        write_project(root, files)
    before = serve(root, requests, env)
    assert all(status.startswith(("200", "302")) for status, _, _ in before), before
    diagnostics = lint(root)
    safe = [d for d in diagnostics if d.code == "FLK203" and d.fix and d.fix.applicability is Applicability.SAFE]
    assert safe, "no safe fix to check"
    for diagnostic in safe:
        literal = _replaced_url(root, diagnostic)
        assert any(literal == location or literal in body for _, location, body in before), (
            f"no request shows {literal!r} of {diagnostic.path}:{diagnostic.start.row}"
        )
    fix_and_relint(root, "FLK203", unsafe=False)
    assert serve(root, requests, env) == before
    return fixes(diagnostics)


def _replaced_url(root: Path, diagnostic: Diagnostic) -> str:
    """The URL the fix replaces: the template's attribute text, or the value of the Python literal."""
    line = (root / diagnostic.path).read_text(encoding="utf-8").splitlines()[diagnostic.start.row - 1]
    text = line[diagnostic.start.column : diagnostic.end.column]
    return ast.literal_eval(text) if diagnostic.path.endswith(".py") else text


# -- one repository, two apps with the same paths, blueprints (url_prefix, nested), route variables ---
SHOP = {
    "shop/__init__.py": """\
        from flask import Flask, redirect, render_template, url_for

        from shop.catalog import catalog

        app = Flask(__name__)
        app.register_blueprint(catalog, url_prefix="/catalog")


        @app.route("/")
        def home():
            return render_template("home.html")


        @app.route("/login")
        def login():
            return "shop login"


        @app.route("/logout")
        def logout():
            return redirect("/login")


        @app.route("/deal")
        def deal():
            return redirect("/catalog/items/42")
        """,
    "shop/catalog.py": """\
        from flask import Blueprint, redirect, render_template, url_for

        catalog = Blueprint("catalog", __name__, url_prefix="/ignored", template_folder="templates")
        reviews = Blueprint("reviews", __name__)


        @catalog.route("/")
        def index():
            return render_template("catalog/index.html")


        @catalog.route("/items/<int:item_id>")
        def item(item_id):
            return f"item {item_id}"


        @catalog.route("/by/<name>")
        def by_maker(name):
            return name


        @reviews.route("/<int:review_id>")
        def review(review_id):
            return redirect("/catalog/items/7")


        catalog.register_blueprint(reviews, url_prefix="/reviews")
        """,
    "shop/templates/home.html": """\
        <link rel="stylesheet" href="/static/shop.css">
        <a href="/catalog/">Catalog</a>
        <a href="/catalog/items/42">Item 42</a>
        <a href="/catalog/reviews/7">Review 7</a>
        <a href="/login">Log in</a>
        """,
    "shop/templates/catalog/index.html": """\
        <a href="/catalog/by/acme">Acme</a> <a href="/catalog/items/1">First</a>
        """,
    "shop/static/shop.css": "body {}\n",
    "admin/__init__.py": """\
        from flask import Flask, redirect, render_template, url_for

        app = Flask(__name__)


        @app.route("/")
        def dashboard():
            return render_template("dashboard.html")


        @app.route("/login")
        def admin_login():
            return "admin login"


        @app.route("/logout")
        def admin_logout():
            return redirect("/login")
        """,
    "admin/templates/dashboard.html": '<a href="/login">Admin log in</a>\n',
}
SHOP_REQUESTS = [
    ("shop:app", "/"),
    ("shop:app", "/logout"),
    ("shop:app", "/deal"),
    ("shop:app", "/catalog/"),
    ("shop:app", "/catalog/reviews/3"),
    ("admin:app", "/"),
    ("admin:app", "/logout"),
]


def test_safe_fixes_in_two_apps_with_blueprints_build_the_same_urls(tmp_path: Path) -> None:
    """`/login` is `login` in shop and `admin_login` in admin: each file gets its own app's endpoint; the
    registration's url_prefix wins over the Blueprint's, the nested blueprint's prefixes add up, and
    `/catalog/items/42` becomes `item_id=42` for the `int` converter."""
    offered = check_safe_fixes_build_the_same_urls(tmp_path, SHOP, SHOP_REQUESTS)
    assert offered == [
        ("admin/__init__.py", 18, "safe", 'url_for("admin_login")'),
        ("admin/templates/dashboard.html", 1, "safe", "{{ url_for('admin_login') }}"),
        ("shop/__init__.py", 21, "safe", 'url_for("login")'),
        ("shop/__init__.py", 26, "safe", 'url_for("catalog.item", item_id=42)'),
        ("shop/catalog.py", 24, "safe", 'url_for("catalog.item", item_id=7)'),
        ("shop/templates/catalog/index.html", 1, "safe", "{{ url_for('catalog.by_maker', name='acme') }}"),
        ("shop/templates/catalog/index.html", 1, "safe", "{{ url_for('catalog.item', item_id=1) }}"),
        ("shop/templates/home.html", 1, "safe", "{{ url_for('static', filename='shop.css') }}"),
        ("shop/templates/home.html", 2, "safe", "{{ url_for('catalog.index') }}"),
        ("shop/templates/home.html", 3, "safe", "{{ url_for('catalog.item', item_id=42) }}"),
        ("shop/templates/home.html", 4, "safe", "{{ url_for('catalog.reviews.review', review_id=7) }}"),
        ("shop/templates/home.html", 5, "safe", "{{ url_for('login') }}"),
    ]


def test_safe_fixes_in_a_factory_app_build_the_same_urls(tmp_path: Path) -> None:
    """The tutorial's layout: `create_app()` registers `auth` under /auth; its templates and views are
    the factory's app's, proven, and `url_for` builds the same paths."""
    files = {
        "flaskr/__init__.py": """\
            from flask import Flask, render_template


            def create_app():
                app = Flask(__name__)
                app.config.from_mapping(SECRET_KEY="dev")

                from flaskr import auth

                app.register_blueprint(auth.bp, url_prefix="/auth")

                @app.route("/")
                def index():
                    return render_template("index.html")

                return app
            """,
        "flaskr/auth.py": """\
            from flask import Blueprint, redirect, render_template, url_for

            bp = Blueprint("auth", __name__)


            @bp.route("/login")
            def login():
                return render_template("auth/login.html")


            @bp.route("/logout")
            def logout():
                return redirect("/")
            """,
        "flaskr/templates/index.html": '<a href="/auth/login">Log in</a>\n',
        "flaskr/templates/auth/login.html": '<a href="/">Home</a> <a href="/auth/logout">Log out</a>\n',
    }
    requests = [("flaskr:create_app()", path) for path in ("/", "/auth/login", "/auth/logout")]
    offered = check_safe_fixes_build_the_same_urls(tmp_path, files, requests)
    assert offered == [
        ("flaskr/auth.py", 13, "safe", 'url_for("index")'),
        ("flaskr/templates/auth/login.html", 1, "safe", "{{ url_for('index') }}"),
        ("flaskr/templates/auth/login.html", 1, "safe", "{{ url_for('auth.logout') }}"),
        ("flaskr/templates/index.html", 1, "safe", "{{ url_for('auth.login') }}"),
    ]


# -- an app mounted by DispatcherMiddleware ----------------------------------------------------------
MOUNTED = {
    "front.py": """\
        from flask import Flask, redirect

        front = Flask(__name__)


        @front.route("/")
        def home():
            return redirect("/api/users")
        """,
    "api/__init__.py": """\
        from flask import Flask, redirect, render_template, url_for

        api = Flask(__name__)


        @api.route("/users")
        def users():
            return render_template("list.html")


        @api.route("/users/<int:uid>")
        def user(uid):
            return str(uid)


        @api.route("/old")
        def old():
            return redirect("/api/users/42")
        """,
    "api/templates/list.html": '<a href="/api/users/42">Ada</a> <a href="/api/users">all</a>\n',
    "wsgi.py": """\
        from werkzeug.middleware.dispatcher import DispatcherMiddleware

        from api import api
        from front import front

        application = DispatcherMiddleware(front, {"/api": api})
        """,
}


def test_safe_fixes_in_a_mounted_app_build_the_same_urls_under_its_mount(tmp_path: Path) -> None:
    """Served through the dispatcher (SCRIPT_NAME `/api`), `url_for('user', uid=42)` is `/api/users/42`.
    front's redirect to `/api/users` is another app's URL, which front's `url_for` cannot build: no finding."""
    requests = [("wsgi:application", "/"), ("wsgi:application", "/api/users"), ("wsgi:application", "/api/old")]
    offered = check_safe_fixes_build_the_same_urls(tmp_path, MOUNTED, requests)
    assert offered == [
        ("api/__init__.py", 18, "safe", 'url_for("user", uid=42)'),
        ("api/templates/list.html", 1, "safe", "{{ url_for('user', uid=42) }}"),
        ("api/templates/list.html", 1, "safe", "{{ url_for('users') }}"),
    ]


def test_the_multi_app_examples_safe_fixes_build_the_same_urls(tmp_path: Path) -> None:
    """examples/multi_app, served as gunicorn serves it (wsgi.py: the shop at the root, the back office
    under /admin): each page and redirect is the same once the safe fixes are applied."""
    example = Path(__file__).resolve().parents[1] / "examples" / "multi_app"
    shutil.copytree(example, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", ".flasklint_cache"))
    pages = ["/", "/logout", "/catalog/", "/catalog/items/42", "/catalog/latest", "/admin/", "/admin/login"]
    env = {"SHOP_SECRET_KEY": "test", "DOWNLOAD_KEY": "test"}
    broken = serve(tmp_path, [("wsgi:application", "/login"), ("wsgi:application", "/admin/logout")], env)
    assert [status.partition(" Did you mean")[0] for status, _, _ in broken] == [  # its FLK201s are true
        "BuildError: Could not build url for endpoint 'catalog.indx'.",
        "BuildError: Could not build url for endpoint 'home'.",
    ]
    offered = check_safe_fixes_build_the_same_urls(tmp_path, None, [("wsgi:application", page) for page in pages], env)
    assert [(path, row, applicability) for path, row, applicability, _ in offered] == [
        ("admin/__init__.py", 34, "safe"),
        ("admin/templates/dashboard.html", 5, "safe"),
        ("shop/__init__.py", 33, "safe"),
        ("shop/catalog.py", 24, "unsafe"),
        ("shop/templates/base.html", 6, "safe"),
        ("shop/templates/base.html", 11, "safe"),
        ("shop/templates/home.html", 4, "safe"),
    ]


def test_safe_fixes_in_python_build_the_same_location_however_url_for_is_spelled(tmp_path: Path) -> None:
    """`flask.redirect`, a `Location` header and a fragment (`_anchor=`): the fix spells `url_for` as the
    module imports it (`flask.url_for`), and the `Location` Flask sends is the same."""
    files = {
        "app.py": """\
            import flask
            from flask import Flask, redirect

            app = Flask(__name__)


            @app.route("/login")
            def login():
                return "login"


            @app.route("/a")
            def a():
                return flask.redirect("/login")


            @app.route("/b")
            def b():
                return redirect("/login#top")


            @app.route("/c")
            def c():
                response = flask.make_response("", 302)
                response.headers["Location"] = "/login"
                return response
            """,
    }
    offered = check_safe_fixes_build_the_same_urls(tmp_path, files, [("app:app", "/a"), ("app:app", "/b"), ("app:app", "/c")])
    assert offered == [
        ("app.py", 14, "safe", 'flask.url_for("login")'),
        ("app.py", 19, "safe", 'flask.url_for("login", _anchor="top")'),
        ("app.py", 25, "safe", 'flask.url_for("login")'),
    ]


def test_an_endpoint_with_two_rules_gets_no_safe_fix_as_flask_builds_only_one(tmp_path: Path) -> None:
    """`about` answers `/about` and `/old-about`; `url_for('about')` builds the rule registered first
    (the lower decorator): the fix for `/about` is unsafe, and real Flask shows why."""
    files = {
        "app.py": """\
            from flask import Flask, render_template

            app = Flask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")


            @app.route("/about")
            @app.route("/old-about")
            def about():
                return "about"
            """,
        "templates/index.html": '<a href="/about">About</a> <a href="/old-about">Old</a>\n',
    }
    write_project(tmp_path, files)
    assert fixes(lint(tmp_path)) == [
        ("templates/index.html", 1, "unsafe", "{{ url_for('about') }}"),
        ("templates/index.html", 1, "unsafe", "{{ url_for('about') }}"),
    ]
    fix_and_relint(tmp_path, "FLK203", unsafe=True)
    assert serve(tmp_path, [("app:app", "/")]) == [
        ("200 OK", None, '<a href="/old-about">About</a> <a href="/old-about">Old</a>')
    ]


def test_safe_fixes_in_an_app_serving_itself_under_a_prefix_build_the_same_urls(tmp_path: Path) -> None:
    """`app.wsgi_app = DispatcherMiddleware(not_found, {"/shop": app.wsgi_app})`: the app's URLs are under
    /shop, so `/shop/login` is its `login`; its `redirect("/login")` is no URL of this app: no finding."""
    files = {
        "app.py": """\
            from flask import Flask, redirect, render_template, url_for
            from werkzeug.middleware.dispatcher import DispatcherMiddleware
            from werkzeug.wrappers import Response

            app = Flask(__name__)
            app.wsgi_app = DispatcherMiddleware(Response("Not Found", status=404), {"/shop": app.wsgi_app})


            @app.route("/")
            def index():
                return render_template("index.html")


            @app.route("/login")
            def login():
                return "login"


            @app.route("/elsewhere")
            def elsewhere():
                return redirect("/login")
            """,
        "templates/index.html": '<a href="/shop/login">Log in</a>\n',
    }
    requests = [("app:app", "/shop/"), ("app:app", "/shop/elsewhere")]
    offered = check_safe_fixes_build_the_same_urls(tmp_path, files, requests)
    assert offered == [("templates/index.html", 1, "safe", "{{ url_for('login') }}")]


# -- where the owner is not proven, no safe fix; real Flask shows why ----------------------------------
SHARED_TEMPLATE = {
    "portal.py": """\
        from flask import Flask, render_template

        app = Flask(__name__)


        @app.route("/")
        def page():
            return render_template("page.html")


        @app.route("/home")
        def home():
            return "home"
        """,
    "blog.py": """\
        from flask import Flask, redirect, render_template, url_for

        app = Flask(__name__)


        @app.route("/")
        def page():
            return render_template("page.html")


        @app.route("/leave")
        def leave():
            return redirect("/home")
        """,
    "templates/page.html": '<a href="/home">home</a>\n',
    "templates/blog_only.html": '<a href="/home">not blog\'s</a>\n',
}


def test_a_template_two_apps_render_gets_no_safe_fix_and_the_unsafe_one_breaks_the_other_app(tmp_path: Path) -> None:
    """portal and blog both render templates/page.html; only portal has `/home`. The fix is unsafe, and
    indeed once applied blog's page raises BuildError. blog's own redirect to `/home` names no route
    of blog: no finding at all (the endpoint is only in another app)."""
    write_project(tmp_path, SHARED_TEMPLATE)
    diagnostics = lint(tmp_path)
    assert [(d.path, d.start.row, d.start.column) for d in diagnostics if d.code == "FLK203"] == [
        ("templates/blog_only.html", 1, 9),
        ("templates/page.html", 1, 9),
    ]
    assert fixes(diagnostics) == [
        ("templates/blog_only.html", 1, "unsafe", "{{ url_for('home') }}"),
        ("templates/page.html", 1, "unsafe", "{{ url_for('home') }}"),
    ]
    assert fix_and_relint(tmp_path, "FLK203", unsafe=False) == {}
    fix_and_relint(tmp_path, "FLK203", unsafe=True)
    portal, blog = serve(tmp_path, [("portal:app", "/"), ("blog:app", "/")])
    assert portal == ("200 OK", None, '<a href="/home">home</a>')
    assert blog[0].startswith("BuildError: Could not build url for endpoint 'home'.")


def test_a_link_to_a_route_only_another_app_has_gets_no_finding(tmp_path: Path) -> None:
    """admin renders dashboard.html: `/catalog/` is shop's, not admin's; `/login` is admin's own."""
    files = {**SHOP, "admin/templates/dashboard.html": '<a href="/catalog/">shop</a> <a href="/login">in</a>\n'}
    write_project(tmp_path, files)
    assert [f for f in fixes(lint(tmp_path)) if f[0].startswith("admin/templates/")] == [
        ("admin/templates/dashboard.html", 1, "safe", "{{ url_for('admin_login') }}")
    ]


def test_a_blueprint_two_factories_register_under_other_prefixes_gets_no_safe_fix(tmp_path: Path) -> None:
    """parts is registered under /a by one factory and under /b by the other: in its template and its
    views `url_for('parts.x')` is `/a/x` in one app and `/b/x` in the other, so no fix is safe."""
    files = {
        "parts/__init__.py": """\
            from flask import Blueprint, redirect, render_template, url_for

            bp = Blueprint("parts", __name__, template_folder="templates")


            @bp.route("/x")
            def x():
                return render_template("parts/x.html")


            @bp.route("/y")
            def y():
                return redirect("/a/x")
            """,
        "parts/templates/parts/x.html": '<a href="/a/x">x</a>\n',
        "one/__init__.py": "from flask import Flask\n\nfrom parts import bp\n\n\ndef create_app():\n"
        '    app = Flask(__name__)\n    app.register_blueprint(bp, url_prefix="/a")\n    return app\n',
        "two/__init__.py": "from flask import Flask\n\nfrom parts import bp\n\n\ndef create_app():\n"
        '    app = Flask(__name__)\n    app.register_blueprint(bp, url_prefix="/b")\n    return app\n',
    }
    write_project(tmp_path, files)
    assert fixes(lint(tmp_path)) == [
        ("parts/__init__.py", 13, "unsafe", 'url_for("parts.x")'),
        ("parts/templates/parts/x.html", 1, "unsafe", "{{ url_for('parts.x') }}"),
    ]
    requests = [("one:create_app()", "/a/x"), ("one:create_app()", "/a/y"), ("two:create_app()", "/b/x"), ("two:create_app()", "/b/y")]
    before = serve(tmp_path, requests)
    fix_and_relint(tmp_path, "FLK203", unsafe=True)
    after = serve(tmp_path, requests)
    assert after[:2] == before[:2]
    assert [(a[1], a[2]) for a in before[2:]] == [(None, '<a href="/a/x">x</a>'), ("/a/x", ANY)]
    assert [(a[1], a[2]) for a in after[2:]] == [(None, '<a href="/b/x">x</a>'), ("/b/x", ANY)]


# -- FLK201: the did-you-mean fix is unsafe, and then the URL builds in the owning app ----------------
TYPO = {
    "shop/__init__.py": SHOP["shop/__init__.py"].replace('redirect("/login")', 'redirect(url_for("logn"))'),
    "shop/catalog.py": SHOP["shop/catalog.py"],
    "shop/templates/home.html": "<a href=\"{{ url_for('catalog.reviews.reviw', review_id=3) }}\">3</a>\n",
    "shop/templates/catalog/index.html": "<a href=\"{{ url_for('.by_makr', name='acme') }}\">acme</a>\n",
    "admin/__init__.py": SHOP["admin/__init__.py"].replace('redirect("/login")', 'redirect(url_for("dashbord"))'),
}


def test_did_you_mean_fixes_are_unsafe_and_build_in_the_owning_app(tmp_path: Path) -> None:
    write_project(tmp_path, TYPO)
    requests = [("shop:app", "/logout"), ("shop:app", "/"), ("shop:app", "/catalog/"), ("admin:app", "/logout")]
    before = serve(tmp_path, requests)
    assert [answer[0].split(":")[0] for answer in before] == ["BuildError"] * 4
    assert fixes(lint(tmp_path), "FLK201") == [
        ("admin/__init__.py", 18, "unsafe", "dashboard"),
        ("shop/__init__.py", 21, "unsafe", "login"),
        ("shop/templates/catalog/index.html", 1, "unsafe", ".by_maker"),
        ("shop/templates/home.html", 1, "unsafe", "catalog.reviews.review"),
    ]
    assert fix_and_relint(tmp_path, "FLK201", unsafe=False) == {}
    fix_and_relint(tmp_path, "FLK201", unsafe=True)
    after = serve(tmp_path, requests)
    assert [(status, location) for status, location, _ in after] == [
        ("302 FOUND", "/login"),
        ("200 OK", None),
        ("200 OK", None),
        ("302 FOUND", "/"),
    ]
    assert [body for _, _, body in after[1:3]] == ['<a href="/catalog/reviews/3">3</a>', '<a href="/catalog/by/acme">acme</a>']


def test_did_you_mean_suggests_only_the_owning_apps_endpoints(tmp_path: Path) -> None:
    """`reports` is app a's; in app b, `url_for('reprts')` and `url_for('reports')` get b's `reprt`,
    which real Flask builds in b (a's `reports` would raise BuildError there)."""
    files = {
        "a/__init__.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/reports")\n'
        'def reports():\n    return "r"\n',
        "b/__init__.py": 'from flask import Flask, render_template, url_for\n\napp = Flask(__name__)\n\n\n'
        '@app.route("/")\ndef home():\n    return render_template("home.html") + url_for("reprts")\n\n\n'
        '@app.route("/reprt")\ndef reprt():\n    return "x"\n',
        "b/templates/home.html": "{{ url_for('reprts') }} {{ url_for('reports') }}\n",
    }
    write_project(tmp_path, files)
    assert fixes(lint(tmp_path), "FLK201") == [
        ("b/__init__.py", 8, "unsafe", "reprt"),
        ("b/templates/home.html", 1, "unsafe", "reprt"),
        ("b/templates/home.html", 1, "unsafe", "reprt"),
    ]
    assert serve(tmp_path, [("b:app", "/")])[0][0].startswith("BuildError: Could not build url for endpoint 'reprts'")
    fix_and_relint(tmp_path, "FLK201", unsafe=True)
    assert serve(tmp_path, [("b:app", "/")]) == [("200 OK", None, "/reprt /reprt/reprt")]


# -- real Flask's counter-examples: where url_for builds another URL, no safe fix ---------------------
def test_an_endpoint_whose_other_rule_has_defaults_gets_no_safe_fix(tmp_path: Path) -> None:
    """`page` answers `/page/` (defaults n=1) and `/page/<int:n>`: `url_for('page', n=1)` builds `/page/`
    (and Werkzeug answers `/page/1` with a 308 to it), so neither link's fix is safe."""
    files = {
        "app.py": """\
            from flask import Flask, render_template

            app = Flask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")


            @app.route("/page/", defaults={"n": 1})
            @app.route("/page/<int:n>")
            def page(n):
                return str(n)
            """,
        "templates/index.html": '<a href="/page/1">first</a> <a href="/page/2">second</a>\n',
    }
    write_project(tmp_path, files)
    assert fixes(lint(tmp_path)) == [
        ("templates/index.html", 1, "unsafe", "{{ url_for('page', n=1) }}"),
        ("templates/index.html", 1, "unsafe", "{{ url_for('page', n=2) }}"),
    ]
    fix_and_relint(tmp_path, "FLK203", unsafe=True)
    assert serve(tmp_path, [("app:app", "/"), ("app:app", "/page/1")]) == [
        ("200 OK", None, '<a href="/page/">first</a> <a href="/page/2">second</a>'),
        ("308 PERMANENT REDIRECT", "http://localhost/page/", ANY),
    ]


def test_a_route_on_a_subdomain_is_no_link_of_the_apps_own_host(tmp_path: Path) -> None:
    """Blueprint(subdomain=...), register_blueprint(subdomain=...) and route(subdomain=...): `url_for`
    builds `http://api.localhost/ping`, and the app's own host answers `/ping` with 404: no finding."""
    files = {
        "app.py": """\
            from flask import Blueprint, Flask, render_template, url_for

            app = Flask(__name__)
            api = Blueprint("api", __name__, subdomain="api")
            bp = Blueprint("bp", __name__)


            @api.route("/ping")
            def ping():
                return "pong"


            @bp.route("/pong")
            def pong():
                return "ping"


            app.register_blueprint(api)
            app.register_blueprint(bp, subdomain="bp")


            @app.route("/status", subdomain="status")
            def status():
                return "ok"


            @app.route("/")
            def index():
                return render_template("index.html", built=url_for("api.ping"))
            """,
        "templates/index.html": '<a href="/ping">ping</a> <a href="/pong">pong</a> <a href="/status">up</a> {{ built }}\n',
    }
    write_project(tmp_path, files)
    assert [d for d in lint(tmp_path) if d.code == "FLK203"] == []
    answers = serve(tmp_path, [("app:app", "/"), ("app:app", "/ping")])
    assert [answer[:2] for answer in answers] == [("200 OK", None), ("404 NOT FOUND", None)]
    assert answers[0][2].endswith("http://api.localhost/ping")


def test_a_url_defaults_callback_changes_what_url_for_builds(tmp_path: Path) -> None:
    files = {
        "app.py": """\
            import hashlib

            from flask import Flask, render_template

            app = Flask(__name__)


            @app.url_defaults
            def hashed_static(endpoint, values):
                if endpoint == "static" and "filename" in values:
                    values["v"] = hashlib.sha256(values["filename"].encode()).hexdigest()[:8]


            @app.route("/")
            def index():
                return render_template("index.html")
            """,
        "templates/index.html": '<link rel="stylesheet" href="/static/shop.css">\n',
        "static/shop.css": "body {}\n",
    }
    write_project(tmp_path, files)
    before = serve(tmp_path, [("app:app", "/")])
    offered = fixes(lint(tmp_path))
    assert [applicability for _, _, applicability, _ in offered] == ["unsafe"]
    fix_and_relint(tmp_path, "FLK203", unsafe=True)  # why it is unsafe: url_for adds the callback's `v`
    after = serve(tmp_path, [("app:app", "/")])
    assert after != before and "/static/shop.css?v=" in after[0][2]


def test_a_flask_subclass_overriding_url_for_changes_what_url_for_builds(tmp_path: Path) -> None:
    files = {
        "app.py": """\
            from flask import Flask, render_template


            class CdnFlask(Flask):
                def url_for(self, endpoint, **values):
                    url = super().url_for(endpoint, **values)
                    return "https://cdn.example.com" + url if endpoint == "static" else url


            app = CdnFlask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")
            """,
        "templates/index.html": '<img src="/static/logo.png">\n',
    }
    write_project(tmp_path, files)
    offered = fixes(lint(tmp_path))
    assert [applicability for _, _, applicability, _ in offered] == ["unsafe"]
    fix_and_relint(tmp_path, "FLK203", unsafe=True)  # why it is unsafe: the subclass's url_for adds the CDN
    assert "https://cdn.example.com/static/logo.png" in serve(tmp_path, [("app:app", "/")])[0][2]


def test_a_fix_never_writes_a_value_the_language_cannot_parse(tmp_path: Path) -> None:
    files = {
        "app.py": """\
            from flask import Flask, render_template

            app = Flask(__name__)


            @app.route("/")
            def index():
                return render_template("index.html")


            @app.route("/users/<int:uid>")
            def user(uid):
                return str(uid)
            """,
        "templates/index.html": '<a href="/users/４２">42</a>\n',
    }
    write_project(tmp_path, files)
    # Werkzeug's int converter takes fullwidth digits (this is the route), but `uid=４２` would not parse.
    assert [(d.code, d.fix) for d in lint(tmp_path) if d.code == "FLK203"] == [("FLK203", None)]


def test_a_view_two_apps_route_and_a_blueprint_two_apps_register_get_no_safe_fix(tmp_path: Path) -> None:
    """`both` is a view of `app` and of `other`; only `app` has `one_only`: the unsafe fix raises BuildError
    under `other`. The blueprint `common` is registered in two apps: its redirect's owner is not one app."""
    files = {
        "common/__init__.py": """\
            from flask import Blueprint, redirect, url_for

            bp = Blueprint("common", __name__)


            @bp.route("/help")
            def help():
                return "help"


            @bp.route("/old-help")
            def old_help():
                return redirect("/help")
            """,
        "one.py": """\
            from flask import Flask, redirect, url_for

            from common import bp

            app = Flask(__name__)
            app.register_blueprint(bp)
            other = Flask("other")
            other.register_blueprint(bp)


            @app.route("/one-only")
            def one_only():
                return "one"


            @app.route("/both")
            @other.route("/both")
            def both():
                return redirect("/one-only")
            """,
    }
    write_project(tmp_path, files)
    assert fixes(lint(tmp_path)) == [
        ("common/__init__.py", 13, "unsafe", 'url_for("common.help")'),
        ("one.py", 19, "unsafe", 'url_for("one_only")'),
    ]
    assert fix_and_relint(tmp_path, "FLK203", unsafe=False) == {}
    fix_and_relint(tmp_path, "FLK203", unsafe=True)
    answers = serve(tmp_path, [("one:app", "/both"), ("one:other", "/both"), ("one:other", "/old-help")])
    assert [(status.partition(" Did you mean")[0], location) for status, location, _ in answers] == [
        ("302 FOUND", "/one-only"),
        ("BuildError: Could not build url for endpoint 'one_only'.", None),
        ("302 FOUND", "/help"),
    ]
