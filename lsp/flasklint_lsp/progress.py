"""`$/progress` while a project is indexed: the editor shows that project rules are still coming.

A server-initiated work-done progress (LSP 3.17): `window/workDoneProgress/create`, then `begin`,
`report`s and `end` on that token, in that order. The messages are queued and sent by one task,
so a build that finishes before the client answered `create` still shows a complete sequence; a
client that refuses the token (or never answers) just gets no progress.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.capabilities import get_capability

if TYPE_CHECKING:
    from flasklint_lsp.server import FlasklintServer

log = logging.getLogger(__name__)
CREATE_TIMEOUT = 10.0  # seconds to wait for the client to accept a token
_tokens = itertools.count(1)


class BuildProgress:
    def __init__(self, server: "FlasklintServer", title: str) -> None:
        self._server = server
        self._queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
        self.token = f"flasklint/index/{next(_tokens)}"
        if get_capability(server.client_capabilities, "window.work_done_progress", False):
            server.spawn(self._send(title))

    def report(self, message: str) -> None:
        self._queue.put_nowait(("report", message))

    def end(self, message: str) -> None:
        self._queue.put_nowait(("end", message))

    async def _send(self, title: str) -> None:
        progress = self._server.work_done_progress
        try:
            await asyncio.wait_for(progress.create_async(self.token), CREATE_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - a refused or unanswered token: no progress shown
            log.info("no indexing progress shown: %s", exc)
            return
        progress.begin(self.token, types.WorkDoneProgressBegin(title="flasklint", message=title, cancellable=False))
        while True:
            kind, message = await self._queue.get()
            if kind == "end":
                progress.end(self.token, types.WorkDoneProgressEnd(message=message))
                return
            progress.report(self.token, types.WorkDoneProgressReport(message=message))
