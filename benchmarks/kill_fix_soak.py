"""Kill `flasklint check --fix` hundreds of times and check no file is ever left half-fixed.

    .venv/bin/python benchmarks/kill_fix_soak.py [--kills 300] [--modules 24] [--seed 9]

The long version of tests/test_kill_during_fix.py, with its rounds: a project of LF and CRLF
modules (five fixes each) is restored to its original bytes, fixed, and SIGKILLed at a random
point of the run, after the writing has begun, or by the run itself right before its Nth
os.replace, in turn. After each kill every file must be its original or its fully fixed bytes.
The temporary files a kill leaves are counted; the next run must remove them, and one normal run
at the end must leave every file fixed and no temporary file. Processes a kill leaves running in
the project (the analysis pool's workers, from 24 modules on) are counted, then ended. Prints a
summary and writes benchmarks/kill_fix_soak_results.json. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_kill_during_fix import fix_uninterrupted, killed_round, prepare, temporaries  # noqa: E402

RESULTS = HERE / "kill_fix_soak_results.json"
MODES = ("anytime", "writing", "replace")


def orphans(root: Path) -> list[int]:
    """Processes still running in `root` once the run there was killed (and reaped)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if os.readlink(entry / "cwd") == str(root):
                    found.append(int(entry.name))
            except OSError:
                continue  # gone, or not ours to look at
    return found


def end(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def soak(kills: int, modules: int, seed: int) -> dict[str, object]:
    base = Path(tempfile.mkdtemp(prefix="flasklint-kill-soak-"))
    try:
        root, originals, fixed, timing = prepare(base, modules)
        rng = random.Random(seed)
        started = time.monotonic()
        rounds, orphaned = [], []
        for number in range(kills):
            rounds.append(killed_round(root, originals, fixed, timing, MODES[number % len(MODES)], rng))
            orphaned.append(orphans(root))
            end(orphaned[-1])
            if (number + 1) % 25 == 0:
                print(f"  {number + 1} rounds, {sum(len(r.damaged) for r in rounds)} damaged files", flush=True)
        left_before_last_run = len(temporaries(root))
        fix_uninterrupted(root)
        final_fixed = sum(1 for path in originals if path.read_bytes() == fixed[path])
        left_after = len(temporaries(root))
        seconds = time.monotonic() - started
    finally:
        shutil.rmtree(base, ignore_errors=True)
    killed = [r for r in rounds if r.killed]
    return {
        "flasklint": metadata.version("flasklint"),
        "python": platform.python_version(),
        "modules": modules,
        "lf_modules": sum(1 for n in range(modules) if n % 2 == 0),
        "crlf_modules": sum(1 for n in range(modules) if n % 2),
        "uninterrupted_run_seconds": round(timing.run, 2),
        "fixing_phase_seconds": round(timing.writing, 2),
        "rounds": len(rounds),
        "rounds_by_mode": dict(Counter(r.mode for r in rounds)),
        "killed": len(killed),
        "killed_by_mode": dict(Counter(r.mode for r in killed)),
        "killed_mid_fixing": sum(1 for r in killed if 0 < r.fixed < modules),
        "kills_leaving_temporary_files": sum(1 for r in killed if r.temporaries),
        "temporary_files_left_by_kills": sum(len(r.temporaries) for r in rounds),
        "damaged_files": sum(len(r.damaged) for r in rounds),
        "kills_leaving_processes_running": sum(1 for pids in orphaned if pids),
        "processes_left_running": sum(len(pids) for pids in orphaned),
        "files_checked_after_kills": len(rounds) * modules,
        "temporary_files_before_the_last_run": left_before_last_run,
        "temporary_files_after_the_last_run": left_after,
        "files_fixed_after_the_last_run": final_fixed,
        "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=300, help="fix runs to start and kill")
    parser.add_argument("--modules", type=int, default=24, help="modules in the project (odd ones CRLF)")
    parser.add_argument("--seed", type=int, default=9, help="seed of the kill delays")
    args = parser.parse_args()
    results = soak(args.kills, args.modules, args.seed)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(
        f"{results['rounds']} rounds ({results['killed']} killed, {results['killed_mid_fixing']} mid-fixing, "
        f"{results['kills_leaving_temporary_files']} leaving a temporary file) on {args.modules} modules "
        f"in {results['seconds']:.0f} s: {results['damaged_files']} damaged files of "
        f"{results['files_checked_after_kills']} checked; after one more run "
        f"{results['files_fixed_after_the_last_run']}/{args.modules} fixed, "
        f"{results['temporary_files_after_the_last_run']} of the {results['temporary_files_left_by_kills']} "
        "temporary files the kills left remain; "
        f"{results['processes_left_running']} processes left running "
        f"by {results['kills_leaving_processes_running']} kills"
    )
    print(f"written to {RESULTS.relative_to(HERE.parent)}")
    return 0 if results["damaged_files"] == 0 and results["temporary_files_after_the_last_run"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
