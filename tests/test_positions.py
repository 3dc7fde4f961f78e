"""The lean position pass must give exactly libcst's PositionProvider spans (it replaces it for speed)."""

from __future__ import annotations

import hashlib
import inspect
import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst._nodes.op import _BaseOneTokenOp
from libcst.metadata import MetadataWrapper, PositionProvider

from flasklint import shortcuts
from flasklint.model.positions import ModulePositions, lean_codegen, node_positions

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPOSITORY / "flasklint").rglob("*.py")) + sorted((REPOSITORY / "examples").rglob("*.py"))

TRICKY = {
    "crlf": "from flask import Flask\r\napp = Flask(__name__)\r\n\r\n@app.route('/')\r\ndef index():\r\n    return 'x'\r\n",
    "tabs_and_unicode": "def f():\n\tname = '日本語 🎉'\n\treturn f'<b>{name}</b>'\n",
    "no_trailing_newline": "x = (1,\n     2)",
    "semicolons_and_comments": "a = 1; b = 2  # c\n# trailing\n",
    "decorators_and_classes": "@a\n@b.c(1)\nclass K(Base):\n    '''doc'''\n\n    def m(self): return [i for i in x if i]\n",
    # The leaves generated inline: parenthesized names and strings, strings and whitespace that
    # span lines (a backslash continuation), a lone `\r` ending a line inside a string.
    "parenthesized_leaves": "x = (a)\ny = ((b)) + ( 'c' )\nz = ('s'\n     't')\nw = '''a\r\nb'''\nf((k), v=(w))\n",
    "continuations": "total = first + \\\n    second\nif a and \\\r\n   b:\n    pass\n",
    "operators": "x = a.b , c ; y = (a+b) * c // d ** -e\nif a is not b and c not in d or e >= f: pass\nf(k = 1, *args, **kw)[1:2, ::3]\nz |= y @ x\n",
    "lone_cr_in_a_string": "y = '''a\rb'''\nz = 1\n",
}


def _expected(module: cst.Module) -> dict[cst.CSTNode, tuple[int, int, int, int]]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: (r.start.line, r.start.column, r.end.line, r.end.column) for node, r in positions.items()}


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(REPOSITORY)) for p in SOURCES])
def test_positions_match_libcst_on_real_code(path: Path) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    assert node_positions(module) == _expected(module)


@pytest.mark.parametrize("source", TRICKY.values(), ids=list(TRICKY))
def test_positions_match_libcst_on_tricky_layout(source: str) -> None:
    module = cst.parse_module(source)
    assert node_positions(module) == _expected(module)


def test_crlf_lines_and_columns_are_exact() -> None:
    module = cst.parse_module(TRICKY["crlf"])
    function = module.body[2]
    assert isinstance(function, cst.FunctionDef)
    positions = node_positions(module)
    assert positions[function.name] == (5, 4, 5, 9)
    assert positions[function.decorators[0]] == (4, 0, 4, 15)


# -- the lean codegen steps installed on libcst's classes while spans are generated ---------------
# positions._codegen and positions._Parenthesized repeat these libcst methods for the position state
# (the leaves' `_codegen_impl` inline); a new libcst that changes one fails here: compare the new
# bodies, then update the digests.
PINNED = {
    CSTNode._codegen: "671900d832a8e7fa",
    _BaseParenthesizedNode._parenthesize: "84efe747829c8050",
    cst.SimpleWhitespace._codegen_impl: "b36be7ef42bb71ca",
    cst.Newline._codegen_impl: "5d1083b0f0efad63",
    cst.Name._codegen_impl: "5ddfd37732e04c69",
    cst.SimpleString._codegen_impl: "5ddfd37732e04c69",
    _BaseOneTokenOp._codegen_impl: "39cd1fbfdc7644c8",
}


@pytest.mark.parametrize("method", list(PINNED), ids=[m.__qualname__ for m in PINNED])
def test_the_codegen_steps_replaced_are_the_ones_read(method: object) -> None:
    body = inspect.getsource(method)  # type: ignore[arg-type]
    assert hashlib.sha256(body.encode()).hexdigest()[:16] == PINNED[method], body


def _libcsts_own() -> tuple[object, object]:
    return CSTNode.__dict__["_codegen"], _BaseParenthesizedNode.__dict__["_parenthesize"]


def test_libcsts_methods_are_replaced_only_while_spans_are_generated() -> None:
    own = _libcsts_own()
    module = cst.parse_module(TRICKY["decorators_and_classes"])
    spans = ModulePositions(module)
    with lean_codegen():
        assert _libcsts_own() != own
        assert spans.span(module.body[0]) == node_positions(module)[module.body[0]]
    assert _libcsts_own() == own
    assert spans.span(module.body[0].decorators[1]) == (2, 0, 2, 7)  # type: ignore[attr-defined]
    assert _libcsts_own() == own


@pytest.mark.parametrize("source", TRICKY.values(), ids=list(TRICKY))
def test_other_code_generation_is_libcsts_own_while_the_lean_steps_are_installed(source: str) -> None:
    """Another thread (a fix, another flake8 plugin) may generate code meanwhile: libcst's own
    states must see libcst's own behaviour."""
    module = cst.parse_module(source)
    expected = _expected(module)
    with lean_codegen():
        assert module.code == source
        assert _expected(module) == expected


def test_nothing_is_replaced_with_shortcuts_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    own = _libcsts_own()
    module = cst.parse_module(TRICKY["crlf"])
    with lean_codegen():
        assert _libcsts_own() == own
        assert node_positions(module) == _expected(module)


def test_concurrent_users_put_libcsts_methods_back_only_at_the_end() -> None:
    own = _libcsts_own()
    inside, release = threading.Event(), threading.Event()

    def long_analysis() -> None:
        with lean_codegen():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=long_analysis)
    thread.start()
    assert inside.wait(10)
    module = cst.parse_module(TRICKY["semicolons_and_comments"])
    assert node_positions(module) == _expected(module)
    assert _libcsts_own() != own  # the other analysis still runs
    release.set()
    thread.join(10)
    assert _libcsts_own() == own


def test_a_failing_generation_leaves_libcsts_methods_in_place() -> None:
    own = _libcsts_own()
    with pytest.raises(ZeroDivisionError), lean_codegen():
        1 / 0
    assert _libcsts_own() == own
