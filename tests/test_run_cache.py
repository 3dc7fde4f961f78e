"""The whole-run cache (flasklint/run_cache.py): a `check` of an unchanged project prints its saved
result without loading a rule; any change to what the run reads is a miss; damage is a miss.

Observed as a user would: the saved output's messages are rewritten to SAVED (with a valid checksum),
so a run that prints SAVED used the saved result and one that prints the real message did not."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Callable

import pytest

from test_cli import FIXED_SECRET_APP, PYPROJECT, SECRET_APP, flasklint

from conftest import write_project
from flasklint.cli import SAVED_RUN_FLAGS, SAVED_RUN_VALUE_OPTIONS, build_parser, named_paths
from flasklint.run_cache import CACHE_DIR_NAME, ENTRY_HEADER, MAX_ENTRIES, RUNS_DIR_NAME, RunKey

FILES = {
    "pyproject.toml": PYPROJECT,
    "app.py": SECRET_APP,
    "views.py": "from flask import render_template\n\ndef index():\n    return render_template('index.html')\n",
    "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
    "Dockerfile": 'FROM python:3.12\nCMD ["flask", "run"]\n',
}
REAL = "secret key hardcoded"
SAVED = "SAVED"


def age(root: Path) -> None:
    """Date every file ten seconds back: a file written in the last two seconds is "racy" and its run
    is not saved (an edit within the same clock tick would keep its mtime)."""
    past = time.time() - 10
    for path in [root, *root.rglob("*")]:
        if CACHE_DIR_NAME not in path.parts:
            os.utime(path, (past, past), follow_symlinks=False)


def entries(root: Path) -> list[Path]:
    return sorted((root / CACHE_DIR_NAME / RUNS_DIR_NAME).glob("*.run"))


def rewrite(entry: Path, change: Callable[[bytes, bytes], tuple[bytes, bytes]]) -> None:
    """Change an entry's inputs (one line) and the rest (the exit code, a line, and the output), with
    a checksum that matches."""
    _, _, body = entry.read_bytes().partition(b"\n")
    inputs, _, payload = body.partition(b"\n")
    body = b"\n".join(change(inputs, payload))
    entry.write_bytes(b"%s %08x\n%s" % (ENTRY_HEADER, zlib.crc32(body), body))


def as_saved(output: str) -> str:
    """The text output with each diagnostic's message replaced by SAVED."""
    return re.sub(r"(: FLK\d+) .*", rf"\1 {SAVED}", output)


def _saved_messages(inputs: bytes, payload: bytes) -> tuple[bytes, bytes]:
    return inputs, as_saved(payload.decode()).encode()


def mark_saved(root: Path) -> None:
    """Rewrite the one saved result's messages to SAVED."""
    [entry] = entries(root)
    rewrite(entry, _saved_messages)


def saved_project(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A project whose `check *args` result is saved and marked; the real result of that run."""
    write_project(root, FILES)
    age(root)
    real = flasklint("check", *args, cwd=root)
    assert REAL in real.stdout and len(entries(root)) == 1, (real.stdout, real.stderr)
    mark_saved(root)
    return real


def test_an_unchanged_project_prints_the_saved_result_without_loading_a_rule(tmp_path: Path) -> None:
    real = saved_project(tmp_path)
    hit = flasklint("check", cwd=tmp_path)
    assert (hit.returncode, hit.stderr) == (real.returncode, "")
    assert hit.stdout == as_saved(real.stdout)
    traced = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flasklint", "check"], cwd=tmp_path, capture_output=True, text=True
    )
    loaded = {line.split("|")[-1].strip() for line in traced.stderr.splitlines()}
    assert SAVED in traced.stdout and {"flasklint.engine", "flasklint.rule", "libcst", "tomllib"}.isdisjoint(loaded)
    # Nor what the full CLI needs before it runs: the parser, the configuration, the output formats.
    unused = {"argparse", "typing", "dataclasses", "json", "logging", "flasklint.config", "flasklint.output"}
    assert unused.isdisjoint(loaded), unused & loaded


# What pip's console script runs (`import re`, then flasklint.cli's main), in an interpreter that
# imports nothing at startup (-S: no site, so no editable install's finder, which loads pathlib).
CONSOLE_SCRIPT = "import re, sys; from flasklint.cli import main; sys.exit(main())"


@pytest.mark.parametrize("arguments", [["check"], ["check", "./app.py"], ["--version"]])
def test_a_warm_run_and_version_import_no_more_than_they_use(tmp_path: Path, arguments: list[str]) -> None:
    """`--version` and a warm `check` are mostly the interpreter's start and its imports: they load
    neither pathlib (~15 ms with urllib.parse) nor contextlib nor importlib.util."""
    saved_project(tmp_path, *arguments[1:])
    repository = str(Path(__file__).resolve().parent.parent)
    traced = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", CONSOLE_SCRIPT, *arguments],
        cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": repository},
    )
    loaded = {line.split("|")[-1].strip() for line in traced.stderr.splitlines() if line.startswith("import time:")}
    assert traced.returncode == (0 if arguments == ["--version"] else 1), traced.stderr
    assert SAVED in traced.stdout or arguments == ["--version"], traced.stdout
    assert "flasklint.run_cache" in loaded or arguments == ["--version"]
    unused = {"pathlib", "contextlib", "importlib.util", "argparse", "typing", "flasklint.engine", "libcst"}
    assert unused.isdisjoint(loaded), unused & loaded


def _edit_keeping_size_and_mtime(root: Path) -> None:
    app = root / "app.py"
    status = app.stat()
    app.write_text(SECRET_APP.replace('"dev"', '"xyz"'), encoding="utf-8")
    os.utime(app, ns=(status.st_atime_ns, status.st_mtime_ns))  # only its ctime tells


def _nested_project(root: Path) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "app.py").write_text(SECRET_APP, encoding="utf-8")
    age(root)
    flasklint("check", cwd=root)  # saved, with sub/app.py in the project
    mark_saved(root)
    (root / "sub" / ".git").mkdir()  # now a project of its own, with its own findings


CHANGES: dict[str, Callable[[Path], None]] = {
    "a file edited, same size": lambda root: (root / "app.py").write_text(
        SECRET_APP.replace('"dev"', '"xyz"'), encoding="utf-8"
    ),
    "a file edited, same size and mtime": _edit_keeping_size_and_mtime,
    "the configuration touched": lambda root: (root / "pyproject.toml").touch(),
    "a file added": lambda root: (root / "more.py").write_text("import os\n", encoding="utf-8"),
    "a file removed": lambda root: (root / "views.py").unlink(),
    "a template removed": lambda root: (root / "templates" / "index.html").unlink(),
    "a deployment file touched": lambda root: (root / "Dockerfile").touch(),
    "a project nested under it": _nested_project,
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_change_to_what_the_run_reads_is_a_miss(tmp_path: Path, change: Callable[[Path], None]) -> None:
    saved_project(tmp_path)
    change(tmp_path)
    result = flasklint("check", cwd=tmp_path)
    assert REAL in result.stdout and SAVED not in result.stdout, result.stdout


def test_other_options_are_a_miss(tmp_path: Path) -> None:
    saved_project(tmp_path)
    for args in (["--select", "FLK104"], ["--ignore", "FLK3"], ["--extend-exclude", "views.py"], ["app.py"]):
        result = flasklint("check", *args, cwd=tmp_path)
        assert REAL in result.stdout and SAVED not in result.stdout, (args, result.stdout)
    assert SAVED in flasklint("check", cwd=tmp_path).stdout  # each kept its own entry


def test_another_working_directory_is_a_miss(tmp_path: Path) -> None:
    """Paths are printed relative to the working directory."""
    root = tmp_path / "project"
    saved_project(root)
    result = flasklint("check", "project", cwd=tmp_path)
    assert "project/app.py:4:18: FLK104 secret key hardcoded" in result.stdout


VERSION_DRIVER = """\
import sys
import flasklint
flasklint.__version__ = "99.0"
from flasklint.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_another_flasklint_version_is_a_miss(tmp_path: Path) -> None:
    root = tmp_path / "project"
    saved_project(root)
    driver = tmp_path / "upgraded_flasklint.py"
    driver.write_text(VERSION_DRIVER, encoding="utf-8")
    result = subprocess.run([sys.executable, str(driver), "check"], cwd=root, capture_output=True, text=True)
    assert REAL in result.stdout and SAVED not in result.stdout, result.stdout


def test_a_run_with_a_file_written_just_now_is_not_saved(tmp_path: Path) -> None:
    write_project(tmp_path, FILES)
    age(tmp_path)
    (tmp_path / "views.py").touch()
    flasklint("check", cwd=tmp_path)
    assert entries(tmp_path) == []


MODES = {
    "--fix": ["--fix", "--unsafe-fixes"],
    "--diff": ["--diff", "--unsafe-fixes"],
    "--no-cache": ["--no-cache"],
}


@pytest.mark.parametrize("args", MODES.values(), ids=MODES.keys())
def test_fixing_diffing_and_no_cache_runs_never_use_it(tmp_path: Path, args: list[str]) -> None:
    saved_project(tmp_path)
    before = entries(tmp_path)[0].read_bytes()
    result = flasklint("check", *args, cwd=tmp_path)
    assert SAVED not in result.stdout + result.stderr
    assert entries(tmp_path)[0].read_bytes() == before  # nor replace the saved result
    if "--fix" in args:
        assert (tmp_path / "app.py").read_text(encoding="utf-8") == FIXED_SECRET_APP
    if "--diff" in args:
        assert '+app.secret_key = os.environ["SECRET_KEY"]' in result.stdout


def test_a_run_that_warned_is_not_saved(tmp_path: Path) -> None:
    """Its warning must be printed again: a nested project whose pyproject.toml is not TOML."""
    write_project(tmp_path, {**FILES, "sub/pyproject.toml": "{{ not toml }}\n", "sub/app.py": SECRET_APP})
    age(tmp_path)
    for _ in range(2):
        result = flasklint("check", cwd=tmp_path)
        assert "warning: " in result.stderr and "cannot read TOML" in result.stderr
    assert entries(tmp_path) == []


VARIANTS = {
    "text": [[], ["--statistics"], ["--exit-zero", "-q", "--unsafe-fixes"]],
    "json": [[], ["--statistics"]],
    **{output: [[]] for output in ("json-lines", "github", "gitlab", "junit", "sarif")},
}


@pytest.mark.parametrize("output", VARIANTS)
def test_a_saved_result_prints_exactly_what_the_run_printed(tmp_path: Path, output: str) -> None:
    write_project(tmp_path, {**FILES, "secret.py": "from flask import Flask\nx = Flask(__name__)\n"})
    age(tmp_path)
    for extra in VARIANTS[output]:
        args = ["check", "--output-format", output, *extra]
        uncached = flasklint(*args, "--no-cache", cwd=tmp_path)
        saved, hit = flasklint(*args, cwd=tmp_path), flasklint(*args, cwd=tmp_path)
        for result in (saved, hit):
            assert (result.returncode, result.stdout, result.stderr) == (
                uncached.returncode,
                uncached.stdout,
                uncached.stderr,
            ), extra
    assert len(entries(tmp_path)) == len(VARIANTS[output])  # an entry per command line: it holds the output


def _forged(rest: bytes) -> Callable[[Path], None]:
    return lambda entry: rewrite(entry, lambda inputs, _: (inputs, rest))


def _replace_with_directory(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


def _replace_with_symlink(entry: Path) -> None:
    target = entry.with_name("elsewhere")
    entry.rename(target)
    entry.symlink_to(target)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": lambda entry: entry.write_bytes(entry.read_bytes()[:40]),
    "empty": lambda entry: entry.write_bytes(b""),
    "not ours": lambda entry: entry.write_bytes(b"\x00\xff garbage\n[]"),
    "output edited, checksum kept": lambda entry: entry.write_bytes(entry.read_bytes().replace(SAVED.encode(), b"X")),
    "another run's entry": lambda entry: rewrite(
        entry, lambda inputs, saved: (inputs.replace(b"app.py", b"x.py"), saved)
    ),
    "forged: no exit code": _forged(b"app.py:1:1: FLK104 x"),
    "forged: exit code 2": _forged(b"2\napp.py:1:1: FLK104 x\n"),
    "forged: exit code not a number": _forged(b"x\napp.py:1:1: FLK104 x\n"),
    "forged: a huge exit code": _forged(b"1" + b"0" * 5000 + b"\n"),
    "forged: output not UTF-8": _forged(b"1\n\xff\xfe\n"),
    "a directory in its place": _replace_with_directory,
    "a symbolic link to a valid entry": _replace_with_symlink,
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_entry_is_a_miss(tmp_path: Path, damage: Callable[[Path], None]) -> None:
    real = saved_project(tmp_path)
    damage(entries(tmp_path)[0])
    result = flasklint("check", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (real.returncode, real.stdout, "")


def test_a_symlinked_runs_folder_is_neither_read_nor_written(tmp_path: Path) -> None:
    root = tmp_path / "project"
    real = saved_project(root)
    runs = root / CACHE_DIR_NAME / RUNS_DIR_NAME
    outside = tmp_path / "outside"
    shutil.move(runs, outside)
    runs.symlink_to(outside)
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    for _ in range(2):
        result = flasklint("check", cwd=root)
        assert (result.returncode, result.stdout, result.stderr) == (real.returncode, real.stdout, "")
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


def test_only_the_newest_entries_are_kept(tmp_path: Path) -> None:
    """One entry per command line and working directory (pre-commit names other files each time)."""
    runs = tmp_path / CACHE_DIR_NAME / RUNS_DIR_NAME
    runs.mkdir(parents=True)
    for number in range(MAX_ENTRIES + 5):
        (runs / f"{number:02}.run").write_bytes(b"old")
        os.utime(runs / f"{number:02}.run", (1_000_000 + number, 1_000_000 + number))
    (runs / ".killed.run.123.tmp").write_bytes(b"half")
    os.utime(runs / ".killed.run.123.tmp", (1_000_000, 1_000_000))
    RunKey(runs / "new.run", "digest", racy=False).store("", 0)
    kept = sorted(p.name for p in runs.iterdir())
    assert kept == sorted(["new.run", *(f"{n:02}.run" for n in range(6, MAX_ENTRIES + 5))])


def test_an_option_not_spelled_in_full_is_left_to_argparse(tmp_path: Path) -> None:
    """The saved result is looked up before argparse runs, so only for options spelled in full;
    argparse reads an abbreviation the same, and the run is done (and saved under its own words)."""
    saved_project(tmp_path, "--exit-zero")
    assert SAVED in flasklint("check", "--exit-zero", cwd=tmp_path).stdout
    result = flasklint("check", "--exit-z", cwd=tmp_path)
    assert REAL in result.stdout and SAVED not in result.stdout and result.returncode == 0


def _check_parser() -> argparse.ArgumentParser:
    [commands] = [action for action in build_parser()._actions if isinstance(action, argparse._SubParsersAction)]
    return commands.choices["check"]  # type: ignore[no-any-return]


def test_the_options_read_before_argparse_are_the_parsers() -> None:
    """Every option of `check` is either read by `named_paths` (with or without its value, as the
    parser takes it) or one of those a saved run is never made with, so a new option is placed here."""
    never_saved = {"-h", "--help", "--fix", "--diff", "--no-cache", "-v", "--verbose"}
    taking_values, flags = set(), set()
    for action in _check_parser()._actions:
        if action.option_strings:
            (taking_values if action.nargs is None else flags).update(action.option_strings)
    assert taking_values == SAVED_RUN_VALUE_OPTIONS
    assert flags - never_saved == SAVED_RUN_FLAGS


COMMAND_LINES = [
    [],
    ["app", "views.py"],
    ["--select", "FLK1", "app"],
    ["--select=FLK1,FLK2", "-q", "--statistics", "a", "b"],
    ["a", "--output-format", "json", "--exit-zero"],
    ["--exclude", "x", "--extend-exclude", "y", "--ignore", "FLK3", "."],
    ["--output-format=sarif", "--unsafe-fixes", "--show-fixes", "--force-exclude", "--quiet", "--extend-select", "FLK"],
    ["./app//", "views.py/", "a/./b/../c", "//srv/app", "///srv", "/", "", "./"],
]


@pytest.mark.parametrize("words", COMMAND_LINES)
def test_the_paths_read_before_argparse_are_argparses(words: list[str]) -> None:
    """Spelled as the run's key spells argparse's paths (`str(Path(word))`), without pathlib."""
    assert named_paths(words) == [str(path) for path in _check_parser().parse_args(words).paths or [Path(".")]]


@pytest.mark.parametrize("words", [["--fix"], ["--exit-z"], ["-qv"], ["--select"], ["--", "app.py"], ["-v", "."]])
def test_a_command_line_argparse_must_read_has_no_paths_read_before_it(words: list[str]) -> None:
    assert named_paths(words) is None


def test_a_run_that_misses_lists_the_project_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key computed by the lookup before argparse is the run's own: its files are not listed again."""
    from flasklint import run_cache
    from flasklint.cli import main

    write_project(tmp_path, FILES)
    age(tmp_path)
    listed: list[str] = []
    tree_records = run_cache._tree_records
    monkeypatch.setattr(run_cache, "_tree_records", lambda root: listed.append(root) or tree_records(root))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--exit-zero", "-q"]) == 0
    assert listed == [str(tmp_path.resolve())] and len(entries(tmp_path)) == 1
    assert main(["check", "--exit-zero", "-q"]) == 0  # the saved result, found by the lookup
    assert listed == [str(tmp_path.resolve())] * 2
