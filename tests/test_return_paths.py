"""model/return_paths.py: where a function can end without a value (exact tails and bare returns)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.return_paths import contains_yield, function_paths


def _never_returns(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Name) and call.func.value in ("abort", "fail")


def _paths(source: str) -> tuple[list[int], list[int], bool]:
    """(rows of the tails, rows of the bare returns, returns a value) of the first function."""
    module = cst.parse_module(textwrap.dedent(source))
    wrapper = cst.metadata.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(cst.metadata.PositionProvider)
    function = next(node for node in module.body if isinstance(node, cst.FunctionDef))
    paths = function_paths(function, _never_returns)
    rows = [positions[node].start.line for node in paths.tails]
    return rows, [positions[node].start.line for node in paths.bare_returns], paths.returns_value


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    return 1\n", ([], [], True)),
        ("def f():\n    x = 1\n", ([2], [], False)),
        ("def f():\n    return\n", ([], [2], False)),
        ("def f():\n    return None\n", ([], [2], False)),
        ("def f():\n    if a:\n        return 1\n", ([2], [], True)),
        ("def f():\n    if a:\n        return 1\n    else:\n        g()\n", ([5], [], True)),
        ("def f():\n    if a:\n        return 1\n    elif b:\n        raise E\n    else:\n        abort(404)\n", ([], [], True)),
        ("def f():\n    if a:\n        return 1\n    abort(404)\n    x = 2\n", ([], [], True)),  # dead code after abort
        ("def f():\n    while True:\n        g()\n", ([], [], False)),
        ("def f():\n    while True:\n        if a:\n            break\n", ([2], [], False)),
        ("def f():\n    while 1:\n        for x in y:\n            break\n", ([], [], False)),  # inner break
        ("def f():\n    for x in y:\n        return x\n", ([2], [], True)),
        ("def f():\n    for x in y:\n        pass\n    else:\n        return 2\n", ([], [], True)),
        ("def f():\n    for x in y:\n        break\n    else:\n        return 2\n", ([2], [], True)),
        ("def f():\n    try:\n        return g()\n    except E:\n        log()\n", ([5], [], True)),
        ("def f():\n    try:\n        g()\n    except E:\n        return 1\n    else:\n        return 2\n", ([], [], True)),
        ("def f():\n    try:\n        g()\n    finally:\n        return 1\n", ([], [], True)),
        ("def f():\n    with x:\n        return 1\n", ([], [], True)),
        ("def f():\n    match x:\n        case 1:\n            return 1\n", ([2], [], True)),
        (
            "def f():\n    match x:\n        case 1:\n            return 1\n        case _:\n            return 2\n",
            ([], [], True),
        ),
        ("def f():\n    x = 1; fail()\n", ([], [], False)),
        ("def f():\n    if a: return\n    return 1\n", ([], [2], True)),
    ],
)
def test_paths(source: str, expected: tuple[list[int], list[int], bool]) -> None:
    assert _paths(source) == expected


def test_generators_are_recognised_but_not_nested_ones() -> None:
    [gen, plain] = cst.parse_module("def g():\n    yield 1\ndef f():\n    def inner():\n        yield 1\n    return inner\n").body
    assert contains_yield(gen) and not contains_yield(plain)
