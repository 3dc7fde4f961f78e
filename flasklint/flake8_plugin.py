"""flake8 adapter (entry point `FLK`): `flake8 --select FLK` reports what `flasklint check` reports.

flake8 calls the plugin once per Python file, but most of flasklint's rules are project-wide
(endpoints, templates, the secret key), so the plugin builds one `Project` per project root and
per process (from `.flasklint_cache/`, so only changed files are parsed) and asks it for the
file's diagnostics. The text flake8 hands over (`lines`, which may come from stdin) replaces the
file's content in that project when it differs from the disk.

Semantics, and where they differ from the CLI:
- Selection: `[tool.flasklint]` (select, ignore, per-file-ignores, exclude) applies first, so a rule
  the project turned off stays off in flake8, and flake8's own `--select/--ignore/--extend-ignore`
  filter the rest. Codes, rows and columns are the CLI's; flake8 prints the 0-based column + 1.
- `# noqa` is left to flake8, which matches it as flasklint does (per line; a multi-line string or
  a backslash continuation as a whole). Only flake8's spelling counts there (`# noqa`, not
  `#noqa`); `# flasklint: noqa` file exemptions are honoured by the plugin, `# flake8: noqa` by
  flake8 itself.
- flake8 only lints Python files: diagnostics in templates and deployment files (Dockerfile,
  Procfile) are the CLI's and the editor's. A file CPython cannot parse is flake8's E999, not FLK001.
"""

from __future__ import annotations

import ast
import logging
import multiprocessing
import os
from pathlib import Path, PurePosixPath
from typing import Iterator

from flasklint import __version__
from flasklint.config import ConfigError
from flasklint.engine import Project, find_project_root
from flasklint.isolation import drop_project_paths
from flasklint.noqa import FILE_KEY
from flasklint.source import SourceError, decode_source

log = logging.getLogger("flasklint")

# One project per root, per process (flake8's --jobs workers each build their own, from the cache).
_PROJECTS: dict[Path, Project] = {}


def project_for(root: Path) -> Project:
    """The project of a root, built once per process.

    A bad `[tool.flasklint]` stops flake8 with its "critical error" message (and no traceback).
    """
    project = _PROJECTS.get(root)
    if project is None:
        # `python -m flake8` puts the working directory (the project) first on sys.path; flake8 has
        # imported every plugin by now, and what flasklint imports later must not come from there.
        drop_project_paths()
        # flake8's --jobs workers are daemon processes, which may not start a process pool.
        jobs = 1 if multiprocessing.current_process().daemon else None
        try:
            project = Project(root, jobs=jobs)
        except ConfigError as exc:
            from flake8.exceptions import ExecutionError

            raise ExecutionError(f"flasklint: {exc}") from None
        project.discover(skip_nested_projects=True)  # as the CLI: a nested project is another one
        project.analyse()
        for relative, reason in sorted(project.unreadable.items()):
            log.warning("cannot read %s: %s (findings that depend on it may be missing)", root / relative, reason)
        _PROJECTS[root] = project
    return project


class Flake8Plugin:
    name = "flasklint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        _ensure_log_handler()
        path = Path(self.filename if self.filename not in ("-", "stdin") else "stdin.py").absolute()
        project = project_for(find_project_root(path))
        try:
            # Directories resolved (the root is), the file itself not: a symlinked module keeps its name.
            relative = (Path(os.path.realpath(path.parent)) / path.name).relative_to(project.root).as_posix()
        except ValueError:
            return
        if project.config.is_excluded(PurePosixPath(relative)):
            return
        text = "".join(self.lines)
        if not _same_as_disk(project, relative, text):
            project.set_source(relative, text)
        facts = project.facts.get(relative)
        exempt = facts.noqa.get(FILE_KEY) if facts is not None else None
        for diagnostic in project.diagnostics(relative, apply_noqa=False):
            if exempt is not None and (not exempt or diagnostic.code.startswith(tuple(exempt))):
                continue
            yield diagnostic.start.row, diagnostic.start.column, f"{diagnostic.code} {diagnostic.message}", type(self)


def _same_as_disk(project: Project, relative: str, text: str) -> bool:
    """Is `text` what flake8 read from the file on disk (then the project's facts stand)?

    flake8 reads with universal newlines, and falls back to latin-1 when the bytes do not decode:
    such a file stays the CLI's FLK001 instead of being re-analysed as flake8's guess.
    """
    source = project.files.get(relative)
    if source is None or relative not in project.facts:
        return False
    try:
        data = source.absolute.read_bytes()
    except OSError:
        return False
    decoded = decode_source(data)
    if isinstance(decoded, SourceError):
        decoded = data.decode("latin-1")
    return _normalise(decoded) == _normalise(text)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")


def _ensure_log_handler() -> None:
    """Engine warnings as one line on stderr, without Python's default traceback dump."""
    if not log.handlers:
        from flasklint.cli import configure_logging

        configure_logging(verbose=False)
