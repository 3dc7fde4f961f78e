"""The JSON-RPC protocol, with one repair: malformed requests get an error reply.

pygls turns a request whose params do not match the LSP types into an exception inside its read
loop, logs it, and never answers: the client then waits forever. Here such a request is answered
with InvalidParams (or InternalError) carrying the request's id, as JSON-RPC requires.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)


class _Answered:
    """Stands in for a request that was already answered with an error."""

    jsonrpc = None


ANSWERED = _Answered()


class FlasklintProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if not (isinstance(data, dict) and "method" in data and isinstance(data.get("id"), (int, str))):
                raise
            cause = f"{exc.message}: {exc.__cause__}" if exc.__cause__ is not None else exc.message
            log.warning("malformed %s request %r answered with an error: %s", data.get("method"), data["id"], cause)
            self._send_response(data["id"], error=ResponseError(code=exc.code, message=cause))
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        super().handle_message(message)
