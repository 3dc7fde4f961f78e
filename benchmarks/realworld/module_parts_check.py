"""Prove that parsing a module in pieces (flasklint/module_parts.py) builds libcst's own tree, on real code.

    .venv/bin/python benchmarks/realworld/module_parts_check.py [--checkouts DIR] [--repo ID ...] [--as-used]

For every Python file of every repository checkout that libcst parses, the pieces are joined and
compared with the whole parse (`deep_equals`: every node, whitespace and comment; and the code).
By default the files are split as finely as the splitter allows (every file, every split point),
so every join is exercised; `--as-used` keeps the engine's thresholds (large files, pieces of a
few kB). Exit 1 on any difference. tests/test_module_parts.py does the same on examples/, the
tests and every rule case; shortcuts_check.py compares the findings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import libcst as cst

from flasklint import module_parts
from score import DEFAULT_CHECKOUTS, REPOS_FILE, present_checkouts


def check_file(path: Path) -> str:
    """"same", "whole" (the splitter parsed it whole), "skipped" (unreadable, or libcst cannot parse it) or "DIFFERS"."""
    try:
        text = path.read_text(encoding="utf-8")
        whole = cst.parse_module(text)
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError, RecursionError):
        return "skipped"
    joined = module_parts.parse_in_parts(text, cst.parse_module)
    if joined is None:
        return "whole"
    return "same" if joined.code == text and joined.deep_equals(whole) else "DIFFERS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=Path, default=DEFAULT_CHECKOUTS, help="folder of owner+name checkouts")
    parser.add_argument("--repo", action="append", help="only this repository id (repeatable)")
    parser.add_argument("--repos", type=Path, default=REPOS_FILE, help="the repository list (default: repos.json)")
    parser.add_argument("--as-used", action="store_true", help="the engine's thresholds, not the finest split")
    args = parser.parse_args(argv)
    if not args.as_used:
        module_parts.PARTS_FROM = module_parts.PIECE = 0

    totals = {"same": 0, "whole": 0, "skipped": 0, "DIFFERS": 0}
    checked = 0
    for repo, checkout in present_checkouts(args.repos, args.checkouts, args.repo):
        checked += 1
        counts = dict.fromkeys(totals, 0)
        for path in sorted(checkout.rglob("*.py")):
            verdict = check_file(path)
            counts[verdict] += 1
            if verdict == "DIFFERS":
                print(f"  DIFFERS: {path}")
        print(f"{repo.id}: {counts['same']} joined as parsed whole, {counts['whole']} parsed whole, {counts['skipped']} skipped, {counts['DIFFERS']} differ")
        for verdict, count in counts.items():
            totals[verdict] += count
    print(f"module parts: {checked} repositories, {totals['same']} files joined as parsed whole, {totals['whole']} parsed whole, {totals['DIFFERS']} differ")
    return 1 if totals["DIFFERS"] or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
