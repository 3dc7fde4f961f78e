"""flake8-compatible `# noqa` comments (and `{# noqa: FLK201 #}` in templates).

A bare `# noqa` suppresses everything on its line; `# noqa: FLK101,FLK102` only those codes
(prefixes, as flake8 matches them).
"""

from __future__ import annotations

import re
from typing import Iterable

from flasklint.diagnostics import Diagnostic

# flake8's defaults.NOQA_INLINE_REGEX, plus the Jinja comment opener.
NOQA_RE = re.compile(
    r"(?:#|\{#-?)\s*noqa(?::[\s]?(?P<codes>[A-Z][0-9]+(?:[,\s]+[A-Z][0-9]+)*|[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?",
    re.IGNORECASE,
)
CODE_RE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def noqa_codes(line: str) -> set[str] | None:
    """None: no noqa; empty set: bare noqa (everything); else the listed codes (upper case)."""
    match = NOQA_RE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return {c.upper() for c in CODE_RE.findall(codes)} if codes else set()


def is_suppressed(diagnostic: Diagnostic, lines: list[str]) -> bool:
    row = diagnostic.noqa_row
    if row < 1 or row > len(lines):
        return False
    codes = noqa_codes(lines[row - 1])
    if codes is None:
        return False
    return not codes or any(diagnostic.code.startswith(code) for code in codes)


def filter_noqa(diagnostics: Iterable[Diagnostic], text: str) -> list[Diagnostic]:
    lines = text.splitlines()
    return [d for d in diagnostics if not is_suppressed(d, lines)]


def add_noqa_edit_text(line: str, code: str) -> str:
    """The line with `code` added to its noqa comment (or a new `  # noqa: CODE`), for editors."""
    match = NOQA_RE.search(line)
    stripped = line.rstrip("\r\n")
    ending = line[len(stripped) :]
    if match is None:
        return f"{stripped}  # noqa: {code}{ending}"
    codes = match.group("codes")
    if not codes:
        return line
    start, end = match.span("codes")
    return f"{stripped[:end]}, {code}{stripped[end:]}{ending}" if code not in codes.upper() else line
