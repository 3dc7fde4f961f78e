"""Shared helpers: lint a throwaway project written from a dict of files, apply fixes, re-lint."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flasklint.diagnostics import Applicability, Diagnostic
from flasklint.engine import Project
from flasklint.fix import apply_fixes
from flasklint.source import SourceError, parse_source


def write_project(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def lint(root: Path, select: str | None = None) -> list[Diagnostic]:
    project = Project(root, use_cache=False)
    project.discover()
    project.analyse()
    found: list[Diagnostic] = []
    for relative in sorted(project.facts):
        found.extend(d for d in project.diagnostics(relative) if select is None or d.code.startswith(select))
    return found


def fix(root: Path, code: str, unsafe: bool = True) -> dict[str, str]:
    """Apply every fix of `code` once, file by file; return {path: new text} of the changed files."""
    changed: dict[str, str] = {}
    for diagnostic_path in sorted({d.path for d in lint(root, code)}):
        diagnostics = [d for d in lint(root, code) if d.path == diagnostic_path and d.fix is not None]
        fixes = [d.fix for d in diagnostics if unsafe or d.fix.applicability is Applicability.SAFE]
        path = root / diagnostic_path
        text, _ = apply_fixes(path.read_text(encoding="utf-8"), fixes)
        if diagnostic_path.endswith(".py"):
            assert not isinstance(parse_source(text), SourceError), f"fix broke {diagnostic_path}:\n{text}"
        path.write_text(text, encoding="utf-8")
        changed[diagnostic_path] = text
    return changed


@pytest.fixture
def project(tmp_path: Path):
    """`project({"app.py": src, ...}, select="FLK101")` -> diagnostics of that throwaway project."""

    def run(files: dict[str, str] | str, select: str | None = None) -> list[Diagnostic]:
        write_project(tmp_path, {"app.py": files} if isinstance(files, str) else files)
        return lint(tmp_path, select)

    return run
