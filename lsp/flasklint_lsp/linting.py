"""Publishing diagnostics: per-document debounce, version stamping, stale results dropped.

Every lint of a document feeds its buffer text to the engine and publishes that document's
diagnostics stamped with the version they were computed for. When the change altered what other
files see (a route added, a view renamed), the other open documents of the project are re-published
from the updated index without re-parsing them.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lsprotocol import types

from flasklint.diagnostics import Diagnostic

from flasklint_lsp.convert import to_lsp
from flasklint_lsp.projects import Located, ProjectState, Update, own_diagnostics
from flasklint_lsp.text import Snapshot

if TYPE_CHECKING:
    from flasklint_lsp.server import FlasklintServer

log = logging.getLogger(__name__)
# Projects with fewer files are indexed before their documents' first diagnostics (see _publish_own).
EARLY_DIAGNOSTICS_FILES = 24


@dataclass
class Published:
    """What the client was last sent for a document, and the text those positions refer to."""

    snapshot: Snapshot
    entries: list[tuple[types.Diagnostic, Diagnostic]]

    @property
    def diagnostics(self) -> list[types.Diagnostic]:
        return [lsp for lsp, _ in self.entries]


class Linter:
    def __init__(self, server: "FlasklintServer") -> None:
        self.server = server
        self.published: dict[str, Published] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}

    # -- scheduling --------------------------------------------------------------------------
    def schedule(self, uri: str, delay_ms: int = 0) -> None:
        """Lint `uri` after `delay_ms`; a newer request for the same document replaces a pending one."""
        previous = self._tasks.get(uri)
        if previous is not None:
            previous.cancel()
        task = asyncio.ensure_future(self._lint(uri, delay_ms))
        self._tasks[uri] = task
        task.add_done_callback(lambda done: self._finished(uri, done))

    def _finished(self, uri: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(uri) is task:
            del self._tasks[uri]
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            log.error("linting %s failed: %s", uri, exc, exc_info=exc)

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    async def _lint(self, uri: str, delay_ms: int) -> None:
        if delay_ms > 0:
            await asyncio.sleep(delay_ms / 1000)
        snapshot = self.server.snapshot(uri)
        if snapshot is None:
            return
        waiting = self.server.workspaces.locate(uri)
        if waiting is not None and not waiting.state.ready.is_set():
            await self._publish_own(uri, snapshot, waiting)
        located = await self.server.located(uri)
        if located is None:
            self.publish(uri, snapshot, [])
            return
        state = located.state
        job = self.server.engine.submit(_updated, state, located.relative, snapshot.text, snapshot.version)
        try:
            update, generation = await asyncio.wrap_future(job)
        except asyncio.CancelledError:
            # Superseded by a newer change of this document: a job still queued is cancelled with
            # us, one already running completes, and the index change it may make would reach no
            # other document (the newer lint feeds the same facts again and sees no change).
            loop = asyncio.get_running_loop()
            job.add_done_callback(lambda done: loop.call_soon_threadsafe(self._refresh_after_superseded, state, done))
            raise
        if self._tasks.get(uri) is not asyncio.current_task() or self.server.snapshot(uri) is None:
            self._refresh_after_superseded(state, job)
            return  # a newer lint of this document is on its way, or it was closed
        del self._tasks[uri]  # from here on, a refresh of this document is no longer someone else's job
        self.publish(uri, snapshot, update.diagnostics)
        if update.index_changed:
            await self.refresh(state, skip=uri)
        if state.generation != generation:
            # Another file changed the project after these diagnostics were computed, and its refresh
            # passed this document over (its lint was still pending): they may be stale, refresh them.
            await self.refresh(state, only=uri)

    def _refresh_after_superseded(self, state: ProjectState, job: Future[tuple[Update, int]]) -> None:
        """A superseded lint's engine job ran after all: the other documents see the index it left."""
        if not job.cancelled() and job.exception() is None and job.result()[0].index_changed:
            self.server.spawn(self.refresh(state))

    async def _publish_own(self, uri: str, snapshot: Snapshot, located: Located) -> None:
        """While a large project is indexed, publish the document's own rules' findings first (the
        project rules' follow with the index). A small project is indexed in well under a second:
        its documents wait for the whole set rather than flicker. The analysis of the project waits
        for the documents opened before its files were found (see `FlasklintServer._build`)."""
        state = located.state
        if not state.started:
            self.server.build(state)
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        state.own_first.add(turn)
        state.opened.set()
        try:
            await state.found.wait()
            if state.ready.is_set() or state.files_found < EARLY_DIAGNOSTICS_FILES:
                return
            await self._own(uri, snapshot, located)
        finally:
            state.own_first.discard(turn)
            turn.set_result(None)

    async def _own(self, uri: str, snapshot: Snapshot, located: Located) -> None:
        state = located.state
        try:
            own = await self.server.quick.run(own_diagnostics, state.root, located.relative, snapshot.text, self.server.settings)
        except Exception:  # noqa: BLE001 - the complete set still follows with the index
            log.exception("own diagnostics of %s failed", uri)
            return
        if own is not None and not state.ready.is_set() and self._tasks.get(uri) is asyncio.current_task():
            self.publish(uri, snapshot, own)

    # -- publishing --------------------------------------------------------------------------
    def publish(self, uri: str, snapshot: Snapshot, diagnostics: list[Diagnostic]) -> None:
        settings = self.server.settings
        if not settings.enable:
            diagnostics = []
        entries = [(to_lsp(d, snapshot, settings), d) for d in diagnostics]
        previous = self.published.get(uri)
        self.published[uri] = Published(snapshot, entries)
        if previous is not None and previous.snapshot.version == snapshot.version and previous.diagnostics == [
            lsp for lsp, _ in entries
        ]:
            return
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[lsp for lsp, _ in entries], version=snapshot.version)
        )

    def clear(self, uri: str) -> None:
        """Forget a closed document: cancel its pending lint and clear its diagnostics in the client."""
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        if self.published.pop(uri, None) is not None:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def refresh(self, state: ProjectState, skip: str | None = None, only: str | None = None) -> None:
        """Re-publish the project's open documents (or `only` one) from the current index (no re-parse).

        Only documents whose published text is the text the engine holds are refreshed; the others
        have a lint pending that will publish them anyway.
        """
        current: dict[str, tuple[str, Published]] = {}
        for uri, published in list(self.published.items()):
            if uri == skip or uri in self._tasks or (only is not None and uri != only):
                continue
            located = await self.server.located(uri)
            if located is None or located.state is not state:
                continue
            if state.buffers.get(located.relative, object()) != published.snapshot.version:
                continue
            current[uri] = (located.relative, published)
        if not current:
            return
        relatives = [relative for relative, _ in current.values()]
        results = await self.server.engine.run(lambda: {r: state.diagnostics(r) for r in relatives})
        for uri, (relative, published) in current.items():
            diagnostics = results.get(relative)
            if diagnostics is None or uri in self._tasks or self.published.get(uri) is not published:
                continue  # not linted, a broken buffer (its FLK001 stands), or superseded meanwhile
            self.publish(uri, published.snapshot, diagnostics)

    async def refresh_all(self) -> None:
        for state in self.server.workspaces.states():
            if state.ready.is_set():
                await self.refresh(state)


def _updated(state: ProjectState, relative: str, text: str, version: int | None) -> tuple[Update, int]:
    """`state.update(...)`, and the generation of the project's facts it left (read on the engine
    thread, before any later update can bump it)."""
    return state.update(relative, text, version), state.generation
