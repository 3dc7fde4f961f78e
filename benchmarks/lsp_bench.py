"""Time the language server as an editor sees it, on a generated 200-module Flask project.

    .venv/bin/python benchmarks/lsp_bench.py [--changes 60] [--modules 200]

Figures (wall clock, the real `python -m flasklint_lsp` process over stdio, debounce 0):
- start-up: process spawn -> `initialize` answered -> first diagnostics of an opened 1,000-line
  views module, with an empty `.flasklint_cache/` (cold) and with it filled by the cold run (warm);
- typing: `didChange` -> `publishDiagnostics` of that module, p50/p95 over --changes edits inside a
  string (every version distinct, so no in-memory cache hit);
- cross-file: an edit that renames a route in the module -> the re-published diagnostics of an
  open template that names it (the FLK201 round trip).

The project is written with benchmarks/generate_project.py under benchmarks/generated/lsp/
(gitignored). Prints a table and writes benchmarks/lsp_results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import shutil
import statistics
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
TEMPLATE = "shop/area000/templates/area000/bench.html"
TARGET_LINES = 1000
MARKER = 'BENCH_LABEL = "'


def write_project(modules: int) -> Path:
    """The generated project, with its first views module cut to about 1,000 lines."""
    root = generate(WORK / "project", modules)
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

    async def start(self, root: Path) -> float:
        """Spawn and initialize the server; returns the time `initialize` took to be answered."""
        await self.client.start_io(sys.executable, "-m", "flasklint_lsp")
        started = time.perf_counter()
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
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


async def typing(root: Path, changes: int) -> dict[str, object]:
    client = Client()
    await client.start(root)
    module_uri = client.open(root / MODULE)
    await client.wait(module_uri, 0, 1)
    text = (root / MODULE).read_text(encoding="utf-8")
    latencies = []
    for number in range(changes):
        mark = len(client.arrivals)
        version = client.change(module_uri, text.replace(MARKER, f"{MARKER}{number} ", 1))
        sent = time.perf_counter()
        arrived, _ = await client.wait(module_uri, mark, version)
        latencies.append(arrived - sent)

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
    await client.stop()
    return {
        "module_lines": text.count("\n"),
        "changes": changes,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * quantile(latencies, 0.95),
        "max_ms": 1000 * max(latencies),
        "cross_file_p50_ms": 1000 * statistics.median(cross),
        "cross_file_max_ms": 1000 * max(cross),
    }


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(modules: int, changes: int) -> dict[str, object]:
    root = write_project(modules)
    shutil.rmtree(root / ".flasklint_cache", ignore_errors=True)
    python_files = sum(1 for _ in root.rglob("*.py"))
    cold = await start_up(root)
    warm = await start_up(root)
    return {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "versions": {name: metadata.version(name) for name in ("flasklint", "pygls", "libcst")},
        },
        "project": {"python_files": python_files, "module": MODULE},
        "start_up_cold": cold,
        "start_up_warm": warm,
        "typing": await typing(root, changes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", type=int, default=200, help="Python modules in the generated project")
    parser.add_argument("--changes", type=int, default=60, help="didChange round trips to time")
    args = parser.parse_args()
    results = asyncio.run(run(args.modules, args.changes))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    typed = results["typing"]
    files = results["project"]["python_files"]
    print(f"project: {files} Python files; edited module {MODULE} ({typed['module_lines']} lines)")
    for name in ("start_up_cold", "start_up_warm"):
        figures = results[name]
        print(
            f"{name:<14} initialize {figures['initialize_s']:.2f} s, "
            f"spawn -> first diagnostics {figures['first_diagnostics_s']:.2f} s"
        )
    print(
        f"didChange -> publishDiagnostics ({typed['changes']} edits): p50 {typed['p50_ms']:.0f} ms, "
        f"p95 {typed['p95_ms']:.0f} ms, max {typed['max_ms']:.0f} ms"
    )
    print(
        f"route renamed -> open template re-published: p50 {typed['cross_file_p50_ms']:.0f} ms, "
        f"max {typed['cross_file_max_ms']:.0f} ms"
    )
    print(f"written to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
