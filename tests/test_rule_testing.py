"""The shared rule-test helpers are exact: a case that says anything but what the rule produces fails."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
import pytest

from flasklint.rule import Case, Finding
from rule_testing import check_case, check_noop, check_parses, fix_and_relint, write_project

SOURCE = "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n"
FIXED = "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='127.0.0.1', debug=True)\n"
FINDING = Finding(
    (4, 13, 4, 22),
    "debug mode (`debug=True`) on public host `0.0.0.0`: the Werkzeug debugger lets anyone who can reach "
    "the server run Python code; bind to `127.0.0.1`",
    fix="unsafe",
)


def test_an_exact_case_passes(tmp_path: Path) -> None:
    check_case(tmp_path, "FLK103", Case(SOURCE, FINDING, fixed={"app.py": FIXED}))


@pytest.mark.parametrize(
    "case",
    [
        Case(SOURCE, dataclasses.replace(FINDING, span=(4, 13, 4, 23)), fixed={"app.py": FIXED}),
        Case(SOURCE, dataclasses.replace(FINDING, message=FINDING.message[:40]), fixed={"app.py": FIXED}),
        Case(SOURCE, dataclasses.replace(FINDING, path="main.py"), fixed={"app.py": FIXED}),
        Case(SOURCE, dataclasses.replace(FINDING, fix="safe"), fixed={"app.py": FIXED}),
        Case(SOURCE, dataclasses.replace(FINDING, fix=None)),
        Case(SOURCE, FINDING, fixed={"app.py": FIXED.replace("127.0.0.1", "localhost")}),
        Case(SOURCE, FINDING),
        Case(SOURCE, FINDING, FINDING, fixed={"app.py": FIXED}),
        Case({"app.py": SOURCE, "main.py": SOURCE}, FINDING, fixed={"app.py": FIXED}),
    ],
    ids=["span", "message", "path", "applicability", "no-fix", "fixed-text", "fixed-missing", "extra", "missing"],
)
def test_an_inexact_case_fails(tmp_path: Path, case: Case) -> None:
    with pytest.raises(AssertionError):
        check_case(tmp_path, "FLK103", case)


def test_check_noop_fails_on_a_finding(tmp_path: Path) -> None:
    check_noop(tmp_path / "clean", {"app.py": SOURCE.replace("debug=True", "debug=False")}, "FLK103")
    with pytest.raises(AssertionError):
        check_noop(tmp_path / "dirty", {"app.py": SOURCE}, "FLK103")


def test_fix_and_relint_notices_a_file_the_fix_did_not_announce(tmp_path: Path) -> None:
    """A project whose FLK103 fix runs while another file changes under it (as a fix touching a second
    file would): the helper reports it."""
    write_project(tmp_path, {"app.py": SOURCE, "notes.txt": "x\n"})
    assert fix_and_relint(tmp_path, "FLK103") == {"app.py": FIXED}

    write_project(tmp_path, {"app.py": SOURCE})
    original_read = Path.read_text

    def read_and_touch(path: Path, *args: object, **kwargs: object) -> str:
        if path.name == "app.py":
            (tmp_path / "notes.txt").write_text("changed\n", encoding="utf-8")
        return original_read(path, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_text", read_and_touch)
        with pytest.raises(AssertionError, match="did not announce"):
            fix_and_relint(tmp_path, "FLK103")


def test_check_parses_rejects_broken_python_and_templates() -> None:
    check_parses("app.py", "x = 1\n")
    check_parses("templates/page.html", "{% if x %}{% endif %}\n")
    with pytest.raises(AssertionError):
        check_parses("app.py", "x = (\n")
    with pytest.raises(jinja2.TemplateSyntaxError):
        check_parses("templates/page.html", "{% if x %}\n")
