"""FLK403: templates an app loads that Jinja rejects, at the token it stopped at, with the app's Jinja settings."""

from __future__ import annotations

from pathlib import Path

from flasklint.diagnostics import Diagnostic
from flasklint.engine import Project
from flasklint.model.facts import JinjaSetting
from flasklint.model.index import ProjectIndex
from flasklint.rules import RULES_BY_CODE
from rule_testing import findings, write_project

APP = "from flask import Flask\n\napp = Flask(__name__)\n"
RULE = RULES_BY_CODE["FLK403"]


def with_settings(root: Path, files: dict[str, str], *settings: JinjaSetting) -> list[Diagnostic]:
    """FLK403 on `templates/page.html` when app.py's app has these Jinja settings (as the traversal
    records them), so the rule's reading of them is tested apart from how they are found."""
    write_project(root, {"app.py": APP, **files})
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    project.facts["app.py"].jinja_settings.extend(settings)
    index = ProjectIndex.build(str(root), project.facts)
    return list(RULE.check(index, project.facts["templates/page.html"]))


def setting(extensions: list[str] | None = None, custom_syntax: bool = False, opaque: bool = False) -> JinjaSetting:
    return JinjaSetting("app.app", (4, 0, 4, 1), extensions or [], custom_syntax, opaque)


UNKNOWN_TAG = "template syntax error: Encountered unknown tag '{}'."


def test_a_tag_is_accepted_when_an_extension_of_the_app_defines_it(tmp_path: Path) -> None:
    page = {"templates/page.html": "<pre>\n{% debug %}\n</pre>\n"}
    assert [d.message for d in with_settings(tmp_path, page)] == [UNKNOWN_TAG.format("debug")]
    assert with_settings(tmp_path, page, setting(["jinja2.ext.debug"])) == []
    assert with_settings(tmp_path, page, setting(["jinja2.ext.DebugExtension"])) == []
    do_only = with_settings(tmp_path, page, setting(["jinja2.ext.do"]))
    assert [d.message for d in do_only] == [UNKNOWN_TAG.format("debug")]


def test_an_extension_whose_tags_are_unknown_silences_unknown_tags_only(tmp_path: Path) -> None:
    hamlish = setting(["hamlish_jinja.HamlishExtension"])
    assert with_settings(tmp_path, {"templates/page.html": "{% load static %}\n"}, hamlish) == []
    broken = {"templates/page.html": "<p>{{ user.name | }}</p>\n"}
    assert findings(with_settings(tmp_path, broken, hamlish)) == [
        ("templates/page.html", 1, 18, 1, 20, "template syntax error: expected token 'name', got 'end of print statement'"),
    ]


def test_a_misplaced_jinja_tag_is_reported_whatever_known_extension_the_app_adds(tmp_path: Path) -> None:
    page = {"templates/page.html": "{% for x in xs %}{% trans %}Hi{% endtrans %}{% endif %}\n"}
    [found] = with_settings(tmp_path, page, setting(["jinja2.ext.i18n", "jinja2.ext.debug"]))
    assert (found.start.row, found.start.column, found.end.column) == (1, 47, 52)
    assert found.message.startswith(UNKNOWN_TAG.format("endif")[:-1])


def test_other_delimiters_or_unreadable_options_silence_syntax_errors(tmp_path: Path) -> None:
    page = {"templates/page.html": "<p>{{ ok ? 'yes' : 'no' }}</p>\n<p>[[ user.name ]]</p>\n"}
    assert len(with_settings(tmp_path, page)) == 1
    assert with_settings(tmp_path, page, setting(custom_syntax=True)) == []
    assert with_settings(tmp_path, page, setting(opaque=True)) == []


def test_a_file_that_is_not_utf8_is_reported_whatever_the_syntax(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/page.html").write_bytes(b"<p>\ncaf\xe9</p>\n")
    [found] = with_settings(tmp_path, {}, setting(custom_syntax=True))
    assert (found.start.row, found.start.column) == (2, 0)
    assert found.message.startswith("template syntax error: cannot decode the template as UTF-8")


def test_flask_extensions_that_add_tags(project) -> None:
    page = "{% assets 'css' %}x{% endassets %}{% cache 60 %}y{% endcache %}{% trans %}z{% endtrans %}\n"
    app = APP + "from flask_assets import Environment\nfrom flask_caching import Cache\nfrom flask_babel import Babel\n"
    assert project({"app.py": app, "templates/page.html": page}, select="FLK403") == []
    # Flask-Caching known, Flask-Assets not imported: `assets` is an unknown tag.
    only_cache = APP + "from flask_caching import Cache\nfrom flask_login import LoginManager\n"
    found = project({"app.py": only_cache, "templates/page.html": page}, select="FLK403")
    assert [(d.start.column, d.end.column, d.message) for d in found] == [(3, 9, UNKNOWN_TAG.format("assets"))]


def test_flask_extensions_known_to_add_no_tag_leave_unknown_tags_reported(project) -> None:
    app = APP + (
        "from flask_admin import Admin\nfrom flask_appbuilder import AppBuilder\nfrom flask_sqlalchemy import SQLAlchemy\n"
    )
    found = project({"app.py": app, "templates/page.html": "{% load static %}\n"}, select="FLK403")
    assert [d.message for d in found] == [UNKNOWN_TAG.format("load")]


def test_an_extension_imported_only_by_tests_does_not_count(project) -> None:
    files = {
        "app.py": APP,
        "tests/test_app.py": "from flask_flare import Flare\n",
        "templates/page.html": "{% component %}{% endcomponent %}\n",
    }
    assert [d.message for d in project(files, select="FLK403")] == [UNKNOWN_TAG.format("component")]


def test_only_templates_an_app_can_load_are_checked(project) -> None:
    broken = "{% if x %}\n"
    files = {
        "web/app.py": APP,
        "web/templates/page.html": broken,
        "chart/templates/NOTES.txt": "{{ .Values.port }}\n",
        "cookiecutter/{{cookiecutter.name}}/templates/base.html": "{% endblok %}\n",
    }
    assert [(d.path, d.start.row, d.start.column) for d in project(files, select="FLK403")] == [
        ("web/templates/page.html", 1, 10)
    ]


def test_without_an_app_no_template_is_known_to_be_flasks(project) -> None:
    assert project({"lib.py": "x = 1\n", "templates/page.html": "{% if x %}\n"}, select="FLK403") == []


def test_a_blueprint_template_folder(project) -> None:
    files = {
        "app.py": APP + "from admin import bp\n\napp.register_blueprint(bp)\n",
        "admin.py": "from flask import Blueprint\n\nbp = Blueprint('admin', __name__, template_folder='views')\n",
        "views/admin/list.html": "{% block a %}{% endblock %}{% block a %}{% endblock %}\n",
    }
    found = project(files, select="FLK403")
    assert findings(found) == [
        ("views/admin/list.html", 1, 36, 1, 37, "template syntax error: block 'a' defined twice")
    ]


def test_the_finding_comes_back_from_the_cache(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "app.py": APP, "templates/page.html": "<p>\n  {% load static %}\n"})
    runs = []
    for _ in range(2):
        project = Project(tmp_path, use_cache=True)
        project.discover()
        project.analyse()
        runs.append(findings(project.diagnostics("templates/page.html")))
    assert runs[0] == runs[1] == [("templates/page.html", 2, 5, 2, 9, UNKNOWN_TAG.format("load"))]


# The same, end to end: the settings as the traversal finds them.
def test_an_app_with_vue_friendly_delimiters(project) -> None:
    app = APP + 'app.jinja_options = {"variable_start_string": "[[", "variable_end_string": "]]"}\n'
    page = "<p>{{ ok ? 'yes' : 'no' }}</p>\n<p>[[ user.name ]]</p>\n"
    assert project({"app.py": app, "templates/page.html": page}, select="FLK403") == []


def test_a_flask_subclass_with_other_delimiters(project) -> None:
    app = (
        "from flask import Flask\n\n\nclass VueFlask(Flask):\n"
        "    jinja_options = {**Flask.jinja_options, 'variable_start_string': '[[', 'variable_end_string': ']]'}\n\n\n"
        "app = VueFlask(__name__)\n"
    )
    page = "<p>{{ ok ? 'yes' : 'no' }}</p>\n"
    assert project({"app.py": app, "templates/page.html": page}, select="FLK403") == []


def test_an_extension_added_with_add_extension(project) -> None:
    app = APP + 'app.jinja_env.add_extension("jinja2.ext.debug")\n'
    assert project({"app.py": app, "templates/page.html": "{% debug %}\n"}, select="FLK403") == []


def test_a_third_party_extension_in_jinja_options(project) -> None:
    app = APP + 'app.jinja_options = {"extensions": ["jinja2_fragments.ext.Fragments"]}\n'
    assert project({"app.py": app, "templates/page.html": "{% fragment x %}{% endfragment %}\n"}, select="FLK403") == []
