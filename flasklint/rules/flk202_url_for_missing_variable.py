from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.app_scope import AppView
from flasklint.model.cst_helpers import literal_string
from flasklint.model.facts import FileFacts, UrlForCall
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.model.url_variables import missing_variables
from flasklint.rule import Case, Finding, ProjectRule

# Registrars whose `defaults=` (or `**options`) may hold rule defaults the index does not read.
_ROUTE_REGISTRARS = frozenset({"route", "add_url_rule", "get", "post", "put", "patch", "delete"})
_OPTION_FORWARDERS = frozenset({"route", "add_url_rule"})
# Hooks that let url_for return a URL where Werkzeug could not build one.
_BUILD_ERROR_HOOKS = ("url_build_error_handlers", "handle_url_build_error")

_USER = "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n@app.route('/user/<name>')\ndef user(name):\n    return name\n\n"
_SHOP = "from flask import Blueprint, url_for\n\nbp = Blueprint('shop', __name__)\n\n@bp.route('/')\ndef index():\n    return url_for('.index')\n"
_SHOP_ON = "from flask import Flask\nfrom shop import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp, url_prefix='{prefix}')\n"
_EXAMPLE = '''from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/user/<name>")
def user(name):
    return f"Hello {name}"

@app.route("/me")
def me():
    return redirect(url_for("user"))
'''


class UrlForMissingVariable(ProjectRule):
    """
    ## What it does
    Reports `url_for("endpoint", ...)`, in Python code or in a Jinja template, when the call passes
    no value for a variable of the endpoint's rule, and names the variables and the rule. Werkzeug
    tries every rule registered for the endpoint, so the call is reported only when no rule can be
    built: a second rule without the variable, or a `defaults=` supplying it, makes the call valid.
    Keywords that are no variable of the rule are fine (they become the query string), and
    `_external`, `_anchor`, `_method` and `_scheme` are never variables. Blueprint `url_prefix`
    variables (`/<lang>/...`) are required like the rule's own. Relative endpoints (`".view"`) are
    resolved as FLK201 resolves them; a call that may run in several apps is reported only when no
    app can build it.

    The rule stays silent where something else may supply the values or the URL: a `url_defaults`
    or `app_url_defaults` callback in the app (the `url_value_preprocessor` + `url_defaults` pair
    that injects a language code), a `url_for` of the app's own (a Flask subclass, a custom
    `url_for` in the template context), `url_build_error_handlers`, `**values` in the call,
    blueprint-wide `url_defaults=`, a `defaults=` it cannot read, routes registered through
    `**options`, and rules added to `app.url_map` directly. It leaves unknown endpoints to FLK201,
    endpoints whose rule or prefix is not a literal, and endpoints that may have rules the index
    cannot see (computed registrations). Test files are not checked (a test may expect the
    `BuildError`), nor templates Jinja cannot parse. It does not see values given as `None`
    (Werkzeug drops them) or a `_method` no rule accepts.

    ## Why is this bad?
    `url_for` raises `werkzeug.routing.exceptions.BuildError: Could not build url for endpoint
    'user'. Did you forget to specify values ['name']?` when the URL is built. Nothing fails at
    import, so the page or redirect breaks with a 500 error the first time a user reaches it.

    ## Example
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)

    @app.route("/user/<name>")
    def user(name):
        return f"Hello {name}"

    @app.route("/me")
    def me():
        return redirect(url_for("user"))
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)

    @app.route("/user/<name>")
    def user(name):
        return f"Hello {name}"

    @app.route("/me")
    def me():
        return redirect(url_for("user", name="me"))
    ```

    ## Fix safety
    There is no fix: only the author knows which value the link needs.
    """

    code = "FLK202"
    name = "url-for-missing-variable"
    summary = "`url_for` misses a variable every rule of the endpoint requires"
    severity = Severity.ERROR
    kinds = frozenset({"python", "template"})
    data_shape = list[str]
    invalid = [
        Case(
            _EXAMPLE,
            Finding((11, 28, 11, 34), "`url_for('user')` misses variable 'name' of rule '/user/<name>'; Flask raises BuildError here"),
        ),
        Case(
            {
                "app.py": _USER + "@app.route('/post/<int:year>/<slug>')\ndef post(year, slug):\n    return slug\n",
                "templates/nav.html": "<a href=\"{{ url_for('user', page=2) }}\">me</a>\n"
                "{{ url_for('post', slug='x', _external=True) }}\n",
            },
            Finding(
                (1, 20, 1, 26),
                "`url_for('user')` misses variable 'name' of rule '/user/<name>'; Flask raises BuildError here",
                path="templates/nav.html",
            ),
            Finding(
                (2, 11, 2, 17),
                "`url_for('post')` misses variable 'year' of rule '/post/<int:year>/<slug>'; Flask raises BuildError here",
                path="templates/nav.html",
            ),
        ),
        # Two rules, neither buildable without a value; a blueprint prefix variable is required too.
        Case(
            {
                "app.py": "from flask import Flask\nfrom shop import bp\n\napp = Flask(__name__)\n"
                "app.register_blueprint(bp, url_prefix='/<lang>')\n",
                "shop.py": "from flask import Blueprint, url_for\n\nbp = Blueprint('shop', __name__)\n\n"
                "@bp.route('/item/<int:id>')\n@bp.route('/item/<slug>/<int:id>')\ndef item(id, slug=None):\n"
                "    return url_for('.item', id=id)\n",
            },
            Finding(
                (8, 19, 8, 26),
                "`url_for('.item')` misses variable 'lang' of rule '/<lang>/item/<int:id>' and variables 'lang', "
                "'slug' of rule '/<lang>/item/<slug>/<int:id>'; Flask raises BuildError here",
                path="shop.py",
            ),
        ),
        # A helper both apps may run: neither app's rule can be built.
        Case(
            {
                "a.py": _USER.replace("url_for", "render_template"),
                "b.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/u/<int:id>')\ndef user(id):\n"
                "    return str(id)\n",
                "links.py": "from flask import url_for\n\ndef me():\n    return url_for('user')\n",
            },
            Finding(
                (4, 19, 4, 25),
                "`url_for('user')` misses variable 'name' of rule '/user/<name>' and variable 'id' of rule "
                "'/u/<int:id>'; Flask raises BuildError here",
                path="links.py",
            ),
        ),
        # One blueprint mounted on two apps: the view may run in either, and neither can build.
        Case(
            {
                "a.py": _SHOP_ON.format(prefix="/<lang>"),
                "b.py": _SHOP_ON.format(prefix="/<region>"),
                "shop.py": _SHOP,
            },
            Finding(
                (7, 19, 7, 27),
                "`url_for('.index')` misses variable 'lang' of rule '/<lang>/' and variable 'region' of rule "
                "'/<region>/'; Flask raises BuildError here",
                path="shop.py",
            ),
        ),
    ]
    valid = [
        _EXAMPLE.replace('url_for("user")', 'url_for("user", name="me")'),
        # Extra keywords are the query string; url_for's options are no variables.
        _USER + "@app.route('/')\ndef index():\n    return url_for('user', name='x', page=2, _anchor='top', _external=True)\n",
        # A second rule without the variable, or defaults= supplying it.
        "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n@app.route('/users/', defaults={'page': 1})\n"
        "@app.route('/users/<int:page>')\ndef users(page):\n    return url_for('users') + url_for('more')\n\n"
        "@app.route('/more/', defaults={'page': 1})\ndef more(page):\n    return ''\n",
        # A url_defaults callback injects the value (with url_value_preprocessor popping it).
        {
            "app.py": "from flask import Flask\nfrom shop import bp\n\napp = Flask(__name__)\n"
            "app.register_blueprint(bp, url_prefix='/<lang>')\n",
            "shop.py": "from flask import Blueprint, g, url_for\n\nbp = Blueprint('shop', __name__)\n\n"
            "@bp.url_defaults\ndef add_lang(endpoint, values):\n    values.setdefault('lang', g.lang)\n\n"
            "@bp.url_value_preprocessor\ndef pull_lang(endpoint, values):\n    g.lang = values.pop('lang')\n\n"
            "@bp.route('/')\ndef index():\n    return url_for('.index')\n",
        },
        # **values may hold anything; a template rendered with its own url_for.
        {
            "app.py": _USER.replace("url_for", "render_template, url_for")
            + "@app.route('/')\ndef index():\n    values = {'name': 'x'}\n    return url_for('user', **values)\n\n"
            "@app.route('/p')\ndef page():\n    return render_template('p.html', url_for=lambda e, **v: e)\n",
            "templates/p.html": "{{ url_for('user') }}\n",
        },
        # Endpoints the index cannot resolve (FLK201's), or whose rule it cannot read.
        "from flask import Flask, url_for\n\napp = Flask(__name__)\nRULE = '/item/<id>'\n\n@app.route(RULE)\n"
        "def item(id):\n    return url_for('item') + url_for('nowhere')\n",
        # Blueprint-wide url_defaults= supply the prefix variable.
        {
            "app.py": "from flask import Flask\nfrom shop import bp\n\napp = Flask(__name__)\n"
            "app.register_blueprint(bp, url_prefix='/<lang>', url_defaults={'lang': 'en'})\n",
            "shop.py": "from flask import Blueprint, url_for\n\nbp = Blueprint('shop', __name__)\n\n"
            "@bp.route('/')\ndef index():\n    return url_for('.index')\n",
        },
        # The helper may run in an app whose rule needs nothing.
        {
            "a.py": _USER.replace("url_for", "render_template"),
            "b.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/me')\ndef user():\n    return 'me'\n",
            "links.py": "from flask import url_for\n\ndef me():\n    return url_for('user')\n",
        },
        # One app mounts the blueprint without a variable: the view builds there.
        {"a.py": _SHOP_ON.format(prefix="/<lang>"), "b.py": _SHOP_ON.format(prefix="/shop"), "shop.py": _SHOP},
        # Tests may expect the BuildError.
        {"app.py": _USER, "tests/test_links.py": "from app import app\nfrom flask import url_for\n\n"
         "def test_user():\n    with app.test_request_context():\n        url_for('user')\n"},
    ]

    def collect(self, model: ModuleModel) -> list[str] | None:
        """What in this file may supply url_for's values unseen by the index (read project-wide; a test
        file's hooks serve its own test apps)."""
        if model.facts.is_test:
            return None
        reasons = set()
        for call in model.calls:
            func = call.node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else None
            if call.dotted is not None and call.dotted.endswith("url_map.add"):
                reasons.add("url_map.add")  # a Rule added to the map directly: a rule the index does not see
            for arg in call.node.args:
                keyword = arg.keyword.value if arg.keyword is not None else None
                if keyword == "url_defaults":
                    reasons.add("blueprint url_defaults=")
                elif keyword == "defaults" and name in _ROUTE_REGISTRARS and not _literal_keys(arg.value):
                    reasons.add("unreadable defaults=")
                elif arg.star == "**" and name in _OPTION_FORWARDERS:
                    reasons.add("route **options")
        if any(hook in model.text for hook in _BUILD_ERROR_HOOKS):
            reasons.add("url build error handler")
        return sorted(reasons) or None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.is_test or not index.has_app or not facts.url_for_calls:
            return
        if facts.kind == "template" and (
            not index.is_flask_template(facts.path) or "url_for" in index.template_jinja(facts.path).context_names
        ):
            return  # not loaded by any app, or rendered with a `url_for` of its own
        for call in facts.url_for_calls:
            if call.endpoint is None or call.has_star_kwargs:
                continue
            problem = _missing(index.view_for(facts, call.blueprints), call)
            if problem and not self._values_unknowable(index):
                message = f"`url_for('{call.endpoint}')` misses {problem}; Flask raises BuildError here"
                yield self.diagnostic(facts.path, call.span, message, endpoint=call.endpoint)

    def _values_unknowable(self, index: ProjectIndex) -> bool:
        """Some file may supply values (or URLs) the index does not model; asked only before reporting."""
        return index.derived(
            (self.code, "values unknowable"), lambda: any(self.data(facts) for facts in index.files.values())
        )


def _literal_keys(node: cst.BaseExpression) -> bool:
    """A `{"page": 1}` dict whose keys are all plain strings (what the index reads as defaults)."""
    return isinstance(node, cst.Dict) and all(
        isinstance(e, cst.DictElement) and literal_string(e.key) is not None for e in node.elements
    )


def _missing(view: AppView, call: UrlForCall) -> str | None:
    """'variable 'x' of rule '/r/<x>'' when no rule of the endpoint can be built; None otherwise."""
    assert call.endpoint is not None
    if view.custom_url_building:
        return None
    names = view.endpoint_names(call.endpoint, call.blueprints)
    if names is None:  # a relative name whose blueprint is unknown: any blueprint's view of that name
        if view.foreign_blueprints:
            return None
        local = call.endpoint[1:]
        names = [name for name in view.endpoints if name.rpartition(".")[2] == local]
    if any(view.rules_may_be_hidden(name) for name in names):
        return None
    endpoints = [endpoint for name in names for endpoint in view.endpoints.get(name, [])]
    missing = missing_variables(endpoints, call.keywords) if endpoints else None
    if not missing:
        return None
    return " and ".join(_variables(absent) + f" of rule '{rule}'" for rule, absent in missing)


def _variables(names: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{name}'" for name in names)
    return f"variable {quoted}" if len(names) == 1 else f"variables {quoted}"
