"""ModulePositions generates positions one top-level item at a time, only as far as the node asked
for: every span must be the full pass's (itself checked against libcst's PositionProvider in
tests/test_positions.py), whatever order the nodes are asked in."""

from __future__ import annotations

import hashlib
import inspect
import random
import threading
from pathlib import Path

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode

from flasklint.model.module import ModuleModel
from flasklint.model.positions import ModulePositions, node_positions
from flasklint.rule import Case
from flasklint.rules import ALL_RULES
from flasklint.source import parse_source

REPOSITORY = Path(__file__).resolve().parent.parent
FILES = sorted((REPOSITORY / "examples").rglob("*.py")) + sorted((REPOSITORY / "tests").rglob("*.py"))
CASE_SOURCES = [
    text
    for rule in ALL_RULES
    for kind in ("invalid", "valid")
    for case in getattr(rule, kind)
    for name, text in Case.of(case).files.items()
    if name.endswith(".py")
]

TRICKY = {
    "empty": "",
    "one_newline": "\n",
    "only_comments": "# a\n\n# b\n",
    "header_and_footer": "#!/usr/bin/env python\n# header\n\nimport os\n\n# footer\n\n",
    "no_trailing_newline": "x = (1,\n     2)",
    "no_trailing_newline_comment": "x = 1\n# end",
    "crlf": "from flask import Flask\r\napp = Flask(__name__)\r\n\r\n@app.route('/')\r\ndef index():\r\n    return 'x'\r\n",
    "blocks_and_trailing_comments": "if a:\n    b = 1\n    # inside\n# outside\nelse:\n    pass\n\nclass K:\n    def m(self): return [i for i in x]\n    # footer of the class\n",
    "semicolons_and_backslashes": "a = 1; b = 2  # c\nx = 1 + \\\n    2\n",
}


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    nodes: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    return nodes


def _assert_same_spans(module: cst.Module, seed: int = 0) -> None:
    """Asked in a random order: spans of nodes generated earlier, later, and in between."""
    expected = node_positions(module)
    nodes = _all_nodes(module)
    assert len({id(n) for n in nodes}) == len(nodes) == len(expected)  # no node object is shared
    random.Random(seed).shuffle(nodes)
    shuffled = ModulePositions(module)
    assert {node: shuffled.span(node) for node in nodes} == expected


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPOSITORY)) for p in FILES])
def test_every_span_is_the_full_passes_on_examples_and_tests(path: Path) -> None:
    _assert_same_spans(cst.parse_module(path.read_text(encoding="utf-8")))


def test_every_span_is_the_full_passes_on_rule_cases() -> None:
    for number, text in enumerate(CASE_SOURCES):
        module = parse_source(text)
        if isinstance(module, cst.Module):
            _assert_same_spans(module, seed=number)


@pytest.mark.parametrize("text", list(TRICKY.values()), ids=list(TRICKY))
def test_every_span_is_the_full_passes_on_tricky_layout(text: str) -> None:
    _assert_same_spans(cst.parse_module(text))


def test_only_the_statements_up_to_the_node_are_generated() -> None:
    module = cst.parse_module("from flask import Flask\napp = Flask(__name__)\n\ndef f():\n    return 1\n")
    positions = ModulePositions(module)
    call = module.body[1].body[0].value  # type: ignore[attr-defined]
    assert positions.span(call) == (2, 6, 2, 21)
    generated = set(positions._state.positions)
    assert id(module.body[1]) in generated and id(module.body[2]) not in generated and id(module) not in generated
    assert positions.span(module.body[0]) == (1, 0, 1, 23)  # already there: nothing more generated
    assert set(positions._state.positions) == generated
    assert positions.span(module) == (1, 0, 6, 0)


def test_a_node_outside_the_module_has_no_span() -> None:
    module = cst.parse_module("x = 1\n")
    model = ModuleModel("a.py", "a", False, "x = 1\n", module)
    with pytest.raises(KeyError):
        model.span(cst.Name("x"))
    assert model.span(module.body[0]) == (1, 0, 1, 5)


def test_threads_asking_at_once_get_the_full_passes_spans() -> None:
    text = "\n".join(f"def f{i}(a, b=[1, 2]):\n    return a + b[{i}]\n" for i in range(300))
    module = cst.parse_module(text)
    expected = node_positions(module)
    nodes = _all_nodes(module)
    positions = ModulePositions(module)
    results: list[dict[cst.CSTNode, tuple[int, int, int, int]]] = []

    def ask(order: list[cst.CSTNode]) -> None:
        results.append({node: positions.span(node) for node in order})

    threads = [threading.Thread(target=ask, args=(nodes[::step],)) for step in (1, -1, 7, -3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 4 and all(result == {n: expected[n] for n in result} for result in results)


# ModulePositions._finish repeats the end of these two libcst methods; a new libcst that changes
# them fails here: compare the new bodies with _finish, then update the digests.
PINNED = {cst.Module._codegen_impl: "93a23c96c70bd9c7", CSTNode._codegen: "671900d832a8e7fa"}


@pytest.mark.parametrize("method", list(PINNED), ids=[m.__qualname__ for m in PINNED])
def test_the_module_codegen_repeated_by_finish_is_the_one_read(method: object) -> None:
    body = inspect.getsource(method)  # type: ignore[arg-type]
    assert hashlib.sha256(body.encode()).hexdigest()[:16] == PINNED[method], body
