"""The server survives what editors and projects throw at it, and answers every request."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound

import flasklint
from harness import APP, SERVER_COMMAND, Session, flask_app, lsp_session

pytestmark = pytest.mark.asyncio

# A server whose engine has two broken rules: one raises on every file (after printing to stdout,
# which would corrupt the protocol stream if stdout were not guarded), one raises in the project pass.
BROKEN_RULES_SERVER = [
    sys.executable,
    "-c",
    """
from flasklint.rule import FileRule, ProjectRule
import flasklint.rules as rules

class Crash(FileRule):
    code = "FLK998"
    name = "crash"
    def check_module(self, model):
        print("a rule printing to stdout")
        raise RuntimeError("boom in a file rule")

class ProjectCrash(ProjectRule):
    code = "FLK999"
    name = "project-crash"
    def check(self, index, facts):
        raise RuntimeError("boom in a project rule")

rules.FILE_RULES.append(Crash())
rules.PROJECT_RULES.append(ProjectCrash())
from flasklint_lsp.server import main
raise SystemExit(main([]))
""",
]


def send_raw(session: Session, message: dict) -> "asyncio.Future[object]":
    """Write one JSON-RPC message to the server as is (the typed client refuses malformed params)."""
    future: Future[object] = Future()
    session.client.protocol._request_futures[message["id"]] = future
    body = json.dumps(message).encode()
    session.client._server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return asyncio.wrap_future(future)


async def hover(session: Session, relative: str) -> types.Hover | None:
    return await session.client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=session.uri(relative)),
            position=types.Position(line=0, character=0),
        )
    )


async def test_malformed_requests_get_an_error_reply(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
        bad = {"jsonrpc": "2.0", "id": "bad-1", "method": "textDocument/hover", "params": {"textDocument": 5}}
        with pytest.raises(JsonRpcInvalidParams):
            await asyncio.wait_for(send_raw(session, bad), 10)
        unknown = {"jsonrpc": "2.0", "id": "bad-2", "method": "flasklint/nonsense", "params": {}}
        with pytest.raises(JsonRpcMethodNotFound):
            await asyncio.wait_for(send_raw(session, unknown), 10)
        # Requests about documents the server never saw, at positions that do not exist.
        assert await hover(session, "nowhere.py") is None
        result = await session.client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=session.uri("app.py")),
                position=types.Position(line=10_000, character=10_000),
            )
        )
        assert result is None
        version = session.change("app.py", APP + "x = (\n")  # and it still lints
        assert [d.code for d in await session.diagnostics("app.py", version=version)] == ["FLK001"]


async def test_rules_that_raise_cost_their_findings_not_the_server(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    source = APP + 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n'
    async with lsp_session(flask_project, server_command=BROKEN_RULES_SERVER) as session:
        session.open("app.py", source)
        diagnostics = await session.diagnostics("app.py", version=1)
        assert [d.code for d in diagnostics] == ["FLK103"]  # the healthy rules still report
        session.open("templates/index.html")
        assert await session.diagnostics("templates/index.html", version=1) == []
        await session.settle()
        logged = "\n".join(m.message for m in session.client.log_messages)
    assert "FLK998" in logged and "FLK999" in logged


async def test_non_file_documents_are_ignored(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    async with lsp_session(flask_project) as session:
        session.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri="untitled:Untitled-1", language_id="python", version=1, text="x = (\n"
                )
            )
        )
        await session.settle()
        session.open("app.py")
        await session.diagnostics("app.py", version=1)
    assert all(p.uri != "untitled:Untitled-1" or not p.diagnostics for p in session.published)


async def test_entry_points_report_the_version() -> None:
    def run(command: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    version = await asyncio.to_thread(run, [*SERVER_COMMAND, "--version"])
    assert version.returncode == 0 and version.stdout.strip() == f"flasklint {flasklint.__version__}"
    usage = await asyncio.to_thread(run, [sys.executable, "-m", "flasklint", "server", "--help"])
    assert usage.returncode == 0 and "--stdio" in usage.stdout


async def test_flasklint_server_speaks_lsp(tmp_path: Path) -> None:
    flask_project = flask_app(tmp_path)
    command = [sys.executable, "-m", "flasklint", "server", "--stdio"]
    async with lsp_session(flask_project, server_command=command) as session:
        session.open("app.py", APP + "x = (\n")
        assert [d.code for d in await session.diagnostics("app.py", version=1)] == ["FLK001"]
