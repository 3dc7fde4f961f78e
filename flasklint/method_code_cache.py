"""The methods `dataclasses` writes for libcst's and flasklint's classes, compiled once per user, not per run.

`dataclasses` writes each method it adds to a class (`__init__`, `__repr__`, `__eq__`, ...) as source
text and compiles it with `exec`. Importing libcst's ~250 node classes compiles ~1,000 such texts:
more than half of `import libcst` (~170 ms of a tiny project's ~450 ms check), paid by every process
that parses, whatever it analyses. The text alone decides the compiled code (for one Python: the
same `compile` call `exec` makes), as a module's source decides its `.pyc`: so each compiled text is
kept, under a digest of its text, in one file per user and Python (`$XDG_CACHE_HOME/flasklint/`,
else `~/.cache/flasklint/`; marshal, as `.pyc` files are) and reused by the next run. The file is
mapped, not read: a process unmarshals only the methods of the classes it makes (flake8's main
process makes a few, a check some 700 of the file's ~1,200), so it costs no memory beyond them.
The first run after installing flasklint or libcst (or another Python) compiles them and writes
the file at exit.

Only classes defined in libcst's and flasklint's own modules are served from it (`dataclasses` passes
the class's module namespace); any other code's dataclasses are compiled as usual. The file is used
only if it is this user's and writable by no one else (it holds code this process runs), and each
entry only if its digest holds; a missing, foreign, damaged or unreadable file, or entry, means
compiling as without it. `FLASKLINT_NO_METHOD_CACHE=1` turns it off.
"""

from __future__ import annotations

import _thread
import builtins
import dataclasses
import marshal
import os
import sys
import time
from importlib.util import MAGIC_NUMBER
from types import CodeType

from flasklint.digests import blake2b

SERVED_MODULES = ("libcst.", "flasklint.")
FILE_NAME = f"dataclass-methods-{sys.implementation.cache_tag}.bin"
MAX_ENTRIES = 20_000  # beyond this (texts of many libcst versions), the file keeps only this run's
STALE_TEMPORARY_SECONDS = 60  # a writer's temporary file older than this was left by a killed process
# The file: MAGIC_NUMBER, the index's length (4 bytes, little-endian) and digest, the index (marshal:
# {text digest: (offset in the entries, length, entry digest)}), then the entries (marshalled code).
_DIGEST = 16
_HEADER = len(MAGIC_NUMBER) + 4 + _DIGEST


class _KeptFile:
    """The file as this process found it, mapped; an empty one when there is none to trust."""

    def __init__(self, path: str | None) -> None:
        self.index: dict[bytes, tuple[int, int, bytes]] = {}
        self.data: object = b""
        self.start = 0
        if path is None:
            return
        try:
            self._open(path)
        except (OSError, ValueError, EOFError, TypeError):
            self.close()
            self.index = {}

    def _open(self, path: str) -> None:
        import mmap

        with open(path, "rb") as file:
            if not _trusted(os.fstat(file.fileno())) or not _trusted(os.stat(os.path.dirname(path))):
                return
            data = self.data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        if data[: len(MAGIC_NUMBER)] != MAGIC_NUMBER:
            return
        length = int.from_bytes(data[len(MAGIC_NUMBER) : len(MAGIC_NUMBER) + 4], "little")
        index = data[_HEADER : _HEADER + length]
        if len(index) == length and _digest(index) == data[_HEADER - _DIGEST : _HEADER]:
            loaded = marshal.loads(index)
            if type(loaded) is dict:
                self.index, self.start = loaded, _HEADER + length

    def entry(self, key: bytes) -> bytes | None:
        """The marshalled code kept under this key, if its digest holds."""
        try:
            offset, length, digest = self.index[key]
            entry = self.data[self.start + offset : self.start + offset + length]  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return None
        return entry if len(entry) == length and _digest(entry) == digest else None

    def close(self) -> None:
        close = getattr(self.data, "close", None)
        if close is not None:
            close()


_kept: _KeptFile | None = None  # opened on first use
_new: dict[bytes, bytes] = {}  # compiled by this process: text digest -> marshalled code
_used: set[bytes] = set()
_added = False
# Classes are made in several threads at once (the language server's): the file is opened, and
# written, by one at a time.
_lock = _thread.RLock()


def install() -> None:
    """From now on, `dataclasses` compiles through the cache (its `exec` found as a module global
    before the builtin). Idempotent; nothing is done when the cache is turned off."""
    if getattr(dataclasses, "exec", None) is _exec or os.environ.get("FLASKLINT_NO_METHOD_CACHE"):
        return
    dataclasses.exec = _exec  # type: ignore[attr-defined]


def cache_path() -> str | None:
    """None when no absolute per-user directory is known: a relative `XDG_CACHE_HOME` (the XDG spec
    says to ignore it) or no home would put the file under the working directory, maybe the very
    repository being analysed."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "flasklint", FILE_NAME) if os.path.isabs(base) else None


def _exec(source: object, globals: dict | None = None, locals: object = None, /, **options: object) -> None:
    """`exec` as `dataclasses` calls it, a served module's text replaced by its kept code object."""
    if globals is None:  # the builtin's defaults: the calling frame's namespaces (dataclasses')
        caller = sys._getframe(1)
        globals = caller.f_globals
        if locals is None:
            locals = caller.f_locals
    if isinstance(source, str) and str(globals.get("__name__", "")).startswith(SERVED_MODULES):
        source = compiled(source)
    builtins.exec(source, globals, locals, **options)  # type: ignore[arg-type,call-overload]


def compiled(text: str) -> CodeType:
    """The code `compile(text, "<string>", "exec")` gives, from the cache when it holds it (also used
    for the methods node_init.py writes for libcst's classes)."""
    global _kept, _added
    if os.environ.get("FLASKLINT_NO_METHOD_CACHE"):
        return compile(text, "<string>", "exec", dont_inherit=True)
    key = _digest(text.encode("utf-8", "surrogatepass"))
    with _lock:
        if _kept is None:
            _kept = _KeptFile(cache_path())
        _used.add(key)
        entry = _new.get(key) or _kept.entry(key)
    if entry is not None:
        try:
            code = marshal.loads(entry)
        except (ValueError, EOFError, TypeError):
            code = None
        if type(code) is CodeType:
            return code
    # What `exec(text)` compiles from dataclasses' frame: no future features of ours inherited.
    code = compile(text, "<string>", "exec", dont_inherit=True)
    with _lock:
        _new[key] = marshal.dumps(code)
        if not _added:
            _added = True
            import atexit

            atexit.register(_save)
    return code


def _digest(data: object) -> bytes:
    return blake2b(data, digest_size=_DIGEST).digest()  # type: ignore[arg-type]


def _trusted(status: os.stat_result) -> bool:
    """This user's, and no one else may write it (another local user could plant code otherwise)."""
    owner = getattr(os, "getuid", None)
    return (owner is None or status.st_uid == owner()) and not status.st_mode & 0o022


def release() -> None:
    """For a long-lived process whose classes are made: what it compiled is written now and the
    file is unmapped. A class made later opens it again."""
    global _kept
    with _lock:
        if _new:
            _save()
        if _kept is not None:
            _kept.close()
        _kept = None
        _new.clear()
        _used.clear()


def _save() -> None:
    """The kept entries and this process's new ones, written beside the file and renamed over it: a
    reader never sees half a file. Any failure leaves things as they were: the cache only saves time."""
    with _lock:
        _save_unlocked()


def _save_unlocked() -> None:
    path = cache_path()
    if not _new or path is None:
        return
    kept = _kept or _KeptFile(path)
    keys = [key for key in kept.index if key not in _new]
    if len(keys) + len(_new) > MAX_ENTRIES:
        keys = [key for key in keys if key in _used]
    entries = [(key, kept.entry(key)) for key in keys]
    entries = [(key, entry) for key, entry in entries if entry is not None] + list(_new.items())
    index, offset = {}, 0
    for key, entry in entries:
        index[key] = (offset, len(entry), _digest(entry))
        offset += len(entry)
    packed = marshal.dumps(index)
    header = MAGIC_NUMBER + len(packed).to_bytes(4, "little") + _digest(packed)
    from flasklint.cache_files import write_atomically

    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        _remove_stale_temporaries(os.path.dirname(path))
        data = header + packed + b"".join(entry for _, entry in entries)
        write_atomically(path, data, f"{FILE_NAME}.{os.getpid()}.tmp")
    except OSError:
        pass


def _remove_stale_temporaries(directory: str) -> None:
    """The temporary files of writers killed between writing and renaming (`FILE_NAME.<pid>.tmp`):
    nothing else would ever remove them. A live writer's is younger than a minute."""
    now = time.time()
    try:
        with os.scandir(directory) as found:
            for entry in found:
                if entry.name.startswith(f"{FILE_NAME}.") and entry.name.endswith(".tmp"):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMPORARY_SECONDS:
                        os.unlink(entry.path)
    except OSError:  # another process removed it first, or the folder cannot be listed: the save goes on
        pass
