from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, TypedDict

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from flasklint.edits import import_name_edit
from flasklint.model.facts import FileFacts, Span, UrlLiteral
from flasklint.model.app_scope import ANY_APP, AppView, Endpoint
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.model.routing import HOLE, parse_rule
from flasklint.model.url_building import BuildCall, build_call
from flasklint.model.urls import url_for_spelling, url_literals
from flasklint.rule import Case, Finding, ProjectRule


class PythonUrl(TypedDict):
    """A URL literal in Python code, with what its fix needs there."""

    literal: UrlLiteral
    url_for: str | None  # how `flask.url_for` is spelled at the literal (None: not without an import)
    import_span: Span | None  # where the edit importing url_for goes (None: already imported, or it would clash)
    import_text: str
    owners: list[str]  # route-owner refs of the view holding it ([]: not a view, or unknown)


class HardcodedUrl(ProjectRule):
    """
    ## What it does
    Reports a literal path of one of the app's own routes (the static route included) written out
    where `url_for` belongs: `redirect("/login")`, `redirect(f"/posts/{id}")`, a `Location` header,
    an `href`/`src`/`action` in HTML built by a view, and `href="/user/42"`, `src="/static/logo.png"`,
    `action=...` or `formaction=...` in a template (`href="/users/{{ user.id }}"` included).

    Not reported: external and protocol-relative URLs, `#anchors`, `mailto:`/`tel:`/`data:`/
    `javascript:` links, paths no route matches (blueprint prefixes applied) or only a catch-all
    route such as `/<path:p>` matches, test files (they drive the app through its URLs), and Python
    code outside views and request hooks (there `url_for` needs an app context and `SERVER_NAME`).

    A literal is matched against the routes of the app that serves it, as Flask does: a view's
    against the app(s) it is registered on, a template's against the app(s) whose template folders
    hold it, an app mounted under a `DispatcherMiddleware` prefix only under that prefix. So a link
    to another app's route in the same repository is not reported. Files no app loads as templates
    (a Helm chart's `templates/`), templates rendered with a `url_for` of their own, and links inside
    HTML comments are not reported either.

    ## Why is this bad?
    A hardcoded path ignores where the app is mounted: behind a proxy prefix (`X-Forwarded-Prefix`),
    under a `SCRIPT_NAME`, or with `DispatcherMiddleware`, `redirect("/login")` sends users to the
    host's `/login` and gets a 404, while `url_for("login")` yields `/myapp/login`. The literal also
    silently goes stale when the route or a blueprint's `url_prefix` changes; `url_for` fails loudly.

    ## Example
    ```python
    from flask import Flask, redirect

    app = Flask(__name__)

    @app.route("/login")
    def login():
        return "login"

    @app.route("/logout")
    def logout():
        return redirect("/login")
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
    Python literals become `url_for("endpoint", var=value)` (route values from the path, ints for
    `int` routes, f-string holes as their expressions, the query string as keyword arguments, the
    fragment as `_anchor=`), adding `from flask import url_for` when needed; template attributes
    become `{{ url_for('endpoint', ...) }}`. The fix is safe when `url_for` rebuilds exactly the
    same path for an app served at the root: `url_for` is already imported, and the literal has no
    f-string hole or Jinja expression (whose values `url_for` would escape or convert), no query
    string (whose order and encoding `url_for` may change) and no character `url_for` escapes.
    It is safe only when the index has proven which app serves the code (the one app of the
    project, the app the view is registered on, the one app whose folders hold the template) and
    the endpoint is that app's with this one rule; otherwise (a template two apps load, a helper, an
    endpoint with a second rule whose `defaults=` may make `url_for` build the other path, an app
    with a `url_defaults` callback or a Flask subclass with its own `url_for`) it is unsafe. Routes on another host (`subdomain=`, `host=`) have no path on the app's own host: a
    literal never matches them. There is no fix when two endpoints match the path (a blueprint
    registered twice), for HTML inside Python strings, or when a value cannot become a keyword.
    """

    code = "FLK203"
    name = "hardcoded-url"
    summary = "Hardcoded URL of one of the app's own routes where `url_for` belongs"
    fix_availability = "sometimes"
    kinds = frozenset({"python", "template"})
    invalid = [
        Case(
            "from flask import Flask, redirect\n\napp = Flask(__name__)\n\n"
            "@app.route('/login')\ndef login():\n    return 'login'\n\n"
            "@app.route('/logout')\ndef logout():\n    return redirect('/login')\n",
            Finding(
                (11, 20, 11, 28),
                "hardcoded URL `/login` of this app's route 'login': use `url_for('login')` so it follows "
                "the app's URL prefix and route changes",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask, redirect, url_for\n\napp = Flask(__name__)\n\n"
                "@app.route('/login')\ndef login():\n    return 'login'\n\n@app.route('/logout')\n"
                "def logout():\n    return redirect(url_for('login'))\n",
            },
        ),
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
                "@app.route('/user/<int:uid>')\ndef profile(uid):\n    return 'profile'\n",
                "templates/list.html": '<a href="/user/42">Ada</a>\n<img src="/static/logo.png">\n',
            },
            Finding(
                (1, 9, 1, 17),
                "hardcoded URL `/user/42` of this app's route 'profile': use `url_for('profile', uid=42)` "
                "so it follows the app's URL prefix and route changes",
                path="templates/list.html",
                fix="safe",
            ),
            Finding(
                (2, 10, 2, 26),
                "hardcoded URL `/static/logo.png` of this app's route 'static': use `url_for('static', "
                "filename='logo.png')` so it follows the app's URL prefix and route changes",
                path="templates/list.html",
                fix="safe",
            ),
            fixed={
                "templates/list.html": "<a href=\"{{ url_for('profile', uid=42) }}\">Ada</a>\n"
                "<img src=\"{{ url_for('static', filename='logo.png') }}\">\n",
            },
        ),
        Case(
            '''
from flask import Flask, redirect

app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/logout")
def logout():
    return redirect("/login")
''',
            Finding(
                (12, 20, 12, 28),
                "hardcoded URL `/login` of this app's route 'login': use `url_for(\"login\")` so it "
                "follows the app's URL prefix and route changes",
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
        # A commented-out link is dead markup: only the live one is reported, and its fix leaves the comment.
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/login')\ndef login():\n"
                "    return 'login'\n",
                "templates/page.html": '<!-- <a href="/login">Old login</a> -->\n<a href="/login">Log in</a>\n',
            },
            Finding(
                (2, 9, 2, 15),
                "hardcoded URL `/login` of this app's route 'login': use `url_for('login')` so it follows the app's "
                "URL prefix and route changes",
                path="templates/page.html",
                fix="safe",
            ),
            fixed={
                "templates/page.html": '<!-- <a href="/login">Old login</a> -->\n'
                '<a href="{{ url_for(\'login\') }}">Log in</a>\n'
            },
        ),
        # Two apps load templates/: the link is a.py's route, but the page may be b's (unsafe fix).
        Case(
            {
                "a.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/home')\ndef home():\n"
                "    return 'a'\n",
                "b.py": "from flask import Flask\n\napp = Flask(__name__)\n",
                "templates/page.html": "<a href=\"/home\">home</a>\n",
            },
            Finding(
                (1, 9, 1, 14),
                "hardcoded URL `/home` of this app's route 'home': use `url_for('home')` so it follows the app's "
                "URL prefix and route changes",
                path="templates/page.html",
                fix="unsafe",
            ),
            fixed={"templates/page.html": "<a href=\"{{ url_for('home') }}\">home</a>\n"},
        ),
    ]
    valid = [
        # tools/proxy.py's own app has "/": the page myapp (a Flask subclass's instance) renders is not its.
        {
            "tools/proxy.py": "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n"
            "    return 'proxy'\n",
            "myapp/__init__.py": "from myapp.web.wrappers import MyFlask\n\napp = MyFlask(__name__)\n",
            "myapp/web/__init__.py": "",
            "myapp/web/wrappers.py": "from flask import Flask\n\nclass MyFlask(Flask):\n    pass\n",
            "myapp/templates/login.html": "<a href=\"/\">home</a>\n",
        },
        "from flask import Flask, redirect, url_for\n\napp = Flask(__name__)\n\n"
        "@app.route('/login')\ndef login():\n    return 'login'\n\n"
        "@app.route('/logout')\ndef logout():\n    return redirect(url_for('login'))\n",
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "@app.route('/<path:page>')\ndef page(page):\n    return page\n",
            "templates/links.html": '<a href="https://example.com/login">x</a> <a href="#top">top</a>\n'
            '<a href="mailto:me@example.com">mail</a> <a href="/about">about</a>\n',
        },
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n\n"
            "@app.route('/login')\ndef login():\n    return 'login'\n",
            "tests/test_app.py": "def test_login(client):\n    assert client.get('/login').status_code == 200\n",
        },
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

    data_shape = list[PythonUrl]

    def collect(self, model: ModuleModel) -> list[PythonUrl] | None:
        """The Python file's URL literals, each with how its fix spells (or imports) `url_for` there."""
        found: list[PythonUrl] = []
        for literal, scope in url_literals(model):
            url_for = url_for_spelling(scope) if scope is not None else None
            edit = import_name_edit(model, scope, "flask", "url_for") if scope is not None and not url_for else None
            found.append(
                {
                    "literal": dataclasses.asdict(literal),  # type: ignore[typeddict-item] # its JSON form
                    "url_for": url_for,
                    "import_span": (edit.start.row, edit.start.column, edit.end.row, edit.end.column) if edit else None,
                    "import_text": edit.content if edit else "",
                    "owners": _view_owners(model, literal.span),
                }
            )
        return found or None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.is_test:
            return
        if facts.kind == "template" and (
            not index.is_flask_template(facts.path) or "url_for" in index.template_jinja(facts.path).context_names
        ):
            return  # not loaded by any app, or rendered with a `url_for` of its own
        for literal, url_for, import_edit, owners in self._literals(facts):
            view = index.view_for(facts, owners)
            # A route the index could not attribute to an app (registered through a parameter in a
            # repository of several apps) may be any app's: not evidence enough for a finding.
            matches = [match for match in view.match_path(literal.path) if match[0].app != ANY_APP]
            if matches:
                yield self._report(view, facts, literal, matches, url_for, import_edit)

    def _literals(self, facts: FileFacts) -> Iterator[tuple[UrlLiteral, str | None, Edit | None, list[str]]]:
        """The template's literals (facts), or the Python file's with their fix data (collect)."""
        for literal in facts.url_literals:
            yield literal, None, None, []
        for item in self.data(facts) or []:
            fields = item["literal"]
            literal = UrlLiteral(**{**fields, "span": tuple(fields["span"])})
            span = item["import_span"]
            edit = Edit(Location(span[0], span[1]), Location(span[2], span[3]), item["import_text"]) if span else None
            yield literal, item["url_for"], edit, item["owners"]

    def _report(
        self,
        view: AppView,
        facts: FileFacts,
        literal: UrlLiteral,
        matches: list[tuple[Endpoint, dict[str, str]]],
        url_for: str | None,
        import_edit: Edit | None,
    ) -> Diagnostic:
        best = _most_specific(matches)
        names = sorted({endpoint.name for endpoint, _ in best})
        shown = _shown(literal)
        if len(names) > 1:
            choices = " or ".join(f"'{n}'" for n in names)
            message = (
                f"hardcoded URL `{shown}` of this app's own routes ({choices}): build it with `url_for` so it "
                "follows the app's URL prefix and route changes"
            )
            return self.diagnostic(facts.path, literal.span, message, endpoints=names)
        endpoint, values = best[0]
        call = build_call(literal, endpoint, values)
        suggestion = f"url_for('{endpoint.name}', ...)" if call is None else call.text("url_for")
        message = (
            f"hardcoded URL `{shown}` of this app's route '{endpoint.name}': use `{suggestion}` so it follows "
            "the app's URL prefix and route changes"
        )
        # The one app owning this code has the route, and only that rule builds the endpoint (with a
        # second rule, `defaults=` may make url_for build the other one: `/page/` for `/page/1`).
        # A url_defaults callback or a subclass's own url_for may change what url_for builds.
        proven = (
            view.proven
            and endpoint.app in view.apps
            and len(view.endpoints.get(endpoint.name, [])) == 1
            and not view.custom_url_building
        )
        fix = _fix(call, literal, proven, url_for, import_edit) if call is not None else None
        return self.diagnostic(facts.path, literal.span, message, fix=fix, endpoint=endpoint.name)


def _view_owners(model: ModuleModel, span: Span) -> list[str]:
    """The route owners of the innermost view whose body holds `span` ([] outside views)."""
    best: tuple[int, list[str]] | None = None
    for info in model.functions:
        if not info.routes:
            continue
        line, _, end_line, _ = model.span(info.node)
        if line <= span[0] and span[2] <= end_line and (best is None or line > best[0]):
            best = (line, sorted({route.owner for route in info.routes if route.owner}))
    return best[1] if best else []


def _most_specific(matches: list[tuple[Endpoint, dict[str, str]]]) -> list[tuple[Endpoint, dict[str, str]]]:
    """Matches that Werkzeug would try first (most literal text); match_path sorts them so."""
    top = len(parse_rule(matches[0][0].rule or "").static_text)
    return [m for m in matches if len(parse_rule(m[0].rule or "").static_text) == top]


def _shown(literal: UrlLiteral) -> str:
    text = literal.path.replace(HOLE, "{…}")
    if literal.query is not None:
        text += "?" + literal.query.replace(HOLE, "{…}")
    if literal.fragment is not None:
        text += "#" + literal.fragment.replace(HOLE, "{…}")
    return text


def _fix(call: BuildCall, literal: UrlLiteral, proven: bool, url_for: str | None, import_edit: Edit | None) -> Fix | None:
    """Safe only when url_for rebuilds the same path and the endpoint surely is this code's app's."""
    line, column, end_line, end_column = literal.span
    replace = (Location(line, column), Location(end_line, end_column))
    if call.jinja:
        edit = Edit(*replace, "{{ " + call.text("url_for") + " }}")
        return Fix("Build the URL with url_for", (edit,), _applicability(call.exact and proven))
    if literal.context == "html":
        return None  # the literal would have to become an f-string or a concatenation: left to the author
    edits = [Edit(*replace, call.text(url_for or "url_for"))]
    if url_for is None:
        if import_edit is None:
            return None
        edits.append(import_edit)
    safe = call.exact and url_for is not None and proven
    return Fix("Build the URL with url_for", tuple(edits), _applicability(safe))


def _applicability(safe: bool) -> Applicability:
    return Applicability.SAFE if safe else Applicability.UNSAFE
