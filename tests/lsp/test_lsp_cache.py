"""The language server on a project whose `.flasklint_cache/` holds a forged entry: it indexes the
file itself instead, and the editor shows what `flasklint check` shows (the indexing used to fail
on it, and every open document stayed without diagnostics)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import lsp_session, write_files
from test_cache import FILES, entry_of, forge
from test_cli import flasklint

pytestmark = pytest.mark.asyncio


async def test_a_forged_deep_cache_entry_does_not_cost_the_editor_its_diagnostics(tmp_path: Path) -> None:
    root = write_files(tmp_path, FILES)
    assert flasklint("check", cwd=root).returncode == 1  # fills the cache
    forge(entry_of(root, "app.py"), b"[" * 100_000 + b"]" * 100_000)
    async with lsp_session(root) as session:
        session.open("app.py")
        found = await session.diagnostics("app.py", version=1)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [("FLK104", 3, 17)]
