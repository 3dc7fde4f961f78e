"""Soak the language server with thousands of edits and watch its memory.

    .venv/bin/python benchmarks/lsp_soak.py [--edits 3000] [--warmup 100]

The real server (`flasklint server`, over stdio, debounce 0) edits a ~300-line views module of a
generated Flask project, with a template naming one of its routes open beside it. Every edit is a
new text (no in-memory cache hit) and waits for its diagnostics; every 7th leaves the code broken
(as typing does) and every 11th renames a route (the project index changes and the template is
re-published). The server's resident memory (VmRSS in /proc/<pid>/status) is read once the two
documents are linted, after --warmup edits and then every 500: memory is flat when the last reading
stays close to the warm one.
Prints a table and writes benchmarks/lsp_soak_results.json. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from lsprotocol import types

from generate_project import generate
from lsp_bench import MARKER, Client

HERE = Path(__file__).resolve().parent
WORK = HERE / "generated" / "soak"
RESULTS = HERE / "lsp_soak_results.json"
SERVER = [str(Path(sys.executable).with_name("flasklint")), "server"]
MODULE = "shop/area000/views.py"
TEMPLATE = "shop/area000/templates/area000/soak.html"
MODULE_LINES = 300
READING_EVERY = 500


def write_project() -> Path:
    """A 10-module generated project whose first views module is cut to about 300 lines."""
    root = generate(WORK / "project", 10)
    module = root / MODULE
    blocks = module.read_text(encoding="utf-8").split("\n\n\n@bp.route(")
    kept = blocks[0] + f'\n{MARKER}edit me"\n'
    for block in blocks[1:]:
        candidate = kept + "\n\n\n@bp.route(" + block
        if candidate.count("\n") > MODULE_LINES:
            break
        kept = candidate
    module.write_text(kept, encoding="utf-8")
    template = root / TEMPLATE
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("<a href=\"{{ url_for('area000.list_products') }}\">products</a>\n", encoding="utf-8")
    return root


def resident_mb(pid: int) -> float:
    """A process's resident set size in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def edited(text: str, number: int) -> str:
    """The module's text for edit `number`: always new, sometimes broken, sometimes a route renamed."""
    text = text.replace(MARKER, f"{MARKER}{number} ", 1)
    if number % 11 == 0:
        text = text.replace("def list_products(", "def list_products_renamed(")
    if number % 7 == 0:
        text += "broken = (\n"
    return text


async def soak(root: Path, edits: int, warmup: int) -> dict[str, object]:
    client = Client()
    await client.client.start_io(*SERVER)
    pid = client.client._server.pid  # noqa: SLF001 - pygls keeps the server process here
    await client.client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options={"settings": {"debounce": 0}},
        )
    )
    client.client.initialized(types.InitializedParams())
    module_uri = client.open(root / MODULE)
    await client.wait(module_uri, 0, 1)
    template_uri = client.open(root / TEMPLATE)
    await client.wait(template_uri, 0, 1)
    text = (root / MODULE).read_text(encoding="utf-8")
    readings: dict[int, float] = {0: resident_mb(pid)}  # indexed, both documents linted
    began = time.perf_counter()
    for number in range(1, edits + 1):
        mark = len(client.arrivals)
        version = client.change(module_uri, edited(text, number))
        await client.wait(module_uri, mark, version)
        if number == warmup or number % READING_EVERY == 0:
            readings[number] = resident_mb(pid)
            print(f"after {number:>5} edits: RSS {readings[number]:6.1f} MB", flush=True)
    seconds = time.perf_counter() - began
    await client.stop()
    return {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "versions": {name: metadata.version(name) for name in ("flasklint", "pygls", "libcst")},
        },
        "module": MODULE,
        "module_lines": text.count("\n"),
        "edits": edits,
        "seconds": seconds,
        "rss_mb_by_edits": readings,
        "growth_after_warmup_mb": readings[max(readings)] - readings[warmup],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=3000, help="edits to make (each waits for its diagnostics)")
    parser.add_argument("--warmup", type=int, default=100, help="edits before the warm reading")
    args = parser.parse_args()
    results = asyncio.run(soak(write_project(), args.edits, args.warmup))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    readings = results["rss_mb_by_edits"]
    print(
        f"{results['edits']} edits of a {results['module_lines']}-line module in {results['seconds']:.0f} s: "
        f"RSS at start {readings[0]:.1f} MB, warm {readings[args.warmup]:.1f} MB, "
        f"last {readings[max(readings)]:.1f} MB (growth after warm-up {results['growth_after_warmup_mb']:+.1f} MB)"
    )
    print(f"written to {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
