"""The request-derived holes of string-building expressions: f-strings, `%`, `.format()`, `+`, `"".join()`.

Given what a value is made of (a response body), finds each tainted value spliced into it, following
local names back to the strings they were built from, and says whether escaping the value in place
keeps the output's shape. A value returned as is (an echo) is not a hole: only interpolation makes one.

Two kinds of value are left to their own rules, so that one problem makes one finding: what a
`Markup(...)` is built from (FLK105: Markup trusts its argument; Markup's own `%`, `.format()` and
`+` escape what they add), and the source of a template rendered with `render_template_string()`
(FLK106: request data there is template injection, graver than the XSS it also allows).
"""

from __future__ import annotations

from typing import Callable

import libcst as cst

from flasklint.model.cst_helpers import literal_string
from flasklint.model.dataflow import BYTES, TEXT, Definition, TaintAnalysis, Taints, added_operands, is_value
from flasklint.model.placeholders import (
    Placeholder,
    format_placeholders,
    is_numeric_field,
    is_plain_field,
    printf_placeholders,
)
from flasklint.model.responses import template_source
from flasklint.records import dataclass


@dataclass
class Hole:
    """A request-derived value spliced into a string, and how it can be escaped in place."""

    node: cst.BaseExpression
    taints: Taints
    wrap: str | None  # "escape": escape(x); "str": str(escape(x)) (inside `+`); None: no sound fix


class HoleFinder:
    """Finds the tainted holes of the string-building expressions a value is made of (`holes`, in order found)."""

    def __init__(self, analysis: TaintAnalysis) -> None:
        self.analysis = analysis
        self.holes: dict[cst.BaseExpression, Hole] = {}
        self._seen: set[tuple[Definition, cst.BaseExpression | None]] = set()
        self._following: set[Definition] = set()

    def find_in(self, node: cst.BaseExpression) -> None:
        """A value (a response body, say): only the strings it is built from matter, not raw echoes.

        A Markup (FLK105's) and a rendered template source (FLK106's) hold no holes of this rule.
        """
        if template_source(self.analysis, node) is not None or self.analysis.is_markup(node):
            return
        if self.is_interpolation(node):
            self._structure(node)
        elif isinstance(node, cst.Name):
            for definition in self.analysis.reaching(node):
                self._definition(definition, as_body=True)
        elif isinstance(node, cst.IfExp):
            self.find_in(node.body)
            self.find_in(node.orelse)
        elif isinstance(node, cst.BooleanOperation):
            self.find_in(node.left)
            self.find_in(node.right)

    def _definition(self, definition: Definition, as_body: bool) -> bool:
        """Descend into a binding that builds a string; True when it holds a raw tainted value.

        A raw value only counts inside an interpolation (`as_body=False`): a view that returns
        `request.args["q"]` as is echoes it, which is not interpolation.
        """
        value = definition.value
        if definition.how == "augment" and value is not None:
            self._descend((definition, value), lambda: self._operand(value, "str"))
            return False
        if definition.how != "assign" or definition.unpack or value is None:
            return not as_body and bool(_values(self.analysis.definition_taint(definition)))
        raw = False
        for part in alternatives(value):  # `a if c else b`, `a or b`: each may be what the name holds
            if self.is_interpolation(part):
                self._descend((definition, part), lambda part=part: self._structure(part))
            elif isinstance(part, cst.Name):
                raw = self._aliased(definition, part, as_body) or raw
            elif as_body:
                self._descend((definition, part), lambda part=part: self.find_in(part))
            elif self.analysis.is_markup(part):
                continue  # a Markup: what it trusts is FLK105's, what it escapes is safe
            elif _values(self.analysis.taint(part)):
                raw = True
        return raw

    def _builds_string(self, definition: Definition) -> bool:
        if definition.how == "augment":
            return True
        value = definition.value
        if definition.how != "assign" or value is None:
            return False
        return any(self.is_interpolation(part) for part in alternatives(value))

    def _aliased(self, definition: Definition, name: cst.Name, as_body: bool) -> bool:
        """`x = y`: what `y` holds (guarding against `x = y; y = x` cycles)."""
        if definition in self._following:
            return False
        self._following.add(definition)
        try:
            return any([self._definition(d, as_body) for d in self.analysis.reaching(name)])
        finally:
            self._following.discard(definition)

    def _descend(self, key: tuple[Definition, cst.BaseExpression | None], action: Callable[[], None]) -> None:
        """Visit each string-building binding once, however many holes or returns lead to it."""
        if key not in self._seen:
            self._seen.add(key)
            action()

    def _operand(self, node: cst.BaseExpression, wrap: str | None) -> None:
        """A value spliced into the HTML: report it, or descend when it is itself built from pieces."""
        if self.is_interpolation(node):
            self._structure(node)
            return
        if isinstance(node, cst.Name):
            definitions = self.analysis.reaching(node)
            if [d for d in definitions if self._definition(d, as_body=False)]:
                if any(self._builds_string(d) for d in definitions):
                    wrap = None  # it may also hold markup the view built: escaping the name would break it
                self._report(node, self.analysis.taint(node), wrap)
            return
        if self.analysis.is_markup(node):
            return  # escaping a Markup changes nothing: what it trusts is FLK105's
        if isinstance(node, cst.Call) and self._is_helper_call(node):
            wrap = None  # the helper may build markup on purpose: escaping its result changes the page
        self._report(node, self.analysis.taint(node), wrap)

    def _report(self, node: cst.BaseExpression, taints: Taints, wrap: str | None) -> None:
        values = _values(taints)
        if not values or node in self.holes:
            return
        if any(t.kind == BYTES for t in values):
            wrap = None  # escape(b"...") renders the bytes' repr
        self.holes[node] = Hole(node, values, wrap)

    # -- string-building expressions -----------------------------------------------------------
    def is_interpolation(self, node: cst.BaseExpression) -> bool:
        return is_interpolation(self.analysis, node)

    def _structure(self, node: cst.BaseExpression) -> None:
        if self.analysis.is_markup(node):
            return  # Markup(...) + x, % x, .format(x) escape x; what the Markup trusts is FLK105's
        if isinstance(node, cst.FormattedString):
            self._fstring(node)
        elif isinstance(node, cst.ConcatenatedString):
            for part in (node.left, node.right):
                if self.is_interpolation(part):
                    self._structure(part)
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            leaves = added_operands(node)
            wrap = None if any(_is_bytes_literal(leaf) for leaf in leaves) else "str"
            for leaf in leaves:
                self._operand(leaf, wrap)
        elif isinstance(node, cst.BinaryOperation):
            self._percent(node)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "format":
                self._format(node)
            else:
                self._join(node)

    def _fstring(self, node: cst.FormattedString) -> None:
        for part in node.parts:
            if not isinstance(part, cst.FormattedStringExpression):
                continue
            if not is_numeric_field(part):
                self._operand(part.expression, "escape" if is_plain_field(part) else None)

    def _percent(self, node: cst.BinaryOperation) -> None:
        template = literal_string(node.left)
        placeholders = printf_placeholders(template) if template is not None else None
        if template is None and self.is_interpolation(node.left):
            self._structure(node.left)
        right = node.right
        if isinstance(right, cst.Tuple) and all(isinstance(e, cst.Element) for e in right.elements):
            keys: list[str | int | None] = list(range(len(right.elements)))
            values = [e.value for e in right.elements]
        elif isinstance(right, cst.Dict) and all(isinstance(e, cst.DictElement) for e in right.elements):
            keys = [literal_string(e.key) for e in right.elements if isinstance(e, cst.DictElement)]
            values = [e.value for e in right.elements if isinstance(e, cst.DictElement)]
        else:
            single = placeholders is not None and len(placeholders) == 1 and placeholders[0].key == 0
            keys, values = [0 if single else None], [right]
        for key, value in zip(keys, values):
            self._placed(value, key, placeholders)

    def _format(self, call: cst.Call) -> None:
        receiver = call.func.value  # type: ignore[attr-defined]
        template = literal_string(receiver)
        placeholders = format_placeholders(template) if template is not None else None
        if template is None and self.is_interpolation(receiver):
            self._structure(receiver)
        position = 0
        for arg in call.args:
            if arg.star:
                self._operand(arg.value, None)
            elif arg.keyword is not None:
                self._placed(arg.value, arg.keyword.value, placeholders)
            else:
                self._placed(arg.value, position, placeholders)
                position += 1

    def _placed(self, value: cst.BaseExpression, key: str | int | None, placeholders: list[Placeholder] | None) -> None:
        """An argument of `%` or `.format()`: skipped when only numeric placeholders take it."""
        if placeholders is None:
            self._operand(value, None)
            return
        if key is None:  # one value for several placeholders (a tuple or dict held in a variable)
            if any(not p.numeric for p in placeholders):
                self._operand(value, None)
            return
        uses = [p for p in placeholders if p.key == key]
        if not uses or all(p.numeric for p in uses):
            return
        self._operand(value, "escape" if all(p.plain for p in uses) else None)

    def _join(self, call: cst.Call) -> None:
        iterable = call.args[0].value
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            for element in iterable.elements:
                self._operand(element.value, None if isinstance(element, cst.StarredElement) else "escape")
        elif isinstance(iterable, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            self._operand(iterable.elt, "escape")
        elif isinstance(iterable, cst.Name):
            self._joined_name(iterable)
        else:
            self._report(iterable, self.analysis.taint(iterable), None)

    def _joined_name(self, name: cst.Name) -> None:
        """`"".join(parts)`: the elements `parts` was built from (literal, comprehension, appends)."""
        raw = False
        for definition in self.analysis.reaching(name):
            value = definition.value
            if (definition, value) in self._seen:
                continue
            self._seen.add((definition, value))
            if definition.how == "append" and value is not None:
                self._operand(value, "escape")
            elif definition.how == "assign" and not definition.unpack and isinstance(value, (cst.List, cst.Tuple)):
                for element in value.elements:
                    self._operand(element.value, None if isinstance(element, cst.StarredElement) else "escape")
            elif definition.how == "assign" and isinstance(value, (cst.ListComp, cst.GeneratorExp)):
                self._operand(value.elt, "escape")
            elif _values(self.analysis.definition_taint(definition)):
                raw = True
        if raw:
            self._report(name, self.analysis.taint(name), None)

    def _is_helper_call(self, node: cst.Call) -> bool:
        return (
            isinstance(node.func, cst.Name)
            and self.analysis.callee(node.func) is None
            and node.func.value in self.analysis.dataflow.module_functions
        )


def is_interpolation(analysis: TaintAnalysis, node: cst.BaseExpression) -> bool:
    """An f-string with fields, or `+`/`%`/`.format()`/`.join()` on a string: a string built from values."""
    if isinstance(node, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringExpression) for p in node.parts)
    if isinstance(node, cst.ConcatenatedString):
        return is_interpolation(analysis, node.left) or is_interpolation(analysis, node.right)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Add):
            return any(_is_textual(analysis, leaf) for leaf in added_operands(node))
        if isinstance(node.operator, cst.Modulo):
            return _is_textual(analysis, node.left)
        return False
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if method in ("format", "join") and node.args:
            return analysis.callee(node.func) is None and _is_textual(analysis, node.func.value)
    return False


def _is_textual(analysis: TaintAnalysis, node: cst.BaseExpression) -> bool:
    """Whether an operand is a string (so `+` and `%` on it build text, not numbers or lists)."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if is_interpolation(analysis, node):
        return True
    if isinstance(node, cst.Call):
        return analysis.callee(node.func) == "builtins.str"
    if isinstance(node, cst.Name):
        values = [d.value for d in analysis.reaching(node) if d.how in ("assign", "augment") and d.value]
        if any(isinstance(v, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)) for v in values):
            return True
    return any(t.kind in (TEXT, BYTES) for t in analysis.taint(node))


def alternatives(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The values an expression may evaluate to: the branches of `a if c else b` and `a or b`."""
    found: list[cst.BaseExpression] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, cst.IfExp):
            pending.extend((current.orelse, current.body))
        elif isinstance(current, cst.BooleanOperation):
            pending.extend((current.right, current.left))
        else:
            found.append(current)
    return found


def _values(taints: Taints) -> Taints:
    return frozenset(t for t in taints if is_value(t.kind))


def _is_bytes_literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString)) and isinstance(node.evaluated_value, bytes)
