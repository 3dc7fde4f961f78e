"""What a view function accepts, and what each route decorator stacked on it passes (FLK204).

Flask calls a view as `view(**request.view_args)`: the rule's variables, its `defaults=`, and the
variables of a blueprint's url_prefix. This module reads one file's side of that call: the
parameters of each decorated view and, for each route decorator registering it, the rule's own
variables and `defaults=` keys (and of each `add_url_rule` registering an undecorated `def` of the
module). It records only what it can read exactly; a view whose registered
function may not be the `def` itself (another decorator between a route and the `def` that is not
known to pass the arguments through), a method, a view taking `*args` / `**kwargs` or positional-only
parameters, and a route with options that change what reaches the view (`subdomain=`, `host=`,
`redirect_to=`, a computed `defaults=`, `**options`) are left out. The prefix part is the index's
(Endpoint.rule holds the full rule).

A rename of one parameter (to the variable the rule passes) is prepared here, while the tree is in
memory: the parameter and every reference to it, resolved with libcst's scope analysis.
"""

from __future__ import annotations

from typing import Iterator, TypedDict

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.facts import Span
from flasklint.model.flask_receivers import is_route_call
from flasklint.model.module import FunctionInfo, ModuleModel, Scope
from flasklint.model.routing import DEFAULT_CONVERTERS, parse_rule
from flasklint.model.walk import UsesOnly, libcst_visitor, mentions

# Decorators that call the view with the arguments they get (`func(*args, **kwargs)`, read in their sources).
PASS_THROUGH_DECORATORS = frozenset(
    {
        "flask_login.login_required",
        "flask_login.fresh_login_required",
        "flask_login.utils.login_required",
        "flask_login.utils.fresh_login_required",
    }
)
# Route options that change nothing the view receives.
_PLAIN_OPTIONS = frozenset(
    {"rule", "endpoint", "methods", "strict_slashes", "provide_automatic_options", "merge_slashes", "defaults"}
)
_ADD_URL_RULE_OPTIONS = _PLAIN_OPTIONS | {"view_func"}
# Names whose use lets a function see its own local names: renaming one would change what it sees.
_INTROSPECTION = frozenset({"locals", "vars", "eval", "exec"})


class RouteCall(TypedDict):
    """One route decorator registering the view."""

    span: Span  # the decorator's call (the index's Endpoint.span)
    rule_span: Span  # the rule argument
    rule: str
    variables: list[str]  # the rule's own variables, in order
    defaults: list[str]  # the keys of its `defaults=`


class Rename(TypedDict):
    """Renaming parameter `param` to `to`: the spans of the parameter's name and of every reference to it."""

    param: str
    to: str
    spans: list[Span]


class ViewSignature(TypedDict):
    name: str  # the function's __qualname__, as Python's TypeError names it
    # Imported decorators between a route and the `def` (qualified): the view is checked only when each is
    # a pass-through decorator of the project (see pass_through_decorators) or a known one.
    decorators: list[str]
    accepted: list[str]  # parameters a keyword argument can fill
    required: list[str]  # positional-or-keyword parameters without a default
    required_keyword_only: list[str]
    routes: list[RouteCall]
    renames: list[Rename]  # prepared renames (missing parameter -> the rule's variable), when sound


def view_signatures(model: ModuleModel, pass_through: list[str] | None = None) -> list[ViewSignature]:
    """Every route-decorated view of the module whose call Flask makes can be read exactly (`pass_through`:
    this module's pass-through decorators, when already known)."""
    local = set(pass_through_decorators(model) if pass_through is None else pass_through)
    registered = _add_url_rule_views(model)
    found: list[ViewSignature] = []
    for function in model.functions:
        signature = _signature(model, function, local, registered.get(function.node, []))
        if signature is not None:
            found.append(signature)
    return found


def _signature(
    model: ModuleModel, function: FunctionInfo, local: set[str], added: list[RouteCall | None]
) -> ViewSignature | None:
    """`added`: the add_url_rule calls registering this undecorated `def` (None for one it cannot read)."""
    if function.class_name is not None or None in added or (added and function.node.decorators):
        return None
    params = function.node.params
    if params.posonly_params or isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        return None
    found = _route_calls(model, function, local) if function.routes else ([], [])
    if found is None or not (found[0] or added):
        return None
    routes, decorators = found[0] + [r for r in added if r is not None], found[1]
    accepted = [p.name.value for p in (*params.params, *params.kwonly_params)]
    signature = ViewSignature(
        name=function.qualname,
        decorators=decorators,
        accepted=accepted,
        required=[p.name.value for p in params.params if p.default is None],
        required_keyword_only=[p.name.value for p in params.kwonly_params if p.default is None],
        routes=routes,
        renames=[],
    )
    signature["renames"] = list(_renames(model, function, signature))
    return signature


def _route_calls(
    model: ModuleModel, function: FunctionInfo, local: set[str]
) -> tuple[list[RouteCall], list[str]] | None:
    """The route decorators registering the `def` itself, and the imported decorators between them and the
    `def` that must pass the arguments through; None when another decorator may stand between a route and
    the `def` (the route then registers that decorator's wrapper) or a route is not plain."""
    scope = function.scope.parent or model.module_scope
    route_spans = {route.span for route in function.routes}
    calls: list[RouteCall] = []
    imported: list[str] = []
    below_a_route = False
    for decorator in (d.decorator for d in function.node.decorators):
        if isinstance(decorator, cst.Call) and model.span(decorator) in route_spans:
            if not is_route_call(model, decorator, scope):
                return None
            call = _route_call(model, decorator)
            if call is None:
                return None
            calls.append(call)
            below_a_route = True
        elif below_a_route:
            qualified = model.qualify(decorator, scope)
            if isinstance(decorator, cst.Name) and decorator.value in local and _module_level(scope, decorator.value):
                continue
            if qualified is None or isinstance(decorator, cst.Call):
                return None
            if qualified not in PASS_THROUGH_DECORATORS:
                imported.append(qualified)
    return (calls, imported) if calls else None


def pass_through_decorators(model: ModuleModel) -> list[str]:
    """Module-level decorators of this module that call the view with exactly the arguments they get:

        def deco(f):
            @functools.wraps(f)
            def wrapper(*args, **kwargs):
                ...  # args, kwargs and f used only in `return f(*args, **kwargs)`
            return wrapper
    """
    defined = [f for f in model.functions if f.scope.parent is model.module_scope]
    once = {f.name for f in defined if sum(1 for g in defined if g.name == f.name) == 1}
    return [
        f.name
        for f in defined
        if f.name in once and model.module_scope.assigned.get(f.name, "") is None and _passes_through(f.node)
    ]


def _module_level(scope: Scope, name: str) -> bool:
    """`name` in this scope is the module's (no enclosing function binds it)."""
    current: Scope | None = scope
    while current is not None and current.kind != "module":
        if name in current.params or name in current.assigned or current.imports.lookup(name) is not None:
            return False
        current = current.parent
    return True


def _passes_through(function: cst.FunctionDef) -> bool:
    params = function.params
    if function.decorators or len(params.params) != 1 or params.posonly_params or params.kwonly_params:
        return False
    if isinstance(params.star_arg, (cst.Param, cst.ParamStar)) or params.star_kwarg is not None:
        return False
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    statements = [s for s in body if not _is_docstring(s)]
    if len(statements) != 2 or not isinstance(statements[0], cst.FunctionDef):
        return False
    wrapper, returned = statements
    if not (isinstance(returned, cst.SimpleStatementLine) and len(returned.body) == 1):
        return False
    result = returned.body[0]
    returns_wrapper = isinstance(result, cst.Return) and isinstance(result.value, cst.Name)
    if not (returns_wrapper and result.value.value == wrapper.name.value):  # type: ignore[union-attr]
        return False
    return _forwards(wrapper, params.params[0].name.value)


def _forwards(wrapper: cst.FunctionDef, view: str) -> bool:
    """`def wrapper(*args, **kwargs)` whose body uses `view`, `args` and `kwargs` only in `view(*args, **kwargs)`
    (or `current_app.ensure_sync(view)(*args, **kwargs)`), with no decorator but `wraps(view)`. Flask passes
    route values as keywords only, so `def wrapped_view(**kwargs): ... return view(**kwargs)` (Flask's own
    tutorial) forwards them as well."""
    params = wrapper.params
    star, double = params.star_arg, params.star_kwarg
    if params.params or params.posonly_params or params.kwonly_params:
        return False
    args = star.name.value if isinstance(star, cst.Param) else None
    if double is None or isinstance(star, cst.ParamStar):
        return False
    if any(not _is_wraps_of(d.decorator, view) for d in wrapper.decorators):
        return False
    names = {view, double.name.value} | ({args} if args else set())
    if len(names) != (3 if args else 2):
        return False
    uses = libcst_visitor(_ForwardingUses)(view, args, double.name.value, names)
    wrapper.body.visit(uses)
    return uses.forwarded > 0 and not uses.stray


class _ForwardingUses(UsesOnly):
    """Counts the calls forwarding to the view; `stray`: the names used any other way.

    (libcst's visitor through `libcst_visitor`, as the other visitors here.)"""

    def __init__(self, view: str, args: str | None, kwargs: str, names: set[str]) -> None:
        self.view, self.args, self.kwargs, self.names = view, args, kwargs, names
        self.forwarded = 0
        self.stray = False

    def visit_Call(self, call: cst.Call) -> bool:
        if _is_forwarding(call, self.view, self.args, self.kwargs):
            self.forwarded += 1
            return False
        return True

    def visit_Name(self, name: cst.Name) -> None:
        self.stray = self.stray or name.value in self.names

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.stray = True  # a nested scope may rebind the names
        return False


def _is_forwarding(call: cst.Call, view: str, args: str | None, kwargs: str) -> bool:
    func = call.func
    if isinstance(func, cst.Call) and isinstance(func.func, cst.Attribute) and func.func.attr.value == "ensure_sync":
        func = func.args[0].value if len(func.args) == 1 and not func.args[0].keyword else func
    expected = [("*", args), ("**", kwargs)] if args else [("**", kwargs)]
    if not (isinstance(func, cst.Name) and func.value == view and len(call.args) == len(expected)):
        return False
    return all(
        arg.star == star and isinstance(arg.value, cst.Name) and arg.value.value == name
        for arg, (star, name) in zip(call.args, expected)
    )


def _is_wraps_of(decorator: cst.BaseExpression, view: str) -> bool:
    if not (isinstance(decorator, cst.Call) and len(decorator.args) == 1):
        return False
    func = decorator.func
    name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    value = decorator.args[0].value
    return name == "wraps" and isinstance(value, cst.Name) and value.value == view


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _route_call(
    model: ModuleModel, decorator: cst.Call, positional: int = 1, options: frozenset[str] = _PLAIN_OPTIONS
) -> RouteCall | None:
    """The rule's variables and `defaults=` keys of a route decorator (or an add_url_rule call); None when
    they cannot be read exactly."""
    if any(arg.star for arg in decorator.args) or sum(1 for arg in decorator.args if arg.keyword is None) > positional:
        return None
    if any(arg.keyword is not None and arg.keyword.value not in options for arg in decorator.args):
        return None
    rule_node = argument(decorator, 0, "rule")
    rule = literal_string(rule_node)
    defaults = _literal_keys(argument(decorator, None, "defaults"))
    if rule_node is None or rule is None or defaults is None:
        return None
    variables = parse_rule(rule).variables
    names = [variable.name for variable in variables]
    if len(set(names)) < len(names) or any(variable.converter not in DEFAULT_CONVERTERS for variable in variables):
        # Werkzeug rejects the rule when the module is imported (FLK205's finding: `<id:int>` swapped), or a
        # converter of the project's may be at work: no request ever reaches the view with these arguments.
        return None
    return RouteCall(
        span=model.span(decorator),
        rule_span=model.span(rule_node),
        rule=rule,
        variables=names,
        defaults=defaults,
    )


def _add_url_rule_views(model: ModuleModel) -> dict[cst.FunctionDef, list[RouteCall | None]]:
    """`app.add_url_rule("/u/<id>", view_func=show)` with `show` a plain `def` of this module: the calls
    registering each such function (None for a call whose options cannot be read exactly)."""
    found: dict[cst.FunctionDef, list[RouteCall | None]] = {}
    for call in model.calls:
        func = call.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_url_rule"):
            continue
        view = argument(call.node, 2, "view_func")
        function = _defined_here(model, view, call.scope) if isinstance(view, cst.Name) else None
        if function is not None and is_route_call(model, call.node, call.scope):
            route = _route_call(model, call.node, positional=3, options=_ADD_URL_RULE_OPTIONS)
            found.setdefault(function.node, []).append(route)
    return found


def _defined_here(model: ModuleModel, name: cst.Name, scope: Scope) -> FunctionInfo | None:
    """The one `def` a name means where it is used: bound by nothing else in the scope that binds it."""
    current: Scope | None = scope
    while current is not None:
        if current.kind != "class" and (name.value in current.params or current.imports.lookup(name.value)):
            return None
        if current.kind != "class" and name.value in current.assigned:
            if current.assigned[name.value] is not None:
                return None  # assigned a value (`show = login_required(show)`), not only a def
            defined = [f for f in model.functions if f.name == name.value and (f.scope.parent or None) is current]
            return defined[0] if len(defined) == 1 else None
        current = current.parent
    return None


def _literal_keys(node: cst.BaseExpression | None) -> list[str] | None:
    """The keys of a `defaults=` dict display ([] when absent); None when they are not all literal."""
    if node is None:
        return []
    if not isinstance(node, cst.Dict):
        return None
    keys = [literal_string(e.key) if isinstance(e, cst.DictElement) else None for e in node.elements]
    return None if any(k is None for k in keys) else [k for k in keys if k is not None]


def _renames(model: ModuleModel, function: FunctionInfo, signature: ViewSignature) -> Iterator[Rename]:
    """For each route passing one name the view lacks while one required parameter goes unfilled: the
    rename of that parameter, when every reference to it can be renamed without changing any other name."""
    pairs: dict[tuple[str, str], None] = {}
    for route in signature["routes"]:
        passed = route["variables"] + route["defaults"]
        unexpected = sorted({name for name in passed if name not in signature["accepted"]})
        required = signature["required"] + signature["required_keyword_only"]
        missing = [name for name in required if name not in passed]
        if len(unexpected) == 1 and len(missing) == 1:
            pairs[(missing[0], unexpected[0])] = None
    for param, to in pairs:
        spans = rename_spans(model, function.node, param, to)
        if spans is not None:
            yield Rename(param=param, to=to, spans=spans)


def rename_spans(model: ModuleModel, function: cst.FunctionDef, param: str, to: str) -> list[Span] | None:
    """The spans to rewrite to rename a parameter of `function` to `to`: its name, its reassignments in the
    function and every reference (closures included); None when the rename may change what a name means."""
    if mentions(function.body, to) or mentions(function.body, *_INTROSPECTION) or _debug_fstring(function.body):
        return None
    from libcst.metadata import MetadataWrapper, ScopeProvider  # only when a rename is wanted

    scopes = MetadataWrapper(model.tree, unsafe_skip_copy=True).resolve(ScopeProvider)
    target = next(p for p in function.params.params + function.params.kwonly_params if p.name.value == param)
    scope = scopes.get(target.name)
    nodes: list[cst.CSTNode] = []
    for assignment in scope.assignments[param] if scope is not None else ():
        node = assignment.node
        if isinstance(node, cst.Param):
            node = node.name
        if not isinstance(node, cst.Name) or not _in(model, node, function):
            return None
        nodes.append(node)
        for access in assignment.references:
            if not isinstance(access.node, cst.Name) or access.node.value != param:
                return None
            nodes.append(access.node)
    if target.name not in nodes:
        return None
    return sorted({model.span(node) for node in nodes})


def _in(model: ModuleModel, node: cst.CSTNode, function: cst.FunctionDef) -> bool:
    start, end = model.span(node), model.span(function)
    return (end[0], end[1]) <= (start[0], start[1]) and (start[2], start[3]) <= (end[2], end[3])


def _debug_fstring(node: cst.CSTNode) -> bool:
    """`f"{uid=}"` prints the name itself: renaming it changes the text."""
    finder = libcst_visitor(_DebugExpressions)()
    node.visit(finder)
    return finder.found


class _DebugExpressions:
    def __init__(self) -> None:
        self.found = False

    def visit_FormattedStringExpression(self, expression: cst.FormattedStringExpression) -> None:
        self.found = self.found or expression.equal is not None
