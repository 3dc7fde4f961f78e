"""`--statistics`: one line per rule with its count, flake8's and ruff's layout (or JSON)."""

from __future__ import annotations

import json
from collections import Counter

from flasklint.output.report import Report, is_applicable
from flasklint.rules import rule as rule_with_code


def statistics(report: Report) -> list[dict[str, object]]:
    """ruff's fields: code, name, count, fixable; most frequent first."""
    counts = Counter(d.code for d in report.diagnostics)
    fixable = {d.code for d in report.diagnostics if is_applicable(d.fix, report.unsafe_fixes)}
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_with_code(code)
        rows.append({"code": code, "name": rule.name if rule else "", "count": count, "fixable": code in fixable})
    return rows


def format_statistics(report: Report, output_format: str) -> str:
    rows = statistics(report)
    if output_format == "json":
        return json.dumps(rows, indent=2) + "\n"
    if not rows:
        return ""
    count_width = max(len(str(row["count"])) for row in rows)
    any_fixable = any(row["fixable"] for row in rows)
    lines = []
    for row in rows:
        marker = ("[*] " if row["fixable"] else "[ ] ") if any_fixable else ""
        lines.append(f"{row['count']:>{count_width}}\t{row['code']}\t{marker}{row['name']}")
    return "".join(f"{line}\n" for line in lines)
