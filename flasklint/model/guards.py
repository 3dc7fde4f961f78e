"""Allow-list guards: where a name is known to hold one of a fixed set of constants.

`if sort not in ("asc", "desc"): sort = "asc"`, `if kind not in KINDS: abort(404)` and the body of
`if mode in {"a", "b"}:` leave a name that can only equal a literal the programmer wrote, so the
request data it was read from cannot reach the page through it. Only constant collections count:
literals of literals, and names bound once to one (a module constant no code mutates, or a local
assigned once); a collection that can grow at run time proves nothing.
"""

from __future__ import annotations

from typing import Callable, Sequence

import libcst as cst

from flasklint.model.module import ModuleModel, Scope

# (when the test is true, when it is false): whether the name then holds one of the constants.
Narrowing = tuple[bool, bool]
# What a name means where a guard reads it: the literal it was bound to once, else None.
Resolver = Callable[[str], "cst.BaseExpression | None"]

ABORTS = frozenset(
    {"flask.abort", "flask.helpers.abort", "werkzeug.exceptions.abort", "sys.exit", "os._exit"}
)
MUTATORS = frozenset(
    {"add", "append", "extend", "update", "insert", "setdefault", "appendleft", "extendleft", "__setitem__", "__ior__"}
)
COLLECTION_CALLS = frozenset({"frozenset", "set", "tuple", "list"})


def narrowings(test: cst.BaseExpression, resolve: Resolver) -> dict[str, Narrowing]:
    """The names an `if` test compares with constants, and on which outcome each holds a constant."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return {name: (false, true) for name, (true, false) in narrowings(test.expression, resolve).items()}
    if isinstance(test, cst.BooleanOperation):
        return _combined(test, resolve)
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        return _compared(test.left, test.comparisons[0], resolve)
    return {}


def _combined(test: cst.BooleanOperation, resolve: Resolver) -> dict[str, Narrowing]:
    """`a and b` is true only when both are; `a or b` is false only when both are."""
    left, right = narrowings(test.left, resolve), narrowings(test.right, resolve)
    both = isinstance(test.operator, cst.And)
    result: dict[str, Narrowing] = {}
    for name in left.keys() | right.keys():
        left_true, left_false = left.get(name, (False, False))
        right_true, right_false = right.get(name, (False, False))
        if both:
            narrowing = (left_true or right_true, left_false and right_false)
        else:
            narrowing = (left_true and right_true, left_false or right_false)
        if any(narrowing):
            result[name] = narrowing
    return result


def _compared(left: cst.BaseExpression, target: cst.ComparisonTarget, resolve: Resolver) -> dict[str, Narrowing]:
    operator, right = target.operator, target.comparator
    if isinstance(operator, (cst.In, cst.NotIn)):
        if isinstance(left, cst.Name) and is_constant_collection(right, resolve):
            return {left.value: (True, False) if isinstance(operator, cst.In) else (False, True)}
    elif isinstance(operator, (cst.Equal, cst.NotEqual)):
        name = left if isinstance(left, cst.Name) else right
        other = right if name is left else left
        if isinstance(name, cst.Name) and is_constant(other):
            return {name.value: (True, False) if isinstance(operator, cst.Equal) else (False, True)}
    return {}


def is_constant(node: cst.BaseExpression) -> bool:
    """A string or number literal (`None`, `True` and `False` cannot carry markup either)."""
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return is_constant(node.left) and is_constant(node.right)  # type: ignore[arg-type]
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return is_constant(node.expression)
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


def is_constant_collection(node: cst.BaseExpression, resolve: Resolver, depth: int = 0) -> bool:
    """A tuple, list, set or dict (its keys) of literals, `frozenset({...})`, or a name bound once to one."""
    if isinstance(node, cst.Name) and depth < 3:
        value = resolve(node.value)
        return value is not None and is_constant_collection(value, resolve, depth + 1)
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return all(isinstance(e, cst.Element) and is_constant(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and is_constant(e.key) for e in node.elements)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in COLLECTION_CALLS:
        if len(node.args) != 1 or node.args[0].keyword or node.args[0].star:
            return False
        return is_constant_collection(node.args[0].value, resolve, depth)
    return False


def module_constant(model: ModuleModel, scope: Scope, name: str) -> cst.BaseExpression | None:
    """What a module-level name is bound to, when nothing in the module rebinds or mutates it."""
    current: Scope | None = scope
    while current is not None and current.kind != "module":
        if current.kind != "class" and (name in current.params or name in current.assigned):
            return None  # a local (or enclosing function's) name, not the module's
        current = current.parent
    if name not in model.module_scope.assigned or name in model.module_scope.imports.aliases:
        return None
    bindings = [a for a in model.assigns if any(_binds(t, name) for t in a.targets)]
    if len(bindings) != 1 or bindings[0].scope is not model.module_scope or isinstance(bindings[0].node, cst.AugAssign):
        return None
    mutators = {f"{name}.{method}" for method in MUTATORS}
    if any(call.dotted in mutators for call in model.calls):
        return None
    return bindings[0].value


def _binds(target: cst.BaseExpression, name: str) -> bool:
    """Whether an assignment target rebinds `name` or stores into it (`NAME[k] = v`)."""
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_binds(e.value, name) for e in target.elements)
    if isinstance(target, cst.StarredElement):
        return _binds(target.value, name)
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        return _binds(target.value, name)
    return False


def leaves(model: ModuleModel, scope: Scope, suite: cst.BaseSuite, name: str) -> bool:
    """Whether running `suite` never falls through with `name` unchanged: it exits, or rebinds `name`."""
    statements = _small_statements(suite)
    if any(_rebinds(s, name) for s in statements):
        return True
    last = _last_statement(suite)
    if isinstance(last, (cst.Return, cst.Raise, cst.Continue, cst.Break)):
        return True
    if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call):
        return model.qualify(last.value.func, scope) in ABORTS or _is_builtin_exit(last.value.func, scope)
    return False


def _small_statements(suite: cst.BaseSuite) -> list[cst.BaseSmallStatement]:
    """The simple statements at the top level of a block (not inside its nested blocks)."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    found: list[cst.BaseSmallStatement] = []
    for statement in suite.body:  # type: ignore[attr-defined]
        if isinstance(statement, cst.SimpleStatementLine):
            found.extend(statement.body)
    return found


def _last_statement(suite: cst.BaseSuite) -> cst.CSTNode | None:
    body: Sequence[cst.CSTNode] = suite.body  # type: ignore[assignment]
    if not body:
        return None
    last = body[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return last.body[-1] if last.body else None
    return last


def _rebinds(statement: cst.BaseSmallStatement, name: str) -> bool:
    if isinstance(statement, cst.Assign):
        return any(isinstance(t.target, cst.Name) and t.target.value == name for t in statement.targets)
    if isinstance(statement, cst.AnnAssign):
        return statement.value is not None and isinstance(statement.target, cst.Name) and statement.target.value == name
    return False


def _is_builtin_exit(func: cst.BaseExpression, scope: Scope) -> bool:
    return isinstance(func, cst.Name) and func.value in ("exit", "quit") and not scope.binds(func.value)
