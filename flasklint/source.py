"""Turn bytes on disk into text and a libcst tree; every failure becomes a value, never an exception.

Decoding follows PEP 263 (a coding cookie or a BOM) exactly as Python itself does, so a file Python
can run is never reported as undecodable.
"""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

import libcst as cst


@dataclass(frozen=True)
class SourceError:
    """Why a file could not be analysed, with the 1-based line and 0-based column to report it at."""

    message: str
    line: int = 1
    column: int = 0


def decode_source(data: bytes) -> str | SourceError:
    """Decode Python source bytes the way the interpreter does (PEP 263, UTF-8 by default)."""
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return SourceError("source contains a NUL byte and cannot be parsed", line)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        return SourceError(f"invalid encoding declaration: {exc.msg}")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        position = getattr(exc, "start", 0)
        line = data.count(b"\n", 0, position) + 1
        return SourceError(f"cannot decode the file as {encoding}: {exc}", line)
    return text.removeprefix("\ufeff")


def parse_source(text: str) -> cst.Module | SourceError:
    """Parse with libcst; a syntax error (or a parser limit) is returned as a SourceError."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return SourceError("source contains a NUL byte and cannot be parsed", line)
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        message = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
        return SourceError(f"syntax error: {message}", exc.raw_line, max(exc.raw_column, 0))
    except Exception as exc:  # noqa: BLE001 - the parser's own limits (recursion, memory) must not crash a run
        return SourceError(f"cannot parse the file: {type(exc).__name__}: {exc}")
