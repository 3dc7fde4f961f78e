"""JSON in ruff's field names (columns 1-based, as ruff prints them), so ruff-aware tooling reads it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flasklint.diagnostics import Diagnostic, Edit
from flasklint.output.report import Report
from flasklint.rules import rule as rule_with_code


def _location(row: int, column: int) -> dict[str, int]:
    return {"row": row, "column": column + 1}


def _edit(edit: Edit) -> dict[str, Any]:
    return {
        "content": edit.content,
        "location": _location(edit.start.row, edit.start.column),
        "end_location": _location(edit.end.row, edit.end.column),
    }


def diagnostic_to_json(file: Path, diagnostic: Diagnostic) -> dict[str, Any]:
    rule = rule_with_code(diagnostic.code)
    fix = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability.value,
            "message": diagnostic.fix.message,
            "edits": [_edit(e) for e in diagnostic.fix.edits],
        }
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end.row, diagnostic.end.column),
        "filename": str(file),
        "fix": fix,
        "location": _location(diagnostic.start.row, diagnostic.start.column),
        "message": diagnostic.message,
        "noqa_row": diagnostic.noqa_row,
        "severity": diagnostic.severity.value,
        "url": rule.url() if rule else None,
    }


def format_json(report: Report) -> str:
    return json.dumps([diagnostic_to_json(f, d) for f, d in report.entries], indent=2) + "\n"
