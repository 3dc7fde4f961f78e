"""The whole-run cache: a `check` of an unchanged project prints its last result without loading a rule.

A warm run with the per-file cache still imports every rule and the model, reads every file and
builds the project index (~0.15 s on a tiny project). When nothing the run reads has changed, its
diagnostics are the same: they are saved after a run and printed again by the next one.

The key covers everything the diagnostics depend on: flasklint's own code (version and sources),
the interpreter, the user, the working directory (paths are printed relative to it), the options
that choose what is checked and reported (selection, excludes, the paths), the project roots, and
each file discovery could analyse — every Python file, template and deployment file under the
roots outside the folders every configuration skips, and every project marker (pyproject.toml is
the configuration) — with its size, mtime, ctime and inode. Size and mtime catch an edit, ctime and
inode a file replaced, copied or made unreadable; a new or removed file changes the list.
A repository cannot ship a matching entry: a checkout gives its files new ctimes and inodes.

A file modified in the two seconds before the run is "racy" (as in git): the file system's clock is
coarse, and an edit in the same tick would keep its mtime, so such a run is not saved. A run that
printed an error or a warning, a `--fix`, a `--diff` and a `--no-cache` run are never saved (the CLI
decides). An entry holds the run's inputs whole and its diagnostics as JSON, with a checksum;
anything else is a miss, never an error; no symbolic link is followed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import flasklint
from flasklint.cache_files import is_real_directory, read_regular_file, write_atomically
from flasklint.config import ROOT_MARKERS, is_always_excluded
from flasklint.diagnostics import Diagnostic
from flasklint.file_kinds import kind_of

CACHE_DIR_NAME = ".flasklint_cache"  # the per-file cache's folder (cache.py): one folder to ignore
RUNS_DIR_NAME = "runs"
ENTRY_HEADER = b"flasklint-run-result"
ENTRY_SUFFIX = ".run"
MAX_ENTRIES = 32  # one per distinct command line and working directory; the oldest go first
MAX_ENTRY_BYTES = 64 * 1024 * 1024
RACY_NANOSECONDS = 2_000_000_000
STALE_TEMPORARY_SECONDS = 60

Entry = tuple[Path, Diagnostic]


@dataclass(frozen=True)
class RunKey:
    """Where a run's result is saved, its inputs (one line of JSON), and whether it may be saved."""

    path: Path
    inputs: str
    racy: bool

    def load(self) -> list[Entry] | None:
        """The saved diagnostics (with their files) of a run with this key; None: compute them."""
        if not (is_real_directory(self.path.parent.parent) and is_real_directory(self.path.parent)):
            return None
        data = read_regular_file(self.path, MAX_ENTRY_BYTES)
        return decode_entry(self.inputs, data) if data is not None else None

    def store(self, entries: Iterable[Entry]) -> None:
        """Best effort, and only into a cache folder the per-file cache has made (tagged, git-ignored)."""
        if self.racy:
            return
        try:
            payload = encode_entry(self.inputs, entries)
        except (TypeError, ValueError):
            return  # a diagnostic's data JSON cannot hold: computed again next time
        directory = self.path.parent
        if len(payload) > MAX_ENTRY_BYTES or not is_real_directory(directory.parent):
            return
        with contextlib.suppress(OSError):
            if not os.path.lexists(directory):
                os.mkdir(directory)
            if is_real_directory(directory):
                write_atomically(self.path, payload, f".{self.path.name}.{os.getpid()}.tmp")
                _prune(directory)


def run_key(roots: list[Path], explicit: list[Path], options: dict[str, Any]) -> RunKey | None:
    """The key of a run checking `explicit` (the command line's paths) in these project roots, with
    these options; None when it cannot be known (a folder that cannot be listed)."""
    started = time.time_ns()
    identity = json.dumps(
        {"cwd": os.getcwd(), "roots": [str(r) for r in roots], "paths": [str(p) for p in explicit], "options": options},
        sort_keys=True,
    )
    records: list[list[object]] = []
    for root in roots:
        found = _tree_records(root)
        if found is None:
            return None
        records.append([str(root), found])
    records.append(["explicit", [[str(p), *_status(str(p))] for p in explicit if p.is_file()]])
    newest = max((record[1] for _, tree in records for record in tree), default=0)
    # Two command lines sharing a name only take turns: each entry holds its inputs whole.
    name = f"{zlib.crc32(identity.encode()):08x}{zlib.adler32(identity.encode()):08x}"
    return RunKey(
        path=roots[0] / CACHE_DIR_NAME / RUNS_DIR_NAME / f"{name}{ENTRY_SUFFIX}",
        inputs=json.dumps([identity, code_fingerprint(), records], separators=(",", ":")),
        racy=newest > started - RACY_NANOSECONDS,  # type: ignore[operator]
    )


def code_fingerprint() -> list[object]:
    """flasklint's version and the size and mtime of each of its sources, the interpreter, the user."""
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
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    return [flasklint.__version__, sys.version, sys.executable, uid, sorted(sources)]


def _tree_records(root: Path) -> list[list[object]] | None:
    """[path, mtime, size, ctime, inode] of every file discovery could analyse under `root` and of
    every project marker (a nested project is checked apart); None when a folder cannot be listed.

    Discovery (engine.py) skips more (the configured excludes, nested projects): this is a superset
    of what it reads, so an edit it sees always changes the key."""
    records: list[list[object]] = []
    pending = [""]
    while pending:
        relative = pending.pop()
        try:
            with os.scandir(os.path.join(root, relative)) as found:
                entries = sorted(found, key=lambda e: e.name)
        except OSError:
            return None
        for entry in entries:
            path = f"{relative}/{entry.name}" if relative else entry.name
            is_folder = entry.is_dir()
            if is_folder and not entry.is_symlink() and not is_always_excluded(entry.name):
                pending.append(path)
            if is_folder:
                if entry.name in ROOT_MARKERS:  # `.git`: only that it is there (git writes in it all the time)
                    records.append([path, 0, 0, 0, 0])
            elif entry.name in ROOT_MARKERS or kind_of(PurePosixPath(entry.name)) is not None:  # (a name's kind)
                records.append([path, *_status(entry.path)])
    return records


def _status(path: str) -> list[int]:
    """[mtime, size, ctime, inode] of a file (followed through a link); zeros when it is gone."""
    try:
        status = os.stat(path)
    except OSError:
        return [0, 0, 0, 0]
    return [status.st_mtime_ns, status.st_size, status.st_ctime_ns, status.st_ino]


def encode_entry(inputs: str, entries: Iterable[Entry]) -> bytes:
    """`flasklint-run-result <CRC-32 of the rest>`, the run's inputs, then its diagnostics, one line each.

    The inputs are kept whole and compared (no digest to collide); the checksum tells damage."""
    saved = [[str(file), diagnostic.to_dict(), diagnostic.noqa_row] for file, diagnostic in entries]
    body = inputs.encode("utf-8") + b"\n" + json.dumps(saved, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return b"%s %08x\n%s" % (ENTRY_HEADER, zlib.crc32(body), body)


def decode_entry(inputs: str, data: bytes) -> list[Entry] | None:
    """The diagnostics saved for these inputs; None for anything else (other inputs, damage, a forgery)."""
    header, _, body = data.partition(b"\n")
    saved_inputs, newline, payload = body.partition(b"\n")
    if not newline or header != b"%s %08x" % (ENTRY_HEADER, zlib.crc32(body)) or saved_inputs != inputs.encode("utf-8"):
        return None
    try:
        return [_entry(item) for item in json.loads(payload)]
    except Exception:  # noqa: BLE001 - a damaged or forged entry of any shape is a miss
        return None


def _entry(item: list[Any]) -> Entry:
    file, data, noqa_row = item
    if not isinstance(file, str) or not isinstance(noqa_row, int) or isinstance(noqa_row, bool):
        raise ValueError("not a saved diagnostic")
    diagnostic = Diagnostic.from_dict(data)
    if not all(isinstance(value, str) for value in (diagnostic.code, diagnostic.message, diagnostic.path)):
        raise ValueError("not a saved diagnostic")
    object.__setattr__(diagnostic, "noqa_row", noqa_row)
    return Path(file), diagnostic


def _prune(directory: Path) -> None:
    """Keep the newest MAX_ENTRIES entries; remove temporary files of killed runs."""
    now = time.time()
    entries = []
    with os.scandir(directory) as found:
        for item in found:
            status = item.stat(follow_symlinks=False)
            if item.name.endswith(ENTRY_SUFFIX):
                entries.append((status.st_mtime_ns, item.path))
            elif item.name.startswith(".") and now - status.st_mtime > STALE_TEMPORARY_SECONDS:
                os.unlink(item.path)
    for _, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        os.unlink(path)
