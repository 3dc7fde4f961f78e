"""The flake8 plugin's whole-run cache: a run over unchanged projects reuses the last run's table.

Without it a warm run still starts the builder, which imports the engine (libcst, Jinja, every
rule), reads every file and its per-file cache entry and rebuilds every project's index: about
as long as flake8 itself takes on a small project. With it flake8's main process lists the
projects' files, reads one entry, and starts no builder.

The key is the CLI's whole-run key (run_cache.py): flasklint's code, the interpreter and the
user, the project roots with the size, mtime, ctime and inode of every file discovery could read
under them (a new or removed file changes it), and here the files flake8 lints. A racy run (a
file modified in the last two seconds) and one that logged a warning are not saved. The table
still holds, per file, the digest of the text its findings are for: a worker handed other text
(stdin, an editor's buffer) builds the project itself, as without the cache.

Only the standard library and flasklint's light modules are imported here: flake8's main process
loads it, and its workers are forked from it.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from flasklint.config import find_project_root
from flasklint.run_cache import RunKey, run_key, save_entry

HEADER = b"flasklint-flake8-table"  # not the CLI's header: neither reads the other's entries


def project_roots(paths: list[Path]) -> list[Path]:
    """The project root of each file, once each, in the order the files name them."""
    roots: dict[Path, None] = {}
    root_of_directory: dict[Path, Path] = {}
    for path in paths:
        if path.parent not in root_of_directory:
            root_of_directory[path.parent] = find_project_root(path)
        roots[root_of_directory[path.parent]] = None
    return list(roots)


def table_key(roots: list[Path], paths: list[Path]) -> RunKey | None:
    """The key of the table for these files (absolute) in these project roots; None when it cannot be known."""
    if not roots:
        return None
    return run_key(roots, [], {"flake8": [str(path) for path in paths]})


def load(key: RunKey) -> bytes | None:
    """The table (JSON, as the builder wrote it) saved under this key; None: build it."""
    data = key.read()
    return decode(key.inputs, data) if data is not None else None


def store(key: RunKey, table: bytes) -> None:
    if not key.racy:
        save_entry(key.path, encode(key.inputs, table))


def encode(inputs: str, table: bytes) -> bytes:
    """`flasklint-flake8-table <CRC-32 of the rest>`, the run's inputs whole, then the table."""
    body = inputs.encode("utf-8") + b"\n" + table
    return b"%s %08x\n%s" % (HEADER, zlib.crc32(body), body)


def decode(inputs: str, data: bytes) -> bytes | None:
    """The table saved for these very inputs; None for anything else (other inputs, damage)."""
    header, _, body = data.partition(b"\n")
    saved_inputs, newline, table = body.partition(b"\n")
    if not newline or header != b"%s %08x" % (HEADER, zlib.crc32(body)) or saved_inputs != inputs.encode("utf-8"):
        return None
    return table
