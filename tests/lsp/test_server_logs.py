"""Where the server's log lines go: to the editor (window/logMessage) once initialized, not also to
stderr, which editors such as VS Code show as well (every line would appear twice, as an error)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from flasklint_lsp.logs import drop_late_cancellations

TIMEOUT = 30.0


def send(stdin: IO[bytes], message: dict) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    stdin.flush()


def receive(stdout: IO[bytes]) -> dict:
    length = 0
    while (line := stdout.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stdout.read(length))


def test_index_log_goes_to_the_editor_only(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n", encoding="utf-8")
    folder = tmp_path.as_uri()
    server = subprocess.Popen(
        [sys.executable, "-m", "flasklint_lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    try:
        send(server.stdin, {"id": 1, "method": "initialize", "params": {
            "processId": None, "rootUri": folder, "capabilities": {},
            "workspaceFolders": [{"uri": folder, "name": "app"}]}})
        send(server.stdin, {"method": "initialized", "params": {}})
        logged: list[str] = []
        deadline = time.monotonic() + TIMEOUT
        while not any("indexed" in line for line in logged) and time.monotonic() < deadline:
            message = receive(server.stdout)
            if message.get("method") == "window/logMessage":
                logged.append(message["params"]["message"])
        send(server.stdin, {"id": 2, "method": "shutdown"})
        send(server.stdin, {"method": "exit"})
        server.wait(TIMEOUT)
        stderr = server.stderr.read().decode()
    finally:
        server.kill()
    assert any("indexed" in line for line in logged), logged
    assert "indexed" not in stderr, stderr


def test_late_cancellations_are_not_logged() -> None:
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("pygls.protocol.json_rpc", logging.WARNING, __file__, 1, message, (), None)

    assert not drop_late_cancellations(record('Cancel notification for unknown message id "5"'))
    assert drop_late_cancellations(record("Failed to handle notification"))
