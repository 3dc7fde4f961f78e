"""JUnit XML, laid out as ruff's `junit` format: one testsuite per file, one failing testcase per
diagnostic, so CI systems that chart test reports (GitLab, Jenkins, Azure) list the findings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import PurePath

from flasklint.diagnostics import Diagnostic
from flasklint.output.report import Report

PACKAGE = "org.flasklint"


def _suite(parent: ET.Element, name: str, tests: int, failures: int) -> ET.Element:
    counts = {"tests": str(tests), "disabled": "0", "errors": "0", "failures": str(failures)}
    return ET.SubElement(parent, "testsuite", {"name": name, **counts, "package": PACKAGE})


def format_junit(report: Report) -> str:
    total = len(report.entries)
    root = ET.Element("testsuites", {"name": "flasklint", "tests": str(total), "failures": str(total), "errors": "0"})
    by_file: dict[str, list[Diagnostic]] = {}
    for file, diagnostic in report.entries:
        by_file.setdefault(report.display_path(file), []).append(diagnostic)
    for path, diagnostics in by_file.items():
        suite = _suite(root, path, len(diagnostics), len(diagnostics))
        classname = PurePath(path).with_suffix("").as_posix()
        for diagnostic in diagnostics:
            row, column = diagnostic.start.row, diagnostic.start.column + 1
            case = ET.SubElement(
                suite,
                "testcase",
                {"name": f"{PACKAGE}.{diagnostic.code}", "classname": classname, "line": f"{row}", "column": f"{column}"},
            )
            failure = ET.SubElement(case, "failure", {"message": diagnostic.message})
            failure.text = f"line {row}, col {column}, {diagnostic.message}"
    if report.errors:
        _record_errors(root, report.errors)
    elif not by_file:  # a report with no test reads as "nothing ran": record the passing check instead
        root.set("tests", "1")
        suite = _suite(root, "flasklint", 1, 0)
        ET.SubElement(suite, "testcase", {"name": "No errors found", "classname": "flasklint"})
    ET.indent(root, space="    ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _record_errors(root: ET.Element, errors: list[str]) -> None:
    """What kept flasklint from checking everything (a broken configuration, an unreadable path), as
    JUnit errors: a test view must never show such a run as passed."""
    root.set("tests", str(int(root.get("tests", "0")) + len(errors)))
    root.set("errors", str(len(errors)))
    suite = _suite(root, "flasklint", len(errors), 0)
    suite.set("errors", str(len(errors)))
    for message in errors:
        case = ET.SubElement(suite, "testcase", {"name": "flasklint run", "classname": "flasklint"})
        ET.SubElement(case, "error", {"message": message}).text = message
