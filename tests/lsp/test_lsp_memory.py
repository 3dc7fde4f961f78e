"""Memory stays flat however long the editor types: nothing is kept per edit.

The server re-analyses a document on every keystroke; a leak of one module model per edit grew it
from 64 MB to 1.3 GB over 3,000 edits. benchmarks/lsp_soak.py is the long version of the test here.
"""

from __future__ import annotations

import asyncio
import io
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pygls.io_ import StdoutWriter

from flasklint.engine import analyse_python
from flasklint_lsp.features import register
from flasklint_lsp.projects import MemoryCache
from flasklint_lsp.protocol import FlasklintProtocol
from flasklint_lsp.server import FlasklintServer
from harness import Session, lsp_session, write_files

VIEWS = 12
WARM_UP_EDITS = 100
MEASURED_EDITS = 200
GROWTH_BOUND_MB = 25  # measured: +3 MB; a model kept per edit made it +58 MB


def module(views: int) -> str:
    """A Flask module whose views all feed request data into HTML: the dataflow analysis runs on each."""
    parts = ["from flask import Flask, request\n\napp = Flask(__name__)\nLABEL = 'edit me'\n"]
    for number in range(views):
        parts.append(
            textwrap.dedent(
                f'''

                @app.route("/hello{number}")
                def hello{number}():
                    name = request.args.get("name", "")
                    greeting = "Hello " + name
                    return f"<p>{{greeting}}</p>"
                '''
            )
        )
    return "".join(parts)


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def test_the_memory_cache_is_bounded_by_size_and_keeps_the_newest_entries() -> None:
    facts = analyse_python("app.py", "app", False, module(3).encode())
    entry = len(json.dumps(facts.to_dict(), separators=(",", ":")))
    cache = MemoryCache(budget=3 * entry)
    for number in range(10):
        cache.put(f"version-{number}", facts)
    assert cache.size == 3 * entry
    assert [cache.get(f"version-{number}") is not None for number in range(10)] == [False] * 7 + [True] * 3
    assert cache.get("version-9") == facts


async def type_edits(session: Session, text: str, numbers: range) -> None:
    for number in numbers:
        edited = text.replace("edit me", f"edit {number}")
        if number % 7 == 0:
            edited += "broken = (\n"  # mid-edit: the last parseable version stands in
        version = session.change("app.py", edited)
        await session.diagnostics("app.py", version=version)


@pytest.mark.asyncio
async def test_memory_stays_flat_over_hundreds_of_edits(tmp_path: Path) -> None:
    text = module(VIEWS)
    root = write_files(tmp_path, {"app.py": text})
    async with lsp_session(root) as session:
        pid = session.client._server.pid
        session.open("app.py")
        assert len(await session.diagnostics("app.py", version=1)) == VIEWS  # one FLK101 per view
        await type_edits(session, text, range(WARM_UP_EDITS))
        warm = resident_mb(pid)
        await type_edits(session, text, range(WARM_UP_EDITS, WARM_UP_EDITS + MEASURED_EDITS))
        grown = resident_mb(pid) - warm
    assert grown < GROWTH_BOUND_MB, f"{grown:.1f} MB more after {MEASURED_EDITS} edits (warm: {warm:.1f} MB)"


def receive(protocol: FlasklintProtocol, payload: dict[str, Any]) -> None:
    """One message from the client, parsed and dispatched as the server's read loop does."""
    protocol.handle_message(json.loads(json.dumps(payload), object_hook=protocol.structure_message))


@pytest.mark.asyncio
async def test_handled_notifications_leave_no_future_behind(tmp_path: Path) -> None:
    """pygls filed the future of every notification's handler and never removed it: one per keystroke."""
    server = FlasklintServer()
    register(server)
    protocol = server.protocol
    protocol.set_writer(StdoutWriter(io.BytesIO()))
    uri = (tmp_path / "app.py").as_uri()
    receive(protocol, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
    receive(protocol, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
    document = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
    receive(protocol, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}})
    for version in range(2, 52):
        change = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": f"x = {version}\n"}]}
        receive(protocol, {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change})
    receive(protocol, {"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
    await asyncio.sleep(0.5)
    assert server.snapshot(uri) is not None and server.snapshot(uri).version == 51
    assert protocol._request_futures == {}
