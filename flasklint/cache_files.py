"""Cache entries on disk, read and written without trusting the folder, and the fingerprint of
flasklint's own code: shared by the per-file cache (cache.py) and the whole-run cache (run_cache.py).
A warm run loads the latter without the engine, so this module needs only the standard library."""

from __future__ import annotations

import os
import stat

import flasklint

TYPE_CHECKING = False  # pathlib's, not imported: a warm run (run_cache.py) spells its paths as strings
if TYPE_CHECKING:
    from os import PathLike

    StrPath = str | PathLike[str]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def is_real_directory(path: StrPath) -> bool:
    """A directory itself, not a symlink to one (a planted link must not redirect the cache's writes)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def read_regular_file(path: StrPath, limit: int) -> bytes | None:
    """The bytes of a regular file, not through a symlink, at most `limit` bytes; None otherwise (a FIFO
    or a device would block or stream forever)."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(descriptor, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def write_atomically(path: StrPath, data: bytes, temporary_name: str) -> None:
    """Write beside the target under `temporary_name`, then rename over it (which replaces a symlink,
    never follows it)."""
    temporary = os.path.join(os.path.dirname(path), temporary_name)
    try:
        descriptor = os.open(temporary, _CREATE_FLAGS, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:  # (not contextlib.suppress: a warm run does without contextlib)
            pass
        raise


def flasklint_sources() -> list[tuple[str, int, int]]:
    """(path relative to the package, size, mtime) of each of flasklint's sources, sorted: results
    computed by other code must not be reused (an upgrade, a local edit)."""
    package = os.path.dirname(flasklint.__file__)
    prefix = len(package) + 1
    sources = []
    pending = [package]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    pending.append(entry.path)
                elif entry.name.endswith(".py"):
                    status = entry.stat()
                    sources.append((entry.path[prefix:], status.st_size, status.st_mtime_ns))
    return sorted(sources)
