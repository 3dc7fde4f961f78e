"""Content-hash keyed cache of per-file facts (with the file-scope rules' results) in .flasklint_cache/.

The cache sits inside the analysed repository, and anything there may be damaged by a tool or
shipped, forged, by the repository itself. So:
- entries are JSON, never pickle: loading a pickle an untrusted repo ships would execute code;
- an entry names the key it was written for and carries the checksum of its facts: an entry of
  another file copied over this one, a truncated or edited one, is a miss (and is rewritten);
- what a checksum cannot rule out (a forged entry) is checked against the shape FileFacts
  serialises to (cache_shape.py) before it is trusted; any failure to read is a miss, never an error;
- no symbolic link is followed: a `.flasklint_cache` that is a link disables the cache (the
  repository could point it anywhere on disk), links inside it are replaced by real directories;
- temporary files a killed run left behind are removed by the next run that writes.

A key covers the file's bytes, its path and module name, and a fingerprint of flasklint's own
code, so an upgrade or a local edit invalidates everything.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from functools import lru_cache
from pathlib import Path

import flasklint
from flasklint.digests import blake2b
from flasklint.cache_files import flasklint_sources, is_real_directory, read_regular_file, write_atomically
from flasklint.model.facts import FileFacts
from flasklint.rules.flk002_file_not_analysed import MAX_ANALYSED_BYTES

log = logging.getLogger("flasklint")

CACHE_DIR_NAME = ".flasklint_cache"
ENTRY_HEADER = b"flasklint-cache-entry"
# Facts are a fraction of the source they describe; anything far larger is not one of ours.
MAX_ENTRY_BYTES = 8 * MAX_ANALYSED_BYTES
TEMPORARY_SUFFIX = ".tmp"
# A temporary file is written and renamed within milliseconds: one this old belongs to a killed run.
STALE_TEMPORARY_SECONDS = 60
# Entries sit in subdirectories named by their key's first hex digit: 16 of them. Each costs a
# `mkdir` on a cold run (~0.3 ms on this project's benchmark host, ext4); with two digits (256 per
# project) those were ~3 % of a cold build of the benchmark's 7 apps. A 100k-file project still has
# ~6k entries per directory, which file systems look up by name without a scan.
SHARD_DIGITS = 1
CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# flasklint cache\n"


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """Hash of flasklint's own sources: results computed by other code must not be reused."""
    digest = blake2b(flasklint.__version__.encode(), digest_size=32)
    for relative, size, mtime in flasklint_sources():
        digest.update(f"{relative}:{size}:{mtime}".encode())
    return digest.hexdigest()[:16]


def cache_key(data: bytes, relative_path: str, module: str, extra: str = "") -> str:
    digest = blake2b(data, digest_size=32)
    digest.update(b"\0" + relative_path.encode() + b"\0" + module.encode() + b"\0" + extra.encode())
    return digest.hexdigest()


def payload_digest(payload: bytes) -> str:
    return blake2b(payload, digest_size=32).hexdigest()


def facts_payload(facts: FileFacts) -> bytes | None:
    """The facts' JSON as an entry holds it (a worker process makes it, so the run's main process only
    parses it); None when a rule put something JSON cannot hold into its data."""
    try:
        return json.dumps(facts.to_dict(), separators=(",", ":"), allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None


def encode_entry(key: str, payload: bytes) -> bytes:
    """`flasklint-cache-entry <key> <BLAKE2b-256 of the JSON>` on the first line, the facts' JSON after it."""
    return b"%s %s %s\n%s" % (ENTRY_HEADER, key.encode(), payload_digest(payload).encode(), payload)


def decode_entry(key: str, data: bytes) -> FileFacts | None:
    """The facts an entry holds for `key`; None for anything else (another key, damage, a forgery)."""
    header, newline, payload = data.partition(b"\n")
    if not newline or header.split(b" ") != [ENTRY_HEADER, key.encode(), payload_digest(payload).encode()]:
        return None
    from flasklint.cache_shape import is_file_facts  # only to read: a cold run does not build its checks

    try:
        facts = json.loads(payload, parse_constant=_reject_constant)
        return FileFacts.from_dict(facts) if is_file_facts(facts) else None
    except Exception:  # noqa: BLE001 - deep nesting (RecursionError), huge numbers, bad UTF-8...: recompute
        return None


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a value flasklint writes")


class Cache:
    def __init__(self, root: Path) -> None:
        self.base = root / CACHE_DIR_NAME
        self.directory = self.base / engine_fingerprint()
        self._refused = False  # the cache directory is a symlink or not a directory: run uncached
        self._prepared = False
        self._swept = False
        self._real_directories: set[Path] = set()  # checked not to be symlinks (once per Cache)

    def get(self, key: str) -> FileFacts | None:
        """The cached facts, or None when absent or unusable (a corrupt entry is a cache miss)."""
        subdirectory = self.directory / key[:SHARD_DIGITS]
        if self._refused or not all(map(self._is_real_directory, (self.base, self.directory, subdirectory))):
            return None
        data = read_regular_file(subdirectory / f"{key}.json", MAX_ENTRY_BYTES)
        return decode_entry(key, data) if data is not None else None

    def _is_real_directory(self, path: Path) -> bool:
        if path in self._real_directories:
            return True
        if is_real_directory(path):
            self._real_directories.add(path)
            return True
        return False

    def put(self, key: str, facts: FileFacts) -> None:
        """Best effort: a read-only checkout simply runs uncached."""
        self.put_payload(key, facts_payload(facts))

    def put_payload(self, key: str, payload: bytes | None) -> None:
        """`put` for facts already in their JSON form (`facts_payload`; None: not cacheable, recompute next time)."""
        if payload is None:
            return
        entry = encode_entry(key, payload)
        if len(entry) > MAX_ENTRY_BYTES or not self._prepare():
            return
        try:
            subdirectory = self.directory / key[:SHARD_DIGITS]
            if subdirectory not in self._real_directories:
                _make_real_directory(subdirectory)
                self._real_directories.add(subdirectory)
            self._sweep()
            path = subdirectory / f"{key}.json"
            if is_real_directory(path):  # a directory in the entry's place cannot be renamed over
                import shutil  # here: shutil loads three compression modules a check never needs

                shutil.rmtree(path)
            write_atomically(path, entry, _temporary_name(path))
        except OSError:
            self._real_directories.discard(subdirectory)  # removed meanwhile (the server outlives many runs)

    def _prepare(self) -> bool:
        """Create the cache directory (tagged, and ignored by git); False if it cannot be used."""
        if self._prepared or self._refused:
            return self._prepared
        try:
            with contextlib.suppress(FileExistsError):
                os.mkdir(self.base)
            if not is_real_directory(self.base):
                self._refuse("is a symbolic link" if os.path.islink(self.base) else "is not a directory")
                return False
            for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "*\n")):
                if not os.path.lexists(self.base / name):
                    write_atomically(self.base / name, text.encode(), _temporary_name(self.base / name))
            _make_real_directory(self.directory)
        except OSError:
            return False  # read-only checkout, full disk: uncached
        self._prepared = True
        return True

    def _refuse(self, reason: str) -> None:
        self._refused = True
        log.warning("%s %s; running without the cache", self.base, reason)

    def _sweep(self) -> None:
        """Remove temporary files of killed runs, once per Cache (the first time it writes)."""
        if self._swept:
            return
        self._swept = True
        now = time.time()
        for directory in (self.base, self.directory, *_subdirectories(self.directory)):
            with contextlib.suppress(OSError), os.scandir(directory) as found:
                for item in found:
                    if item.name.startswith(".") and item.name.endswith(TEMPORARY_SUFFIX):
                        with contextlib.suppress(OSError):
                            age = now - item.stat(follow_symlinks=False).st_mtime
                            if age > STALE_TEMPORARY_SECONDS or _writer_is_gone(item.name):
                                os.unlink(item.path)


def _make_real_directory(path: Path) -> None:
    """`path` as a directory of its own: a symlink or a file in its place (inside the cache) is removed."""
    if is_real_directory(path):
        return
    if os.path.lexists(path):
        os.unlink(path)
    try:
        os.mkdir(path)
    except FileExistsError:  # another process (flake8's workers) made it just now
        if not is_real_directory(path):
            raise


def _temporary_name(path: Path) -> str:
    """`.<name>.<pid>.<thread>.tmp`: the writer's pid tells a later run whether it is still alive."""
    return f".{path.name}.{os.getpid()}.{threading.get_ident()}{TEMPORARY_SUFFIX}"


def _writer_is_gone(name: str) -> bool:
    """True when the process that named this temporary file no longer runs (it was killed)."""
    try:
        pid = int(name.split(".")[-3])
    except (IndexError, ValueError):
        return False
    if pid <= 0 or pid == os.getpid() or os.name == "nt":  # Windows' os.kill would terminate the process
        return False  # another thread of this process, or (Windows) left to the age limit
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, another user's
    return False


def _subdirectories(path: Path) -> list[str]:
    try:
        with os.scandir(path) as found:
            return [item.path for item in found if item.is_dir(follow_symlinks=False)]
    except OSError:
        return []
