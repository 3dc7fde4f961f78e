from __future__ import annotations

from typing import Iterable

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import add_import_edit, replace_node, wrap_node
from flasklint.model.dataflow import TaintAnalysis, dataflow_for
from flasklint.model.interpolation import Hole, HoleFinder
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.model.responses import constructed_bodies, html_handlers, response_bodies, response_builders
from flasklint.rule import Case, FileRule, Finding


class UnescapedInputInHtml(FileRule):
    """
    ## What it does
    Reports request data (route variables, `request.args`, `request.form`, `request.json`,
    cookies, headers, `request.path`/`request.url`, upload filenames, ...) interpolated with an
    f-string, `%`, `.format()` or `+` into a string that a view or an error handler
    (`@app.errorhandler(404)`, `register_error_handler`) returns as HTML — directly, as the body of
    a returned tuple, or through `make_response()` / `Response()` without a non-HTML mimetype. A
    function with no visible route that builds a response from request data
    (`make_response("found {}".format(request.args["x"]))`) runs in a request all the same: its
    response bodies are checked too (what it merely returns is not: a caller may escape it).

    Two cases belong to other rules, so that one problem makes one finding: request data a
    `Markup(...)` is built from (Markup trusts its argument) is FLK105's, and request data spliced
    into the source of a template (`render_template_string(f"<p>{q}</p>")`) is FLK106's — template
    injection, which runs the attacker's `{{ ... }}` on the server as well as their markup.

    ## Why is this bad?
    Flask sends a returned string as `text/html`, and Jinja's autoescaping does not apply to
    strings built in Python. A visitor who follows a link such as
    `/hello/<script>...</script>` runs the attacker's script on your site (reflected XSS). The
    Flask quickstart warns: escape every user-provided value you put into HTML.

    Values that cannot carry markup are not reported: `<int:...>`, `<float:...>`, `<uuid:...>`
    and `<any(...):...>` route variables, `int()`/`float()`/`len()` results,
    `request.args.get(k, type=int)`, escaped values (`markupsafe.escape`, `html.escape`,
    `Markup(...).format(...)`, `Markup(...) % x`), values checked against a constant allow-list
    (`if sort not in ("asc", "desc"): sort = "asc"`, or `abort(400)` / `return` in that branch),
    template variables (`render_template_string(src, name=...)`), and JSON, `render_template()`
    or non-HTML responses. It does not follow request data through other modules' functions or
    through exception descriptions into an error handler.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return f"<h1>Hello {name}!</h1>"
    ```

    ## Use instead
    ```python
    from flask import Flask
    from markupsafe import escape

    app = Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name):
        return f"<h1>Hello {escape(name)}!</h1>"
    ```

    ## Fix safety
    The fix wraps the value in `escape()` and imports it from markupsafe. It is unsafe: a
    value that is meant to hold markup (an HTML fragment the view trusts) would show up escaped.
    Inside a `+` concatenation it writes `str(escape(...))`, because adding a `Markup` to a string
    escapes the string too. No fix is offered where escaping would change the formatting
    (`{x!r}`, `{x:>10}`, `%r`), for bytes, or when the name `escape` is already taken.
    """

    code = "FLK101"
    name = "unescaped-input-in-html"
    summary = "Request data interpolated into an HTML response without escaping"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            '''
from flask import Flask

app = Flask(__name__)

@app.route("/<name>")
def hello(name):
    return f"Hello, {name}!"
''',
            Finding(
                (8, 21, 8, 25),
                "route variable `name` interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.route("/<name>")
def hello(name):
    return f"Hello, {escape(name)}!"
''',
            },
        ),
        Case(
            '''
from flask import Flask, request

app = Flask(__name__)

@app.route("/search")
def search():
    q = request.args.get("q", "")
    return "<p>Results for %s</p>" % q
''',
            Finding(
                (9, 37, 9, 38),
                "`request.args` value interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)

@app.route("/search")
def search():
    q = request.args.get("q", "")
    return "<p>Results for %s</p>" % escape(q)
''',
            },
        ),
        Case(
            '''
from flask import Flask, make_response
import flask

app = Flask(__name__)

@app.post("/comment")
def comment():
    body = "<li>{}</li>".format(flask.request.form["text"])
    return make_response(body, 201)
''',
            Finding(
                (9, 32, 9, 58),
                "`request.form` value interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, make_response
import flask
from markupsafe import escape

app = Flask(__name__)

@app.post("/comment")
def comment():
    body = "<li>{}</li>".format(escape(flask.request.form["text"]))
    return make_response(body, 201)
''',
            },
        ),
        Case(
            '''
from flask import Flask, request

app = Flask(__name__)

@app.route("/items")
def items():
    html = "<ul>"
    for item in request.args.getlist("item"):
        html += "<li>" + item + "</li>"
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
''',
            Finding(
                (10, 25, 10, 29),
                "`request.args` value interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)

@app.route("/items")
def items():
    html = "<ul>"
    for item in request.args.getlist("item"):
        html += "<li>" + str(escape(item)) + "</li>"
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
''',
            },
        ),
        Case(
            '''
from flask import Flask

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return f"<h1>Hello {name}!</h1>"
''',
            Finding(
                (8, 24, 8, 28),
                "route variable `name` interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return f"<h1>Hello {escape(name)}!</h1>"
''',
            },
        ),
        Case(
            '''
from flask import Flask, request

app = Flask(__name__)

@app.errorhandler(404)
def not_found(e):
    return "<h1>%s not found</h1>" % request.path, 404

def gone(e):
    return f"<p>{request.url} is gone</p>", 410

app.register_error_handler(410, gone)
''',
            Finding(
                (8, 37, 8, 49),
                "`request.path` interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            Finding(
                (11, 17, 11, 28),
                "`request.url` interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, request
from markupsafe import escape

app = Flask(__name__)

@app.errorhandler(404)
def not_found(e):
    return "<h1>%s not found</h1>" % escape(request.path), 404

def gone(e):
    return f"<p>{escape(request.url)} is gone</p>", 410

app.register_error_handler(410, gone)
''',
            },
        ),
        # No visible route (registered elsewhere, or a helper a view returns): it builds a page all the same.
        Case(
            "from flask import make_response, request\n\n\ndef search_page():\n"
            "    return make_response(\"<p>found {}</p>\".format(request.args[\"q\"]))\n",
            Finding(
                (5, 50, 5, 67),
                "`request.args` value interpolated into HTML without escaping (XSS): wrap it in `escape()`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import make_response, request\nfrom markupsafe import escape\n\n\n"
                "def search_page():\n    return make_response(\"<p>found {}</p>\".format(escape(request.args[\"q\"])))\n",
            },
        ),
    ]
    valid = [
        '''
from flask import Flask, abort, render_template_string, request
from markupsafe import Markup

app = Flask(__name__)
ORDERS = ("asc", "desc")

@app.route("/list/<kind>")
def listing(kind):
    if kind not in {"books", "films"}:
        abort(404)
    order = request.args.get("order", "asc")
    if order not in ORDERS:
        order = "asc"
    name = request.args.get("name", "")
    badge = Markup("<b>{}</b>").format(name) + Markup("<i>%s</i>") % name
    page = f"<h1>{kind}</h1><p>{order}</p>{badge}"
    return render_template_string("{{ page }}<p>{{ name }}</p>", page=page, name=name)
''',
        '''
from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.route("/<name>")
def hello(name):
    return f"Hello, {escape(name)}!"
''',
        '''
from flask import Flask

app = Flask(__name__)

@app.route("/post/<int:post_id>")
def show_post(post_id):
    return f"Post {post_id}"
''',
        '''
from flask import Flask, jsonify, render_template, request

app = Flask(__name__)

@app.route("/api")
def api():
    q = request.args["q"]
    if q == "json":
        return jsonify(message=f"<p>{q}</p>")
    if q == "dict":
        return {"message": f"<p>{q}</p>"}
    return render_template("page.html", q=q)
''',
        '''
from flask import Flask, Response, request

app = Flask(__name__)

@app.route("/plain")
def plain():
    return Response(f"Hello {request.args['name']}", mimetype="text/plain")

@app.route("/tuple")
def as_text():
    return f"Hello {request.args['name']}", 200, {"Content-Type": "text/plain"}
''',
        '''
from flask import Flask
from markupsafe import escape

app = Flask(__name__)

@app.route("/hello/<name>")
def hello(name):
    return f"<h1>Hello {escape(name)}!</h1>"
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        dataflow = dataflow_for(model)
        pages = [(view, response_bodies) for view in html_handlers(model)]
        pages += [(builder, constructed_bodies) for builder in response_builders(model)]
        for view, bodies in pages:
            analysis = dataflow.analysis(view, "html")
            finder = HoleFinder(analysis)
            try:
                for body in bodies(model, view, analysis):
                    finder.find_in(body)
            except RecursionError:
                continue  # an expression nested too deeply to follow: skip this view, not the file
            for hole in finder.holes.values():
                yield self._diagnostic(model, view, analysis, hole)

    def _diagnostic(self, model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, hole: Hole) -> Diagnostic:
        label = sorted(t.label for t in hole.taints)[0]
        message = f"{label} interpolated into HTML without escaping (XSS): wrap it in `escape()`"
        fix = _escape_fix(model, view, analysis, hole)
        return self.diagnostic(model.path, model.span(hole.node), message, fix=fix, source=label)


def _escape_fix(model: ModuleModel, view: FunctionInfo, analysis: TaintAnalysis, hole: Hole) -> Fix | None:
    if hole.wrap is None:
        return None
    reference = analysis.dataflow.reference(view, "markupsafe.escape")
    if reference is None or (hole.wrap == "str" and analysis.dataflow.is_bound(view, "str")):
        return None
    function, needs_import = reference
    if hole.wrap == "str":
        edit = replace_node(model, hole.node, f"str({function}({model.code(hole.node).strip()}))")
    else:
        edit = wrap_node(model, hole.node, function)
    import_edit = add_import_edit(model, "markupsafe", "escape") if needs_import else None
    edits = (edit,) if import_edit is None else (edit, import_edit)
    return Fix("Wrap the value in `escape()`", edits, Applicability.UNSAFE)
