"""The flake8 plugin's engine side: each project built once, and every file's findings from it.

`python -m flasklint.flake8_build TABLE OUTPUT` is the builder the plugin starts from flake8's
main process (see flake8_plugin.py): TABLE's header line (flake8_table.py) names the files flake8
lints; the builder builds the project of each (one at a time, in the order flake8 lints them, with
flasklint's cache) and appends, per project, each file's findings and the digest of the text they
were computed from. A flake8 worker then only looks its file up; it builds a project itself
(`project_for`) only when it has to: text that differs from what the builder read (stdin, an
editor's buffer, a file saved meanwhile), a file the builder did not know.

This module imports the engine; the plugin imports it only where it needs it, so flake8's
processes stay as small as flake8 alone when the builder did the work.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
from pathlib import Path, PurePosixPath
from typing import Iterator

from flasklint import method_code_cache
from flasklint.config import ConfigError
from flasklint.engine import Project, find_project_root, load_parsers
from flasklint.flake8_table import chunk_line, read_header
from flasklint.flake8_text import normalise, text_digest
from flasklint.memory import release_freed_memory
from flasklint.noqa import FILE_KEY
from flasklint.source import SourceError, decode_source

log = logging.getLogger("flasklint")

# (row, column, "CODE message"): what the plugin yields for one diagnostic.
Finding = tuple[int, int, str]
# Set by a test to a file: each project build appends "<pid> <root>" to it.
TRACE_BUILDS_VARIABLE = "FLASKLINT_TRACE_BUILDS"

# One project per root, per process: the fallback when the builder's findings do not apply.
_PROJECTS: dict[Path, Project] = {}


def build_project(root: Path, jobs: int | None = None, python_findings_only: bool = False) -> Project:
    """Discover and analyse one project root (from and into the cache). Raises ConfigError.
    `python_findings_only`: templates only as the Python files on disk read them (the builder's
    case: its project never takes other text)."""
    _trace_build(root)
    # flake8's --jobs workers are daemon processes, which may not start a process pool.
    if multiprocessing.current_process().daemon:
        jobs = 1
    project = Project(root, jobs=jobs)
    project.discover(skip_nested_projects=True)  # as the CLI: a nested project is another one
    project.analyse(python_findings_only=python_findings_only)
    for relative, reason in sorted(project.unreadable.items()):
        log.warning("cannot read %s: %s (findings that depend on it may be missing)", root / relative, reason)
    return project


def project_for(root: Path) -> Project:
    """The project of a root, built once per process (raises ConfigError). Every template is
    analysed: the text flake8 hands over may render one the files on disk do not."""
    project = _PROJECTS.get(root)
    if project is None:
        project = _PROJECTS[root] = build_project(root)
    return project


def relative_path(project: Project, path: Path, real_parent: Path | None = None) -> str | None:
    """The file's path in the project (directories resolved, the file itself not: a symlinked
    module keeps its name); None outside the project's root. `real_parent`: the directory's
    resolved path when the caller has it (the builder resolves each directory once)."""
    parent = real_parent if real_parent is not None else Path(os.path.realpath(path.parent))
    try:
        return (parent / path.name).relative_to(project.root).as_posix()
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
    if source is None or relative not in project.facts or relative in project.template_stubs:
        return False
    try:
        data = source.absolute.read_bytes()
    except OSError:
        return False
    return normalise(disk_text(data)) == normalise(text)


# -- the builder ------------------------------------------------------------------------------
Entry = tuple[str | None, list[Finding]]  # (digest of the text the findings hold for, or None: any text; findings)
# Processes analysing the projects after the first: flake8's own workers lint the files of the
# projects already built meanwhile (flake8_table.py), so the builder alone, without a pool's
# processes and memory, keeps the machine busy. The first project gets the engine's pool: until
# it is built flake8's workers wait.
LATER_PROJECTS_JOBS = 1


def build(paths: list[Path]) -> Iterator[dict[str, Entry | None]]:
    """Each project's files with their entries (None: the plugin's to do), one project at a time,
    in the order `paths` first name them (the order flake8 lints them)."""
    by_root: dict[Path, list[Path]] = {}
    root_of_directory: dict[Path, Path] = {}
    real_directory: dict[Path, Path] = {}
    for path in paths:
        if path.parent not in root_of_directory:
            root_of_directory[path.parent] = find_project_root(path)
            real_directory[path.parent] = Path(os.path.realpath(path.parent))
        by_root.setdefault(root_of_directory[path.parent], []).append(path)
    for number, (root, files) in enumerate(by_root.items()):
        # flake8 lints Python files: templates only as their findings read them.
        project = build_project(root, jobs=None if number == 0 else LATER_PROJECTS_JOBS, python_findings_only=True)
        yield {str(path): _entry(project, path, real_directory[path.parent]) for path in files}
        del project  # one project's facts in memory at a time
        # A project's facts hang in reference cycles (its index and the index's builder): only the
        # collector frees them, and it seldom visits its oldest generation, so without this they
        # piled up project after project (flake8 on 7 apps: the builder held 56 MiB at its end, 46).
        gc.collect()
        release_freed_memory()


def _entry(project: Project, path: Path, real_parent: Path | None = None) -> Entry | None:
    relative = relative_path(project, path, real_parent)
    if relative is None or project.config.is_excluded(PurePosixPath(relative)):
        return None, []  # whatever its text, nothing to report
    source = project.files.get(relative)
    if source is None or relative not in project.facts or relative in project.template_stubs:
        return None  # not part of the project (a dot-directory, a nested project's marker...), or a stub
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


def main(arguments: list[str]) -> int:
    """Arguments: the table file (flake8_table.py) and where to append its lines (a descriptor
    holding the file's lock, or the file's name). It loads the parsers, then waits for flake8's
    main process to write the table's header and say `go` on stdin (its stdin closed without it:
    not needed, it exits). The header names the files and the whole-run cache's key
    (flake8_cache.py) under which the whole table, built without a warning, is saved. A bad
    `[tool.flasklint]` (flake8's main process checked it) ends the table early: the workers then
    build for themselves and report it."""
    from flasklint.cli import configure_logging
    from flasklint.cli_logging import WarningCount

    load_parsers({"python", "template"})
    method_code_cache.release()  # the parsers' classes are made: their compiled methods need not stay
    # What is loaded now lives as long as the process: the collection after each project (`build`)
    # need not walk it again (a third of that collection's time on the 7 benchmark apps). Its
    # garbage (the methods just released) is collected first, not frozen with it.
    gc.collect()
    gc.freeze()
    if sys.stdin.buffer.readline() != b"go\n":
        return 0
    configure_logging(verbose=False)
    name, table = arguments
    request = read_header(name)
    output: int | str = int(table) if table.isdigit() else table
    whole: dict[str, Entry | None] = {}
    with WarningCount() as warnings, open(output, "ab", buffering=0) as stream:
        try:
            for files in build([Path(path) for path in request["paths"]]):
                stream.write(chunk_line(files))  # type: ignore[arg-type]
                whole.update(files)
        except ConfigError:
            return 0
    if request.get("key") and not warnings.count:
        _save(request["key"], chunk_line(whole))  # type: ignore[arg-type]
    return 0


def _save(key: list, table: bytes) -> None:
    from flasklint import flake8_cache
    from flasklint.run_cache import RunKey

    path, inputs, racy = key
    flake8_cache.store(RunKey(path, inputs, racy), table)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
