"""The lean walk visits statements and expressions in evaluation order and skips tokens."""

from __future__ import annotations

import libcst as cst

from flasklint.model.walk import LeanVisitor, children


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
