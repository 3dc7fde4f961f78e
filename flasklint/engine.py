"""The engine: files -> facts (per file, cached) -> project index -> rules -> diagnostics -> noqa.

Every front-end (CLI, flake8 plugin, language server) gets its findings from `Project`, which runs
every rule (and each project rule's per-file `collect` step), applies the config's selection and
noqa; a front-end only formats and delivers them.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import tokenize
from pathlib import Path, PurePosixPath
from typing import Iterable

from flasklint import shortcuts
from flasklint.atomic_write import is_temporary
from flasklint.cache import Cache, cache_key, facts_payload
from flasklint.collection import collected_once
from flasklint.config import Config, load_config, marks_a_project
from flasklint.config import find_project_root  # noqa: F401 - the front-ends import it from here
from flasklint.diagnostics import Diagnostic
from flasklint.digests import blake2b
from flasklint.file_kinds import kind_of
from flasklint.memory import RELEASE_AFTER, release_freed_memory
from flasklint.model.facts import FileFacts
from flasklint.model.imports import ModuleNames, module_name_for
from flasklint.model.index import ProjectIndex
from flasklint.model.module import is_test_path
from flasklint.model.positions import lean_codegen
from flasklint.model.templates import build_template_model
from flasklint.model.traversal import build_model
from flasklint.noqa import is_suppressed, multi_row_lines, noqa_map, place_noqa_rows
from flasklint.records import dataclass
from flasklint.relevance import may_matter
from flasklint.rules import FILE_RULES, PROJECT_RULES, RULES_BY_CODE, SYNTAX_ERROR, TEMPLATE_SYNTAX_ERROR
from flasklint.rules.flk002_file_not_analysed import MAX_ANALYSED_BYTES, FileNotAnalysed, too_large_reason
from flasklint.source import SourceError, cpython_syntax_error, decode_source, parse_python, restore_columns, run_deep
from flasklint.workers import LazyPool, project_workers

log = logging.getLogger("flasklint")

PARALLEL_THRESHOLD = 24
NOT_ANALYSED: FileNotAnalysed = RULES_BY_CODE["FLK002"]  # type: ignore[assignment]


@dataclass(frozen=True)
class SourceFile:
    relative: str  # POSIX, relative to the project root
    absolute: Path
    kind: str  # python | template | other


def analyse_python(relative: str, module: str, is_package: bool, data: bytes) -> FileFacts:
    """Facts and file-rule diagnostics of one Python file. Never raises for bad input."""
    if len(data) > MAX_ANALYSED_BYTES:
        return _not_analysed(relative, module, "python", too_large_reason(len(data)))
    decoded = decode_source(data)
    if isinstance(decoded, SourceError):
        return _unparsable(relative, module, decoded)
    facts_noqa, noqa_rows = noqa_map(decoded, python=True), multi_row_lines(decoded)
    if not is_package and shortcuts.enabled() and not may_matter(decoded):
        # Nothing here for the Flask rules; CPython's own (much faster) parser still checks syntax.
        # (Packages' __init__.py are always parsed: their imports re-export blueprints and apps.)
        facts = FileFacts(path=relative, module=module, kind="python", is_test=is_test_path(relative))
        error = cpython_syntax_error(decoded)
        if error is not None:
            facts = _unparsable(relative, module, error)
        facts.noqa, facts.noqa_rows = facts_noqa, noqa_rows
        return facts
    try:
        facts = _analyse_tree(relative, module, is_package, decoded, first_attempt=True)
    except RecursionError:
        # Valid but deeply nested code (a 1,000-term concatenation): libcst's visitors recurse
        # per level. Retry with a large stack and recursion limit; skip the file if still too deep.
        retried = run_deep(lambda: _analyse_tree(relative, module, is_package, decoded, first_attempt=False))
        facts = retried if retried is not None else _not_analysed(relative, module, "python", "it nests too deeply")
    facts.noqa, facts.noqa_rows = facts_noqa, noqa_rows
    if len(decoded) >= RELEASE_AFTER:
        release_freed_memory()
    return facts


def _analyse_tree(relative: str, module: str, is_package: bool, decoded: str, first_attempt: bool) -> FileFacts:
    """Parse, extract facts, run the file rules. On the first attempt a RecursionError anywhere
    propagates (the file is retried deeper); on the retry a rule's is that rule's own bug."""
    parsed = parse_python(decoded)
    if isinstance(parsed, SourceError):
        if parsed.valid_python:  # CPython accepts it: not a syntax error, but nothing to analyse
            reason = f"flasklint's parser cannot read line {parsed.line} ({parsed.message})"
            return _not_analysed(relative, module, "python", reason)
        return _unparsable(relative, module, parsed)
    with lean_codegen():  # installed once for the file: the model and rules ask spans node by node
        model = build_model(relative, module, is_package, parsed.text, parsed.tree)
        diagnostics: list[Diagnostic] = []
        for rule in FILE_RULES:
            if "python" in rule.kinds:
                check = rule.check_module
                diagnostics.extend(_run_safely(rule.code, relative, lambda c=check: c(model), retry_deeper=first_attempt))
        model.facts.diagnostics = diagnostics
        for rule in PROJECT_RULES:
            data = _run_safely(rule.code, relative, lambda r=rule: _found(r.collect(model)), retry_deeper=first_attempt)
            if data:
                model.facts.rule_data[rule.code] = data[0]
        model.release()
    if parsed.shifts:  # form feeds were taken out of the indentation: report the file's own columns
        return FileFacts.from_dict(restore_columns(model.facts.to_dict(), parsed.shifts))
    return model.facts


def analyse_template(relative: str, data: bytes) -> FileFacts:
    if len(data) > MAX_ANALYSED_BYTES:
        return _not_analysed(relative, "", "template", too_large_reason(len(data)))
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        facts = FileFacts(path=relative, module="", kind="template", parse_error=True)
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"cannot decode the template as UTF-8: {exc}"
        facts.rule_data[TEMPLATE_SYNTAX_ERROR.code] = TEMPLATE_SYNTAX_ERROR.unreadable(line, message, syntax=False)
        return facts
    try:
        model = build_template_model(relative, text)
    except RecursionError:
        # Jinja's parser and compiler recurse per nesting level: Flask would fail to render it too.
        facts = FileFacts(path=relative, module="", kind="template", parse_error=True)
        message = "the template nests too deeply for Jinja to compile it (RecursionError)"
        facts.rule_data[TEMPLATE_SYNTAX_ERROR.code] = TEMPLATE_SYNTAX_ERROR.unreadable(1, message, syntax=True)
        facts.noqa = noqa_map(text, python=False)
        return facts
    diagnostics: list[Diagnostic] = []
    model.facts.parse_error = model.error is not None
    for rule in FILE_RULES:
        if "template" in rule.kinds:
            diagnostics.extend(_run_safely(rule.code, relative, lambda r=rule: r.check_template(model)))
    model.facts.diagnostics = diagnostics
    for project_rule in PROJECT_RULES:
        found = _run_safely(project_rule.code, relative, lambda r=project_rule: _found(r.collect_template(model)))
        if found:
            model.facts.rule_data[project_rule.code] = found[0]
    model.facts.noqa = noqa_map(text, python=False)
    return model.facts


def analyse_other(relative: str, data: bytes) -> FileFacts:
    facts = FileFacts(path=relative, module="", kind="other")
    text = data.decode("utf-8", errors="replace")
    for rule in FILE_RULES:
        if "other" in rule.kinds:
            facts.diagnostics.extend(_run_safely(rule.code, relative, lambda r=rule: r.check_text(relative, text)))
    for project_rule in PROJECT_RULES:
        found = _run_safely(project_rule.code, relative, lambda r=project_rule: _found(r.collect_text(relative, text)))
        if found:
            facts.rule_data[project_rule.code] = found[0]
    facts.noqa = noqa_map(text, python=False)
    return facts


def _templates_read(index: ProjectIndex) -> set[str] | None:
    """The templates whose facts the rules' findings on Python files read; None (all of them) if a
    rule failed to say (logged, as any rule's error): a stub must never stand where facts are read."""
    read: set[str] = set()
    for rule in PROJECT_RULES:
        try:
            read.update(rule.templates_read(index))
        except Exception:  # noqa: BLE001 - isolate rule bugs
            log.exception("internal error in rule %s naming the templates it reads; all are analysed", rule.code)
            return None
    return read


def _found(data: object | None) -> list[object]:
    """A project rule's `collect` result as the list `_run_safely` expects (empty: nothing to keep), in
    its JSON form (tuples as lists): a rule reads the same data fresh as from the cache."""
    return [] if data is None else [json.loads(json.dumps(data))]


def _run_safely(code: str, path: str, check: "callable", retry_deeper: bool = False) -> list:  # type: ignore[valid-type]
    """A rule that raises loses its own findings (or data) on that file, never the run (or the server).

    With `retry_deeper`, a RecursionError (deeply nested code, not a rule bug) propagates so the
    caller can redo the file with a larger stack."""
    try:
        return list(check())
    except RecursionError:
        if retry_deeper:
            raise
        log.exception("internal error in rule %s on %s; its findings for this file are skipped", code, path)
        return []
    except Exception:  # noqa: BLE001 - isolate rule bugs
        log.exception("internal error in rule %s on %s; its findings for this file are skipped", code, path)
        return []


def _unparsable(relative: str, module: str, error: SourceError) -> FileFacts:
    facts = FileFacts(path=relative, module=module, kind="python", parse_error=True, is_test=is_test_path(relative))
    facts.diagnostics = [SYNTAX_ERROR.at(relative, error.line, error.message, error.column)]
    return facts


def _not_analysed(relative: str, module: str, kind: str, reason: str) -> FileFacts:
    """A file flasklint skips (multi-megabyte generated code stalls every run; extreme nesting
    exhausts the parser): skipped, and said so."""
    facts = FileFacts(path=relative, module=module, kind=kind, is_test=is_test_path(relative))
    facts.diagnostics = [NOT_ANALYSED.at(relative, reason)]
    return facts


def load_parsers(kinds: set[str]) -> None:
    """Import libcst and Jinja as analysing files of these kinds needs them, by parsing nothing: run
    before the pool forks its workers, which then inherit them (each would otherwise import them on
    its first file: ~0.3 s of CPU for libcst, ~0.1 s for Jinja, per worker); the flake8 builder
    runs it while flake8's main process is still listing the files."""
    if "python" in kinds:
        parse_python("")
    if "template" in kinds:
        build_template_model("", "")


def _default_start_method() -> str:
    """Fork wherever multiprocessing offers it (everywhere but Windows: its own test), decided without
    importing multiprocessing, which a run too small for a pool never needs."""
    return "spawn" if sys.platform == "win32" else "fork"


Job = tuple[str, str, str, bool, bytes]  # kind, relative path, module, is a package, content


@collected_once
def _analyse_job(job: Job) -> bytes | dict:
    """One file's facts as a worker hands them back: their cache entry's JSON (the main process
    parses it and writes it as it is), or a dict when a rule's data cannot be JSON."""
    kind, relative, module, is_package, data = job
    if kind == "python":
        facts = analyse_python(relative, module, is_package, data)
    elif kind == "template":
        facts = analyse_template(relative, data)
    else:
        facts = analyse_other(relative, data)
    payload = facts_payload(facts)
    return payload if payload is not None else facts.to_dict()


class Project:
    """One project root: its config, every file's facts, the index, and per-file diagnostics.

    The language server keeps one Project per workspace folder and feeds it buffer contents with
    `set_source`; the CLI and flake8 build one per run (or per process) from disk and the cache.
    """

    def __init__(
        self,
        root: Path,
        config: Config | None = None,
        use_cache: bool = True,
        jobs: int | None = None,
        start_method: str | None = None,
    ):
        """`start_method` picks how worker processes start: "fork" by default where available;
        a threaded host (the language server's reader thread holds stdin) needs "spawn"."""
        self.root = root.resolve()
        self.start_method = start_method or _default_start_method()
        self.config = config if config is not None else load_config(self.root)
        self.cache = Cache(self.root) if use_cache else None
        self.jobs = jobs if jobs is not None else min(os.cpu_count() or 1, 4)
        self.files: dict[str, SourceFile] = {}
        self.facts: dict[str, FileFacts] = {}
        # Files (and directories, as "path/") found but not readable (permissions, symlink loops): -> reason.
        # Each front-end reports them (the CLI as errors where they are among the paths checked).
        self.unreadable: dict[str, str] = {}
        # Relative path -> digest of the bytes its facts were computed from (see `analysed_from`).
        self._digests: dict[str, bytes] = {}
        # Temporary files of an interrupted `write_atomically` found by discovery (see atomic_write.py).
        self.temporaries: list[Path] = []
        # Subdirectories that are projects of their own (see discover(skip_nested_projects=True)).
        self.nested_roots: list[Path] = []
        # Templates standing as stubs (path and kind only) after `analyse(python_findings_only=True)`.
        self.template_stubs: set[str] = set()
        self._index: ProjectIndex | None = None

    # -- discovery -------------------------------------------------------------------------
    def discover(self, skip_nested_projects: bool = False) -> None:
        """Find the project's Python files, templates and deployment files (honouring excludes).

        With `skip_nested_projects`, a subdirectory holding a project marker (its own
        pyproject.toml, setup.py, setup.cfg or .git) is left out and listed in `nested_roots`:
        it is another app, with its own config and index (the project `find_project_root` gives
        its files, as the flake8 plugin sees them). A monorepo's apps must not share endpoints
        or secret keys.
        """
        found: dict[str, SourceFile] = {}
        self.nested_roots = []
        self.temporaries = []
        # Directories are found unreadable again below if they still are (files, when read).
        self.unreadable = {path: reason for path, reason in self.unreadable.items() if not path.endswith("/")}
        for directory, subdirectories, filenames in os.walk(self.root, onerror=self._unlistable):
            relative_dir = PurePosixPath(Path(directory).relative_to(self.root).as_posix())
            if skip_nested_projects and str(relative_dir) != "." and _is_project_root(subdirectories, filenames):
                self.nested_roots.append(Path(directory))
                subdirectories[:] = []
                continue
            subdirectories[:] = sorted(
                d
                for d in subdirectories
                if not self.config.is_excluded(relative_dir / d, directory=True) and not d.startswith(".")
            )
            for name in sorted(filenames):
                relative = relative_dir / name
                if is_temporary(name):
                    self.temporaries.append(Path(directory) / name)
                    continue
                kind = kind_of(relative)
                if kind is None or self.config.is_excluded(relative):
                    continue
                absolute = Path(directory) / name
                # A FIFO or device named `x.py` would block or stream forever; broken links stay
                # (reading them fails with a clear message).
                if os.path.isfile(absolute) or not os.path.exists(absolute):
                    key = str(relative).removeprefix("./")
                    found[key] = SourceFile(key, absolute, kind)
        self.files = found

    def _unlistable(self, error: OSError) -> None:
        """os.walk could not list a directory: its files are not checked, and the run must say so."""
        directory = Path(error.filename or self.root)
        self.unreadable[f"{Path(os.path.relpath(directory, self.root)).as_posix()}/"] = error.strerror or str(error)

    # -- analysis --------------------------------------------------------------------------
    def analyse(self, overlays: dict[str, str] | None = None, python_findings_only: bool = False) -> None:
        """Facts for every file: from the cache, in parallel when many files need analysing.

        `python_findings_only` (flake8's builder: it reports on Python files alone): a template is
        analysed only if a rule's findings on a Python file read its facts (`ProjectRule.templates_read`);
        each other template in a template folder stands as a stub holding its path (`template_stubs`):
        its name is all the Python files' findings read of it. Stubs are not cached."""
        overlays = overlays or {}
        pending: list[tuple[Job, str]] = []
        module_names = ModuleNames(self.root)
        for source in self.files.values():
            if source.kind == "template":
                continue  # templates are analysed once the index knows the template folders
            data = self._read(source, overlays)
            if data is None:
                continue
            if source.kind == "other":
                job: Job = ("other", source.relative, "", False, data)
                key = cache_key(data, source.relative, "", source.kind)
            else:
                module = module_names.of(source.absolute)
                job = ("python", source.relative, module, source.absolute.name == "__init__.py", data)
                key = cache_key(data, source.relative, module)
            self._use_cache_or_queue(job, key, pending)
        templates = any(source.kind == "template" for source in self.files.values())
        with project_workers(self.jobs, self.start_method, PARALLEL_THRESHOLD) as pool:
            self._analyse_pending(pending, pool, with_templates=templates)
            self._index = None
            sources = self._template_sources()
            if python_findings_only and shortcuts.enabled():
                self._analyse_templates_read(sources, overlays, pool)
            else:
                self._analyse_templates(sources, overlays, pool)
                self._index = None

    def _template_sources(self) -> list[SourceFile]:
        """The templates in a template folder the index knows; the facts of any other are dropped."""
        folders = self.index.template_folders
        sources = []
        for source in self.files.values():
            if source.kind != "template":
                continue
            if _in_template_folder(source.relative, folders):
                sources.append(source)
            else:
                self.facts.pop(source.relative, None)
                self.template_stubs.discard(source.relative)
        return sources

    def _analyse_templates(self, sources: list[SourceFile], overlays: dict[str, str], pool: LazyPool) -> None:
        pending: list[tuple[Job, str]] = []
        for source in sources:
            stub = source.relative in self.template_stubs
            self.template_stubs.discard(source.relative)
            data = self._read(source, overlays)
            if data is None:
                if stub:
                    self.facts.pop(source.relative, None)
                continue
            key = cache_key(data, source.relative, "template", source.kind)
            self._use_cache_or_queue(("template", source.relative, "", False, data), key, pending)
        self._analyse_pending(pending, pool)

    def _analyse_templates_read(self, sources: list[SourceFile], overlays: dict[str, str], pool: LazyPool) -> None:
        """Stubs for the templates, then the analysis of those the rules read, until they read no stub
        (a template analysed may extend another). The index left is the one of the final facts."""
        by_path = {source.relative: source for source in sources}
        for relative in by_path:
            self.facts[relative] = FileFacts(path=relative, module="", kind="template")
            self.template_stubs.add(relative)
        while True:
            self._index = None
            read = _templates_read(self.index)
            stubs = [source for path, source in by_path.items() if path in self.template_stubs]
            wanted = [source for source in stubs if read is None or source.relative in read]
            if not wanted:
                return
            self._analyse_templates(wanted, overlays, pool)

    def _use_cache_or_queue(self, job: Job, key: str, pending: list[tuple[Job, str]]) -> None:
        cached = self.cache.get(key) if self.cache else None
        if cached is not None:
            self.facts[job[1]] = cached
        else:
            pending.append((job, key))

    def _analyse_pending(self, pending: list[tuple[Job, str]], pool: LazyPool, with_templates: bool = False) -> None:
        """Analyse the files the cache did not hold (in the pool when there are many), keep and cache
        their facts. `with_templates`: the pool's workers will analyse templates too (later)."""
        kinds = {job[0] for job, _ in pending} | ({"template"} if with_templates else set())
        jobs, sizes = [job for job, _ in pending], [len(job[4]) for job, _ in pending]
        analysed: dict[int, FileFacts] = {}
        for number, result in pool.map(_analyse_job, jobs, sizes, prepare=lambda: load_parsers(kinds)):
            if isinstance(result, bytes):
                analysed[number] = FileFacts.from_dict(json.loads(result))
                if self.cache:
                    self.cache.put_payload(pending[number][1], result)
            else:
                analysed[number] = FileFacts.from_dict(result)
        for number, (job, _) in enumerate(pending):  # in discovery order, whichever worker finished first
            self.facts[job[1]] = analysed[number]

    def _cached(self, source: SourceFile, data: bytes, module: str, compute: "callable") -> FileFacts:  # type: ignore[valid-type]
        key = cache_key(data, source.relative, module, source.kind)
        if self.cache:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        facts = compute()
        if self.cache:
            self.cache.put(key, facts)
        return facts

    def _read(self, source: SourceFile, overlays: dict[str, str]) -> bytes | None:
        if source.relative in overlays:
            return encode_overlay(overlays[source.relative], source.kind)
        try:
            data = source.absolute.read_bytes()
        except OSError as exc:
            self.unreadable[source.relative] = exc.strerror or str(exc)
            return None
        self.unreadable.pop(source.relative, None)
        self._digests[source.relative] = _digest(data)
        return data

    def analysed_from(self, relative: str, data: bytes) -> bool:
        """Whether `data` are the very bytes the file's current facts were computed from.

        `--fix` places its edits by these facts' positions: on any other content they would land
        in the wrong place (a file saved by an editor during the run).
        """
        return self._digests.get(relative) == _digest(data)

    def set_source(self, relative: str, text: str | None) -> None:
        """Re-analyse one file from editor text (None: re-read it from disk, or forget it if gone)."""
        absolute = self.root / relative
        kind = kind_of(PurePosixPath(relative))
        if kind is None:
            return
        if text is None and not absolute.exists():
            self.files.pop(relative, None)
            self.facts.pop(relative, None)
            self._index = None
            return
        source = SourceFile(relative, absolute, kind)
        self.files[relative] = source
        self.template_stubs.discard(relative)
        overlays = {relative: text} if text is not None else {}
        data = self._read(source, overlays)
        if data is None:
            return
        previous = self.facts.get(relative)
        if kind == "python":
            module = module_name_for(absolute, self.root)
            facts = self._cached(
                source, data, module, lambda: analyse_python(relative, module, absolute.name == "__init__.py", data)
            )
        elif kind == "template":
            facts = self._cached(source, data, "template", lambda: analyse_template(relative, data))
        else:
            facts = self._cached(source, data, "", lambda: analyse_other(relative, data))
        self.facts[relative] = facts
        if previous is None or previous.index_inputs() != facts.index_inputs():
            self._index = None
        elif self._index is not None:
            self._index.facts_changed()

    def wants(self, relative: str) -> bool:
        """Whether `check` reports on this file: its kind, the excludes, and (templates) the template folders."""
        path = PurePosixPath(relative)
        if any(part.startswith(".") for part in path.parts[:-1]) or self.config.is_excluded(path):
            return False
        kind = kind_of(path)
        if kind != "template":
            return kind is not None
        return _in_template_folder(relative, self.index.template_folders)

    # -- results ---------------------------------------------------------------------------
    @property
    def index(self) -> ProjectIndex:
        if self._index is None:
            self._index = ProjectIndex.build(str(self.root), self.facts)
        return self._index

    def diagnostics(self, relative: str, apply_noqa: bool = True) -> list[Diagnostic]:
        """Every selected diagnostic of one file, sorted, with noqa applied."""
        facts = self.facts.get(relative)
        if facts is None:
            return []
        index = self.index
        found = list(facts.diagnostics)
        for rule in PROJECT_RULES:
            found.extend(_run_safely(rule.code, relative, lambda r=rule: r.check(index, facts)))
        selected = place_noqa_rows([d for d in found if self.config.is_selected(d.code, relative)], facts.noqa_rows)
        if apply_noqa:
            selected = [d for d in selected if not is_suppressed(d, facts.noqa)]
        return sorted(selected, key=Diagnostic.sort_key)

    def checked_files(self, paths: Iterable[Path]) -> list[str]:
        """Project files under the given paths (the files a run reports on)."""
        wanted = [p.resolve() for p in paths]
        chosen: dict[Path, str] = {}  # real file -> the project path it is reported (and fixed) under
        for relative, source in sorted(self.files.items()):
            if relative not in self.facts:
                continue
            absolute = source.absolute.resolve()
            if not any(absolute == p or p in absolute.parents for p in wanted):
                continue
            # A symlink to a project file is that file: report it once, under its real path.
            if absolute not in chosen or not source.absolute.is_symlink():
                chosen[absolute] = relative
        return sorted(chosen.values())


def _digest(data: bytes) -> bytes:
    return blake2b(data, digest_size=16).digest()


def _is_project_root(subdirectories: list[str], filenames: list[str]) -> bool:
    return marks_a_project({*filenames, *subdirectories})


def encode_overlay(text: str, kind: str) -> bytes:
    """Editor text back to bytes as the file would hold them: in the encoding its coding cookie
    declares (a latin-1 module stays latin-1), so decoding it again yields the same text."""
    if kind == "python":
        head = "\n".join(text.splitlines()[:2]).encode("utf-8", errors="surrogatepass")
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(head).readline)
            return text.encode("utf-8" if encoding == "utf-8-sig" else encoding)
        except (SyntaxError, LookupError, UnicodeEncodeError):
            pass
    return text.encode("utf-8", errors="surrogatepass")


def _in_template_folder(relative: str, folders: list[str]) -> bool:
    """In an app's or blueprint's template folder, or any `templates/` directory (apps the index
    could not resolve keep their templates checked)."""
    if "templates" in PurePosixPath(relative).parts[:-1]:
        return True
    return any(relative.startswith(folder.rstrip("/") + "/") for folder in folders)
