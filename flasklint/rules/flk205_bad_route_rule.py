from __future__ import annotations

import re
from typing import Iterable, Iterator, TypedDict

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.lazy_regex import lazy_pattern
from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.facts import FileFacts
from flasklint.model.app_scope import ANY_APP
from flasklint.model.flask_receivers import is_route_call
from flasklint.model.index import ProjectIndex
from flasklint.model.module import CallInfo, ModuleModel
from flasklint.model.routing import DEFAULT_CONVERTERS, parse_rule
from flasklint.rule import Case, Finding, ProjectRule

# The keyword options of Werkzeug's converters (werkzeug/routing/converters.py) and the class named in
# the TypeError; `path` and `uuid` take BaseConverter's `**kwargs` and accept anything.
_OPTIONS = {
    "default": ("UnicodeConverter", {"minlength", "maxlength", "length"}),
    "string": ("UnicodeConverter", {"minlength", "maxlength", "length"}),
    "int": ("NumberConverter", {"fixed_digits", "min", "max", "signed"}),
    "float": ("FloatConverter", {"min", "max", "signed"}),
    "any": ("AnyConverter", set()),
}
_ALIASES = {"integer": "int", "str": "string", "number": "int"}
# Extensions that register their own converters (flask_pymongo: ObjectId, flask_hashids: hashid).
_CONVERTER_EXTENSIONS = frozenset({"flask_pymongo", "flask_hashids", "flask_uuid", "flask_mongoengine", "flask_regex"})
_keyword = lazy_pattern(r"(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_quoted = lazy_pattern(r"'[^']*'|\"[^\"]*\"")


_HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
_EXAMPLE = _HEADER + '@app.route("/users/<integer:user_id>")\ndef user(user_id):\n    return str(user_id)\n'


class Problem(TypedDict):
    """One defect of a literal rule; `converter` is set for an unknown converter (the index decides)."""

    span: tuple[int, int, int, int]
    message: str
    converter: str | None
    name_span: tuple[int, int, int, int] | None  # the converter's name inside the literal (for the fix)
    app: str | None  # for a rule without a leading slash: the receiver's ref (reported only when it is an app)


class RuleData(TypedDict):
    problems: list[Problem]
    opaque_converters: bool  # converters registered in a way the traversal does not record


class BadRouteRule(ProjectRule):
    """
    ## What it does
    Reports literal URL rules (`@x.route`, `.get`/`.post`/..., `add_url_rule`) that Werkzeug
    rejects when the route is registered: a converter that does not exist (`<integer:id>`), an
    option the converter does not take (`<int(foo=1):id>`), a variable used twice
    (`/a/<x>/<x>`), and, on an app, a rule not starting with `/`.

    Converters the project registers on `app.url_map.converters["name"]` (in any file) are
    known. The rule says nothing about unknown converter names when the project may register
    converters where it cannot read them: a computed key, `converters.update(...)`, a
    `BaseConverter` subclass, or an extension known to add converters (Flask-PyMongo's
    `ObjectId`, Flask-Hashids), and any other mention of `converters` in a file that registers
    them. A blueprint's rule without a leading `/` is fine when a `url_prefix` is joined in
    front of it, so only rules registered on an app the index knows are checked for the slash.
    Rules that are not literals (names, f-strings) and test files are not checked.

    ## Why is this bad?
    The app does not start: registering the route raises, at import for `@app.route`:

    - `LookupError: the converter 'integer' does not exist`;
    - `TypeError: NumberConverter.__init__() got an unexpected keyword argument 'foo'`;
    - `SyntaxError: duplicate argument 'x' in function definition (<werkzeug routing>, line 1)`;
    - `ValueError: URL rule 'x/<n>' must start with a slash.`

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/users/<integer:user_id>")
    def user(user_id):
        return str(user_id)
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/users/<int:user_id>")
    def user(user_id):
        return str(user_id)
    ```

    ## Fix safety
    For an unknown converter with a close built-in or project name, the fix renames it
    (`integer` → `int`). It is unsafe: the converter changes which URLs match and the type the
    view receives.
    """

    code = "FLK205"
    name = "bad-route-rule"
    summary = "URL rule Werkzeug rejects: unknown converter, bad option, repeated variable, missing slash"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    data_shape = RuleData
    invalid = [
        Case(
            _EXAMPLE,
            Finding(
                (6, 20, 6, 27),
                "the converter `integer` does not exist: registering the route raises "
                "`LookupError: the converter 'integer' does not exist`; did you mean `int`?",
                fix="unsafe",
            ),
            fixed={"app.py": _EXAMPLE.replace("integer", "int")},
        ),
        Case(
            _HEADER + "@app.route('/n/<int(foo=1):n>')\ndef number(n):\n    return str(n)\n",
            Finding(
                (6, 11, 6, 30),
                "`int` has no option `foo`: registering the route raises "
                "`TypeError: NumberConverter.__init__() got an unexpected keyword argument 'foo'`",
            ),
        ),
        Case(
            _HEADER + "app.add_url_rule('/a/<x>/<x>', 'a', lambda x: x)\n",
            Finding(
                (6, 17, 6, 29),
                "the variable `x` appears twice in `/a/<x>/<x>`: registering it raises `SyntaxError: duplicate "
                "argument 'x' in function definition (<werkzeug routing>, line 1)`; rename one",
            ),
        ),
        Case(
            _HEADER + "@app.get('about')\ndef about():\n    return 'about'\n",
            Finding(
                (6, 9, 6, 16),
                "the URL rule `about` does not start with `/`: registering it raises "
                "`ValueError: URL rule 'about' must start with a slash.`; write `/about`",
            ),
        ),
        # A project converter is known, and is offered as the closest name.
        Case(
            {
                "app.py": _HEADER + "from conv import Regex\n\napp.url_map.converters['regex'] = Regex\n",
                "views.py": "from flask import jsonify\n\nfrom app import app\n\n\n@app.route('/r/<regx(\"[a-z]+\"):w>')\n"
                "def word(w):\n    return jsonify(w)\n",
            },
            Finding(
                (6, 16, 6, 20),
                "the converter `regx` does not exist: registering the route raises "
                "`LookupError: the converter 'regx' does not exist`; did you mean `regex`?",
                path="views.py",
                fix="unsafe",
            ),
            fixed={
                "views.py": "from flask import jsonify\n\nfrom app import app\n\n\n@app.route('/r/<regex(\"[a-z]+\"):w>')\n"
                "def word(w):\n    return jsonify(w)\n",
            },
        ),
    ]
    valid = [
        _EXAMPLE.replace("integer", "int"),
        # Registered in another file: known project-wide.
        {
            "app.py": _HEADER + "from conv import Regex\n\napp.url_map.converters['regex'] = Regex\n",
            "views.py": "from flask import jsonify\n\nfrom app import app\n\n\n@app.route('/r/<regex(\"[a-z]+\"):w>')\n"
            "def word(w):\n    return jsonify(w)\n",
        },
        # Registered where the index cannot read the name: any converter may exist.
        _HEADER + "app.url_map.converters.update(CONVERTERS)\n\n\n@app.route('/o/<objectid:oid>')\n"
        "def thing(oid):\n    return str(oid)\n",
        # Flask-PyMongo registers `ObjectId`.
        "from flask import Flask\nfrom flask_pymongo import PyMongo\n\napp = Flask(__name__)\nmongo = PyMongo(app)\n\n\n"
        "@app.route('/o/<ObjectId:oid>')\ndef thing(oid):\n    return str(oid)\n",
        # A blueprint's url_prefix is joined in front: `/admin/users`.
        "from flask import Blueprint\n\nbp = Blueprint('admin', __name__, url_prefix='/admin')\n\n\n"
        "@bp.route('users')\ndef users():\n    return 'users'\n",
        # path and uuid take any option (BaseConverter's **kwargs); any takes positional words.
        _HEADER + "@app.route('/f/<path(x=1):p>/<any(a, b):kind>/<int(min=1, signed=True):n>')\n"
        "def files(p, kind, n):\n    return p\n",
        # A Flask-RESTX namespace's "" rule is joined to the namespace path; `cache.get("key")` is no route.
        "from flask import Flask\nfrom flask_restx import Namespace, Resource\n\nns = Namespace('items')\n"
        "cache = Cache()\nvalue = cache.get('key')\n\n\n@ns.route('')\nclass Items(Resource):\n"
        "    def get(self):\n        return []\n",
        # Test files are not reported.
        {"test_routes.py": _HEADER + "@app.route('/users/<integer:user_id>')\ndef user(user_id):\n    return ''\n"},
    ]

    def collect(self, model: ModuleModel) -> RuleData | None:
        if model.facts.is_test:
            return None
        routes = [call for call in model.calls if is_route_call(model, call.node, call.scope)]
        problems = [problem for call in routes for problem in _problems(model, call)]
        opaque = _opaque_converters(model)
        return {"problems": problems, "opaque_converters": opaque} if problems or opaque else None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        data: RuleData | None = self.data(facts)
        if not data or not data["problems"]:
            return
        known = DEFAULT_CONVERTERS | index.converters
        humble = self._converters_unknowable(index)
        for problem in data["problems"]:
            name = problem["converter"]
            if problem["app"] is not None and problem["app"] not in index.tables:
                continue  # a blueprint (its url_prefix is joined in front) or an object that is not an app
            if name is None:
                yield self.diagnostic(facts.path, problem["span"], problem["message"])
            elif name not in known and not humble:
                yield self._unknown(facts.path, problem, name, sorted(known))

    def _converters_unknowable(self, index: ProjectIndex) -> bool:
        """A converter the index cannot see may be registered (asked once per index)."""
        return index.derived((self.code, "converters unknowable"), lambda: self._find_converters_unknowable(index))

    def _find_converters_unknowable(self, index: ProjectIndex) -> bool:
        for facts in index.files.values():
            data = self.data(facts)
            if data and data["opaque_converters"]:
                return True
            if _CONVERTER_EXTENSIONS.intersection(facts.extensions):
                return True
            if any(base.endswith("BaseConverter") for bases in facts.classes.values() for base in bases):
                return True
        return False

    def _unknown(self, path: str, problem: Problem, name: str, known: list[str]) -> Diagnostic:
        import difflib

        guess = _ALIASES.get(name) or next(iter(difflib.get_close_matches(name, known, n=1)), None)
        hint = f"; did you mean `{guess}`?" if guess else f"; the converters are {', '.join(f'`{k}`' for k in known)}"
        message = (
            f"the converter `{name}` does not exist: registering the route raises "
            f"`LookupError: the converter '{name}' does not exist`{hint}"
        )
        fix = None
        where = problem["name_span"]
        if guess and where is not None:
            edit = Edit(Location(where[0], where[1]), Location(where[2], where[3]), guess)
            fix = Fix(f"Use the `{guess}` converter", (edit,), Applicability.UNSAFE)
        return self.diagnostic(path, where or problem["span"], message, fix=fix)


def _problems(model: ModuleModel, call: CallInfo) -> Iterator[Problem]:
    node = argument(call.node, 0, "rule")
    rule = literal_string(node)
    if node is None or rule is None:
        return
    span = model.span(node)
    assert isinstance(call.node.func, cst.Attribute)
    receiver = model.ref_of(call.node.func.value, call.scope)
    if not rule.startswith("/") and receiver is not None and receiver != ANY_APP:
        yield _problem(span, f"the URL rule `{rule}` does not start with `/`: registering it raises "
                       f"`ValueError: URL rule '{rule}' must start with a slash.`; write `/{rule}`", app=receiver)
    seen: set[str] = set()
    for variable in parse_rule(rule).variables:
        if variable.name in seen:
            yield _problem(span, f"the variable `{variable.name}` appears twice in `{rule}`: registering it raises "
                           f"`SyntaxError: duplicate argument '{variable.name}' in function definition "
                           "(<werkzeug routing>, line 1)`; rename one")
            seen.discard(variable.name)  # report each repetition once
            continue
        seen.add(variable.name)
        if variable.converter not in DEFAULT_CONVERTERS:
            name_span = _name_span(model, node, variable.converter)
            yield Problem(span=span, message="", converter=variable.converter, name_span=name_span, app=None)
        else:
            yield from _bad_options(span, variable.converter, variable.arguments)


def _bad_options(span: tuple[int, int, int, int], converter: str, arguments: str | None) -> Iterator[Problem]:
    if not arguments or converter not in _OPTIONS:
        return
    cls, options = _OPTIONS[converter]
    for keyword in _keyword().findall(_quoted().sub("''", arguments)):
        if keyword not in options:
            yield _problem(span, f"`{converter}` has no option `{keyword}`: registering the route raises "
                           f"`TypeError: {cls}.__init__() got an unexpected keyword argument '{keyword}'`")


def _problem(span: tuple[int, int, int, int], message: str, app: str | None = None) -> Problem:
    return Problem(span=span, message=message, converter=None, name_span=None, app=app)


def _name_span(model: ModuleModel, node: cst.BaseExpression, name: str) -> tuple[int, int, int, int] | None:
    """The converter's name inside a one-line literal, when the source spells it plainly once."""
    line, column, end_line, _ = model.span(node)
    code = model.code(node)
    found = [m.start() + 1 for m in re.finditer(rf"<{re.escape(name)}[(:]", code)]
    if end_line != line or len(found) != 1:
        return None
    return (line, column + found[0], line, column + found[0] + len(name))


def _opaque_converters(model: ModuleModel) -> bool:
    """`url_map.converters.update(...)`, a computed key, `Map(converters=...)`: names the index cannot read."""
    code = model.text  # what the tree was parsed from (libcst round-trips it exactly): no code generation
    if "converters" not in code:
        return False
    literal_keys = len(model.facts.converters)
    return code.count("converters") > literal_keys
