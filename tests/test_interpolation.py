"""The request-derived holes of string-building expressions, found by following a value back to its pieces."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.dataflow import TaintAnalysis, dataflow_for
from flasklint.model.interpolation import HoleFinder, is_interpolation
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

HEADER = """\
from flask import Flask, render_template_string, request
from markupsafe import Markup, escape

app = Flask(__name__)


@app.route("/<name>/<int:number>")
def view(name, number):
    q = request.args["q"]
    data = request.get_data()
"""


def analysis_of(statements: str) -> TaintAnalysis:
    text = HEADER + textwrap.indent(textwrap.dedent(statements), "    ")
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    view = next(f for f in model.functions if f.name == "view")
    return dataflow_for(model).analysis(view, "html")


def holes(statements: str) -> list[tuple]:
    """(source, taint labels, wrap) of each hole of the value `view` returns last."""
    analysis = analysis_of(statements)
    returned = analysis.flow.returns[-1].value
    assert returned is not None
    finder = HoleFinder(analysis)
    finder.find_in(returned)
    model = analysis.model
    return [(model.code(h.node).strip(), sorted(t.label for t in h.taints), h.wrap) for h in finder.holes.values()]


QUERY = ["`request.args` value"]
ROUTE = ["route variable `name`"]


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        ('return f"<p>{name}</p>"', [("name", ROUTE, "escape")]),
        ('return f"<p>{q!r} {q:>9} {q=}</p>"', [("q", QUERY, None)] * 3),  # escaping would change these
        ('return f"<p>{number} {q:d} {escape(q)}</p>"', []),  # numbers and escaped values carry no markup
        ('return "<p>%s</p>" % q', [("q", QUERY, "escape")]),
        ('return "<p>%r</p>" % (q,)', [("q", QUERY, None)]),
        ('return "<p>%(n)d %(t)s</p>" % {"n": q, "t": name}', [("name", ROUTE, "escape")]),
        ('return "<li>{}</li>".format(q)', [("q", QUERY, "escape")]),
        ('return "<li>{0:d}</li><p>{who}</p>".format(q, who=name)', [("name", ROUTE, "escape")]),
        ('return "<b>" + q + "</b>"', [("q", QUERY, "str")]),
        ('return b"<b>" + data', [("data", ["`request.get_data()`"], None)]),  # escape(b"...") shows the repr
        ('return f"<p>{data}</p>"', [("data", ["`request.get_data()`"], None)]),
        ('return "".join(["<b>", q])', [("q", QUERY, "escape")]),
        ('return "<p>" + "".join(f"<i>{v}</i>" for v in request.args.getlist("v"))', [("v", QUERY, "escape")]),
        ('html = "<ul>"\nhtml += "<li>" + q\nreturn html', [("q", QUERY, "str")]),
        ('page = f"<p>{q}</p>" if q else "<p>none</p>"\nreturn page', [("q", QUERY, "escape")]),
        ('return Markup("<b>%s</b>") % q', []),  # Markup's % escapes its arguments
        ('return Markup("<b>{}</b>").format(q)', []),
        ("return q", []),  # an echo, not an interpolation
        ('return "<p>" + escape(q)', []),
        # what a Markup trusts is FLK105's (model/trusted_markup.py), a template source FLK106's
        # (model/template_sources.py): one problem, one finding
        ('return Markup(f"<b>{q}</b>")', []),
        ('return Markup("<b>%s</b>" % q) + Markup("<i>{}</i>").format(name)', []),
        ('return f"<p>{Markup(q)}</p>" + "<i>%s</i>" % name', [("name", ROUTE, "escape")]),
        ('m = Markup(f"<b>{name}</b>")\nreturn "<p>" + m', []),
        ("return Markup(q)", []),
        ('return render_template_string("<p>%s</p>" % q)', []),
        ('src = f"<h3>{request.url}</h3>"\nreturn render_template_string(src)', []),
        ('return render_template_string("<p>{{ q }}</p>", q=q)', []),
    ],
)
def test_holes(statements: str, expected: list[tuple]) -> None:
    assert holes(statements) == expected


@pytest.mark.parametrize(
    ("expression", "interpolation"),
    [
        ('f"<p>{q}</p>"', True),
        ('f"<p>constant</p>"', False),
        ('"<p>" + q', True),
        ("number + 1", False),
        ('"%s" % q', True),
        ("number % 2", False),
        ('"{}".format(q)', True),
        ('", ".join(q)', True),
        ("q", False),
    ],
)
def test_is_interpolation(expression: str, interpolation: bool) -> None:
    analysis = analysis_of(f"return {expression}")
    returned = analysis.flow.returns[-1].value
    assert returned is not None
    assert is_interpolation(analysis, returned) is interpolation
