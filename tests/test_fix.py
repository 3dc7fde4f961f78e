"""Fix plumbing: applying edits, fixing a file until stable, refusing breaking fixes, writing safely."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, Iterator

import pytest

from conftest import write_project
from test_cli import FIXED_SECRET_APP as FIXED_ONE_KEY_APP
from test_cli import PYPROJECT, flasklint
from test_cli import SECRET_APP as ONE_KEY_APP

import flasklint.fix as fix_module
from flasklint import cli
from flasklint.atomic_write import FileChangedError, remove_stale_temporaries, write_atomically
from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from flasklint.engine import Project
from flasklint.fix import (
    MAX_FIX_PASSES,
    FixResult,
    apply_edits,
    apply_fixes,
    decode_for_fix,
    dominant_newline,
    fix_file,
    select_fixes,
    source_encoding,
)
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.rule import Case, FileRule, ProjectRule, Rule
from flasklint.rules import ALL_RULES, FILE_RULES, PROJECT_RULES

SECRET_APP = (
    'from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = "dev"\napp.config["SECRET_KEY"] = "dev"\n'
)
FIXED = (
    'from flask import Flask\nimport os\n\napp = Flask(__name__)\napp.secret_key = os.environ["SECRET_KEY"]\n'
    'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]\n'
)


def edit(row: int, column: int, end_row: int, end_column: int, content: str) -> Edit:
    return Edit(Location(row, column), Location(end_row, end_column), content)


def fix_of(*edits: Edit) -> Fix:
    return Fix("fix it", edits, Applicability.SAFE)


# -- edits -------------------------------------------------------------------------------------
def test_apply_edits_replaces_inserts_and_deletes() -> None:
    text = "abc\ndef\r\nghi"
    edits = [edit(1, 1, 1, 2, "X"), edit(2, 0, 2, 0, ">"), edit(2, 3, 3, 1, ""), edit(3, 3, 3, 3, "!")]
    assert apply_edits(text, edits) == "aXc\n>defhi!"


def test_overlapping_fixes_are_left_for_the_next_pass() -> None:
    first = fix_of(edit(1, 0, 1, 3, "one"))
    overlapping = fix_of(edit(1, 2, 1, 5, "two"))
    later = fix_of(edit(2, 0, 2, 1, "3"))
    assert select_fixes([later, overlapping, first]) == [first, later]
    assert apply_fixes("abcdef\nx\n", [later, overlapping, first]) == ("onedef\n3\n", 2)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_inserted_lines_take_the_texts_line_ending(newline: str) -> None:
    text = "a = 1\nb = 2\nc = 3\n".replace("\n", newline)
    edits = [edit(2, 0, 2, 0, "import os\n"), edit(3, 4, 3, 5, "(\n    3\r\n)")]
    assert apply_edits(text, edits) == "a = 1\nimport os\nb = 2\nc = (\n    3\n)\n".replace("\n", newline)


@pytest.mark.parametrize(
    ("text", "newline"),
    [("", "\n"), ("x", "\n"), ("a\r\nb\r\nc\n", "\r\n"), ("a\rb\r\nc\n", "\n"), ("a\rb\rc\n", "\r")],
)
def test_dominant_newline(text: str, newline: str) -> None:
    assert dominant_newline(text) == newline


def test_identical_import_edits_are_merged() -> None:
    add_os = edit(2, 0, 2, 0, "import os\n")
    fixes = [fix_of(edit(3, 4, 3, 5, "a"), add_os), fix_of(edit(4, 4, 4, 5, "b"), add_os)]
    assert apply_fixes("x\ny\nz = 1\nw = 2\n", fixes) == ("x\nimport os\ny\nz = a\nw = b\n", 2)


# -- fixing a file until it is stable ------------------------------------------------------------
def project_of(root: Path) -> Project:
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    return project


def test_fix_file_applies_only_safe_fixes_unless_asked(tmp_path: Path) -> None:
    write_project(tmp_path, {"app.py": SECRET_APP})
    project = project_of(tmp_path)
    assert not fix_file(project, "app.py", SECRET_APP).changed  # FLK104's fix is unsafe

    result = fix_file(project, "app.py", SECRET_APP, unsafe=True)
    assert result.text == FIXED
    assert result.applied == {"FLK104": 2}
    assert not result.rejected
    assert [d.code for d in project.diagnostics("app.py")] == []  # the project holds the fixed text


class BreakingRule(ProjectRule):
    """A rule with a buggy fix (it opens a bracket it never closes), registered only in these tests."""

    code = "FLK998"
    name = "breaking-fix"
    summary = "Test rule whose fix breaks the file"

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.kind == "python" and not facts.parse_error:
            broken = Fix("open a bracket", (edit(1, 0, 1, 0, "("),), Applicability.SAFE)
            yield self.diagnostic(facts.path, (1, 0, 1, 0), "breaks the file", fix=broken)


@pytest.fixture
def breaking_rule() -> Iterator[None]:
    rule = BreakingRule()
    PROJECT_RULES.append(rule)
    try:
        yield
    finally:
        PROJECT_RULES.remove(rule)


def test_a_fix_that_would_break_the_file_is_refused(tmp_path: Path, breaking_rule: None) -> None:
    write_project(tmp_path, {"app.py": SECRET_APP})
    project = project_of(tmp_path)
    result = fix_file(project, "app.py", SECRET_APP, unsafe=True)
    assert result.text == FIXED  # the good fixes are still applied
    assert [d.code for d in result.rejected] == ["FLK998"]


def test_cli_exits_2_and_keeps_the_file_parsable(
    tmp_path: Path, breaking_rule: None, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, {"pyproject.toml": "", "app.py": SECRET_APP})
    assert cli.main(["check", "--fix", "--no-cache", str(tmp_path)]) == 2
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == SECRET_APP
    err = capsys.readouterr().err
    assert 'app.py:1:1: the FLK998 fix "open a bracket" would leave the file unparsable; it was not applied' in err


def test_template_fixes_must_keep_the_template_parsable(tmp_path: Path) -> None:
    from flasklint.fix import _parses

    assert _parses("{% if x %}{{ url_for('index') }}{% endif %}", "template")
    assert not _parses("{% if x %}{{ url_for('index') }}", "template")
    assert _parses("{% assets 'js' %}x{% endassets %}", "template")  # an extension's tag is not an error
    assert not _parses("def f(:\n", "python")
    assert not _parses("f() = 1\n", "python")  # libcst accepts it, CPython does not


# -- line endings -------------------------------------------------------------------------------
FIXABLE = [rule for rule in ALL_RULES if rule.fix_availability != "none"]


@pytest.mark.parametrize("rule", FIXABLE, ids=[rule.code for rule in FIXABLE])
def test_fixes_keep_crlf_and_cr_line_endings(tmp_path: Path, rule: Rule) -> None:
    """Every INVALID case of the rule as its own project, in LF, CRLF and CR copies, fixed by the CLI:
    each CRLF (CR) file ends up byte for byte the fixed LF file with CRLF (CR) line endings.
    (No CR copy of a Dockerfile, Procfile or shell script: their own tools do not end lines at CR.)"""
    endings = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
    twins: list[tuple[Path, Path, str]] = []  # (LF file, its copy, the copy's line ending)
    for number, case in enumerate(rule.invalid):
        files = {"pyproject.toml": PYPROJECT, **Case.of(case).files}
        python_or_templates = all(Path(name).suffix in (".py", ".html", ".toml") for name in files)
        for folder, newline in endings.items():
            if folder == "cr" and not python_or_templates:
                continue
            for relative, text in files.items():
                path = tmp_path / folder / str(number) / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(text.replace("\n", newline).encode("utf-8"))
                twins.append((tmp_path / "lf" / str(number) / relative, path, newline))
    originals = {lf: lf.read_bytes() for lf, _, _ in twins}

    result = flasklint("check", "--fix", "--unsafe-fixes", "--no-cache", "--select", rule.code, cwd=tmp_path)

    assert result.stderr == ""
    assert any(lf.read_bytes() != original for lf, original in originals.items()), f"no {rule.code} fix applied"
    for lf, copy, newline in twins:
        fixed = lf.read_bytes()
        assert b"\r" not in fixed
        assert copy.read_bytes() == fixed.replace(b"\n", newline.encode()), copy


# -- reading and writing -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "kind", "expected"),
    [
        (b"x = 1\n", "python", ("x = 1\n", "utf-8")),
        (b"\xef\xbb\xbfx = 1\n", "python", ("x = 1\n", "utf-8-sig")),
        (b"# coding: latin-1\nx = '\xe9'\n", "python", ("# coding: latin-1\nx = '\u00e9'\n", "iso-8859-1")),
        (b"x = '\xe9'\n", "python", None),
        (b"\xef\xbb\xbf<p>\r\n", "template", ("<p>\r\n", "utf-8-sig")),
        (b"<p>\xff</p>", "template", None),
    ],
)
def test_decode_for_fix(data: bytes, kind: str, expected: tuple[str, str] | None) -> None:
    assert decode_for_fix(data, kind) == expected
    if expected is not None:
        text, encoding = expected
        assert text.encode(encoding) == data  # round trip: a fix touches nothing else
        assert source_encoding(data, kind) == encoding


def test_write_atomically_keeps_bytes_mode_and_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "real.py"
    target.write_bytes(b"old\n")
    target.chmod(0o741)
    link = tmp_path / "link.py"
    link.symlink_to(target)
    write_atomically(link, "caf\u00e9\r\nnew\r\n", "latin-1")
    assert link.is_symlink()
    assert target.read_bytes() == b"caf\xe9\r\nnew\r\n"
    assert target.stat().st_mode & 0o777 == 0o741
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.py", "real.py"]


def test_write_atomically_fails_before_touching_the_file(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"# coding: latin-1\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomically(target, "# coding: latin-1\nx = '\u20ac'\n", "latin-1")
    assert target.read_bytes() == b"# coding: latin-1\n"
    assert os.listdir(tmp_path) == ["app.py"]


def test_write_atomically_refuses_a_file_changed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "app.py"
    target.write_bytes(b"saved by the editor\n")
    with pytest.raises(FileChangedError):
        write_atomically(target, "fixed\n", expected=b"read by flasklint\n")
    assert target.read_bytes() == b"saved by the editor\n"
    assert os.listdir(tmp_path) == ["app.py"]
    write_atomically(target, "fixed\n", expected=b"saved by the editor\n")
    assert target.read_bytes() == b"fixed\n"


# -- temporary files of a killed run -------------------------------------------------------------
def test_the_temporary_file_is_named_after_its_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    replaced: list[str] = []
    replace = os.replace

    def record(source: str, target: str) -> None:
        replaced.append(Path(source).name)
        replace(source, target)

    monkeypatch.setattr(os, "replace", record)
    write_atomically(tmp_path / "app.py", "x = 1\n")
    [name] = replaced
    assert re.fullmatch(rf"\.app\.py\.{os.getpid()}-\w+\.flasklint-tmp", name)


def test_the_next_run_removes_temporary_files_a_killed_fix_left(tmp_path: Path) -> None:
    """Only abandoned ones: their writer is gone, or they are over an hour old. A live writer's file
    (this test's own pid stands for a concurrent flasklint) and other people's files stay."""
    write_project(tmp_path, {"pyproject.toml": "", "app.py": "x = 1\n", "pkg/views.py": "y = 2\n"})
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, alive = int(gone.stdout), os.getpid()
    abandoned = [f".app.py.{dead}-k2j4h5g6.flasklint-tmp", f"pkg/.views.py.{dead}-a1b2c3d4.flasklint-tmp"]
    old = f".app.py.{alive}-o1d2o3l4.flasklint-tmp"
    kept = [f".app.py.{alive}-l1v2e3w4.flasklint-tmp", ".app.py.swp", "x.flasklint-tmp"]
    for name in [*abandoned, old, *kept]:
        (tmp_path / name).write_text("partial", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(tmp_path / old, (two_hours_ago, two_hours_ago))

    result = flasklint("check", "--no-cache", cwd=tmp_path)

    assert (result.returncode, result.stderr) == (0, "")
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(["app.py", "pkg/views.py", "pyproject.toml", *kept])


def test_no_process_is_probed_on_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows' os.kill terminates the process whatever the signal: there only the age counts."""
    fresh, old = tmp_path / ".app.py.4242-fresh123.flasklint-tmp", tmp_path / ".app.py.4242-old45678.flasklint-tmp"
    for path in (fresh, old):
        path.write_text("partial", encoding="utf-8")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    def kill(pid: int, signal: int) -> None:
        raise AssertionError(f"os.kill({pid}, {signal}) would terminate process {pid} on Windows")

    with monkeypatch.context() as windows:  # only around the call: pytest itself needs the real os.name
        windows.setattr(os, "kill", kill)
        windows.setattr(os, "name", "nt")
        removed = remove_stale_temporaries([fresh, old])
    assert removed == 1
    assert [path.name for path in tmp_path.iterdir()] == [fresh.name]


# -- files changed by someone else during a run ----------------------------------------------------
BANNER = "app = Flask(__name__)\nBANNER = 'Welcome to the example application!'\n"
EDITED_APP = ONE_KEY_APP.replace("app = Flask(__name__)\n", BANNER)
FIXED_EDITED_APP = FIXED_ONE_KEY_APP.replace("app = Flask(__name__)\n", BANNER)


def test_a_file_saved_after_the_analysis_is_fixed_as_it_is_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An editor saves app.py (one line added above the key) once the project is analysed: the
    fixes of the old text would land one line off (`BANNER = 'Welcomeos.environ[...]`); the
    file is re-linted and fixed as saved."""
    write_project(tmp_path, {"pyproject.toml": "", "app.py": ONE_KEY_APP})
    analyse = Project.analyse

    def analyse_then_edit(project: Project, *args: object, **kwargs: object) -> None:
        analyse(project, *args, **kwargs)
        (tmp_path / "app.py").write_text(EDITED_APP, encoding="utf-8")

    monkeypatch.setattr(Project, "analyse", analyse_then_edit)
    assert cli.main(["check", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path)]) == 0
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == FIXED_EDITED_APP
    out, err = capsys.readouterr()
    path = tmp_path.resolve() / "app.py"
    assert err == f"flasklint: warning: {path} changed on disk during the run: checked and fixed as it is now\n"
    assert out.endswith("Found 1 error (1 fixed, 0 remaining).\n")


def test_a_file_saved_while_it_is_being_fixed_is_left_as_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The editor saves between the fix being computed and the fixed file replacing it: the
    editor's text stays, and the run fails with a message (exit 2) instead of overwriting it."""
    write_project(tmp_path, {"pyproject.toml": "", "app.py": ONE_KEY_APP})

    def fix_then_edit(*args: object, **kwargs: object) -> FixResult:
        result = fix_file(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "app.py").write_text(EDITED_APP, encoding="utf-8")
        return result

    monkeypatch.setattr(fix_module, "fix_file", fix_then_edit)  # the CLI imports it when it fixes
    assert cli.main(["check", "--fix", "--unsafe-fixes", "--no-cache", str(tmp_path)]) == 2
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == EDITED_APP
    assert sorted(os.listdir(tmp_path)) == ["app.py", "pyproject.toml"]  # no temporary file left
    out, err = capsys.readouterr()
    path = tmp_path.resolve() / "app.py"
    assert err == (
        f"flasklint: error: {path}: changed on disk while it was being fixed; left as it is (run flasklint again)\n"
    )
    assert out.splitlines()[-3:] == [
        "Found 1 error.",
        "Not everything could be checked or fixed: see the error above.",
        "[*] 1 fixable with the `--fix --unsafe-fixes` option.",
    ]


class CountingRule(FileRule):
    """Test rule: `x = N` (N < limit) is fixed to `x = N + 1`, so each pass creates the next finding."""

    code = "FLK996"
    name = "counting-rule"
    summary = "Test rule whose fix needs another pass"
    limit = 3

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for row, line in enumerate(model.lines, start=1):
            match = re.fullmatch(r"x = (\d)\s*", line)
            if match and int(match.group(1)) < self.limit:
                value = int(match.group(1))
                fix = Fix("count up", (edit(row, 4, row, 5, str(value + 1)),), Applicability.SAFE)
                yield self.diagnostic(model.path, (row, 4, row, 5), f"{value} is too small", fix=fix)


class OscillatingRule(CountingRule):
    """Test rule whose fix undoes itself (`x = 1` <-> `x = 2`): fixing must still terminate."""

    code = "FLK995"
    name = "oscillating-rule"

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for row, line in enumerate(model.lines, start=1):
            match = re.fullmatch(r"x = ([12])\s*", line)
            if match:
                other = "2" if match.group(1) == "1" else "1"
                fix = Fix("flip", (edit(row, 4, row, 5, other),), Applicability.SAFE)
                yield self.diagnostic(model.path, (row, 4, row, 5), "flip it", fix=fix)


@pytest.fixture
def file_rule(request: pytest.FixtureRequest) -> Iterator[None]:
    rule = request.param()
    FILE_RULES.append(rule)
    try:
        yield
    finally:
        FILE_RULES.remove(rule)


@pytest.mark.parametrize("file_rule", [CountingRule], indirect=True)
def test_fixing_repeats_until_nothing_is_left(tmp_path: Path, file_rule: None) -> None:
    source = "from flask import Flask\nx = 0\n"
    write_project(tmp_path, {"app.py": source})
    project = project_of(tmp_path)
    result = fix_file(project, "app.py", source)
    assert result.text == "from flask import Flask\nx = 3\n"
    assert result.applied == {"FLK996": 3}
    assert [d.code for d in project.diagnostics("app.py")] == []


@pytest.mark.parametrize("file_rule", [OscillatingRule], indirect=True)
def test_fixing_stops_after_a_bounded_number_of_passes(tmp_path: Path, file_rule: None) -> None:
    source = "from flask import Flask\nx = 1\n"
    write_project(tmp_path, {"app.py": source})
    result = fix_file(project_of(tmp_path), "app.py", source)
    assert result.applied == {"FLK995": MAX_FIX_PASSES}
    assert result.text == source  # an even number of flips
