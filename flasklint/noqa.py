"""flake8-compatible `# noqa` comments (and `{# noqa: FLK201 #}` in templates).

A bare `# noqa` suppresses everything on its line; `# noqa: FLK101,FLK102` only those codes
(prefixes, as flake8 matches them). As in flake8, a comment after a multi-line string or a
backslash-continued line covers all of its lines (so a diagnostic inside a triple-quoted HTML
string is suppressed from the line that closes it); inside brackets each line needs its own
comment. A line `# flasklint: noqa` (optionally with codes) or flake8's bare `# flake8: noqa`
exempts the whole file.

The map of a file's suppressions is computed once, with its facts, and cached with them: rows
(as JSON-friendly string keys) -> codes, `[]` meaning every code; the key `file` holds a file-wide
exemption.
"""

from __future__ import annotations

import io
import re
import tokenize

from flasklint.diagnostics import Diagnostic

# flake8's defaults.NOQA_INLINE_REGEXP (plus `#noqa` without the space, which ruff accepts, and the
# Jinja comment opener).
NOQA_RE = re.compile(
    r"(?:#|\{#-?)\s*noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
CODE_RE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
# `# flasklint: noqa[: CODES]` anywhere on its own line; flake8's `# flake8: noqa` (bare only:
# flake8 ignores the comment when it lists codes, and so do we).
FILE_NOQA_RE = re.compile(
    r"^\s*(?:#|\{#-?)\s*(?P<tool>flasklint|flake8)[:=]\s*noqa(?P<rest>.*)$", re.IGNORECASE | re.MULTILINE
)
FILE_KEY = "file"
_ANY_NOQA = re.compile(r"noqa", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def noqa_codes(line: str) -> set[str] | None:
    """None: no noqa; empty set: bare noqa (everything); else the listed codes (upper case)."""
    match = NOQA_RE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return {c.upper() for c in CODE_RE.findall(codes)} if codes else set()


def source_lines(text: str) -> list[str]:
    """Lines as Python and Jinja number them (`str.splitlines` also breaks at form feeds)."""
    return _LINE_BREAK.split(text)


def noqa_map(text: str, python: bool) -> dict[str, list[str]]:
    """The file's suppressions: row -> codes ([] = all), plus `file` for a file-wide exemption."""
    if not _ANY_NOQA.search(text):
        return {}
    suppressions: dict[str, list[str]] = {}
    file_codes = _file_exemption(text)
    if file_codes is not None:
        suppressions[FILE_KEY] = sorted(file_codes)
    lines = source_lines(text)
    ranges = _logical_line_ranges(text, len(lines)) if python else {}
    for number, line in enumerate(lines, start=1):
        if not NOQA_RE.search(line):
            continue
        first, last = ranges.get(number, (number, number))
        # flake8 searches the span's physical lines joined; the first comment wins.
        codes = noqa_codes("".join(lines[first - 1 : last]))
        for row in range(first, last + 1):
            suppressions.setdefault(str(row), sorted(codes or ()))
    return suppressions


def is_suppressed(diagnostic: Diagnostic, suppressions: dict[str, list[str]]) -> bool:
    for key in (FILE_KEY, str(diagnostic.noqa_row)):
        codes = suppressions.get(key)
        if codes is not None and (not codes or any(diagnostic.code.startswith(code) for code in codes)):
            return True
    return False


def _file_exemption(text: str) -> set[str] | None:
    for match in FILE_NOQA_RE.finditer(text):
        rest = match.group("rest").strip()
        if not rest:
            return set()
        if match.group("tool").lower() == "flasklint" and rest.startswith(":"):
            codes = {c.upper() for c in CODE_RE.findall(rest)}
            if codes:
                return codes
    return None


def _logical_line_ranges(text: str, line_count: int) -> dict[int, tuple[int, int]]:
    """Row -> (first, last) rows sharing one noqa comment, for multi-row spans only.

    Mirrors flake8's FileProcessor._noqa_line_mapping: the rows between two NL/NEWLINE tokens,
    i.e. a multi-line string or a backslash continuation (a newline inside brackets is an NL
    token, so bracketed lines stay separate). A file that does not tokenize keeps the one-row
    mapping, as in flake8.
    """
    ranges: dict[int, tuple[int, int]] = {}
    first, last = line_count + 2, -1
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            first, last = min(first, token.start[0]), max(last, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                if last > first:
                    for row in range(first, last + 1):
                        ranges[row] = (first, last)
                first, last = line_count + 2, -1
    except (tokenize.TokenError, SyntaxError):
        return {}
    return ranges


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
    end = match.end("codes")
    codes_text = codes.rstrip(", \t")
    end -= len(codes) - len(codes_text)
    return f"{stripped[:end]}, {code}{stripped[end:]}{ending}" if code not in codes.upper() else line
