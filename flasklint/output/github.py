"""GitHub Actions workflow commands (`::error file=...::message`), as ruff's `github` format.

Each diagnostic becomes an annotation on the pull request's diff, titled with its rule code; info
diagnostics are notices. `file` is relative to the working directory (the checkout root in CI),
which is how the runner maps annotations onto the repository's files.
"""

from __future__ import annotations

from flasklint.diagnostics import Severity
from flasklint.output.report import Report

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    lines = []
    for file, diagnostic in report.entries:
        start, end = diagnostic.start, diagnostic.end
        properties = (
            f"title={_escape_property(diagnostic.code)},file={_escape_property(report.display_path(file))},"
            f"line={start.row},col={start.column + 1},endLine={end.row},endColumn={end.column + 1}"
        )
        text = f"{report.display_path(file)}:{start.row}:{start.column + 1}: {diagnostic.code} {diagnostic.message}"
        lines.append(f"::{LEVELS[diagnostic.severity]} {properties}::{_escape_data(text)}")
    return "".join(f"{line}\n" for line in lines)
