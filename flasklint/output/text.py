"""Human-readable output, one line per diagnostic in flake8's `path:row:col: CODE message` shape.

A `[*]` after the code marks a diagnostic `--fix` would fix with the current settings (ruff's marker).
The summary is added by the CLI (see `output.summary`), so `--quiet` can leave it out.
"""

from __future__ import annotations

from flasklint.output.report import Report, is_applicable


def format_text(report: Report) -> str:
    lines = []
    for file, diagnostic in report.entries:
        marker = " [*]" if is_applicable(diagnostic.fix, report.unsafe_fixes) else ""
        lines.append(
            f"{report.display_path(file)}:{diagnostic.start.row}:{diagnostic.start.column + 1}: "
            f"{diagnostic.code}{marker} {diagnostic.message}"
        )
    return "".join(f"{line}\n" for line in lines)
