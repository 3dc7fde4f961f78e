"""Where a view's HTML leaves it: the bodies it returns or builds responses from, while they stay HTML."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.dataflow import dataflow_for
from flasklint.model.responses import header_state, mimetype_state, response_bodies, response_call
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
