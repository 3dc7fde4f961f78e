"""The language server object: settings, projects, the engine thread, and start-up.

`flasklint server` and `python -m flasklint_lsp` both call `main()`, which speaks LSP on stdio.
The handlers that answer the editor live in `features.py`; this module owns the state they share.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO, Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import FeatureRequestError
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from flasklint import __version__
from flasklint.isolation import drop_project_paths

from flasklint_lsp import logs
from flasklint_lsp.features import register
from flasklint_lsp.framing import ResyncingReader
from flasklint_lsp.linting import Linter
from flasklint_lsp.progress import BuildProgress
from flasklint_lsp.projects import Engine, Located, ProjectState, Workspaces
from flasklint_lsp.protocol import FlasklintProtocol
from flasklint_lsp.settings import Settings, parse, unwrap
from flasklint_lsp.text import Snapshot
from flasklint_lsp.warmup import warm_up

log = logging.getLogger("flasklint_lsp")
GC_THRESHOLDS = (50_000, 20, 100)
# Seconds a project's first analysis waits after discovery for a document of it to be opened (an
# editor opens its documents right after `initialized`, while the files are being discovered): an
# opened document's own diagnostics go first. Only a project with no open document waits it out.
FIRST_DOCUMENT_GRACE = 0.5
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"  # stderr, for editors that keep it


class FlasklintServer(LanguageServer):
    def __init__(self) -> None:
        # Full sync: pygls applies incremental changes with str.splitlines, which also splits on form
        # feeds and U+2028 and would corrupt such documents; whole texts are cheap on a local pipe.
        super().__init__(
            "flasklint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Full,
            protocol_cls=FlasklintProtocol,
        )
        self.settings = Settings()
        self.engine = Engine()
        # A document's own rules while its project is indexed (the engine thread is busy building).
        self.quick = Engine("flasklint-quick")
        self.workspaces = Workspaces()
        self.linter = Linter(self)
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- documents ---------------------------------------------------------------------------
    def snapshot(self, uri: str) -> Snapshot | None:
        """The open document's current text and version (None when it is not open)."""
        # pygls files documents under their unquoted URI: `file:///a%2Bb/app.py` as `file:///a+b/app.py`.
        document = self.workspace.text_documents.get(unquote(uri))
        if document is None:
            return None
        return Snapshot(document.source, document.version, self.workspace.position_codec)

    def open_uris(self) -> list[str]:
        """The open documents' URIs as the editor spelled them (pygls keys them unquoted; diagnostics
        published under that spelling would not reach a client comparing URIs as strings)."""
        return [document.uri for document in self.workspace.text_documents.values()]

    def open_documents(self) -> dict[Path, Snapshot]:
        found: dict[Path, Snapshot] = {}
        for uri in self.open_uris():
            path, snapshot = to_fs_path(uri), self.snapshot(uri)
            if path and snapshot is not None:
                found[Path(path).resolve()] = snapshot
        return found

    async def located(self, uri: str) -> Located | None:
        """The project and relative path of a document, once its project is built."""
        located = self.workspaces.locate(uri)
        if located is None:
            return None
        if not located.state.started:
            self.build(located.state)
        await located.state.ready.wait()
        return located if located.state.project is not None else None

    def ready(self, uri: str) -> Located | None:
        """Like `located`, without waiting: None while the project is still being indexed."""
        located = self.workspaces.locate(uri)
        if located is None or not located.state.ready.is_set() or located.state.project is None:
            return None
        return located

    # -- projects ----------------------------------------------------------------------------
    def build(self, state: ProjectState) -> asyncio.Task[None]:
        """Index a project in the background (documents wait for it; the editor does not)."""
        state.started = True
        return self.spawn(self._build(state))

    async def _build(self, state: ProjectState) -> None:
        """Discover, let the open documents' own diagnostics go first, then analyse and index.

        Run beside them, the analysis (its worker processes, and this process decoding their
        results) took the CPU and the interpreter lock from them: on two cores their wait tripled.
        """
        overlays = self.overlays(state)
        progress = BuildProgress(self, f"indexing {state.root.name}")
        try:
            state.files_found = await self.engine.run(state.discover, self.settings)
            state.found.set()
            if state.project is None:  # the first build: the editor is opening its documents
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(state.opened.wait(), FIRST_DOCUMENT_GRACE)
            first = list(state.own_first)
            if first:
                await asyncio.wait(first)
            progress.report(f"analysing {state.files_found} files")
            report = await self.engine.run(state.analyse, overlays)
        except Exception:
            log.exception("indexing %s failed", state.root)
            progress.end("indexing failed")
            return
        finally:
            state.found.set()
            state.ready.set()
        progress.end(f"{report.files} files indexed")
        log.info("indexed %s: %d files in %.2f s", state.root, report.files, report.seconds)
        if report.config_error:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"flasklint: {report.config_error}")
            )

    def overlays(self, state: ProjectState) -> dict[str, tuple[str, int | None]]:
        """The project's open documents: relative path -> (buffer text, version)."""
        found = {}
        for uri in self.open_uris():
            located, snapshot = self.workspaces.locate(uri), self.snapshot(uri)
            if located is not None and located.state is state and snapshot is not None:
                found[located.relative] = (snapshot.text, snapshot.version)
        return found

    async def rebuild(self, state: ProjectState) -> None:
        """Re-read the config and re-index (pyproject.toml changed), then re-lint the open documents."""
        await self._build(state)
        for uri in self.open_uris():
            located = self.workspaces.locate(uri)
            if located is not None and located.state is state:
                self.linter.schedule(uri)

    # -- settings ----------------------------------------------------------------------------
    async def apply_settings(self, payload: Any) -> None:
        raw = unwrap(payload)
        if raw is None:
            return
        previous = self.settings
        self.settings, problems = parse(raw, previous)
        for problem in problems:
            log.warning("%s", problem)
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message=f"flasklint: {problem}")
            )
        for state in self.workspaces.states():
            if state.project is not None:
                await self.engine.run(state.apply_settings, self.settings)
        if not self.settings.enable:
            self.linter.cancel_all()
            for uri in list(self.linter.published):
                self.linter.clear(uri)
        elif not previous.enable:
            for uri in self.open_uris():
                self.linter.schedule(uri)
        else:
            await self.linter.refresh_all()

    # -- plumbing ----------------------------------------------------------------------------
    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Speak LSP on stdio, back in step at the next message after broken framing."""
        super().start_io(ResyncingReader(stdin or sys.stdin.buffer), stdout)

    def spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        """Run a background task, keeping a reference and logging (never raising) its failure."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)

        def finished(done: asyncio.Task[Any]) -> None:
            self._tasks.discard(done)
            if not done.cancelled() and done.exception() is not None:
                log.error("background task failed: %s", done.exception(), exc_info=done.exception())

        task.add_done_callback(finished)
        return task

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Internal errors go to the log, not to pop-ups; request errors are already in the reply."""
        if source is FeatureRequestError:
            return
        log.error("internal error (%s): %s", getattr(source, "__name__", source), error)


def main(argv: Sequence[str] | None = None) -> int:
    drop_project_paths()  # an editor starts the server in the project: nothing is imported from it
    parser = argparse.ArgumentParser(prog="flasklint server", description="The flasklint language server.")
    parser.add_argument("--stdio", action="store_true", help="speak LSP on stdin/stdout (the default)")
    parser.add_argument("--version", action="version", version=f"flasklint {__version__}")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=LOG_FORMAT)
    logging.getLogger("pygls.protocol.json_rpc").addFilter(logs.drop_late_cancellations)
    # The protocol gets its own copy of stdout; file descriptor 1 and sys.stdout then go to stderr, so
    # a stray print() or a C library's write (in a rule, a dependency) cannot corrupt the LSP stream.
    sys.stdout.flush()
    protocol_stream = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    # Every keystroke builds a libcst tree of a few hundred thousand objects; with the default
    # threshold (700) the collector keeps walking the whole long-lived index instead. Measured on a
    # 1,000-line module in a 200-module project: p95 of an update 900 ms -> 220 ms, p50 unchanged.
    gc.set_threshold(*GC_THRESHOLDS)
    server = FlasklintServer()
    # Loads libcst and the rules while the editor starts up, before the first document arrives.
    server.quick.submit(warm_up)
    register(server)
    server.start_io(sys.stdin.buffer, protocol_stream)
    return 0
