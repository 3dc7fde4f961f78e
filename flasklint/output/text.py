"""Human-readable output, one line per diagnostic in flake8's `path:row:col: CODE message` shape."""

from __future__ import annotations

from flasklint.diagnostics import Applicability
from flasklint.output import Report


def format_text(report: Report) -> str:
    lines: list[str] = []
    fixable = 0
    unsafe = 0
    for file, diagnostic in report.entries:
        marker = ""
        if diagnostic.fix is not None:
            if diagnostic.fix.applicability is Applicability.SAFE:
                marker = " [*]"
                fixable += 1
            else:
                unsafe += 1
        lines.append(
            f"{report.display_path(file)}:{diagnostic.start.row}:{diagnostic.start.column + 1}: "
            f"{diagnostic.code}{marker} {diagnostic.message}"
        )
    count = len(report.diagnostics)
    if report.fixed:
        lines.append(f"Fixed {report.fixed} error{'s' if report.fixed != 1 else ''}.")
    if count:
        lines.append(f"Found {count} error{'s' if count != 1 else ''}.")
        if fixable:
            lines.append(f"[*] {fixable} fixable with the `--fix` option.")
        if unsafe:
            lines.append(f"{unsafe} hidden fix{'es' if unsafe != 1 else ''} can be enabled with the `--unsafe-fixes` option.")
    elif not report.fixed:
        lines.append("All checks passed!")
    return "\n".join(lines) + "\n"
