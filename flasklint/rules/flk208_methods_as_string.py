from __future__ import annotations

import re
from typing import Iterable, Iterator

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.edits import replace_node
from flasklint.model.cst_helpers import literal_string, string_list
from flasklint.model.flask_receivers import is_route_call
from flasklint.model.module import ROUTE_DECORATORS, CallInfo, ModuleModel
from flasklint.rule import Case, FileRule, Finding

STRING_ERROR = (
    "`TypeError: Allowed methods must be a list of strings, for example: @app.route(..., methods=[\"POST\"])`"
)
METHOD_ERROR = "`TypeError: Rule.__init__() got an unexpected keyword argument 'method'`"
SHORTCUT_ERROR = "`TypeError: Use the 'route' decorator to use the 'methods' argument.`"


class MethodsAsString(FileRule):
    """
    ## What it does
    Reports the spellings of a route's HTTP methods that Flask rejects when it registers the route:
    `methods="POST"`, `methods=("POST")` (a string in parentheses, not a tuple), the singular
    `method=`, and `methods=` on the shortcut decorators `@app.get`, `.post`, `.put`, `.patch` and
    `.delete`, on `route(...)`, the shortcuts and `add_url_rule(...)` of a Flask app or blueprint.
    Lists, tuples and sets of strings are fine (`["post"]` too: Flask upper-cases it), and so is
    a name whose value the rule cannot see. Modules importing another web framework (Bottle's
    `route` does take `method=`) are skipped, and so are test files (they use these spellings
    inside `pytest.raises(TypeError)` on purpose).

    ## Why is this bad?
    The app does not start. When the route is registered (at import for `@app.route`, at
    `register_blueprint` for a blueprint) Flask raises:

    - `methods="POST"`, `methods=("POST")`: `TypeError: Allowed methods must be a list of strings,
      for example: @app.route(..., methods=["POST"])`;
    - `method="POST"`: Werkzeug's `Rule` has no such option:
      `TypeError: Rule.__init__() got an unexpected keyword argument 'method'`;
    - `@app.get("/a", methods=["POST"])`: `TypeError: Use the 'route' decorator to use the 'methods'
      argument.`

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/login", methods="POST")
    def login():
        return "ok"
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/login", methods=["POST"])
    def login():
        return "ok"
    ```

    ## Fix safety
    The fixes are safe: the code they replace raises before any request is served, and each writes
    what Flask's own message asks for. A string becomes a list of the methods it names
    (`methods=["POST"]`; `"GET POST"` and `"GET, POST"` become `["GET", "POST"]`; a string holding
    anything else than method names has no fix);
    `method=` becomes `methods=` (its string in a list), except on a shortcut decorator; and a
    shortcut decorator given `methods=` becomes `route`, keeping the methods as written (`@app.get`
    with `methods=["POST"]` then serves POST only, as its `methods` says). `method=` given a
    value the rule cannot read has no fix.
    """

    code = "FLK208"
    name = "methods-as-string"
    summary = "Route methods given as a string, as `method=`, or on `@app.get`-like decorators"
    severity = Severity.ERROR  # the app fails at import: Flask raises TypeError registering the route
    fix_availability = "sometimes"
    invalid = [
        Case(
            'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/login", methods="POST")\n'
            'def login():\n    return "ok"\n',
            Finding(
                (6, 21, 6, 35),
                f'`methods="POST"` is a string, not a list: registering the route raises {STRING_ERROR}; '
                'write `methods=["POST"]`',
                fix="safe",
            ),
            fixed={
                "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/login", '
                'methods=["POST"])\ndef login():\n    return "ok"\n'
            },
        ),
        Case(
            "from flask import Blueprint\n\nbp = Blueprint('auth', __name__)\n\n\n"
            "@bp.route('/logout', methods=('POST'))\ndef logout():\n    return 'bye'\n",
            Finding(
                (6, 21, 6, 37),
                "`methods=('POST')` is a string in parentheses, not a tuple (a one-element tuple needs a "
                f"comma): registering the route raises {STRING_ERROR}; write `methods=['POST']`",
                fix="safe",
            ),
            fixed={
                "app.py": "from flask import Blueprint\n\nbp = Blueprint('auth', __name__)\n\n\n"
                "@bp.route('/logout', methods=['POST'])\ndef logout():\n    return 'bye'\n"
            },
        ),
        Case(
            'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/save", method="POST")\n'
            'def save():\n    return "ok"\n',
            Finding(
                (6, 20, 6, 33),
                "`method=` is not a route option (Werkzeug's `Rule` takes `methods`): registering the "
                f'route raises {METHOD_ERROR}; write `methods=["POST"]`',
                fix="safe",
            ),
            fixed={
                "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/save", '
                'methods=["POST"])\ndef save():\n    return "ok"\n'
            },
        ),
        Case(
            'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/item", methods=["GET", "POST"])\n'
            'def item():\n    return "ok"\n',
            Finding(
                (6, 5, 6, 8),
                f"`app.get` does not take `methods=`: registering the route raises {SHORTCUT_ERROR}; use "
                "`app.route` with the methods",
                fix="safe",
            ),
            fixed={
                "app.py": 'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/item", '
                'methods=["GET", "POST"])\ndef item():\n    return "ok"\n'
            },
        ),
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef ping():\n    return 'pong'\n\n\n"
            "app.add_url_rule('/ping', 'ping', ping, method=METHODS)\n",
            Finding(
                (10, 40, 10, 54),
                "`method=` is not a route option (Werkzeug's `Rule` takes `methods`): registering the "
                f"route raises {METHOD_ERROR}; write `methods=[...]`",
            ),
        ),
    ]
    valid = [
        'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route("/login", methods=["POST"])\n'
        'def login():\n    return "ok"\n',
        # tuples, sets and lower-case names are accepted by Flask
        "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.route('/a', methods=('GET', 'POST'))\n"
        "def a():\n    return 'a'\n\n\n@app.route('/b', methods={'post'})\ndef b():\n    return 'b'\n",
        # Bottle's route does take `method=`
        "from bottle import route\nfrom flask import Flask\n\n\n@app.route('/x', method='POST')\n"
        "def x():\n    return 'x'\n",
        # requests.get is not a route
        "import requests\nfrom flask import Flask\n\nrequests.get('/x', method='POST')\n",
        # a name: its value is not seen
        "from flask import Flask\n\napp = Flask(__name__)\nMETHODS = ['GET']\n\n\n"
        "@app.route('/m', methods=METHODS)\ndef m():\n    return 'm'\n",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        if model.facts.is_test:
            return  # tests call these spellings on purpose, inside `pytest.raises(TypeError)`
        for call in model.calls:
            if is_route_call(model, call.node, call.scope):
                yield from self._check_call(model, call)

    def _check_call(self, model: ModuleModel, call: CallInfo) -> Iterator[Diagnostic]:
        assert isinstance(call.node.func, cst.Attribute)
        shortcut = call.node.func.attr.value in ROUTE_DECORATORS - {"route"}
        for arg in call.node.args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == "methods" and literal_string(arg.value) is not None:
                yield self._string_methods(model, arg)
            elif keyword == "method":
                yield self._singular_method(model, arg, fixable=not shortcut and not _has_methods(call.node))
        if shortcut and _has_methods(call.node):
            yield self._shortcut_with_methods(model, call.node)

    def _string_methods(self, model: ModuleModel, arg: cst.Arg) -> Diagnostic:
        if arg.value.lpar:
            what = "a string in parentheses, not a tuple (a one-element tuple needs a comma)"
        else:
            what = "a string, not a list"
        value = _string_as_list(arg.value)
        message = (
            f"`methods={model.code(arg.value).strip()}` is {what}: registering the route raises "
            f"{STRING_ERROR}; write `methods={value or '[...]'}`"
        )
        fix = None
        if value is not None:
            fix = Fix(f"Write `methods={value}`", [_replace_arg(model, arg, value)], Applicability.SAFE)
        return self.diagnostic(model.path, _arg_span(model, arg), message, fix=fix)

    def _singular_method(self, model: ModuleModel, arg: cst.Arg, fixable: bool) -> Diagnostic:
        value = _methods_list(arg.value)
        shown = value if value is not None else "[...]"
        message = (
            "`method=` is not a route option (Werkzeug's `Rule` takes `methods`): registering the route raises "
            f"{METHOD_ERROR}; write `methods={shown}`"
        )
        fix = None
        if fixable and value is not None:
            fix = Fix(f"Write `methods={value}`", [_replace_arg(model, arg, value)], Applicability.SAFE)
        return self.diagnostic(model.path, _arg_span(model, arg), message, fix=fix)

    def _shortcut_with_methods(self, model: ModuleModel, call: cst.Call) -> Diagnostic:
        assert isinstance(call.func, cst.Attribute)
        owner = model.code(call.func.value).strip()
        message = (
            f"`{owner}.{call.func.attr.value}` does not take `methods=`: registering the route raises "
            f"{SHORTCUT_ERROR}; use `{owner}.route` with the methods"
        )
        fix = Fix(f"Use `{owner}.route`", [replace_node(model, call.func.attr, "route")], Applicability.SAFE)
        return self.diagnostic(model.path, model.span(call.func.attr), message, fix=fix)


def _has_methods(call: cst.Call) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == "methods" for arg in call.args)


def _bare_code(node: cst.BaseExpression) -> str:
    """The expression's text without its own parentheses (`("POST")` -> `"POST"`)."""
    return cst.Module([]).code_for_node(node.with_changes(lpar=[], rpar=[]))


def _string_as_list(node: cst.BaseExpression) -> str | None:
    """A string's methods as a list: `"POST"` -> `["POST"]`, `"GET POST"` / `"GET, POST"` -> `["GET", "POST"]`;
    None when the string holds anything but method names (no guess at what was meant)."""
    value = literal_string(node)
    words = re.split(r"[\s,]+", value.strip()) if value is not None else []
    if not words or not all(re.fullmatch(r"[A-Za-z]+", word) for word in words):
        return None
    if words == [value]:
        return f"[{_bare_code(node)}]"
    quote = node.quote[0] if isinstance(node, cst.SimpleString) else '"'
    return "[" + ", ".join(f"{quote}{word}{quote}" for word in words) + "]"


def _methods_list(node: cst.BaseExpression) -> str | None:
    """What `method=<node>` means as a `methods=` value: its string's methods in a list, a literal list as written."""
    if literal_string(node) is not None:
        return _string_as_list(node)
    if string_list(node) is not None:
        return cst.Module([]).code_for_node(node)
    return None


def _arg_span(model: ModuleModel, arg: cst.Arg) -> tuple[int, int, int, int]:
    """From the keyword to the end of the value, its closing parentheses included."""
    assert arg.keyword is not None
    line, column, _, _ = model.span(arg.keyword)
    _, _, end_line, end_column = model.span(arg.value)
    return line, column, end_line, end_column + sum(len(cst.Module([]).code_for_node(p)) for p in arg.value.rpar)


def _replace_arg(model: ModuleModel, arg: cst.Arg, value: str) -> Edit:
    line, column, end_line, end_column = _arg_span(model, arg)
    return Edit(Location(line, column), Location(end_line, end_column), f"methods={value}")
