"""Time the language server as an editor sees it, on generated Flask projects and a real one.

    .venv/bin/python benchmarks/lsp_bench.py [--changes 60] [--modules 200] [--million] [--real DIR] [--first-only]

Figures (wall clock, the real `python -m flasklint_lsp` process over stdio, debounce 0):
- start-up: process spawn -> `initialize` answered -> first diagnostics of an opened 1,000-line
  views module, with an empty `.flasklint_cache/` (cold) and with it filled by the cold run (warm);
- first diagnostics: didOpen of that module right after `initialized`, cold cache -> its first
  diagnostics (its own rules, while the index builds) and -> the complete set (once the `$/progress`
  of the indexing ended); the same on a copy of a real checkout (--real, CTFd by default);
- typing: `didChange` -> `publishDiagnostics`, p50/p95 over --changes edits, each a different
  comment line appended to the module (the issue's edit), on the views module and on the heavy
  module (1,000 lines, 200 views each returning an f-string with `escape()`), idle and with one
  core busy (a spinning process); and edits inside a string on the views module (a real re-analysis
  each time: every version distinct, so no in-memory cache hit);
- cross-file: an edit that renames a route in the module -> the re-published diagnostics of an
  open template that names it (the FLK201 round trip);
- --million: the comment-edit p95 again in a 1M-line generated project (2,000 modules), as a ratio
  to the 100k-line figure.

The projects are written with benchmarks/generate_project.py under benchmarks/generated/lsp/
(gitignored). Prints a table and writes benchmarks/lsp_results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import platform
import shutil
import statistics
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from generate_project import generate

HERE = Path(__file__).resolve().parent
WORK = HERE / "generated" / "lsp"
RESULTS = HERE / "lsp_results.json"
MODULE = "shop/area000/views.py"
HEAVY = "shop/area000/heavy.py"
HEAVY_VIEWS = 200
REAL = Path("/work/realworld-checkouts/CTFd+CTFd")
REAL_MODULE = "CTFd/views.py"
TEMPLATE = "shop/area000/templates/area000/bench.html"
TARGET_LINES = 1000
MARKER = 'BENCH_LABEL = "'


def write_project(modules: int, name: str = "project") -> Path:
    """The generated project, with its first views module cut to about 1,000 lines, and the heavy module."""
    root = generate(WORK / name, modules)
    (root / HEAVY).write_text(heavy_module(), encoding="utf-8")
    module = root / MODULE
    blocks = module.read_text(encoding="utf-8").split("\n\n\n@bp.route(")
    kept = blocks[0] + f'\n{MARKER}edit me"\n'
    for block in blocks[1:]:
        candidate = kept + "\n\n\n@bp.route(" + block
        if candidate.count("\n") > TARGET_LINES:
            break
        kept = candidate
    module.write_text(kept, encoding="utf-8")
    template = root / TEMPLATE
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("<a href=\"{{ url_for('area000.list_products') }}\">products</a>\n", encoding="utf-8")
    return root


def heavy_module() -> str:
    """1,000 lines: 200 views, each returning an f-string with `escape()` (five lines a view)."""
    lines = ['"""Many small views."""', "from markupsafe import escape", "", "from shop.area000 import bp", ""]
    for number in range(HEAVY_VIEWS):
        lines += ["", f'@bp.route("/heavy/{number}/<slug>")', f"def heavy_{number}(slug):"]
        lines += [f'    return f"<p>{{escape(slug)}} is number {number}</p>"', ""]
    return "\n".join(lines[:-1]) + "\n"


class Client:
    """A minimal editor: records when each document's diagnostics arrive, per version."""

    def __init__(self) -> None:
        self.client = LanguageClient("flasklint-bench", "1")
        self.arrivals: list[tuple[float, str, int | None, list[types.Diagnostic]]] = []
        self.versions: dict[str, int] = {}
        self.log: list[str] = []

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.arrivals.append((time.perf_counter(), params.uri, params.version, list(params.diagnostics)))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.log.append(params.message)

        self.progress_created = False
        self.progress_ended: float | None = None

        @self.client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            self.progress_created = True

        @self.client.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            if isinstance(params.value, dict) and params.value.get("kind") == "end":
                self.progress_ended = time.perf_counter()

    async def start(self, root: Path) -> float:
        """Spawn and initialize the server; returns the time `initialize` took to be answered."""
        await self.client.start_io(sys.executable, "-m", "flasklint_lsp")
        started = time.perf_counter()
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True)),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                initialization_options={"settings": {"debounce": 0}},
            )
        )
        self.client.initialized(types.InitializedParams())
        return time.perf_counter() - started

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        language = "python" if path.suffix == ".py" else "jinja-html"
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=path.read_text())
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    async def wait(self, uri: str, after: int, version: int | None = None, timeout: float = 120) -> tuple[float, list]:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for arrived, arrival_uri, arrival_version, diagnostics in self.arrivals[after:]:
                if arrival_uri == uri and (version is None or arrival_version == version):
                    return arrived, diagnostics
            await asyncio.sleep(0.001)
        raise TimeoutError(f"no diagnostics for {uri} (version {version})")

    async def indexed(self, timeout: float = 600) -> None:
        """Wait for the end of the indexing `$/progress` (at once for a server that shows none)."""
        deadline = time.perf_counter() + timeout
        while self.progress_created and self.progress_ended is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the project was not indexed")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def start_up(root: Path) -> dict[str, float]:
    spawned = time.perf_counter()
    client = Client()
    initialize = await client.start(root)
    uri = client.open(root / MODULE)
    arrived, _ = await client.wait(uri, 0, 1)
    await client.stop()
    return {"initialize_s": initialize, "first_diagnostics_s": arrived - spawned}


async def first_diagnostics(root: Path, module: str) -> dict[str, float]:
    """didOpen right after `initialized`, cold cache: its own rules' diagnostics, then the complete set."""
    shutil.rmtree(root / ".flasklint_cache", ignore_errors=True)
    spawned = time.perf_counter()
    client = Client()
    await client.start(root)
    opened = time.perf_counter()
    uri = client.open(root / module)
    first, _ = await client.wait(uri, 0, 1, timeout=600)
    await client.indexed()  # (a server without progress publishes the complete set first)
    await asyncio.sleep(2)  # the complete set is published right after the index is ready
    last = max(arrived for arrived, arrival_uri, _, _ in client.arrivals if arrival_uri == uri)
    complete = max(last, client.progress_ended or first)
    await client.stop()
    return {
        "open_to_own_s": first - opened,
        "open_to_complete_s": complete - opened,
        "spawn_to_own_s": first - spawned,
        "spawn_to_complete_s": complete - spawned,
    }


async def edits(client: Client, uri: str, text: str, changes: int, edit: str) -> list[float]:
    """didChange -> publishDiagnostics latencies over `changes` edits of one kind, each text distinct."""
    base = text if text.endswith("\n") else text + "\n"
    latencies = []
    for number in range(changes):
        mark = len(client.arrivals)
        label = f"{time.monotonic_ns()} {number}"
        edited = base + f"# note {label}\n" if edit == "comment" else text.replace(MARKER, f"{MARKER}{label} ", 1)
        version = client.change(uri, edited)
        sent = time.perf_counter()
        arrived, _ = await client.wait(uri, mark, version)
        latencies.append(arrived - sent)
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * quantile(latencies, 0.95),
        "max_ms": 1000 * max(latencies),
    }


class BusyCore:
    """One core kept busy by a spinning process (started on entry, stopped on exit)."""

    def __enter__(self) -> "BusyCore":
        self.spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc: object) -> None:
        self.spinner.kill()
        self.spinner.wait()


def copy_real(source: Path) -> Path:
    """Checkouts are read only: a copy (without .git) to open as a workspace."""
    target = WORK / "real" / source.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".git", ".flasklint_cache"))
    return target


async def typing(root: Path, changes: int, rounds: int) -> dict[str, object]:
    """One session: `rounds` rounds of each kind of edit (alternating, so a busy spell of the machine
    hits every kind alike); each figure is the median over the rounds of that round's p50/p95/max."""
    client = Client()
    await client.start(root)
    texts = {module: (root / module).read_text(encoding="utf-8") for module in (MODULE, HEAVY)}
    uris = {module: client.open(root / module) for module in texts}
    for uri in uris.values():
        await client.wait(uri, 0, 1, timeout=600)
    await client.indexed()  # the first diagnostics are the own rules': edits are timed in an indexed project
    kinds = {
        "comment_views_module": (MODULE, "comment", False),
        "comment_heavy_module": (HEAVY, "comment", False),
        "comment_views_module_one_core_busy": (MODULE, "comment", True),
        "comment_heavy_module_one_core_busy": (HEAVY, "comment", True),
        "string_views_module": (MODULE, "string", False),
    }
    measured: dict[str, list[dict[str, float]]] = {name: [] for name in kinds}
    for _ in range(rounds):
        for name, (module, edit, busy) in kinds.items():
            with BusyCore() if busy else contextlib.nullcontext():
                latencies = await edits(client, uris[module], texts[module], changes, edit)
            measured[name].append(summary(latencies))
            client.change(uris[module], texts[module])  # back to the file's text between kinds
            await client.wait(uris[module], 0, client.versions[uris[module]], timeout=600)
    results: dict[str, object] = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]} for name, runs in measured.items()
    }
    results["module_lines"] = {module: text.count("\n") for module, text in texts.items()}
    results["changes_per_round"], results["rounds"] = changes, rounds
    results["cross_file"] = await cross_file(client, root, uris[MODULE], texts[MODULE], changes)
    await client.stop()
    return results


async def cross_file(client: Client, root: Path, module_uri: str, text: str, changes: int) -> dict[str, float]:
    """A route renamed in the module -> the open template that names it re-published (FLK201 comes, goes)."""
    template_uri = client.open(root / TEMPLATE)
    await client.wait(template_uri, 0, 1)
    cross = []
    for number in range(max(4, changes // 10)):
        renamed = number % 2 == 0
        edited = text.replace("def list_products(", "def list_products_renamed(") if renamed else text
        mark = len(client.arrivals)
        client.change(module_uri, edited.replace(MARKER, f"{MARKER}x{number} ", 1))
        sent = time.perf_counter()
        arrived, diagnostics = await client.wait(template_uri, mark)
        assert bool(diagnostics) == renamed, diagnostics  # FLK201 appears, then goes
        cross.append(arrived - sent)
    return {"p50_ms": 1000 * statistics.median(cross), "max_ms": 1000 * max(cross)}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(
    modules: int, changes: int, rounds: int, million: bool, real: Path | None, first_only: bool = False
) -> dict[str, object]:
    root = write_project(modules)
    shutil.rmtree(root / ".flasklint_cache", ignore_errors=True)
    python_files = sum(1 for _ in root.rglob("*.py"))
    python_lines = sum(p.read_text(encoding="utf-8").count("\n") for p in root.rglob("*.py"))
    project = {"python_files": python_files, "python_lines": python_lines, "module": MODULE, "heavy": HEAVY}
    first = {"generated": await first_diagnostics(root, MODULE)}
    if real is not None:
        copy = copy_real(real)
        first["real"] = {"checkout": real.name, "module": REAL_MODULE, **await first_diagnostics(copy, REAL_MODULE)}
    if first_only:
        return {"machine": machine(), "project": project, "first_diagnostics": first}
    cold = await start_up(root)
    warm = await start_up(root)
    typed = await typing(root, changes, rounds)
    large: dict[str, object] = {}
    if million:
        big = write_project(modules * 10, "million")
        big_lines = sum(p.read_text(encoding="utf-8").count("\n") for p in big.rglob("*.py"))
        figures = await typing(big, changes, rounds)
        large = {"python_files": sum(1 for _ in big.rglob("*.py")), "python_lines": big_lines, "typing": figures}
        for name in ("comment_views_module", "string_views_module"):
            large[f"{name}_p95_ratio"] = figures[name]["p95_ms"] / typed[name]["p95_ms"]  # type: ignore[index]
        large["p95_ratio_to_100k"] = large["comment_views_module_p95_ratio"]  # the edit
    return {
        "machine": machine(),
        "project": project,
        "first_diagnostics": first,
        "start_up_cold": cold,
        "start_up_warm": warm,
        "typing": typed,
        # The rows (benchmarks/speed.py reads them): the comment-line edit, per module.
        "comment_edits": {
            name: typed[f"comment_{name}"] for name in ("views_module", "heavy_module", "views_module_one_core_busy", "heavy_module_one_core_busy")
        },
        "million": large,
    }


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {name: metadata.version(name) for name in ("flasklint", "pygls", "libcst")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=200, help="Python modules in the generated project")
    parser.add_argument("--changes", type=int, default=20, help="didChange round trips per kind of edit and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every kind of edit (figures: their median)")
    parser.add_argument("--million", action="store_true", help="also a 1M-line project (10x --modules)")
    parser.add_argument("--real", type=Path, default=REAL if REAL.is_dir() else None, help="a real checkout to open")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    parser.add_argument("--first-only", action="store_true", help="only the first-diagnostics figures (didOpen, cold)")
    args = parser.parse_args()
    results = asyncio.run(run(args.modules, args.changes, args.rounds, args.million, args.real, args.first_only))
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    project = results["project"]
    print(f"project: {project['python_files']} Python files, {project['python_lines']} lines")
    for name, figures in results["first_diagnostics"].items():
        print(
            f"first diagnostics ({name}, cold): didOpen -> own rules {figures['open_to_own_s']:.2f} s, "
            f"-> complete {figures['open_to_complete_s']:.2f} s (from spawn: {figures['spawn_to_own_s']:.2f} s, "
            f"{figures['spawn_to_complete_s']:.2f} s)"
        )
    if args.first_only:
        print(f"written to {args.output}")
        return 0
    for name in ("start_up_cold", "start_up_warm"):
        figures = results[name]
        print(
            f"{name:<14} initialize {figures['initialize_s']:.2f} s, "
            f"spawn -> first diagnostics {figures['first_diagnostics_s']:.2f} s"
        )
    print_typing(results["typing"], "")
    if results["million"]:
        large = results["million"]
        print(f"1M-line project: {large['python_files']} Python files, {large['python_lines']} lines")
        print_typing(large["typing"], "  ")
        print(
            f"  p95 ratio to the {project['python_lines'] // 1000}k-line project: comment edit "
            f"{large['comment_views_module_p95_ratio']:.2f}x, string edit {large['string_views_module_p95_ratio']:.2f}x"
        )
    print(f"written to {args.output}")
    return 0


def print_typing(typed: dict[str, object], indent: str) -> None:
    print(f"{indent}didChange -> publishDiagnostics (median of {typed['rounds']} rounds of {typed['changes_per_round']} edits):")
    for name, figures in typed.items():
        if isinstance(figures, dict) and "p95_ms" in figures:
            print(f"{indent}  {name:<36} p50 {figures['p50_ms']:4.0f} ms  p95 {figures['p95_ms']:4.0f} ms  max {figures['max_ms']:4.0f} ms")
    cross = typed["cross_file"]
    print(f"{indent}  route renamed -> open template re-published: p50 {cross['p50_ms']:.0f} ms, max {cross['max_ms']:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
