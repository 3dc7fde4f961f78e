from __future__ import annotations

from typing import Iterable, Iterator, Optional, TypedDict

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.facts import FileFacts
from flasklint.model.app_scope import AppView
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.model.template_output import template_output
from flasklint.model.template_renders import autoescape_settings, is_autoescaped, raw_jinja_renders, tainted_renders
from flasklint.model.templates import TemplateModel
from flasklint.rule import Case, Finding, ProjectRule

Span4 = tuple[int, int, int, int]


class PassedData(TypedDict):
    keyword: str
    label: str
    span: Span4


class RenderData(TypedDict):
    template: str
    span: Span4
    passed: list[PassedData]
    html: bool
    owners: list[str]


class SettingData(TypedDict):
    how: str
    span: Span4
    text: str


class PythonData(TypedDict):
    """A module's render calls that pass request data, and its autoescape settings."""

    renders: list[RenderData]
    settings: list[SettingData]
    raw: list[PassedData]  # request data rendered by a raw Jinja environment that does not autoescape


class SiteData(TypedDict):
    kind: str
    span: Span4
    names: list[str]
    request: list[str]


class TemplateData(TypedDict):
    """A template's unescaped outputs, what it outputs at all, and the templates sharing its context."""

    sites: list[SiteData]
    outputs: list[str]
    request_outputs: list[str]
    shares: list[str]


class FileData(TypedDict):
    """One file's data: a Python module's or a template's (one shape: the cache checks a single one)."""

    python: Optional[PythonData]
    template: Optional[TemplateData]


WHERE = {"safe": "with `|safe`", "filter": "in a `{% filter safe %}` block", "autoescape": "with autoescaping off"}
APP = "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n"
SEARCH = APP + """
@app.route("/search")
def search():
    q = request.args.get("q", "")
    return render_template("search.html", q=q)
"""


class UnescapedTemplateOutput(ProjectRule):
    """
    ## What it does
    Reports request data that a template outputs without escaping: a view passes it
    (`render_template("search.html", q=request.args["q"])`, a string route variable, `request.form`,
    `request.json`, ...) and the template writes it with `{{ q|safe }}`, inside a
    `{% filter safe %}` block or inside an `{% autoescape false %}` block (any spelling:
    `{%- autoescape False -%}`); or the template reads it itself (`{{ request.args.q|safe }}`).
    The finding is on the `|safe`, the `{% filter %}` or the `{% autoescape %}` tag. A template
    that `{% extends %}` or `{% include %}`s another shares its context: the data is followed there.

    Also reported, on the value the view passes: request data rendered into a template Flask does
    not autoescape — its name does not end in `.html`, `.htm`, `.xml`, `.xhtml` or `.svg`
    (`page.j2`, `page.jinja2`, `page.txt`) — or by an app whose autoescaping is switched off
    (`app.jinja_env.autoescape = False`, `jinja_options = {"autoescape": False}`, a
    `select_jinja_autoescape` override returning False), when the view returns the rendered page
    and the template outputs the value; and request data a view renders with a raw
    `jinja2.Environment(...)` or `jinja2.Template(...)` created without `autoescape=` (Jinja's
    default is not to escape) and returns as its page.

    Not reported: values that cannot carry markup or are already escaped (`x|tojson|safe`,
    `x|e|safe`, `x|int`, `{{ form.hidden_tag() }}` and other calls, `<int:...>` route variables),
    values a view escapes or sanitizes before passing them (`escape(q)`, `bleach.clean(q)`: any
    call the dataflow does not know returns a clean value), the output of filters the project
    defines (`|markdown|safe`: flasklint cannot see what they do), `{% autoescape true %}`, a
    template rendered for something other than the response (an e-mail body), a template an app
    renders with its own delimiters, and apps with a custom `select_jinja_autoescape` or
    `autoescape` setting that may escape more. A bare `{% autoescape false %}` or `|safe` whose
    data flasklint does not see come from the request is not reported either: they are the way to
    output trusted HTML (a CMS page, a rendered Markdown body), and reporting each would bury the
    real cases. Values reaching the template through `**context`, a context processor or a macro
    parameter are not followed.

    ## Why is this bad?
    Flask escapes `{{ q }}` in an `.html` template, so `/search?q=<script>...</script>` shows the
    text. `|safe` and `{% autoescape false %}` switch that off: `{{ q|safe }}` sends the
    attacker's `<script>` (verified: `{% autoescape false %}{{ v }}{% endautoescape %} {{ v|safe }}`
    renders `<b> <b>` for `v="<b>"`). Anyone who gets a user to follow a crafted link runs script
    in your site's origin (reflected XSS): reading the page, acting as the user. A `.j2` or `.txt`
    template is rendered without escaping at all (Flask's `select_jinja_autoescape`), and returning
    it from a view serves it as `text/html`.

    ## Example
    ```python
    from flask import Flask, render_template, request

    app = Flask(__name__)

    @app.route("/search")
    def search():
        q = request.args.get("q", "")
        return render_template("search.html", q=q)
    ```

    ```html title="templates/search.html"
    <p>Results for {{ q|safe }}</p>
    ```

    ## Use instead
    ```python
    from flask import Flask, render_template, request

    app = Flask(__name__)

    @app.route("/search")
    def search():
        q = request.args.get("q", "")
        return render_template("search.html", q=q)
    ```

    ```html title="templates/search.html"
    <p>Results for {{ q }}</p>
    ```

    ## Fix safety
    There is no automatic fix: whether the value should be escaped, sanitized (`bleach.clean`) or
    is trusted markup is the author's decision.
    """

    code = "FLK402"
    name = "unescaped-template-output"
    summary = "Request data output by a template without escaping"
    severity = Severity.ERROR
    kinds = frozenset({"python", "template"})
    data_shape = FileData
    invalid = [
        Case(
            {"app.py": SEARCH, "templates/search.html": "<p>Results for {{ q|safe }}</p>\n"},
            Finding(
                (1, 19, 1, 24),
                '`q` holds request data (`request.args` value, passed at app.py:8) and is output with `|safe`, '
                'unescaped (XSS): escape or sanitize it',
                path='templates/search.html',
            ),
        ),
        Case(  # any spelling of autoescape false; a route variable; the page extends a base
            {
                "app.py": APP + "\n@app.route('/hello/<name>')\ndef hello(name):\n"
                "    return render_template('hello.html', name=name)\n",
                "templates/hello.html": "{% extends 'base.html' %}\n{% block body %}\n"
                "{%- autoescape False -%}\n  <h1>Hello {{ name }}</h1>\n{%- endautoescape %}\n{% endblock %}\n",
                "templates/base.html": "<body>{% block body %}{% endblock %}</body>\n",
            },
            Finding(
                (3, 0, 3, 24),
                '`name` holds request data (route variable `name`, passed at app.py:7) and is output with '
                'autoescaping off, unescaped (XSS): escape or sanitize it',
                path='templates/hello.html',
            ),
        ),
        Case(  # a filter block, a loop over request values, a value the template reads itself
            {
                "app.py": APP + "\n@app.post('/preview')\ndef preview():\n    tags = request.form.getlist('tag')\n"
                "    return render_template('preview.html', tags=tags, title=request.form['title'])\n",
                "templates/preview.html": "{% filter safe %}<h1>{{ title }}</h1>{% endfilter %}\n"
                "{% for tag in tags %}<li>{{ tag | safe }}</li>{% endfor %}\n"
                "<p>{{ request.args.get('note')|safe }}</p>\n",
            },
            Finding(
                (1, 0, 1, 17),
                '`title` holds request data (`request.form` value, passed at app.py:8) and is output in a `{% filter '
                'safe %}` block, unescaped (XSS): escape or sanitize it',
                path='templates/preview.html',
            ),
            Finding(
                (2, 32, 2, 38),
                '`tags` holds request data (`request.form` value, passed at app.py:8) and is output with `|safe`, '
                'unescaped (XSS): escape or sanitize it',
                path='templates/preview.html',
            ),
            Finding(
                (3, 30, 3, 35),
                'request data (`request.args`) is output with `|safe`, unescaped (XSS): escape or sanitize it',
                path='templates/preview.html',
            ),
        ),
        Case(  # an included template shares the context
            {
                "views.py": "from flask import Blueprint, render_template, request\n\nbp = Blueprint('b', __name__)\n\n"
                "@bp.route('/q')\ndef query():\n    return render_template('page.html', q=request.args['q'])\n",
                "app.py": "from flask import Flask\nfrom views import bp\n\napp = Flask(__name__)\n"
                "app.register_blueprint(bp)\n",
                "templates/page.html": "<main>{% include 'partials/q.html' %}</main>\n",
                "templates/partials/q.html": "<b>{{ ('Query: ' ~ q)|safe }}</b>\n",
            },
            Finding(
                (1, 21, 1, 26),
                '`q` holds request data (`request.args` value, passed at views.py:7) and is output with `|safe`, '
                'unescaped (XSS): escape or sanitize it',
                path='templates/partials/q.html',
            ),
        ),
        Case(  # a template Flask does not autoescape, returned as the page
            {
                "app.py": APP + "\n@app.route('/greet')\ndef greet():\n"
                "    return render_template('greet.j2', who=request.args['who'])\n",
                "templates/greet.j2": "<p>Hi {{ who }}</p>\n",
            },
            Finding(
                (7, 43, 7, 62),
                '`request.args` value passed as `who` to `greet.j2` is output unescaped: Flask autoescapes only '
                '.html, .htm, .xml, .xhtml and .svg templates, not `greet.j2` (XSS)',
                path='app.py',
            ),
        ),
        Case(  # autoescaping switched off for the whole app
            {
                "app.py": APP + "app.jinja_env.autoescape = False\n\n@app.route('/greet')\ndef greet():\n"
                "    return render_template('greet.html', who=request.args['who'])\n",
                "templates/greet.html": "<p>Hi {{ who|upper }}</p>\n",
            },
            Finding(
                (8, 45, 8, 64),
                '`request.args` value passed as `who` to `greet.html` is output unescaped: `app.jinja_env.autoescape '
                '= False` (app.py:4) turns autoescaping off (XSS)',
                path='app.py',
            ),
        ),
        Case(  # a blueprint's template; JSON text is not escaped for a <script> element
            {
                "app.py": "from flask import Flask\nfrom tools import bp\n\napp = Flask(__name__)\n"
                "app.register_blueprint(bp)\n",
                "tools/__init__.py": "import json\n\nfrom flask import Blueprint, render_template, request\n\n"
                "bp = Blueprint('tools', __name__, template_folder='templates')\n\n@bp.route('/panel')\n"
                "def panel():\n    params = {k: v for k, v in request.args.items()}\n"
                "    return render_template('tools/panel.html', params=json.dumps(params))\n",
                "tools/templates/tools/panel.html": "<script>start({{ params|safe }});</script>\n",
            },
            Finding(
                (1, 23, 1, 28),
                "`params` holds request data (`request.args` value, passed at tools/__init__.py:10) and is output "
                "with `|safe`, unescaped (XSS): escape or sanitize it",
                path="tools/templates/tools/panel.html",
            ),
        ),
        Case(  # a raw Jinja environment does not autoescape
            {
                "app.py": "from flask import Flask, request\nfrom jinja2 import Environment, FileSystemLoader\n\n"
                "app = Flask(__name__)\nenv = Environment(loader=FileSystemLoader('pages'))\n\n"
                "@app.route('/hello')\ndef hello():\n"
                "    return env.get_template('hello.html').render(name=request.args['name'])\n",
            },
            Finding(
                (9, 54, 9, 74),
                "`request.args` value passed as `name` to a Jinja template that does not autoescape (its "
                "`Environment`/`Template` has no `autoescape=`) and returned as HTML (XSS): create it with "
                "`autoescape=select_autoescape()`",
            ),
        ),
    ]
    valid = [
        {"app.py": SEARCH, "templates/search.html": "<p>Results for {{ q }}</p>\n"},
        {  # Markup already, escaped first, constants, a filter of the project's own, a form's hidden tag
            "app.py": SEARCH,
            "templates/search.html": "<script>var q = {{ q|tojson|safe }};</script>{{ q|e|safe }}{{ '<hr>'|safe }}"
            "{{ q|markdown|safe }}{{ form.hidden_tag() }}{% set q = q|e %}{{ q|safe }}\n",
        },
        {  # sanitized or escaped in the view; an int route variable
            "app.py": "import bleach\nfrom markupsafe import escape\n" + APP + "\n@app.route('/a/<int:n>')\n"
            "def a(n):\n    return render_template('a.html', n=n, b=bleach.clean(request.args['b']),"
            " c=escape(request.args['c']))\n",
            "templates/a.html": "{{ n|safe }}{{ b|safe }}{% autoescape false %}{{ c }}{% endautoescape %}\n",
        },
        {  # autoescape true; the |safe is on another variable; a bare autoescape false with no request data
            "app.py": SEARCH,
            "templates/search.html": "{% autoescape true %}{{ q }}{% endautoescape %}{{ intro|safe }}\n"
            "{% autoescape false %}{{ page.body }}{% endautoescape %}\n",
        },
        {  # another template gets the request data
            "app.py": SEARCH + "\n@app.route('/')\ndef index():\n    return render_template('index.html', q='x')\n",
            "templates/search.html": "<p>{{ q }}</p>\n",
            "templates/index.html": "<p>{{ q|safe }}</p>\n",
        },
        {  # a plain-text template rendered for an e-mail, not sent as the page
            "app.py": APP + "\n@app.post('/contact')\ndef contact():\n"
            "    body = render_template('mail.txt', name=request.form['name'])\n    send(body)\n    return 'sent'\n",
            "templates/mail.txt": "From {{ name }}\n",
        },
        {  # the app escapes .j2 templates too
            "app.py": "from flask import Flask, render_template, request\n\n\nclass App(Flask):\n"
            "    def select_jinja_autoescape(self, filename):\n        return filename.endswith(('.html', '.j2'))\n\n\n"
            "app = App(__name__)\n\n@app.route('/greet')\ndef greet():\n"
            "    return render_template('greet.j2', who=request.args['who'])\n",
            "templates/greet.j2": "<p>Hi {{ who }}</p>\n",
        },
        {  # raw Jinja told to escape
            "app.py": "from flask import Flask, request\n"
            "from jinja2 import Environment, Template, select_autoescape\n\napp = Flask(__name__)\n"
            "env = Environment(autoescape=select_autoescape())\n\n"
            "@app.route('/a')\ndef a():\n    return env.from_string('{{ q }}').render(q=request.args['q'])\n\n"
            "@app.route('/b')\ndef b():\n    return Template('{{ q }}', autoescape=True).render(q=request.args['q'])\n",
        },
    ]

    # -- collecting ------------------------------------------------------------------------------
    def collect(self, model: ModuleModel) -> FileData | None:
        renders = [
            RenderData(
                template=r.template,
                span=r.span,
                passed=[PassedData(keyword=p.keyword, label=p.label, span=p.span) for p in r.passed],
                html=r.html,
                owners=list(r.owners),
            )
            for r in tainted_renders(model)
        ]
        settings = [SettingData(how=s.how, span=s.span, text=s.text) for s in autoescape_settings(model)]
        raw = [PassedData(keyword=p.keyword, label=p.label, span=p.span) for p in raw_jinja_renders(model)]
        if not (renders or settings or raw):
            return None
        return FileData(python=PythonData(renders=renders, settings=settings, raw=raw), template=None)

    def collect_template(self, template: TemplateModel) -> FileData | None:
        found = template_output(template)
        if found is None:
            return None
        sites = [
            SiteData(kind=s.kind, span=s.span, names=list(s.names), request=list(s.request)) for s in found.unescaped
        ]
        data = TemplateData(
            sites=sites,
            outputs=sorted(found.outputs),
            request_outputs=sorted(found.request_outputs),
            shares=found.shares_context_with,
        )
        return FileData(python=None, template=data)

    # -- checking ----------------------------------------------------------------------------------
    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        template = self.template_data(facts)
        if template is not None:
            return self._template(index, facts, template)
        python = self.python_data(facts)
        if python is not None:
            return self._renders(index, facts, python)
        return ()

    def python_data(self, facts: FileFacts | None) -> PythonData | None:
        """A production module's data (test files drive the app, they do not serve it)."""
        data = self.data(facts) if facts is not None and facts.kind == "python" and not facts.is_test else None
        return data["python"] if data else None

    def template_data(self, facts: FileFacts | None) -> TemplateData | None:
        data = self.data(facts) if facts is not None and facts.kind == "template" else None
        return data["template"] if data else None

    def _template(self, index: ProjectIndex, facts: FileFacts, data: TemplateData) -> Iterator[Diagnostic]:
        """`|safe`, `{% filter safe %}`, `{% autoescape false %}` reached by request data."""
        if not data["sites"] or not index.is_flask_template(facts.path):
            return
        if index.template_jinja(facts.path).custom_syntax:
            return  # Jinja's default parse of the file proves nothing
        reached = self.reached(index).get(facts.path, [])
        for site in data["sites"]:
            where = WHERE[site["kind"]]
            if site["request"]:
                label = site["request"][0]
                message = f"request data ({label}) is output {where}, unescaped (XSS): escape or sanitize it"
                yield self.diagnostic(facts.path, tuple(site["span"]), message)  # type: ignore[arg-type]
                continue
            hit = next(
                (
                    (name, path, render, passed)
                    for name in site["names"]
                    for path, render in reached
                    for passed in render["passed"]
                    if passed["keyword"] == name
                ),
                None,
            )
            if hit is not None:
                name, path, render, passed = hit
                origin = f"{path}:{passed['span'][0]}"
                message = (
                    f"`{name}` holds request data ({passed['label']}, passed at {origin}) and is output {where},"
                    " unescaped (XSS): escape or sanitize it"
                )
                yield self.diagnostic(facts.path, tuple(site["span"]), message)  # type: ignore[arg-type]

    def _renders(self, index: ProjectIndex, facts: FileFacts, data: PythonData) -> Iterator[Diagnostic]:
        """Request data rendered into a template the app does not autoescape, and output there."""
        for passed in data["raw"]:
            message = (
                f"{passed['label']} passed as `{passed['keyword']}` to a Jinja template that does not autoescape"
                " (its `Environment`/`Template` has no `autoescape=`) and returned as HTML (XSS): create it with"
                " `autoescape=select_autoescape()`"
            )
            yield self.diagnostic(facts.path, tuple(passed["span"]), message)  # type: ignore[arg-type]
        off, custom = index.derived((self.code, "settings"), lambda: _project_settings(self, index))
        for render in data["renders"]:
            if not render["html"]:
                continue
            if off is not None:
                setting_path, setting = off
                reason = f"`{setting['text']}` ({setting_path}:{setting['span'][0]}) turns autoescaping off"
            elif not is_autoescaped(render["template"]) and not custom:
                reason = (
                    "Flask autoescapes only .html, .htm, .xml, .xhtml and .svg templates,"
                    f" not `{render['template']}`"
                )
            else:
                continue
            view = index.view_for(facts, render["owners"])
            outputs: set[str] = set()
            for path in self._loaded(index, view, render["template"]):
                template = self.template_data(index.files.get(path))
                if template is not None:
                    outputs.update(template["outputs"])
            for passed in render["passed"]:
                if passed["keyword"] in outputs:
                    message = (
                        f"{passed['label']} passed as `{passed['keyword']}` to `{render['template']}` is output"
                        f" unescaped: {reason} (XSS)"
                    )
                    yield self.diagnostic(facts.path, tuple(passed["span"]), message)  # type: ignore[arg-type]

    def templates_read(self, index: ProjectIndex) -> Iterable[str]:
        """What `_renders` reads: the templates each render loads, and those they extend or include."""
        return self.reached(index).keys()

    # -- which templates a render call reaches ---------------------------------------------------
    def reached(self, index: ProjectIndex) -> dict[str, list[tuple[str, RenderData]]]:
        """Template path -> the render calls (file, call) whose context reaches it; built once per index."""
        return index.derived((self.code, "reached"), lambda: self._find_reached(index))

    def _find_reached(self, index: ProjectIndex) -> dict[str, list[tuple[str, RenderData]]]:
        reached: dict[str, list[tuple[str, RenderData]]] = {}
        for path, facts in index.files.items():
            data = self.python_data(facts)
            for render in data["renders"] if data else ():
                view = index.view_for(facts, render["owners"])
                for template in self._loaded(index, view, render["template"]):
                    reached.setdefault(template, []).append((path, render))
        return reached

    def _loaded(self, index: ProjectIndex, view: AppView, name: str) -> list[str]:
        """The files `render_template(name)` loads, and those they extend or include (same context)."""
        found: list[str] = []
        pending = [name]
        seen: set[str] = set()
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            for path in view.template_files(current):
                found.append(path)
                data = self.template_data(index.files.get(path))
                if data is not None:
                    pending.extend(data["shares"])
        return found


def _project_settings(
    rule: UnescapedTemplateOutput, index: ProjectIndex
) -> tuple[tuple[str, SettingData] | None, bool]:
    """The project's autoescape-off setting (only with one app: which app it belongs to is not
    followed) and whether any setting may change which templates are escaped."""
    off: tuple[str, SettingData] | None = None
    custom = False
    for path, facts in index.files.items():
        data = rule.python_data(facts)
        for setting in data["settings"] if data else ():
            custom = True
            if setting["how"] == "off" and off is None and index.app_count <= 1:
                off = (path, setting)
    return off, custom
