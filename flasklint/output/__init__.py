"""Output formats: each turns the engine's diagnostics into one textual report.

Every formatter takes the same `Report` (output/report.py) and returns a string; the CLI picks one
by name. The summary lines ("Found 3 errors.") follow ruff's wording so people and scripts read them
alike.
"""

from __future__ import annotations

import importlib
from typing import Callable

from flasklint.output.report import Report

Formatter = Callable[[Report], str]

# Format name -> (module, function): a run imports only the format it prints.
FORMATS = {
    "text": ("text", "format_text"),
    "json": ("json", "format_json"),
    "json-lines": ("json_lines", "format_json_lines"),
    "github": ("github", "format_github"),
    "gitlab": ("gitlab", "format_gitlab"),
    "junit": ("junit", "format_junit"),
    "sarif": ("sarif", "format_sarif"),
}


def formatter(name: str) -> Formatter:
    module, function = FORMATS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)  # type: ignore[no-any-return]


def formatters() -> dict[str, Formatter]:
    return {name: formatter(name) for name in FORMATS}
