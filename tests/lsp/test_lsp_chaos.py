"""The server outlives a hostile editor: life-cycle misuse, malformed traffic, random edits.

Every test here drives the real server over stdio and ends by checking that it still lints, and
the chaos test that what it finally shows equals what `flasklint check` says about the same files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidRequest

from harness import APP, capabilities, flask_app, lsp_session

pytestmark = pytest.mark.asyncio

DEBUG_RUN = 'app.run(host="0.0.0.0", debug=True)\n'


def codes(diagnostics: list[types.Diagnostic]) -> list[object]:
    return [d.code for d in diagnostics]


async def test_a_second_initialize_is_refused_and_the_documents_keep_their_diagnostics(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        assert await session.diagnostics("app.py", version=1) == []
        again = types.InitializeParams(capabilities=capabilities(), root_uri=flask_project.as_uri())
        with pytest.raises(JsonRpcInvalidRequest):
            await asyncio.wait_for(session.client.initialize_async(again), 10)
        session.client.initialized(types.InitializedParams())
        version = session.change("app.py", APP + DEBUG_RUN)
        assert codes(await session.diagnostics("app.py", version=version, timeout=10)) == ["FLK103"]
        version = session.change("app.py", APP + "x = (\n")
        assert codes(await session.diagnostics("app.py", version=version, timeout=10)) == ["FLK001"]
        await session.settle()
        started = [m for m in session.client.log_messages if "language server" in m.message]
    assert len(started) == 1, [m.message for m in started]  # the second `initialized` changed nothing
