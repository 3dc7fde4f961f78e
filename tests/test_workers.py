"""A run killed mid-analysis leaves no worker process behind (each watches its parent).

Before, a `kill -9` during the parallel analysis orphaned the pool's workers, blocked forever on
a queue nobody would write to again.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import write_project
from flasklint.engine import PARALLEL_THRESHOLD

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2, reason="needs /proc and 2 cores"
)

RUN = """
import sys
from pathlib import Path
from flasklint.engine import Project
project = Project(Path(sys.argv[1]), use_cache=False, jobs=2, start_method=sys.argv[2])
project.discover()
project.analyse()
"""


def _heavy_module(number: int) -> str:
    view = "@app.route('/p{0}/{1}')\ndef view_{1}():\n    return f'<p>{{request.args[\"q\"]}}</p>'\n\n"
    views = "".join(view.format(number, i) for i in range(400))
    return f"from flask import Flask, request\napp = Flask(__name__)\n\n{views}"


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_workers_end_when_the_run_is_killed(tmp_path: Path, start_method: str) -> None:
    modules = {f"m{n}.py": _heavy_module(n) for n in range(PARALLEL_THRESHOLD * 2)}
    write_project(tmp_path, {"pyproject.toml": "", **modules})
    run = subprocess.Popen([sys.executable, "-c", RUN, str(tmp_path), start_method])
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(run.pid)) < 2:
            assert run.poll() is None, "the run ended before its workers started"
            assert time.monotonic() < deadline, "no worker processes started"
            time.sleep(0.05)
        time.sleep(0.5)  # the workers are busy analysing
        workers = _children(run.pid)
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


def test_the_projects_of_one_run_share_its_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monorepo's apps are checked one by one: one pool serves them all (a small nested project's
    files included), and its workers end with the run."""
    from flasklint import workers
    from flasklint.engine import Project

    pools: list[object] = []
    real_pool = workers.analysis_pool

    def recording_pool(count: int, start_method: str):  # type: ignore[no-untyped-def]
        context = real_pool(count, start_method)
        pools.append(context)
        return context

    monkeypatch.setattr(workers, "analysis_pool", recording_pool)
    sizes = {"big_one": PARALLEL_THRESHOLD, "big_two": PARALLEL_THRESHOLD, "small": 3}
    for name, count in sizes.items():
        files = {"pyproject.toml": "", "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"}
        files.update({f"v{n}.py": f"from app import app\n\n@app.route('/{n}')\ndef v{n}():\n    return ''\n" for n in range(count)})
        write_project(tmp_path / name, files)
    analysed_by: dict[str, set[int]] = {}
    real_job = workers.LazyPool.map

    def recording_map(self, function, jobs, sizes, prepare=None):  # type: ignore[no-untyped-def]
        results = list(real_job(self, function, jobs, sizes, prepare))
        if jobs:
            analysed_by.setdefault(jobs[0][1], set()).add(self._pool is not None)
        return iter(results)

    monkeypatch.setattr(workers.LazyPool, "map", recording_map)
    with workers.one_pool_per_run():
        for name in sizes:
            project = Project(tmp_path / name, use_cache=False, jobs=2)
            project.discover()
            project.analyse()
            assert len(project.facts) == sizes[name] + 1
        running = [pid for pool in workers._run_pools.values() for pid in pool._pool._processes]  # type: ignore[union-attr]
    assert len(pools) == 1 and len(running) == 2
    assert all(analysed_by.values())  # the small project's batch went to the running workers too
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in running)


FIRST_JOBS = """
import os, sys
from pathlib import Path
import flasklint.engine as engine
real_job = engine._analyse_job
def recording_job(job):
    with open(sys.argv[2], "a") as record:
        record.write(f"{os.getpid()} {'libcst._nodes.module' in sys.modules} {'jinja2.environment' in sys.modules}\\n")
    return real_job(job)
engine._analyse_job = recording_job
project = engine.Project(Path(sys.argv[1]), use_cache=False, jobs=2, start_method=sys.argv[3])
project.discover()
project.analyse()
print(os.getpid(), len(project.facts), "libcst._nodes.module" in sys.modules, "jinja2.environment" in sys.modules)
"""


def test_forked_workers_inherit_the_parsers(tmp_path: Path) -> None:
    """Before the pool forks, the engine imports libcst (and Jinja, the project having templates):
    the workers inherit them instead of each importing them on its first file."""
    files = {"app.py": "from flask import Flask, render_template\n\napp = Flask(__name__)\n"}
    files.update({f"v{n}.py": f"from app import app, render_template\n\n@app.route('/{n}')\ndef v{n}():\n    return render_template('t{n}.html')\n" for n in range(PARALLEL_THRESHOLD)})
    files.update({f"templates/t{n}.html": "<p>{{ n }}</p>\n" for n in range(3)})
    write_project(tmp_path / "project", {"pyproject.toml": "", **files})
    record = tmp_path / "first-jobs.txt"
    run = subprocess.run(
        [sys.executable, "-c", FIRST_JOBS, str(tmp_path / "project"), str(record), "fork"],
        capture_output=True, text=True, check=True,
    )
    parent, analysed, *parent_has = run.stdout.split()
    assert int(analysed) == len(files) and parent_has == ["True", "True"]
    jobs = [line.split() for line in record.read_text().splitlines()]
    assert len(jobs) == len(files) and all(pid != parent for pid, _, _ in jobs)
    assert all(has == ["True", "True"] for _, *has in jobs)


@pytest.mark.parametrize("start_method", ["fork", "forkserver"])
def test_a_pool_prepares_only_workers_it_forks(start_method: str) -> None:
    """`prepare` runs once, just before the workers start, and only when they are forked from this
    process (a forkserver's or spawned workers would not inherit what it imports); batches the
    running workers take, or this process runs itself, do not run it."""
    from flasklint.workers import LazyPool

    prepared: list[str] = []
    with LazyPool(2, start_method, threshold=3) as pool:
        small = dict(pool.map(abs, [-1, -2], [1, 1], prepare=lambda: prepared.append("small")))
        batch = dict(pool.map(abs, [-1, -2, -3], [1, 1, 1], prepare=lambda: prepared.append("first")))
        again = dict(pool.map(abs, [-4, -5], [1, 1], prepare=lambda: prepared.append("again")))
        frozen_in_workers = set(dict(pool.map(gc_frozen, [0, 1, 2, 3], [1, 1, 1, 1])).values())
    assert (small, batch, again) == ({0: 1, 1: 2}, {0: 1, 1: 2, 2: 3}, {0: 4, 1: 5})
    assert prepared == (["first"] if start_method == "fork" else [])
    # Forked workers keep what they inherited out of the collector's walks; this process does not.
    assert gc.get_freeze_count() == 0
    assert (min(frozen_in_workers) > 1000) == (start_method == "fork")


def gc_frozen(_: int) -> int:
    return gc.get_freeze_count()
