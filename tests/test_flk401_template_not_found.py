"""FLK401 template-not-found: what real Flask does with the rule's cases, positives, traps, and the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flasklint.rules.flk401_template_not_found import TemplateNotFound
from rule_testing import check_fixed, findings, write_project

APP = "from flask import Flask, render_template\n\napp = Flask(__name__)\n\n"
VIEW = "@app.route('/')\ndef index():\n    return render_template({})\n"
RENDER = """
import json, sys
from {module} import app
with app.test_request_context():
    try:
        print(json.dumps(["ok", str(app.view_functions[{endpoint!r}]())]))
    except Exception as error:
        print(json.dumps([type(error).__module__ + "." + type(error).__name__, str(error)]))
"""


def _render(root: Path, module: str, endpoint: str) -> list[str]:
    """Call a view of a test-written project with real Flask (in its own process: never analysed code)."""
    script = RENDER.format(module=module, endpoint=endpoint)
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_real_flask_raises_for_the_reported_name_and_renders_the_fixed_one(tmp_path: Path) -> None:
    case = TemplateNotFound.invalid[0]
    write_project(tmp_path, case.files)
    assert _render(tmp_path, "app", "index") == ["jinja2.exceptions.TemplateNotFound", "indx.html"]
    check_fixed(tmp_path, "FLK401", case.fixed)
    assert _render(tmp_path, "app", "index") == ["ok", "<h1>Home</h1>"]


def test_real_flask_finds_a_blueprint_template_the_rule_leaves_alone(tmp_path: Path) -> None:
    """The trap: `auth/login.html` lives in the blueprint's folder, after the app's own."""
    write_project(tmp_path, TemplateNotFound.valid[1])
    assert _render(tmp_path, "app", "auth.login") == ["ok", "<form></form>"]
    reported = TemplateNotFound.invalid[2]
    write_project(tmp_path, reported.files)
    assert _render(tmp_path, "app", "auth.login") == ["jinja2.exceptions.TemplateNotFound", "login.html"]


def test_real_flask_raises_templates_not_found_for_a_list(tmp_path: Path) -> None:
    write_project(tmp_path, TemplateNotFound.invalid[4].files)
    assert _render(tmp_path, "app", "index") == [
        "jinja2.exceptions.TemplatesNotFound",
        "none of the templates given were found: custom.html, default.html",
    ]


@pytest.mark.parametrize(
    ("files", "row"),
    [
        # Names Jinja normalises: "./x" and "a//b" are looked up as "x" and "a/b".
        ({"app.py": APP + VIEW.format("'./indx.html'"), "templates/index.html": "x\n"}, 7),
        # An extension that may register a blueprint silences only names in a folder: "indx.html" is not one.
        ({"app.py": "from flask_foo import Foo\n" + APP + VIEW.format("'indx.html'"), "templates/index.html": "x\n"}, 8),
        # A tuple of names where none exists.
        ({"app.py": APP + VIEW.format("('a.html', 'b.html')"), "templates/index.html": "x\n"}, 7),
        # The template of a macro import.
        (
            {
                "app.py": APP + VIEW.format("'page.html'"),
                "templates/page.html": "{% from 'macro.html' import field %}\n",
                "templates/macros.html": "{% macro field() %}{% endmacro %}\n",
            },
            1,
        ),
        # A template reached through another one's include.
        (
            {
                "app.py": APP + VIEW.format("'page.html'"),
                "templates/page.html": "{% include 'partials/nav.html' %}\n",
                "templates/partials/nav.html": "{% import 'partials/links.html' as links %}\n",
            },
            1,
        ),
    ],
)
def test_reported(project, files: dict[str, str], row: int) -> None:
    assert [found[1] for found in findings(project(files, select="FLK401"))] == [row]


@pytest.mark.parametrize(
    "files",
    [
        # Loaders of the project's own, wherever they are set.
        {"app.py": APP + "app.jinja_env.loader = make_loader()\n\n" + VIEW.format("'x.html'"), "templates/a.html": ""},
        {
            "app.py": "from flask import Flask, render_template\n\nclass MyFlask(Flask):\n"
            "    def create_global_jinja_loader(self):\n        return make_loader()\n\n"
            "app = MyFlask(__name__)\n\n" + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        {
            "app.py": APP + "def setup(app):\n    app.jinja_loader.searchpath.insert(0, 'themes')\n\n" + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        {"app.py": APP + "app.jinja_options = dict(loader=make_loader())\n\n" + VIEW.format("'x.html'"), "templates/a.html": ""},
        # Folders the index cannot compute: a root path, an import name it cannot find, a folder outside.
        {
            "app.py": "import os\nfrom flask import Flask, render_template\n\napp = Flask(__name__, root_path=os.getcwd())\n\n"
            + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        {"app.py": APP.replace("__name__", "'webapp'") + VIEW.format("'x.html'"), "templates/a.html": ""},
        {
            "app.py": APP.replace("__name__", "__name__, template_folder='/srv/templates'") + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        # Blueprints the index cannot see, or cannot place.
        {
            "app.py": APP + "for blueprint in load_plugins():\n    app.register_blueprint(blueprint)\n\n" + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        {
            "app.py": APP + VIEW.format("'x.html'"),
            "plugin.py": "from flask import Blueprint\n\nbp = Blueprint('plugin', __name__, template_folder='views')\n",
            "templates/a.html": "",
            "views/x.html": "",
        },
        {
            "app.py": "from flask_themes2 import Themes\n" + APP + "Themes(app)\n\n" + VIEW.format("'x.html'"),
            "templates/a.html": "",
        },
        # An extension's own folder ("bootstrap/..."), even next to a folder of the same name.
        {
            "app.py": "from flask_bootstrap import Bootstrap5\n" + APP + "Bootstrap5(app)\n\n" + VIEW.format("'page.html'"),
            "templates/page.html": "{% import 'bootstrap5/form.html' as wtf %}\n",
            "templates/bootstrap5/custom.html": "",
        },
        # Names that can never load, or load differently per system: left to the runtime.
        {"app.py": APP + VIEW.format("'../secret.html'"), "templates/a.html": ""},
        # A template folder that does not exist (every load of the app would fail: a build step makes it).
        {"app.py": APP + VIEW.format("'index.html'"), "static/app.js": ""},
        # A template no Flask render reaches: an environment of its own may render it, from another root.
        {
            "app.py": APP + VIEW.format("'index.html'"),
            "mailer.py": "from jinja2 import Environment, FileSystemLoader\n\n"
            "env = Environment(loader=FileSystemLoader('templates/emails'))\n",
            "templates/index.html": "",
            "templates/emails/welcome.html": "{% extends 'email_base.html' %}\n",
            "templates/emails/email_base.html": "",
        },
        # Generated templates: a directory with only a placeholder, a path Git ignores.
        {"app.py": APP + VIEW.format("'dist/index.html'"), "templates/base.html": "", "templates/dist/.keep": ""},
        {
            "app.py": APP + VIEW.format("'build/index.html'"),
            ".gitignore": "*.pyc\ntemplates/build/\n",
            "templates/base.html": "",
            "templates/build/index.tmpl": "",
        },
        # Not an app's template: nothing loads it.
        {"app.py": APP, "docs/templates/page.html": "{% extends 'missing.html' %}\n"},
        # No Flask app in the project (a library's blueprint is someone else's app's).
        {
            "ext.py": "from flask import Blueprint, render_template\n\nbp = Blueprint('ext', __name__, template_folder='templates')\n\n"
            "@bp.route('/')\ndef index():\n    return render_template('nope.html')\n",
            "templates/a.html": "",
        },
    ],
)
def test_traps_are_silent(project, files: dict[str, str]) -> None:
    assert findings(project(files, select="FLK401")) == []


def test_a_template_only_another_app_has_is_reported_in_the_app_that_lacks_it(project) -> None:
    found = project(TemplateNotFound.invalid[3].files, select="FLK401")
    assert [(d.path, d.start.row) for d in found] == [("b/app.py", 7)]


def test_no_fix_when_no_candidate_is_clearly_meant(project) -> None:
    files = {
        "app.py": APP + VIEW.format("'user.html'"),
        "templates/users.html": "",
        "templates/uses.html": "",
    }
    (found,) = project(files, select="FLK401")
    assert found.fix is None
    assert "(did you mean 'users.html' or 'uses.html'?)" in found.message
