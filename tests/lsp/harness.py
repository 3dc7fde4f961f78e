"""End-to-end harness: the real `python -m flasklint_lsp` process driven by pytest-lsp's client.

`lsp_session(root, ...)` starts a server on a project written to disk, initializes it (debounce 0
unless a test asks otherwise) and yields a `Session` that opens/changes/saves/closes documents and
waits for the diagnostics the server publishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "flasklint_lsp"]
TIMEOUT = 20.0  # seconds; a cold index of a small project takes well under one


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def make_client() -> LanguageClient:
    """pytest-lsp's client, also recording every publishDiagnostics (with its version) in order,
    and in `events` every publishDiagnostics and `$/progress` in the order they arrived."""
    client = LanguageClient()
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    client.events = []  # type: ignore[attr-defined]
    record_progress = DEFAULT_CLIENT_FEATURES[types.PROGRESS]

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)  # type: ignore[attr-defined]
        client.events.append(params)  # type: ignore[attr-defined]

    def progress(client: LanguageClient, params: types.ProgressParams) -> None:
        record_progress(client, params)
        client.events.append(params)  # type: ignore[attr-defined]

    def register_capability(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
        types.PROGRESS: progress,
        types.CLIENT_REGISTER_CAPABILITY: register_capability,
    }
    register_lsp_features(client, features)
    return client


class Session:
    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.versions: dict[str, int] = {}

    # -- documents ---------------------------------------------------------------------------
    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def text(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def open(self, relative: str, text: str | None = None, language_id: str | None = None) -> str:
        uri = self.uri(relative)
        self.versions[uri] = 1
        language = language_id or ("python" if relative.endswith(".py") else "jinja-html")
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=self.text(relative) if text is None else text
                )
            )
        )
        return uri

    def change(self, relative: str, text: str) -> int:
        uri = self.uri(relative)
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def save(self, relative: str) -> None:
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri(relative)))
        )

    def close(self, relative: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri(relative)))
        )

    def files_changed(self, *changes: tuple[str, types.FileChangeType]) -> None:
        self.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=self.uri(relative), type=kind) for relative, kind in changes]
            )
        )

    def configure(self, settings: dict[str, Any]) -> None:
        self.client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"settings": settings})
        )

    # -- waiting -----------------------------------------------------------------------------
    @property
    def published(self) -> list[types.PublishDiagnosticsParams]:
        return self.client.published  # type: ignore[attr-defined]

    def mark(self) -> int:
        """A point in the stream of publications; `diagnostics(after=mark)` waits for a later one."""
        return len(self.published)

    async def diagnostics(
        self,
        relative: str,
        version: int | None = None,
        after: int = 0,
        until: Callable[[list[types.Diagnostic]], bool] | None = None,
        timeout: float = TIMEOUT,
    ) -> list[types.Diagnostic]:
        """The newest diagnostics published for a document (after `after`, of `version`, satisfying `until`)."""
        uri = self.uri(relative)
        deadline = time.monotonic() + timeout
        while True:
            for params in reversed(self.published[after:]):
                if params.uri != uri:
                    continue
                if version is not None and params.version != version:
                    break
                if until is None or until(list(params.diagnostics)):
                    return list(params.diagnostics)
                break
            if time.monotonic() > deadline:
                seen = [(p.uri, p.version, [d.code for d in p.diagnostics]) for p in self.published]
                raise AssertionError(f"no matching diagnostics for {relative} (version {version}); published: {seen}")
            await asyncio.sleep(0.01)

    async def settle(self, seconds: float = 0.3) -> None:
        """Give the server time to (not) publish: for asserting that nothing more arrives."""
        await asyncio.sleep(seconds)


def capabilities(
    name: str = "visual-studio-code", position_encodings: list[str] | None = None
) -> types.ClientCapabilities:
    caps = client_capabilities(name)
    if position_encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=position_encodings)
    return caps


@contextlib.asynccontextmanager
async def lsp_session(
    root: Path,
    settings: dict[str, Any] | None = None,
    caps: types.ClientCapabilities | None = None,
    folders: list[Path] | None = None,
    server_command: list[str] | None = None,
    server_env: dict[str, str] | None = None,
) -> AsyncIterator[Session]:
    config = ClientServerConfig(
        server_command=server_command or SERVER_COMMAND, client_factory=make_client, server_env=server_env
    )
    client: LanguageClient = await config.start()  # type: ignore[assignment]
    folders = folders if folders is not None else [root]
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=caps or capabilities(),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=f.as_uri(), name=f.name) for f in folders],
                initialization_options={"settings": {"debounce": 0, **(settings or {})}},
            )
        )
        yield Session(client, root)
    except BaseException:
        # The test failed: do not wait on a server that may be wedged.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.shutdown_session(), 5)
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
        await client.stop()
        raise
    # A clean shutdown is part of every test: the server must exit when asked to.
    await asyncio.wait_for(client.shutdown_session(), 10)
    await client.stop()


APP = """\
from flask import Flask, render_template, url_for

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html")


@app.route("/user/<int:user_id>", methods=["GET", "POST"])
def profile(user_id):
    return url_for("index")
"""


def flask_app(root: Path) -> Path:
    """A small app with a template folder, written to `root`."""
    return write_files(
        root,
        {
            "app.py": APP,
            "templates/index.html": "<a href=\"{{ url_for('index') }}\">home</a>\n",
        },
    )


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 positions) the way an editor does: from the last to the first."""
    lines = text.splitlines(keepends=True) or [""]

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[: position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return before + index
            units += 2 if ord(char) > 0xFFFF else 1
        return before + len(line.rstrip("\r\n"))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_for(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    """The text edits a code action makes to one document (documentChanges or changes)."""
    assert action.edit is not None, action
    if action.edit.document_changes:
        return [
            edit
            for change in action.edit.document_changes
            if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
            for edit in change.edits
        ]
    return list((action.edit.changes or {}).get(uri, []))
