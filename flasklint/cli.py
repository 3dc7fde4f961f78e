"""`flasklint check|rule`: ruff's conventions (flags, exit codes 0/1/2, output formats) over the engine."""

from __future__ import annotations

import argparse
import difflib
import io
import sys
import tokenize
from collections import Counter
from pathlib import Path
from typing import Sequence

from flasklint import __version__
from flasklint.config import Config, ConfigError, load_config
from flasklint.diagnostics import Applicability, Diagnostic
from flasklint.engine import Project, find_project_root
from flasklint.fix import apply_fixes, write_atomically
from flasklint.output import Report, formatters
from flasklint.rule import Rule
from flasklint.rules import ALL_RULES, RULES_BY_CODE
from flasklint.source import SourceError, decode_source, parse_source

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
MAX_FIX_PASSES = 10


def _codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flasklint", description="A linter for Flask applications.")
    parser.add_argument("--version", action="version", version=f"flasklint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="lint files or directories (default: .)")
    check.add_argument("paths", nargs="*", type=Path, help="files or directories to check")
    check.add_argument("--output-format", choices=sorted(formatters()), default="text")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply (with --fix) or show unsafe fixes")
    check.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    check.add_argument("--select", type=_codes, help="comma-separated rule codes or prefixes to enable")
    check.add_argument("--extend-select", type=_codes, default=[], help="codes to enable on top of the selection")
    check.add_argument("--ignore", type=_codes, default=[], help="codes or prefixes to disable")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics are found")
    check.add_argument("--statistics", action="store_true", help="print a count per rule instead of each diagnostic")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write .flasklint_cache/")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="a rule code, e.g. FLK101")
    rule.add_argument("--all", action="store_true", help="print every rule's documentation")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return run_check(args)
        if args.command == "rule":
            return run_rule(args)
    except ConfigError as exc:
        print(f"flasklint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    parser.print_help()
    return EXIT_ERROR


# -- rule ----------------------------------------------------------------------------------
def rule_markdown(rule: Rule) -> str:
    availability = {
        "safe": "Fix is always available.",
        "unsafe": "Fix is always available (unsafe: applied with `--unsafe-fixes`).",
        "sometimes": "Fix is sometimes available.",
        "none": "",
    }[rule.fix_availability]
    header = f"# {rule.name} ({rule.code})\n\n{rule.summary}.\n"
    if availability:
        header += f"\n{availability}\n"
    return f"{header}\n{rule.docs()}\n"


def run_rule(args: argparse.Namespace) -> int:
    if args.all:
        print("\n".join(rule_markdown(rule) for rule in ALL_RULES), end="")
        return EXIT_CLEAN
    if not args.code:
        print("flasklint: error: give a rule code (e.g. `flasklint rule FLK101`) or --all", file=sys.stderr)
        return EXIT_ERROR
    rule = RULES_BY_CODE.get(args.code.upper())
    if rule is None:
        print(f"flasklint: error: unknown rule code {args.code!r}", file=sys.stderr)
        return EXIT_ERROR
    print(rule_markdown(rule), end="")
    return EXIT_CLEAN


# -- check ---------------------------------------------------------------------------------
def _config_for(root: Path, args: argparse.Namespace) -> Config:
    config = load_config(root)
    if args.select is not None:
        config.select = args.select
    config.extend_select = [*config.extend_select, *args.extend_select]
    config.ignore = [*config.ignore, *args.ignore]
    return config


def run_check(args: argparse.Namespace) -> int:
    paths: list[Path] = args.paths or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        for path in missing:
            print(f"flasklint: error: {path}: no such file or directory", file=sys.stderr)
        return EXIT_ERROR
    groups: dict[Path, list[Path]] = {}
    for path in paths:
        groups.setdefault(find_project_root(path), []).append(path)

    report = Report()
    failed = False
    for root, group in groups.items():
        project = Project(root, _config_for(root, args), use_cache=not args.no_cache)
        project.discover()
        for path in group:
            _include_explicit_file(project, path)
        project.analyse()
        for relative in project.checked_files(group):
            if args.fix or args.diff:
                fixed, ok = _fix_file(project, relative, args)
                report.fixed += fixed
                failed |= not ok
            for diagnostic in project.diagnostics(relative):
                report.entries.append((project.root / relative, _shown(diagnostic, args)))

    if args.statistics:
        sys.stdout.write(_statistics(report))
    elif not args.diff:
        sys.stdout.write(formatters()[args.output_format](report))
    if failed:
        return EXIT_ERROR
    if report.entries and not args.exit_zero and not args.diff:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _include_explicit_file(project: Project, path: Path) -> None:
    """A file named on the command line is checked even if its name is not one flasklint discovers."""
    if path.is_file():
        relative = path.resolve().relative_to(project.root).as_posix()
        if relative not in project.files:
            project.set_source(relative, None)


def _shown(diagnostic: Diagnostic, args: argparse.Namespace) -> Diagnostic:
    """Unsafe fixes are hidden unless asked for, as ruff does."""
    if diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE and not args.unsafe_fixes:
        from dataclasses import replace

        return replace(diagnostic, fix=None)
    return diagnostic


def _statistics(report: Report) -> str:
    counts = Counter(d.code for d in report.diagnostics)
    fixable = {d.code for d in report.diagnostics if d.fix is not None}
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = RULES_BY_CODE.get(code)
        marker = "[*]" if code in fixable else "   "
        lines.append(f"{count:>5}\t{code}\t{marker} {rule.name if rule else ''}")
    return "\n".join(lines) + ("\n" if lines else "")


def _fix_file(project: Project, relative: str, args: argparse.Namespace) -> tuple[int, bool]:
    """Apply fixes until none applies (re-linting each time); write once, atomically. -> (fixed, ok)."""
    absolute = project.root / relative
    try:
        original_bytes = absolute.read_bytes()
    except OSError as exc:
        print(f"flasklint: error: {absolute}: {exc}", file=sys.stderr)
        return 0, False
    encoding = _encoding_of(original_bytes, relative)
    decoded = decode_source(original_bytes) if relative.endswith(".py") else None
    if isinstance(decoded, SourceError):
        return 0, True
    text = decoded if decoded is not None else original_bytes.decode("utf-8", errors="surrogateescape")
    original = text
    total = 0
    for _ in range(MAX_FIX_PASSES):
        fixes = [
            d.fix
            for d in project.diagnostics(relative)
            if d.fix is not None and (d.fix.applicability is Applicability.SAFE or args.unsafe_fixes)
        ]
        if not fixes:
            break
        candidate, applied = apply_fixes(text, fixes)
        if candidate == text or applied == 0:
            break
        if relative.endswith(".py") and isinstance(parse_source(candidate), SourceError):
            print(f"flasklint: error: {absolute}: a fix would break the file; it was not applied", file=sys.stderr)
            break
        text = candidate
        total += applied
        project.set_source(relative, text)
    if text == original:
        return 0, True
    if args.diff:
        diff = difflib.unified_diff(
            original.splitlines(keepends=True), text.splitlines(keepends=True), f"a/{relative}", f"b/{relative}"
        )
        sys.stdout.write("".join(diff))
        project.set_source(relative, None)
        return total, True
    try:
        write_atomically(absolute, text, encoding)
    except (OSError, UnicodeEncodeError) as exc:
        print(f"flasklint: error: {absolute}: cannot write the fixed file: {exc}", file=sys.stderr)
        return 0, False
    return total, True


def _encoding_of(data: bytes, relative: str) -> str:
    if not relative.endswith(".py"):
        return "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else encoding
