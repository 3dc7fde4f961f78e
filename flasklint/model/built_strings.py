"""What a string is built from: the holes of its interpolations, and which of them hold data.

FLK105 (`Markup(...)`) and FLK106 (template sources) ask the same two questions of a value, beyond
the request taint dataflow.py answers: is it built by interpolation (an f-string, `%`,
`.format()`, `+` or `.join()` on a string, directly or through the local names it is bound to),
and is any spliced value *data* — something neither the code's own constant nor a value a call
made. Precision first: a call's result (`escape(x)`, `html_params(...)`, a helper) may well be
markup or text the code built on purpose, so only plain values count as data: parameters, what
is read from them (`model.phone_number`, `kwargs["x"]`) and locals bound to those. Module-level
names are constants (or at least nothing a linter can trace).
"""

from __future__ import annotations

import libcst as cst

from flasklint.model.dataflow import Definition, TaintAnalysis, added_operands
from flasklint.model.interpolation import alternatives, is_interpolation

# Builtins whose result is the text of their argument: data in, data out.
TEXT_OF = frozenset({"builtins.str", "builtins.repr", "builtins.format"})


def _text_operators() -> tuple[type, ...]:
    """Operators that may build text from text (`+`, `%`, `*`); the others make numbers. (A function:
    naming libcst's classes at import time would load libcst on a warm run, which parses nothing.)"""
    return (cst.Add, cst.Modulo, cst.Multiply)


def _literals() -> tuple[type, ...]:
    return (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)


def interpolation_holes(analysis: TaintAnalysis, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
    """The values spliced into the string `node` is built as; None when it is not built by interpolation.

    A local name counts when one of its bindings builds a string (`src = "..." % x`); its other
    bindings are then holes of their own (a literal one is constant).
    """
    return _Holes(analysis).of(node)


def holds_data(analysis: TaintAnalysis, node: cst.BaseExpression) -> bool:
    """Whether a spliced value may be data: not a literal, a module-level name, a call's result or a Markup."""
    return _Data(analysis).of(node)


def reads_field(analysis: TaintAnalysis, node: cst.BaseExpression) -> bool:
    """Whether a spliced value is a field read from data (`model.phone_number`, `row["name"]`, `str(self.price)`).

    Narrower than `holds_data`: a bare parameter is its callers' business, and a local may hold an
    HTML fragment the function assembled; an object's field typically holds stored text.
    """
    if isinstance(node, cst.Call) and analysis.callee(node.func) in TEXT_OF and node.args:
        return reads_field(analysis, node.args[0].value)
    return isinstance(node, (cst.Attribute, cst.Subscript)) and holds_data(analysis, node)


class _Holes:
    def __init__(self, analysis: TaintAnalysis) -> None:
        self.analysis = analysis
        self._seen: set[Definition] = set()

    def of(self, node: cst.BaseExpression) -> list[cst.BaseExpression] | None:
        if is_interpolation(self.analysis, node):
            return self._structure(node)
        if isinstance(node, cst.Name) and self.analysis.flow.is_local(node.value):
            return self._name(node)
        return None

    def _name(self, node: cst.Name) -> list[cst.BaseExpression] | None:
        holes: list[cst.BaseExpression] = []
        built = False
        for definition in self.analysis.reaching(node):
            if definition in self._seen:
                continue
            self._seen.add(definition)
            value = definition.value
            if definition.how == "augment" and value is not None:
                built = True
                holes.extend(self._operand(value))
            elif definition.how == "assign" and not definition.unpack and value is not None:
                for part in alternatives(value):
                    found = self.of(part)
                    built = built or found is not None
                    holes.extend(found if found is not None else [part])
            else:
                holes.append(node)  # a parameter, a loop variable, ...: the name itself is spliced
        return holes if built else None

    def _operand(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        found = self.of(node) if not isinstance(node, cst.Name) else None
        return found if found is not None else [node]

    def _structure(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        if isinstance(node, cst.FormattedString):
            fields = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
            return [hole for field in fields for hole in self._operand(field)]
        if isinstance(node, cst.ConcatenatedString):
            return [h for part in (node.left, node.right) for h in (self.of(part) or [])]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return [h for leaf in added_operands(node) if not isinstance(leaf, _literals()) for h in self._operand(leaf)]
        if isinstance(node, cst.BinaryOperation):
            spliced = _elements(node.right)
            return [*(self.of(node.left) or []), *(h for value in spliced for h in self._operand(value))]
        call = node
        assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
        receiver = self.of(call.func.value) or []
        if call.func.attr.value == "join":
            spliced = _elements(call.args[0].value)
        else:
            spliced = [arg.value for arg in call.args]
        return [*receiver, *(h for value in spliced for h in self._operand(value))]


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """What `%` or `.join()` splices from a tuple, list or dict literal (else the value itself)."""
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return [e.value for e in node.elements]
    if isinstance(node, cst.Dict):
        return [e.value for e in node.elements]
    if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [node.elt]
    return [node]


class _Data:
    def __init__(self, analysis: TaintAnalysis) -> None:
        self.analysis = analysis
        self._seen: set[Definition] = set()

    def of(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, _literals()) or self.analysis.is_markup(node):
            return False
        if isinstance(node, cst.FormattedString) or is_interpolation(self.analysis, node):
            holes = interpolation_holes(self.analysis, node) or []
            return any(self.of(hole) for hole in holes)
        if isinstance(node, cst.Name):
            return self._name(node)
        if isinstance(node, (cst.Attribute, cst.Subscript)):
            return self.of(node.value)  # `model.name`, `kwargs["x"]`: data when what they read from is
        if isinstance(node, cst.Call):
            callee = self.analysis.callee(node.func)
            return callee in TEXT_OF and bool(node.args) and self.of(node.args[0].value)
        if isinstance(node, (cst.IfExp, cst.BooleanOperation)):
            return any(self.of(part) for part in alternatives(node))
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _text_operators()):
            return self.of(node.left) or self.of(node.right)
        return False  # `size // 1024`, `-x`, comparisons: numbers and booleans

    def _name(self, node: cst.Name) -> bool:
        if not self.analysis.flow.is_local(node.value):
            return False  # a module-level name, an import or a builtin
        for definition in self.analysis.reaching(node):
            if definition in self._seen:
                continue
            self._seen.add(definition)
            if self._definition(definition):
                return True
        return False

    def _definition(self, definition: Definition) -> bool:
        if definition.how == "param":
            return True
        if definition.how == "clear" or definition.value is None:
            return False
        if definition.how in ("augment", "append", "extend", "store"):
            previous = definition.previous is not None and self.of(definition.previous)
            return previous or self.of(definition.value)
        return self.of(definition.value)  # assign, iterate (unpacked or not): what the value holds
