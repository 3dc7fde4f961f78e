"""Which module-level statements run on import (outside any `__name__` test), straight from the tree."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.main_guard import import_time_statements, is_name_test


def statements(source: str) -> list[tuple[str, bool]]:
    """(code, movable: alone on its line) of each statement run on import."""
    module = cst.parse_module(textwrap.dedent(source))
    found = import_time_statements(module)
    return [(module.code_for_node(s.statement).strip().rstrip(";"), s.line is not None) for s in found]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("a()\nb(); c()\n", [("a()", True), ("b()", False), ("c()", False)]),
        ("if __name__ == '__main__':\n    a()\nb()\n", [("b()", True)]),
        ("if '__main__' == __name__:\n    a()\nelse:\n    b()\n", []),  # any `__name__` test guards
        ("if __name__ != '__main__':\n    pass\nelse:\n    a()\n", []),
        ("if x:\n    a()\nelif __name__ == '__main__':\n    b()\nelse:\n    c()\n", [("a()", True)]),
        ("if x: a()\n", [("a()", False)]),
        ("try:\n    a()\nexcept E:\n    b()\nelse:\n    c()\nfinally:\n    d()\n", [(f"{n}()", True) for n in "abcd"]),
        ("with x:\n    a()\nfor i in y:\n    b()\nwhile z:\n    c()\n", [("a()", True), ("b()", True), ("c()", True)]),
        ("def f():\n    a()\nclass C:\n    b()\n", []),
    ],
)
def test_import_time_statements(source: str, expected: list[tuple[str, bool]]) -> None:
    assert statements(source) == expected


@pytest.mark.parametrize(
    ("test", "expected"),
    [("__name__ == '__main__'", True), ("'__main__' == __name__", True), ("DEBUG", False), ("x.__name__", False)],
)
def test_name_tests(test: str, expected: bool) -> None:
    assert is_name_test(cst.parse_expression(test)) is expected
