"""A run killed mid-analysis leaves no worker process behind (each watches its parent).

Before, a `kill -9` during the parallel analysis orphaned the pool's workers, blocked forever on
a queue nobody would write to again.
"""

from __future__ import annotations

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
