"""Turn bytes on disk into text and a libcst tree; every failure becomes a value, never an exception.

Decoding follows PEP 263 (a coding cookie or a BOM) exactly as Python itself does, so a file Python
can run is never reported as undecodable.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import threading
import tokenize
import warnings
from dataclasses import dataclass
from typing import Callable, TypeVar

import libcst as cst

T = TypeVar("T")

# libcst's native parser recurses once per nesting level and per chained operator: thousands of
# nested brackets crash the whole process (a stack overflow, measured at ~2,000 levels), and
# `a and b and ...` chains CPython accepts crash it too. A file that looks deep (cheap
# over-approximation below) is therefore first parsed by CPython, which rejects anything deeper
# than it supports with a proper SyntaxError, and then by libcst in a thread with a large stack.
# libcst's Python-level visitors recurse too: `run_deep` also lifts the recursion limit there.
DEEP_BRACKETS = 100  # CPython itself allows 200
LONG_LINE = 10_000
LONG_SPAN = 2_000  # lines inside one bracket group, or backslash-continued in a row
LARGE_STACK = 512 * 1024 * 1024
DEEP_RECURSION_LIMIT = 100_000
_deep_lock = threading.Lock()  # the recursion limit is process-wide: one deep run at a time
_deep_thread = threading.local()  # set inside a deep run, where a nested run_deep runs inline
_STRUCTURE = re.compile(r"[()\[\]{}]|\\?\r?\n")


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
    if looks_deep(text):
        error = cpython_syntax_error(text)
        if error is not None:
            return error
        parsed = run_deep(lambda: _parse(text))
        return parsed if parsed is not None else SourceError("cannot parse the file: it is nested too deeply")
    return _parse(text)


def cpython_syntax_error(text: str) -> SourceError | None:
    """CPython's verdict (its C parser is fast, its messages clear); None when the text parses."""
    try:
        with warnings.catch_warnings():  # SyntaxWarnings about the user's code are not ours to print
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as exc:
        return SourceError(f"syntax error: {exc.msg}", exc.lineno or 1, max((exc.offset or 1) - 1, 0))
    except (ValueError, RecursionError, MemoryError) as exc:
        return SourceError(f"cannot parse the file: {type(exc).__name__}: {exc}".rstrip(": "))
    return None


def looks_deep(text: str) -> bool:
    """Could this text make a recursive parser recurse thousands of times? (Brackets inside strings
    count too: a false alarm only costs a CPython parse.)"""
    if len(text) > LONG_LINE and max(map(len, text.split("\n"))) > LONG_LINE:
        return True
    depth = lines_in_group = continued = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "([{":
            depth += 1
            if depth > DEEP_BRACKETS:
                return True
        elif token in ")]}":
            depth = max(depth - 1, 0)
            lines_in_group = 0 if depth == 0 else lines_in_group
        elif token.startswith("\\"):
            continued += 1
            if continued > LONG_SPAN:
                return True
        else:
            continued = 0
            lines_in_group += 1 if depth else 0
            if lines_in_group > LONG_SPAN:
                return True
    return False


def run_deep(function: Callable[[], T]) -> T | None:
    """`function()` in a thread with a large stack and a high recursion limit, for deeply nested
    code; None if it is still too deep. Other exceptions propagate to the caller."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        _deep_thread.active = True
        try:
            outcome.append(function())
        except RecursionError:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            failure.append(exc)

    if getattr(_deep_thread, "active", False):
        target()
    else:
        _run_in_deep_thread(target)
    if failure:
        raise failure[0]
    return outcome[0] if outcome else None


def _run_in_deep_thread(target: Callable[[], None]) -> None:
    with _deep_lock:
        limit = sys.getrecursionlimit()
        try:
            previous_stack = threading.stack_size(LARGE_STACK)
        except (ValueError, RuntimeError):  # the platform does not let us choose the stack size
            return
        sys.setrecursionlimit(max(limit, DEEP_RECURSION_LIMIT))
        try:
            thread = threading.Thread(target=target, name="flasklint-deep")
            thread.start()
            threading.stack_size(previous_stack)
            thread.join()
        finally:
            threading.stack_size(previous_stack)
            sys.setrecursionlimit(limit)


def _parse(text: str) -> cst.Module | SourceError:
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        message = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
        return SourceError(f"syntax error: {message}", exc.raw_line, max(exc.raw_column, 0))
    except Exception as exc:  # noqa: BLE001 - the parser's own limits (recursion, memory) must not crash a run
        return SourceError(f"cannot parse the file: {type(exc).__name__}: {exc}")
