"""JSON Lines: one compact JSON object per diagnostic (the `json` format's objects), as ruff's
`json-lines`, so a stream processor can handle each finding without reading the whole report."""

from __future__ import annotations

import json

from flasklint.output.report import Report
from flasklint.output.json import diagnostic_to_json


def format_json_lines(report: Report) -> str:
    return "".join(
        json.dumps(diagnostic_to_json(file, diagnostic), separators=(",", ":")) + "\n"
        for file, diagnostic in report.entries
    )
