"""Writing a file in place without ever leaving it half-written, and cleaning up after a killed writer.

`write_atomically` writes a temporary file beside the target and renames it over; a run killed
in between leaves that temporary file, which project discovery recognises (`is_temporary`) and
the next `--fix` removes once its writer is gone (`remove_stale_temporaries`).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Iterable

TEMPORARY_SUFFIX = ".flasklint-tmp"
STALE_AFTER_SECONDS = 3600  # older than this, a temporary file is abandoned even if its pid is alive (reused)
_WRITER_PID = re.compile(r"\.(\d+)-\w+" + re.escape(TEMPORARY_SUFFIX) + r"\Z")


class FileChangedError(Exception):
    """The file on disk is no longer the content its fixes were computed from."""


def write_atomically(path: Path, text: str, encoding: str = "utf-8", expected: bytes | None = None) -> None:
    """Write via a temporary file in the same directory and os.replace: never a half-written file.

    Line endings are written exactly as `text` has them, the file's permission bits are kept, and
    a symlink is written through (its target is replaced, the link stays a link). With `expected`,
    the file must still hold exactly those bytes right before it is replaced: an edit saved
    meanwhile (an editor, another tool) raises FileChangedError and the file is left as it is.
    """
    import tempfile  # here, not at the top: a check imports this module but writes no file with it

    path = Path(os.path.realpath(path))
    data = text.encode(encoding)  # fail before touching the disk if the text cannot be encoded
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    # The pid in the name tells a later run whether the writer is gone (see remove_stale_temporaries).
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}-", suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if expected is not None and _current_bytes(path) != expected:
            raise FileChangedError(f"{path} changed on disk while it was being fixed")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _current_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def is_temporary(name: str) -> bool:
    """A file `write_atomically` creates (`.app.py.<pid>-<random>.flasklint-tmp`)."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def remove_stale_temporaries(paths: Iterable[Path]) -> int:
    """Delete the temporary files a killed `--fix` left behind; returns how many were deleted.

    Only abandoned ones: their writer's pid is no longer running, or they are over an hour old.
    A live flasklint's file (written in milliseconds, then renamed) is never touched.
    """
    removed = 0
    for path in paths:
        if is_temporary(path.name) and _is_abandoned(path):
            try:
                path.unlink()
            except FileNotFoundError:
                continue  # its writer renamed it, or another run removed it
            removed += 1
    return removed


def _is_abandoned(path: Path) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_AFTER_SECONDS:
        return True
    match = _WRITER_PID.search(path.name)
    return match is not None and not _is_running(int(match.group(1)))


def _is_running(pid: int) -> bool:
    """Whether `pid` may still be writing; on Windows unknown (os.kill would terminate it): yes."""
    if pid <= 0 or pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
