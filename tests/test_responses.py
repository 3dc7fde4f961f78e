"""Where a view's HTML leaves it: the bodies it returns or builds responses from, while they stay HTML."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.dataflow import dataflow_for
from flasklint.model.responses import (
    header_state,
    html_handlers,
    mimetype_state,
    response_bodies,
    response_builders,
    response_call,
    template_source,
)
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

HEADER = """\
import flask
from flask import Flask, Response, jsonify, make_response, request

app = Flask(__name__)


@app.route("/")
def view(body, headers):
"""


def bodies(statements: str) -> list[str]:
    """The source of each HTML body `view` sends, in the order response_bodies gives them."""
    text = HEADER + textwrap.indent(textwrap.dedent(statements), "    ")
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    view = next(f for f in model.functions if f.name == "view")
    analysis = dataflow_for(model).analysis(view, "html")
    return [model.code(body).strip() for body in response_bodies(model, view, analysis)]


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ('return f"<p>{body}</p>"', ['f"<p>{body}</p>"']),
        ("return jsonify(body)", ["jsonify(body)"]),  # a body all the same: what it holds is the caller's question
        ('return body, 404', ["body"]),
        ('return body, 200, {"Content-Type": "text/html; charset=utf-8"}', ["body"]),
        ('return body, 200, [("Content-Type", "application/xhtml+xml")]', ["body"]),
        ('return body, 200, {"Content-Type": "text/plain"}', []),
        ('return body, {"content-type": "application/json"}', []),
        ('return body, 200, {"Content-Disposition": "attachment; filename=page.html"}', []),
        ('return body, 200, {"Content-Disposition": "inline"}', ["body"]),
        ("return body, 200, headers", []),  # headers not known: may say anything
        ('return body, 200, {"X-Frame-Options": "DENY"}', ["body"]),
        ('return body, 200, {**headers}', []),
        ("return make_response(body, 201)", ["body"]),
        ("return make_response((body, 404))", ["body"]),
        ('return make_response(body, 200, {"Content-Type": "text/csv"})', []),
        ("return flask.make_response(*body)", []),
        ("return Response(body)", ["body"]),
        ('return Response(body, mimetype="text/plain")', []),
        ('return Response(body, content_type="text/html")', ["body"]),
        ('return Response(body, headers={"Content-Type": "text/plain"})', []),
        ("return app.response_class(body)", ["body"]),
        # a returned name is a body as well (what `r` holds is the hole finder's question), the retyped call's is not
        ('r = make_response(body)\nr.mimetype = "text/plain"\nreturn r', ["r"]),
        ('r = make_response(body)\nr.headers["Content-Type"] = "application/json"\nreturn r', ["r"]),
        ('r = make_response(body)\nr.headers.set("Content-Type", "text/csv")\nreturn r', ["r"]),
        ('r = make_response(body)\nr.headers["X-Robots-Tag"] = "none"\nreturn r', ["r", "body"]),
        ('if request.args:\n    return "<p>a</p>"\nreturn body, 201', ['"<p>a</p>"', "body"]),
    ],
)
def test_response_bodies(statements: str, expected: list[str]) -> None:
    assert bodies(statements) == expected


@pytest.mark.parametrize(
    ("value", "state"),
    [
        ('"text/html"', "html"),
        ('" Text/HTML; charset=utf-8"', "html"),
        ('"application/xhtml+xml"', "html"),
        ('"text/plain"', "other"),
        ("mimetype", "unknown"),
        ('f"text/{kind}"', "unknown"),
    ],
)
def test_mimetype_state(value: str, state: str) -> None:
    assert mimetype_state(cst.parse_expression(value)) == state


@pytest.mark.parametrize(
    ("name", "value", "state"),
    [
        ("Content-Type", '"text/html"', "html"),
        ("CONTENT-TYPE", '"image/svg+xml"', "other"),
        ("Content-Disposition", '"attachment"', "other"),
        ("Content-Disposition", 'f"attachment; filename={name}"', "other"),
        ("Content-Disposition", '"inline"', None),
        ("Content-Disposition", "disposition", "unknown"),
        ("Cache-Control", '"no-store"', None),
    ],
)
def test_header_state(name: str, value: str, state: str | None) -> None:
    assert header_state(name, cst.parse_expression(value)) == state


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("Response(x)", "response"),
        ("flask.Response(x)", "response"),
        ("app.response_class(x)", "response"),
        ("make_response(x)", "make_response"),
        ("flask.make_response(x)", "make_response"),
        ("jsonify(x)", None),
        ("x", None),
    ],
)
def test_response_call(call: str, kind: str | None) -> None:
    text = HEADER + f"    return {call}\n"
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    view = next(f for f in model.functions if f.name == "view")
    analysis = dataflow_for(model).analysis(view, "html")
    returned = analysis.flow.returns[-1].value
    assert returned is not None
    assert response_call(analysis, returned) == kind


def model_of(text: str):
    tree = parse_source(textwrap.dedent(text))
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, textwrap.dedent(text), tree)


def test_html_handlers_are_views_and_error_handlers() -> None:
    model = model_of(
        """
        from flask import Blueprint, Flask
        from flask_restx import Api

        app = Flask(__name__)
        bp = Blueprint("bp", __name__)
        api = Api(app)

        @app.route("/")
        def index():
            return "index"

        @app.errorhandler(404)
        def not_found(e):
            return "not found"

        @bp.app_errorhandler(500)
        def broken(e):
            return "broken"

        def gone(e):
            return "gone"

        def teapot(e):
            return "teapot"

        def helper():
            return "not a handler"

        @api.errorhandler(ValueError)
        def api_error(e):
            return {"message": str(e)}  # Flask-RESTX serialises it: not an HTML response

        app.register_error_handler(410, gone)
        app.errorhandler(418)(teapot)

        def create_app():
            inner = Flask(__name__)

            def local_handler(e):
                return "local"

            inner.register_error_handler(Exception, f=local_handler)
            return inner
        """
    )
    assert [f.qualname for f in html_handlers(model)] == [
        "index",
        "not_found",
        "broken",
        "gone",
        "teapot",
        "create_app.<locals>.local_handler",
    ]


def test_in_a_flask_restx_module_only_flask_objects_built_there_take_html_error_handlers() -> None:
    model = model_of(
        """
        import flask_restx
        from flask import Flask
        from .extensions import api, other_app

        app = Flask(__name__)

        @app.errorhandler(404)
        def not_found(e):
            return "not found"

        @api.errorhandler(ValueError)
        def api_error(e):
            return "serialised by the Api"

        @other_app.errorhandler(500)
        def unknown_owner(e):
            return "an Api or an app: not known"
        """
    )
    assert [f.qualname for f in html_handlers(model)] == ["not_found"]


@pytest.mark.parametrize(
    ("call", "source"),
    [
        ('render_template_string("<p>{{ x }}</p>", x=body)', '"<p>{{ x }}</p>"'),
        ("flask.render_template_string(source=body)", "body"),
        ("flask.stream_template_string(body)", "body"),
        ('render_template("page.html", x=body)', None),
        ("body", None),
    ],
)
def test_template_source(call: str, source: str | None) -> None:
    text = HEADER.replace("import flask\n", "import flask\nfrom flask import render_template, render_template_string\n")
    model = model_of(text + f"    return {call}\n")
    view = next(f for f in model.functions if f.name == "view")
    analysis = dataflow_for(model).analysis(view, "html")
    returned = analysis.flow.returns[-1].value
    assert returned is not None
    found = template_source(analysis, returned)
    assert (None if found is None else model.code(found).strip()) == source


def test_functions_without_a_route_that_build_a_response_are_response_builders() -> None:
    """A helper building `make_response(...)` runs in a request; one that only returns text is not a page."""
    source = (
        "from flask import Response, make_response, request\n\n\n"
        "def page():\n    return make_response('<p>' + request.args['q'] + '</p>')\n\n\n"
        "def raw():\n    return Response('<p>hi</p>')\n\n\n"
        "def text():\n    return '<p>' + request.args['q']\n"
    )
    tree = parse_source(source)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, source, tree)
    assert [f.name for f in response_builders(model)] == ["page", "raw"]
