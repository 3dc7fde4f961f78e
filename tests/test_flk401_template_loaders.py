"""What model/template_loaders.py records (the loaders FLK401 cannot see through), and what the index makes of it."""

from __future__ import annotations

from pathlib import Path

from flasklint.engine import Project, analyse_python
from rule_testing import write_project

SOURCE = b"""import os
from flask import Flask, Blueprint
import config

app = Flask(__name__, template_folder=config.TEMPLATES)
bp = Blueprint("x", __name__, root_path=os.getcwd())
app.jinja_loader = make()
app.jinja_env.loader = make()
env = app.jinja_env
env.loader = make()
app.jinja_options = {"loader": make()}
app.jinja_options = {"extensions": []}
app.jinja_loader.searchpath.append("x")
setattr(app, "template_folder", "x")
app.jinja_options.update(loader=make())
site = Flask(__name__, template_folder=None)
other = Flask("site", template_folder="pages")

class MyFlask(Flask):
    jinja_options = dict(Flask.jinja_options, loader=make())

    def jinja_loader(self):
        return None

    def setup(self):
        self.template_folder = "pages"
"""


def test_loader_changes_are_recorded_with_their_owner_and_span() -> None:
    facts = analyse_python("app.py", "app", False, SOURCE)
    found = sorted((u.span, u.owner, u.detail) for u in facts.unresolved if u.what == "loader")
    assert found == [
        ((5, 38, 5, 54), "app.app", "template_folder not a literal"),
        ((6, 40, 6, 51), "app.bp", "root_path given"),
        ((7, 0, 7, 16), "app.app", "jinja_loader assigned"),
        ((8, 0, 8, 20), "app.app", "jinja_env.loader assigned"),
        ((10, 0, 10, 10), "app.app", "jinja_env.loader assigned"),
        ((11, 0, 11, 17), "app.app", "jinja_options loader"),
        ((13, 0, 13, 39), "app.app", "app.jinja_loader.searchpath.append() changes a loader"),
        ((14, 0, 14, 36), "app.app", "setattr of a loader attribute"),
        ((15, 0, 15, 39), "app.app", "jinja_options loader"),
        ((20, 4, 20, 17), "class:app.MyFlask", "class attribute jinja_options"),
        ((22, 8, 22, 20), "class:app.MyFlask", "jinja_loader() overridden"),
        ((26, 8, 26, 28), "class:app.MyFlask", "template_folder assigned"),
    ]


def test_a_constructor_that_only_looks_like_flask_keeps_its_own_signature() -> None:
    """`sa.Table("project", ...)` may be a Flask subclass to the traversal: its 7th argument is no folder."""
    source = b"import sqlalchemy as sa\n\nproject = sa.Table('project', sa.MetaData(), a, b, c, d, sa.Column('x'))\n"
    assert [u for u in analyse_python("m.py", "m", False, source).unresolved if u.what == "loader"] == []


def _tables(root: Path, files: dict[str, str]) -> dict[str, tuple[bool, bool]]:
    write_project(root, files)
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return {key: (t.templates_incomplete, t.extension_templates) for key, t in project.index.tables.items()}


APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def test_the_index_marks_the_owning_app_only(tmp_path: Path) -> None:
    files = {
        "a.py": APP + "app.jinja_loader = make()\n",
        "b.py": APP,
        "c.py": "from flask import Flask\n\nclass Themed(Flask):\n    def jinja_loader(self):\n        return None\n",
    }
    assert _tables(tmp_path, files) == {"<app>": (False, False), "a.app": (True, False), "b.app": (False, False)}


def test_the_index_marks_every_app_for_unknown_owners_and_extensions(tmp_path: Path) -> None:
    files = {"a.py": APP + "def setup(x):\n    x.jinja_env.loader = make()\n", "b.py": APP}
    assert _tables(tmp_path, files) == {"<app>": (True, False), "a.app": (False, False), "b.app": (False, False)}
    files = {"a.py": "import flask_bootstrap\n" + APP, "b.py": APP}
    assert _tables(tmp_path, files) == {"<app>": (False, True), "a.app": (False, True), "b.app": (False, True)}
    files = {"a.py": "import flask_admin\n" + APP, "b.py": APP}
    assert _tables(tmp_path, files) == {"<app>": (True, True), "a.app": (True, True), "b.app": (True, True)}


def test_test_files_do_not_change_what_production_loads(tmp_path: Path) -> None:
    files = {
        "app.py": APP,
        "tests/test_app.py": "import flask_admin\nfrom app import app\n\napp.jinja_loader = make()\n"
        "app.register_blueprint(make_blueprint())\n",
    }
    assert _tables(tmp_path, files)["app.app"] == (False, False)
