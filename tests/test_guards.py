"""Allow-list guards: which `if` tests prove a name holds one of a fixed set of constants."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.guards import is_constant_collection, leaves, module_constant, narrowings
from flasklint.model.module import ModuleModel
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

BOUND = {"ORDERS": cst.parse_expression('("asc", "desc")'), "computed": None}


def resolve(name: str) -> cst.BaseExpression | None:
    return BOUND.get(name)


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        ('x in ("a", "b")', {"x": (True, False)}),
        ('x not in ["a", "b"]', {"x": (False, True)}),
        ('not x in {"a", "b"}', {"x": (False, True)}),
        ("x in ORDERS", {"x": (True, False)}),
        ('x in {"a": 1, "b": 2}', {"x": (True, False)}),  # a dict's keys
        ('x in frozenset({"a", "b"})', {"x": (True, False)}),
        ('x == "a"', {"x": (True, False)}),
        ('"a" != x', {"x": (False, True)}),
        ('x in ("a", "b") and y', {"x": (True, False)}),
        ('x not in ("a", "b") or y', {"x": (False, True)}),
        ('x == "a" or x == "b"', {"x": (True, False)}),
        ('x in ("a",) and y in ("b",)', {"x": (True, False), "y": (True, False)}),
        # nothing proven
        ('x in ("a", "b") or y', {}),
        ("x in computed", {}),
        ("x in (a, b)", {}),
        ('x in ("a", f"{b}")', {}),
        ("x in ORDERS + extra", {}),
        ('x.lower() in ("a", "b")', {}),
        ('x < "b"', {}),
        ('"a" in x', {}),
        ('x in ("a", *more)', {}),
    ],
)
def test_narrowings(test: str, expected: dict[str, tuple[bool, bool]]) -> None:
    assert narrowings(cst.parse_expression(test), resolve) == expected


def test_constant_collections_reach_through_names_a_few_levels_only() -> None:
    chain = {"A": cst.parse_expression("B"), "B": cst.parse_expression('("x",)')}
    assert is_constant_collection(cst.parse_expression("A"), chain.get)
    loop = {"A": cst.parse_expression("A")}
    assert not is_constant_collection(cst.parse_expression("A"), loop.get)


def model_of(source: str) -> ModuleModel:
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, text, tree)


def test_module_constants_are_names_bound_once_and_never_mutated() -> None:
    model = model_of(
        """
        import os
        from config import IMPORTED

        ONCE = ("a", "b")
        TWICE = ("a",)
        TWICE = ("b",)
        GROWN = ["a"]
        GROWN.append("b")
        STORED = {"a": 1}
        STORED["b"] = 2
        SHADOWED = ("a",)

        def view(SHADOWED):
            pass
        """
    )
    view = next(f for f in model.functions if f.name == "view")
    scope = view.scope
    assert model.code(module_constant(model, scope, "ONCE")) == '("a", "b")'  # type: ignore[arg-type]
    for name in ("TWICE", "GROWN", "STORED", "SHADOWED", "IMPORTED", "os", "missing"):
        assert module_constant(model, scope, name) is None, name


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('x = "asc"', True),
        ("x: str = 'asc'", True),
        ("log(x)\nreturn 'no'", True),
        ("raise ValueError(x)", True),
        ("abort(400)", True),
        ("flask.abort(404)", True),
        ("sys.exit(1)", True),
        ("continue", True),
        ("break", True),
        ("log(x)", False),
        ("x += 'a'", False),
        ("y = 'asc'", False),
        ("if y:\n    x = 'asc'", False),  # only on some paths
        ("if y:\n    return 'no'", False),
        ("abort = print\nabort(1)", False),
    ],
)
def test_leaves(body: str, expected: bool) -> None:
    model = model_of(
        "import sys\nimport flask\nfrom flask import abort\n\n"
        "def view(x, y):\n    for _ in y:\n        if x:\n"
        + textwrap.indent(body, "            ")
        + "\n"
    )
    view = next(f for f in model.functions if f.name == "view")
    branch = next(n for n in view.node.body.body[0].body.body if isinstance(n, cst.If))  # type: ignore[attr-defined]
    assert leaves(model, view.scope, branch.body, "x") is expected
