"""SARIF 2.1.0, the format GitHub code scanning (and most security dashboards) ingest.

`tool.driver.rules` lists every rule from its docs, so a dashboard can show a rule's explanation
and link before any result names it; each result points back at its rule by `ruleId` and
`ruleIndex`. Columns are 1-based code points (declared with `columnKind`), end columns exclusive,
as SARIF defines regions. Fixes become SARIF `fixes` (replacements of a deleted region).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flasklint import __version__
from flasklint.diagnostics import Diagnostic, Edit, Location, Severity
from flasklint.output.report import Report
from flasklint.rule import Rule
from flasklint.rules import ALL_RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/flasklint/flasklint"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def artifact_uri(file: Path) -> str:
    """A relative URI (to the working directory, where CI runs from the checkout root) when possible."""
    shown = Report.display_path(file)
    if Path(shown).is_absolute():
        return Path(shown).as_uri()
    return quote(Path(shown).as_posix())


def _region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column + 1,
        "endLine": end.row,
        "endColumn": end.column + 1,
    }


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": f"{rule.summary}."},
        "fullDescription": {"text": rule.doc_section("What it does") or f"{rule.summary}.", "markdown": rule.docs()},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"fixAvailability": rule.fix_availability},
    }


def _replacement(edit: Edit) -> dict[str, Any]:
    return {"deletedRegion": _region(edit.start, edit.end), "insertedContent": {"text": edit.content}}


def _result(file: Path, diagnostic: Diagnostic, rule_index: dict[str, int]) -> dict[str, Any]:
    uri = artifact_uri(file)
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": LEVELS[diagnostic.severity],
        "message": {"text": diagnostic.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": _region(diagnostic.start, diagnostic.end),
                }
            }
        ],
    }
    if diagnostic.code in rule_index:
        result["ruleIndex"] = rule_index[diagnostic.code]
    if diagnostic.fix is not None:
        result["fixes"] = [
            {
                "description": {"text": diagnostic.fix.message},
                "artifactChanges": [
                    {"artifactLocation": {"uri": uri}, "replacements": [_replacement(e) for e in diagnostic.fix.edits]}
                ],
                "properties": {"applicability": diagnostic.fix.applicability.value},
            }
        ]
    return result


def sarif_log(report: Report) -> dict[str, Any]:
    rule_index = {rule.code: index for index, rule in enumerate(ALL_RULES)}
    run = {
        "tool": {
            "driver": {
                "name": "flasklint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(rule) for rule in ALL_RULES],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(file, diagnostic, rule_index) for file, diagnostic in report.entries],
    }
    if report.errors:  # what kept flasklint from checking everything: the run did not fully succeed
        run["invocations"] = [
            {
                "executionSuccessful": False,
                "toolExecutionNotifications": [{"level": "error", "message": {"text": e}} for e in report.errors],
            }
        ]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def format_sarif(report: Report) -> str:
    return json.dumps(sarif_log(report), indent=2) + "\n"
