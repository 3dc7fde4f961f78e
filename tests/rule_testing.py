"""The shared helpers of the rule tests: lint a throwaway project, read its findings, check a no-op, check a fix.

Modelled on django-upgrade's `check_noop` / `check_transformed` and Fixit's VALID/INVALID: a fix is
checked by applying it, re-parsing the result (libcst and CPython for Python, Jinja for templates),
re-linting it (the fixed findings are gone, nothing new appears) and comparing every file byte for
byte (nothing but the fixed files changed, and those exactly as expected).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import jinja2

from flasklint.diagnostics import Applicability, Diagnostic
from flasklint.engine import Project
from flasklint.file_kinds import TEMPLATE_SUFFIXES
from flasklint.fix import apply_fixes
from flasklint.rule import Case
from flasklint.source import SourceError, parse_source

FindingRow = tuple[str, int, int, int, int, str]  # (path, row, column, end row, end column, message)


def write_project(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def lint(root: Path, select: str | None = None) -> list[Diagnostic]:
    """Every diagnostic of the project at `root` (of the codes starting with `select`), file by file."""
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    found: list[Diagnostic] = []
    for relative in sorted(project.facts):
        found.extend(d for d in project.diagnostics(relative) if select is None or d.code.startswith(select))
    return found


def findings(diagnostics: list[Diagnostic], row_offset: int = 0) -> list[FindingRow]:
    """(path, row, column, end row, end column, message) of each diagnostic, rows less `row_offset`."""
    return [
        (d.path, d.start.row - row_offset, d.start.column, d.end.row - row_offset, d.end.column, d.message)
        for d in diagnostics
    ]


def spans(diagnostics: list[Diagnostic], row_offset: int = 0) -> list[tuple[int, int, int, int]]:
    """(row, column, end row, end column) of each diagnostic, rows less `row_offset`."""
    return [finding[1:5] for finding in findings(diagnostics, row_offset)]  # type: ignore[misc]


def check_parses(path: str, text: str) -> None:
    """A fixed file must still parse: libcst and CPython for Python, Jinja for templates."""
    if path.endswith(".py"):
        assert not isinstance(parse_source(text), SourceError), f"the fix broke {path}:\n{text}"
    elif Path(path).suffix in TEMPLATE_SUFFIXES:
        jinja2.Environment().parse(text)


def fix(root: Path, code: str, unsafe: bool = True) -> dict[str, str]:
    """Apply every fix of `code` once, file by file; return {path: new text} of the changed files.

    Each changed file must still parse (when it did before)."""
    changed: dict[str, str] = {}
    for diagnostic_path in sorted({d.path for d in lint(root, code)}):
        diagnostics = [d for d in lint(root, code) if d.path == diagnostic_path and d.fix is not None]
        fixes = [d.fix for d in diagnostics if unsafe or d.fix.applicability is Applicability.SAFE]
        path = root / diagnostic_path
        before = path.read_text(encoding="utf-8")
        text, _ = apply_fixes(before, fixes)
        if text == before:
            continue
        if _parses(diagnostic_path, before):
            check_parses(diagnostic_path, text)
        path.write_text(text, encoding="utf-8")
        changed[diagnostic_path] = text
    return changed


def _parses(path: str, text: str) -> bool:
    try:
        check_parses(path, text)
    except (AssertionError, jinja2.TemplateSyntaxError):
        return False
    return True


def check_noop(root: Path, files: dict[str, str], code: str) -> None:
    """`files` is clean for `code`: no finding, and fixing changes nothing."""
    write_project(root, files)
    assert findings(lint(root, code)) == []
    assert fix(root, code) == {}


def fix_and_relint(root: Path, code: str, unsafe: bool = True) -> dict[str, str]:
    """Fix `code` in the project written at `root` (see `fix`); then no file the fix did not announce
    has changed, and a re-lint shows the fixed findings gone and nothing new (every other finding, of
    any code, still there). Returns {path: new text} of the changed files."""
    before = _read_all(root)
    diagnostics = lint(root)
    changed = fix(root, code, unsafe)
    after = _read_all(root)
    assert {path: text for path, text in after.items() if path not in changed} == {
        path: text for path, text in before.items() if path not in changed
    }, "a file the fix did not announce changed"
    expected_left = Counter(
        (d.code, d.path, d.message)
        for d in diagnostics
        if not (d.code == code and d.fix is not None and (unsafe or d.fix.applicability is Applicability.SAFE))
    )
    left = Counter((d.code, d.path, d.message) for d in lint(root))
    assert left == expected_left, f"re-lint after the fix: {left} != {expected_left}"
    return changed


def check_fixed(root: Path, code: str, expected: dict[str, str], unsafe: bool = True) -> None:
    """Fix `code` in the project written at `root`: the changed files read exactly `expected` (and
    everything `fix_and_relint` checks holds)."""
    assert fix_and_relint(root, code, unsafe) == expected


def fixed(root: Path, files: dict[str, str], code: str, path: str = "app.py") -> str:
    """Write `files`, which have a `code` finding, and fix them: none is left, and everything
    `fix_and_relint` checks holds. Returns the fixed text of `path`."""
    write_project(root, files)
    assert lint(root, code), "nothing to fix"
    changed = fix_and_relint(root, code)
    assert lint(root, code) == [], "the diagnostic survived its fix"
    return changed[path]


def _read_all(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes().decode("utf-8", "surrogateescape")
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".flasklint_cache" not in path.parts
    }


def check_case(root: Path, code: str, case: Case) -> None:
    """A rule's case, exactly: its findings (path, span, message, fix applicability), then its fix."""
    write_project(root, case.files)
    found = [d for d in lint(root) if d.code == code]
    actual = [
        (d.path, (d.start.row, d.start.column, d.end.row, d.end.column), d.fix and d.fix.applicability.value)
        for d in found
    ]
    wanted = [(f.path, f.span, f.fix) for f in case.findings]
    assert actual == wanted
    assert [d.message for d in found] == [f.message for f in case.findings]
    check_fixed(root, code, case.fixed)
