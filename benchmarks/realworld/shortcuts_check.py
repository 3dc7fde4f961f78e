"""Prove the engine's shortcuts change no finding on the real repositories (issue 14's "Done when").

    .venv/bin/python benchmarks/realworld/shortcuts_check.py [--checkouts DIR] [--repo ID ...]

Each shortcut skips work a text pre-scan shows cannot matter (a file naming nothing a rule looks
for is not parsed; a module naming no removed API is not walked for one; libcst's node validation
is remembered while parsing; a large module is parsed in pieces and joined; spans are generated with libcst's per-node codegen steps inlined).
`FLASKLINT_NO_SHORTCUTS=1` turns them all off (flasklint/shortcuts.py).
This runs `flasklint check --no-cache` on every repository of repos.json both ways and compares the
raw JSON output, exit status and stderr byte for byte; exit 1 on any difference. tests/
test_shortcuts.py does the same for examples/ and every rule case; this is the real-code half.
"""

from __future__ import annotations

import argparse
import difflib
import os
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
    args = parser.parse_args(argv)

    differing = checked = findings = 0
    for repo, checkout in present_checkouts(args.repos, args.checkouts, args.repo):
        on, off = run(args.flasklint, repo, checkout, True), run(args.flasklint, repo, checkout, False)
        checked += 1
        findings += len(on.findings)
        diff = differences(on, off, checkout)
        speedup = off.seconds / on.seconds if on.seconds else 0.0
        verdict = "identical" if not diff and on.error is None else "DIFFERS"
        print(f"{repo.id}: {verdict} ({len(on.findings)} findings; {off.seconds:.1f} s without, {on.seconds:.1f} s with, {speedup:.2f}x)")
        if diff or on.error:
            differing += 1
            for line in ([on.error] if on.error else []) + diff[:80]:
                print(f"  {line}")
    print(f"shortcuts: {checked} repositories, {findings} findings, {'identical' if not differing else f'{differing} differ'}")
    return 1 if differing or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
