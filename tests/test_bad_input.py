"""Bad input never crashes a run: each case yields a diagnostic or a clear message, exit 1 or 2,
and never a traceback (through the CLI in a subprocess, and through the engine)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from test_cli import APP, INCOMPLETE, PYPROJECT, SECRET_APP, flasklint

from conftest import write_project
from flasklint import cli
from flasklint.engine import analyse_python, analyse_template
from flasklint.rules.flk002_file_not_analysed import MAX_ANALYSED_BYTES


def findings(
    root: Path, *args: str, run: Callable[..., subprocess.CompletedProcess[str]] | None = None
) -> tuple[int, list[tuple[str, int, int, str, str]], str]:
    """(exit code, [(file, row, 1-based column, code, message)], stderr) of `flasklint check`."""
    command = ("check", "--output-format", "json", "--no-cache", *args)
    result = run(*command) if run else flasklint(*command, cwd=root)
    found = [
        (
            Path(d["filename"]).relative_to(root.resolve()).as_posix(),
            d["location"]["row"],
            d["location"]["column"],
            d["code"],
            d["message"],
        )
        for d in json.loads(result.stdout)
    ]
    return result.returncode, found, result.stderr


def project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    write_project(tmp_path, {"pyproject.toml": PYPROJECT})
    for relative, content in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return tmp_path


def test_syntax_error_is_flk001_with_cpythons_message(tmp_path: Path) -> None:
    code, found, _ = findings(project(tmp_path, {"app.py": "from flask import Flask\n\napp = Flask(__name__\n"}))
    assert (code, found) == (1, [("app.py", 3, 12, "FLK001", "syntax error: '(' was never closed")])


def test_non_utf8_bytes_without_a_coding_cookie(tmp_path: Path) -> None:
    code, found, _ = findings(project(tmp_path, {"app.py": b"x = 1\nname = 'caf\xe9'\n"}))
    assert code == 1
    [(path, row, _, rule, message)] = found
    assert (path, row, rule) == ("app.py", 2, "FLK001")
    assert message.startswith("cannot decode the file as utf-8:")


def test_latin1_with_a_coding_cookie_is_analysed(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n" + SECRET_APP.replace('"dev"', '"caf\xe9"')
    code, found, _ = findings(project(tmp_path, {"app.py": source.encode("latin-1")}))
    assert code == 1
    assert [(path, row, column, rule) for path, row, column, rule, _ in found] == [("app.py", 5, 18, "FLK104")]
    assert "caf\u00e9" in found[0][4]


def test_nul_bytes(tmp_path: Path) -> None:
    code, found, _ = findings(project(tmp_path, {"app.py": b"x = 1\ny = '\x00'\n"}))
    assert (code, found) == (1, [("app.py", 2, 1, "FLK001", "source contains a NUL byte and cannot be parsed")])


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n\n", b"# just a comment"])
def test_empty_and_trivial_files_are_clean(tmp_path: Path, content: bytes) -> None:
    code, found, stderr = findings(project(tmp_path, {"app.py": content, "pkg/__init__.py": content}))
    assert (code, found, stderr) == (0, [], "")


def test_template_with_a_syntax_error(tmp_path: Path) -> None:
    files = {"app.py": APP, "templates/page.html": "<p>\n{% if user %}\n{{ user.name }\n"}
    code, found, _ = findings(project(tmp_path, files))
    assert code == 1
    [(path, row, _, rule, message)] = found
    assert (path, rule) == ("templates/page.html", "FLK403") and row in (2, 3)
    assert message.startswith("template syntax error:")


def test_non_utf8_template(tmp_path: Path) -> None:
    files = {"app.py": APP, "templates/page.html": b"<p>\ncaf\xe9</p>\n"}
    code, found, _ = findings(project(tmp_path, files))
    assert code == 1
    [(path, row, _, rule, message)] = found
    assert (path, row, rule) == ("templates/page.html", 2, "FLK403")
    assert message.startswith("template syntax error: cannot decode the template as UTF-8")


def _generated_module(size: int) -> str:
    header = "from flask import Flask, request\n\napp = Flask(__name__)\n\n"
    route = (
        '@app.route("/item{0}/<int:item_id>")\n'
        "def view_{0}(item_id):\n"
        '    return {{"q": request.args.get("q{0}")}}\n\n\n'
    )
    parts, total, index = [header], len(header), 0
    while total < size:
        parts.append(route.format(index))
        total += len(parts[-1])
        index += 1
    return "".join(parts)


def test_a_5_mb_module_is_skipped_quickly_with_an_info_diagnostic(tmp_path: Path) -> None:
    source = _generated_module(5_000_000)
    project(tmp_path, {"app.py": APP, "generated.py": source})
    started = time.perf_counter()
    code, found, _ = findings(tmp_path)
    elapsed = time.perf_counter() - started
    assert code == 1
    [(path, row, column, rule, message)] = found
    assert (path, row, column, rule) == ("generated.py", 1, 1, "FLK002")
    assert message.startswith("file not analysed: it is 5.0 MB, over flasklint's 500 KB limit")
    assert elapsed < 15, f"a skipped 5 MB file took {elapsed:.1f} s"
    # Parsing it would take over a minute here (libcst: ~50 KB/s); the engine never tries.
    started = time.perf_counter()
    facts = analyse_python("generated.py", "generated", False, source.encode())
    assert time.perf_counter() - started < 1
    assert [d.code for d in facts.diagnostics] == ["FLK002"]
    assert [d.severity.value for d in facts.diagnostics] == ["info"]


def test_a_huge_template_is_skipped(tmp_path: Path) -> None:
    facts = analyse_template("templates/big.html", b"<p>{{ x }}</p>\n" * (MAX_ANALYSED_BYTES // 10))
    assert [d.code for d in facts.diagnostics] == ["FLK002"]


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "FLK001"),  # too deep for CPython: a syntax error
        ("x = [" * 3000 + "]" * 3000 + "\n", "FLK001"),
        ("from flask import request\nx = request" + " and 1" * 20000 + "\n", None),  # valid; crashed libcst's stack
        ("from flask import request\nx = (request\n" + "    + 1\n" * 1500 + ")\n", None),  # valid; deep to visit
        ("from flask import request\nx = request" + " + 1" * 20000 + "\n", "FLK001"),  # CPython: RecursionError
    ],
    ids=["parentheses", "brackets", "and-chain", "binop-chain", "binop-too-deep"],
)
def test_deeply_nested_code_never_crashes(source: str, code: str | None) -> None:
    facts = analyse_python("deep.py", "deep", False, source.encode())
    assert [d.code for d in facts.diagnostics] == ([code] if code else [])


def test_deeply_nested_template_is_flk403() -> None:
    facts = analyse_template("templates/deep.html", ("{% if x %}" * 3000 + "{% endif %}" * 3000).encode())
    assert facts.parse_error and facts.diagnostics == []
    assert facts.rule_data["FLK403"] == {  # FLK403 reports it where an app loads the template
        "message": "the template nests too deeply for Jinja to compile it (RecursionError)",
        "span": [1, 0, 1, 0],
        "tag": None,
        "syntax": True,
    }


def test_deeply_nested_file_through_the_cli(tmp_path: Path) -> None:
    project(tmp_path, {"deep.py": "x = " + "[" * 10000 + "]" * 10000 + "\n", "app.py": SECRET_APP})
    code, found, stderr = findings(tmp_path)
    assert code == 1
    assert [(path, rule) for path, _, _, rule, _ in found] == [("app.py", "FLK104"), ("deep.py", "FLK001")]


class Unprivileged:
    """A project folder where `chmod 000` really stops flasklint. Root reads whatever the mode,
    so under root the CLI runs as `nobody` (setpriv), in a folder handed over to nobody."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("setpriv") is None:
                pytest.skip("running as root without setpriv: nothing stops root from reading a file")
            self.prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
            probe = subprocess.run([*self.prefix, sys.executable, "-c", "import flasklint"], capture_output=True)
            if probe.returncode != 0:  # e.g. the checkout sits in a folder only root may enter (mktemp -d)
                pytest.skip("nobody cannot run this checkout's Python, so chmod cannot be tested as nobody")

    def flasklint(self, *args: str) -> subprocess.CompletedProcess[str]:
        if self.prefix:
            for path in [self.root, *self.root.rglob("*")]:
                os.lchown(path, NOBODY, NOBODY)
        return flasklint(*args, cwd=self.root, prefix=self.prefix)

    def findings(self, *args: str) -> tuple[int, list[tuple[str, int, int, str, str]], str]:
        return findings(self.root, *args, run=self.flasklint)


NOBODY = 65534


@pytest.fixture
def unprivileged() -> Iterator[Unprivileged]:
    root = Path(tempfile.mkdtemp(prefix="flasklint-unprivileged-")).resolve()
    os.chmod(root, 0o755)
    try:
        yield Unprivileged(root)
    finally:
        for path in [root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())]:
            path.chmod(0o755)
        shutil.rmtree(root)


def test_unreadable_file_is_an_error(unprivileged: Unprivileged) -> None:
    root = project(unprivileged.root, {"app.py": SECRET_APP, "secret.py": "x = 1\n"})
    (root / "secret.py").chmod(0)
    code, found, stderr = unprivileged.findings()
    assert code == 2
    assert [rule for *_, rule, _ in found] == ["FLK104"]  # the rest is still checked
    assert stderr == f"flasklint: error: cannot read {root / 'secret.py'}: Permission denied\n"
    named = unprivileged.flasklint("check", "--no-cache", "secret.py")
    assert (named.returncode, named.stdout) == (2, f"{INCOMPLETE}\n")  # not "All checks passed!"
    assert named.stderr == f"flasklint: error: cannot read {root / 'secret.py'}: Permission denied\n"


def test_unreadable_directory_is_an_error(unprivileged: Unprivileged) -> None:
    root = project(unprivileged.root, {"app.py": SECRET_APP, "sub/views.py": SECRET_APP, "sub/deeper/x.py": ""})
    (root / "sub").chmod(0)
    code, found, stderr = unprivileged.findings()
    assert code == 2
    assert [(path, rule) for path, _, _, rule, _ in found] == [("app.py", "FLK104")]
    assert stderr == f"flasklint: error: cannot read {root / 'sub'}: Permission denied\n"
    text = unprivileged.flasklint("check", "--no-cache")
    assert text.returncode == 2
    assert text.stdout.splitlines()[1:3] == ["Found 1 error.", INCOMPLETE]  # never "All checks passed!"


def test_an_unreadable_directory_outside_the_paths_checked_is_a_warning(unprivileged: Unprivileged) -> None:
    """A database's private data folder beside the app must not fail every pre-commit run on other
    files: said, but the exit code is the checked files' own."""
    root = project(unprivileged.root, {"app.py": SECRET_APP, "pgdata/base.py": "x = 1\n"})
    (root / "pgdata").chmod(0)
    checked = unprivileged.flasklint("check", "--no-cache", "app.py")
    assert checked.returncode == 1
    first, summary = checked.stdout.splitlines()[:2]
    assert (first.split(" ")[:2], summary) == (["app.py:4:18:", "FLK104"], "Found 1 error.")
    assert checked.stderr == (
        f"flasklint: warning: cannot read {root / 'pgdata'}: Permission denied "
        "(outside the paths checked; findings that depend on it may be missing)\n"
    )


def test_naming_an_unreadable_directory_on_the_command_line(unprivileged: Unprivileged) -> None:
    root = project(unprivileged.root, {"app.py": SECRET_APP, "sub/views.py": SECRET_APP})
    (root / "sub").chmod(0)
    alone = unprivileged.flasklint("check", "--no-cache", "sub")
    assert (alone.returncode, alone.stdout) == (2, f"{INCOMPLETE}\n")
    assert alone.stderr == "flasklint: error: cannot read sub: Permission denied\n"
    both = unprivileged.flasklint("check", "--no-cache", "sub", "app.py")
    assert both.returncode == 2
    assert both.stdout.startswith("app.py:4:18: FLK104")  # the other path is still checked
    assert both.stderr == (
        "flasklint: error: cannot read sub: Permission denied\n"
        f"flasklint: warning: cannot read {root / 'sub'}: Permission denied "  # while indexing the project
        "(outside the paths checked; findings that depend on it may be missing)\n"
    )


def test_a_directory_that_cannot_be_listed_is_reported_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same path without a second user: os.walk's listing of `sub` fails as it would for nobody."""
    project(tmp_path, {"app.py": SECRET_APP, "sub/views.py": SECRET_APP})
    scandir = os.scandir

    def refuse_sub(path: str) -> object:
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refuse_sub)
    assert cli.main(["check", "--no-cache", "--output-format", "json", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert [Path(d["filename"]).name for d in json.loads(out)] == ["app.py"]
    assert err == f"flasklint: error: cannot read {tmp_path.resolve() / 'sub'}: Permission denied\n"


def test_symlink_loops_and_dangling_links(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": SECRET_APP, "sub/views.py": "x = 1\n"})
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a directory cycle: never followed
    code, found, stderr = findings(tmp_path)
    assert code == 2
    assert [(path, rule) for path, _, _, rule, _ in found] == [("app.py", "FLK104")]
    root = tmp_path.resolve()
    assert f"flasklint: error: cannot read {root / 'loop.py'}: Too many levels of symbolic links" in stderr
    assert f"flasklint: error: cannot read {root / 'dangling.py'}: No such file or directory" in stderr


def test_naming_a_symlink_loop_on_the_command_line(tmp_path: Path) -> None:
    project(tmp_path, {})
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    result = flasklint("check", "loop.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "flasklint: error: loop.py: broken symbolic link (or a symlink loop)\n"


def test_a_directory_named_like_a_module(tmp_path: Path) -> None:
    project(tmp_path, {"x.py/inner.py": SECRET_APP, "templates.html/index.html": "<p>\n"})
    code, found, stderr = findings(tmp_path)
    assert (code, stderr) == (1, "")
    assert [(path, rule) for path, _, _, rule, _ in found] == [("x.py/inner.py", "FLK104")]
    assert flasklint("check", "x.py", cwd=tmp_path).returncode == 1


def test_a_fifo_named_like_a_module_does_not_hang_the_run(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": SECRET_APP})
    os.mkfifo(tmp_path / "pipe.py")
    code, found, stderr = findings(tmp_path)  # the subprocess timeout would fail a hang
    assert (code, [rule for *_, rule, _ in found], stderr) == (1, ["FLK104"], "")


def test_invalid_pyproject_toml_is_a_clear_error(tmp_path: Path) -> None:
    project(tmp_path, {"app.py": SECRET_APP})
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.flasklint]\nselect = [\xff]\n")
    result = flasklint("check", cwd=tmp_path)
    assert result.returncode == 2 and "cannot read TOML" in result.stderr
