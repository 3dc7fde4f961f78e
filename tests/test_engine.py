"""The engine's own contract: project roots, discovery, overlays, noqa, read errors, deep code."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Iterable, Iterator

import pytest

from conftest import write_project
from flasklint.config import Config
from flasklint.diagnostics import Diagnostic
from flasklint.engine import PARALLEL_THRESHOLD, Project, analyse_python, find_project_root
from flasklint.model.module import ModuleModel
from flasklint.rule import FileRule, ProjectRule
from flasklint.rules import FILE_RULES, PROJECT_RULES
from flasklint_lsp.projects import _index_view

SECRET_APP = 'from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "dev"\n'


def project_of(root: Path, config: Config | None = None) -> Project:
    project = Project(root, config=config, use_cache=False)
    project.discover()
    project.analyse()
    return project


def codes(project: Project, relative: str, apply_noqa: bool = True) -> list[tuple[int, int, str]]:
    return [(d.start.row, d.start.column, d.code) for d in project.diagnostics(relative, apply_noqa=apply_noqa)]


def test_project_root_is_the_nearest_marker(tmp_path: Path) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "svc/setup.cfg": "", "svc/app/views.py": "", "lib/x.py": ""})
    assert find_project_root(tmp_path / "svc" / "app" / "views.py") == (tmp_path / "svc").resolve()
    assert find_project_root(tmp_path / "lib" / "x.py") == tmp_path.resolve()
    assert find_project_root(tmp_path / "lib" / "not-yet.py") == tmp_path.resolve()


def test_discovery_kinds_and_excludes(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "app.py": "", "templates/a.html": "", "Dockerfile": "", "Procfile": "", "deploy/run.sh": "",
            "README.md": "", ".hidden/x.py": "", "venv/lib/y.py": "", "node_modules/z.py": "", "migrations/v1.py": "",
        },
    )
    project = Project(tmp_path, config=Config(exclude=["migrations"]), use_cache=False)
    project.discover()
    kinds = {relative: source.kind for relative, source in project.files.items()}
    assert kinds == {
        "app.py": "python", "templates/a.html": "template", "Dockerfile": "other", "Procfile": "other",
        "deploy/run.sh": "other",
    }


def test_overlay_replaces_the_disk_text(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": SECRET_APP})
    project = project_of(tmp_path)
    assert codes(project, "app.py") == [(4, 17, "FLK104")]
    project.set_source("app.py", "\n" + SECRET_APP)
    assert codes(project, "app.py") == [(5, 17, "FLK104")]
    project.set_source("app.py", None)  # back to the disk
    assert codes(project, "app.py") == [(4, 17, "FLK104")]


def test_overlay_of_a_latin1_module_keeps_its_columns(tmp_path: Path) -> None:
    source = (
        "# -*- coding: latin-1 -*-\nfrom flask import Flask\napp = Flask(__name__)\n"
        'app.config.update(NOTE="\xe9t\xe9", SECRET_KEY="dev")\n'
    )
    (tmp_path / "app.py").write_bytes(source.encode("latin-1"))
    project = project_of(tmp_path)
    on_disk = codes(project, "app.py")
    assert on_disk == [(4, 41, "FLK104")]
    project.set_source("app.py", source)  # what an editor (or flake8) hands over: the decoded text
    assert codes(project, "app.py") == on_disk


def test_noqa_is_applied_unless_asked_not_to(tmp_path: Path) -> None:
    suppressed = SECRET_APP.rstrip("\n") + "  # noqa: FLK104\n"
    write_project(tmp_path, {"app.py": suppressed, "b.py": "# flasklint: noqa\n" + SECRET_APP})
    project = project_of(tmp_path)
    assert codes(project, "app.py") == [] and codes(project, "b.py") == []
    assert codes(project, "app.py", apply_noqa=False) == [(4, 17, "FLK104")]


def test_unreadable_files_are_recorded(tmp_path: Path) -> None:
    """Recorded, not logged: each front-end decides how to report them (CLI: error or warning)."""
    write_project(tmp_path, {"app.py": SECRET_APP})
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    project = project_of(tmp_path)
    assert project.unreadable == {"gone.py": "No such file or directory"}
    assert "gone.py" not in project.facts


def test_a_symlinked_file_is_reported_once_under_its_real_path(tmp_path: Path) -> None:
    write_project(tmp_path, {"pkg/app.py": SECRET_APP})
    (tmp_path / "app.py").symlink_to(tmp_path / "pkg" / "app.py")
    project = project_of(tmp_path)
    assert project.checked_files([tmp_path]) == ["pkg/app.py"]
    assert project.checked_files([tmp_path / "app.py"]) == ["pkg/app.py"]


class RecursiveRule(FileRule):
    """A buggy rule (infinite recursion), registered only in one test."""

    code = "FLK997"
    name = "recursive-rule"
    summary = "Test rule that recurses forever"

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        return self.check_module(model)


@pytest.fixture
def recursive_rule() -> Iterator[None]:
    rule = RecursiveRule()
    FILE_RULES.append(rule)
    try:
        yield
    finally:
        FILE_RULES.remove(rule)


def test_a_recursing_rule_loses_only_its_own_findings(recursive_rule: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="flasklint"):
        facts = analyse_python("app.py", "app", False, SECRET_APP.encode())
    assert [d.code for d in facts.diagnostics] == ["FLK104"]
    assert "internal error in rule FLK997 on app.py" in caplog.text


def test_syntax_warnings_of_analysed_code_are_not_printed(capfd: pytest.CaptureFixture[str]) -> None:
    analyse_python("util.py", "util", False, b'import re\nPATTERN = re.compile("\\d+")\nx = 1 is 1\n')
    analyse_python("views.py", "views", False, b'from flask import request\nPATTERN = "\\d+"\n')
    assert capfd.readouterr().err == ""


def test_nested_projects_can_be_left_to_themselves(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {"app.py": "", "sub/pyproject.toml": "", "sub/app.py": "", "lib/setup.py": "", "lib/x.py": "", "pkg/a.py": ""},
    )
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / ".git").write_text("gitdir: ../.git/modules/vendored\n", encoding="utf-8")  # a submodule
    (tmp_path / "vendored" / "v.py").write_text("", encoding="utf-8")
    project = Project(tmp_path, use_cache=False)
    project.discover()
    assert sorted(project.files) == ["app.py", "lib/setup.py", "lib/x.py", "pkg/a.py", "sub/app.py", "vendored/v.py"]
    project.discover(skip_nested_projects=True)
    assert sorted(project.files) == ["app.py", "pkg/a.py"]
    assert sorted(project.nested_roots) == [tmp_path / "lib", tmp_path / "sub", tmp_path / "vendored"]


def test_a_setup_module_inside_a_package_is_not_a_project_root(tmp_path: Path) -> None:
    """CTFd keeps `CTFd/constants/setup.py` (a module): its package belongs to the app's project."""
    write_project(tmp_path, {"pyproject.toml": "", "app.py": "", "pkg/__init__.py": "", "pkg/setup.py": "", "pkg/forms.py": ""})
    assert find_project_root(tmp_path / "pkg" / "forms.py") == tmp_path.resolve()
    project = Project(tmp_path, use_cache=False)
    project.discover(skip_nested_projects=True)
    assert sorted(project.files) == ["app.py", "pkg/__init__.py", "pkg/forms.py", "pkg/setup.py"]
    assert project.nested_roots == []


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_parallel_analysis_equals_single_process(tmp_path: Path, start_method: str) -> None:
    """The worker pool (forked for the CLI, spawned for the language server) must not change facts."""
    files = {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
    for number in range(PARALLEL_THRESHOLD + 6):
        files[f"views{number}.py"] = (
            "from flask import request, url_for\nfrom app import app\n\n"
            f"@app.route('/page{number}/<name>')\ndef page{number}(name):\n"
            f"    return f'<p>{{name}}</p>' + url_for('page{number + 1}', name='x')\n"
        )
        # Templates too (analysed in the pool once the index knows the folder): findings and a syntax error.
        files[f"templates/page{number}.html"] = (
            f"<a href=\"{{{{ url_for('page{number + 2}', name='y') }}}}\">{{{{ name|safe }}}}</a>{{% extends 'x.html' %}}\n"
            if number % 5
            else "{% if broken %}\n"
        )
    write_project(tmp_path, files)
    parallel = Project(tmp_path, use_cache=False, jobs=2, start_method=start_method)
    single = Project(tmp_path, use_cache=False, jobs=1)
    for project in (parallel, single):
        project.discover()
        project.analyse()
    assert {k: v.to_dict() for k, v in parallel.facts.items()} == {k: v.to_dict() for k, v in single.facts.items()}
    found = [d for f in sorted(parallel.facts) for d in parallel.diagnostics(f)]
    assert found == [d for f in sorted(single.facts) for d in single.diagnostics(f)]
    assert {"FLK403", "FLK201"} <= {d.code for d in found if d.path.startswith("templates/")}


def test_python_files_and_templates_share_one_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A project's templates are analysed by the workers its Python files used: one pool per analysis."""
    from flasklint import workers

    started: list[int] = []
    real_pool = workers.analysis_pool

    def counting_pool(count: int, start_method: str):  # type: ignore[no-untyped-def]
        started.append(count)
        return real_pool(count, start_method)

    monkeypatch.setattr(workers, "analysis_pool", counting_pool)
    files = {"app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
    for number in range(PARALLEL_THRESHOLD):
        files[f"views{number}.py"] = f"from app import app\n\n@app.route('/{number}')\ndef v{number}():\n    return ''\n"
        files[f"templates/t{number}.html"] = "{{ name|safe }}\n"
    write_project(tmp_path, files)
    project = Project(tmp_path, use_cache=False, jobs=2)
    project.discover()
    project.analyse()
    assert started == [2]
    assert len([path for path in project.facts if path.startswith("templates/")]) == PARALLEL_THRESHOLD


def test_an_edit_that_leaves_routes_alone_keeps_the_index_and_a_route_change_rebuilds_it(tmp_path: Path) -> None:
    """The language server calls set_source on every keystroke: the index is rebuilt only when needed."""
    app = "from flask import Flask\n\napp = Flask(__name__)\n\n@app.route('/')\ndef index():\n    return 'hi'\n"
    write_project(tmp_path, {"app.py": app})
    project = Project(tmp_path, use_cache=False)
    project.discover()
    project.analyse()
    index = project.index
    project.set_source("app.py", app.replace("'hi'", "'hello'"))
    assert project.index is index
    project.set_source("app.py", app.replace("def index", "def home"))
    assert project.index is not index
    assert "home" in project.index.endpoints and "index" not in project.index.endpoints


RENDERING_APP = (
    "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n\n"
    "@app.route('/')\ndef index():\n    return render_template('page.html', name=request.args.get('name'))\n"
)


def test_an_edit_that_keeps_the_index_refreshes_what_project_rules_derived_from_the_old_facts(tmp_path: Path) -> None:
    """FLK402 reports the template from the render calls of every module (computed once per index):
    once the view stops passing request data, the template's finding goes, although the index is
    kept (the render's template and route are unchanged) — as a fresh build of the same text says."""
    write_project(tmp_path, {"pyproject.toml": "", "app.py": RENDERING_APP, "templates/page.html": "<p>{{ name|safe }}</p>\n"})
    project = project_of(tmp_path)
    assert codes(project, "templates/page.html") == [(1, 10, "FLK402")]
    index = project.index
    edited = RENDERING_APP.replace("request.args.get('name')", "'world'")
    project.set_source("app.py", edited)
    assert project.index is index
    assert codes(project, "templates/page.html") == []
    project.set_source("app.py", RENDERING_APP)
    assert project.index is index
    assert codes(project, "templates/page.html") == [(1, 10, "FLK402")]


SESSION_APP = (
    "from flask import Flask, redirect, session\n\napp = Flask(__name__)\n\n"
    "@app.route('/login')\ndef login():\n    session['user'] = 'x'\n    return redirect('/login')\n"
)


def test_project_rules_keep_their_own_data_with_the_facts_and_the_cache(tmp_path: Path) -> None:
    """FLK302's and FLK203's fixes are built from what their collect steps read off the tree, kept in
    JSON form (tuples as lists) so a rule reads the same data fresh as from the cache."""
    facts = analyse_python("app.py", "app", False, SESSION_APP.encode())
    assert facts.rule_data == {
        "FLK203": [
            {
                "literal": {
                    "path": "/login", "span": [8, 20, 8, 28], "context": "redirect", "fragment": None,
                    "query": None, "holes": [], "quote": "'",
                },
                "url_for": None,
                "import_span": [1, 42, 1, 42],
                "import_text": ", url_for",
                "owners": ["app.app"],
            }
        ],
        "FLK204": {
            "views": [
                {
                    "name": "login", "decorators": [], "accepted": [], "required": [], "required_keyword_only": [],
                    "routes": [{"span": [5, 1, 5, 20], "rule_span": [5, 11, 5, 19], "rule": "/login", "variables": [], "defaults": []}],
                    "renames": [],
                }
            ],
            "pass_through": [],
        },
        "FLK206": [{"span": [5, 1, 5, 20], "wrapper": None, "decorator": None, "conditional": False, "definition": [6, 4, 6, 9]}],
        "FLK302": [{"app": "app.app", "line": 4, "indent": "", "import_line": 2}],
    }  # fmt: skip
    write_project(tmp_path, {"app.py": SESSION_APP})
    cold, warm = Project(tmp_path), Project(tmp_path)
    for project in (cold, warm):
        project.discover()
        project.analyse()
    assert warm.facts["app.py"].rule_data == facts.rule_data
    fixes = [[(d.code, d.fix) for d in project.diagnostics("app.py")] for project in (cold, warm)]
    assert fixes[0] == fixes[1] and [code for code, fix in fixes[0] if fix is not None] == ["FLK302", "FLK203"]


class RaisingCollector(ProjectRule):
    """A buggy project rule whose collect step raises, registered only in one test."""

    code = "FLK996"
    name = "raising-collector"
    summary = "Test rule whose collect step raises"

    def collect(self, model: ModuleModel) -> object:
        raise ValueError("bug")


def test_a_raising_collect_step_loses_only_its_own_data(caplog: pytest.LogCaptureFixture) -> None:
    rule = RaisingCollector()
    PROJECT_RULES.append(rule)
    try:
        with caplog.at_level(logging.ERROR, logger="flasklint"):
            facts = analyse_python("app.py", "app", False, SESSION_APP.encode())
    finally:
        PROJECT_RULES.remove(rule)
    assert sorted(facts.rule_data) == ["FLK203", "FLK204", "FLK206", "FLK302"]
    assert "internal error in rule FLK996 on app.py" in caplog.text


def test_rule_data_is_not_what_other_files_see(tmp_path: Path) -> None:
    """The language server re-checks other files only when a file's index view changes: a moved
    redirect literal changes FLK203's data, not the index."""
    write_project(tmp_path, {"app.py": SESSION_APP})
    project = project_of(tmp_path)
    before = project.facts["app.py"]
    project.set_source("app.py", SESSION_APP.replace("return redirect", "return  redirect"))
    after = project.facts["app.py"]
    assert before.rule_data != after.rule_data
    assert _index_view(before) == _index_view(after)
