from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from flasklint.model.flask_receivers import is_route_call
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.model.responses import ERROR_HANDLER_DECORATORS, html_handlers
from flasklint.model.return_paths import contains_yield, function_paths
from flasklint.rule import Case, FileRule, Finding

NO_RETURN = frozenset(
    {
        "flask.abort", "flask.helpers.abort", "werkzeug.exceptions.abort", "sys.exit", "os._exit", "os.abort",
        "flask_restful.abort", "flask_restx.abort", "flask_smorest.abort", "builtins.exit", "exit", "quit",
    }
)
NO_RETURN_METHODS = frozenset({"abort", "fail", "exit", "throw"})
# A response built and dropped on the floor: the classic missing `return`.
RESPONSE_CALLS = frozenset(
    {
        "flask.redirect", "flask.render_template", "flask.make_response", "flask.jsonify", "flask.url_for",
        "flask.send_file", "flask.send_from_directory", "flask.render_template_string", "flask.Response",
        "werkzeug.utils.redirect", "flask.helpers.redirect", "flask.templating.render_template",
    }
)
# Decorators that call the view and hand back what it returns (None included).
PASS_THROUGH = frozenset({"flask_login.login_required", "flask_login.fresh_login_required", "flask_login.utils.login_required"})
ERROR = (
    "TypeError: The view function for {endpoint} did not return a valid response. "
    "The function either returned None or ended without a return statement."
)
HEADER = 'from flask import Flask, abort, redirect, render_template, request\n\napp = Flask(__name__)\n\n\n'
WEBSOCKET_PACKAGES = ("flask_sock", "flask_sockets")


def _error(name: str, view: bool) -> str:
    return ERROR.format(endpoint=f"'{name}'" if view else "...")


def _who(name: str, view: bool) -> str:
    return f"{'view' if view else 'error handler'} `{name}`"


def _bare_message(name: str, view: bool) -> str:
    return f"{_who(name, view)} returns None here: Flask raises `{_error(name, view)}`"


def _discarded_message(name: str, view: bool, call: str) -> str:
    return (
        f"the response `{call}(...)` builds is discarded and {_who(name, view)} then returns None "
        f"(missing `return`?): Flask raises `{_error(name, view)}`"
    )


def _fall_off_message(name: str, view: bool) -> str:
    """No line number in the message: it must not change when lines above move (a fix, an edit)."""
    return f"{_who(name, view)} can end without a return statement: Flask raises `{_error(name, view)}`"


class ViewReturnsNone(FileRule):
    """
    ## What it does
    Reports a view or error handler with a path returning `None`: a bare `return` (or `return None`),
    a response built by `redirect(...)`, `render_template(...)`, `make_response(...)`, `jsonify(...)`
    ... as a statement and dropped (the missing `return`), or a path falling off the end. Paths ending
    in `raise`, `abort(...)`, `sys.exit()`, a same-module function that always raises, a call to an
    imported function it cannot see (which may raise), or `while True:` without `break` are fine, and
    generators are skipped. Not analysed: test files (their views are often stubs only built as URLs),
    class-based views' methods, functions under decorators
    other than the route, error-handler and `login_required` ones (a decorator may supply the
    response), WebSocket handlers (Flask-Sock).

    ## Why is this bad?
    Flask turns the return value into a response and refuses `None`: the request fails with
    `TypeError: The view function for 'index' did not return a valid response. The function either
    returned None or ended without a return statement.` (a 500). ruff's RET503 fix (`return None`)
    keeps the error. A view testing `if request.method == "GET":` alone falls off too: Flask answers
    `HEAD` requests with the `GET` view, where `request.method` is `"HEAD"`.

    ## Example
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)


    @app.route("/old")
    def old():
        redirect(url_for("new"))
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)


    @app.route("/old")
    def old():
        return redirect(url_for("new"))
    ```

    ## Fix safety
    The fix adds `return` before a discarded response call that ends a path. It is unsafe: the
    call's response was not sent before, and code may have meant another response (there is no fix
    for a bare `return` or another statement ending the view).
    """

    code = "FLK305"
    name = "view-returns-none"
    summary = "A view or error handler with a path returning None (a missing `return`)"
    fix_availability = "sometimes"
    invalid = [
        Case(
            'from flask import Flask, redirect, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/old")\ndef old():\n'
            '    redirect(url_for("new"))\n',
            Finding((8, 4, 8, 28), _discarded_message("old", True, "redirect"), fix="unsafe"),
            fixed={"app.py": 'from flask import Flask, redirect, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/old")\n'
                   'def old():\n    return redirect(url_for("new"))\n'},
        ),
        Case(
            HEADER + '@app.route("/a")\ndef a():\n    if request.args:\n        return "x"\n',
            Finding((7, 4, 7, 5), _fall_off_message("a", True)),
        ),
        Case(
            HEADER + '@app.route("/b")\ndef b():\n    if not request.args:\n        return\n    return "x"\n',
            Finding((9, 8, 9, 14), _bare_message("b", True)),
        ),
        Case(
            HEADER + '@app.errorhandler(404)\ndef not_found(error):\n    render_template("404.html"), 404\n',
            Finding((8, 4, 8, 36), _discarded_message("not_found", False, "render_template"), fix="unsafe"),
            fixed={
                "app.py": HEADER + '@app.errorhandler(404)\ndef not_found(error):\n    return render_template("404.html"), 404\n'
            },
        ),
        Case(
            HEADER + '@app.errorhandler(404)\ndef not_found(error):\n    render_template("404.html")\n',
            Finding((8, 4, 8, 31), _discarded_message("not_found", False, "render_template"), fix="unsafe"),
            fixed={"app.py": HEADER + '@app.errorhandler(404)\ndef not_found(error):\n    return render_template("404.html")\n'},
        ),
    ]
    valid = [
        'from flask import Flask, redirect, url_for\n\napp = Flask(__name__)\n\n\n@app.route("/old")\ndef old():\n'
        '    return redirect(url_for("new"))\n',
        # raising endings: abort, raise, a same-module helper that always aborts, an imported helper (may raise)
        HEADER + '@app.route("/a")\ndef a():\n    if request.args:\n        return "x"\n    abort(404)\n',
        HEADER + 'def forbid():\n    abort(403)\n\n\n@app.route("/a")\ndef a():\n    if request.args:\n        return "x"\n'
        '    forbid()\n',
        'from flask import Flask\nfrom myapp.errors import deny\n\napp = Flask(__name__)\n\n\n@app.route("/a")\ndef a():\n'
        '    deny()\n',
        # generators, endless loops, unknown decorators, class-based views, WebSocket handlers
        HEADER + '@app.route("/a")\ndef a():\n    yield "x"\n',
        HEADER + '@app.route("/a")\ndef a():\n    while True:\n        pass\n',
        HEADER + 'from myapp import cache\n\n\n@app.route("/a")\n@cache.cached()\ndef a():\n    pass\n',
        HEADER + 'from flask.views import MethodView\n\n\nclass Items(MethodView):\n    def get(self):\n        pass\n',
        'from flask import Flask\nfrom flask_sock import Sock\n\napp = Flask(__name__)\nsock = Sock(app)\n\n\n'
        '@sock.route("/echo")\ndef echo(ws):\n    ws.send(ws.receive())\n',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        if model.facts.is_test or any(target.startswith(WEBSOCKET_PACKAGES) for target in model.facts.imports.values()):
            return  # test views are stubs (`def index(): pass` to build a URL); WebSocket handlers return None
        no_return = _NoReturn(model)
        generators_possible = "yield" in model.text  # no generator without the keyword: no walk per view
        for function in html_handlers(model):
            generator = generators_possible and contains_yield(function.node)
            if function.class_name is None and _plain(model, function) and not generator:
                yield from self._check(model, function, no_return)

    def _check(self, model: ModuleModel, function: FunctionInfo, no_return: _NoReturn) -> Iterable[Diagnostic]:
        paths = function_paths(function.node, no_return)
        for returned in paths.bare_returns:
            yield self.diagnostic(model.path, model.span(returned), _bare_message(function.name, function.is_view))
        falls_off = False
        for tail in paths.tails:
            last = tail.body[-1] if isinstance(tail, cst.SimpleStatementLine) else tail
            call = _discarded_call(last)
            response = call and _response_call(model, function, call)
            if response:
                fix = Fix("Add the missing `return`", [_return_edit(model, last)], Applicability.UNSAFE)
                message = _discarded_message(function.name, function.is_view, response)
                yield self.diagnostic(model.path, model.span(last), message, fix=fix)
            elif call is None or no_return.known_to_return(call):
                falls_off = True
        if falls_off:
            message = _fall_off_message(function.name, function.is_view)
            yield self.diagnostic(model.path, model.span(function.node.name), message)


def _plain(model: ModuleModel, function: FunctionInfo) -> bool:
    """Every decorator is a Flask route/error-handler registration or hands back the view's result."""
    outer = function.scope.parent or model.module_scope
    for decorator in function.node.decorators:
        node = decorator.decorator
        if isinstance(node, cst.Call) and is_route_call(model, node, outer):
            continue
        func = node.func if isinstance(node, cst.Call) else None
        if isinstance(func, cst.Attribute) and func.attr.value in ERROR_HANDLER_DECORATORS:
            continue
        if model.qualify(node, outer) in PASS_THROUGH:
            continue
        return False
    return True


def _discarded_call(statement: cst.CSTNode) -> cst.Call | None:
    """The call a statement evaluates and drops: `f(...)`, or the body of `f(...), 404`."""
    value = statement.value if isinstance(statement, cst.Expr) else None
    if isinstance(value, cst.Tuple) and value.elements:
        value = value.elements[0].value
    return value if isinstance(value, cst.Call) else None


def _response_call(model: ModuleModel, function: FunctionInfo, call: cst.Call) -> str | None:
    qualified = model.qualify(call.func, function.scope) or ""
    return qualified.rpartition(".")[2] if qualified in RESPONSE_CALLS else None


def _return_edit(model: ModuleModel, statement: cst.CSTNode) -> Edit:
    row, column, _, _ = model.span(statement)
    return Edit(Location(row, column), Location(row, column), "return ")


class _NoReturn:
    """Which call statements never return: known functions, `x.abort(...)`, and same-module functions
    every path of which raises (found recursively)."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.module_functions = {
            f.name: f for f in model.functions if f.class_name is None and f.scope.parent is model.module_scope
        }
        self.memo: dict[str, bool] = {}

    def __call__(self, call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Attribute):
            return func.attr.value in NO_RETURN_METHODS or self._qualified(func) in NO_RETURN
        if not isinstance(func, cst.Name):
            return False
        if self._qualified(func) in NO_RETURN:
            return True
        local = self.module_functions.get(func.value)
        if local is None or self._qualified(func) is not None:
            return False
        if func.value not in self.memo:
            self.memo[func.value] = False  # while recursing: assume it returns
            paths = function_paths(local.node, self)
            raises = not (paths.tails or paths.bare_returns or paths.returns_value or contains_yield(local.node))
            self.memo[func.value] = raises
        return self.memo[func.value]

    def known_to_return(self, call: cst.Call) -> bool:
        """A call ending a path that surely returns: Flask's functions, methods, same-module functions.
        An imported function the model cannot see may raise: then the path is not reported."""
        func = call.func
        if isinstance(func, cst.Attribute):
            return True
        if not isinstance(func, cst.Name):
            return False
        qualified = self._qualified(func)
        if qualified is None:
            return func.value in self.module_functions or func.value in ("print", "len", "str", "int", "dict", "list")
        return qualified.startswith(("flask.", "logging."))

    def _qualified(self, func: cst.BaseExpression) -> str | None:
        return self.model.qualify(func, self.model.module_scope)
