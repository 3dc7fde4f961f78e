from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix
from flasklint.edits import replace_node
from flasklint.model.flask_receivers import imports_other_framework
from flasklint.model.imports import dotted_name
from flasklint.model.module import FLASK_CLASSES, AssignInfo, ModuleModel
from flasklint.model.walk import libcst_visitor
from flasklint.rule import Case, FileRule, Finding

# WSGI middleware wrapping a callable application: none of them has Flask's methods.
MIDDLEWARE_PREFIXES = ("werkzeug.middleware.", "werkzeug.contrib.")
MIDDLEWARE = frozenset(
    {
        "werkzeug.wsgi.SharedDataMiddleware",
        "werkzeug.wsgi.DispatcherMiddleware",
        "werkzeug.debug.DebuggedApplication",
        "whitenoise.WhiteNoise",
        "whitenoise.base.WhiteNoise",
        "paste.translogger.TransLogger",
    }
)
# Attributes only a Flask app has: a use after the rebinding fails with AttributeError.
FLASK_ATTRIBUTES = frozenset(
    {
        "route", "get", "post", "put", "patch", "delete", "add_url_rule", "config", "run", "register_blueprint",
        "before_request", "after_request", "teardown_request", "teardown_appcontext", "errorhandler",
        "register_error_handler", "test_client", "test_cli_runner", "app_context", "test_request_context",
        "context_processor", "template_filter", "template_global", "url_map", "jinja_env", "secret_key",
        "logger", "cli", "extensions", "shell_context_processor", "url_value_preprocessor", "url_defaults",
        "view_functions", "blueprints", "debug", "testing", "json", "instance_path", "root_path",
    }
)


def _message(name: str, middleware: str, used: str) -> str:
    return (
        f"`{name} = {middleware}({name}, ...)` replaces the Flask app with WSGI middleware: `{used}` below fails with "
        f"`AttributeError: '{middleware}' object has no attribute '{used.rpartition('.')[2]}'`; "
        f"wrap `{name}.wsgi_app` instead"
    )


class MiddlewareReplacesApp(FileRule):
    """
    ## What it does
    Reports `app = ProxyFix(app, ...)` (or another WSGI middleware: `werkzeug.middleware.*`,
    `SharedDataMiddleware`, `DispatcherMiddleware`, `WhiteNoise`, ...) rebinding the name of a Flask
    app (`Flask(...)`, a Flask subclass of the module or a class named `*Flask`, `create_app()`, an imported `app`) when the same name is used as a Flask app
    after it (`@app.route`, `app.config`, `app.run()`, `app.register_blueprint`...). A separate WSGI
    entry name (`application = ProxyFix(app)` in `wsgi.py`) and `app.wsgi_app = ProxyFix(app.wsgi_app)`
    are fine. Not seen: a rebinding used only from other modules, or only by `flask --app` (which
    then fails with `Failed to find Flask application or factory`), and middleware of unknown packages.

    ## Why is this bad?
    The middleware is a plain WSGI callable: it still serves requests under gunicorn, which hides
    the mistake, but every Flask use of the name fails, e.g. `@app.route("/")` after
    `app = ProxyFix(app, x_for=1)` raises `AttributeError: 'ProxyFix' object has no attribute 'route'`
    at import, and `app.config[...]`, `app.test_client()` fail the same way.

    ## Example
    ```python
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask(__name__)
    app = ProxyFix(app, x_for=1)
    app.config["SECRET_KEY"] = "x"
    ```

    ## Use instead
    ```python
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = Flask(__name__)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    app.config["SECRET_KEY"] = "x"
    ```

    ## Fix safety
    The fix rewrites the line to `app.wsgi_app = ProxyFix(app.wsgi_app, ...)`, Flask's documented
    form: the app, called as WSGI, still runs through the middleware. It is safe inside a function
    the name does not leave (not returned, not `global`); elsewhere it is unsafe, because another
    module may import the name and use the middleware object itself (its attributes, `isinstance`).
    """

    code = "FLK303"
    name = "middleware-replaces-app"
    summary = "`app = ProxyFix(app)`: WSGI middleware rebinding a Flask app used as one afterwards"
    fix_availability = "sometimes"
    invalid = [
        Case(
            "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n"
            "app = Flask(__name__)\napp = ProxyFix(app, x_for=1)\napp.config[\"SECRET_KEY\"] = \"x\"\n",
            Finding((5, 0, 5, 28), _message("app", "ProxyFix", "app.config"), fix="unsafe"),
            fixed={"app.py": "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n"
                   "app = Flask(__name__)\napp.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)\n"
                   "app.config[\"SECRET_KEY\"] = \"x\"\n"},
        ),
        Case(
            "from flask import Flask\nfrom werkzeug.middleware.shared_data import SharedDataMiddleware\n\n\n"
            "def create_app():\n    app = Flask(__name__)\n    app = SharedDataMiddleware(app, {'/s': 'static'})\n"
            "    app.register_blueprint(bp)\n    return 1\n",
            Finding((7, 4, 7, 53), _message("app", "SharedDataMiddleware", "app.register_blueprint"), fix="safe"),
            fixed={"app.py": "from flask import Flask\nfrom werkzeug.middleware.shared_data import SharedDataMiddleware\n\n\n"
                   "def create_app():\n    app = Flask(__name__)\n"
                   "    app.wsgi_app = SharedDataMiddleware(app.wsgi_app, {'/s': 'static'})\n"
                   "    app.register_blueprint(bp)\n    return 1\n"},
        ),
    ]
    valid = [
        "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n"
        "app = Flask(__name__)\napp.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)\napp.config[\"SECRET_KEY\"] = \"x\"\n",
        # a separate WSGI entry name
        {"wsgi.py": "from werkzeug.middleware.proxy_fix import ProxyFix\n\nfrom myapp import app\n\n"
         "application = ProxyFix(app)\n"},
        # rebound last, used only as WSGI
        "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n"
        "app = Flask(__name__)\napp.config['X'] = 1\napp = ProxyFix(app)\n",
        # not middleware of a known package
        "from flask import Flask\nfrom mylib import Wrapper\n\napp = Flask(__name__)\napp = Wrapper(app)\napp.run()\n",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        if imports_other_framework(model):
            return
        for assign in model.assigns:
            found = _rebinding(model, assign)
            if found is None:
                continue
            name, call, middleware = found
            used = _later_flask_use(model, assign, name)
            if used is None or not _was_flask_app(model, assign, name):
                continue
            yield self.diagnostic(
                model.path, model.span(assign.node), _message(name, middleware, f"{name}.{used}"),
                fix=_fix(model, assign, name, call),
            )


def _rebinding(model: ModuleModel, assign: AssignInfo) -> tuple[str, cst.Call, str] | None:
    """`X = Middleware(X, ...)`: the name, the call and the middleware's class name."""
    node = assign.node
    if not isinstance(node, cst.Assign) or len(assign.targets) != 1 or not isinstance(assign.targets[0], cst.Name):
        return None
    call = assign.value
    if not isinstance(call, cst.Call) or not call.args or call.args[0].keyword or call.args[0].star:
        return None
    name = assign.targets[0].value
    first = call.args[0].value
    if not (isinstance(first, cst.Name) and first.value == name):
        return None
    qualified = model.qualify(call.func, assign.scope) or ""
    known = qualified.startswith(MIDDLEWARE_PREFIXES) or qualified in MIDDLEWARE
    return (name, call, qualified.rpartition(".")[2]) if known else None


def _was_flask_app(model: ModuleModel, assign: AssignInfo, name: str) -> bool:
    """Before the rebinding, the same scope bound the name to `Flask(...)` (or a subclass), `*app()` or an imported app."""
    start = model.span(assign.node)[:2]
    for earlier in model.assigns:
        if earlier.scope is not assign.scope or model.span(earlier.node)[:2] >= start:
            continue
        target = earlier.targets[0] if len(earlier.targets) == 1 else None
        if isinstance(target, cst.Name) and target.value == name and isinstance(earlier.value, cst.Call):
            callee = earlier.value.func
            if _is_flask_class(model, callee, earlier):
                return True
            last = (dotted_name(callee) or "").rpartition(".")[2]
            if last.lower().endswith("app") or last.endswith("Flask"):  # `create_app()`, `CTFdFlask(__name__)`
                return True
    imported = assign.scope.imports.aliases.get(name, "").rpartition(".")[2]
    return imported in ("app", "application") or imported.endswith("_app")


def _is_flask_class(model: ModuleModel, callee: cst.BaseExpression, assign: AssignInfo) -> bool:
    """`Flask`, or a subclass of it defined in this module (through any chain of this module's classes)."""
    local = f"{model.facts.module}.{callee.value}" if isinstance(callee, cst.Name) else None
    pending = [name for name in (model.qualify(callee, assign.scope), local) if name]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in FLASK_CLASSES:
            return True
        if name not in seen:
            seen.add(name)
            pending.extend(model.facts.classes.get(name, []))
    return False


def _later_flask_use(model: ModuleModel, assign: AssignInfo, name: str) -> str | None:
    """The first Flask-only attribute read on the name after the rebinding, in its scope or nested ones."""
    scope_node: cst.CSTNode = assign.function.node if assign.function else model.tree
    uses = libcst_visitor(_FlaskUses)(model, scope_node, name, model.span(assign.node)[2:])
    scope_node.visit(uses)
    return uses.found[0] if uses.found else None


class _FlaskUses:
    """Flask-only attributes read on `name` after `end`, where no nested function's parameter shadows it.

    (libcst's visitor through `libcst_visitor`.)"""

    def __init__(self, model: ModuleModel, scope_node: cst.CSTNode, name: str, end: tuple[int, ...]) -> None:
        self.model, self.scope_node, self.name, self.end = model, scope_node, name, end
        self.found: list[str] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        shadowed = any(param.name.value == self.name for param in node.params.params)
        return node is self.scope_node or not shadowed

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if (
            not self.found and isinstance(node.value, cst.Name) and node.value.value == self.name
            and node.attr.value in FLASK_ATTRIBUTES and self.model.span(node)[:2] > self.end
        ):
            self.found.append(node.attr.value)


def _fix(model: ModuleModel, assign: AssignInfo, name: str, call: cst.Call) -> Fix:
    wrapped = f"{name}.wsgi_app"
    edits = [replace_node(model, assign.targets[0], wrapped), replace_node(model, call.args[0].value, wrapped)]
    return Fix(f"Wrap `{wrapped}` instead", edits, _safety(assign, name))


def _safety(assign: AssignInfo, name: str) -> Applicability:
    """Safe only for a function's local that never leaves it: no other code can hold the middleware."""
    if assign.function is None:
        return Applicability.UNSAFE
    escapes = libcst_visitor(_Escapes)(name)
    assign.function.node.visit(escapes)
    return Applicability.UNSAFE if escapes.leaves else Applicability.SAFE


class _Escapes:
    """Whether the function returns `name` or declares it global or nonlocal."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.leaves = False

    def visit_Return(self, node: cst.Return) -> None:
        self.leaves = self.leaves or (isinstance(node.value, cst.Name) and node.value.value == self.name)

    def visit_Global(self, node: cst.Global) -> None:
        self.leaves = self.leaves or any(item.name.value == self.name for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.leaves = self.leaves or any(item.name.value == self.name for item in node.names)
