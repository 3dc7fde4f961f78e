"""The flake8 plugin's engine side: each project built once, and every file's findings from it.

`python -m flasklint.flake8_build` is the builder the plugin starts from flake8's main process
before flake8 starts its workers (see flake8_plugin.py): it reads a JSON list of absolute file
paths on stdin, builds the project of each (one at a time, with flasklint's own process pool and
cache), and writes on stdout, per file, the findings flake8 should report and the digest of the
text they were computed from. A flake8 worker then only looks its file up; it builds a project
itself (`project_for`) only when it has to: text that differs from what the builder read (stdin,
an editor's buffer, a file saved meanwhile), a file the builder did not know.

This module imports the engine; the plugin imports it only where it needs it, so flake8's
processes stay as small as flake8 alone when the builder did the work.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
from pathlib import Path, PurePosixPath

from flasklint.config import ConfigError
from flasklint.engine import Project, find_project_root
from flasklint.flake8_text import normalise, text_digest
from flasklint.noqa import FILE_KEY
from flasklint.source import SourceError, decode_source

log = logging.getLogger("flasklint")

# (row, column, "CODE message"): what the plugin yields for one diagnostic.
Finding = tuple[int, int, str]
# Set by a test to a file: each project build appends "<pid> <root>" to it.
TRACE_BUILDS_VARIABLE = "FLASKLINT_TRACE_BUILDS"

# One project per root, per process: the fallback when the builder's findings do not apply.
_PROJECTS: dict[Path, Project] = {}


def build_project(root: Path) -> Project:
    """Discover and analyse one project root (from and into the cache). Raises ConfigError."""
    _trace_build(root)
    # flake8's --jobs workers are daemon processes, which may not start a process pool.
    jobs = 1 if multiprocessing.current_process().daemon else None
    project = Project(root, jobs=jobs)
    project.discover(skip_nested_projects=True)  # as the CLI: a nested project is another one
    project.analyse()
    for relative, reason in sorted(project.unreadable.items()):
        log.warning("cannot read %s: %s (findings that depend on it may be missing)", root / relative, reason)
    return project


def project_for(root: Path) -> Project:
    """The project of a root, built once per process (raises ConfigError)."""
    project = _PROJECTS.get(root)
    if project is None:
        project = _PROJECTS[root] = build_project(root)
    return project


def relative_path(project: Project, path: Path) -> str | None:
    """The file's path in the project (directories resolved, the file itself not: a symlinked
    module keeps its name); None outside the project's root."""
    try:
        return (Path(os.path.realpath(path.parent)) / path.name).relative_to(project.root).as_posix()
    except ValueError:
        return None


def findings(project: Project, path: Path, text: str) -> list[Finding]:
    """What flake8 reports on `path` whose content flake8 read as `text` (the plugin's fallback)."""
    relative = relative_path(project, path)
    if relative is None or project.config.is_excluded(PurePosixPath(relative)):
        return []
    if not _same_as_disk(project, relative, text):
        project.set_source(relative, text)
    return _project_findings(project, relative)


def _project_findings(project: Project, relative: str) -> list[Finding]:
    """The file's diagnostics in the project as it stands; noqa comments are flake8's to apply,
    `# flasklint: noqa` file exemptions are the plugin's."""
    facts = project.facts.get(relative)
    exempt = facts.noqa.get(FILE_KEY) if facts is not None else None
    return [
        (diagnostic.start.row, diagnostic.start.column, f"{diagnostic.code} {diagnostic.message}")
        for diagnostic in project.diagnostics(relative, apply_noqa=False)
        if exempt is None or (exempt and not diagnostic.code.startswith(tuple(exempt)))
    ]


def disk_text(data: bytes) -> str:
    """The text flake8 reads from these bytes: decoded as Python source, and as latin-1 when they do
    not decode (such a file stays the CLI's FLK001 instead of being re-analysed as flake8's guess)."""
    decoded = decode_source(data)
    return data.decode("latin-1") if isinstance(decoded, SourceError) else decoded


def _same_as_disk(project: Project, relative: str, text: str) -> bool:
    """Is `text` what flake8 read from the file on disk (then the project's facts stand)?"""
    source = project.files.get(relative)
    if source is None or relative not in project.facts:
        return False
    try:
        data = source.absolute.read_bytes()
    except OSError:
        return False
    return normalise(disk_text(data)) == normalise(text)


# -- the builder ------------------------------------------------------------------------------
Entry = tuple[str | None, list[Finding]]  # (digest of the text the findings hold for, or None: any text; findings)


def build(paths: list[Path]) -> dict[str, Entry]:
    """Each file's entry, its project built once; a file missing from the result is the plugin's to do."""
    by_root: dict[Path, list[Path]] = {}
    root_of_directory: dict[Path, Path] = {}
    for path in paths:
        if path.parent not in root_of_directory:
            root_of_directory[path.parent] = find_project_root(path)
        by_root.setdefault(root_of_directory[path.parent], []).append(path)
    table: dict[str, Entry] = {}
    for root, files in by_root.items():
        project = build_project(root)
        for path in files:
            entry = _entry(project, path)
            if entry is not None:
                table[str(path)] = entry
        del project  # one project's facts in memory at a time
    return table


def _entry(project: Project, path: Path) -> Entry | None:
    relative = relative_path(project, path)
    if relative is None or project.config.is_excluded(PurePosixPath(relative)):
        return None, []  # whatever its text, nothing to report
    source = project.files.get(relative)
    if source is None or relative not in project.facts:
        return None  # not part of the project (a dot-directory, a nested project's marker...)
    try:
        data = source.absolute.read_bytes()
    except OSError:
        return None
    if not project.analysed_from(relative, data):
        return None  # changed since it was analysed
    return text_digest(disk_text(data)), _project_findings(project, relative)


def _trace_build(root: Path) -> None:
    trace = os.environ.get(TRACE_BUILDS_VARIABLE)
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {root}\n")


def main() -> int:
    """stdin: {"paths": [absolute path...], "key": [entry path, inputs, racy] or null} (the
    whole-run cache's key, flake8_cache.py); stdout: {"files": {path: [digest, findings]}} or
    {"error": message} for a bad `[tool.flasklint]`. A table built without a warning is saved
    under the key for the next run."""
    from flasklint.cli import configure_logging
    from flasklint.cli_logging import WarningCount

    configure_logging(verbose=False)
    request = json.load(sys.stdin)
    paths = [Path(path) for path in request["paths"]]
    with WarningCount() as warnings:
        try:
            result: dict[str, object] = {"files": build(paths)}
        except ConfigError as exc:
            result = {"error": f"flasklint: {exc}"}
    table = json.dumps(result, separators=(",", ":")).encode("utf-8")
    sys.stdout.buffer.write(table)
    sys.stdout.flush()
    if request.get("key") and "files" in result and not warnings.count:
        _save(request["key"], table)
    return 0


def _save(key: list, table: bytes) -> None:
    from flasklint import flake8_cache
    from flasklint.run_cache import RunKey

    path, inputs, racy = key
    flake8_cache.store(RunKey(Path(path), inputs, racy), table)


if __name__ == "__main__":
    sys.exit(main())
