"""GitLab Code Quality report (a Code Climate subset) for merge-request widgets.

GitLab matches findings between the base and head pipelines by `fingerprint`, so it must not
change when unrelated edits move a finding: it hashes the path, the rule code and the text of the
finding's source line (not its number), plus an occurrence counter that keeps identical lines
in one file apart.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path, PurePath
from typing import Any

from flasklint.diagnostics import Severity
from flasklint.output.report import Report
from flasklint.source import physical_lines

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def _source_lines(file: Path) -> list[str]:
    try:
        return [line.rstrip("\r\n") for line in physical_lines(file.read_text(encoding="utf-8", errors="replace"))]
    except OSError:
        return []  # gone or unreadable since the run: the fingerprint falls back to path and code


def fingerprint(path: str, code: str, line_text: str, occurrence: int) -> str:
    key = "\0".join([path, code, line_text.strip(), str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def format_gitlab(report: Report) -> str:
    lines_by_file: dict[Path, list[str]] = {}
    seen: Counter[tuple[str, str, str]] = Counter()
    issues: list[dict[str, Any]] = []
    for file, diagnostic in report.entries:
        path = PurePath(report.display_path(file)).as_posix()
        lines = lines_by_file.setdefault(file, _source_lines(file))
        row = diagnostic.start.row
        line_text = lines[row - 1] if 0 < row <= len(lines) else ""
        key = (path, diagnostic.code, line_text.strip())
        occurrence = seen[key]
        seen[key] += 1
        issues.append(
            {
                "description": f"{diagnostic.code}: {diagnostic.message}",
                "check_name": diagnostic.code,
                "fingerprint": fingerprint(path, diagnostic.code, line_text, occurrence),
                "severity": SEVERITIES[diagnostic.severity],
                "location": {"path": path, "lines": {"begin": row, "end": diagnostic.end.row}},
            }
        )
    return json.dumps(issues, indent=2) + "\n"
