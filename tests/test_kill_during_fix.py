"""`kill -9` during `flasklint check --fix`: every file is either its original bytes or its fully
fixed bytes (never a partial write), and the next run leaves no temporary file behind.

A project of LF and CRLF modules, each with five fixes (FLK101, 102, 103, 104 twice), is fixed
once without interruption on a copy (the expected bytes), then fixed again and again with a
SIGKILL at a different moment each time: at a random point of the run, once the writing has
begun (a temporary file or a replaced file seen), or by the run itself right before its Nth
os.replace (the temporary file is then complete and left behind, every time). The rounds start
from the original files. benchmarks/kill_fix_soak.py runs hundreds of rounds and prints figures.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TEMPORARY_SUFFIX = ".flasklint-tmp"
ARGS = ["check", "--fix", "--unsafe-fixes", "--no-cache", "--quiet"]
FIX = [sys.executable, "-m", "flasklint", *ARGS]
# The same run, killing itself (SIGKILL, no clean-up possible) when it is about to call os.replace
# for the Nth time: `python -c KILL_BEFORE_REPLACE N check --fix ...`.
KILL_BEFORE_REPLACE = """
import os, signal, sys
from flasklint.cli import main
calls_left, replace = int(sys.argv[1]), os.replace
def replace_or_die(*args, **kwargs):
    global calls_left
    calls_left -= 1
    if calls_left == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return replace(*args, **kwargs)
os.replace = replace_or_die
sys.exit(main(sys.argv[2:]))
"""
MODULE = '''from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
app.secret_key = "dev"
app.config["SECRET_KEY"] = "changeme"


@app.route("/upload{n}", methods=["POST"])
def upload_{n}():
    f = request.files["file"]
    f.save("/tmp/" + f.filename)
    return "<p>Hello " + request.args.get("name", "") + "</p>"


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
'''


def build_project(root: Path, modules: int) -> dict[Path, bytes]:
    """The project's files (odd modules with CRLF line endings) -> their bytes."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "killed"\n', encoding="utf-8")
    originals: dict[Path, bytes] = {}
    for number in range(modules):
        text = MODULE.format(n=number)
        path = root / f"mod{number:03}.py"
        path.write_bytes((text.replace("\n", "\r\n") if number % 2 else text).encode("utf-8"))
        originals[path] = path.read_bytes()
    return originals


def temporaries(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob(f"*{TEMPORARY_SUFFIX}"))


def fix_uninterrupted(root: Path) -> None:
    result = subprocess.run(FIX, cwd=root, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr


@dataclass
class Timing:
    """Of an uninterrupted run: its length, and how long after the first write it ended."""

    run: float
    writing: float


def _writing_started(root: Path, inodes: dict[Path, int], earlier: set[Path]) -> bool:
    for entry in os.scandir(root):
        if entry.name.endswith(TEMPORARY_SUFFIX) and Path(entry.path) not in earlier:
            return True
        path = Path(entry.path)
        if path in inodes and entry.inode() != inodes[path]:  # replaced by os.replace
            return True
    return False


def _start_and_watch(root: Path, originals: dict[Path, bytes]) -> tuple[subprocess.Popen[bytes], float, float | None]:
    """Start a fix run; return it, its start time and when it began writing (None: it ended first)."""
    inodes = {path: path.stat().st_ino for path in originals}
    earlier = set(temporaries(root))  # left by the previous killed run
    started = time.monotonic()
    process = subprocess.Popen(FIX, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None:
        if _writing_started(root, inodes, earlier):
            return process, started, time.monotonic()
        time.sleep(0.002)
    return process, started, None


def measure(root: Path, originals: dict[Path, bytes]) -> Timing:
    """Fix `root` without interruption, timing it (the fixed bytes are then read from it)."""
    process, started, writing = _start_and_watch(root, originals)
    assert process.wait(timeout=120) == 0
    ended = time.monotonic()
    return Timing(run=ended - started, writing=ended - (writing if writing is not None else ended))


@dataclass
class Round:
    """What one killed run left: files by state, and temporary files."""

    mode: str  # "anytime", "writing" or "replace"
    delay: float  # seconds after the start (anytime) or the first write (writing); replace: the Nth
    killed: bool  # False when the run ended before the kill
    original: int
    fixed: int
    damaged: list[Path]
    temporaries: list[Path]  # left by this run (earlier runs' are removed by the next one)


def killed_round(
    root: Path, originals: dict[Path, bytes], fixed: dict[Path, bytes], timing: Timing, mode: str, rng: random.Random
) -> Round:
    """Restore the original files, start a fix run and SIGKILL it; classify every file."""
    for path, data in originals.items():
        path.write_bytes(data)
    earlier = set(temporaries(root))
    if mode == "replace":
        delay = rng.randint(1, len(originals))
        command = [sys.executable, "-c", KILL_BEFORE_REPLACE, str(delay), *ARGS]
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
    elif mode == "anytime":
        delay = rng.uniform(0, timing.run)
        process = subprocess.Popen(FIX, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + delay
    else:
        delay = rng.uniform(0, timing.writing)
        process, _, writing = _start_and_watch(root, originals)
        deadline = (writing or time.monotonic()) + delay
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    killed = process.wait(timeout=120) == -signal.SIGKILL
    states = {path: path.read_bytes() for path in originals}
    return Round(
        mode=mode,
        delay=delay,
        killed=killed,
        original=sum(1 for path, data in states.items() if data == originals[path]),
        fixed=sum(1 for path, data in states.items() if data == fixed[path]),
        damaged=[path for path, data in states.items() if data not in (originals[path], fixed[path])],
        temporaries=[path for path in temporaries(root) if path not in earlier],
    )


def prepare(base: Path, modules: int) -> tuple[Path, dict[Path, bytes], dict[Path, bytes], Timing]:
    """The project to kill runs in, its original bytes, its fixed bytes (from a copy) and timing."""
    reference = base / "reference"
    reference_originals = build_project(reference, modules)
    timing = measure(reference, reference_originals)
    root = base / "project"
    originals = build_project(root, modules)
    fixed = {root / path.name: path.read_bytes() for path in reference_originals}
    assert all(fixed[path] != originals[path] for path in originals)  # every module had fixes
    assert all(b"\r\n" in fixed[path] for path in originals if b"\r\n" in originals[path])
    return root, originals, fixed, timing


def test_kill_during_fix_never_leaves_a_partial_file_or_a_temporary_file(tmp_path: Path) -> None:
    root, originals, fixed, timing = prepare(tmp_path, modules=16)
    rng = random.Random(9)
    rounds = [killed_round(root, originals, fixed, timing, mode, rng) for mode in ["anytime", "writing", "replace"] * 2]

    for number, result in enumerate(rounds):
        assert result.damaged == [], f"round {number} ({result.mode}, {result.delay:.3f}) damaged files"
        assert result.original + result.fixed == len(originals)
    replace_rounds = [result for result in rounds if result.mode == "replace"]
    assert all(result.killed and len(result.temporaries) == 1 for result in replace_rounds)
    fix_uninterrupted(root)  # one more normal run
    assert {path: path.read_bytes() for path in originals} == fixed
    assert temporaries(root) == []
    assert sorted(os.listdir(root)) == sorted(["pyproject.toml", *(path.name for path in originals)])
    shutil.rmtree(tmp_path / "reference")
