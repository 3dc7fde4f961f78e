"""Which paths through a function can end without a value: a bare `return`, or falling off the end.

Flask rejects a view (or error handler) returning `None` with a `TypeError`, so FLK305 asks here.
The analysis is structural, over libcst statements: `raise`, calls the caller says never return
(`abort(404)`), `while True:` without `break` end a path without a value being needed; `if`/`elif`,
`for`/`while` (with `else`), `try` (handlers, `else`, `finally`), `with` and `match` are followed.
A path falling off the end is reported by its last statement (its *tail*): a plain statement, or a
compound one whose condition may skip it (`if` without `else`, a loop, a `match` without a
catch-all case). Generators are not analysed (`contains_yield`): returning from one is fine.
"""

from __future__ import annotations

from dataclasses import field
from typing import Callable, Sequence

import libcst as cst

from flasklint.model.walk import libcst_visitor
from flasklint.records import dataclass

# A call statement the caller knows never returns (`abort(404)`, `sys.exit()`).
NoReturn = Callable[["cst.Call"], bool]


@dataclass
class Paths:
    """The outcome of a block: the statements ending a path that goes on past it, and bare returns."""

    tails: list[cst.CSTNode] = field(default_factory=list)  # empty: no path continues after the block
    bare_returns: list[cst.Return] = field(default_factory=list)
    returns_value: bool = False  # some path returns a value
    breaks: bool = False  # a `break` leaves the innermost loop being analysed

    def absorb(self, other: Paths) -> None:
        self.bare_returns += other.bare_returns
        self.returns_value = self.returns_value or other.returns_value
        self.breaks = self.breaks or other.breaks


def function_paths(function: cst.FunctionDef, no_return: NoReturn) -> Paths:
    """The paths of a function body; `tails` are where it falls off the end (returning None)."""
    return _block(_statements(function.body), no_return)


def contains_yield(function: cst.FunctionDef) -> bool:
    """A generator (a `yield` in its own body, not in a nested function, class or lambda)."""
    finder = libcst_visitor(_YieldFinder)(function)
    function.visit(finder)
    return finder.found


class _YieldFinder:
    def __init__(self, function: cst.FunctionDef) -> None:
        self.function = function
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return node is self.function

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found = True


def _statements(body: cst.BaseSuite) -> Sequence[cst.BaseStatement | cst.BaseSmallStatement]:
    """An indented block's statements, or a one-line suite's small statements (`if a: return`)."""
    return body.body


def _block(statements: Sequence[cst.CSTNode], no_return: NoReturn) -> Paths:
    """Statements in order; after one that no path leaves normally, the rest is unreachable."""
    result = Paths()
    tails: list[cst.CSTNode] = []
    for statement in statements:
        outcome = _statement(statement, no_return)
        result.absorb(outcome)
        tails = outcome.tails
        if not tails:
            break
    result.tails = tails
    return result


def _statement(statement: cst.CSTNode, no_return: NoReturn) -> Paths:
    # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
    if type(statement) is cst.SimpleStatementLine:
        inner = _block(statement.body, no_return)
        inner.tails = [statement] if inner.tails else []
        return inner
    if type(statement) is cst.Return:
        empty = statement.value is None or (type(statement.value) is cst.Name and statement.value.value == "None")
        return Paths(bare_returns=[statement] if empty else [], returns_value=not empty)
    if type(statement) is cst.Raise:
        return Paths()
    if type(statement) is cst.Break:
        return Paths(breaks=True)
    if type(statement) is cst.Continue:
        return Paths()
    if type(statement) is cst.Expr and type(statement.value) is cst.Call and no_return(statement.value):
        return Paths()
    if type(statement) is cst.If:
        return _if(statement, no_return)
    if type(statement) in (cst.For, cst.While):
        return _loop(statement, no_return)
    if type(statement) in (cst.Try, cst.TryStar):
        return _try(statement, no_return)
    if type(statement) is cst.With:
        return _block(_statements(statement.body), no_return)
    if type(statement) is cst.Match:
        return _match(statement, no_return)
    return Paths(tails=[statement])


def _if(statement: cst.If, no_return: NoReturn) -> Paths:
    result = _block(_statements(statement.body), no_return)
    orelse = statement.orelse
    if orelse is None:
        result.tails = result.tails + [statement]
    else:
        other = _if(orelse, no_return) if isinstance(orelse, cst.If) else _block(_statements(orelse.body), no_return)
        result.absorb(other)
        result.tails = result.tails + other.tails
    return result


def _loop(statement: cst.For | cst.While, no_return: NoReturn) -> Paths:
    body = _block(_statements(statement.body), no_return)
    result = Paths(bare_returns=body.bare_returns, returns_value=body.returns_value)
    endless = isinstance(statement, cst.While) and _always_true(statement.test)
    if body.breaks:
        result.tails.append(statement)
    if statement.orelse is not None and not endless:
        orelse = _block(_statements(statement.orelse.body), no_return)
        result.absorb(orelse)
        result.tails += orelse.tails
    elif not endless and not body.breaks:
        result.tails.append(statement)
    return result


def _always_true(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "True") or (
        isinstance(test, cst.Integer) and test.value not in ("0", "0x0", "0o0", "0b0")
    )


def _try(statement: cst.Try | cst.TryStar, no_return: NoReturn) -> Paths:
    result = _block(_statements(statement.body), no_return)
    if result.tails and statement.orelse is not None:
        orelse = _block(_statements(statement.orelse.body), no_return)
        result.absorb(orelse)
        result.tails = orelse.tails
    for handler in statement.handlers:
        caught = _block(_statements(handler.body), no_return)
        result.absorb(caught)
        result.tails = result.tails + caught.tails
    if statement.finalbody is not None:
        final = _block(_statements(statement.finalbody.body), no_return)
        result.absorb(final)
        if not final.tails:
            result.tails = []
    return result


def _match(statement: cst.Match, no_return: NoReturn) -> Paths:
    result = Paths()
    catch_all = False
    for case in statement.cases:
        outcome = _block(_statements(case.body), no_return)
        result.absorb(outcome)
        result.tails += outcome.tails
        irrefutable = isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None
        catch_all = catch_all or (irrefutable and case.guard is None)
    if not catch_all:
        result.tails.append(statement)
    return result
