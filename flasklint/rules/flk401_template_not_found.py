from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, TypedDict

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.app_scope import AppView
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex
from flasklint.model.template_loads import (
    TemplateLoad,
    closest_names,
    flask_rendered,
    folders_knowable,
    jinja_name,
    may_be_generated,
    python_loads,
    template_loads,
)
from flasklint.rule import Case, Finding, ProjectRule

if TYPE_CHECKING:
    from flasklint.model.module import ModuleModel
    from flasklint.model.templates import TemplateModel

CLEAR_RATIO = 0.8  # a lone best candidate at least this similar (and clearly ahead) is "clearly meant"
CLEAR_LEAD = 0.15
MAX_FOLDERS_NAMED = 3
_APP = "from flask import Flask, render_template\n\napp = Flask(__name__)\n\n"
_BP_APP = "from flask import Flask\nfrom auth import bp\n\napp = Flask(__name__)\napp.register_blueprint(bp)\n"
_BP = (
    "from flask import Blueprint, render_template\n\nbp = Blueprint('auth', __name__, template_folder='templates')\n\n"
    "@bp.route('/login')\ndef login():\n"
)


class LoadData(TypedDict):
    names: list[str]
    span: tuple[int, int, int, int]
    how: str
    owners: list[str]
    plain: bool


class TemplateNotFound(ProjectRule):
    """
    ## What it does
    Reports a template loaded by a literal name that no template folder of the app can provide:
    `render_template("x.html")` and `stream_template("x.html")` in Python (a list of names when none
    of them exists), and `{% extends %}`, `{% include %}`, `{% import %}` and `{% from ... import %}`
    in templates. Flask looks in the app's `template_folder` (`templates` beside the module named by
    the app's import name), then in the `template_folder` of each registered blueprint; the rule
    checks the union of those folders, on disk, for the app(s) that run the code: the apps a view is
    registered on, the apps whose folders hold a template, every app when the owner is unknown (a
    helper, a module-level call). In a repository with several apps, a template only another app has
    is reported.

    It stays silent where the lookup is not Flask's alone or not fully known: a custom
    `jinja_loader` (`ChoiceLoader`, `PackageLoader`, a loader put in `jinja_options` or on
    `jinja_env.loader`, a mutated `searchpath`, a Flask subclass overriding the loader), a template
    folder, root path or import name the source computes (from a config object, `os.path.join`), a
    blueprint registered where the index cannot follow it (a loop, a plugin hook) or with a template
    folder registered nowhere, and extensions that bring templates or loaders (Flask-Admin,
    Flask-AppBuilder, Flask-Themes2, the debug toolbar). Any other imported extension may register a
    blueprint with templates in a folder of its own (`bootstrap5/form.html`,
    `security/login_user.html`): with one, only names without a folder are checked. Also silent: a
    name whose directory holds no file in any template folder or that Git ignores (templates a build
    step generates), a template no Flask render is seen reaching (an email renderer with its own
    Jinja environment may load it from another root), computed names,
    `{% include ... ignore missing %}`, a list include, names with `..` or a backslash, test files,
    and projects without a Flask app.

    ## Why is this bad?
    Jinja raises `jinja2.exceptions.TemplateNotFound: indx.html` (for a list:
    `jinja2.exceptions.TemplatesNotFound: none of the templates given were found: a.html, b.html`)
    when the page is rendered, not when the app starts: a typo or a template left in another app's
    or blueprint's folder passes every import-time check and becomes a 500 error on the first
    request that reaches it.

    ## Example
    ```python
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route("/")
    def index():
        return render_template("indx.html")
    ```

    ```html title="templates/index.html"
    <h1>Home</h1>
    ```

    ## Use instead
    ```python
    from flask import Flask, render_template

    app = Flask(__name__)

    @app.route("/")
    def index():
        return render_template("index.html")
    ```

    ```html title="templates/index.html"
    <h1>Home</h1>
    ```

    ## Fix safety
    The fix replaces the name with the closest template the app has, offered only when one
    candidate is clearly meant (the same file name in another folder, or a lone close spelling). It
    is unsafe: the closest name is a guess, and the template may be meant to be added.
    """

    code = "FLK401"
    name = "template-not-found"
    summary = "A template loaded by name that no template folder of the app holds"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    kinds = frozenset({"python", "template"})
    data_shape = list[LoadData]
    invalid = [
        Case(
            {
                "app.py": '''from flask import Flask, render_template

app = Flask(__name__)

@app.route("/")
def index():
    return render_template("indx.html")
''',
                "templates/index.html": "<h1>Home</h1>\n",
            },
            Finding(
                (7, 27, 7, 38),
                "`render_template('indx.html')`: no template 'indx.html' in templates/ (did you mean 'index.html'?); "
                "Jinja raises TemplateNotFound here",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''from flask import Flask, render_template

app = Flask(__name__)

@app.route("/")
def index():
    return render_template("index.html")
'''
            },
        ),
        Case(
            {
                "app.py": _APP + "@app.route('/')\ndef index():\n    return render_template('page.html')\n",
                "templates/page.html": '{% extends "layout.html" %}\n{% block body %}{% include "_nav.html" %}{% endblock %}\n',
                "templates/base.html": "<body>{% block body %}{% endblock %}</body>\n",
                "templates/_navbar.html": "<nav></nav>\n",
            },
            Finding(
                (1, 12, 1, 23),
                "`{% extends 'layout.html' %}`: no template 'layout.html' in templates/; Jinja raises TemplateNotFound here",
                path="templates/page.html",
            ),
            Finding(
                (2, 28, 2, 37),
                "`{% include '_nav.html' %}`: no template '_nav.html' in templates/ (did you mean '_navbar.html'?); "
                "Jinja raises TemplateNotFound here",
                path="templates/page.html",
                fix="unsafe",
            ),
            fixed={
                "templates/page.html": '{% extends "layout.html" %}\n{% block body %}{% include "_navbar.html" %}{% endblock %}\n'
            },
        ),
        Case(
            {
                "app.py": _BP_APP,
                "auth/__init__.py": _BP + "    return render_template('login.html')\n",
                "auth/templates/auth/login.html": "<form></form>\n",
            },
            Finding(
                (7, 27, 7, 39),
                "`render_template('login.html')`: no template 'login.html' in auth/templates/ or templates/ "
                "(did you mean 'auth/login.html'?); Jinja raises TemplateNotFound here",
                path="auth/__init__.py",
                fix="unsafe",
            ),
            fixed={"auth/__init__.py": _BP + "    return render_template('auth/login.html')\n"},
        ),
        Case(
            {
                "a/app.py": _APP + "@app.route('/report')\ndef report():\n    return render_template('report.html')\n",
                "a/templates/report.html": "<table></table>\n",
                "b/app.py": _APP + "@app.route('/')\ndef home():\n    return render_template('report.html')\n",
                "b/templates/home.html": "<h1>Home</h1>\n",
            },
            Finding(
                (7, 27, 7, 40),
                "`render_template('report.html')`: no template 'report.html' in b/templates/; Jinja raises TemplateNotFound here",
                path="b/app.py",
            ),
        ),
        Case(
            {
                "app.py": "from flask import Flask, render_template, stream_template\n\napp = Flask(__name__)\n\n"
                "@app.route('/')\ndef index():\n    return render_template(['custom.html', 'default.html'])\n\n"
                "@app.route('/feed')\ndef feed():\n    return stream_template('feed.html')\n",
                "templates/index.html": "<h1>Home</h1>\n",
            },
            Finding(
                (7, 27, 7, 58),
                "`render_template(['custom.html', 'default.html'])`: none of 'custom.html', 'default.html' is in "
                "templates/; Jinja raises TemplatesNotFound here",
            ),
            Finding(
                (11, 27, 11, 38),
                "`stream_template('feed.html')`: no template 'feed.html' in templates/; Jinja raises TemplateNotFound here",
            ),
        ),
    ]
    valid = [
        {
            "app.py": '''from flask import Flask, render_template

app = Flask(__name__)

@app.route("/")
def index():
    return render_template("index.html")
''',
            "templates/index.html": "<h1>Home</h1>\n",
        },
        # A blueprint's folder: `auth/login.html` is found in auth/templates/ after the app's folder.
        {
            "app.py": _BP_APP,
            "auth/__init__.py": _BP + "    return render_template('auth/login.html')\n",
            "auth/templates/auth/login.html": "<form></form>\n",
        },
        # A loader of the app's own: any name may exist.
        {
            "app.py": "from flask import Flask, render_template\nfrom jinja2 import ChoiceLoader, PackageLoader\n\n"
            "app = Flask(__name__)\napp.jinja_loader = ChoiceLoader([app.jinja_loader, PackageLoader('themes')])\n\n"
            "@app.route('/')\ndef index():\n    return render_template('theme/index.html')\n",
            "templates/base.html": "<body></body>\n",
        },
        {
            "app.py": "from flask import Flask, render_template\nfrom jinja2 import FileSystemLoader\n\n"
            "app = Flask(__name__)\napp.jinja_options = {'loader': FileSystemLoader('pages')}\n\n"
            "@app.route('/')\ndef index():\n    return render_template('index.html')\n",
            "templates/base.html": "<body></body>\n",
        },
        {
            "app.py": "from flask import Flask, render_template\n\napp = Flask(__name__)\n"
            "app.jinja_loader.searchpath.append('/srv/pages')\n\n"
            "@app.route('/')\ndef index():\n    return render_template('index.html')\n",
            "templates/base.html": "<body></body>\n",
        },
        # A folder the source computes, an extension's templates, a generated folder, a dynamic name.
        {
            "app.py": "from flask import Flask, render_template\nimport config\n\n"
            "app = Flask(__name__, template_folder=config.TEMPLATES)\n\n"
            "@app.route('/')\ndef index():\n    return render_template('index.html')\n",
            "config.py": "TEMPLATES = 'views'\n",
            "templates/base.html": "<body></body>\n",
        },
        {
            "app.py": "from flask import Flask, render_template\nfrom flask_admin import Admin\n\n"
            "app = Flask(__name__)\nadmin = Admin(app)\n\n"
            "@app.route('/')\ndef index():\n    return render_template('admin/master.html')\n",
            "templates/base.html": "<body></body>\n",
        },
        {
            "app.py": _APP + "@app.route('/')\ndef index():\n    return render_template('dist/index.html')\n\n"
            "@app.route('/<page>')\ndef page(page):\n    return render_template(page + '.html')\n",
            "templates/base.html": "<body></body>\n",
        },
        {
            "app.py": _APP + "@app.route('/')\ndef index():\n    return render_template('page.html')\n",
            "templates/page.html": '{% include "ads.html" ignore missing %}{% include ["a.html", "b.html"] %}'
            "{% extends layout %}\n",
        },
        # A helper in a project with two apps: the name exists in one of them.
        {
            "a/app.py": _APP + "@app.route('/')\ndef index():\n    return 'a'\n",
            "a/templates/report.html": "<table></table>\n",
            "b/app.py": _APP + "@app.route('/')\ndef index():\n    return 'b'\n",
            "b/templates/home.html": "<h1>Home</h1>\n",
            "b/helpers.py": "from flask import render_template\n\ndef report():\n    return render_template('report.html')\n",
        },
        {
            "app.py": _APP + "@app.route('/')\ndef index():\n    return 'home'\n",
            "templates/base.html": "<body></body>\n",
            "tests/test_pages.py": "from flask import render_template\n\ndef test_missing():\n    render_template('nope.html')\n",
        },
    ]

    # -- collecting ------------------------------------------------------------------------------
    def collect(self, model: "ModuleModel") -> list[LoadData] | None:
        return _data(python_loads(model))

    def collect_template(self, template: "TemplateModel") -> list[LoadData] | None:
        return _data(template_loads(template))

    # -- checking ----------------------------------------------------------------------------------
    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        loads: list[LoadData] | None = self.data(facts)
        if not loads or not index.has_app or facts.is_test:
            return
        template_view = index.template_view(facts.path) if facts.kind == "template" else None
        if facts.kind == "template" and (template_view is None or facts.path not in self._rendered(index)):
            return  # no app loads this file as a template, or no Flask render is seen reaching it
        for load in loads:
            view = template_view or index.view_for(facts, load["owners"])
            diagnostic = self._check_load(index, view, facts, load)
            if diagnostic is not None:
                yield diagnostic

    def _rendered(self, index: ProjectIndex) -> set[str]:
        return index.derived((self.code, "rendered"), lambda: flask_rendered(index, self._names))

    def _names(self, facts: FileFacts) -> list[str]:
        """The names a file loads, as Jinja's loaders look them up."""
        loads: list[LoadData] = self.data(facts) or []
        return [name for load in loads for name in map(jinja_name, load["names"]) if name is not None]

    def _check_load(self, index: ProjectIndex, view: AppView, facts: FileFacts, load: LoadData) -> Diagnostic | None:
        names = [jinja_name(name) for name in load["names"]]
        if not _lookup_known(view) or None in names:
            return None
        wanted = [name for name in names if name is not None]
        if view.extension_templates and any("/" in name for name in wanted):
            return None  # an extension's blueprint may hold it ("bootstrap/base.html")
        if any(view.has_template_file(name) or may_be_generated(view, name) for name in wanted):
            return None
        return self._report(index, view, facts, load)

    def _report(self, index: ProjectIndex, view: AppView, facts: FileFacts, load: LoadData) -> Diagnostic:
        names = load["names"]
        folders = _folders(view)
        closest: list[str] = []
        if len(names) == 1:
            known = index.templates_of(view) - set(index.template_names(facts.path, view.template_folders))
            closest = closest_names(jinja_name(names[0]) or names[0], known)
            hint = f" (did you mean {' or '.join(repr(c) for c in closest)}?)" if closest else ""
            problem = f"no template '{names[0]}' in {folders}{hint}; Jinja raises TemplateNotFound here"
        else:
            listed = ", ".join(repr(name) for name in names)
            problem = f"none of {listed} is in {folders}; Jinja raises TemplatesNotFound here"
        message = f"{_written(load)}: {problem}"
        choice = _clear_choice(names[0], closest) if load["plain"] else None
        fix = _replace_name(load, facts.kind, choice) if choice else None
        return self.diagnostic(facts.path, tuple(load["span"]), message, fix=fix, templates=list(names), suggestions=closest)


def _data(loads: list[TemplateLoad]) -> list[LoadData] | None:
    found = [
        LoadData(names=list(load.names), span=load.span, how=load.how, owners=list(load.owners), plain=load.plain)
        for load in loads
    ]
    return found or None


def _lookup_known(view: AppView) -> bool:
    """The index knows every place the app(s) may load a template from."""
    return bool(view.template_folders) and not (
        view.templates_incomplete or view.jinja.opaque or not folders_knowable(view)
    )


def _folders(view: AppView) -> str:
    folders = [f"{folder}/" if folder not in ("", ".") else "the project root" for folder in view.template_folders]
    if len(folders) > MAX_FOLDERS_NAMED:
        return f"{', '.join(folders[:MAX_FOLDERS_NAMED])} or {len(folders) - MAX_FOLDERS_NAMED} other template folders"
    return " or ".join(folders)


def _written(load: LoadData) -> str:
    """The load as the source spells it, for the message."""
    names = load["names"]
    if load["how"] in ("render_template", "stream_template"):
        argument = repr(names[0]) if len(names) == 1 else "[" + ", ".join(repr(n) for n in names) + "]"
        return f"`{load['how']}({argument})`"
    return f"`{{% {load['how']} {names[0]!r} %}}`"


def _clear_choice(name: str, closest: list[str]) -> str | None:
    """The one candidate clearly meant: the only one, or one much more similar than the rest."""
    if len(closest) == 1:
        return closest[0]
    if not closest:
        return None
    import difflib

    ratios = sorted(((difflib.SequenceMatcher(None, name, c).ratio(), c) for c in closest), reverse=True)
    (best, choice), (second, _) = ratios[0], ratios[1]
    return choice if best >= CLEAR_RATIO and best - second >= CLEAR_LEAD else None


def _replace_name(load: LoadData, kind: str, replacement: str) -> Fix:
    """Replace the name inside its literal: Python spans include the quotes, template spans do not."""
    line, column, end_line, end_column = load["span"]
    inner = 1 if kind == "python" else 0
    edit = Edit(Location(line, column + inner), Location(end_line, end_column - inner), replacement)
    return Fix(f"Replace with '{replacement}'", (edit,), Applicability.UNSAFE)
