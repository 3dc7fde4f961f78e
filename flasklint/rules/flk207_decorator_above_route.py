from __future__ import annotations

from typing import Iterable, Sequence

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.cst_helpers import is_string_literal
from flasklint.model.decorators import Wrapping, wrapping
from flasklint.model.flask_receivers import is_route_call
from flasklint.model.imports import dotted_name
from flasklint.model.module import ROUTE_DECORATORS, FunctionInfo, ModuleModel, Scope
from flasklint.rule import Case, FileRule, Finding


def _message(above: list[str], route: str, view: str) -> str:
    names = " and ".join(f"`@{name}`" for name in above)
    verb = "is" if len(above) == 1 else "are"
    return (
        f"{names} {verb} above `@{route}`: the route registers `{view}` before it is wrapped, so requests "
        f"reach the view without {'it' if len(above) == 1 else 'them'} (only the module-level name is wrapped); "
        "put the route decorator on top"
    )


class DecoratorAboveRoute(FileRule):
    """
    ## What it does
    Reports a wrapping decorator listed above a route decorator (`@app.route`, `@bp.get`, ...) of a
    Flask app or blueprint. A decorator counts as wrapping when the model knows it wraps: the
    decorators of Flask-Login (`login_required`, `fresh_login_required`), Flask-Caching
    (`cache.cached`, `cache.memoize`), Flask-CORS (`cross_origin`), flask-jwt-extended
    (`jwt_required`), Flask-Security and Flask-HTTPAuth (`auth.login_required`); any access check
    named `*_required` or `requires_*`; and a decorator of this module that returns a nested
    function. Stacked route decorators are fine, and so is any decorator that registers or
    annotates the function and returns it (`@app.errorhandler`, `@click.command`, `@csrf.exempt`).
    Decorators the model does not know (Flask-Limiter's `@limiter.limit` among them) are left alone:
    a miss rather than a false alarm.

    ## Why is this bad?
    Decorators apply bottom-up, and `route()` registers the function it receives. With
    `@login_required` above `@app.route("/admin")`, Flask registers the undecorated view and
    `login_required` only wraps the module-level name: `GET /admin` answers `200` with the secret
    page instead of `401` (verified with Flask 3.1). The same order makes `@cache.cached` cache
    nothing and `@cross_origin` send no CORS headers. No error is raised, ever.

    ## Example
    ```python
    from flask import Flask
    from flask_login import login_required

    app = Flask(__name__)


    @login_required
    @app.route("/admin")
    def admin():
        return "secret"
    ```

    ## Use instead
    ```python
    from flask import Flask
    from flask_login import login_required

    app = Flask(__name__)


    @app.route("/admin")
    @login_required
    def admin():
        return "secret"
    ```

    ## Fix safety
    The fix moves the route decorators to the top, keeping the order of the route decorators among
    themselves and of the others among themselves. It changes what a request runs — that is its
    point — and keeps the rest: the endpoint is still the view's name when each moved decorator
    keeps it (`functools.wraps`). It is safe when every decorator of the function is a plain name,
    attribute or call whose arguments are literals or names (so evaluating them in another order
    has no visible effect) and each wrapping decorator is known to use `functools.wraps` (the
    extensions above, or this module's decorator whose wrapper has `@wraps`); unsafe when a
    wrapping decorator comes from another module of the project (its wrapper may lack `@wraps`,
    making the endpoint `wrapper`). There is no fix when a local wrapper lacks `@wraps` (add it
    first: otherwise two such views collide on the endpoint `wrapper`, an `AssertionError` at
    import), or when comments or blank lines sit between the decorators.
    """

    code = "FLK207"
    name = "decorator-above-route"
    summary = "Wrapping decorator above a route decorator: the route registers the unwrapped view"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    invalid = [
        Case(
            "from flask import Flask\nfrom flask_login import login_required\n\napp = Flask(__name__)\n\n\n"
            '@login_required\n@app.route("/admin")\ndef admin():\n    return "secret"\n',
            Finding((7, 1, 7, 15), _message(["login_required"], "app.route(...)", "admin"), fix="safe"),
            fixed={
                "app.py": "from flask import Flask\nfrom flask_login import login_required\n\n"
                "app = Flask(__name__)\n\n\n"
                '@app.route("/admin")\n@login_required\ndef admin():\n    return "secret"\n'
            },
        ),
        Case(
            "from flask import Blueprint\n\nfrom myapp.auth import admin_required\nfrom myapp.ext import cache\n\n"
            "bp = Blueprint('shop', __name__)\n\n\n"
            "@admin_required\n@cache.cached(timeout=60)\n@bp.get('/stats')\n@bp.get('/stats/<day>')\n"
            "def stats(day=None):\n    return 'stats'\n",
            Finding(
                (9, 1, 9, 15), _message(["admin_required", "cache.cached(...)"], "bp.get(...)", "stats"), fix="unsafe"
            ),
            fixed={
                "app.py": "from flask import Blueprint\n\nfrom myapp.auth import admin_required\n"
                "from myapp.ext import cache\n\n"
                "bp = Blueprint('shop', __name__)\n\n\n"
                "@bp.get('/stats')\n@bp.get('/stats/<day>')\n@admin_required\n@cache.cached(timeout=60)\n"
                "def stats(day=None):\n    return 'stats'\n"
            },
        ),
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef logged(f):\n    def wrapper(*args):\n"
            "        return f(*args)\n    return wrapper\n\n\n@logged\n@app.route('/a')\ndef a():\n    return 'a'\n",
            Finding((12, 1, 12, 7), _message(["logged"], "app.route(...)", "a")),
        ),
    ]
    valid = [
        "from flask import Flask\nfrom flask_login import login_required\n\napp = Flask(__name__)\n\n\n"
        '@app.route("/admin")\n@login_required\ndef admin():\n    return "secret"\n',
        # registries and annotations may sit anywhere; route decorators stack
        "import click\nfrom flask import Flask\nfrom myapp import limiter, csrf\n\napp = Flask(__name__)\n\n\n"
        "@click.command()\n@app.route('/a')\n@app.route('/b')\ndef a():\n    return 'a'\n\n\n"
        "@limiter.limit('1/second')\n@csrf.exempt\n@app.errorhandler(404)\n@app.post('/c')\ndef c(e=None):\n"
        "    return 'c'\n",
        # a project decorator that registers and returns the function
        "from flask import Flask\n\napp = Flask(__name__)\nPAGES = []\n\n\ndef page(f):\n    PAGES.append(f)\n"
        "    return f\n\n\n@page\n@app.route('/p')\ndef p():\n    return 'p'\n",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for function in model.functions:
            diagnostic = self._check_function(model, function)
            if diagnostic is not None:
                yield diagnostic

    def _check_function(self, model: ModuleModel, function: FunctionInfo) -> Diagnostic | None:
        scope = function.scope.parent or model.module_scope
        decorators = function.node.decorators
        routes = [i for i, d in enumerate(decorators) if _is_route(model, d.decorator, scope)]
        if not routes:
            return None
        above: list[tuple[int, Wrapping]] = []
        for index in range(routes[-1]):
            found = None if index in routes else wrapping(model, decorators[index].decorator, scope)
            if found is not None:
                above.append((index, found))
        if not above:
            return None
        first_route = decorators[next(r for r in routes if r > above[0][0])].decorator
        shown = [_shown(model, decorators[i].decorator) for i, _ in above]
        message = _message(shown, _shown(model, first_route), function.name)
        fix = _reorder_fix(model, decorators, routes, [w for _, w in above])
        return self.diagnostic(model.path, model.span(decorators[above[0][0]].decorator), message, fix=fix)


def _is_route(model: ModuleModel, decorator: cst.BaseExpression, scope: Scope) -> bool:
    return (
        isinstance(decorator, cst.Call)
        and isinstance(decorator.func, cst.Attribute)
        and decorator.func.attr.value in ROUTE_DECORATORS
        and is_route_call(model, decorator, scope)
    )


def _shown(model: ModuleModel, decorator: cst.BaseExpression) -> str:
    if isinstance(decorator, cst.Call):
        return f"{model.code(decorator.func).strip()}({'...' if decorator.args else ''})"
    return model.code(decorator).strip()


def _reorder_fix(
    model: ModuleModel, decorators: Sequence[cst.Decorator], routes: list[int], moved: list[Wrapping]
) -> Fix | None:
    """Routes first, each group in its order; None when comments, blank lines or complex expressions are involved."""
    if any(w.keeps_name is False for w in moved):
        return None
    if any(d.trailing_whitespace.comment is not None or d in decorators[1:] and d.leading_lines for d in decorators):
        return None
    if not all(_plain(d.decorator) for d in decorators):
        return None
    order = [decorators[i] for i in routes] + [d for i, d in enumerate(decorators) if i not in routes]
    line, column, _, _ = model.span(decorators[0])
    _, _, end_line, end_column = model.span(decorators[-1])
    indent = model.lines[line - 1][:column]
    text = f"\n{indent}".join("@" + model.code(d.whitespace_after_at) + model.code(d.decorator).strip() for d in order)
    safe = all(w.keeps_name for w in moved)
    edit = Edit(Location(line, column), Location(end_line, end_column), text)
    return Fix("Put the route decorators on top", [edit], Applicability.SAFE if safe else Applicability.UNSAFE)


def _plain(node: cst.BaseExpression) -> bool:
    """A name, an attribute, or a call of one whose arguments are literals or names: no side effect to reorder."""
    if isinstance(node, cst.Call):
        return dotted_name(node.func) is not None and all(not arg.star and _literal(arg.value) for arg in node.args)
    return dotted_name(node) is not None


def _literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)) or is_string_literal(node):
        return True
    if isinstance(node, (cst.Name, cst.Attribute)):
        return dotted_name(node) is not None
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.Minus) and _literal(node.expression)
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(isinstance(e, cst.Element) and _literal(e.value) for e in node.elements)
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _literal(e.key) and _literal(e.value) for e in node.elements)
    return False
