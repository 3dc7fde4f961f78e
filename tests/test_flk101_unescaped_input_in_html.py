"""FLK101 unescaped-input-in-html: request data spliced into an HTML response without escaping."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import rule_testing

HEADER = """\
from flask import Flask, Response, abort, jsonify, make_response, render_template, request
from markupsafe import Markup, escape

app = Flask(__name__)
"""
HEADER_LINES = HEADER.count("\n")


def findings(project, body: str, header: str = HEADER) -> list[tuple[int, int, int, int, str]]:
    """(line, col, end_line, end_col, message) of FLK101 in `header + body`; lines counted in `body`."""
    diagnostics = project(header + textwrap.dedent(body), select="FLK101")
    return [row[1:] for row in rule_testing.findings(diagnostics, row_offset=header.count("\n"))]


def spans(project, body: str, header: str = HEADER) -> list[tuple[int, int, int, int]]:
    return rule_testing.spans(project(header + textwrap.dedent(body), select="FLK101"), header.count("\n"))


def in_body(statements: str) -> str:
    """Indent the continuation lines of a parametrized statement so they stay inside the view.

    The templates below insert `{statement}` at the function body's indentation; its later lines
    are written relative to the first one.
    """
    return statements.replace("\n", "\n    ")


def view_source(body: str, header: str = HEADER) -> str:
    """`header + body`, checked to be one view: no statement may fall out of the function."""
    source = header + textwrap.dedent(body)
    after_def = source[source.rindex("\ndef ") + 1 :].splitlines()[1:]
    assert all(line.startswith(" ") or not line.strip() for line in after_def), source
    return source


def fixed(tmp_path: Path, source: str) -> str:
    """Apply every FLK101 fix to app.py: the result re-parses, re-lints clean, and nothing else changed."""
    return rule_testing.fixed(tmp_path, {"app.py": source}, "FLK101")


# -- the quickstart's own examples ------------------------------------------------------------------
def test_quickstart_route_variable_in_an_fstring(project) -> None:
    body = """\
    @app.route("/<name>")
    def hello(name):
        return f"Hello, {name}!"
    """
    assert findings(project, body) == [
        (3, 21, 3, 25, "route variable `name` interpolated into HTML without escaping (XSS): wrap it in `escape()`")
    ]


def test_quickstart_escaped_route_variables_are_clean(project) -> None:
    body = """\
    @app.route("/user/<username>")
    def show_user_profile(username):
        return f"User {escape(username)}"

    @app.route("/path/<path:subpath>")
    def show_subpath(subpath):
        return f"Subpath {escape(subpath)}"
    """
    assert spans(project, body) == []


def test_quickstart_unescaped_path_variable(project) -> None:
    body = """\
    @app.route("/path/<path:subpath>")
    def show_subpath(subpath):
        return f"Subpath {subpath}"
    """
    assert spans(project, body) == [(3, 22, 3, 29)]


@pytest.mark.parametrize("converter", ["int", "float", "uuid", "any(a, b)"])
def test_quickstart_typed_converters_are_clean(project, converter: str) -> None:
    body = f"""\
    @app.route("/post/<{converter}:post_id>")
    def show_post(post_id):
        return f"Post {{post_id}}"
    """
    assert spans(project, body) == []


# -- sources -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "label"),
    [
        ('request.args.get("q")', "`request.args` value"),
        ('request.args["q"]', "`request.args` value"),
        ('request.form["q"]', "`request.form` value"),
        ('request.values.get("q", "")', "`request.values` value"),
        ('request.cookies.get("q")', "`request.cookies` value"),
        ('request.headers.get("User-Agent")', "`request.headers` value"),
        ('request.json["name"]', "`request.json`"),
        ('request.get_json()["name"]', "`request.get_json()`"),
        ("request.path", "`request.path`"),
        ("request.full_path", "`request.full_path`"),
        ("request.url", "`request.url`"),
        ("request.referrer", "`request.referrer`"),
        ('request.view_args["slug"]', "`request.view_args`"),
        ('request.files["f"].filename', 'upload filename `request.files["f"].filename`'),
        ('request.get_data(as_text=True)', "`request.get_data()`"),
    ],
)
def test_request_sources_are_named_in_the_message(project, expression: str, label: str) -> None:
    body = f"""\
    @app.route("/x")
    def view():
        return f'<p>{{{expression}}}</p>'
    """  # single quotes: the expressions use double ones, which an f-string may hold only from Python 3.12
    message = f"{label} interpolated into HTML without escaping (XSS): wrap it in `escape()`"
    assert findings(project, body) == [(3, 17, 3, 17 + len(expression), message)]


@pytest.mark.parametrize(
    "header",
    [
        "from flask import Flask, request as req\n\napp = Flask(__name__)\n",
        "import flask\n\nreq = flask.request\napp = flask.Flask(__name__)\n",
    ],
)
def test_request_resolves_through_aliases(project, header: str) -> None:
    body = """\
    @app.route("/x")
    def view():
        return "<p>" + req.args["q"] + "</p>"
    """
    assert spans(project, body, header) == [(3, 19, 3, 32)]


def test_module_attribute_access(project) -> None:
    header = "import flask\n\napp = flask.Flask(__name__)\n"
    body = """\
    @app.route("/x")
    def view():
        return "<p>{}</p>".format(flask.request.args["q"])
    """
    assert spans(project, body, header) == [(3, 30, 3, 53)]


# -- how the value gets into the string ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("statement", "span"),
    [
        ('return f"<p>{q}</p>"', (4, 17, 4, 18)),
        ('return "<p>%s</p>" % q', (4, 25, 4, 26)),
        ('return "<p>%s and %s</p>" % ("a", q)', (4, 38, 4, 39)),
        ('return "<p>%(q)s</p>" % {"q": q}', (4, 34, 4, 35)),
        ('return "<p>{}</p>".format(q)', (4, 30, 4, 31)),
        ('return "<p>{v}</p>".format(v=q)', (4, 33, 4, 34)),
        ('return "<p>" + q + "</p>"', (4, 19, 4, 20)),
        ('return "".join(["<p>", q, "</p>"])', (4, 27, 4, 28)),
        ('return "<p>" f"{q}"', (4, 20, 4, 21)),
        ('return f"<p>{q.upper()}</p>"', (4, 17, 4, 26)),
        ('return f"<p>{q!r}</p>"', (4, 17, 4, 18)),
        ('return "{:>10}".format(q)', (4, 27, 4, 28)),
    ],
)
def test_interpolation_forms(project, statement: str, span: tuple[int, int, int, int]) -> None:
    body = f"""\
    @app.route("/x")
    def view():
        q = request.args["q"]
        {in_body(statement)}
    """
    view_source(body)
    assert spans(project, body) == [span]


def test_html_built_in_a_variable_and_returned(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        name = request.args.get("name", "")
        greeting = "Hello " + name
        page = f"<h1>{greeting}</h1>"
        return page
    """
    assert spans(project, body) == [(4, 26, 4, 30)]


def test_html_chosen_by_a_condition(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        name = request.args.get("name")
        greeting = f"<h1>Hi {name}</h1>" if name else "<h1>Hi</h1>"
        fallback = name or "stranger"
        return greeting + f"<p>{fallback}</p>"
    """
    assert spans(project, body) == [(4, 25, 4, 29), (6, 28, 6, 36)]


def test_html_built_with_augmented_assignment_in_a_loop(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        html = "<ul>"
        for item in request.args.getlist("item"):
            html += f"<li>{item}</li>"
        html += "</ul>"
        return html
    """
    assert spans(project, body) == [(5, 23, 5, 27)]


def test_html_built_from_appended_parts(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        rows = []
        for name in request.form.getlist("name"):
            rows.append(f"<tr><td>{name}</td></tr>")
        return "<table>" + "".join(rows) + "</table>"
    """
    assert spans(project, body) == [(5, 31, 5, 35)]


def test_joined_request_list(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        return ", ".join(request.args.getlist("tag"))
    """
    assert spans(project, body) == [(3, 21, 3, 48)]


def test_value_from_a_same_module_helper(project) -> None:
    body = """\
    def display_name():
        return request.args.get("name", "guest").title()

    @app.route("/x")
    def view():
        return f"<p>Hi {display_name()}</p>"
    """
    assert spans(project, body) == [(6, 20, 6, 34)]


# -- where the string goes -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        "return body, 200",
        "return body, 201, {'X-Frame-Options': 'DENY'}",
        "return body, 200, {'Content-Type': 'text/html; charset=utf-8'}",
        "return make_response(body)",
        "return make_response(body, 200)",
        "return make_response((body, 404))",
        "return Response(body)",
        "return Response(body, mimetype='text/html')",
        "return Response(response=body, status=200)",
        "return app.response_class(body)",
        "response = make_response(body)\n    response.headers['X-Id'] = '1'\n    return response",
    ],
)
def test_html_responses(project, statement: str) -> None:
    body = f"""\
    @app.route("/x")
    def view():
        body = f"<p>{{request.args['q']}}</p>"
        {in_body(statement)}
    """
    view_source(body)
    assert spans(project, body) == [(3, 17, 3, 34)]


def test_class_based_view_with_a_visible_rule(project) -> None:
    body = """\
    from flask.views import MethodView

    class Greeting(MethodView):
        def get(self, name):
            return f"<p>{name}</p>"

    app.add_url_rule("/hi/<name>", view_func=Greeting.as_view("greeting"))
    """
    assert spans(project, body) == [(5, 21, 5, 25)]


def test_blueprint_view(project) -> None:
    body = """\
    from flask import Blueprint

    bp = Blueprint("pages", __name__)

    @bp.get("/<slug>")
    def page(slug):
        return "<h1>%s</h1>" % slug
    """
    assert spans(project, body) == [(7, 27, 7, 31)]


# -- what is not reported ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "statement",
    [
        'return f"<p>{escape(q)}</p>"',
        'return f"<p>{Markup.escape(q)}</p>"',
        'return "<p>%s</p>" % html.escape(q)',
        'return Markup("<p>{}</p>").format(q)',
        'return Markup("<p>%s</p>") % q',
        'return Markup("<p>") + q + "</p>"',
        'return f"<p>{len(q)}</p>"',
        'return f"<p>{int(q)}</p>"',
        'return f"<p>{float(q)}</p>"',
        'return f"<p>{q == 1}</p>"',
        'return "<p>%d</p>" % q',
        'return "<p>%(n)d items</p>" % {"n": q}',
        'return "<p>{:d}</p>".format(q)',
        'return f"<p>{q:.2f}</p>"',
        'return jsonify(message=f"<p>{q}</p>")',
        'return {"message": f"<p>{q}</p>"}',
        'return [f"<p>{q}</p>"]',
        'return render_template("page.html", q=q)',
        "return q",
        'abort(400, description=f"bad {q}")',
        'return Response(f"<p>{q}</p>", mimetype="text/plain")',
        'return Response(f"<p>{q}</p>", content_type="application/json")',
        'return Response(f"<p>{q}</p>", headers={"Content-Type": "text/plain"})',
        'return make_response(f"<p>{q}</p>", 200, {"Content-Type": "text/csv"})',
        'return f"<p>{q}</p>", 200, {"Content-Type": "text/plain"}',
        'return f"<p>{q}</p>", {"content-type": "application/json"}',
        'return f"<p>{q}</p>", 200, headers',
        'return f"{q},1\\n", 200, {"Content-Disposition": "attachment; filename=export.csv"}',
        'return Response(f"{q}", headers={"Content-Disposition": f"attachment; filename={q}.csv"})',
        'return werkzeug.wrappers.Response(f"<p>{q}</p>")',
        'app.logger.info(f"searched {q}")\n    return "ok"',
        'return redirect(f"/search?q={q}")',
    ],
)
def test_safe_or_non_html_responses(project, statement: str) -> None:
    header = HEADER + "import html\nimport werkzeug.wrappers\nfrom flask import redirect\n"
    body = f"""\
    @app.route("/x")
    def view(headers=None):
        q = request.args["q"]
        {in_body(statement)}
    """
    view_source(body, header)
    assert spans(project, body, header) == []


def test_numeric_request_values_are_clean(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        page = request.args.get("page", 1, type=int)
        limit = int(request.args["limit"])
        return f"<p>page {page} of {limit}</p>"
    """
    assert spans(project, body) == []


def test_response_retyped_after_construction(project) -> None:
    body = """\
    @app.route("/a")
    def a():
        response = make_response(f"<p>{request.args['q']}</p>")
        response.mimetype = "text/plain"
        return response

    @app.route("/b")
    def b():
        response = make_response(f"<p>{request.args['q']}</p>")
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response

    @app.route("/c")
    def c():
        response = Response(f"<p>{request.args['q']}</p>")
        response.headers.set("Content-Type", "application/json")
        return response

    @app.route("/d")
    def d():
        response = make_response(f"{request.args['q']};1")
        response.headers["Content-Disposition"] = "attachment; filename=report.csv"
        return response
    """
    assert spans(project, body) == []


def test_retyping_as_html_keeps_the_finding(project) -> None:
    body = """\
    @app.route("/a")
    def a():
        response = make_response(f"<p>{request.args['q']}</p>")
        response.mimetype = "text/html"
        response.headers["Content-Disposition"] = "inline"
        response.headers["X-Frame-Options"] = "DENY"
        return response
    """
    assert spans(project, body) == [(3, 35, 3, 52)]


def test_reassignment_with_escape_clears_the_taint(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        q = request.args["q"]
        q = escape(q)
        return f"<p>{q}</p>"
    """
    assert spans(project, body) == []


def test_escaping_in_one_branch_only_is_still_reported(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        q = request.args["q"]
        if len(q) > 10:
            q = escape(q)
        return f"<p>{q}</p>"
    """
    assert spans(project, body) == [(6, 17, 6, 18)]


def test_functions_that_are_not_views_are_ignored(project) -> None:
    body = """\
    def render_name():
        return f"<p>{request.args['name']}</p>"
    """
    assert spans(project, body) == []


def test_helper_that_escapes_is_clean(project) -> None:
    body = """\
    def safe(value):
        return escape(value.strip())

    @app.route("/<name>")
    def view(name):
        return f"<p>{safe(name)}</p>"
    """
    assert spans(project, body) == []


def test_tuple_headers_from_a_variable(project) -> None:
    body = """\
    PLAIN = {"Content-Type": "text/plain"}

    @app.route("/a")
    def a():
        return f"Hi {request.args['q']}", 200, PLAIN

    @app.route("/b")
    def b():
        headers = {"Content-Type": "text/html"}
        return f"Hi {request.args['q']}", headers
    """
    assert spans(project, body) == [(10, 17, 10, 34)]


def test_each_hole_is_reported_once(project) -> None:
    body = """\
    @app.route("/x")
    def view():
        page = f"<p>{request.args['q']}</p>"
        if request.args.get("raw"):
            return page
        return make_response(page)
    """
    assert spans(project, body) == [(3, 17, 3, 34)]


def test_diagnostic_metadata(project) -> None:
    (diagnostic,) = project(HEADER + '@app.route("/<name>")\ndef hi(name):\n    return f"Hi {name}"\n', select="FLK101")
    assert diagnostic.severity.value == "error"
    assert diagnostic.data == {"source": "route variable `name`"}
    assert diagnostic.fix is not None and diagnostic.fix.applicability.value == "unsafe"


# -- the fix ------------------------------------------------------------------------------------------------
def test_fix_quickstart_example_adds_the_import(tmp_path: Path) -> None:
    source = (
        "from flask import Flask\n"
        "\n"
        "app = Flask(__name__)\n"
        "\n"
        "\n"
        '@app.route("/<name>")\n'
        "def hello(name):\n"
        '    return f"Hello, {name}!"\n'
    )
    assert fixed(tmp_path, source) == (
        "from flask import Flask\n"
        "from markupsafe import escape\n"
        "\n"
        "app = Flask(__name__)\n"
        "\n"
        "\n"
        '@app.route("/<name>")\n'
        "def hello(name):\n"
        '    return f"Hello, {escape(name)}!"\n'
    )


def test_fix_reuses_an_existing_import_and_handles_every_form(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask, request
        from markupsafe import escape

        app = Flask(__name__)


        @app.route("/x")
        def view():
            q = request.args["q"]
            a = "<p>%s</p>" % q
            b = "<p>{}</p>".format(q)
            c = "<p>" + q + "</p>"
            d = "".join(["<p>", q, "</p>"])
            return a + b + c + d
        """
    )
    assert fixed(tmp_path, source) == textwrap.dedent(
        """\
        from flask import Flask, request
        from markupsafe import escape

        app = Flask(__name__)


        @app.route("/x")
        def view():
            q = request.args["q"]
            a = "<p>%s</p>" % escape(q)
            b = "<p>{}</p>".format(escape(q))
            c = "<p>" + str(escape(q)) + "</p>"
            d = "".join(["<p>", escape(q), "</p>"])
            return a + b + c + d
        """
    )


def test_fix_uses_an_imported_markupsafe_module(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        import markupsafe
        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/x")
        def view():
            return f"<b>{request.args['q']}</b>"
        """
    )
    assert fixed(tmp_path, source) == source.replace("{request.args['q']}", "{markupsafe.escape(request.args['q'])}")


def test_fix_with_an_aliased_escape_import(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask, request
        from markupsafe import escape as esc

        app = Flask(__name__)


        @app.route("/x")
        def view():
            return f"<b>{request.args['q']}</b>"
        """
    )
    assert fixed(tmp_path, source) == source.replace("{request.args['q']}", "{esc(request.args['q'])}")


def test_fix_after_a_module_docstring_and_future_import(tmp_path: Path) -> None:
    source = textwrap.dedent(
        '''\
        """The app."""
        from __future__ import annotations

        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/x")
        def view():
            name = request.args["name"]
            html = "<ul>"
            html += "<li>" + name
            return html
        '''
    )
    assert fixed(tmp_path, source) == textwrap.dedent(
        '''\
        """The app."""
        from __future__ import annotations

        from flask import Flask, request
        from markupsafe import escape

        app = Flask(__name__)


        @app.route("/x")
        def view():
            name = request.args["name"]
            html = "<ul>"
            html += "<li>" + str(escape(name))
            return html
        '''
    )


def test_two_fixes_add_one_import(tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask, request

        app = Flask(__name__)


        @app.route("/<a>/<b>")
        def view(a, b):
            return f"<p>{a}</p><p>{b}</p>"
        """
    )
    result = fixed(tmp_path, source)
    assert result.count("from markupsafe import escape") == 1
    assert 'return f"<p>{escape(a)}</p><p>{escape(b)}</p>"' in result


@pytest.mark.parametrize(
    "statement",
    [
        'return f"<p>{q!r}</p>"',
        'return f"<p>{q:>10}</p>"',
        'return f"<p>{q=}</p>"',
        'return "<p>%r</p>" % q',
        'return "<p>{0.real}</p>".format(q)',
        'return "<p>%s %s</p>" % pair',
        'return ", ".join(request.args.getlist("t"))',
        'return f"<p>{shout(q)}</p>"',
        'return b"<p>" + request.data',
        'page = f"<b>{escape(q)}</b>" if q.isalpha() else q\n    return f"<div>{page}</div>"',
    ],
)
def test_no_fix_where_escaping_changes_the_output(project, statement: str) -> None:
    body = f"""\
    def shout(text):
        return "<b>" + text + "</b>"

    @app.route("/x")
    def view():
        q = request.args["q"]
        pair = (q, q)
        {in_body(statement)}
    """
    found = project(view_source(body), select="FLK101")
    assert found and all(d.fix is None for d in found)


@pytest.mark.parametrize(
    "header",
    [
        "from html import escape\nfrom flask import Flask, request\n\napp = Flask(__name__)\n",
        "from flask import Flask, request\n\napp = Flask(__name__)\n\ndef escape(value):\n    return value\n",
    ],
)
def test_no_fix_when_escape_means_something_else(project, header: str) -> None:
    body = """\
    @app.route("/<name>")
    def view(name):
        return f"<p>{name}</p>"
    """
    found = project(header + textwrap.dedent(body), select="FLK101")
    assert len(found) == 1 and found[0].fix is None


def test_no_fix_when_a_local_shadows_escape(project) -> None:
    body = """\
    @app.route("/<name>")
    def view(name):
        escape = "unused"
        return f"<p>{name}</p>"
    """
    header = "from flask import Flask\n\napp = Flask(__name__)\n"
    found = project(header + textwrap.dedent(body), select="FLK101")
    assert len(found) == 1 and found[0].fix is None


# -- error handlers, template sources, Markup and allow-lists (issue 11, section 5) ----------------
HTML = "interpolated into HTML without escaping (XSS): wrap it in `escape()`"


def test_error_handlers_send_html_like_views(project) -> None:
    body = """\
    from flask import Blueprint

    bp = Blueprint("bp", __name__)

    @bp.app_errorhandler(500)
    def broken(e):
        return f"<p>{request.path} broke</p>", 500

    def teapot(e):
        return "<p>%s</p>" % request.args.get("tea")

    app.errorhandler(418)(teapot)

    def create_app():
        inner = Flask(__name__)

        def missing(e):
            return "<h1>" + request.full_path + "</h1>"

        inner.register_error_handler(404, missing)
        return inner
    """
    assert findings(project, body) == [
        (7, 17, 7, 29, f"`request.path` {HTML}"),
        (10, 25, 10, 48, f"`request.args` value {HTML}"),
        (18, 24, 18, 41, f"`request.full_path` {HTML}"),
    ]


def test_error_handlers_that_do_not_send_html_are_clean(project) -> None:
    body = """\
    from flask_restx import Api

    api = Api(app)

    @app.errorhandler(404)
    def not_found(e):
        return {"error": f"{request.path} not found"}, 404

    @app.errorhandler(400)
    def bad_request(e):
        return render_template("400.html", path=request.path), 400

    @api.errorhandler(ValueError)
    def api_error(e):
        return f"<p>{request.path}</p>"  # Flask-RESTX serialises it as JSON

    def unrelated(e):
        return f"<p>{request.path}</p>"  # registered nowhere: not a handler
    """
    assert spans(project, body) == []


@pytest.mark.parametrize(
    "statement",
    [
        'return render_template_string("<p>%s</p>" % request.form["name"])',
        'return render_template_string(f"<p>{request.form[\'name\']}</p>")',
        'return render_template_string("<p>{}</p>".format(request.form["name"]))',
        'return render_template_string("<p>" + request.form["name"] + "</p>")',
        'src = "<p>%s</p>" % request.form["name"]\n    return render_template_string(src), 200',
    ],
)
def test_request_data_in_a_rendered_template_source_is_flk106s(project, statement: str) -> None:
    """Template injection (FLK106) is the graver problem, and its advice (a template variable) fixes both."""
    body = f"""\
    @app.post("/greet")
    def greet():
        {in_body(statement)}
    """
    header = HEADER.replace("render_template,", "render_template, render_template_string,")
    found = [d for d in project(view_source(body, header), select="FLK10") if d.code in ("FLK101", "FLK106")]
    assert [(d.code, d.start.column) for d in found] == [("FLK106", 11)]  # the render_template_string call


@pytest.mark.parametrize(
    "statement",
    [
        'return render_template_string("<p>{{ name }}</p>", name=request.form["name"])',
        'return render_template_string(f"<p>{escape(request.form[\'name\'])}</p>")',
        # rendered into a variable that an autoescaped template prints: not the page's markup
        'detail = render_template_string(f"<p>{request.path}</p>")\n'
        '    return render_template("404.html", detail=detail)',
    ],
)
def test_template_sources_without_unescaped_request_data(project, statement: str) -> None:
    body = f"""\
    @app.post("/greet")
    def greet():
        {in_body(statement)}
    """
    header = HEADER.replace("render_template,", "render_template, render_template_string,")
    assert project(view_source(body, header), select="FLK101") == []


@pytest.mark.parametrize(
    ("statement", "column"),
    [
        ('return Markup(f"<b>{q}</b>")', 11),
        ('return Markup("<b>%s</b>" % q) + "<br>"', 11),
        ('return f"<p>{Markup(q)}</p>"', 17),
        ('badge = Markup(f"<b>{q}</b>")\n    return "<p>" + badge', 12),
    ],
)
def test_request_data_a_markup_trusts_is_flk105s(project, statement: str, column: int) -> None:
    """Markup trusts its argument: FLK105 reports the Markup(...) call, once; FLK101 leaves it."""
    body = f"""\
    @app.route("/m")
    def view():
        q = request.args["q"]
        {in_body(statement)}
    """
    found = [d for d in project(view_source(body), select="FLK10") if d.code in ("FLK101", "FLK105")]
    assert [(d.code, d.start.row - HEADER_LINES, d.start.column) for d in found] == [("FLK105", 4, column)]


@pytest.mark.parametrize(
    "statement",
    [
        'return Markup("<b>{}</b>").format(q)',
        'return Markup("<b>%s</b>") % q',
        'return Markup("<b>") + q',
        'return Markup(f"<b>{escape(q)}</b>")',
        'return f"<p>{escape(q)}</p>"',
    ],
)
def test_markup_that_escapes_is_clean(project, statement: str) -> None:
    body = f"""\
    @app.route("/m")
    def view():
        q = request.args["q"]
        {in_body(statement)}
    """
    assert project(view_source(body), select="FLK101") == []


@pytest.mark.parametrize(
    "guard",
    [
        'if sort not in ("asc", "desc"):\n        sort = "asc"',
        "if sort not in SORTS:\n        abort(400)",
        'if sort not in SORTS:\n        return "<p>bad order</p>", 400',
    ],
)
def test_allow_listed_values_are_clean(project, guard: str) -> None:
    body = f"""\
    SORTS = frozenset({{"asc", "desc"}})

    @app.route("/list/<kind>")
    def view(kind):
        sort = request.args.get("sort", "asc")
        {in_body(guard)}
        if kind in {{"books", "films"}}:
            return f"<h1>{{kind}}</h1><p>{{sort}}</p>"
        return f"<p>{{sort}}</p>"
    """
    assert project(view_source(body), select="FLK101") == []


def test_a_guard_that_does_not_hold_on_the_way_is_not_an_allow_list(project) -> None:
    body = """\
    SORTS = ["asc", "desc"]
    SORTS.append("random")

    @app.route("/list/<kind>")
    def view(kind):
        sort = request.args.get("sort", "asc")
        if sort not in SORTS:
            abort(400)
        if kind not in ("books", "films"):
            print(kind)
        return f"<p>{sort} {kind}</p>"
    """
    assert spans(project, body) == [(11, 17, 11, 21), (11, 24, 11, 28)]
