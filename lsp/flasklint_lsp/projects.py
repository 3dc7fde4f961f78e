"""Workspace folders -> engine Projects, and the single thread that runs the engine.

Each workspace folder is its own `flasklint.engine.Project` with its own `[tool.flasklint]`; a file
outside every folder gets a "loose" project at its own project root that knows only the open files
(discovering an arbitrary parent such as a home directory could take minutes). The engine is not
thread-safe and libcst is CPU-bound, so every call into a Project runs on one dedicated thread while
the event loop keeps answering the editor.
"""

from __future__ import annotations

import asyncio
import cProfile
import dataclasses
import json
import logging
import os
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable, TypeVar

from pygls.uris import to_fs_path

from flasklint.config import Config, ConfigError, load_config
from flasklint.diagnostics import Diagnostic
from flasklint.engine import Project, encode_overlay, find_project_root
from flasklint.model.facts import FileFacts
from flasklint.file_kinds import kind_of
from flasklint.noqa import is_suppressed, noqa_map, place_noqa_rows

from flasklint_lsp.settings import Settings
from flasklint_lsp.tails import Code, code_of, only_tail_changed

T = TypeVar("T")
log = logging.getLogger("flasklint_lsp")
CONFIG_FILE = "pyproject.toml"
PROFILE_VARIABLE = "FLASKLINT_LSP_PROFILE"


class Engine:
    """Runs engine calls one at a time on a dedicated thread.

    With FLASKLINT_LSP_PROFILE=<file> set, every call is profiled (cProfile) and the statistics of
    all calls so far are written to <file>.<thread name> after each: where an editor's wait goes.
    """

    def __init__(self, name: str = "flasklint-engine") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        target = os.environ.get(PROFILE_VARIABLE)
        self._profile = (cProfile.Profile(), f"{target}.{name}") if target else None

    async def run(self, function: Callable[..., T], *args: object) -> T:
        return await asyncio.wrap_future(self.submit(function, *args))

    def submit(self, function: Callable[..., T], *args: object) -> Future[T]:
        """Queue a call without waiting for it (also before the event loop runs)."""
        call = partial(function, *args)
        if self._profile is not None:
            call = partial(self._profiled, call)
        return self._executor.submit(call)

    def _profiled(self, call: Callable[[], T]) -> T:
        profile, target = self._profile  # type: ignore[misc]
        try:
            return profile.runcall(call)
        finally:
            profile.dump_stats(target)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class MemoryCache:
    """The engine's cache interface, in memory: recent versions of the buffers, by content hash.

    Undo, redo and putting back a file's last parseable text then cost no parse. Entries are kept
    as compact JSON and bounded by their total size, not their number: 256 entries as dicts held
    11 MB for one 300-line module, and more the larger the module.
    """

    def __init__(self, budget: int = 4 * 2**20) -> None:
        self.budget = budget  # characters of JSON
        self.size = 0
        self._entries: OrderedDict[str, str] = OrderedDict()

    def get(self, key: str) -> FileFacts | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return FileFacts.from_dict(json.loads(entry))

    def put(self, key: str, facts: FileFacts) -> None:
        entry = json.dumps(facts.to_dict(), separators=(",", ":"))
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= len(previous)
        if len(entry) > self.budget:
            return
        self._entries[key] = entry
        self.size += len(entry)
        while self.size > self.budget:
            _, evicted = self._entries.popitem(last=False)
            self.size -= len(evicted)


@dataclass
class BuildReport:
    files: int
    seconds: float
    config_error: str | None


@dataclass
class Update:
    """The outcome of feeding one file to the engine."""

    linted: bool  # False: not a file `flasklint check` would report on (excluded, not Flask-relevant, ...)
    diagnostics: list[Diagnostic]
    index_changed: bool  # other files' diagnostics may have changed too


@dataclass
class Analysed:
    """A buffer's last analysis, kept so that an edit of its tail (comments after the code) needs none."""

    code: Code
    facts: FileFacts  # what the engine holds for the file: the analysis, with the noqa map of the newest tail
    generation: int = -1  # of the project's facts when `findings` were computed
    findings: tuple[object, object, list[Diagnostic]] | None = None  # (index, config, diagnostics before noqa)


@dataclass
class ProjectState:
    """One root: its Project (once built), and which buffer version the engine last saw per file."""

    root: Path
    discovered: bool  # False for a loose project (files outside every workspace folder)
    started: bool = False  # its (background) build was started
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    found: asyncio.Event = field(default_factory=asyncio.Event)  # its files were discovered (or the build failed)
    files_found: int = 0
    project: Project | None = None
    project_config: Config = field(default_factory=Config)
    config_error: str | None = None
    # relative path -> version of the buffer text the engine holds (files absent here come from disk)
    buffers: dict[str, int | None] = field(default_factory=dict)
    # relative path -> last text of it that parsed (None: the file on disk), and the broken buffers
    # whose last parseable version stands in for them in the index
    parseable: dict[str, str | None] = field(default_factory=dict)
    stand_ins: set[str] = field(default_factory=set)
    # relative path -> its buffer's last analysis (Python buffers that parsed)
    analysed: dict[str, Analysed] = field(default_factory=dict)
    generation: int = 0  # bumped whenever a file's facts change (other than a tail's noqa map)
    # Open documents whose own diagnostics are on their way while the project is indexed: its
    # analysis starts once they are published (see `Linter._publish_own`).
    own_first: set[asyncio.Future[None]] = field(default_factory=set)
    opened: asyncio.Event = field(default_factory=asyncio.Event)  # a document of it was opened while it was indexed
    _building: Project | None = None  # discovered, not yet analysed (the current project serves meanwhile)
    _build_started: float = 0.0

    # -- engine-thread jobs ------------------------------------------------------------------
    def discover(self, settings: Settings) -> int:
        """The first half of a (re)build: read the config and find the project's files; how many.

        The analysis (`analyse`) is a separate engine call, so the open documents' own diagnostics
        can be computed in between, with the machine to themselves (see `Linter._publish_own`).
        """
        self._build_started = time.perf_counter()
        try:
            self.project_config, self.config_error = load_config(self.root), None
        except ConfigError as exc:
            self.project_config, self.config_error = Config(), str(exc)
        # Workers are spawned, not forked: a child forked while pygls' reader thread blocks on stdin
        # deadlocks at start (multiprocessing closes sys.stdin in every child).
        project = Project(self.root, settings.config_for(self.project_config), start_method="spawn")
        if self.discovered:
            project.discover()
        self._building = project
        return len(project.files) if self.discovered else 0

    def analyse(self, overlays: dict[str, tuple[str, int | None]]) -> BuildReport:
        """The second half of a (re)build: analyse the discovered files (buffers win over disk) and
        build the index; the project then replaces the previous one."""
        project, self._building = self._building, None
        if project is None:
            raise RuntimeError(f"the project at {self.root} was not discovered first")
        if self.discovered:
            project.analyse({relative: text for relative, (text, _) in overlays.items()})
            for relative, reason in sorted(project.unreadable.items()):
                log.warning("cannot read %s: %s (what depends on it may be missing)", self.root / relative, reason)
        project.index  # noqa: B018 - built here, off the first keystroke's path: "ready" means indexed
        # From now on the server feeds buffer text on every change: caching each version on disk would
        # fill .flasklint_cache/ with entries nothing reads again; recent versions stay in memory.
        project.cache = MemoryCache()
        self.project = project
        self.buffers = {relative: version for relative, (_, version) in overlays.items() if relative in project.files}
        self.parseable = {
            relative: overlays[relative][0] if relative in overlays else None
            for relative, facts in project.facts.items()
            if facts.kind == "python" and not facts.parse_error
        }
        self.stand_ins = set()
        self.analysed = {}
        self.generation += 1
        return BuildReport(len(project.facts), time.perf_counter() - self._build_started, self.config_error)

    def update(self, relative: str, text: str | None, version: int | None) -> Update:
        """Feed one file's buffer text (None: its disk content) and return its diagnostics.

        A Python buffer that stops parsing (the user is mid-edit: `url_for("` typed, a bracket not
        yet closed) gets its FLK001, but the index keeps the file's last parseable version: its
        routes stay completable and other files' diagnostics do not flicker.
        """
        project = self.require()
        if not project.wants(relative):
            return Update(False, [], False)
        if text is not None:
            diagnostics = self._tail_edit(relative, text)
            if diagnostics is None:
                diagnostics = self._as_on_disk(relative, text)
            if diagnostics is not None:
                self.buffers[relative] = version
                return Update(True, diagnostics, False)
        self.analysed.pop(relative, None)
        self.generation += 1
        before = _index_view(project.facts.get(relative))
        project.set_source(relative, text)
        facts = project.facts.get(relative)
        if facts is None:
            self.buffers.pop(relative, None)
            self.stand_ins.discard(relative)
            self.parseable.pop(relative, None)
            return Update(False, [], before is not None)
        analysed = self._analysed(facts, text)
        diagnostics = self._findings(relative, analysed) if analysed else project.diagnostics(relative)
        if text is None:
            self.buffers.pop(relative, None)
        else:
            self.buffers[relative] = version
        if facts.parse_error and facts.kind == "python" and text is not None and relative in self.parseable:
            project.set_source(relative, self.parseable[relative])  # a memory-cache hit: no parse
            self.stand_ins.add(relative)
        else:
            self.stand_ins.discard(relative)
            if not facts.parse_error:
                self.parseable[relative] = text
            elif text is None:
                # A broken file on disk stays broken in the index, as for `flasklint check`: the
                # last parseable text of a closed buffer holds unsaved edits that are gone.
                self.parseable.pop(relative, None)
        changed = before != _index_view(project.facts.get(relative))
        if analysed is not None and relative not in self.stand_ins:
            self.analysed[relative] = analysed
        return Update(True, diagnostics, changed)

    def _tail_edit(self, relative: str, text: str) -> list[Diagnostic] | None:
        """The diagnostics of a buffer whose edit only touched the comments after its code (see
        tails.py), from its previous analysis; None when the edit needs a new one."""
        project = self.require()
        analysed = self.analysed.get(relative)
        if analysed is None or project.facts.get(relative) is not analysed.facts:
            return None
        if not only_tail_changed(analysed.code, text):
            return None
        analysed.facts = dataclasses.replace(analysed.facts, noqa=noqa_map(text, python=True))
        project.facts[relative] = analysed.facts  # no index input changed: the index stands
        self.parseable[relative] = text
        return self._findings(relative, analysed)

    def _as_on_disk(self, relative: str, text: str) -> list[Diagnostic] | None:
        """The diagnostics of a buffer holding the very bytes of the file on disk the engine analysed
        (a document opened after the build read it, as it was saved), from that analysis; None when
        the buffer needs one of its own. Only for a Python file that parsed: a broken one's stand-in
        is decided by `update`."""
        project = self.require()
        facts = project.facts.get(relative)
        if facts is None or relative in self.buffers or facts.kind != "python" or facts.parse_error:
            return None  # (a file in `buffers` has facts from a buffer, not from the disk's bytes)
        if not project.analysed_from(relative, encode_overlay(text, facts.kind)):
            return None
        self.parseable[relative] = text
        analysed = self._analysed(facts, text)
        if analysed is None:
            return project.diagnostics(relative)
        self.analysed[relative] = analysed
        return self._findings(relative, analysed)

    def _analysed(self, facts: FileFacts, text: str | None) -> Analysed | None:
        if text is None or facts.kind != "python" or facts.parse_error:
            return None
        code = code_of(text, facts.noqa_rows)
        return Analysed(code, facts) if code is not None else None

    def _findings(self, relative: str, analysed: Analysed) -> list[Diagnostic]:
        """`Project.diagnostics`, with the project rules' findings computed once per (facts, index,
        config) and only the noqa map applied again: what a tail edit can change."""
        project = self.require()
        index, config = project.index, project.config
        cached = analysed.findings
        if analysed.generation != self.generation or cached is None or cached[0] is not index or cached[1] is not config:
            cached = analysed.findings = (index, config, project.diagnostics(relative, apply_noqa=False))
            analysed.generation = self.generation
        return [d for d in cached[2] if not is_suppressed(d, analysed.facts.noqa)]

    def diagnostics(self, relative: str) -> list[Diagnostic] | None:
        """Current diagnostics of a file the engine holds (None: not linted, or a broken buffer stood in for)."""
        project = self.require()
        if relative in self.stand_ins or relative not in project.facts or not project.wants(relative):
            return None
        return project.diagnostics(relative)

    def reload_from_disk(self, relatives: list[str]) -> bool:
        """Re-read files changed on disk (not open in the editor); True when the index may have changed.

        A path may be a directory: watchers report a folder moved in or deleted as one event.
        """
        project = self.require()
        changed = False
        for relative in dict.fromkeys(f for r in relatives for f in self._files_at(r)):
            if relative in self.buffers or not project.wants(relative):
                continue
            before = _index_view(project.facts.get(relative))
            project.set_source(relative, None)
            self.generation += 1
            changed |= before != _index_view(project.facts.get(relative))
        return changed

    def _files_at(self, relative: str) -> list[str]:
        """The file itself, or the files under a directory (those on disk and those the index holds)."""
        project = self.require()
        absolute = self.root / relative
        if relative in project.files or absolute.is_file():
            return [relative]
        prefix = relative.rstrip("/") + "/"
        known = [f for f in project.files if f.startswith(prefix)]
        if not absolute.is_dir():
            return known or [relative]
        found = []
        for directory, subdirectories, names in os.walk(absolute):
            base = PurePosixPath(Path(directory).relative_to(self.root).as_posix())
            subdirectories[:] = [
                d
                for d in subdirectories
                if not d.startswith(".") and not project.config.is_excluded(base / d, directory=True)
            ]
            found.extend(str(base / name) for name in names)
        return [*known, *found]

    def apply_settings(self, settings: Settings) -> None:
        self.require().config = settings.config_for(self.project_config)

    def require(self) -> Project:
        if self.project is None:
            raise RuntimeError(f"the project at {self.root} is not built yet")
        return self.project


def own_diagnostics(root: Path, relative: str, text: str, settings: Settings) -> list[Diagnostic] | None:
    """A Python buffer's diagnostics from its file rules alone, while its project is being indexed.

    Runs beside the build (on another thread: it touches no shared state). The project rules wait
    for the index: a one-file index would invent findings (every other file's endpoints missing).
    Selection and noqa are applied as `Project.diagnostics` applies them. None: not a Python file,
    or its config does not load (the build reports that).
    """
    if kind_of(PurePosixPath(relative)) != "python":
        return None
    try:
        config = settings.config_for(load_config(root))
    except ConfigError:
        return None
    project = Project(root, config, use_cache=False, jobs=1)
    if not project.wants(relative):
        return []
    project.set_source(relative, text)
    facts = project.facts.get(relative)
    if facts is None:
        return None
    own = [d for d in facts.diagnostics if config.is_selected(d.code, relative)]
    selected = place_noqa_rows(own, facts.noqa_rows)
    return sorted((d for d in selected if not is_suppressed(d, facts.noqa)), key=Diagnostic.sort_key)


def _index_view(facts: FileFacts | None) -> FileFacts | None:
    """What other files see of this one: its facts without its own diagnostics, noqa rows and rule data."""
    return None if facts is None else dataclasses.replace(facts, diagnostics=[], noqa={}, rule_data={})


@dataclass(frozen=True)
class Located:
    state: ProjectState
    relative: str  # POSIX, relative to state.root


class Workspaces:
    """Finds the project of a document: the innermost workspace folder holding it, else a loose one."""

    def __init__(self) -> None:
        self.folders: dict[Path, ProjectState] = {}
        self.loose: dict[Path, ProjectState] = {}

    def add_folder(self, uri: str) -> ProjectState | None:
        path = _path_of(uri)
        if path is None or not path.is_dir():
            return None
        state = self.folders.get(path)
        if state is None:
            state = self.folders[path] = ProjectState(path, discovered=True)
        return state

    def remove_folder(self, uri: str) -> ProjectState | None:
        path = _path_of(uri)
        return self.folders.pop(path, None) if path is not None else None

    def locate(self, uri: str) -> Located | None:
        """Where a document lives (None: not a local file); its project may still need building."""
        path = _path_of(uri)
        if path is None:
            return None
        holders = [root for root in self.folders if root in path.parents]
        if holders:
            root = max(holders, key=lambda r: len(r.parts))
            return Located(self.folders[root], path.relative_to(root).as_posix())
        root = find_project_root(path)
        if root not in self.loose:
            self.loose[root] = ProjectState(root, discovered=False)
        return Located(self.loose[root], path.relative_to(root).as_posix())

    def states(self) -> list[ProjectState]:
        return [*self.folders.values(), *self.loose.values()]


def _path_of(uri: str) -> Path | None:
    """The resolved local path of a file: URI (None for untitled buffers and other schemes)."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    if not path:
        return None
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return None
