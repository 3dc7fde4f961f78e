from __future__ import annotations

from typing import Iterable

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.facts import FileFacts, UrlForCall
from flasklint.model.app_scope import AppView
from flasklint.model.index import ProjectIndex
from flasklint.rule import Case, Finding, ProjectRule

CLEAR_RATIO = 0.8  # a lone best candidate at least this similar (and clearly ahead) is "clearly meant"
CLEAR_LEAD = 0.15
_APP_WITH_AUTH = "from flask import Flask\nfrom auth import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n"


class UnknownEndpoint(ProjectRule):
    """
    ## What it does
    Reports `url_for("name")`, in Python code or in a Jinja template, when the project registers no
    endpoint with that name, and names the closest endpoints that do exist. Endpoint names are
    derived as Flask derives them: the view function's name or `endpoint=`, `"blueprint.view"` for
    blueprints (with `register_blueprint(..., name=...)` and nesting), the name given to
    `as_view()`, and the `static` endpoints. A relative `".view"` is resolved against the
    blueprints of the view it is written in.

    Each call is checked against the app that runs it, as Flask resolves it: in a view, the app(s)
    the view is registered on (through its blueprints); in a template, the app(s) whose template
    folders hold it. A repository with several apps (`Flask(...)` or an instance of a Flask subclass
    defined in any module, a factory's product, apps combined with `DispatcherMiddleware`) keeps
    their endpoints apart; where the owner is unknown (a helper called from several apps) any app's
    endpoint counts.

    The rule stays silent where the project registers views in ways it cannot follow (computed
    endpoints, extensions such as Flask-Admin or Flask-RESTX, blueprints registered in a loop with
    computed names), when the project has no Flask app at all, in files no app loads as a template
    (a Helm chart's `templates/`), and in templates rendered with a `url_for` of their own
    (`render_template(..., url_for=custom)`, `app.jinja_env.globals["url_for"] = ...`, a context
    processor returning `url_for`). Extensions that register blueprints silence only dotted names:
    `url_for("indx")` is still checked. `url_for("static")` in an app created with
    `static_folder=None` is reported without a suggestion: no other endpoint is meant.

    ## Why is this bad?
    `url_for` raises `werkzeug.routing.exceptions.BuildError` for an unknown endpoint. The error
    happens when the page or redirect is built, so a typo passes every import-time check and turns
    into a 500 error for the first user who reaches that code path.

    ## Example
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)

    @app.route("/login")
    def login():
        return "login"

    @app.route("/logout")
    def logout():
        return redirect(url_for("logn"))
    ```

    ## Use instead
    ```python
    from flask import Flask, redirect, url_for

    app = Flask(__name__)

    @app.route("/login")
    def login():
        return "login"

    @app.route("/logout")
    def logout():
        return redirect(url_for("login"))
    ```

    ## Fix safety
    The fix replaces the endpoint with the closest existing one, and is offered only when one
    candidate is clearly meant (the only close match, or one much closer than the others). It is
    unsafe: the linter guesses which page was intended, so review the new link target.
    """

    code = "FLK201"
    name = "unknown-endpoint"
    summary = "`url_for` names an endpoint that does not exist"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    kinds = frozenset({"python", "template"})
    invalid = [
        Case(
            "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n"
            "@app.route('/login')\ndef login():\n    return 'login'\n\n"
            "@app.route('/')\ndef index():\n    return url_for('logn')\n",
            Finding(
                (11, 19, 11, 25),
                "`url_for('logn')`: no endpoint 'logn' (did you mean 'login'?); Flask raises BuildError "
                "here",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n@app.route('/login')\n"
                "def login():\n    return 'login'\n\n@app.route('/')\ndef index():\n"
                "    return url_for('login')\n",
            },
        ),
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
                "@app.route('/')\ndef index():\n    return 'home'\n",
                "templates/base.html": "<a href=\"{{ url_for('indx') }}\">Home</a>\n",
            },
            Finding(
                (1, 20, 1, 26),
                "`url_for('indx')`: no endpoint 'indx' (did you mean 'index'?); Flask raises BuildError "
                "here",
                path="templates/base.html",
                fix="unsafe",
            ),
            fixed={"templates/base.html": "<a href=\"{{ url_for('index') }}\">Home</a>\n"},
        ),
        Case(
            {
                "app.py": _APP_WITH_AUTH,
                "auth.py": "from flask import Blueprint, redirect, url_for\n\nbp = Blueprint('auth', __name__)\n\n"
                "@bp.route('/login')\ndef login():\n    return 'login'\n\n"
                "@bp.route('/logout')\ndef logout():\n    return redirect(url_for('.logn'))\n",
            },
            Finding(
                (11, 28, 11, 35),
                "`url_for('.logn')`: no endpoint 'auth.logn' (did you mean '.login' or '.logout'?); Flask "
                "raises BuildError here",
                path="auth.py",
                fix="unsafe",
            ),
            fixed={
                "auth.py": "from flask import Blueprint, redirect, url_for\n\nbp = Blueprint('auth', __name__)\n"
                "\n@bp.route('/login')\ndef login():\n    return 'login'\n\n@bp.route('/logout')\n"
                "def logout():\n    return redirect(url_for('.login'))\n",
            },
        ),
        Case(
            '''
from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/logout")
def logout():
    return redirect(url_for("logn"))
''',
            Finding(
                (12, 28, 12, 34),
                "`url_for('logn')`: no endpoint 'logn' (did you mean 'login' or 'logout'?); Flask raises "
                "BuildError here",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/logout")
def logout():
    return redirect(url_for("login"))
''',
            },
        ),
        # Two apps: a view of b.py cannot build a.py's endpoint.
        Case(
            {
                "a.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'a'\n",
                "b.py": "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n@app.route('/b')\n"
                "def page():\n    return url_for('index')\n",
            },
            Finding(
                (7, 19, 7, 26),
                "`url_for('index')`: no endpoint 'index' in the app created in b.py; Flask raises BuildError here",
                path="b.py",
            ),
        ),
        Case(
            "from flask import Flask, url_for\n\napp = Flask(__name__, static_folder=None)\n\n@app.route('/stats')\n"
            "def stats():\n    return url_for('static', filename='x.css')\n",
            Finding(
                (7, 19, 7, 27),
                "`url_for('static')`: no endpoint 'static' (the app has `static_folder=None`); Flask raises "
                "BuildError here",
            ),
        ),
    ]
    valid = [
        # A helper may run under either app: `index` exists in one of them.
        {
            "a.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'a'\n",
            "b.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "links.py": "from flask import url_for\n\ndef home():\n    return url_for('index')\n",
        },
        # The template gets another url_for: searxng's custom_url_for serves 'static' itself.
        {
            "app.py": "from flask import Flask, render_template\n\napp = Flask(__name__, static_folder=None)\n\n"
            "def custom_url_for(endpoint, **values):\n    return '/' + endpoint\n\n@app.route('/')\n"
            "def index():\n    return render_template('page.html', url_for=custom_url_for)\n",
            "templates/page.html": "<link href=\"{{ url_for('static', filename='x.css') }}\">\n",
        },
        # A Helm chart's templates/ folder is not a Flask template folder.
        {
            "app/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            "chart/templates/NOTES.txt": "{{ url_for('nowhere') }} {{ .Values.host }}\n",
        },
        "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n"
        "@app.route('/')\ndef index():\n    return url_for('index') + url_for('static', filename='style.css')\n",
        {
            "app.py": _APP_WITH_AUTH,
            "auth.py": "from flask import Blueprint, url_for\n\nbp = Blueprint('auth', __name__)\n\n"
            "@bp.route('/login')\ndef login():\n    return url_for('.login') + url_for('auth.login')\n",
            "templates/nav.html": "<a href=\"{{ url_for('auth.login') }}\">Log in</a>\n",
        },
        # Computed endpoints: the index is incomplete, so nothing is reported.
        "from flask import Flask, url_for\n\napp = Flask(__name__)\n\n"
        "for name in ['a', 'b']:\n    app.add_url_rule('/' + name, name, lambda: name)\n\n"
        "@app.route('/')\ndef index():\n    return url_for('a')\n",
        # No Flask app in the project (a library's blueprint): endpoints are unknowable.
        "from flask import url_for\n\ndef link():\n    return url_for('anything')\n",
        '''
from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/logout")
def logout():
    return redirect(url_for("login"))
''',
    ]

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if not index.has_app or not facts.url_for_calls:
            return
        if facts.kind == "template" and (
            not index.is_flask_template(facts.path) or "url_for" in index.template_jinja(facts.path).context_names
        ):
            return  # not loaded by any app, or rendered with a `url_for` of its own
        for call in facts.url_for_calls:
            if call.endpoint:
                view = index.view_for(facts, call.blueprints)
                diagnostic = self._check_call(view, facts, call, _in_app(index, view))
                if diagnostic is not None:
                    yield diagnostic

    def _check_call(self, view: AppView, facts: FileFacts, call: UrlForCall, where: str) -> Diagnostic | None:
        endpoint = call.endpoint
        assert endpoint is not None
        if endpoint == "." or view.url_for_may_build(endpoint, call.blueprints):
            return None
        if endpoint == "static":  # static_folder=None: no static route, and no other endpoint is meant
            return self._report(view, facts, call, "no endpoint 'static' (the app has `static_folder=None`)", [])
        if not endpoint.startswith("."):
            return self._report(view, facts, call, f"no endpoint '{endpoint}'{where}", sorted(view.endpoints))
        candidates = view.relative_endpoint_names(call.blueprints)
        targets = view.endpoint_names(endpoint, call.blueprints)
        if targets is None:  # a template or helper may run under any blueprint
            problem = f"no blueprint (nor the app) has an endpoint '{endpoint[1:]}'"
        else:
            problem = "no endpoint " + " or ".join(f"'{target}'" for target in targets)
        return self._report(view, facts, call, problem + where, candidates)

    def _report(self, view: AppView, facts: FileFacts, call: UrlForCall, problem: str, candidates: list[str]) -> Diagnostic:
        endpoint = call.endpoint or ""
        closest = view.closest_endpoints(endpoint, among=candidates)
        hint = f" (did you mean {' or '.join(repr(c) for c in closest)}?)" if closest else ""
        message = f"`url_for('{endpoint}')`: {problem}{hint}; Flask raises BuildError here"
        choice = _clear_choice(endpoint, closest)
        fix = _replace_endpoint(call, choice) if choice else None
        return self.diagnostic(facts.path, call.span, message, fix=fix, endpoint=endpoint, suggestions=closest)


def _in_app(index: ProjectIndex, view: AppView) -> str:
    """Which app the endpoint is missing from, when the project has several and the owner is known."""
    if index.app_count < 2 or not view.proven or len(view.apps) != 1:
        return ""
    return f" in the app created in {view.tables[0].path}"


def _clear_choice(endpoint: str, closest: list[str]) -> str | None:
    """The one candidate clearly meant: the only one, or one much more similar than the rest."""
    if len(closest) == 1:
        return closest[0]
    if not closest:
        return None
    import difflib

    ratios = sorted(((difflib.SequenceMatcher(None, endpoint, c).ratio(), c) for c in closest), reverse=True)
    (best, choice), (second, _) = ratios[0], ratios[1]
    return choice if best >= CLEAR_RATIO and best - second >= CLEAR_LEAD else None


def _replace_endpoint(call: UrlForCall, replacement: str) -> Fix | None:
    """Replace the text between the quotes; only for a plain one-line literal `'name'` / `"name"`."""
    line, column, end_line, end_column = call.span
    if line != end_line or end_column - column != len(call.endpoint or "") + 2:
        return None  # a prefix, an escape or a concatenation: the characters do not map one to one
    return Fix(
        f"Replace with '{replacement}'",
        (Edit(Location(line, column + 1), Location(line, end_column - 1), replacement),),
        Applicability.UNSAFE,
    )
