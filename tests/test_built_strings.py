"""What a string is built from (model/built_strings.py): its interpolation holes, and which hold data."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.built_strings import holds_data, interpolation_holes
from flasklint.model.dataflow import TaintAnalysis, dataflow_for
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

HEADER = """\
from markupsafe import Markup, escape

CONSTANT = "<hr>"


def view(param, model, items):
    local = "<p>"
"""


def analysis_of(statements: str) -> TaintAnalysis:
    text = HEADER + textwrap.indent(textwrap.dedent(statements), "    ")
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    view = next(f for f in model.functions if f.name == "view")
    return dataflow_for(model).analysis(view, "html")


def built(statements: str) -> tuple[list[str] | None, list[str]]:
    """(every hole, the holes holding data) of the value `view` returns last, as source text."""
    analysis = analysis_of(statements)
    value = analysis.flow.returns[-1].value
    assert value is not None
    holes = interpolation_holes(analysis, value)
    code = analysis.model.code
    if holes is None:
        return None, []
    return [code(h).strip() for h in holes], [code(h).strip() for h in holes if holds_data(analysis, h)]


@pytest.mark.parametrize(
    ("statements", "holes", "data"),
    [
        ('return f"<b>{param}</b>"', ["param"], ["param"]),
        ('return "<b>%s %s</b>" % (param, CONSTANT)', ["param", "CONSTANT"], ["param"]),
        ('return "<b>%(a)s</b>" % {"a": model.name}', ["model.name"], ["model.name"]),
        ('return "<b>{}</b>".format(escape(param))', ["escape(param)"], []),  # a call's result
        ('return "<b>" + model["title"] + "</b>"', ['model["title"]'], ['model["title"]']),
        ('return "".join([local, str(param)])', ["local", "str(param)"], ["str(param)"]),  # str() passes data
        ('return ", ".join(i for i in items)', ["i"], ["i"]),  # a loop variable over a parameter
        ('return f"{local}{CONSTANT}{len(param)}"', ["local", "CONSTANT", "len(param)"], []),
        ('return f"<i>{Markup(param)}</i>"', ["Markup(param)"], []),  # a Markup is not escaped again
        ('s = f"<b>{param}</b>"\nreturn s', ["param"], ["param"]),  # through a local name
        ('s = "<ul>"\ns += "<li>" + model.name\nreturn s', ['"<ul>"', "model.name"], ["model.name"]),
        ('s = f"<b>{param}</b>" if param else CONSTANT\nreturn s', ["param", "CONSTANT"], ["param"]),
        ('x = model.title\nreturn f"<b>{x}</b>"', ["x"], ["x"]),
        ('return f"<p>{model.size // 1024} kB, {-param}, {param > 1}</p>"',
         ["model.size // 1024", "-param", "param > 1"], []),
        ('return "<p>%s</p>" % (param * 2)', ["(param * 2)"], ["(param * 2)"]),  # `"ab" * 2` is text
        ("return param", None, []),  # not built by interpolation
        ("return CONSTANT", None, []),
        ('return "<b>literal</b>"', None, []),
        ("return local", None, []),  # a local bound to a literal only
    ],
)
def test_holes_and_data(statements: str, holes: list[str] | None, data: list[str]) -> None:
    assert built(statements) == (holes, data)
