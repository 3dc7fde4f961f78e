from __future__ import annotations

from typing import Iterable, Iterator, TypedDict

import libcst as cst

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.app_scope import ANY_APP, AppTable, Endpoint
from flasklint.model.cst_helpers import argument
from flasklint.model.decorators import wrapping
from flasklint.model.facts import FileFacts, Span
from flasklint.model.index import ProjectIndex
from flasklint.model.module import FunctionInfo, ModuleModel
from flasklint.rule import Case, Finding, ProjectRule

FLASK_ERROR = "AssertionError: View function mapping is overwriting an existing endpoint function: "
# Statements whose bodies may run or not: registrations inside them may be alternatives (if/else).


class RouteNote(TypedDict):
    """What the index does not record about one registration (keyed by its span)."""

    span: Span
    wrapper: str | None  # the name Flask sees: a local decorator's wrapper without functools.wraps
    decorator: str | None  # that decorator, as written
    conditional: bool  # inside an if/try/loop: it may be an alternative to another registration
    definition: Span | None  # the `def` a route decorator registers (two `def index` are two functions)


# (endpoint name, the first registration, the colliding one, what collect read about it)
Collision = tuple[str, Endpoint, Endpoint, RouteNote | None]

_HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
_EXAMPLE = (
    _HEADER + '@app.route("/")\ndef index():\n    return "home"\n\n\n'
    '@app.route("/admin", endpoint="index")\ndef admin():\n    return "admin"\n'
)
_WRAPPED = (
    "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef logged(view):\n    def wrapper(*args, **kwargs):\n"
    "        return view(*args, **kwargs)\n\n    return wrapper\n\n\n"
    '@app.route("/a")\n@logged\ndef a():\n    return "a"\n\n\n@app.route("/b")\n@logged\ndef b():\n    return "b"\n'
)


class DuplicateEndpoint(ProjectRule):
    """
    ## What it does
    Reports a route registering a view function under an endpoint name another view function
    already has on the same app: two `endpoint=` values alike, a view named like another one's
    endpoint, or two views wrapped by a decorator of the module that returns its inner function
    without `functools.wraps` (both are named `wrapper` for Flask). Endpoints of different
    blueprints (`auth.index`, `admin.index`) and of different apps do not collide.

    The same function registered under several rules is fine, and so is a registration whose view
    the index does not know (a lambda, `as_view`, a computed endpoint), one made on an object it
    cannot attribute to an app (a function's parameter), one inside an `if`, `try` or loop (it may
    be an alternative to the other one), and everything in test files.

    ## Why is this bad?
    The app does not start: the second registration raises, at import,
    `AssertionError: View function mapping is overwriting an existing endpoint function: index`.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/")
    def index():
        return "home"


    @app.route("/admin", endpoint="index")
    def admin():
        return "admin"
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/")
    def index():
        return "home"


    @app.route("/admin", endpoint="admin")
    def admin():
        return "admin"
    ```

    ## Fix safety
    There is no fix: which endpoint name `url_for` callers mean is the author's choice.
    """

    code = "FLK206"
    name = "duplicate-endpoint"
    summary = "Two view functions registered under one endpoint of the same app"
    severity = Severity.ERROR
    data_shape = list[RouteNote]
    invalid = [
        Case(
            _EXAMPLE,
            Finding(
                (11, 1, 11, 38),
                "the endpoint `index` already belongs to `index` (app.py:6): registering `admin` under it raises "
                f"`{FLASK_ERROR}index` at import; give it its own `endpoint=`",
            ),
        ),
        Case(
            _WRAPPED,
            Finding(
                (19, 1, 19, 16),
                "the endpoint `wrapper` already belongs to `a` (app.py:13): registering `b` under it raises "
                f"`{FLASK_ERROR}wrapper` at import (`logged` returns `wrapper` without `functools.wraps`); "
                "give it its own `endpoint=`",
            ),
        ),
    ]
    valid = [
        _EXAMPLE.replace('endpoint="index"', 'endpoint="admin"'),
        # The same function under two rules.
        _HEADER + '@app.route("/")\n@app.route("/home")\ndef index():\n    return "home"\n',
        # Alternatives: only one branch runs.
        _HEADER + "if FEATURE:\n\n    @app.route('/')\n    def index():\n        return 'new'\n\nelse:\n\n"
        "    @app.route('/')\n    def index():\n        return 'old'\n",
        # Different blueprints: `a.index` and `b.index`.
        "from flask import Blueprint\n\na = Blueprint('a', __name__)\nb = Blueprint('b', __name__)\n\n\n"
        "@a.route('/')\ndef index():\n    return 'a'\n\n\n"
        "@b.route('/', endpoint='index')\ndef home():\n    return 'b'\n",
        # Different apps.
        {
            "one.py": _HEADER + "@app.route('/')\ndef index():\n    return 'one'\n",
            "two.py": _HEADER + "@app.route('/')\ndef index():\n    return 'two'\n",
        },
        # A wrapper keeping the name with functools.wraps.
        _WRAPPED.replace("def logged(view):\n", "def logged(view):\n    @wraps(view)\n").replace(
            "from flask import Flask\n", "from functools import wraps\n\nfrom flask import Flask\n"
        ),
        # Test files are not reported.
        {"test_app.py": _EXAMPLE},
    ]

    def collect(self, model: ModuleModel) -> list[RouteNote] | None:
        if model.facts.is_test or not model.facts.routes:
            return None
        conditional = _conditional_lines(model)
        notes = {
            route.span: RouteNote(span=route.span, wrapper=None, decorator=None, conditional=True, definition=None)
            for route in model.facts.routes
            if any(start <= route.span[0] <= end for start, end in conditional)
        }
        for function in model.functions:
            for route in function.routes:
                blank = RouteNote(span=route.span, wrapper=None, decorator=None, conditional=False, definition=None)
                note = notes.setdefault(route.span, blank)
                note["definition"] = model.span(function.node.name)
                found = _registered_wrapper(model, function, route.span)
                if found is not None:
                    note["decorator"], note["wrapper"] = found
        return list(notes.values()) or None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.is_test or not facts.routes:
            return ()
        return [self._report(*collision) for collision in self._collisions(index).get(facts.path, ())]

    def _collisions(self, index: ProjectIndex) -> dict[str, list[Collision]]:
        """Every collision of the project by the file of its later registration, computed once per index."""
        return index.derived((self.code, "collisions"), lambda: self._find_collisions(index))

    def _find_collisions(self, index: ProjectIndex) -> dict[str, list[Collision]]:
        found: dict[str, list[Collision]] = {}
        for table in index.tables.values():
            if table.key != ANY_APP and not table.is_test:
                for collision in self._table_collisions(index, table):
                    found.setdefault(collision[2].path, []).append(collision)
        return found

    def _table_collisions(self, index: ProjectIndex, table: AppTable) -> Iterator[Collision]:
        notes = {
            (path, tuple(note["span"])): note
            for path in {e.path for endpoints in table.endpoints.values() for e in endpoints}
            if path in index.files
            for note in self.data(index.files[path]) or ()
        }
        by_name: dict[str, list[tuple[Endpoint, RouteNote | None]]] = {}
        for endpoint in (e for endpoints in table.endpoints.values() for e in endpoints):
            note = notes.get((endpoint.path, endpoint.span))
            if endpoint.view is None or endpoint.in_test or (note and note["conditional"]):
                continue
            wrapper = note["wrapper"] if note else None
            name = endpoint.name if not wrapper else ".".join(filter(None, [endpoint.blueprint, wrapper]))
            by_name.setdefault(name, []).append((endpoint, note))
        for name, registered in by_name.items():
            first, first_note = registered[0]
            for endpoint, note in registered[1:]:
                if not _same_function(first, first_note, endpoint, note):
                    yield (name, first, endpoint, note)

    def _report(self, name: str, first: Endpoint, endpoint: Endpoint, note: RouteNote | None) -> Diagnostic:
        why = ""
        if note and note["wrapper"]:
            wrapper, decorator = note["wrapper"], note["decorator"]
            why = f" (`{decorator}` returns `{wrapper}` without `functools.wraps`)"
        message = (
            f"the endpoint `{name}` already belongs to `{first.view}` ({first.path}:{first.span[0]}): registering "
            f"`{endpoint.view}` under it raises `{FLASK_ERROR}{name}` at import{why}; give it its own `endpoint=`"
        )
        return self.diagnostic(endpoint.path, endpoint.span, message)


def _same_function(a: Endpoint, a_note: RouteNote | None, b: Endpoint, b_note: RouteNote | None) -> bool:
    """One function registered twice (allowed): the same name in the same module, unless both are
    decorated `def`s at different places (a redefinition is a new function object)."""
    if (a.path, a.view) != (b.path, b.view):
        return False
    a_def = a_note["definition"] if a_note else None
    b_def = b_note["definition"] if b_note else None
    return a_def is None or b_def is None or tuple(a_def) == tuple(b_def)


def _conditional_lines(model: ModuleModel) -> list[tuple[int, int]]:
    """The rows of every if/try/loop/match statement: registrations there may be alternatives.

    Statements nest only in the indented blocks of compound statements (an expression holds none),
    so only the statements of those blocks are visited (~100x cheaper than libcst's visitor over every
    node, measured on the files of 7 real apps)."""
    rows: list[tuple[int, int]] = []
    conditional = _conditional()
    pending: list[cst.CSTNode] = list(model.tree.body)
    while pending:
        statement = pending.pop()
        # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
        if type(statement) in conditional:
            span = model.span(statement)
            rows.append((span[0], span[2]))
        elif type(statement) in (cst.FunctionDef, cst.ClassDef, cst.With) and type(statement.body) is cst.IndentedBlock:
            pending.extend(statement.body.body)
    return rows


def _registered_wrapper(model: ModuleModel, function: FunctionInfo, route: Span) -> tuple[str, str] | None:
    """(decorator, wrapper name) when the function a route decorator registers is a local decorator's
    inner function without `functools.wraps`; None when it keeps the view's name or the model cannot tell."""
    decorators = [d.decorator for d in function.node.decorators]
    spans = [model.span(d) for d in decorators]
    registering = decorators[spans.index(route)] if route in spans else None
    if not isinstance(registering, cst.Call) or argument(registering, None, "endpoint") is not None:
        return None
    for decorator in decorators[spans.index(route) + 1 :]:
        wraps = wrapping(model, decorator, function.scope.parent or model.module_scope)
        if wraps is None or wraps.keeps_name is None:
            return None
        if wraps.keeps_name is False:
            name = _inner_name(model, decorator)
            return (model.code(decorator).strip(), name) if name else None
    return None


def _inner_name(model: ModuleModel, decorator: cst.BaseExpression) -> str | None:
    """The name of the function a module-level decorator `def deco(f): def wrapper...; return wrapper` returns."""
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    if not isinstance(target, cst.Name):
        return None
    outer = next((f for f in model.functions if f.qualname == target.value), None)
    node = outer.node if outer is not None else None
    for _ in range(2 if isinstance(decorator, cst.Call) else 1):
        node = _returned(node) if node is not None else None
    return node.name.value if node is not None else None


def _returned(function: cst.FunctionDef) -> cst.FunctionDef | None:
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    nested = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
    returned = [
        small.value.value
        for statement in body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, cst.Return) and isinstance(small.value, cst.Name)
    ]
    return next((nested[name] for name in returned if name in nested), None)


def _conditional() -> tuple[type, ...]:
    """Statements whose body may not run (a function: naming libcst's classes at import time would load
    libcst on a warm run, which parses nothing)."""
    return (cst.If, cst.Try, cst.TryStar, cst.For, cst.While, cst.Match)
