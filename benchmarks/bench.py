"""Time flasklint against its baselines on a large generated Flask project and on real Flask code.

(Issue 14's table, each row against its reference in the same run, is benchmarks/speed.py's: it
reuses this module's tools venv. This one gives lines per second per corpus.)

    .venv/bin/python benchmarks/bench.py [--repeat 3] [--only generated] [--modules 200]

For each corpus it times (best of --repeat, wall clock; CPU time of all processes alongside):
- `flasklint check --no-cache`, a cold run with an empty cache, and a warm run (cache populated);
- bare `libcst.parse_module` over the same Python files, in one process (the floor a libcst
  linter starts from);
- `bandit -r` on the same files (the issue's target: a cold check no slower than it);
- flake8 without the plugin, flake8 with it (flasklint's cache cold), and `flake8 --select FLK`
  alone, cold and warm.

Everything it builds or installs lives under benchmarks/generated/ (gitignored): the generated
project, the real corpora (installed there with `pip install --no-deps --target`: analysed, never
imported) and a tools venv with bandit and a plugin-free flake8 of the same version as ours.
It prints a table and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Callable

import libcst

from generate_project import generate

HERE = Path(__file__).resolve().parent
WORK = HERE / "generated"
TOOLS = WORK / "tools-venv"
RESULTS = HERE / "results.json"
CACHE_DIR = ".flasklint_cache"

# Real code that uses Flask, installed as sources only. flask-werkzeug is the named corpus;
# the extensions are larger Flask code bases with views, blueprints and templates of their own.
REAL_CORPORA = {
    "flask-werkzeug": ["flask", "werkzeug"],
    "flask-extensions": [
        "flask-admin", "flask-appbuilder", "flask-security-too", "flask-restx", "flask-login", "flask-wtf"
    ],
}
SKIPPED_DIRS = {"__pycache__", CACHE_DIR, "bin"}


@dataclass
class Timing:
    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    lines_per_second: float = 0.0

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def best_cpu(self) -> float:
        return self.cpu[self.runs.index(self.best)]


@dataclass
class CorpusResult:
    path: str
    python_files: int
    python_lines: int
    templates: int
    unparsable_by_libcst: int
    diagnostics: dict[str, int]
    timings: dict[str, Timing] = field(default_factory=dict)


# -- setup ---------------------------------------------------------------------------------------
def _pip(*args: str, python: Path | str = sys.executable) -> None:
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args], check=True)


def ensure_tools() -> Path:
    """A venv with bandit and flake8 (no flasklint plugin) of the same version as ours."""
    bin_dir = TOOLS / "bin"
    if not (bin_dir / "bandit").exists() or not (bin_dir / "flake8").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(TOOLS)], check=True)
        _pip("bandit", f"flake8=={metadata.version('flake8')}", python=bin_dir / "python")
    return bin_dir


def ensure_real_corpus(name: str, packages: list[str]) -> Path:
    target = WORK / "real" / name
    if not (target / "pyproject.toml").exists():
        if target.exists():
            shutil.rmtree(target)
        _pip("--no-deps", "--target", str(target), *packages)
        # A root marker, so the corpus is a project of its own (not part of this repository).
        (target / "pyproject.toml").write_text(f"# benchmark corpus: {' '.join(packages)}\n", encoding="utf-8")
    return target


def corpus_versions(path: Path) -> dict[str, str]:
    return {
        dist.name.removesuffix(".dist-info").rpartition("-")[0]: dist.name.removesuffix(".dist-info").rpartition("-")[2]
        for dist in sorted(path.glob("*.dist-info"))
    }


# -- measuring -----------------------------------------------------------------------------------
def python_files(root: Path) -> list[Path]:
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED_DIRS and not d.startswith(".")]
        found.extend(Path(directory) / name for name in names if name.endswith(".py"))
    return sorted(found)


def clear_cache(root: Path) -> None:
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(command: list[str], repeat: int, before: Callable[[], None] = lambda: None) -> Timing:
    timing = Timing()
    for _ in range(repeat):
        before()
        cpu = _children_cpu()
        start = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        timing.runs.append(time.perf_counter() - start)
        timing.cpu.append(_children_cpu() - cpu)
        if result.returncode != 0:  # every command runs with --exit-zero: anything else is a crash
            raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr.decode()[-2000:]}")
    return timing


def time_libcst_parse(files: list[Path], repeat: int) -> tuple[Timing, int]:
    sources = []
    for path in files:
        try:
            sources.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:
            continue
    timing = Timing()
    failures = 0
    for _ in range(repeat):
        failures = 0
        cpu, start = time.process_time(), time.perf_counter()
        for source in sources:
            try:
                libcst.parse_module(source)
            except libcst.ParserSyntaxError:
                failures += 1
        timing.runs.append(time.perf_counter() - start)
        timing.cpu.append(time.process_time() - cpu)
    return timing, failures


def flasklint_diagnostics(root: Path) -> dict[str, int]:
    result = subprocess.run(
        [sys.executable, "-m", "flasklint", "check", "--no-cache", "--exit-zero", "--output-format", "json", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts: dict[str, int] = {}
    for diagnostic in json.loads(result.stdout):
        counts[diagnostic["code"]] = counts.get(diagnostic["code"], 0) + 1
    return dict(sorted(counts.items()))


def fingerprints(root: Path) -> int:
    """Cache generations present: more than one means flasklint's code changed mid-run."""
    cache = root / CACHE_DIR
    return sum(1 for p in cache.iterdir() if p.is_dir()) if cache.is_dir() else 0


def measure(name: str, root: Path, tools: Path, repeat: int) -> CorpusResult:
    files = python_files(root)
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    templates = sum(1 for _ in root.rglob("templates/**/*.html"))
    print(f"\n{name}: {len(files)} Python files, {lines} lines, {templates} templates ({root})", flush=True)

    flasklint = [sys.executable, "-m", "flasklint", "check", "--exit-zero"]
    flake8 = [sys.executable, "-m", "flake8", "--exit-zero"]
    no_plugin_flake8 = [str(tools / "flake8"), "--exit-zero"]
    target = str(root)
    clean = functools.partial(clear_cache, root)

    parse, unparsable = time_libcst_parse(files, repeat)
    result = CorpusResult(str(root), len(files), lines, templates, unparsable, flasklint_diagnostics(root))
    steps: list[tuple[str, Callable[[], Timing]]] = [
        ("flasklint --no-cache", lambda: time_command([*flasklint, "--no-cache", target], repeat)),
        ("flasklint cold cache", lambda: time_command([*flasklint, target], repeat, before=clean)),
        ("flasklint warm cache", lambda: time_command([*flasklint, target], repeat)),
        ("libcst.parse_module", lambda: parse),
        ("bandit -r", lambda: time_command([str(tools / "bandit"), "-r", "-q", "--exit-zero", target], repeat)),
        ("flake8 (no plugin)", lambda: time_command([*no_plugin_flake8, target], repeat)),
        ("flake8 + FLK plugin, cold", lambda: time_command([*flake8, target], repeat, before=clean)),
        ("flake8 --select FLK, cold", lambda: time_command([*flake8, "--select", "FLK", target], repeat, before=clean)),
        ("flake8 --select FLK, warm", lambda: time_command([*flake8, "--select", "FLK", target], repeat)),
    ]
    for label, step in steps:
        timing = step()
        timing.lines_per_second = lines / timing.best
        result.timings[label] = timing
        print(
            f"  {label:<28} {timing.best:8.2f} s  cpu {timing.best_cpu:7.2f} s  "
            f"{timing.lines_per_second:>9,.0f} lines/s",
            flush=True,
        )
    if fingerprints(root) > 1:
        print("  warning: flasklint's sources changed during the run; warm figures may be cold ones", flush=True)
    clear_cache(root)
    return result


# -- report --------------------------------------------------------------------------------------
def targets(result: CorpusResult) -> dict[str, dict[str, float | bool]]:
    cold = result.timings["flasklint --no-cache"].best
    bandit = result.timings["bandit -r"].best
    warm = result.timings["flasklint warm cache"].best
    return {
        "cold no slower than bandit -r": {"cold": cold, "bandit": bandit, "met": cold <= bandit},
        "warm under a tenth of cold": {"warm": warm, "cold": cold, "ratio": warm / cold, "met": warm < cold / 10},
    }


# The runs README's performance table shows (results.json holds every run).
TABLE_COLUMNS = {
    "flasklint --no-cache": "flasklint cold",
    "flasklint warm cache": "flasklint warm",
    "libcst.parse_module": "bare libcst parse",
    "bandit -r": "bandit -r",
    "flake8 (no plugin)": "flake8",
    "flake8 + FLK plugin, cold": "flake8 + FLK, cold",
    "flake8 --select FLK, warm": "flake8 --select FLK, warm",
}


def table(results: dict[str, CorpusResult]) -> str:
    """One row per corpus, best wall-clock seconds per run: the table README quotes."""
    rows = [
        "| corpus | " + " | ".join(TABLE_COLUMNS.values()) + " |",
        "|---|" + "---:|" * len(TABLE_COLUMNS),
    ]
    for name, result in results.items():
        cells = " | ".join(f"{result.timings[label].best:.2f} s" for label in TABLE_COLUMNS)
        rows.append(f"| {name}: {result.python_files} files, {result.python_lines:,} lines | {cells} |")
    return "\n".join(rows)


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": {name: metadata.version(name) for name in ("flasklint", "libcst", "jinja2", "flake8")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; the best is kept (default 3)")
    parser.add_argument("--only", choices=["generated", *REAL_CORPORA], action="append", help="corpora to run")
    parser.add_argument("--modules", type=int, default=200, help="modules in the generated project (default 200)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the JSON results")
    args = parser.parse_args(argv)
    chosen = args.only or ["generated", *REAL_CORPORA]

    tools = ensure_tools()
    corpora: dict[str, Path] = {}
    versions: dict[str, dict[str, str]] = {}
    for name in chosen:
        if name == "generated":
            corpora[name] = generate(WORK / "project", modules=args.modules)
        else:
            corpora[name] = ensure_real_corpus(name, REAL_CORPORA[name])
            versions[name] = corpus_versions(corpora[name])

    results = {name: measure(name, root, tools, args.repeat) for name, root in corpora.items()}
    tool_versions = {
        "bandit": subprocess.run([str(tools / "bandit"), "--version"], capture_output=True, text=True).stdout.split()[1]
    }
    report = {
        "machine": {**machine(), "tools": tool_versions},
        "repeat": args.repeat,
        "corpora": {
            name: {
                **{k: v for k, v in asdict(result).items() if k != "timings"},
                "packages": versions.get(name),
                "timings": {
                    label: {**asdict(t), "best": t.best, "best_cpu": t.best_cpu} for label, t in result.timings.items()
                },
                "targets": targets(result),
            }
            for name, result in results.items()
        },
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\n" + table(results))
    print()
    for name, result in results.items():
        for goal, figures in targets(result).items():
            shown = ", ".join(f"{key} {value:.2f}" for key, value in figures.items() if key != "met")
            print(f"{name}: {goal}: {'met' if figures['met'] else 'NOT met'} ({shown})")
    print(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
