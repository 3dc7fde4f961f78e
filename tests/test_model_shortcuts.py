"""Faster ways the model answers the same questions (issue 14): each is checked against the plain way.

- `literal_string` reads most string literals without `ast.literal_eval`: same values as libcst's
  `evaluated_value` (None for bytes, f-strings and anything else);
- `ModuleModel.callers_of` / `calls_in` use an index of the module's calls: same calls, same order,
  as scanning `model.calls`;
- the flow builder handles names, literals, calls and plain nodes without a `walk` call each: same
  walk orders, blocks, definitions and branches as the one-call-per-node walk.
"""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model import dataflow
from flasklint.model.cst_helpers import literal_string
from flasklint.model.module import CallInfo, FunctionInfo, ModuleModel
from flasklint.model.traversal import build_model
from flasklint.model.walk import child_fields, children, field_children
from flasklint.source import parse_source

LITERALS = [
    '""', "''", '""""""', "''''''", '"""a"b"""', "'''a''b'''", 'r"\\d+"', 'R"\\"x"', 'u"é"', 'U"x"',
    'b"x"', 'rb"x"', 'Rb"\\x"', 'bR"x"', '"\\n"', '"a\\\nb"', 'r"a\\\nb"', '"\\N{BULLET}"', '"\\x41\\u00e9"',
    '"a" "b"', '"a" f"b"', 'f"a" "b"', '"a" r"\\d" u"c"', '"""x""" "y"',
    'b"a" b"c"', '"a" "b" f"{x}"', "f'{x}'", "x", "1",
]  # fmt: skip


def _expression(source: str) -> cst.BaseExpression:
    statement = cst.parse_module(source).body[0]
    assert isinstance(statement, cst.SimpleStatementLine) and isinstance(statement.body[0], cst.Expr)
    return statement.body[0].value


def _libcst_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("literal", LITERALS)
def test_literal_string_matches_libcst(literal: str, newline: str) -> None:
    node = _expression(literal.replace("\n", newline) + newline)
    assert literal_string(node) == _libcst_value(node)


def test_literal_string_in_triple_quotes_with_crlf() -> None:
    """A carriage return inside a literal: Python reads `\\r\\n` as `\\n` (the slow path does)."""
    node = _expression('x = """a\r\nb"""\r\n'.removeprefix("x = "))
    assert literal_string(node) == "a\nb" == _libcst_value(node)


SOURCE = '''
from flask import Flask, request, make_response
from helpers import shared

app = Flask(__name__)

def helper(value):
    return value

def other():
    return helper(1)

@app.route("/a")
def a():
    helper(request.args["x"])
    def inner():
        return helper(2), make_response("x")
    shared(helper(3))
    return make_response(helper(4))

@app.route("/b")
def b(helper=None):
    return helper(5)

class View:
    def get(self):
        return helper(6)

helper(7)
'''


def _model(source: str) -> ModuleModel:
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, text, tree)


def _scanned_callers(model: ModuleModel, function: FunctionInfo) -> list[CallInfo]:
    """callers_of as a scan of every call of the module."""
    return [
        call
        for call in model.calls
        if call.function is not None
        and call.function is not function
        and isinstance(call.node.func, cst.Name)
        and call.node.func.value == function.name
        and model.qualify(call.node.func, call.scope) is None
    ]


def test_callers_and_calls_in_match_a_scan_of_every_call() -> None:
    model = _model(SOURCE)
    assert len(model.functions) == 6
    for function in model.functions:
        assert list(model.callers_of(function)) == _scanned_callers(model, function)
        assert model.calls_in(function) == [c for c in model.calls if c.function is function]
    helper = next(f for f in model.functions if f.name == "helper")
    callers = [model.code(c.node) for c in model.callers_of(helper)]
    assert callers == ["helper(1)", 'helper(request.args["x"])', "helper(2)", "helper(3)", "helper(4)", "helper(5)", "helper(6)"]


def test_call_index_follows_calls_added_later() -> None:
    model = _model(SOURCE)
    helper = next(f for f in model.functions if f.name == "helper")
    before = list(model.callers_of(helper))
    model.calls.append(before[0])
    assert list(model.callers_of(helper)) == [*before, before[0]]


class _OneCallPerNode(dataflow._FlowBuilder):
    """The flow builder's walk as it was: `walk` for every node, `_enter` and `_leave` at each."""

    def walk(self, node: cst.CSTNode) -> None:
        self.order += 1
        node_type = type(node)
        if node_type is cst.Name:
            self.flow.positions[node] = (self.order, self.path)
            return
        types = self.types
        if node_type in types.opaque:
            self._define(node.name.value, "clear")  # type: ignore[attr-defined]
            return
        if node_type is cst.Lambda:
            return
        if node_type in types.imports:
            self._imported(node)  # type: ignore[arg-type]
            return
        outer_path, outer_compound = self.path, len(self.compound)
        self._enter(node)
        if node_type in types.between_fields:
            for field in child_fields(node_type):
                for child in field_children(node, field):
                    self.walk(child)
                self._after_field(node, field)
        else:
            for child in children(node):
                self.walk(child)
        self._leave(node)
        self.path = outer_path
        del self.compound[outer_compound:]


FLOW_SOURCE = '''
import os
from flask import request
from markupsafe import escape

def view(name, *args, **kwargs):
    """Docstring."""
    x = request.args.get("q", "")
    items = []
    items.append(x)
    items.extend([1, 2.5, 3j, ..., b"x", f"{x}!"])
    total = 0
    total += len(items)
    if x in ("a", "b"):
        x = escape(x)
    elif not x:
        pass
    else:
        x = x.strip()
    for i, (k, v) in enumerate(request.args.items()):
        if i > 3:
            break
        continue
    while total:
        total -= 1
    try:
        import json as j
        from os import path
    except ValueError as error:
        x = str(error)
    finally:
        y = [z for z in items if z] + [w async for w in aiter()]
    with open(x) as handle, other() as (a, b):
        data = handle.read()
    def inner(q=x):
        return q
    class Local:
        attr = x
    fn = lambda v: v + x
    (n := len(x))
    match x:
        case "a":
            x = "b"
    d = {k: v for k, v in request.args.items()}
    d["k"] = x
    d["k"] += x
    return f"<p>{x}{data}{d}{n}</p>", {**d}
'''


def _flow_summary(flow: dataflow.FunctionFlow) -> tuple[object, ...]:
    definitions = [
        (d.name, d.how, d.order, tuple(map(id, d.path)), id(d.value), d.unpack, id(d.previous), id(d.scope))
        for name in flow.definitions
        for d in flow.definitions[name]
    ]
    positions = sorted((id(n), order, tuple(map(id, path))) for n, (order, path) in flow.positions.items())
    branches = [(id(b.node), tuple(map(id, b.path)), b.start, b.test_end, b.body_end, b.end) for b in flow.branches]
    return definitions, positions, branches, [id(r) for r in flow.returns], sorted(map(id, flow.loop_bodies))


def test_flow_builder_matches_one_walk_call_per_node(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(FLOW_SOURCE)
    view = next(f for f in model.functions if f.name == "view")
    fast = dataflow.FunctionFlow(view, model)
    monkeypatch.setattr(dataflow, "_FlowBuilder", _OneCallPerNode)
    reference = dataflow.FunctionFlow(view, model)
    assert len(fast.positions) > 50 and len(fast.branches) == 3
    assert _flow_summary(fast) == _flow_summary(reference)
