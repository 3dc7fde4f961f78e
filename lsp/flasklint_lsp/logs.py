"""Logging into the editor: engine and server log records go to window/logMessage."""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import sys
from typing import TYPE_CHECKING

from lsprotocol import types

from flasklint import __version__

if TYPE_CHECKING:
    from flasklint_lsp.server import FlasklintServer

# Logger -> lowest level forwarded: the engine reports rule crashes and unreadable files as warnings
# and errors; the server also reports what it indexed.
FORWARDED = {"flasklint": logging.WARNING, "flasklint_lsp": logging.INFO}


class ClientLogHandler(logging.Handler):
    """Forwards log records to the editor's output, from any thread (the engine logs on its own)."""

    LEVELS = (
        (logging.ERROR, types.MessageType.Error),
        (logging.WARNING, types.MessageType.Warning),
        (logging.INFO, types.MessageType.Info),
    )

    def __init__(self, server: "FlasklintServer", loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.server = server
        self.loop = loop
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            kind = next((t for level, t in self.LEVELS if record.levelno >= level), types.MessageType.Log)
            params = types.LogMessageParams(type=kind, message=self.format(record))
            self.loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:  # noqa: BLE001 - logging must never raise
            self.handleError(record)


def forward_to_client(server: "FlasklintServer", loop: asyncio.AbstractEventLoop) -> None:
    """From now on these records go to the editor only: not also to stderr, which editors show too."""
    handler = ClientLogHandler(server, loop)
    for name, level in FORWARDED.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.propagate = False


def drop_late_cancellations(record: logging.LogRecord) -> bool:
    """pygls warns when the editor cancels a request it already answered: routine, not a problem."""
    return not record.getMessage().startswith("Cancel notification for unknown message id")


def startup_message(server: "FlasklintServer") -> str:
    roots = ", ".join(str(state.root) for state in server.workspaces.states()) or "none (files are linted on their own)"
    return (
        f"flasklint {__version__} language server (pygls {importlib.metadata.version('pygls')}) "
        f"on Python {sys.version.split()[0]} ({sys.executable}); project roots: {roots}"
    )
