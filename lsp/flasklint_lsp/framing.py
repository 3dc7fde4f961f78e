"""The server's stdin, made to survive broken message framing.

pygls reads a header line, then exactly Content-Length bytes of body. After one wrong
Content-Length (or a body sent without a header) the next header arrives glued to the end of a
body line and no longer matches, and so does every header after it: the server reads on but never
answers again. Here a line that ends in a header loses whatever precedes it, so the stream is back
in step at the next message; and a Content-Length too large to be real is refused instead of
allocated (reading it would raise MemoryError and end the server).
"""

from __future__ import annotations

import logging
from typing import BinaryIO

log = logging.getLogger(__name__)

HEADER = b"Content-Length: "
MAX_MESSAGE_BYTES = 256 * 2**20  # a document far above what the engine analyses, in JSON


class ResyncingReader:
    """A binary stream for pygls' message loop (readline, read) that re-synchronises on headers."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        line = self.stream.readline()
        start = line.find(HEADER)
        if start > 0:
            log.warning("dropped %d bytes of malformed input before a message header", start)
            return line[start:]
        return line

    def read(self, size: int) -> bytes:
        if size > MAX_MESSAGE_BYTES:
            log.warning("refused a message of %d bytes (Content-Length); reading on from the next header", size)
            return b"null"  # parsed as an empty message and dropped; its bytes are skipped as lines
        return self.stream.read(size)
