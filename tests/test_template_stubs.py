"""flake8's builder reports on Python files alone: `Project.analyse(python_findings_only=True)` analyses
only the templates a Python file's findings read (`ProjectRule.templates_read`) and lets a stub holding
the path stand for each other. Every Python file's findings must stay those of the full analysis.

benchmarks/realworld/shortcuts_check.py runs the same comparison on the real-repository checkouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint import shortcuts
from flasklint.engine import Project
from flasklint.flake8_build import Finding, _entry, _project_findings
from flasklint.rule import Case
from flasklint.rules import ALL_RULES
from rule_testing import write_project

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASES = [
    (rule.code, kind, number, Case.of(case))
    for rule in ALL_RULES
    for kind in ("invalid", "valid")
    for number, case in enumerate(getattr(rule, kind))
]
APP = "from flask import Flask, render_template, request\n\napp = Flask(__name__)\n"
# A page Flask does not autoescape (.j2) gets request data; what it outputs is in the template it extends.
RENDERS_THROUGH_A_BASE = {
    "app.py": APP + "\n@app.route('/greet')\ndef greet():\n"
    "    return render_template('greet.j2', who=request.args['who'])\n\n"
    "@app.route('/about')\ndef about():\n    return render_template('about.html')\n",
    "templates/greet.j2": "{% extends 'base.j2' %}\n",
    "templates/base.j2": "<p>Hi {{ who }}</p>\n",
    "templates/about.html": "<p>About {{ who|safe }}</p>\n",
}


def _analysed(root: Path, python_findings_only: bool, use_cache: bool = False) -> Project:
    project = Project(root, use_cache=use_cache, jobs=1)
    project.discover(skip_nested_projects=True)
    project.analyse(python_findings_only=python_findings_only)
    return project


def _python_findings(project: Project) -> dict[str, list[Finding]]:
    return {
        relative: _project_findings(project, relative)
        for relative, source in sorted(project.files.items())
        if source.kind == "python" and relative in project.facts
    }


def test_every_rule_case_gives_python_files_the_same_findings_with_template_stubs(tmp_path: Path) -> None:
    differing = []
    templates = stubbed = 0
    for code, kind, number, case in CASES:
        root = write_project(tmp_path / f"{code}-{kind}-{number}", case.files)
        full_project = _analysed(root, python_findings_only=False)
        lean_project = _analysed(root, python_findings_only=True)
        templates += sum(facts.kind == "template" for facts in full_project.facts.values())
        stubbed += len(lean_project.template_stubs)
        if _python_findings(lean_project) != _python_findings(full_project):
            differing.append((code, kind, number))
    assert differing == []
    assert stubbed > templates / 2  # most cases' templates stood as stubs: the comparison compared something


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_gives_python_files_the_same_findings_with_template_stubs(example: str) -> None:
    full = _python_findings(_analysed(EXAMPLES / example, python_findings_only=False))
    assert _python_findings(_analysed(EXAMPLES / example, python_findings_only=True)) == full


def test_the_templates_a_finding_reads_are_analysed_through_what_they_extend(tmp_path: Path) -> None:
    """greet.j2 is read first; the base it extends only once greet.j2's facts name it: a second round."""
    root = write_project(tmp_path, RENDERS_THROUGH_A_BASE)
    project = _analysed(root, python_findings_only=True)
    assert project.template_stubs == {"templates/about.html"}
    assert project.facts["templates/base.j2"].rule_data  # analysed: its outputs are known
    found = _python_findings(project)["app.py"]
    assert [(row, column, message.split()[0]) for row, column, message in found] == [(7, 43, "FLK402")]
    assert found == _python_findings(_analysed(root, python_findings_only=False))["app.py"]


def test_without_the_shortcuts_every_template_is_analysed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    project = _analysed(write_project(tmp_path, RENDERS_THROUGH_A_BASE), python_findings_only=True)
    assert project.template_stubs == set()
    assert project.facts["templates/about.html"].rule_data


def test_a_stub_is_never_cached_nor_looked_up_as_the_file(tmp_path: Path) -> None:
    """The CLI run after flake8 finds the template's own findings (about.html's `|safe` is FLK402's
    only when request data reach it: none here, but its facts are real); the builder's table has no
    entry for a stub: a process asking for it analyses the file itself."""
    root = write_project(tmp_path, RENDERS_THROUGH_A_BASE)
    builder = _analysed(root, python_findings_only=True, use_cache=True)
    assert _entry(builder, root / "templates/about.html") is None
    after = _analysed(root, python_findings_only=False, use_cache=True)
    fresh = _analysed(root, python_findings_only=False)
    assert after.facts["templates/about.html"] == fresh.facts["templates/about.html"]
    assert after.facts["templates/about.html"].rule_data  # not the stub's empty facts
    assert after.diagnostics("templates/about.html") == fresh.diagnostics("templates/about.html")


def test_a_rule_failing_to_name_its_templates_has_every_template_analysed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from flasklint.rules.flk402_unescaped_template_output import UnescapedTemplateOutput

    def broken(self: UnescapedTemplateOutput, index: object) -> set[str]:
        raise ValueError("a bug")

    monkeypatch.setattr(UnescapedTemplateOutput, "templates_read", broken)
    root = write_project(tmp_path, RENDERS_THROUGH_A_BASE)
    project = _analysed(root, python_findings_only=True)
    assert project.template_stubs == set()
    assert "internal error in rule FLK402 naming the templates it reads; all are analysed" in caplog.text
    assert _python_findings(project) == _python_findings(_analysed(root, python_findings_only=False))


def test_a_worker_linting_other_text_has_every_template(tmp_path: Path) -> None:
    """flake8 may hand a worker text that is not the file's (stdin, an editor's buffer): that text may
    render a template no file on disk renders, so the worker's own project has no stub."""
    from flasklint.flake8_build import _PROJECTS, findings, project_for

    files = dict(RENDERS_THROUGH_A_BASE, **{"app.py": APP})
    root = write_project(tmp_path, files).resolve()
    _PROJECTS.pop(root, None)
    try:
        project = project_for(root)
        assert project.template_stubs == set()
        found = findings(project, root / "app.py", RENDERS_THROUGH_A_BASE["app.py"])
        assert [(row, column, message.split()[0]) for row, column, message in found] == [(7, 43, "FLK402")]
    finally:
        _PROJECTS.pop(root, None)
