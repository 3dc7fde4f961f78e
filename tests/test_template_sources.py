"""Templates compiled from a source that is not constant (model/template_sources.py)."""

from __future__ import annotations

import textwrap

import libcst as cst

from flasklint.model.template_sources import injectable_sources
from flasklint.model.traversal import build_model
from flasklint.source import parse_source


def found(source: str) -> list[tuple]:
    """(line, callee, renders, request labels, data holes) of each compiled non-constant source."""
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    code = model.code
    return [
        (
            model.span(s.call)[0],
            code(s.call.func).strip(),
            s.renders,
            sorted(t.label for t in s.taints),
            [code(h).strip() for h in s.data_holes],
        )
        for s in injectable_sources(model)
    ]


def test_compiling_calls_and_their_sources() -> None:
    source = """\
    import jinja2
    from jinja2 import Environment, Template
    from jinja2.sandbox import SandboxedEnvironment
    from flask import Flask, current_app, render_template_string, request, stream_template_string
    from markupsafe import escape

    app = Flask(__name__)
    ENV = Environment(autoescape=True)
    SANDBOX = SandboxedEnvironment()
    PAGE = "<p>{{ q }}</p>"

    @app.errorhandler(404)
    def not_found(error):
        return render_template_string(f"{error}. Requested URL was {request.path}")

    @app.route("/t")
    def view():
        q = request.args["q"]
        page = "<h3>%s</h3>" % escape(q)
        local_env = jinja2.Environment()
        render_template_string(page)
        stream_template_string("<p>" + q + "</p>")
        Template(f"{q}")
        ENV.from_string(q)
        local_env.from_string(q)
        current_app.jinja_env.from_string(q)
        SANDBOX.from_string(q)
        SandboxedEnvironment().from_string(q)
        render_template_string(PAGE, q=q)
        render_template_string(open("page.html").read(), q=q)
        return helper(q)

    def helper(src):
        return render_template_string(src)

    def titled(page, key):
        return render_template_string(f"<h1>{page.title}</h1>"), key.from_string(page.body)
    """
    assert found(source) == [
        (14, "render_template_string", True, ["`request.path`"], ["error"]),
        (21, "render_template_string", True, ["`request.args` value"], []),  # escape() leaves {{ }}
        (22, "stream_template_string", True, ["`request.args` value"], []),
        (23, "Template", False, ["`request.args` value"], []),
        (24, "ENV.from_string", False, ["`request.args` value"], []),
        (25, "local_env.from_string", False, ["`request.args` value"], []),
        (26, "current_app.jinja_env.from_string", False, ["`request.args` value"], []),
        (34, "render_template_string", True, ["`request.args` value"], []),  # its caller passes request data
        (37, "render_template_string", True, [], ["page.title"]),
    ]
