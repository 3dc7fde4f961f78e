"""Every output of `flasklint check` on examples/, saved or compared byte for byte.

    .venv/bin/python benchmarks/output_snapshot.py --save DIR      # before a change
    .venv/bin/python benchmarks/output_snapshot.py --compare DIR   # after it: exit 1 on any difference

A refactoring that must not change behaviour (the engine reshaping) is checked with it: each output
format, `--statistics`, `--diff` with and without unsafe fixes, and `flasklint rule --all`, each
with its exit status and stderr. (benchmarks/realworld/score.py does the same for real repositories.)
"""

from __future__ import annotations

import argparse
import difflib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASKLINT = [sys.executable, "-m", "flasklint"]
FORMATS = ["text", "json", "json-lines", "github", "gitlab", "junit", "sarif"]


def runs() -> dict[str, list[str]]:
    """Name -> arguments, for each example project."""
    found: dict[str, list[str]] = {"rule-all": ["rule", "--all"]}
    for example in sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()):
        path = f"examples/{example}"
        for output_format in FORMATS:
            found[f"{example}.{output_format}"] = ["check", "--no-cache", "--output-format", output_format, path]
        found[f"{example}.statistics"] = ["check", "--no-cache", "--statistics", path]
        found[f"{example}.diff"] = ["check", "--no-cache", "--diff", path]
        found[f"{example}.diff-unsafe"] = ["check", "--no-cache", "--diff", "--unsafe-fixes", path]
    return found


def capture(arguments: list[str]) -> str:
    result = subprocess.run([*FLASKLINT, *arguments], cwd=ROOT, capture_output=True, text=True)
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", type=Path, help="write every output into this folder")
    mode.add_argument("--compare", type=Path, help="compare every output with this folder's")
    args = parser.parse_args()
    differences = 0
    for name, arguments in runs().items():
        output = capture(arguments)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.txt").write_text(output, encoding="utf-8")
            continue
        saved_path = args.compare / f"{name}.txt"
        saved = saved_path.read_text(encoding="utf-8") if saved_path.exists() else ""
        if saved != output:
            differences += 1
            sys.stdout.writelines(
                difflib.unified_diff(saved.splitlines(True), output.splitlines(True), f"saved/{name}", f"now/{name}")
            )
    if args.compare:
        print(f"{len(runs())} outputs compared, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
