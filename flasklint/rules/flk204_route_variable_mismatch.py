from __future__ import annotations

from typing import Iterable, TypedDict

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.model.view_arguments import RouteInfo, ViewArguments
from flasklint.model.view_signatures import (
    PASS_THROUGH_DECORATORS,
    RouteCall,
    ViewSignature,
    pass_through_decorators,
    view_signatures,
)
from flasklint.records import dataclass
from flasklint.rule import Case, Finding, ProjectRule

_HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
_EXAMPLE = _HEADER + '@app.route("/users/<user_id>")\ndef user(uid):\n    return {"user": uid}\n'
_FIXED = _HEADER + '@app.route("/users/<user_id>")\ndef user(user_id):\n    return {"user": user_id}\n'
_LANG_BLUEPRINT = (
    "from flask import Blueprint, g\n\nbp = Blueprint('pages', __name__, url_prefix='/<lang>')\n\n\n"
    "@bp.url_value_preprocessor\ndef pull_lang(endpoint, values):\n    g.lang = values.pop('lang')\n\n\n"
)


class RuleData(TypedDict):
    views: list[ViewSignature]
    pass_through: list[str]  # this module's decorators that call the view with the arguments they get


class RouteVariableMismatch(ProjectRule):
    """
    ## What it does
    Reports a route whose variables do not fit the view it registers: a `<name>` in the rule (or a
    key of its `defaults=`) that the view has no parameter for, and a view parameter without a
    default that the rule does not supply. Each route stacked on a view is checked on its own,
    as Flask calls the view with that route's values; a blueprint's `url_prefix` variables
    (`url_prefix="/<lang>"`, on the blueprint or on `register_blueprint`) count as supplied.

    It stays silent where the values the view receives are not all visible: a view taking
    `**kwargs`, `*args` or positional-only parameters, a method or class-based view (`as_view`,
    `MethodView`), a route with `subdomain=`, `host=`, `redirect_to=`, `**options` or a
    computed `defaults=`, a view `add_url_rule` registers unless it is an undecorated `def` of
    the same module (an imported function, `as_view`, a lambda), and a view with another
    decorator between the route and the `def` (it may inject or consume arguments, with
    `functools.wraps` or not). Decorators known to call the view with exactly the arguments
    they get are seen through: Flask-Login's `login_required` and `fresh_login_required`, and
    the project's own `def deco(f)` returning a nested `def wrapper(*args, **kwargs)` that
    uses `f`, `args` and `kwargs` only in `return f(*args, **kwargs)` (or
    `current_app.ensure_sync(f)(*args, **kwargs)`), in any module (or `def wrapped_view(**kwargs)`
    with `return view(**kwargs)`, as in Flask's tutorial: Flask passes route values as keywords); a decorator factory
    (`@role_required("admin")`) is not. A variable the view does not accept is not
    reported when a `url_value_preprocessor` of its app or blueprint (or one the index cannot
    place) exists: it may pop the value (and then no missing parameter is reported either: it
    may add one). A preprocessor registered out of sight (by an extension, or written into
    `app.url_value_preprocessors` directly) is not seen: a view relying on one is reported. A
    missing parameter is reported only when every full rule of the route is known: not for a
    blueprint whose prefix is computed, registered where the index cannot see, or given
    `url_defaults=`. A rule Werkzeug rejects (a repeated variable, an unknown converter such as
    a swapped `<id:int>`: FLK205's finding) or one using a converter the project registers is
    not checked either. Test files are not checked.

    ## Why is this bad?
    Flask calls the view as `view(**request.view_args)`, so every request to the route fails with
    a 500 Internal Server Error:

    - `TypeError: user() got an unexpected keyword argument 'user_id'` for a variable the view
      does not accept;
    - `TypeError: user() missing 1 required positional argument: 'uid'` (or `required
      keyword-only argument`) for a parameter the rule does not supply.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/users/<user_id>")
    def user(uid):
        return {"user": uid}
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)


    @app.route("/users/<user_id>")
    def user(user_id):
        return {"user": user_id}
    ```

    ## Fix safety
    When one variable and one parameter disagree, the fix renames the parameter (and every
    reference to it in the view) to the variable's name, provided the new name is not used in the
    view and every other route of the view still fits. It is unsafe: code calling the view
    directly with the old keyword breaks.
    """

    code = "FLK204"
    name = "route-variable-mismatch"
    summary = "Route variables and view parameters disagree (TypeError at request time)"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    data_shape = RuleData
    invalid = [
        Case(
            _EXAMPLE,
            Finding(
                (6, 11, 6, 29),
                "the route `/users/<user_id>` passes `user_id`, which `user()` does not accept, and not `uid`, "
                "which it requires: a request raises `TypeError: user() got an unexpected keyword argument "
                "'user_id'`; rename the parameter `uid` to `user_id`",
                fix="unsafe",
            ),
            fixed={"app.py": _FIXED},
        ),
        Case(
            _HEADER + "@app.route('/report')\ndef report(year, month):\n    return f'{year}-{month}'\n",
            Finding(
                (6, 11, 6, 20),
                "the route `/report` does not pass `year` and `month`, which `report()` requires: a request "
                "raises `TypeError: report() missing 2 required positional arguments: 'year' and 'month'`",
            ),
        ),
        # Stacked routes are checked one by one: `/posts` does not pass `page`.
        Case(
            _HEADER + "@app.route('/posts')\n@app.route('/posts/<int:page>')\ndef posts(page):\n    return str(page)\n",
            Finding(
                (6, 11, 6, 19),
                "the route `/posts` does not pass `page`, which `posts()` requires: a request raises "
                "`TypeError: posts() missing 1 required positional argument: 'page'`",
            ),
        ),
        # `defaults=` values reach the view too.
        Case(
            _HEADER + "@app.route('/feed', defaults={'page': 1})\ndef feed():\n    return 'feed'\n",
            Finding(
                (6, 11, 6, 18),
                "the route `/feed` passes `page`, which `feed()` does not accept: a request raises "
                "`TypeError: feed() got an unexpected keyword argument 'page'`",
            ),
        ),
    ]
    valid = [
        _FIXED,
        # A default for the parameter, or `defaults=` on a second rule.
        _HEADER + "@app.route('/posts/', defaults={'page': 1})\n@app.route('/posts/<int:page>')\n"
        "def posts(page):\n    return str(page)\n",
        _HEADER + "@app.route('/search')\ndef search(page=1):\n    return str(page)\n",
        # **kwargs takes anything.
        _HEADER + "@app.route('/u/<user_id>')\ndef user(**kwargs):\n    return str(kwargs)\n",
        # A url_value_preprocessor pops `lang` (and may pop any value of its blueprint).
        _LANG_BLUEPRINT + "@bp.route('/about/<section>')\ndef about():\n    return g.lang\n",
        # The blueprint's url_prefix supplies `lang`.
        "from flask import Blueprint\n\nbp = Blueprint('pages', __name__, url_prefix='/<lang>')\n\n\n"
        "@bp.route('/about')\ndef about(lang):\n    return lang\n",
        # A decorator between the route and the def may inject the argument.
        _HEADER + "from auth import with_user\n\n\n@app.route('/me')\n@with_user\ndef me(user):\n"
        "    return user.name\n",
        # Class-based views are not checked.
        _HEADER + "class Item(MethodView):\n    def get(self, item_id):\n        return item_id\n\n\n"
        "app.add_url_rule('/items', view_func=Item.as_view('item'))\n",
        # Test files are not checked.
        {"test_app.py": _EXAMPLE},
    ]

    def collect(self, model: ModuleModel) -> RuleData | None:
        if model.facts.is_test:
            return None
        pass_through = pass_through_decorators(model)
        views = view_signatures(model, pass_through) if model.facts.routes else []
        return RuleData(views=views, pass_through=pass_through) if views or pass_through else None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        data: RuleData | None = self.data(facts)
        if facts.is_test or not data or not data["views"]:
            return
        context = self._context(index)
        for view in data["views"]:
            if not all(self._passes_through(context, ref) for ref in view["decorators"]):
                continue
            for route in view["routes"]:
                found = _mismatch(view, route, context.route(facts.path, route["span"], route["variables"]))
                if found is not None and (found.unexpected or found.missing):
                    yield self._report(facts.path, view, route, found, context)

    def _passes_through(self, context: ViewArguments, ref: str, depth: int = 0) -> bool:
        """Is an imported decorator one of the project's pass-through decorators (following re-exports)?"""
        module, _, name = ref.rpartition(".")
        candidates = context.modules.get(module, [])
        if len(candidates) != 1 or depth > 8:
            return False  # not the project's, or a module name several files share
        facts = candidates[0]
        data: RuleData | None = self.data(facts)
        if data and name in data["pass_through"]:
            return True
        target = facts.imports.get(name)
        if target is None:
            return False
        return target in PASS_THROUGH_DECORATORS or self._passes_through(context, target, depth + 1)

    def _context(self, index: ProjectIndex) -> ViewArguments:
        """What the index says about every route of the project, computed once per index."""
        return index.derived((self.code, "context"), lambda: ViewArguments.of(index))

    def _report(
        self, path: str, view: ViewSignature, route: RouteCall, found: _Found, context: ViewArguments
    ) -> Diagnostic:
        """One route's mismatch, with Python's own TypeError text and, when sound, the rename."""
        name = view["name"]
        passes = f"passes {_names(found.unexpected)}, which `{name}()` does not accept" if found.unexpected else ""
        if found.missing and passes:
            lacks = f", and not {_names(found.missing)}, which it requires"
        elif found.missing:
            lacks = f"does not pass {_names(found.missing)}, which `{name}()` requires"
        else:
            lacks = ""
        fix = _rename(path, view, found, context)
        advice = f"; rename the parameter `{found.missing[0]}` to `{found.unexpected[0]}`" if fix else ""
        message = (
            f"the route `{route['rule']}` {passes}{lacks}: a request raises `TypeError: {_error(view, found)}`{advice}"
        )
        return self.diagnostic(path, route["rule_span"], message, fix=fix)



@dataclass(frozen=True)
class _Found:
    unexpected: list[str]  # in the order Flask passes them (the TypeError names the first)
    missing: list[str]  # positional-or-keyword first, then keyword-only
    missing_positional: int


def _mismatch(view: ViewSignature, route: RouteCall, info: RouteInfo) -> _Found | None:
    """What one route passes that the view lacks, and what it lacks that the view requires; None when the
    prefix passes a value the view does not accept (something the index cannot see must pop it)."""
    accepted = set(view["accepted"])
    if info.prefix_variables - accepted:
        return None
    if info.preprocessed:
        return _Found([], [], 0)
    passed = list(dict.fromkeys(route["variables"] + route["defaults"]))
    unexpected = [name for name in passed if name not in accepted]
    if not info.prefix_known:
        return _Found(unexpected, [], 0)
    supplied = set(passed) | info.prefix_variables
    positional = [name for name in view["required"] if name not in supplied]
    keyword_only = [name for name in view["required_keyword_only"] if name not in supplied]
    return _Found(unexpected, positional + keyword_only, len(positional))


def _rename(path: str, view: ViewSignature, found: _Found, context: ViewArguments) -> Fix | None:
    """The prepared rename of the one missing parameter to the one unexpected variable, when every route
    of the view then fits."""
    if len(found.unexpected) != 1 or len(found.missing) != 1:
        return None
    param, to = found.missing[0], found.unexpected[0]
    rename = next((r for r in view["renames"] if (r["param"], r["to"]) == (param, to)), None)
    if rename is None:
        return None
    renamed = _renamed(view, param, to)
    for other in view["routes"]:
        after = _mismatch(renamed, other, context.route(path, other["span"], other["variables"]))
        if after is None or after.unexpected or after.missing:
            return None
    edits = tuple(Edit(Location(s[0], s[1]), Location(s[2], s[3]), to) for s in rename["spans"])
    return Fix(f"Rename the parameter `{param}` to `{to}`", edits, Applicability.UNSAFE)


def _renamed(view: ViewSignature, param: str, to: str) -> ViewSignature:
    def swap(names: list[str]) -> list[str]:
        return [to if name == param else name for name in names]

    return ViewSignature(
        name=view["name"],
        accepted=swap(view["accepted"]),
        required=swap(view["required"]),
        required_keyword_only=swap(view["required_keyword_only"]),
        routes=view["routes"],
        renames=[],
    )


def _error(view: ViewSignature, found: _Found) -> str:
    """Python's own TypeError text for the call Flask makes (an unexpected keyword is checked first)."""
    name = view["name"]
    if found.unexpected:
        return f"{name}() got an unexpected keyword argument '{found.unexpected[0]}'"
    if found.missing_positional:
        missing = found.missing[: found.missing_positional]
        kind = "positional"
    else:
        missing = found.missing
        kind = "keyword-only"
    plural = "s" if len(missing) > 1 else ""
    return f"{name}() missing {len(missing)} required {kind} argument{plural}: {_quoted(missing)}"


def _quoted(names: list[str]) -> str:
    """CPython's list: 'a'; 'a' and 'b'; 'a', 'b', and 'c'."""
    quoted = [f"'{name}'" for name in names]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _names(names: list[str]) -> str:
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
