"""What a `check` run found (`Report`) and ruff's closing lines about it.

Every output format reads a Report; it lives apart from the package's `formatters()`, which imports
the formats, so that no format imports the module that imports it."""

from __future__ import annotations

from collections import Counter
from dataclasses import field
from pathlib import Path

from flasklint.diagnostics import Applicability, Diagnostic, Fix
from flasklint.records import dataclass


def is_applicable(fix: Fix | None, unsafe_fixes: bool) -> bool:
    """Would `--fix` apply this fix with the current settings (the `[*]` marker)?"""
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe_fixes)


@dataclass
class Report:
    """What a run found: each diagnostic with the absolute path of its file, and what was fixed."""

    entries: list[tuple[Path, Diagnostic]] = field(default_factory=list)
    fixed: Counter[str] = field(default_factory=Counter)  # code -> fixes applied
    unsafe_fixes: bool = False
    errors: list[str] = field(default_factory=list)  # printed on stderr: configs, paths not checked, files not fixed

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for _, d in self.entries]

    @staticmethod
    def display_path(file: Path) -> str:
        """Paths relative to the working directory when inside it, as ruff and flake8 print them."""
        try:
            return str(file.relative_to(Path.cwd()))
        except ValueError:
            return str(file)


def _plural(count: int, word: str, suffix: str = "s") -> str:
    return f"{count} {word}{'' if count == 1 else suffix}"


def summary(report: Report) -> str:
    """ruff's closing lines: the count, what was fixed, and which fixes are available."""
    remaining = len(report.entries)
    fixed = sum(report.fixed.values())
    if fixed:
        lines = [f"Found {_plural(fixed + remaining, 'error')} ({fixed} fixed, {remaining} remaining)."]
    elif remaining:
        lines = [f"Found {_plural(remaining, 'error')}."]
    else:
        # Never "All checks passed!" next to an error: what could not be checked may hold findings.
        lines = [] if report.errors else ["All checks passed!"]
    if report.errors:
        errors = "the error" if len(report.errors) == 1 else f"the {len(report.errors)} errors"
        lines.append(f"Not everything could be checked or fixed: see {errors} above.")
    fixes = [d.fix for d in report.diagnostics if d.fix is not None]
    applicable = sum(1 for fix in fixes if is_applicable(fix, report.unsafe_fixes))
    hidden = len(fixes) - applicable
    hint = f"{_plural(hidden, 'hidden fix', 'es')} can be enabled with the `--unsafe-fixes` option"
    if applicable and hidden:
        lines.append(f"[*] {applicable} fixable with the `--fix` option ({hint}).")
    elif applicable:
        option = "`--fix --unsafe-fixes`" if report.unsafe_fixes else "`--fix`"
        lines.append(f"[*] {applicable} fixable with the {option} option.")
    elif hidden:
        lines.append(f"No fixes available ({hint}).")
    return "\n".join(lines) + "\n"


def diff_summary(report: Report) -> str:
    """After `--diff`: what `--fix` would do."""
    fixed = sum(report.fixed.values())
    return f"Would fix {_plural(fixed, 'error')}.\n" if fixed else "No errors would be fixed.\n"
