"""flake8 adapter (entry point `FLK`): `flake8 --select FLK` reports what `flasklint check` reports.

flake8 calls the plugin once per Python file, but most of flasklint's rules are project-wide
(endpoints, templates, the secret key), so every file's findings come from its whole project.
Building a project is the expensive part, and it is done once per run:
- flake8 calls `parse_options` in its main process before it starts its `--jobs` workers. There
  the plugin lists the files flake8 is about to lint (with flake8's own discovery) and starts one
  builder process (`python -m flasklint.flake8_build`, started outside the project like
  flasklint's workers), which builds each of their projects with `.flasklint_cache/` and writes
  each file's findings, with the digest of the text they hold for, to a table file, one project
  at a time (flake8_table.py). flake8 does not wait for it: its workers lint their files, and one
  that needs a project the builder has not finished waits for that project only. The builder
  builds the first project with the engine's pool (flake8's workers wait for it) and the later
  ones alone: flake8's workers keep the other cores busy meanwhile. It analyses a template only
  when a Python file's findings read it (`Project.analyse(python_findings_only=True)`).
- The whole table is saved (flake8_cache.py): a run over unchanged projects reads it back in the
  main process and starts no builder.
- Workers look their file up in that table: forked ones inherit it, spawned (macOS, Windows) and
  forkserver ones open the file `FLASKLINT_FLAKE8_TABLE` names. flake8's processes never load
  the engine for it, so they stay as small as flake8 alone.
- The text flake8 hands over (`lines`, which may come from stdin or an editor's buffer) is what
  counts: when it differs from what the builder read, or the builder did not see the file, the
  process builds the project itself (once, from the cache) with that text in place of the file's.
- When flake8 selects no FLK code, nothing is built at all. flake8's legacy API
  (`get_style_guide().check_files(paths)`) names its files only after `parse_options`: there each
  process builds the projects of the files it lints, once.

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

import argparse
import ast
import atexit
import contextlib
import json
import logging
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from flasklint import __version__
from flasklint import flake8_table
from flasklint.flake8_table import CAN_STREAM, Table
from flasklint.flake8_text import text_digest
from flasklint.isolation import SAFE_DIRECTORY, drop_project_paths

if TYPE_CHECKING:
    from flasklint.run_cache import RunKey

log = logging.getLogger("flasklint")

# Names, for spawned workers, flake8's main process and the file holding the builder's table.
TABLE_VARIABLE = "FLASKLINT_FLAKE8_TABLE"

# The builder's table (flake8_table.py): absolute path -> [digest of the text the findings hold for
# (None: any text), [[row, column, text]...]]; None: each process builds what it lints.
_table: Table | None = None
# flake8 selects no FLK code: the plugin has nothing to do.
_silent = False


class Flake8Plugin:
    name = "flasklint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """flake8's hook, called in its main process before any worker starts (and again in each
        worker it spawns instead of forking): the one place to build the projects once."""
        global _table, _silent
        _silent = not _flasklint_selected(options)
        if _silent:
            return
        inherited = _inherited_table()
        if inherited is not None:
            _table = inherited
        elif _called_from_legacy_api():
            _table = None  # the files are named later, by `check_files`: each process builds what it lints
        else:
            _table = _prebuild(options)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if _silent:
            return
        path = Path(self.filename if self.filename not in ("-", "stdin") else "stdin.py").absolute()
        text = "".join(self.lines)
        entry = _table.lookup(str(path)) if _table is not None else None
        if entry is not None and entry[0] in (None, text_digest(text)):
            found = entry[1]
        else:
            found = _build_here(path, text)
        for row, column, message in found:
            yield row, column, message, type(self)


def _flasklint_selected(options: argparse.Namespace) -> bool:
    """Whether flake8 would report any FLK code (`--select E,W` or `--extend-ignore FLK`: no;
    `--select E,W,F`: yes, flake8 matches by prefix and `F` is one of `FLK`)."""
    try:
        from flake8.style_guide import Decision, DecisionEngine

        from flasklint.rule_codes import rule_codes

        decider = DecisionEngine(options)
        return any(decider.decision_for(code) is Decision.Selected for code in rule_codes())
    except Exception:  # noqa: BLE001 - another flake8's internals: when in doubt, lint
        return True


def _called_from_legacy_api() -> bool:
    """Whether flake8's legacy API (`get_style_guide`) parses the options: it does so before it
    knows the files (`check_files` names them), so `expand_paths` would list the whole working
    directory; some tools (pytest plugins) call it once per file."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals.get("__name__") == "flake8.api.legacy":
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def _files_to_lint(options: argparse.Namespace) -> list[Path]:
    """The files flake8 lints in this run (its own discovery, as its Manager will run it), absolute."""
    from flake8.discover_files import expand_paths

    found = expand_paths(
        paths=options.filenames,
        stdin_display_name=options.stdin_display_name,
        filename_patterns=options.filename,
        exclude=(*options.exclude, *options.extend_exclude),
    )
    return [Path(name).absolute() for name in found if name != "-"]


def _prebuild(options: argparse.Namespace) -> Table | None:
    """The table of this run's files: the last run's if nothing changed, else the one the builder
    starts writing now; None (each process builds for itself) if neither can be had. A bad
    `[tool.flasklint]` is flake8's critical error.

    The builder is started first, before it is known to be needed: its start (Python, the engine,
    libcst and Jinja) takes about as long as listing the files and reading the last run's key here,
    which it then overlaps, on a core flake8 leaves idle until its workers start. Not needed, it
    is stopped before it has written anything."""
    builder = _Builder.start()
    try:
        return _table_for(options, builder)
    finally:
        if builder is not None:
            builder.release()


def _table_for(options: argparse.Namespace, builder: _Builder | None) -> Table | None:
    try:
        paths = _files_to_lint(options)
    except Exception:  # noqa: BLE001 - another flake8's internals: workers build for themselves
        log.debug("flasklint: cannot list flake8's files", exc_info=True)
        return None
    if not paths:
        return None
    from flasklint import flake8_cache

    roots = flake8_cache.project_roots(paths)
    key = flake8_cache.table_key(roots, paths)
    names = [str(path) for path in paths]
    saved = _saved_files(key) if key is not None else None
    if saved is not None:
        name = flake8_table.write_complete({"paths": names}, saved)
        _remove_at_exit(name)
    else:
        _check_configurations(roots)
        if builder is None:
            return None
        name = builder.go({"paths": names, "key": key and [str(key.path), key.inputs, key.racy]})
    os.environ[TABLE_VARIABLE] = f"{os.getpid()}:{name}"  # for spawned workers: forked ones inherit the Table
    return Table(name)


def _saved_files(key: RunKey) -> dict[str, list] | None:
    """The files of the table the last run over these very files saved, if nothing changed since."""
    from flasklint import flake8_cache

    saved = flake8_cache.load(key)
    try:
        files = json.loads(saved)["files"] if saved is not None else None
    except (ValueError, TypeError, KeyError):
        return None
    return files if isinstance(files, dict) else None


def _check_configurations(roots: list[Path]) -> None:
    """Each project's `[tool.flasklint]`, read before any work as the CLI does: a mistake there is
    flake8's critical error, not a run without findings."""
    from flasklint.config import ConfigError, load_config

    for root in roots:
        try:
            load_config(root)
        except ConfigError as exc:
            from flake8.exceptions import ExecutionError

            raise ExecutionError(f"flasklint: {exc}") from None


class _Builder:
    """The builder process (flake8_build.py), started on a new table file before its request is
    known: it waits for the word to start, and without it (its stdin closed first) it exits."""

    def __init__(self, process: subprocess.Popen[bytes], name: str, descriptor: int) -> None:
        self.process, self.name, self.descriptor = process, name, descriptor
        self.started = False

    @classmethod
    def start(cls) -> _Builder | None:
        """None if it cannot start (the workers then build for themselves)."""
        name, descriptor = flake8_table.create()
        _remove_at_exit(name)  # after the builder has exited (exit handlers run last registered first)
        table = descriptor if CAN_STREAM else name
        try:
            # Started in the standard library's directory: `-m` puts the working directory first on its sys.path.
            process = subprocess.Popen(
                [sys.executable, "-m", "flasklint.flake8_build", name, str(table)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                cwd=SAFE_DIRECTORY,
                pass_fds=(descriptor,) if CAN_STREAM else (),
            )
        except OSError:
            log.debug("flasklint: cannot start the builder", exc_info=True)
            os.close(descriptor)
            return None
        atexit.register(_wait_for, process, os.getpid())  # its CPU time is flake8's, and it saves the table
        return cls(process, name, descriptor)

    def go(self, request: dict[str, object]) -> str:
        """Head the table with `request` and let the builder start; the table file's name. Where the
        table cannot be streamed, wait for the builder."""
        flake8_table.write_header(self.descriptor, request)
        self.started = True
        self.release()
        if not CAN_STREAM:
            self.process.wait()
        return self.name

    def release(self) -> None:
        """Hand the table to the builder (told to start) or stop it (it has written nothing yet);
        either way this process lets go of the file and of the builder's stdin."""
        if self.descriptor < 0:
            return
        os.close(self.descriptor)  # the builder's copy holds the lock now
        self.descriptor = -1
        with contextlib.suppress(OSError):
            if self.started:
                self.process.stdin.write(b"go\n")  # type: ignore[union-attr]
            self.process.stdin.close()  # type: ignore[union-attr]
        if not self.started:
            self.process.kill()


def _wait_for(builder: subprocess.Popen[bytes], owner: int) -> None:
    if os.getpid() == owner:
        builder.wait()


def _remove_at_exit(name: str) -> None:
    atexit.register(_remove, name, os.getpid())


def _remove(name: str, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked child that happens to run exit handlers
        with contextlib.suppress(OSError):
            os.unlink(name)


def _inherited_table() -> Table | None:
    """In a worker flake8 started as a new interpreter (spawn, forkserver): the table its main
    process started (the variable names that process: a flake8 started from inside another's
    worker builds its own)."""
    owner, _, name = os.environ.get(TABLE_VARIABLE, "").partition(":")
    parent = multiprocessing.parent_process()
    if parent is None or not owner.isdigit() or int(owner) != parent.pid:
        return None
    return Table(name)


def _build_here(path: Path, text: str) -> list[tuple[int, int, str]]:
    """The fallback: this process builds the file's project (once, from the cache) and lints `text`."""
    _ensure_log_handler()
    # `python -m flake8` puts the working directory (the project) first on sys.path; flake8 has
    # imported every plugin by now, and what flasklint imports later must not come from there.
    drop_project_paths()
    from flasklint.config import ConfigError
    from flasklint.engine import find_project_root
    from flasklint.flake8_build import findings, project_for

    try:
        project = project_for(find_project_root(path))
    except ConfigError as exc:
        from flake8.exceptions import ExecutionError

        raise ExecutionError(f"flasklint: {exc}") from None
    return findings(project, path, text)


def _ensure_log_handler() -> None:
    """Engine warnings as one line on stderr, without Python's default traceback dump."""
    if not log.handlers:
        from flasklint.cli import configure_logging

        configure_logging(verbose=False)
