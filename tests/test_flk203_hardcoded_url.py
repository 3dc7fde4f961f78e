"""FLK203 hardcoded-url: literal paths of the app's own routes in views and templates."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rule_testing import fix, fix_and_relint, lint, write_project
from flasklint.diagnostics import Applicability

ROUTES = """\
app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/posts/<int:post_id>")
def post(post_id):
    return "post"

@app.route("/user/<username>")
def profile(username):
    return username
"""


def app_source(body: str, imports: str = "from flask import Flask, redirect") -> str:
    return f"{imports}\n\n{ROUTES}\n" + textwrap.dedent(body)


def only_fix(tmp_path: Path, files: dict[str, str], path: str) -> str:
    """`path` after fixing FLK203: it re-parses, the fixed findings are gone and nothing new appears."""
    write_project(tmp_path, files)
    return fix_and_relint(tmp_path, "FLK203")[path]


# -- Python -----------------------------------------------------------------------------------------
def test_redirect_literal_is_reported_with_exact_span_and_message(tmp_path: Path) -> None:
    source = app_source(
        """
        @app.route("/logout")
        def logout():
            return redirect("/login")
        """
    )
    write_project(tmp_path, {"app.py": source})
    [found] = lint(tmp_path, "FLK203")
    assert found.message == (
        "hardcoded URL `/login` of this app's route 'login': use `url_for(\"login\")` so it follows the app's "
        "URL prefix and route changes"
    )
    assert (found.start.row, found.start.column, found.end.row, found.end.column) == (20, 20, 20, 28)
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE  # url_for is imported by it
    assert fix(tmp_path, "FLK203")["app.py"] == source.replace(
        "from flask import Flask, redirect", "from flask import Flask, redirect, url_for"
    ).replace('redirect("/login")', 'redirect(url_for("login"))')
    assert lint(tmp_path, "FLK203") == []


def test_fix_is_safe_when_url_for_is_already_imported(tmp_path: Path) -> None:
    source = app_source(
        """
        @app.route("/logout")
        def logout():
            return redirect('/posts/42')
        """,
        imports="from flask import Flask, redirect, url_for",
    )
    write_project(tmp_path, {"app.py": source})
    [found] = lint(tmp_path, "FLK203")
    assert found.fix is not None and found.fix.applicability is Applicability.SAFE
    assert fix(tmp_path, "FLK203", unsafe=False)["app.py"] == source.replace(
        "redirect('/posts/42')", "redirect(url_for('post', post_id=42))"
    )


def test_fstring_query_and_fragment_become_arguments(tmp_path: Path) -> None:
    source = app_source(
        """
        @app.route("/go/<int:post_id>")
        def go(post_id):
            if post_id:
                return redirect(f"/posts/{post_id}#comments")
            return redirect("/user/John%20Doe?next=/login&tab=2")
        """,
        imports="import flask\nfrom flask import Flask, redirect",
    )
    expected = source.replace(
        'redirect(f"/posts/{post_id}#comments")', 'redirect(flask.url_for("post", post_id=post_id, _anchor="comments"))'
    ).replace(
        'redirect("/user/John%20Doe?next=/login&tab=2")',
        'redirect(flask.url_for("profile", username="John Doe", next="/login", tab="2"))',
    )
    write_project(tmp_path, {"app.py": source})
    assert {d.fix.applicability for d in lint(tmp_path, "FLK203") if d.fix} == {Applicability.UNSAFE}
    assert fix(tmp_path, "FLK203")["app.py"] == expected


def test_location_headers_in_responses(tmp_path: Path) -> None:
    source = app_source(
        """
        from flask import Response, url_for

        @app.route("/old")
        def old():
            response = Response(status=302, headers={"Location": "/login"})
            response.headers["Location"] = "/posts/7"
            return "", 302, [("location", "/user/ada")]
        """
    )
    write_project(tmp_path, {"app.py": source})
    found = lint(tmp_path, "FLK203")
    assert [(d.start.row, d.data["endpoint"]) for d in found] == [(22, "login"), (23, "post"), (24, "profile")]
    assert fix(tmp_path, "FLK203")["app.py"] == source.replace(
        '{"Location": "/login"}', '{"Location": url_for("login")}'
    ).replace('= "/posts/7"', '= url_for("post", post_id=7)').replace(
        '"/user/ada"', 'url_for("profile", username="ada")'
    )


def test_html_in_a_view_is_reported_without_a_fix(project) -> None:
    found = project(
        app_source(
            """
            @app.route("/")
            def index():
                name = "ada"
                return f'<a href="/user/{name}">me</a>' + '<form action="/login">' + "<img src='/static/me.png'>"
            """
        ),
        "FLK203",
    )
    assert [(d.start.row, d.start.column, d.end.column, d.data["endpoint"]) for d in found] == [
        (21, 22, 34, "profile"), (21, 61, 67, "login"), (21, 84, 98, "static"),
    ]  # fmt: skip
    assert all(d.fix is None for d in found)


def test_request_hooks_count_as_request_context(project) -> None:
    found = project(
        app_source(
            """
            @app.errorhandler(401)
            def unauthorized(error):
                return redirect("/login")

            @app.before_request
            def check():
                return redirect("/login")
            """
        ),
        "FLK203",
    )
    assert len(found) == 2


def test_python_negatives(project) -> None:
    source = app_source(
        """
        LOGIN_URL = "/login"  # module constant: no request context there

        def helper():
            return redirect("/login")

        @app.route("/a")
        def a():
            '''Links to <a href="/login">login</a> in a docstring.'''
            if a:
                return redirect("https://example.com/login")
            if a:
                return redirect("//cdn.example.com/login")
            if a:
                return redirect("/nowhere")
            if a:
                return redirect("#top")
            if a:
                return redirect("mailto:me@example.com")
            if a:
                return redirect(LOGIN_URL)
            if a:
                return redirect("/login" + "?x=1")
            return '<a href="tel:123">call</a> <a href="/unknown/page">x</a>'
        """
    )
    assert project(source, "FLK203") == []


def test_test_files_are_skipped(project) -> None:
    files = {
        "app.py": app_source(""),
        "tests/test_app.py": """
            from flask import redirect

            def test_login(client):
                response = client.get("/login")
                assert response.headers["Location"] == "/posts/1"

            @app.route("/x")
            def view():
                return redirect("/login")
        """,
        "conftest.py": "from flask import redirect\n\n@app.route('/y')\ndef v():\n    return redirect('/login')\n",
    }
    assert project(files, "FLK203") == []


def test_catch_all_and_unknown_prefix_do_not_match(project) -> None:
    files = {
        "app.py": """
            from flask import Flask, redirect
            from auth import bp

            app = Flask(__name__, static_folder=None)
            for blueprint in (bp,):
                app.register_blueprint(blueprint)

            @app.route("/<path:page>")
            def page(page):
                return redirect("/about")

            @app.route("/x/<int:n>")
            def x(n):
                return redirect("/auth/login") or redirect("/login") or redirect("/static/a.css")
        """,
        "auth.py": """
            from flask import Blueprint

            bp = Blueprint("auth", __name__, url_prefix="/auth")

            @bp.route("/login")
            def login():
                return "login"
        """,
    }
    assert project(files, "FLK203") == []


def test_blueprint_prefix_is_applied(tmp_path: Path) -> None:
    files = {
        "app.py": """
            from flask import Flask, redirect, url_for
            from auth import bp

            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/account")

            @app.route("/")
            def index():
                return redirect("/account/login") or redirect("/auth/login")
        """,
        "auth.py": """
            from flask import Blueprint

            bp = Blueprint("auth", __name__, url_prefix="/auth")

            @bp.route("/login")
            def login():
                return "login"
        """,
    }
    write_project(tmp_path, files)
    [found] = lint(tmp_path, "FLK203")
    assert found.data["endpoint"] == "auth.login" and found.fix.applicability is Applicability.SAFE
    assert 'redirect(url_for("auth.login")) or redirect("/auth/login")' in fix(tmp_path, "FLK203")["app.py"]


def test_ambiguous_match_is_reported_without_a_fix(project) -> None:
    files = {
        "app.py": """
            from flask import Flask, redirect
            from admin import bp

            app = Flask(__name__)
            app.register_blueprint(bp, url_prefix="/admin")
            app.register_blueprint(bp, name="admin2", url_prefix="/admin")

            @app.route("/")
            def index():
                return redirect("/admin/dash")
        """,
        "admin.py": """
            from flask import Blueprint

            bp = Blueprint("admin", __name__)

            @bp.route("/dash")
            def dash():
                return "dash"
        """,
    }
    [found] = project(files, "FLK203")
    assert "('admin.dash' or 'admin2.dash')" in found.message and found.fix is None


def test_more_specific_rule_wins(project) -> None:
    found = project(
        """
        from flask import Flask, redirect

        app = Flask(__name__)

        @app.route("/users/new")
        def new_user():
            return redirect("/users/new")

        @app.route("/users/<name>")
        def user(name):
            return name
        """,
        "FLK203",
    )
    assert [d.data["endpoint"] for d in found] == ["new_user"] and found[0].fix is not None


# -- templates --------------------------------------------------------------------------------------
def test_template_links_are_reported_and_fixed(tmp_path: Path) -> None:
    template = (
        '<p>Café</p> <a href="/user/42">Ada</a>\n'
        '<img src="/static/logo.png"> <form action="/login?next=/"><button formaction=\'/posts/7\'>\n'
        '<a href="/user/{{ user.name }}">{{ user.name }}</a>\n'
    )
    files = {"app.py": app_source(""), "templates/page.html": template}
    write_project(tmp_path, files)
    found = lint(tmp_path, "FLK203")
    assert [(d.start.row, d.start.column, d.end.column, d.fix.applicability.value) for d in found] == [
        (1, 21, 29, "safe"), (2, 10, 26, "safe"), (2, 43, 56, "unsafe"), (2, 78, 86, "safe"), (3, 9, 30, "unsafe"),
    ]  # fmt: skip
    assert fix(tmp_path, "FLK203")["templates/page.html"] == (
        "<p>Café</p> <a href=\"{{ url_for('profile', username='42') }}\">Ada</a>\n"
        "<img src=\"{{ url_for('static', filename='logo.png') }}\"> "
        "<form action=\"{{ url_for('login', next='/') }}\">"
        "<button formaction='{{ url_for(\"post\", post_id=7) }}'>\n"
        "<a href=\"{{ url_for('profile', username=user.name) }}\">{{ user.name }}</a>\n"
    )
    assert lint(tmp_path, "FLK203") == []


def test_template_negatives(project) -> None:
    files = {
        "app.py": app_source(""),
        "templates/page.html": """\
            <a href="https://example.com/login">x</a> <a href="//example.com/login">x</a>
            <a href="#login">x</a> <a href="mailto:a@example.com">x</a> <a href="tel:+123">x</a>
            <img src="data:image/png;base64,AAAA"> <a href="javascript:void(0)">x</a>
            <a href="/nowhere">x</a> <a href="{{ url_for('login') }}">x</a> <a href="{{ next }}">x</a>
            {% raw %}<a href="/login">x</a>{% endraw %} {# <a href="/login"> #}
            <a href="/{{ page }}">x</a> <a data-href="/login">x</a>
            <script>fetch("/login")</script>
        """,
    }
    assert project(files, "FLK203") == []


def test_unparsable_template_is_skipped(project) -> None:
    files = {"app.py": app_source(""), "templates/broken.html": '{% if x %}<a href="/login">x</a>\n'}
    assert project(files, "FLK203") == []


def test_fix_is_unsafe_when_the_project_has_several_apps(project) -> None:
    files = {
        "app.py": app_source("", imports="from flask import Flask, redirect, url_for"),
        "admin_app.py": "from flask import Flask\n\nadmin = Flask(__name__)\n",
        "templates/page.html": '<a href="/login">in</a>\n',
    }
    [found] = project(files, "FLK203")
    assert found.fix is not None and found.fix.applicability is Applicability.UNSAFE
