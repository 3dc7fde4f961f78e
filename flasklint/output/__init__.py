"""Output formats: each turns the engine's diagnostics into one textual report.

Every formatter takes the same `Report` (output/report.py) and returns a string; the CLI picks one
by name. The summary lines ("Found 3 errors.") follow ruff's wording so people and scripts read them
alike.
"""

from __future__ import annotations

from typing import Callable

from flasklint.output.report import Report


Formatter = Callable[[Report], str]


def formatters() -> dict[str, Formatter]:
    from flasklint.output.github import format_github
    from flasklint.output.gitlab import format_gitlab
    from flasklint.output.json import format_json
    from flasklint.output.json_lines import format_json_lines
    from flasklint.output.junit import format_junit
    from flasklint.output.sarif import format_sarif
    from flasklint.output.text import format_text

    return {
        "text": format_text,
        "json": format_json,
        "json-lines": format_json_lines,
        "github": format_github,
        "gitlab": format_gitlab,
        "junit": format_junit,
        "sarif": format_sarif,
    }
