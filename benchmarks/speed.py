"""Issue 14's speed table in one run: each figure next to its reference, measured in the same run.

    .venv/bin/python benchmarks/speed.py                 # every row, median of 3 (flake8 rows 5; ~20 min on 2 idle cores)
    .venv/bin/python benchmarks/speed.py --quick         # one run per row, no 1M-line project, no LSP
    .venv/bin/python benchmarks/speed.py --only tiny --only flake8 --repeat 5
    .venv/bin/python benchmarks/speed.py --commit HEAD   # the committed code, not a working tree being edited
    .venv/bin/python benchmarks/speed.py --only large --merge   # re-measure some rows, keep the file's others
    .venv/bin/python benchmarks/speed.py --markdown      # end with the table README.md's "Speed" shows
    .venv/bin/python benchmarks/speed.py --render benchmarks/speed_results.json   # that table, no run
    .venv/bin/python benchmarks/speed.py --render benchmarks/speed_results.json --update-readme

Rows (the issue's table; `--only` takes the group names in brackets):
- [apps] a cold check of 7 real Flask apps against `bandit -r` on the same folders (wall and CPU);
  the same check warm (nothing changed since a first run);
- [tiny] a 2-file project, cold, against `python -c "import libcst"` (and, not a target, the same as
  flasklint's very first run: see below); warm, and `flasklint --version`, against `python -c pass`;
- [flake8] `flake8 --select E,W,F,FLK -j 2` on the 7 apps against a plugin-free flake8 of the same
  version (`--select E,W,F -j 2`), with flasklint's cache cold and warm, wall and peak memory;
- [lsp] the language server's figures, from benchmarks/lsp_bench.py run as a subprocess (see LSP_ROWS);
- [large] a generated 1M-line project (benchmarks/generate_project.py): cold wall and peak memory, warm.

Why it can be trusted on a busy machine: each row runs flasklint and its reference alternately
(tool, reference, reference, tool, ...), so load that comes and goes hits both; every figure is the
median of --repeat runs (default 3; 5 for the flake8 rows, whose three processes on two cores make
back-to-back runs differ by ±10 %); CPU time (user + system of the process and every child it
waited for, from wait4) is kept beside wall time, and the load average before and after each row
is recorded. "Cold" means no `.flasklint_cache/` anywhere under the corpus (all are deleted before
each cold run: the CLI and the flake8 plugin both write one per project root), so a cold run pays
for writing the cache as a user's first run does. It keeps, as an installed Python keeps its `.pyc`
files, the per-user file of compiled dataclass methods (flasklint/method_code_cache.py, written by the
first flasklint run after an install); the `tiny-first` row starts without that file as well.

Peak memory is the peak, over samples every 50 ms, of the summed PSS (proportional set size: a page
shared by N processes counts 1/N in each) of the process and all its descendants, so forked workers'
shared pages are not counted twice; the summed RSS peak and the largest single process's max RSS
(exact, from the kernel) are recorded beside it in the JSON.

The 7 apps are copied from the checkouts of benchmarks/realworld/repos.json (made with `fetch` and
benchmarks/realworld/checkout.py; default folder /work/realworld-checkouts, `--checkouts` to change)
into benchmarks/generated/speed/apps/, so their caches can be wiped without touching the checkouts.
Without the checkouts the [apps] and [flake8] rows are skipped with a message: CI need not run them.
Tools: bandit and the plugin-free flake8 live in benchmarks/generated/tools-venv/, built on first
use (bench.py's ensure_tools). flasklint runs from a venv where it is pip-installed as a user installs
it (benchmarks/generated/speed/installed/, not editable, with this venv's versions of its dependencies;
`python -c ...` references run with its Python too). Results go to benchmarks/speed_results.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
SCRATCH = HERE / "generated" / "speed"
RESULTS = HERE / "speed_results.json"
CACHE_DIR = ".flasklint_cache"
DEFAULT_CHECKOUTS = Path("/work/realworld-checkouts")
# repos.json ids of the 7 apps: forums, CTF platform, BI tool, whistleblowing, tutorial, expense
# sharing and a search engine; together ~1,500 Python files, 230k lines, 360 templates.
APPS = (
    "CTFd/CTFd",
    "flaskbb/flaskbb",
    "getredash/redash",
    "freedomofpress/securedrop",
    "miguelgrinberg/microblog",
    "spiral-project/ihatemoney",
    "searxng/searxng",
)
LARGE_MODULES = 2025  # generate_project.py modules for about 1M lines (200 modules give 99k)
GROUPS = ("apps", "tiny", "flake8", "lsp", "large")
# Runs per flake8 row unless --repeat says otherwise: flake8's two workers and flasklint's builder
# share the two cores, and the same code's wall time moves ±10 % from one run to the next.
FLAKE8_REPEAT = 5
# Each row's key and what it measures, in the table's order.
WORK = {
    "apps-cold": "cold check of 7 real apps",
    "apps-warm": "warm check of the same (nothing changed)",
    "tiny-cold": "tiny project (2 files), cold",
    "tiny-first": "the same, flasklint's first run (no compiled dataclass methods kept yet either)",
    "tiny-warm": "tiny project, warm",
    "version": "`flasklint --version`",
    "flake8-cold": "flake8 on the 7 apps, flasklint's cache cold",
    "flake8-warm": "flake8 on the 7 apps, flasklint's cache warm",
    "lsp-typing": "language server: didChange (a comment appended) → publishDiagnostics, 1,000-line modules",
    "lsp-busy": "the same with one core busy",
    "lsp-open": "language server: open one file, no cache → its first diagnostics (own rules)",
    "large-cold": "generated 1M-line project, cold",
    "large-warm": "generated 1M-line project, warm",
    "lsp-large": "language server, 1M-line project: didChange p95 against the 100k-line one",
}
ROW_ORDER = list(WORK)
MEMORY_INTERVAL = 0.05
README_START, README_END = "<!-- speed-table:start -->", "<!-- speed-table:end -->"
BIN = Path(sys.executable).parent  # replaced by the installed venv's (install_like_a_user) before any run


# -- one run of one command -----------------------------------------------------------------------
@dataclass
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system, the process and the children it waited for
    max_rss: int  # bytes, the largest single process (kernel's figure)
    peak_pss: int | None = None  # bytes, summed over the process tree (sampled)
    peak_rss: int | None = None  # bytes, summed over the process tree (sampled)


@dataclass
class Command:
    label: str  # as the table shows it
    argv: list[str]
    cwd: Path | None = None
    before: Callable[[], None] | None = None  # untimed, before each run (a cold run wipes caches)
    memory: bool = False  # sample the process tree's memory
    env: dict[str, str] = field(default_factory=dict)  # on top of this process's environment


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process, from /proc."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rindex(b")") + 2 :].split()[1])
    return parents


def _tree(root: int) -> list[int]:
    parents = _parents()
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree.extend(frontier)
    return tree


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of one process; zeros when it is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class TreeMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.peak_pss = pid, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            figures = [_memory(pid) for pid in _tree(self.pid)]
            self.peak_rss = max(self.peak_rss, sum(rss for rss, _ in figures))
            self.peak_pss = max(self.peak_pss, sum(pss for _, pss in figures))
            self.done.wait(MEMORY_INTERVAL)


def run_once(command: Command) -> Sample:
    """One timed run; a non-zero exit is a crash (every command runs with --exit-zero or alike)."""
    if command.before:
        command.before()
    sampler = None
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(
            command.argv,
            cwd=command.cwd or SCRATCH,
            env={**os.environ, **command.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        if command.memory and Path("/proc/self/smaps_rollup").exists():
            sampler = TreeMemory(process.pid)
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.done.set()
            sampler.join()
        if process.returncode != 0:
            stderr.seek(0)
            tail = stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command.argv)} exited {process.returncode}:\n{tail}")
    sample = Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024)
    if sampler:
        sample.peak_pss, sample.peak_rss = sampler.peak_pss, sampler.peak_rss
    return sample


# -- one row: tool and reference, interleaved -----------------------------------------------------
@dataclass
class Target:
    metric: str  # wall | cpu | memory (a Sample's), or a figure name of an external row
    limit: float
    relative: bool  # a ratio against the reference (True) or an absolute figure (seconds, bytes, ms)
    text: str  # as the table shows it


# Issue 14's targets: a ratio against the same run's reference, or an absolute figure.
TARGETS = {
    "apps-cold": [Target("wall", 0.5, True, "wall ≤ 0.5×"), Target("cpu", 1.0, True, "CPU ≤ 1.0×")],
    "apps-warm": [Target("wall", 0.3, False, "≤ 0.3 s")],
    "tiny-cold": [Target("wall", 1.3, True, "wall ≤ 1.3×")],
    "tiny-first": [],  # shown, not a target: once per installation, as compiling `.pyc` files is
    "tiny-warm": [Target("wall", 0.06, False, "≤ 0.06 s")],
    "version": [Target("wall", 0.06, False, "≤ 0.06 s")],
    "flake8-cold": [Target("wall", 1.5, True, "wall ≤ 1.5×"), Target("memory", 2.0, True, "peak memory ≤ 2×")],
    "flake8-warm": [Target("wall", 1.1, True, "wall ≤ 1.1×")],
    "large-cold": [Target("wall", 60, False, "≤ 60 s"), Target("memory", 2**30, False, "peak memory ≤ 1 GiB")],
    "large-warm": [Target("wall", 2, False, "≤ 2 s")],
}


@dataclass
class Check:
    metric: str
    value: float  # the ratio, or the absolute median
    limit: float
    relative: bool
    met: bool


@dataclass
class RowResult:
    key: str
    work: str
    tool: str
    reference: str | None
    target: str
    tool_runs: list[dict] = field(default_factory=list)
    reference_runs: list[dict] = field(default_factory=list)
    tool_median: dict[str, float] = field(default_factory=dict)
    reference_median: dict[str, float] = field(default_factory=dict)
    ratios: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-minute load average before and after
    skipped: str | None = None  # why the row was not measured
    notes: str = ""
    commit: str = ""  # the flasklint measured (rows of a --merge'd file may come from other runs)
    date: str = ""

    @property
    def met(self) -> bool | None:
        return None if self.skipped or not self.checks else all(check.met for check in self.checks)


@dataclass
class Row:
    key: str  # one of WORK's
    tool: Command
    reference: Command | None
    prepare: Callable[[], None] | None = None  # untimed, once (a warm row fills the cache)

    @property
    def targets(self) -> list[Target]:
        return TARGETS[self.key]


def medians(samples: list[Sample]) -> dict[str, float]:
    figures = {"wall": [s.wall for s in samples], "cpu": [s.cpu for s in samples]}
    if all(s.peak_pss is not None for s in samples):
        figures["memory"] = [float(s.peak_pss) for s in samples]  # type: ignore[misc]
        figures["memory_rss_sum"] = [float(s.peak_rss) for s in samples]  # type: ignore[misc]
    figures["max_rss"] = [float(s.max_rss) for s in samples]
    return {name: statistics.median(values) for name, values in figures.items()}


def measure_row(row: Row, repeat: int) -> RowResult:
    """Alternate tool and reference (ABBA order) `repeat` times each; medians, ratios, checks."""
    result = RowResult(row.key, WORK[row.key], row.tool.label, row.reference and row.reference.label, _target_text(row))
    result.load.append(os.getloadavg()[0])
    code = code_state()
    if row.prepare:
        row.prepare()
    tool_samples: list[Sample] = []
    reference_samples: list[Sample] = []
    for number in range(repeat):
        order = [(row.tool, tool_samples), (row.reference, reference_samples)]
        for command, samples in order if number % 2 == 0 else reversed(order):
            if command is not None:
                samples.append(run_once(command))
    result.load.append(os.getloadavg()[0])
    if code_state() != code:
        result.notes = "flasklint's sources changed during this row (warm runs may have been cold): measure a --commit"
        print(f"  warning: {result.notes}", flush=True)
    result.tool_runs = [asdict(s) for s in tool_samples]
    result.reference_runs = [asdict(s) for s in reference_samples]
    result.tool_median = medians(tool_samples)
    if reference_samples:
        result.reference_median = medians(reference_samples)
        result.ratios = {
            name: value / result.reference_median[name]
            for name, value in result.tool_median.items()
            if result.reference_median.get(name)
        }
    for target in row.targets:
        value = result.ratios[target.metric] if target.relative else result.tool_median[target.metric]
        result.checks.append(Check(target.metric, value, target.limit, target.relative, value <= target.limit))
    return result


def _target_text(row: Row) -> str:
    return target_text(row.key)


def target_text(key: str) -> str:
    return ", ".join(target.text for target in TARGETS.get(key, [])) or LSP_TARGETS.get(key, "—")


def skipped(key: str, target: str, reason: str) -> RowResult:
    print(f"  {key}: skipped: {reason}", flush=True)
    return RowResult(key, WORK[key], "flasklint", None, target, skipped=reason)


# -- the code measured ----------------------------------------------------------------------------
def use_snapshot(revision: str) -> str:
    """Measure flasklint as committed at `revision`, not the working tree other people are editing:
    its packages are exported under SCRATCH and put first on PYTHONPATH of every command run (the
    editable install's finder comes after sys.path). Returns the short commit."""
    sha = subprocess.run(
        ["git", "-C", str(REPOSITORY), "rev-parse", "--short", f"{revision}^{{commit}}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    target = SCRATCH / f"source-{sha}"
    if not (target / "flasklint" / "__init__.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "-C", str(REPOSITORY), "archive", sha, "flasklint", "lsp/flasklint_lsp"], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(target), str(target / "lsp"), os.environ.get("PYTHONPATH", "")])
    return sha


def install_like_a_user(revision: str | None) -> Path:
    """The bin folder of a venv where flasklint is pip-installed as a user installs it, not editable:
    an editable install's finder is imported at the start of every Python process of its venv (the
    references' too), ~25 ms each on this host, which no user pays. Its dependencies and flake8 are
    the versions of the venv running this script; flasklint is reinstalled from `revision`'s tree (or
    the working tree) on each run. The commands still import flasklint from PYTHONPATH where
    `use_snapshot` set it (the same code); the install gives them its console script and flake8 entry
    point."""
    from importlib import metadata

    venv = SCRATCH / "installed"
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pins = subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True, check=True
        ).stdout
        constraints = venv / "constraints.txt"
        constraints.write_text(pins, encoding="utf-8")
        dependencies = ["libcst", "jinja2", "pygls", f"flake8=={metadata.version('flake8')}"]
        subprocess.run([*pip, "-c", str(constraints), *dependencies], check=True)
    source = REPOSITORY
    if revision is not None:
        source = SCRATCH / f"tree-{revision}"
        if not (source / "pyproject.toml").exists():
            source.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", revision], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive.stdout, check=True)
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(source)], check=True, cwd=SCRATCH)
    return python.parent


def compile_like_an_install() -> None:
    """Measure flasklint with its bytecode, as `pip install` leaves it and as the references (libcst,
    bandit, flake8) are loaded from site-packages. Under PYTHONDONTWRITEBYTECODE (set in some
    containers) every run would otherwise recompile flasklint's sources and nothing else's."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for package in (flasklint_package(), flasklint_package().parent / "lsp" / "flasklint_lsp"):
        if package.is_dir():
            subprocess.run([str(BIN / "python"), "-m", "compileall", "-q", str(package)], check=True)


@functools.lru_cache(maxsize=1)
def flasklint_package() -> Path:
    """Where the commands' `import flasklint` lands (asked of a child: PYTHONPATH applies there)."""
    found = subprocess.run(
        [str(BIN / "python"), "-c", "import flasklint; print(flasklint.__file__)"],
        capture_output=True, text=True, check=True, cwd=SCRATCH,
    )
    return Path(found.stdout.strip()).parent


def code_state() -> list[tuple[str, int]]:
    """Each source file of the flasklint measured with its mtime: the cache's fingerprint changes with it."""
    return sorted((str(path), path.stat().st_mtime_ns) for path in flasklint_package().rglob("*.py"))


# -- corpora ---------------------------------------------------------------------------------------
def wipe_caches(root: Path) -> None:
    """Delete every `.flasklint_cache/` under root (one per project root; nested projects have theirs)."""
    for directory, subdirectories, _ in os.walk(root):
        if CACHE_DIR in subdirectories:
            shutil.rmtree(Path(directory, CACHE_DIR))
        subdirectories[:] = [d for d in subdirectories if d not in (CACHE_DIR, ".git", "node_modules")]


def app_entries() -> list[dict]:
    repos = {entry["id"]: entry for entry in json.loads((HERE / "realworld" / "repos.json").read_text())["repos"]}
    return [repos[app] for app in APPS]


def prepare_apps(checkouts: Path) -> tuple[list[Path], str | None]:
    """Copies of the 7 apps at their recorded commits under SCRATCH/apps; ([], why) when unavailable."""
    target = SCRATCH / "apps"
    manifest_path = SCRATCH / "apps.json"
    entries = app_entries()
    wanted = {entry["name"].replace("/", "+"): entry for entry in entries}
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for folder, entry in wanted.items():
        if manifest.get(folder) == entry["commit"] and (target / folder).is_dir():
            continue
        source = checkouts / folder
        head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True)
        if head.returncode != 0:
            return [], f"no checkout of {entry['name']} in {checkouts} (make them with benchmarks/realworld/checkout.py)"
        if head.stdout.strip() != entry["commit"]:
            return [], f"{source} is not at repos.json's commit {entry['commit'][:12]} (run checkout.py)"
        copy_app(source, target / folder, entry["paths"])
        manifest[folder] = entry["commit"]
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    return [target / folder for folder in wanted], None


def copy_app(source: Path, destination: Path, paths: list[str]) -> None:
    """The checkout's tracked tree without its history. An empty `.git/` keeps the root marker
    a checkout has, so flasklint sees the same project root as in the real repository."""
    if destination.exists():
        shutil.rmtree(destination)
    for path in paths:
        shutil.copytree(source / path, destination / path, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    (destination / ".git").mkdir(exist_ok=True)


def corpus_figures(roots: list[Path]) -> dict[str, int]:
    files = lines = templates = 0
    for root in roots:
        for directory, subdirectories, names in os.walk(root):
            subdirectories[:] = [d for d in subdirectories if d not in (".git", CACHE_DIR, "node_modules")]
            for name in names:
                if name.endswith(".py"):
                    files += 1
                    lines += Path(directory, name).read_bytes().count(b"\n")
                elif name.endswith(".html") and "templates" in Path(directory).parts:
                    templates += 1
    return {"python_files": files, "python_lines": lines, "templates": templates}


TINY_APP = '''\
from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/")
def index():
    return render_template("index.html", name=request.args.get("name", "world"))
'''
TINY_TEMPLATE = "<h1>Hello {{ name }}</h1>\n<a href=\"{{ url_for('index') }}\">home</a>\n"


def prepare_tiny() -> Path:
    """A 2-file project: app.py and templates/index.html (and an empty `.git/` as its root marker)."""
    root = SCRATCH / "tiny"
    if root.exists():
        shutil.rmtree(root)
    (root / "templates").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "app.py").write_text(TINY_APP, encoding="utf-8")
    (root / "templates" / "index.html").write_text(TINY_TEMPLATE, encoding="utf-8")
    return root


def prepare_large() -> Path:
    from generate_project import generate

    return generate(SCRATCH / "large", modules=LARGE_MODULES)


# -- the rows --------------------------------------------------------------------------------------
def wiping(paths: list[Path]) -> Callable[[], None]:
    return lambda: [wipe_caches(path) for path in paths]  # type: ignore[func-returns-value]


def check(paths: list[Path], cold: bool, memory: bool = False) -> Command:
    """`flasklint check` as a user types it; a cold one starts with no cache under its paths."""
    argv = [str(BIN / "flasklint"), "check", "--exit-zero", "-q", *map(str, paths)]
    return Command("`flasklint check`", argv, before=wiping(paths) if cold else None, memory=memory)


def python(code: str) -> Command:
    return Command(f'`python -c "{code}"`', [str(BIN / "python"), "-c", code])


def filled(command: Command, paths: list[Path]) -> Callable[[], None]:
    """Prepare a warm row: wipe, then one untimed run, so the cache holds this exact code's entries."""

    def fill() -> None:
        wiping(paths)()
        run_once(Command(command.label, command.argv, command.cwd))

    return fill


def apps_rows(apps: list[Path], tools: Path) -> list[Row]:
    names = [app.name for app in apps]
    cwd = apps[0].parent
    bandit = Command("`bandit -r`", [str(tools / "bandit"), "-r", "-q", "--exit-zero", *names], cwd=cwd)
    cold, warm = check(apps, cold=True), check(apps, cold=False)
    return [
        Row("apps-cold", cold, bandit),
        Row("apps-warm", warm, None, prepare=filled(warm, apps)),
    ]


def tiny_rows(tiny: Path) -> list[Row]:
    cold, warm = check([tiny], cold=True), check([tiny], cold=False)
    version = Command("`flasklint --version`", [str(BIN / "flasklint"), "--version"])
    unkept = SCRATCH / "unkept-methods"  # a cache directory emptied before each run

    def first_run() -> None:
        wipe_caches(tiny)
        shutil.rmtree(unkept, ignore_errors=True)

    first = Command(cold.label, cold.argv, before=first_run, env={"XDG_CACHE_HOME": str(unkept)})
    return [
        Row("tiny-cold", cold, python("import libcst")),
        Row("tiny-first", first, python("import libcst")),
        Row("tiny-warm", warm, python("pass"), prepare=filled(warm, [tiny])),
        Row("version", version, python("pass")),
    ]


def flake8_rows(apps: list[Path], tools: Path) -> list[Row]:
    names = [app.name for app in apps]
    cwd = apps[0].parent  # no flake8 configuration there: both flake8s read none

    def ours(cold: bool) -> Command:
        argv = [str(BIN / "flake8"), "--exit-zero", "--select", "E,W,F,FLK", "-j", "2", *names]
        return Command("`flake8 --select E,W,F,FLK -j 2`", argv, cwd, wiping(apps) if cold else None, memory=True)

    plain = Command(
        "`flake8 --select E,W,F -j 2` (no plugin)",
        [str(tools / "flake8"), "--exit-zero", "--select", "E,W,F", "-j", "2", *names],
        cwd,
        memory=True,
    )
    warm = ours(cold=False)
    return [
        Row("flake8-cold", ours(cold=True), plain),
        Row("flake8-warm", warm, plain, prepare=filled(warm, apps)),
    ]


def large_rows(large: Path) -> list[Row]:
    cold, warm = check([large], cold=True, memory=True), check([large], cold=False)
    return [
        Row("large-cold", cold, None),
        Row("large-warm", warm, None, prepare=filled(warm, [large])),
    ]


# -- language server: benchmarks/lsp_bench.py as a subprocess --------------------------------------
# The hook: each LSP row's figures, as dotted paths into the JSON lsp_bench.py writes (the first
# path present is used: older lsp_bench.py versions name them otherwise), with a name and a limit
# in the figure's unit (ms, s or × in the name). lsp_bench.py runs --repeat times, with --million
# when [large] is chosen too, and --output FILE when its --help offers it (else it writes
# benchmarks/lsp_results.json, restored afterwards); each figure is the median over the runs.
LSP_ROWS: dict[str, list[tuple[tuple[str, ...], str, float]]] = {
    "lsp-typing": [
        (("comment_edits.heavy_module.p95_ms",), "heavy module p95 [ms]", 50.0),
        (("comment_edits.views_module.p95_ms", "typing.p95_ms"), "views module p95 [ms]", 50.0),
    ],
    "lsp-busy": [
        (("comment_edits.heavy_module_one_core_busy.p95_ms",), "heavy module p95 [ms]", 100.0),
        (("comment_edits.views_module_one_core_busy.p95_ms",), "views module p95 [ms]", 100.0),
    ],
    "lsp-open": [
        (("first_diagnostics.generated.open_to_own_s", "start_up_cold.first_diagnostics_s"), "generated [s]", 1.0),
        (("first_diagnostics.real.open_to_own_s",), "CTFd [s]", 1.0),
    ],
    "lsp-large": [(("million.p95_ratio_to_100k",), "p95 ratio [×]", 2.0)],
}
LSP_TARGETS = {
    "lsp-typing": "p95 ≤ 50 ms",
    "lsp-busy": "p95 ≤ 100 ms",
    "lsp-open": "≤ 1 s",
    "lsp-large": "p95 ≤ 2× the 100k-line figure",
}


def run_lsp_bench(repeat: int, changes: int, million: bool) -> list[dict]:
    script = HERE / "lsp_bench.py"
    helps = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, cwd=SCRATCH).stdout
    argv = [sys.executable, str(script), "--changes", str(changes), *(["--million"] if million else [])]
    runs = []
    for number in range(repeat):
        print(f"  lsp_bench.py run {number + 1} of {repeat}", flush=True)
        with tempfile.TemporaryDirectory() as scratch:
            own_output = "--output" in helps
            output = Path(scratch) / "lsp.json" if own_output else HERE / "lsp_results.json"
            kept = None if own_output or not output.exists() else output.read_bytes()
            # Outside the repository: `python -m flasklint_lsp` must not import the working tree's.
            completed = subprocess.run(
                [*argv, *(["--output", str(output)] if own_output else [])], capture_output=True, text=True, cwd=SCRATCH
            )
            try:
                if completed.returncode != 0:
                    raise RuntimeError(f"lsp_bench.py exited {completed.returncode}:\n{completed.stderr[-2000:]}")
                runs.append(json.loads(output.read_text()))
            finally:
                if kept is not None:
                    output.write_bytes(kept)
    return runs


def figure(results: dict, paths: tuple[str, ...]) -> float | None:
    for dotted in paths:
        value: object = results
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            return float(value)
    return None


def lsp_result(runs: list[dict], key: str) -> RowResult:
    result = RowResult(key, WORK[key], "`flasklint server`", None, LSP_TARGETS[key])
    for paths, name, limit in LSP_ROWS[key]:
        values = [figure(run, paths) for run in runs]
        if any(value is None for value in values):
            return skipped(key, LSP_TARGETS[key], f"lsp_bench.py's JSON has no {' or '.join(paths)}")
        median = statistics.median(values)  # type: ignore[type-var]
        result.tool_median[name] = median
        result.checks.append(Check(name, median, limit, False, median <= limit))
    result.tool_runs = [{name: figure(run, paths) for paths, name, _ in LSP_ROWS[key]} for run in runs]
    return result


def lsp_rows(repeat: int, changes: int, million: bool) -> list[RowResult]:
    print("\nlanguage server (benchmarks/lsp_bench.py)", flush=True)
    keys = [key for key in LSP_ROWS if million or key != "lsp-large"]
    try:
        runs = run_lsp_bench(repeat, changes, million)
    except (RuntimeError, json.JSONDecodeError, OSError) as exc:
        return [skipped(key, LSP_TARGETS[key], f"lsp_bench.py failed: {exc}") for key in keys]
    results = [lsp_result(runs, key) for key in keys]
    for row in results:
        print_row(row)
    return results


# -- report ----------------------------------------------------------------------------------------
def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value / 2**20:,.0f} MiB"


def figures_text(median: dict[str, float]) -> str:
    parts = []
    if "wall" in median:
        parts += [seconds(median["wall"]) + " wall", seconds(median["cpu"]) + " CPU"]
    if "memory" in median:
        parts.append(megabytes(median["memory"]) + " peak")
    parts.extend(named_figure(name, value) for name, value in median.items() if "[" in name)
    return ", ".join(parts)


def named_figure(name: str, value: float) -> str:
    """An external figure, e.g. "heavy module p95 [ms]" -> "heavy module p95 181 ms"."""
    label, unit = name[:-1].split(" [")
    shown = {"ms": f"{value:.0f} ms", "s": seconds(value), "×": f"{value:.2f}×"}[unit]
    return f"{label} {shown}"


def ratio_text(row: RowResult) -> str:
    """Wall and CPU time's ratios (CPU time is the steadier on a busy machine), and any other
    figure a target is relative to."""
    labels = {"wall": "wall", "cpu": "CPU", "memory": "memory"}
    shown = dict.fromkeys(["wall", "cpu", *(check.metric for check in row.checks if check.relative)])
    parts = [f"{row.ratios[name]:.2f}× {labels.get(name, '')}".strip() for name in shown if name in row.ratios]
    return ", ".join(parts) or "—"


def markdown(report: dict) -> str:
    """Every row of the issue's table, in its order; a row the report lacks says so."""
    lines = [
        "| work | flasklint | reference (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    rows = {data["key"]: _row_from(data) for data in report["rows"]}
    for key in ROW_ORDER:
        row = rows.get(key) or RowResult(key, WORK[key], "", None, target_text(key), skipped="not run")
        if row.skipped:
            lines.append(f"| {row.work} | not measured: {one_line(row.skipped)} | | | {row.target} | — |")
            continue
        reference = f"{row.reference}: {figures_text(row.reference_median)}" if row.reference else "—"
        met = "—" if row.met is None else "yes" if row.met else "**no**"  # None: a row shown, not a target
        lines.append(
            f"| {row.work} | {figures_text(row.tool_median)} | {reference} | {ratio_text(row)} | {row.target} | {met} |"
        )
    run = report["run"]
    measured = [row for row in rows.values() if not row.skipped]
    lines += ["", (
        f"{provenance(measured, 'runs', lambda row: len(row.tool_runs))} "
        f"{provenance(measured, 'commit', lambda row: row.commit or run['commit'])} "
        f"Last run {run['date']}, {run['cpus']} cores, load average {run['load'][0]:.1f} before and {run['load'][1]:.1f} after."
        + "".join(f" {corpus_text(name, report[name])}." for name in ("apps", "large") if name in report)
        + host_text(rows)
    )]
    return "\n".join(lines)


# Where the issue set its targets, `python -c "import libcst"` took 0.17 s (its table). The same
# command is this run's reference of the tiny rows: how much slower this host runs Python, for the
# reader of an absolute figure. The verdicts stay this host's own.
ISSUE_IMPORT_LIBCST_WALL = 0.17


def host_text(rows: dict[str, RowResult]) -> str:
    """This host's speed against the issue's, and each absolute wall target missed here, scaled by it
    (only rows of the gauge's own run: a `--merge`d file may hold rows of a faster or slower hour)."""
    gauge = rows.get("tiny-cold")
    here = gauge.reference_median.get("wall") if gauge is not None and not gauge.skipped else None
    if not here:
        return ""
    factor = here / ISSUE_IMPORT_LIBCST_WALL
    text = (
        f" This host: `python -c \"import libcst\"` took {seconds(here)} in this run, "
        f"{seconds(ISSUE_IMPORT_LIBCST_WALL)} where the issue set its targets ({factor:.1f}× as long)"
    )
    missed = [
        f"{row.work} {seconds(check.value)} here, ≈ {seconds(check.value / factor)} at that host's speed "
        f"(target {seconds(check.limit)})"
        for row in rows.values()
        if not row.skipped and row.date == gauge.date
        for check in row.checks
        if check.metric == "wall" and not check.relative and not check.met
    ]
    return text + (f"; an absolute target missed here, scaled: {'; '.join(missed)}." if missed else ".")


def provenance(rows: list[RowResult], what: str, value_of: Callable[[RowResult], object]) -> str:
    """Where the rows' figures come from, as one sentence: a `--merge`d file mixes runs of several
    invocations (say, the 1M-line rows measured once, later)."""
    groups: dict[object, list[str]] = {}
    for row in rows:
        groups.setdefault(value_of(row), []).append(row.key)
    ordered = sorted(groups.items(), key=lambda item: str(item[0]))

    def phrase(value: object) -> str:
        if what == "runs":
            return f"median of {value} interleaved runs" if value != 1 else "one run"
        return f"commit {value}"

    if len(ordered) <= 1:
        return "".join(f"{phrase(value).capitalize()}." for value, _ in ordered)
    text = "; ".join(f"{phrase(value)}: {', '.join(keys)}" for value, keys in ordered)
    return text[0].upper() + text[1:] + "."


def one_line(reason: str) -> str:
    """A reason fit for a table cell: a traceback's first and last lines."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    return " … ".join(dict.fromkeys([lines[0], lines[-1]])).replace("|", "\\|") if lines else reason


def corpus_text(name: str, figures: dict) -> str:
    what = {"apps": "The 7 apps", "large": "The generated project"}[name]
    return (
        f"{what}: {figures['python_files']:,} Python files, {figures['python_lines']:,} lines, "
        f"{figures['templates']:,} templates"
    )


def _row_from(data: dict) -> RowResult:
    row = RowResult(**{k: v for k, v in data.items() if k not in ("checks", "met")})
    row.checks = [Check(**check) for check in data.get("checks", [])]
    return row


def print_row(row: RowResult) -> None:
    if row.skipped:
        return
    reference = f" | {row.reference} {figures_text(row.reference_median)}" if row.reference else ""
    checks = ", ".join(f"{check_text(check)}: {'met' if check.met else 'NOT met'}" for check in row.checks)
    print(f"  {row.key:<12} {figures_text(row.tool_median)}{reference} -> {checks} (target {row.target})", flush=True)


def check_text(check: Check) -> str:
    if "[" in check.metric:
        return named_figure(check.metric, check.value)
    if check.relative:
        return f"{check.metric} {check.value:.2f}×"
    return f"{check.metric} {megabytes(check.value) if check.metric == 'memory' else seconds(check.value)}"


def tool_versions(tools: Path | None) -> dict[str, str]:
    from importlib import metadata

    versions = {name: metadata.version(name) for name in ("flasklint", "libcst", "jinja2", "flake8")}
    if tools:
        out = subprocess.run([str(tools / "bandit"), "--version"], capture_output=True, text=True).stdout.split()
        versions["bandit"] = out[1] if len(out) > 1 else "?"
    return versions


# -- main ------------------------------------------------------------------------------------------
def measured(rows: list[Row], repeat: int) -> Iterator[RowResult]:
    for row in rows:
        print(f"\n{WORK[row.key]}", flush=True)
        result = measure_row(row, repeat)
        print_row(result)
        yield result


def prime(tiny: Path, tools: Path | None) -> None:
    """One untimed run of each program, so no timed run pays for compiling bytecode."""
    commands = [Command("", [str(BIN / "flasklint"), "--version"]), check([tiny], cold=True), python("import libcst")]
    if tools:
        commands += [Command("", [str(tools / "bandit"), "--version"]), Command("", [str(tools / "flake8"), "--version"])]
    for command in commands:
        run_once(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, help="runs of each command per row; the median is kept (default 3, flake8's rows 5; --quick: 1)")
    parser.add_argument("--quick", action="store_true", help="one run per row; no 1M-line project and no LSP unless --only names them")
    parser.add_argument("--only", choices=GROUPS, action="append", help="row groups to run (repeatable)")
    parser.add_argument("--commit", metavar="REV", help="measure flasklint as committed at REV (e.g. HEAD), not the working tree")
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS, help="where the real apps' checkouts are")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the JSON results file")
    parser.add_argument("--merge", action="store_true", help="keep the output file's rows that this run does not measure")
    parser.add_argument("--markdown", action="store_true", help="end with the markdown table for README.md")
    parser.add_argument("--render", type=Path, metavar="RESULTS", help="print the markdown table of a results file; no run")
    parser.add_argument("--update-readme", action="store_true", help="also put the table in README.md's Speed section")
    args = parser.parse_args(argv)
    if args.render:
        table = markdown(json.loads(args.render.read_text()))
        print(table)
        if args.update_readme:
            update_readme(table)
        return 0
    repeat = args.repeat or (1 if args.quick else 3)
    groups = args.only or [g for g in GROUPS if not (args.quick and g in ("lsp", "large"))]
    SCRATCH.mkdir(parents=True, exist_ok=True)
    measured_commit = use_snapshot(args.commit) if args.commit else working_tree_commit()
    global BIN
    BIN = install_like_a_user(measured_commit if args.commit else None)
    flake8_repeat = args.repeat or (1 if args.quick else FLAKE8_REPEAT)
    flake8_runs = f" ({flake8_repeat} for flake8's rows)" if flake8_repeat != repeat and "flake8" in groups else ""
    print(f"measuring flasklint at {measured_commit} ({flasklint_package()}), median of {repeat}{flake8_runs}", flush=True)
    compile_like_an_install()
    load_before = os.getloadavg()[0]
    tools = ensure_tools() if {"apps", "flake8"} & set(groups) else None
    report, results = run_groups(groups, (repeat, flake8_repeat), args, tools)
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    for row in results:
        row.commit, row.date = row.commit or measured_commit, row.date or date
    rows = [{**asdict(row), "met": row.met} for row in results]
    if args.merge and args.output.exists():
        previous = json.loads(args.output.read_text())
        fresh = {row["key"] for row in rows}
        rows = [row for row in previous["rows"] if row["key"] not in fresh] + rows
        report = {**{k: v for k, v in previous.items() if k not in ("run", "rows")}, **report}
    report = {
        "run": {
            "commit": measured_commit,
            "date": date,
            "repeat": repeat,
            "cpus": os.cpu_count(),
            "load": [load_before, os.getloadavg()[0]],
            "python": platform.python_version(),
            "platform": platform.platform(),
            "versions": tool_versions(tools),
            "memory": "peak of the summed PSS of the process tree, sampled every 50 ms",
        },
        **report,
        "rows": sorted(rows, key=lambda row: ROW_ORDER.index(row["key"])),
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = [row.key for row in results if row.met is False]
    print(f"\n{len(results) - len(failed)} of {len(results)} rows met or not measured; not met: {', '.join(failed) or 'none'}")
    print(f"wrote {args.output}")
    if args.markdown or args.update_readme:
        print("\n" + markdown(report))
    if args.update_readme:
        update_readme(markdown(report))
    return 0


def update_readme(table: str) -> None:
    """Put the table between README.md's speed-table markers (the rest of the file is left alone)."""
    readme = REPOSITORY / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:start] + "\n" + table + "\n" + text[end:], encoding="utf-8")
    print(f"updated {readme}")


def run_groups(
    groups: list[str], repeats: tuple[int, int], args: argparse.Namespace, tools: Path | None
) -> tuple[dict, list[RowResult]]:
    """The chosen rows' results, and what the report says about the corpora. `repeats`: runs per row,
    and per flake8 row."""
    repeat, flake8_repeat = repeats
    tiny = prepare_tiny()
    prime(tiny, tools)
    results: list[RowResult] = []
    report: dict = {}
    if {"apps", "flake8"} & set(groups):
        apps, why = prepare_apps(args.checkouts)
        if apps:
            report["apps"] = {"repos": {e["id"]: e["commit"] for e in app_entries()}, **corpus_figures(apps)}
            results += measured(apps_rows(apps, tools) if "apps" in groups else [], repeat)
            results += measured(flake8_rows(apps, tools) if "flake8" in groups else [], flake8_repeat)
        else:
            keys = (["apps-cold", "apps-warm"] if "apps" in groups else []) + (
                ["flake8-cold", "flake8-warm"] if "flake8" in groups else []
            )
            results += [skipped(key, "—", why) for key in keys]
    if "tiny" in groups:
        results += measured(tiny_rows(tiny), repeat)
    if "lsp" in groups:
        results += lsp_rows(repeat, changes=20 if args.quick else 60, million="large" in groups)
    if "large" in groups:
        large = prepare_large()
        report["large"] = corpus_figures([large])
        results += measured(large_rows(large), repeat)
    wipe_caches(SCRATCH)
    return report, results


def working_tree_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPOSITORY), *args], capture_output=True, text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "flasklint", "lsp/flasklint_lsp")
    return head + ("+uncommitted changes" if dirty else "")


def ensure_tools() -> Path:
    sys.path.insert(0, str(HERE))
    from bench import ensure_tools as build

    return build()


if __name__ == "__main__":
    raise SystemExit(main())
