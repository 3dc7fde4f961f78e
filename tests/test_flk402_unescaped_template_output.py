"""FLK402 across files and apps: which templates a render call reaches, what stays silent, the warm run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flasklint.cache_shape import is_file_facts
from flasklint.diagnostics import Severity
from flasklint.engine import Project
from rule_testing import findings, write_project

VIEW = (
    "from flask import Flask, render_template, request\n\napp = Flask(__name__{options})\n{extra}\n"
    "@app.route('/s')\ndef s():\n    return render_template('page.html', q=request.args['q'])\n"
)
SAFE_PAGE = "<p>{{ q|safe }}</p>\n"
MESSAGE = (
    "`q` holds request data (`request.args` value, passed at {origin}) and is output with `|safe`, "
    "unescaped (XSS): escape or sanitize it"
)


def view(options: str = "", extra: str = "") -> str:
    return VIEW.format(options=options, extra=extra)


def test_each_app_renders_its_own_template(project) -> None:
    """Two apps with a `page.html` each: the request data reaches only the renderer's own."""
    found = project(
        {
            "a/app.py": view(),
            "a/templates/page.html": "<p>{{ q }}</p>\n",
            "b/app.py": "from flask import Flask, render_template\n\napp = Flask(__name__)\n\n"
            "@app.route('/')\ndef i():\n    return render_template('page.html', q='<b>fixed</b>')\n",
            "b/templates/page.html": SAFE_PAGE,
        },
        select="FLK402",
    )
    assert findings(found) == []
    found = project({"a/templates/page.html": SAFE_PAGE}, select="FLK402")
    assert findings(found) == [("a/templates/page.html", 1, 7, 1, 12, MESSAGE.format(origin="a/app.py:7"))]
    assert found[0].severity is Severity.ERROR


def test_other_delimiters_silence_the_template(project) -> None:
    options = ""
    extra = "app.jinja_options = {'variable_start_string': '[[', 'variable_end_string': ']]'}\n"
    assert project({"app.py": view(options, extra), "templates/page.html": SAFE_PAGE}, select="FLK402") == []


def test_test_files_do_not_pass_request_data(project) -> None:
    files = {
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "tests/test_page.py": "from flask import render_template, request\n\n"
        "def test_page():\n    render_template('page.html', q=request.args['q'])\n",
        "templates/page.html": SAFE_PAGE,
    }
    assert project(files, select="FLK402") == []


def test_not_a_flask_template(project) -> None:
    """A folder no app loads templates from (a static site generator's) is not Flask's."""
    files = {
        "app.py": view(),
        "templates/page.html": "<p>{{ q }}</p>\n",
        "docs/_templates/page.html": SAFE_PAGE,
    }
    assert project(files, select="FLK402") == []


def test_include_cycles_end(project) -> None:
    files = {
        "app.py": view(),
        "templates/page.html": "{% include 'a.html' %}\n",
        "templates/a.html": "{% if deep %}{% include 'page.html' %}{% endif %}{{ q|safe }}\n",
    }
    found = project(files, select="FLK402")
    assert findings(found) == [("templates/a.html", 1, 53, 1, 58, MESSAGE.format(origin="app.py:7"))]


def test_autoescape_off_for_the_whole_app(project) -> None:
    """`jinja_options` of a Flask subclass; with two apps the setting's app is not followed (silent)."""
    subclass = (
        "from flask import Flask, render_template, request\n\n\nclass App(Flask):\n"
        "    jinja_options = {'autoescape': False}\n\n\napp = App(__name__)\n\n"
        "@app.route('/s')\ndef s():\n    return render_template('page.html', q=request.args['q'])\n"
    )
    found = project({"app.py": subclass, "templates/page.html": "<p>{{ q }}</p>\n"}, select="FLK402")
    assert findings(found) == [
        (
            "app.py",
            12,
            42,
            12,
            59,
            "`request.args` value passed as `q` to `page.html` is output unescaped: "
            "`jinja_options = {'autoescape': False}` (app.py:5) turns autoescaping off (XSS)",
        )
    ]
    other = "from flask import Flask\n\nother = Flask('other')\n"
    assert project({"other.py": other}, select="FLK402") == []


def test_non_autoescaped_template_that_does_not_output_the_value(project) -> None:
    files = {
        "app.py": view().replace("page.html", "page.j2"),
        "templates/page.j2": "<p>{{ q|e }}</p>{% if q %}found{% endif %}\n",
    }
    assert project(files, select="FLK402") == []


def test_a_warm_run_reports_the_same_from_the_cache(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": view(), "templates/page.html": SAFE_PAGE})

    def run() -> list:
        project = Project(tmp_path, use_cache=True)
        project.discover()
        project.analyse()
        return [d for relative in sorted(project.facts) for d in project.diagnostics(relative) if d.code == "FLK402"]

    cold = findings(run())
    assert cold == [("templates/page.html", 1, 7, 1, 12, MESSAGE.format(origin="app.py:7"))]
    assert findings(run()) == cold


def test_rule_data_has_the_cache_shape(tmp_path: Path) -> None:
    """Python and template data alike: an entry the cache rejected would be re-analysed on every run."""
    write_project(tmp_path, {"app.py": view(), "templates/page.html": SAFE_PAGE})
    project = Project(tmp_path, use_cache=False)
    project.discover()
    project.analyse()
    facts = {path: json.loads(json.dumps(f.to_dict())) for path, f in project.facts.items()}
    assert [path for path, data in facts.items() if "FLK402" in data["rule_data"]] == ["app.py", "templates/page.html"]
    assert all(is_file_facts(data) for data in facts.values())


def test_the_rule_does_not_import_jinja() -> None:
    """A warm run needs no template parsed: loading the rules must leave Jinja deferred."""
    probe = "import sys, flasklint.cli, flasklint.rules\nprint('jinja2.environment' in sys.modules)\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False"]
