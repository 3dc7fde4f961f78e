"""The lean walk visits statements and expressions in evaluation order and skips tokens."""

from __future__ import annotations

import functools
from pathlib import Path

import libcst as cst

from flasklint.model.walk import LeanVisitor, children, node_types


class _Recorder(LeanVisitor):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.seen.append(cst.Module([]).code_for_node(node.func))

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.seen.append(f"class {node.name.value}")
        return False  # children skipped

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.seen.append(f"leave {node.name.value}")


def test_decorators_are_walked_before_the_body_and_false_skips_children() -> None:
    module = cst.parse_module("@route('/')\ndef view():\n    return render()\n\nclass K:\n    x = hidden()\n")
    recorder = _Recorder()
    recorder.walk(module)
    assert recorder.seen == ["route", "render", "class K", "leave K"]


def test_children_skip_whitespace_and_punctuation() -> None:
    call = cst.parse_expression("f( a , b )")
    assert isinstance(call, cst.Call)
    kinds = [type(child).__name__ for child in children(call)]
    assert kinds == ["Name", "Arg", "Arg"]


# Every kind of statement and expression the reference walk below must agree on (f-strings, match,
# walrus, star targets, decorators, async, try/except*, lambdas, comprehensions, global/nonlocal).
_VARIED = '''
import a.b as c
from . import d
@deco(1)
async def f(x, /, y=2, *args, z: int = 3, **kw) -> None:
    global g
    async with open(x) as fh, other():
        async for i in aiter(fh):
            yield i
    v = [j async for j in k if j] + {m: n for m, n in o} + {*p} + (q for q in r)
    if (w := y) and not z or -w < 1 <= 2 is not None:
        del w[0], kw["a"]
    elif z:
        raise ValueError from None
    else:
        assert y, f"{y!r:>{z}} {{x}}"
    match v:
        case [1, *rest] | {"k": _} if rest:
            pass
        case Point(x=0) as pt:
            return pt
    try:
        lambda a, *b: a[1:2, ::3]
    except* (OSError, ValueError) as e:
        x += 1
    finally:
        nonlocal_ = ...
    return await y if x else b"\\x00" b"s"
class K(Base, metaclass=M):
    attr: int = 1
'''


def _reference_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """children() spelled out: each non-token field's nodes, by isinstance."""
    from flasklint.model.walk import child_fields

    found: list[cst.CSTNode] = []
    for field in child_fields(type(node)):
        value = getattr(node, field)
        if isinstance(value, cst.CSTNode):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode))
    return found


def _every_node(tree: cst.CSTNode) -> list[cst.CSTNode]:
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(_reference_children(node))
    return nodes


@functools.cache
def _sample_trees() -> list[cst.Module]:
    model = Path(__file__).parent.parent / "flasklint" / "model"
    sources = [_VARIED] + [(model / name).read_text() for name in ("dataflow.py", "traversal.py", "redirects.py")]
    return [cst.parse_module(source) for source in sources]


def test_children_are_every_node_the_fields_hold_in_order() -> None:
    """children() reads only the fields libcst declares may hold a node: the same nodes, in the same order."""
    nodes = [node for tree in _sample_trees() for node in _every_node(tree)]
    assert len({type(node) for node in nodes}) > 60
    for node in nodes:
        assert [id(child) for child in children(node)] == [id(child) for child in _reference_children(node)], node


def test_node_types_answers_as_isinstance() -> None:
    bases = (cst.BaseSuite, cst.BaseExpression, cst.BaseCompoundStatement, cst.Name, cst.BaseSmallStatement, cst.CSTNode)
    types = {base: node_types(base) for base in bases}
    for node in (node for tree in _sample_trees() for node in _every_node(tree)):
        for base in bases:
            assert (type(node) in types[base]) == isinstance(node, base)


def test_each_visitor_class_dispatches_to_its_own_hooks() -> None:
    class Inner(_Recorder):
        def visit_Call(self, node: cst.Call) -> None:
            self.seen.append("inner call")

    module = cst.parse_module("f()\n")
    outer, inner = _Recorder(), Inner()
    outer.walk(module)
    inner.walk(module)
    outer.walk(module)
    assert (outer.seen, inner.seen) == (["f", "f"], ["inner call"])
