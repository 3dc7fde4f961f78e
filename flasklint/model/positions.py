"""Node positions from one lean code-generation pass, run only as far as needed.

libcst's PositionProvider through a MetadataWrapper costs about three parses (it also runs a
batched visit we do not need, and builds a CodeRange per node through generator-based context
managers). This state computes the very same (line, column, end_line, end_column) tuples
with plain tuples and a slotted context manager: same numbers, about half the time. While it
runs, libcst's per-node `_codegen` and expressions' `_parenthesize` (a generator-based context
manager, once per expression) are replaced by equivalents that record the span inline for this
state and defer to libcst's own for any other (`_LEAN_CODEGEN`): a quarter of the time less again.

Most modules are asked for a few spans near the top (`app = Flask(__name__)`), so `ModulePositions`
generates the module's top-level items one at a time, in order, with one state, and stops once the
node asked for has its span: the calls are those of the full pass, in the same order, only
interrupted, so every span is the full pass's.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from flasklint.model.facts import Span
from flasklint.scoped_patch import Replacement, ScopedPatch, class_tree

if TYPE_CHECKING:
    import libcst as cst

_NEWLINE = re.compile(r"\r\n?|\n")


class _SyntacticRange:
    """What `with state.record_syntactic_position(node, ...)` enters: records the node's own span."""

    __slots__ = ("state", "node", "start_node", "end_node", "line", "column")

    def __init__(self, state: "_PositionState", node: cst.CSTNode, start_node: object, end_node: object) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.line, self.column = self.state.line, self.state.column

    def __exit__(self, *exc: object) -> bool:
        state = self.state
        positions = state.positions
        start = positions[id(self.start_node)][:2] if self.start_node is not None else (self.line, self.column)
        end = positions[id(self.end_node)][2:] if self.end_node is not None else (state.line, state.column)
        positions[id(self.node)] = (*start, *end)  # type: ignore[assignment]
        return False


class _PositionState:
    """Duck-types libcst's CodegenState (the methods `_codegen_impl` calls), so importing this
    module does not import libcst: warm runs never need it. Spans are keyed by the node's id (the
    module keeps its nodes alive): CSTNode's `__hash__` is a Python call, twice per node otherwise."""

    def __init__(self, module: cst.Module) -> None:
        self.default_indent = module.default_indent
        self.default_newline = module.default_newline
        self.indent_tokens: list[str] = []
        self.tokens: list[str] = []
        self.line = 1
        self.column = 0
        self.positions: dict[int, Span] = {}
        self._starts: list[tuple[int, int]] = []

    def increase_indent(self, value: str) -> None:
        self.indent_tokens.append(value)

    def decrease_indent(self) -> None:
        self.indent_tokens.pop()

    def pop_trailing_newline(self) -> None:
        if self.tokens:
            self.tokens.pop()

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.column += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        line, column = self._starts.pop()
        self.positions.setdefault(id(node), (line, column, self.line, self.column))

    def record_syntactic_position(
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None, end_node: cst.CSTNode | None = None
    ) -> _SyntacticRange:
        return _SyntacticRange(self, node, start_node, end_node)


def node_positions(module: cst.Module) -> dict[cst.CSTNode, Span]:
    """Every node's syntactic span, exactly as libcst's PositionProvider computes it."""
    state = _PositionState(module)
    with _LEAN_CODEGEN.applied():
        module._codegen(state)
    nodes: list[cst.CSTNode] = [module]
    for node in nodes:
        nodes.extend(node.children)
    return {node: state.positions[id(node)] for node in nodes}


class ModulePositions:
    """Spans of one module's nodes, generated on demand up to the top-level item holding the node.
    Safe across threads: the generation is serialised, and a recorded span never changes."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._state = _PositionState(module)
        self._state.before_codegen(module)
        self._pending = iter((*module.header, *module.body, *module.footer))
        self._complete = False
        self._lock = threading.Lock()

    def span(self, node: cst.CSTNode) -> Span:
        """The node's span; KeyError for a node outside the module (after the whole pass)."""
        key = id(node)
        span = self._state.positions.get(key)
        if span is not None:
            return span
        with self._lock, _LEAN_CODEGEN.applied():
            positions = self._state.positions
            while key not in positions and not self._complete:
                self._generate_next()
            if key not in positions:
                raise KeyError(node)
            return positions[key]

    def _generate_next(self) -> None:
        item = next(self._pending, None)
        if item is not None:
            item._codegen(self._state)
        else:
            self._finish()

    def _finish(self) -> None:
        """The end of libcst's `Module._codegen_impl` and `_codegen` (tests pin their source)."""
        state, module = self._state, self._module
        if module.has_trailing_newline:
            if len(state.tokens) == 0:
                state.add_token(state.default_newline)
        else:
            state.pop_trailing_newline()
        state.after_codegen(module)
        self._complete = True


# -- libcst's per-node codegen steps, inline for the position state --------------------------------
class _Parenthesized:
    """`_BaseParenthesizedNode._parenthesize` for the position state, without a generator: the
    node's left parentheses, then its syntactic span recorded around the body, then its right
    ones (not generated if the body raised, as in the generator)."""

    __slots__ = ("node", "state", "line", "column")

    def __init__(self, node: Any, state: _PositionState) -> None:
        self.node, self.state = node, state

    def __enter__(self) -> None:
        state = self.state
        for lpar in self.node.lpar:
            lpar._codegen(state)
        self.line, self.column = state.line, state.column

    def __exit__(self, kind: object, *exc: object) -> bool:
        state, node = self.state, self.node
        state.positions[id(node)] = (self.line, self.column, state.line, state.column)
        if kind is None:
            for rpar in node.rpar:
                rpar._codegen(state)
        return False


def _lean_codegen_replacements() -> list[Replacement]:
    from libcst import Name, Newline, SimpleString, SimpleWhitespace
    from libcst._nodes.base import CSTNode
    from libcst._nodes.expression import _BaseParenthesizedNode
    from libcst._nodes.op import _BaseOneTokenOp

    standard_codegen = CSTNode.__dict__["_codegen"]
    standard_parenthesize = _BaseParenthesizedNode.__dict__["_parenthesize"]
    one_token_impl = _BaseOneTokenOp.__dict__["_codegen_impl"]
    # `,` `.` `=` `:` and the operators: whitespace, one token (its syntactic span), whitespace.
    one_token_ops = frozenset(kind for kind in class_tree(_BaseOneTokenOp) if kind._codegen_impl is one_token_impl)
    # One token each: whitespace, a newline, and a name or string outside parentheses.
    leaves = frozenset({SimpleWhitespace, Newline, Name, SimpleString})
    parenthesizable = frozenset({Name, SimpleString})
    newline_split = _NEWLINE.split

    def _codegen(node: cst.CSTNode, state: Any, **kwargs: Any) -> None:
        """libcst's `before_codegen`, `_codegen_impl`, `after_codegen`, with the two calls inlined;
        and for the nodes that are most of a tree (whitespace is ~45 % of them, then names,
        newlines, strings, commas, dots and operators) their `_codegen_impl` too."""
        if type(state) is not _PositionState:
            return standard_codegen(node, state, **kwargs)
        line, column = state.line, state.column
        kind = type(node)
        parenthesized = kind in parenthesizable and (node.lpar or node.rpar)  # type: ignore[attr-defined]
        if kind in leaves and not kwargs and not parenthesized:
            value = node.value  # type: ignore[attr-defined]
            if value is None:  # a Newline's: the module's default
                value = state.default_newline
            state.tokens.append(value)
            if "\n" in value or "\r" in value:
                segments = newline_split(value)
                state.line += len(segments) - 1
                state.column = len(segments[-1])
            else:
                state.column += len(value)
            span = (line, column, state.line, state.column)
            if kind in parenthesizable:
                state.positions[id(node)] = span  # their parenthesize records it (a later occurrence wins)
            else:
                state.positions.setdefault(id(node), span)
        elif kind in one_token_ops and not kwargs:
            node.whitespace_before._codegen(state)  # type: ignore[attr-defined]
            line, column = state.line, state.column
            token = node._get_token()  # type: ignore[attr-defined]
            state.tokens.append(token)  # a keyword or punctuation: no line break
            state.column += len(token)
            state.positions[id(node)] = (line, column, state.line, state.column)  # its syntactic span
            node.whitespace_after._codegen(state)  # type: ignore[attr-defined]
        else:
            node._codegen_impl(state, **kwargs)
            state.positions.setdefault(id(node), (line, column, state.line, state.column))
        return None

    def _parenthesize(node: Any, state: Any) -> Any:
        if type(state) is not _PositionState:
            return standard_parenthesize(node, state)
        return _Parenthesized(node, state)

    return [(CSTNode, "_codegen", _codegen), (_BaseParenthesizedNode, "_parenthesize", _parenthesize)]


_LEAN_CODEGEN = ScopedPatch(_lean_codegen_replacements)
# For a caller about to ask many spans (the analysis of a file): installing the replacements
# once, not for each span generated, spares the type caches libcst's classes lose on each install.
lean_codegen = _LEAN_CODEGEN.applied
