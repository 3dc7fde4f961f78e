"""Which module-level statements run on every import: those outside `if __name__ == "__main__":`.

A statement runs when the module is imported unless a function or class body holds it, or an `if`
testing `__name__` does (either spelling, `!=` too: any test of `__name__` counts as a guard, so a
statement the rule cannot place is never reported). `if`, `try`, `with`, `for` and `while` blocks at
module level still run on import, so their statements are walked.
"""

from __future__ import annotations

from typing import Iterator, Sequence

import libcst as cst

from flasklint.model.walk import mentions
from flasklint.records import dataclass


@dataclass(frozen=True)
class ImportTimeStatement:
    """A small statement run on import; `line` is its statement line when it is the line's only statement
    (what can be moved into a guard), None for `a; b` or a one-line suite (`if x: app.run()`)."""

    statement: cst.BaseSmallStatement
    line: cst.SimpleStatementLine | None


def is_name_test(test: cst.BaseExpression) -> bool:
    """The `if` test mentions `__name__` (`__name__ == "__main__"`, `"__main__" == __name__`, ...;
    `cls.__name__` is another name)."""
    return mentions(test, "__name__")


def import_time_statements(module: cst.Module) -> Iterator[ImportTimeStatement]:
    """Every small statement of the module that runs when it is imported, in source order."""
    yield from _walk(module.body)


def _walk(body: Sequence[cst.CSTNode]) -> Iterator[ImportTimeStatement]:
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            line = statement if len(statement.body) == 1 else None
            yield from (ImportTimeStatement(small, line) for small in statement.body)
        elif isinstance(statement, cst.If) and is_name_test(statement.test):
            continue
        elif isinstance(statement, (cst.If, cst.Try, cst.TryStar, cst.With, cst.For, cst.While)):
            yield from _walk_blocks(statement)


def _walk_blocks(statement: cst.CSTNode) -> Iterator[ImportTimeStatement]:
    """The blocks of a compound statement that run on import: body, elif/else, handlers, finally."""
    parts: list[cst.CSTNode | None] = [statement.body]  # type: ignore[attr-defined]
    parts.extend(getattr(statement, "handlers", ()))
    parts.extend([getattr(statement, "orelse", None), getattr(statement, "finalbody", None)])
    for part in parts:
        if isinstance(part, cst.If):  # elif
            yield from _walk([part])
        elif isinstance(part, (cst.Else, cst.Finally, cst.ExceptHandler, cst.ExceptStarHandler)):
            yield from _suite(part.body)
        elif isinstance(part, cst.BaseSuite):
            yield from _suite(part)


def _suite(suite: cst.BaseSuite) -> Iterator[ImportTimeStatement]:
    if isinstance(suite, cst.IndentedBlock):
        yield from _walk(suite.body)
    elif isinstance(suite, cst.SimpleStatementSuite):
        yield from (ImportTimeStatement(small, None) for small in suite.body)
