"""The README's demo: examples/quickstart/ shows every quickstart pitfall, its clean twin shows none.

Expectations name the line by a snippet of its text, so the examples can be edited freely as long
as each pitfall stays on the line that holds it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import lint
from flasklint.diagnostics import Diagnostic
from flasklint.source import SourceError, parse_source

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
QUICKSTART = EXAMPLES / "quickstart"
CLEAN = EXAMPLES / "quickstart-clean"

# (file, code, snippet of the reported line; None means the file itself, reported at line 1)
EXPECTED = [
    ("app.py", "FLK101", 'return f"Hello, {name}!"'),
    ("app.py", "FLK101", 'return f"<h1>Results for {query}</h1>'),
    ("app.py", "FLK201", 'url_for("indx")'),
    ("app.py", "FLK203", 'redirect("/login")'),
    ("app.py", "FLK102", "f.filename))"),
    ("app.py", "FLK103", 'app.run(host="0.0.0.0", debug=True)'),
    ("app.py", "FLK302", 'session["username"] = request.form["username"]'),
    ("app.py", "FLK302", 'session.pop("username", None)'),
    ("app.py", "FLK302", 'flash("File uploaded")'),
    ("config.py", "FLK104", "b'_5#y2L\"F4Q8z\\n\\xec]/'"),
    ("flask.py", "FLK301", None),
    ("Dockerfile", "FLK103", "flask --app app run --debug --host=0.0.0.0"),
    ("templates/base.html", "FLK203", '"/static/style.css"'),
    ("templates/base.html", "FLK201", "url_for('logn')"),
    ("templates/index.html", "FLK203", '"/user/42"'),
]
QUICKSTART_CODES = {"FLK101", "FLK102", "FLK103", "FLK104", "FLK201", "FLK203", "FLK301", "FLK302"}


def _expected_position(relative: str, snippet: str | None) -> tuple[int, int, int]:
    """(line, first column, last column) of the snippet in the example file."""
    if snippet is None:
        return 1, 0, 0
    lines = (QUICKSTART / relative).read_text(encoding="utf-8").splitlines()
    hits = [(number, line.index(snippet)) for number, line in enumerate(lines, start=1) if snippet in line]
    assert len(hits) == 1, f"snippet {snippet!r} must occur once in {relative}, found {len(hits)}"
    number, column = hits[0]
    return number, column, column + len(snippet)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def _flasklint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run(sys.executable, "-m", "flasklint", *args, cwd=cwd)


@pytest.fixture(scope="module")
def quickstart_diagnostics() -> list[Diagnostic]:
    return lint(QUICKSTART)


def test_every_quickstart_rule_is_demonstrated() -> None:
    assert {code for _, code, _ in EXPECTED} == QUICKSTART_CODES


@pytest.mark.parametrize(("relative", "code", "snippet"), EXPECTED, ids=[f"{c}-{p}-{s}" for p, c, s in EXPECTED])
def test_quickstart_pitfall_is_reported_where_it_is(
    quickstart_diagnostics: list[Diagnostic], relative: str, code: str, snippet: str | None
) -> None:
    line, first, last = _expected_position(relative, snippet)
    found = [d for d in quickstart_diagnostics if d.path == relative and d.code == code and d.start.row == line]
    assert len(found) == 1, f"expected one {code} at {relative}:{line}, got {quickstart_diagnostics}"
    assert first <= found[0].start.column <= last, f"{code} at column {found[0].start.column}, snippet at {first}"


def test_quickstart_reports_nothing_else(quickstart_diagnostics: list[Diagnostic]) -> None:
    expected = {(path, code, _expected_position(path, snippet)[0]) for path, code, snippet in EXPECTED}
    extra = [d for d in quickstart_diagnostics if (d.path, d.code, d.start.row) not in expected]
    assert not extra, f"unexpected diagnostics in examples/quickstart: {extra}"


def test_clean_twin_is_clean() -> None:
    assert lint(CLEAN) == []


# -- the README's demo, as a user runs it --------------------------------------------------------
def test_cli_shows_every_rule_on_the_quickstart() -> None:
    result = _flasklint("check", "examples/quickstart", cwd=EXAMPLES.parent)
    assert result.returncode == 1, result.stderr
    codes = re.findall(r"^examples/quickstart/\S+:\d+:\d+: (FLK\d{3})", result.stdout, re.M)
    assert set(codes) == QUICKSTART_CODES, result.stdout
    assert len(codes) == len(EXPECTED), result.stdout


def test_cli_passes_the_clean_twin() -> None:
    result = _flasklint("check", "examples/quickstart-clean", cwd=EXAMPLES.parent)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n"), result.stdout + result.stderr


def test_flake8_reports_what_flasklint_reports_in_python_files() -> None:
    result = _run(sys.executable, "-m", "flake8", "--select", "FLK", "examples/quickstart", cwd=EXAMPLES.parent)
    assert result.returncode == 1, result.stderr
    reported = set(re.findall(r"^examples/quickstart/(\S+\.py):(\d+):\d+: (FLK\d{3})", result.stdout, re.M))
    expected = {
        (path, str(_expected_position(path, snippet)[0]), code)
        for path, code, snippet in EXPECTED
        if path.endswith(".py")
    }
    assert reported == expected, result.stdout


def test_fix_on_a_copy_leaves_only_unfixable_findings(tmp_path: Path) -> None:
    copy = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, copy, ignore=shutil.ignore_patterns(".flasklint_cache", "__pycache__"))
    before = json.loads(_flasklint("check", ".", "--output-format", "json", cwd=copy).stdout)

    fixed = _flasklint("check", ".", "--fix", "--unsafe-fixes", cwd=copy)
    assert fixed.returncode in (0, 1), fixed.stderr

    after = json.loads(_flasklint("check", ".", "--output-format", "json", "--unsafe-fixes", cwd=copy).stdout)
    assert 0 < len(after) < len(before)
    assert [d for d in after if d["fix"] is not None] == [], "a fixable diagnostic survived --fix"
    for path in copy.rglob("*.py"):
        assert not isinstance(parse_source(path.read_text(encoding="utf-8")), SourceError), f"{path} broken"
