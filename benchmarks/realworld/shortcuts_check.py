"""Prove the engine's shortcuts change no finding on the real repositories (issue 14's "Done when").

    .venv/bin/python benchmarks/realworld/shortcuts_check.py [--checkouts DIR] [--repo ID ...]

Each shortcut skips work a text pre-scan shows cannot matter (a file naming nothing a rule looks
for is not parsed; a module naming no removed API is not walked for one; libcst's node validation
is remembered while parsing; a large module is parsed in pieces and joined; spans are generated with
libcst's per-node codegen steps inlined; flake8's builder analyses only the templates a Python file's
findings read). `FLASKLINT_NO_SHORTCUTS=1` turns them all off (flasklint/shortcuts.py).
This runs `flasklint check --no-cache` on every repository of repos.json both ways and compares the
raw JSON output, exit status and stderr byte for byte; then `flake8 --isolated --select FLK` on the
same paths both ways (each run without `.flasklint_cache/`, so the builder analyses everything),
comparing its output and exit status. Exit 1 on any difference. tests/test_shortcuts.py and
tests/test_template_stubs.py do the same for examples/ and every rule case; this is the real-code half.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from score import DEFAULT_CHECKOUTS, REPOS_FILE, Run, default_flasklint, normalised_output, normalised_stderr, present_checkouts
from score import run_flasklint

SWITCH = "FLASKLINT_NO_SHORTCUTS"


def run(flasklint: str, repo, checkout: Path, shortcuts: bool) -> Run:  # type: ignore[no-untyped-def]
    """One check of the repository, with the shortcuts on or off (the child inherits the switch)."""
    previous = os.environ.pop(SWITCH, None)
    if not shortcuts:
        os.environ[SWITCH] = "1"
    try:
        return run_flasklint(flasklint, repo, checkout)
    finally:
        os.environ.pop(SWITCH, None)
        if previous is not None:
            os.environ[SWITCH] = previous


def run_flake8(  # type: ignore[no-untyped-def]
    flake8: str, repo, checkout: Path, shortcuts: bool
) -> tuple[int, list[str]]:
    """flake8's FLK findings on the repository's paths (exit status, sorted lines), with the shortcuts
    on or off, from a cold cache. flake8's console script, not `python -m flake8`, so that nothing of
    the checkout comes first on its sys.path; `--isolated`: the checkout's flake8 settings are not read."""
    for cache in checkout.rglob(".flasklint_cache"):
        shutil.rmtree(cache)
    environment = {key: value for key, value in os.environ.items() if key != SWITCH}
    if not shortcuts:
        environment[SWITCH] = "1"
    command = [flake8, "--isolated", "--select", "FLK", "--exit-zero", "-j", "2", *repo.paths]
    result = subprocess.run(command, cwd=checkout, capture_output=True, env=environment)
    lines = sorted(result.stdout.decode(errors="replace").splitlines())
    stderr = [f"stderr: {line}" for line in result.stderr.decode(errors="replace").splitlines()]
    return result.returncode, lines + stderr


def differences(on: Run, off: Run, checkout: Path) -> list[str]:
    """The unified diff of the two runs' outputs (stdout, stderr, exit status); empty when identical."""
    lines: list[str] = []
    if on.exit_status != off.exit_status:
        lines.append(f"exit status: {off.exit_status} without shortcuts, {on.exit_status} with")
    for name, without, with_ in (
        ("stdout", normalised_output(off, checkout).decode(errors="replace"), normalised_output(on, checkout).decode(errors="replace")),
        ("stderr", normalised_stderr(off, checkout), normalised_stderr(on, checkout)),
    ):
        lines += difflib.unified_diff(without.splitlines(), with_.splitlines(), f"{name} without", f"{name} with", lineterm="", n=2)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS, help="folder of owner+name checkouts")
    parser.add_argument("--repo", action="append", help="only this repository id (repeatable)")
    parser.add_argument("--flasklint", default=default_flasklint(), help="the flasklint executable to run")
    parser.add_argument("--repos", type=Path, default=REPOS_FILE, help="the repository list (default: repos.json)")
    flake8 = str(Path(sys.executable).parent / "flake8")
    parser.add_argument("--flake8", default=flake8, help="the flake8 executable to run (default: beside this Python)")
    args = parser.parse_args(argv)

    differing = checked = findings = flake8_findings = 0
    for repo, checkout in present_checkouts(args.repos, args.checkouts, args.repo):
        on, off = run(args.flasklint, repo, checkout, True), run(args.flasklint, repo, checkout, False)
        checked += 1
        findings += len(on.findings)
        diff = differences(on, off, checkout)
        flake8_on = run_flake8(args.flake8, repo, checkout, True)
        flake8_off = run_flake8(args.flake8, repo, checkout, False)
        if flake8_on != flake8_off:
            diff += [f"flake8 exit status: {flake8_off[0]} without shortcuts, {flake8_on[0]} with"]
            diff += difflib.unified_diff(flake8_off[1], flake8_on[1], "flake8 without", "flake8 with", lineterm="", n=2)
        flake8_findings += len([line for line in flake8_on[1] if not line.startswith("stderr: ")])
        speedup = off.seconds / on.seconds if on.seconds else 0.0
        verdict = "identical" if not diff and on.error is None else "DIFFERS"
        print(f"{repo.id}: {verdict} ({len(on.findings)} findings; {off.seconds:.1f} s without, {on.seconds:.1f} s with, {speedup:.2f}x)")
        if diff or on.error:
            differing += 1
            for line in ([on.error] if on.error else []) + diff[:80]:
                print(f"  {line}")
    verdict = "identical" if not differing else f"{differing} differ"
    print(f"shortcuts: {checked} repositories, {findings} findings, {flake8_findings} flake8 findings, {verdict}")
    return 1 if differing or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
