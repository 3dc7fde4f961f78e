"""The table of findings the builder hands flake8's processes, one project at a time.

It is a file of JSON lines: flake8's main process writes the first, `{"paths": [...]}` (the files
the builder was asked about), then tells the builder to start, which appends one `{"files":
{path: entry}}` per project, as soon as that project is built, in the order flake8 lints the files
(an entry is `[digest of the text its findings hold for, or null: any text; findings]`, or null:
the worker builds it). flake8's workers start at once and lint their files; a worker needing a
file the builder has not reached yet waits for that project only, so flake8's own work overlaps
the builder's.

The builder holds an exclusive `flock` on the file for its whole life (flake8's main process locks
it and hands the descriptor over, so no worker can look before the builder holds it): a reader
that can take a shared lock knows the builder is gone, finished or not, and stops waiting. Where
`flock` does not exist the main process waits for the builder instead, and the file is complete
before any worker starts.

Only the standard library is imported here: flake8's main process and workers load this module.
"""

from __future__ import annotations

import json
import os
import time

try:
    import fcntl
except ImportError:  # Windows: the main process waits for the builder
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.01
CAN_STREAM = fcntl is not None

# [digest or None, [[row, column, "CODE message"], ...]] or None: the worker builds the file itself.
Entry = list | None


def create() -> tuple[str, int]:
    """A new, empty table file: its name and a descriptor locked for the builder (pass it on, write
    the header with it, then close it)."""
    descriptor, name = _new_file()
    if fcntl is not None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    return name, descriptor


def write_header(descriptor: int, header: dict[str, object]) -> None:
    """The header line (`paths`, and what else the builder is asked), written before the builder
    appends anything (it waits to be told to start, see flake8_build.py)."""
    os.write(descriptor, _line(header))


def write_complete(header: dict[str, object], files: dict[str, Entry]) -> str:
    """A table known whole (the last run's, saved): the header and one line, nobody holding the
    lock. Returns the file's name."""
    descriptor, name = _new_file()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_line(header) + chunk_line(files))
    return name


def chunk_line(files: dict[str, Entry]) -> bytes:
    """One project's line, as the builder appends it."""
    return _line({"files": files})


def read_header(name: str) -> dict:
    """The header line (the builder's request)."""
    with open(name, "rb") as handle:
        return json.loads(handle.readline())


def _line(record: dict[str, object]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode("utf-8") + b"\n"


def _new_file() -> tuple[int, str]:
    import tempfile

    return tempfile.mkstemp(prefix="flasklint-flake8-", suffix=".jsonl")


class Table:
    """A process's view of the table file: what it has read so far, and whether more can come."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.offset = 0
        self.requested: set[str] = set()
        self.files: dict[str, Entry] = {}
        self.complete = False
        self._read()

    def lookup(self, path: str) -> Entry:
        """The file's entry; None when the builder did not (or will not) give one. Waits while the
        builder is running and may still give it."""
        while path not in self.files and path in self.requested and not self.complete:
            time.sleep(POLL_SECONDS)
            self._read()
        return self.files.get(path)

    def _read(self) -> None:
        """Add the lines written since the last read; complete once the builder is gone."""
        try:
            descriptor = os.open(self.name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            self.complete = True
            return
        try:
            finished = _unlocked(descriptor)  # asked first: what is read after it is all there is
            os.lseek(descriptor, self.offset, os.SEEK_SET)
            data = _read_all(descriptor)
        finally:
            os.close(descriptor)
        end = data.rfind(b"\n") + 1  # a line being written is read next time
        try:
            for line in data[:end].splitlines():
                self._add(json.loads(line))
        except (ValueError, TypeError, AttributeError):
            finished = True  # not a table: stop waiting, the workers build for themselves
        self.offset += end
        self.complete = self.complete or finished

    def _add(self, record: dict) -> None:
        if "paths" in record:
            self.requested.update(record["paths"])
        else:
            self.files.update(record["files"])


def _unlocked(descriptor: int) -> bool:
    """Whether no builder holds the file (it never did, finished, or died)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True  # released when the descriptor is closed


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)
