"""The whole-run cache: a `check` of an unchanged project prints its last result without loading a rule.

A warm run with the per-file cache still imports every rule and the model, reads every file and
builds the project index (~0.15 s on a tiny project). When nothing the run reads has changed, its
diagnostics are the same: they are saved after a run and printed again by the next one.

The cheapest warm run is one that loads nothing else: the CLI asks this module first, before it
parses its command line, and an entry holds the run's output itself (what it printed on stdout and
its exit code), saved per command line. The standard library's startup modules suffice for the
lookup: no argparse, dataclasses, typing, json or logging.

The key covers everything the output depends on: flasklint's own code (version and sources),
the interpreter, the user, the working directory (paths are printed relative to it), the command
line as typed (the options that choose what is checked and how it is reported), the paths it names
and their project roots, and each file discovery could analyse — every Python file, template and
deployment file under the roots outside the folders every configuration skips, and every project
marker (pyproject.toml is the configuration) — with its size, mtime, ctime and inode. Size and mtime
catch an edit, ctime and inode a file replaced, copied or made unreadable; a new or removed file
changes the list. A repository cannot ship a matching entry: a checkout gives its files new ctimes
and inodes.

Before parsing, the CLI can only guess which words of the command line are paths (see
`cli.named_paths`); a wrong guess is a miss, never a wrong hit: the key holds the paths the saving
run's parser found, and the entry is used only when the key computed now equals it.

A file modified in the two seconds before the run is "racy" (as in git): the file system's clock is
coarse, and an edit in the same tick would keep its mtime, so such a run is not saved. A run that
printed an error or a warning, a `--fix`, a `--diff`, a `--verbose` and a `--no-cache` run are never
saved (the CLI decides). An entry holds the run's inputs whole, its exit code and its output, with a
checksum; anything else is a miss, never an error; no symbolic link is followed.
"""

from __future__ import annotations

import os
import sys
import time
import zlib

import flasklint
from flasklint.cache_files import flasklint_sources, is_real_directory, read_regular_file, write_atomically
from flasklint.file_kinds import kind_of_name
from flasklint.project_layout import ROOT_MARKERS, is_always_excluded, project_root

TYPE_CHECKING = False  # pathlib's and typing's, not imported: a warm run spells its paths as strings
if TYPE_CHECKING:
    from os import PathLike

    StrPath = str | PathLike[str]

CACHE_DIR_NAME = ".flasklint_cache"  # the per-file cache's folder (cache.py): one folder to ignore
RUNS_DIR_NAME = "runs"
ENTRY_HEADER = b"flasklint-run-result"
ENTRY_SUFFIX = ".run"
MAX_ENTRIES = 32  # one per distinct command line and working directory; the oldest go first
MAX_ENTRY_BYTES = 64 * 1024 * 1024
RACY_NANOSECONDS = 2_000_000_000
STALE_TEMPORARY_SECONDS = 60
SAVED_EXIT_CODES = (b"0", b"1")  # a run with an error (exit 2) is never saved


class RunKey:
    """Where a run's result is saved, its inputs (one line), and whether it may be saved."""

    __slots__ = ("path", "inputs", "racy", "identity")

    def __init__(self, path: StrPath, inputs: str, racy: bool, identity: str = "") -> None:
        self.path = os.fspath(path)
        self.inputs = inputs
        self.racy = racy
        self.identity = identity  # the run's words and places (part of the inputs): see `run_key`'s `known`

    def load(self) -> tuple[str, int] | None:
        """The saved output and exit code of a run with this key; None: compute them."""
        data = self.read()
        return decode_entry(self.inputs, data) if data is not None else None

    def read(self) -> bytes | None:
        """The entry's bytes, from a cache folder that is a real one (not a planted link); else None."""
        folder = os.path.dirname(self.path)
        if not (is_real_directory(os.path.dirname(folder)) and is_real_directory(folder)):
            return None
        return read_regular_file(self.path, MAX_ENTRY_BYTES)

    def store(self, output: str, exit_code: int) -> None:
        if not self.racy:
            save_entry(self.path, encode_entry(self.inputs, output, exit_code))


def save_entry(path: str, payload: bytes) -> None:
    """Best effort, and only into a cache folder the per-file cache has made (tagged, git-ignored),
    which keeps its newest entries (the CLI's saved runs and the flake8 plugin's saved tables)."""
    directory = os.path.dirname(path)
    if len(payload) > MAX_ENTRY_BYTES or not is_real_directory(os.path.dirname(directory)):
        return
    try:
        if not os.path.lexists(directory):
            os.mkdir(directory)
        if is_real_directory(directory):
            write_atomically(path, payload, f".{os.path.basename(path)}.{os.getpid()}.tmp")
            _prune(directory)
    except OSError:  # best effort (not contextlib.suppress: a warm run does without contextlib)
        pass


def saved_output(command_line: list[str], paths: list[str]) -> tuple[RunKey | None, tuple[str, int] | None]:
    """The key of a run of this command line and, when nothing it read has changed since the last
    one, what that run printed on stdout and its exit code (else None). `paths`: the paths the
    command line names (a guess, spelled as `str(Path(word))`); the key is None when one of them is
    missing or unreadable."""
    roots: list[str] = []
    for path in paths:
        try:
            if not os.path.exists(path):
                return None, None  # an error to report: the full run does it
            root = project_root(path)
        except (OSError, ValueError):  # ValueError: a NUL in the path
            return None, None
        if root not in roots:
            roots.append(root)
    key = run_key(roots, paths, command_line)
    return key, key.load() if key is not None else None


def run_key(
    roots: list[StrPath],
    explicit: list[StrPath],
    command_line: list[str] | dict[str, list[str]],
    known: RunKey | None = None,
) -> RunKey | None:
    """The key of a run of this command line, checking `explicit` (the paths it names) in these
    project roots; None when it cannot be known (a folder that cannot be listed). `known`: a key
    computed earlier in this process (the lookup before argparse), reused when it is of the same run
    (its files were listed even earlier: an edit since makes the run "racy" in either key's eyes)."""
    started = time.time_ns()
    identity = repr([os.getcwd(), [str(r) for r in roots], [str(p) for p in explicit], command_line])
    if known is not None and known.identity == identity:
        return known
    records: list[list[object]] = []
    for root in roots:
        found = _tree_records(root)
        if found is None:
            return None
        records.append([str(root), found])
    records.append(["explicit", [[str(p), *_status(str(p))] for p in explicit if os.path.isfile(p)]])
    newest = max((record[1] for _, tree in records for record in tree), default=0)
    # Two command lines sharing a name only take turns: each entry holds its inputs whole.
    encoded = identity.encode("utf-8")
    name = f"{zlib.crc32(encoded):08x}{zlib.adler32(encoded):08x}"
    return RunKey(
        path=os.path.join(roots[0], CACHE_DIR_NAME, RUNS_DIR_NAME, f"{name}{ENTRY_SUFFIX}"),
        inputs=repr([identity, code_fingerprint(), records]),  # repr: one line (newlines are escaped)
        racy=newest > started - RACY_NANOSECONDS,  # type: ignore[operator]
        identity=identity,
    )


def code_fingerprint() -> list[object]:
    """flasklint's version and the size and mtime of each of its sources, the interpreter, the user."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    return [flasklint.__version__, sys.version, sys.executable, uid, flasklint_sources()]


def _tree_records(root: StrPath) -> list[list[object]] | None:
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
            elif entry.name in ROOT_MARKERS or kind_of_name(entry.name) is not None:
                records.append([path, *_status(entry.path)])
    return records


def _status(path: str) -> list[int]:
    """[mtime, size, ctime, inode] of a file (followed through a link); zeros when it is gone."""
    try:
        status = os.stat(path)
    except OSError:
        return [0, 0, 0, 0]
    return [status.st_mtime_ns, status.st_size, status.st_ctime_ns, status.st_ino]


def encode_entry(inputs: str, output: str, exit_code: int) -> bytes:
    """`flasklint-run-result <CRC-32 of the rest>`, the run's inputs, its exit code, then its output.

    The inputs are kept whole and compared (no digest to collide); the checksum tells damage. The
    output may hold lone surrogates (undecodable file names): "surrogatepass" keeps them as they are."""
    body = b"%s\n%d\n%s" % (inputs.encode("utf-8"), exit_code, output.encode("utf-8", "surrogatepass"))
    return b"%s %08x\n%s" % (ENTRY_HEADER, zlib.crc32(body), body)


def decode_entry(inputs: str, data: bytes) -> tuple[str, int] | None:
    """The output and exit code saved for these inputs; None for anything else (other inputs, damage, a forgery)."""
    header, _, body = data.partition(b"\n")
    saved_inputs, newline, rest = body.partition(b"\n")
    if not newline or header != b"%s %08x" % (ENTRY_HEADER, zlib.crc32(body)) or saved_inputs != inputs.encode("utf-8"):
        return None
    exit_code, newline, output = rest.partition(b"\n")
    if not newline or exit_code not in SAVED_EXIT_CODES:
        return None
    try:
        return output.decode("utf-8", "surrogatepass"), int(exit_code)
    except UnicodeDecodeError:
        return None


def _prune(directory: str) -> None:
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
