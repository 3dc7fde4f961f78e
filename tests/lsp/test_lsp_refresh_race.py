"""A document's lint whose result another file's change overtakes must not leave stale diagnostics.

The language server lints one document (its engine call computes the diagnostics against the index
of that moment) while the user's next change to another file updates the index; that change's refresh
passes over documents whose lint is still pending, trusting them to publish. When the pending lint's
result was computed before the index changed, it has to be refreshed once published. The chaos test
(test_lsp_chaos.py) met this interleaving under load: `url_for("indx")` kept its FLK201 although a
route on an unknown owner, added to config.py meanwhile, makes the app's endpoints unknowable.

Here the interleaving is forced, with the server's real Linter, projects and engine thread: only the
editor's side (open documents, published diagnostics) is kept in memory.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from concurrent.futures import Future
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace import PositionCodec

from flasklint_lsp.linting import Linter
from flasklint_lsp.projects import Engine, ProjectState, Workspaces
from flasklint_lsp.settings import Settings
from flasklint_lsp.text import Snapshot

pytestmark = pytest.mark.asyncio

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
UNKNOWN_OWNER_ROUTE = '\n\n@app.route("/echo")\ndef echo():\n    return "echo"\n'  # no `app` in config.py


class Editor:
    """The server surface the Linter uses: real workspaces and engine thread; the editor's documents
    and the diagnostics published to it in memory."""

    def __init__(self, root: Path) -> None:
        self.settings = Settings()
        self.engine = Engine("test-engine")
        self.quick = Engine("test-quick")
        self.workspaces = Workspaces()
        self.workspaces.add_folder(root.as_uri())
        self.root = root
        self.documents: dict[str, Snapshot] = {}
        self.shown: dict[str, list[types.Diagnostic]] = {}
        self.background: set[asyncio.Task[None]] = set()
        self.linter = Linter(self)  # type: ignore[arg-type]

    def uri(self, relative: str) -> str:
        return (self.root / relative).as_uri()

    def type(self, relative: str, text: str, version: int) -> None:
        uri = self.uri(relative)
        self.documents[uri] = Snapshot(text, version, PositionCodec())
        self.linter.schedule(uri)

    def snapshot(self, uri: str) -> Snapshot | None:
        return self.documents.get(uri)

    async def located(self, uri: str):  # type: ignore[no-untyped-def]
        return self.workspaces.locate(uri)

    def spawn(self, coroutine) -> asyncio.Task[None]:  # type: ignore[no-untyped-def]
        task = asyncio.ensure_future(coroutine)
        self.background.add(task)
        return task

    async def settled(self) -> None:
        """Every lint and background refresh done."""
        while pending := [*self.linter._tasks.values(), *(t for t in self.background if not t.done())]:
            await asyncio.gather(*pending)

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None:
        self.shown[params.uri] = params.diagnostics

    def codes(self, relative: str) -> list[tuple[str, int]]:
        return [(str(d.code), d.range.start.line + 1) for d in self.shown.get(self.uri(relative), [])]

    async def built(self) -> ProjectState:
        state = self.workspaces.locate(self.uri("app.py")).state  # type: ignore[union-attr]
        await self.engine.run(state.discover, self.settings)
        await self.engine.run(state.analyse, {})
        state.started = True
        state.found.set()
        state.ready.set()
        return state


async def started(tmp_path: Path) -> tuple[Editor, ProjectState, str, str]:
    """The quickstart open in the editor, linted: app.py shows FLK201 for `url_for("indx")`."""
    root = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, root, ignore=shutil.ignore_patterns(".flasklint_cache"))
    editor = Editor(root)
    state = await editor.built()
    app_text, config_text = (root / "app.py").read_text(), (root / "config.py").read_text()
    editor.type("app.py", app_text, 1)
    editor.type("config.py", config_text, 1)
    await editor.settled()
    assert ("FLK201", 56) in editor.codes("app.py")
    return editor, state, app_text, config_text


async def assert_app_py_shows_the_current_diagnostics(editor: Editor, state: ProjectState) -> None:
    now = await editor.engine.run(state.diagnostics, "app.py")
    assert ("FLK201", 56) not in [(d.code, d.start.row) for d in now]  # the app's endpoints are unknowable now
    assert editor.codes("app.py") == [(d.code, d.start.row) for d in now]
    editor.engine.shutdown()
    editor.quick.shutdown()


async def test_a_lint_computed_before_another_files_change_is_refreshed_after_it(tmp_path: Path) -> None:
    editor, state, app_text, config_text = await started(tmp_path)

    # app.py's lint computes against the index of the moment, then its result waits on its way to the
    # event loop while config.py's change (queued behind it on the engine thread) updates the index
    # and refreshes the other documents.
    release = threading.Event()
    submit = editor.engine.submit

    def delayed_submit(function, *args):  # type: ignore[no-untyped-def]
        job = submit(function, *args)
        if "app.py" not in args:
            return job
        delivered: Future[object] = Future()

        def deliver() -> None:
            release.wait(10)
            error = job.exception()
            delivered.set_exception(error) if error is not None else delivered.set_result(job.result())

        job.add_done_callback(lambda _: threading.Thread(target=deliver).start())
        return delivered

    editor.engine.submit = delayed_submit  # type: ignore[method-assign]
    editor.type("app.py", app_text + "\nUNUSED = 1\n", 2)
    app_lint = editor.linter._tasks[editor.uri("app.py")]
    editor.type("config.py", config_text + UNKNOWN_OWNER_ROUTE, 2)
    await editor.linter._tasks[editor.uri("config.py")]
    release.set()
    await app_lint
    editor.engine.submit = submit  # type: ignore[method-assign]
    await editor.settled()
    await assert_app_py_shows_the_current_diagnostics(editor, state)


async def test_a_superseded_lint_that_changed_the_index_still_refreshes_the_other_documents(tmp_path: Path) -> None:
    """The engine job of a lint that a newer change cancels completes if it was already running:
    config.py's route reaches the index then, and the newer lint, feeding the same text, sees no
    change to tell the other documents about."""
    editor, state, _, config_text = await started(tmp_path)
    running, release = threading.Event(), threading.Event()
    update = state.update

    def slow_update(relative: str, text: str | None, version: int | None):  # type: ignore[no-untyped-def]
        if relative == "config.py" and version == 2:
            running.set()
            release.wait(10)
        return update(relative, text, version)

    state.update = slow_update  # type: ignore[method-assign]
    editor.type("config.py", config_text + UNKNOWN_OWNER_ROUTE, 2)
    assert await asyncio.to_thread(running.wait, 10)
    editor.type("config.py", config_text + UNKNOWN_OWNER_ROUTE, 3)  # saved: linted again, the first cancelled
    await asyncio.sleep(0.05)
    release.set()
    await editor.settled()
    assert editor.codes("config.py") == [("FLK104", 10)]
    await assert_app_py_shows_the_current_diagnostics(editor, state)
