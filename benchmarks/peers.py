"""flasklint against bandit, ruff and semgrep on flasklint's own rule cases, rule by rule.

Each rule's invalid cases (real problems) and valid cases (traps that must stay silent) are written
as small projects; every tool runs on each; a case counts as flagged by a tool when the tool reports
anything in it. The table says, per rule: problems found / problems, and false alarms / traps.

    python benchmarks/peers.py --tools /tmp/peers-venv/bin --semgrep-rules DIR [--codes FLK105,...]

Install the peers outside the project: `python3 -m venv /tmp/peers-venv && /tmp/peers-venv/bin/pip
install bandit ruff semgrep`. semgrep's registry is not reachable offline: `--semgrep-rules` is a folder
of rule files (semgrep-rules' `python/flask/` and `python/jinja2/`, e.g. from a clone of
github.com/semgrep/semgrep-rules). A tool whose executable is missing is left out of the table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flasklint.rule import Case
from flasklint.rules import RULES_BY_CODE

DEFAULT_CODES = ("FLK101", "FLK105", "FLK106", "FLK107", "FLK108", "FLK402")


def write_cases(root: Path, code: str) -> list[tuple[str, Path]]:
    """Each case of the rule as its own project: ("invalid" | "valid", folder)."""
    rule = RULES_BY_CODE[code]
    written = []
    for kind, cases in (("invalid", rule.invalid), ("valid", rule.valid)):
        for number, case in enumerate(cases):
            folder = root / code / f"{kind}-{number}"
            for relative, text in Case.of(case).files.items():
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text.lstrip("\n"), encoding="utf-8")
            written.append((kind, folder))
    return written


def flasklint_flags(folder: Path, code: str) -> bool:
    out = _run([sys.executable, "-m", "flasklint", "check", "--no-cache", "--exit-zero", "--select", code,
                "--output-format", "json", str(folder)])  # fmt: skip
    return bool(json.loads(out or "[]"))


def ruff_flags(tools: Path, folder: Path) -> bool:
    out = _run([str(tools / "ruff"), "check", "--isolated", "--no-cache", "--select", "S", "--exit-zero",
                "--output-format", "json", str(folder)])  # fmt: skip
    return bool(json.loads(out or "[]"))


def bandit_flags(tools: Path, folder: Path) -> bool:
    out = _run([str(tools / "bandit"), "-r", "-q", "-f", "json", str(folder)])
    return bool(json.loads(out or "{}").get("results"))


def semgrep_flags(tools: Path, rules: Path, folder: Path) -> bool:
    out = _run([str(tools / "semgrep"), "scan", "--metrics=off", "--disable-version-check", "--quiet", "--json",
                "--config", str(rules), str(folder)])  # fmt: skip
    return bool(json.loads(out or "{}").get("results"))


def _run(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tools", type=Path, required=True, help="folder holding the ruff, bandit, semgrep executables")
    parser.add_argument("--semgrep-rules", type=Path, help="folder of semgrep rule files")
    parser.add_argument("--codes", default=",".join(DEFAULT_CODES))
    args = parser.parse_args(argv)
    checks = {"flasklint": None}
    if (args.tools / "ruff").exists():
        checks["ruff -S"] = lambda folder: ruff_flags(args.tools, folder)
    if (args.tools / "bandit").exists():
        checks["bandit"] = lambda folder: bandit_flags(args.tools, folder)
    if (args.tools / "semgrep").exists() and args.semgrep_rules:
        checks["semgrep"] = lambda folder: semgrep_flags(args.tools, args.semgrep_rules, folder)
    root = Path(tempfile.mkdtemp(prefix="flasklint-peers-"))
    try:
        print("| rule | " + " | ".join(f"{tool}: found / false alarms" for tool in checks) + " |")
        print("|---|" + "---:|" * len(checks))
        for code in args.codes.split(","):
            cases = write_cases(root, code)
            cells = []
            for tool, check in checks.items():
                flags = [
                    (kind, flasklint_flags(folder, code) if check is None else check(folder)) for kind, folder in cases
                ]
                found = sum(flagged for kind, flagged in flags if kind == "invalid")
                alarms = sum(flagged for kind, flagged in flags if kind == "valid")
                problems = sum(kind == "invalid" for kind, _ in flags)
                cells.append(f"{found}/{problems} / {alarms}/{len(flags) - problems}")
            print(f"| {code} | " + " | ".join(cells) + " |")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
