"""The `project` fixture; the shared helpers themselves live in rule_testing.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint.diagnostics import Diagnostic
from rule_testing import fix, lint, write_project

__all__ = ["fix", "lint", "project", "write_project"]  # imported from here by the older tests


@pytest.fixture
def project(tmp_path: Path):
    """`project({"app.py": src, ...}, select="FLK101")` -> diagnostics of that throwaway project."""

    def run(files: dict[str, str] | str, select: str | None = None) -> list[Diagnostic]:
        write_project(tmp_path, {"app.py": files} if isinstance(files, str) else files)
        return lint(tmp_path, select)

    return run
