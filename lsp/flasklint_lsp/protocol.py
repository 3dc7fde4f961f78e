"""The JSON-RPC protocol, with two repairs: malformed requests get an error reply, and the
life-cycle messages count once.

pygls turns a request whose params do not match the LSP types into an exception inside its read
loop, logs it, and never answers: the client then waits forever. Here such a request is answered
with InvalidParams (or InternalError) carrying the request's id, as JSON-RPC requires.

"The initialize request may only be sent once" (LSP 3.17), but pygls answers a second one by
replacing its workspace, which forgets every open document: they got no diagnostics until opened
again. A second `initialize` is answered with InvalidRequest and changes nothing; a second
`initialized` is ignored (it would register the file watchers and the log forwarding twice).

pygls also files the future of every handler it runs under the message's id, but forgets only
those of requests: the future of every notification (each didChange) was kept forever.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from typing import Generator

from lsprotocol import types
from lsprotocol.types import ResponseError
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.protocol import LanguageServerProtocol, lsp_method

log = logging.getLogger(__name__)


class _Answered:
    """Stands in for a request that was already answered with an error."""

    jsonrpc = None


ANSWERED = _Answered()


class FlasklintProtocol(LanguageServerProtocol):
    _initialized_seen = False

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        if self._workspace is not None:
            log.warning("a second initialize request was refused: the server is already initialized")
            raise JsonRpcInvalidRequest("the server is already initialized: initialize may only be sent once")
        return (yield from super().lsp_initialize(params))

    @lsp_method(types.INITIALIZED)
    def lsp_initialized(self, *args: Any) -> Generator[Any, Any, None]:
        if self._initialized_seen:
            log.warning("a second initialized notification was ignored")
            return
        self._initialized_seen = True
        yield from super().lsp_initialized(*args)

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

    def _execute_handler(
        self,
        msg_id: Any,
        handler: Callable[..., Any],
        callback: Callable[[Any], None],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        def forget_then_call_back(future: Any) -> None:
            self._request_futures.pop(msg_id, None)
            callback(future)

        super()._execute_handler(msg_id, handler, forget_then_call_back, args, kwargs)

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        if not hasattr(message, "jsonrpc"):  # valid JSON, but not an object: 5, [], null
            log.warning("ignored a message that is not a JSON-RPC object: %.100r", message)
            return
        super().handle_message(message)
