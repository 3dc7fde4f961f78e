"""flake8-compatible `# noqa` comments (and `{# noqa: FLK201 #}` in templates).

A bare `# noqa` suppresses everything on its line; `# noqa: FLK101,FLK102` only those codes
(prefixes, as flake8 matches them). As in flake8, a comment after a multi-line string or a
backslash-continued line covers all of its lines (so a diagnostic inside a triple-quoted HTML
string is suppressed from the line that closes it); inside brackets each line needs its own
comment. A line `# flasklint: noqa` (optionally with codes) or flake8's bare `# flake8: noqa`
exempts the whole file.

The map of a file's suppressions is computed once, with its facts, and cached with them: rows
(as JSON-friendly string keys) -> codes, `[]` meaning every code; the key `file` holds a file-wide
exemption. So are the file's multi-row logical lines (`multi_row_lines`), from which each
diagnostic's `noqa_row` is placed once (`place_noqa_rows`): the row its comment must go on, the last
row of the string or continuation it starts in (ruff's `noqa_row`). The JSON output, the editor's
"Disable FLKxxx for this line" and the matching here all read that one value.
"""

from __future__ import annotations

import dataclasses
import re

from flasklint.diagnostics import Diagnostic
from flasklint.lazy_regex import lazy_pattern
from flasklint.source import physical_lines

# flake8's defaults.NOQA_INLINE_REGEXP (plus `#noqa` without the space, which ruff accepts, and the
# Jinja comment opener).
NOQA_RE = re.compile(
    r"(?:#|\{#-?)\s*noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?",
    re.IGNORECASE,
)
CODE_RE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
# `# flasklint: noqa[: CODES]` anywhere on its own line; flake8's `# flake8: noqa` (bare only:
# flake8 ignores the comment when it lists codes, and so do we).
_file_noqa = lazy_pattern(
    r"^\s*(?:#|\{#-?)\s*(?P<tool>flasklint|flake8)[:=]\s*noqa(?P<rest>.*)$", re.IGNORECASE | re.MULTILINE
)
FILE_KEY = "file"
_ANY_NOQA = re.compile(r"noqa", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Only a triple-quoted string or a backslash at the end of a line (in a string or not) makes one
# logical line span several rows; a file without either needs no scanning.
_MAY_SPAN_ROWS = re.compile(r"\"\"\"|'''|\\(?:\r\n|\r|\n)")
# What can join rows into one logical line, and the comments in which nothing does. A string's prefix
# (r, b, f...) sits on its opening quote's row and changes no string's extent (a backslash escapes the
# next character in every kind), so matches start at the quote: every alternative then starts with
# `#`, a quote or a backslash, and the regex engine skips to the next of them instead of trying each
# position (a third less time).
_row_joiners = lazy_pattern(
    r"#[^\r\n]*"
    r"|'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\""
    r"|'(?:\\(?:\r\n|.)|[^\\'\r\n])*'|\"(?:\\(?:\r\n|.)|[^\\\"\r\n])*\""
    r"|\\(?:\r\n|\r|\n)",
    re.DOTALL,
)


def noqa_codes(line: str) -> set[str] | None:
    """None: no noqa; empty set: bare noqa (everything); else the listed codes (upper case)."""
    match = NOQA_RE.search(line)
    if match is None:
        return None
    codes = match.group("codes")
    return {c.upper() for c in CODE_RE.findall(codes)} if codes else set()


def noqa_map(text: str, python: bool) -> dict[str, list[str]]:
    """The file's suppressions: row -> codes ([] = all), plus `file` for a file-wide exemption."""
    if not _ANY_NOQA.search(text):
        return {}
    suppressions: dict[str, list[str]] = {}
    file_codes = _file_exemption(text)
    if file_codes is not None:
        suppressions[FILE_KEY] = sorted(file_codes)
    lines = [line.rstrip("\r\n") for line in physical_lines(text)]
    spans = multi_row_lines(text).items()
    ranges = {row: (int(first), last) for first, last in spans for row in range(int(first), last + 1)}
    for number, line in enumerate(lines, start=1):
        if not NOQA_RE.search(line):
            continue
        first, last = ranges.get(number, (number, number)) if python else (number, number)
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
    for match in _file_noqa().finditer(text):
        rest = match.group("rest").strip()
        if not rest:
            return set()
        if match.group("tool").lower() == "flasklint" and rest.startswith(":"):
            codes = {c.upper() for c in CODE_RE.findall(rest)}
            if codes:
                return codes
    return None


def multi_row_lines(text: str) -> dict[str, int]:
    """First row (a string key, as the facts store it) -> last row of each logical line of Python
    source that spans several rows.

    flake8's FileProcessor._noqa_line_mapping: the rows between two NL/NEWLINE tokens, i.e. joined
    by a multi-line string or a backslash continuation (a newline inside brackets is an NL token,
    so bracketed lines stay separate). One noqa comment covers them all, and it can only be
    written after the last. Found with one regular expression over comments, strings and
    continuations instead of `tokenize` (the same spans on the 3,948 files of the real-app
    corpus, at a sixth of the cost: every Python file is scanned).
    """
    if not _MAY_SPAN_ROWS.search(text):
        return {}
    spans: dict[str, int] = {}
    row, position = 1, 0  # the row at `position`
    first = last = 0  # the span being grown (0: none yet)
    for match in _row_joiners().finditer(text):
        token = match.group()
        if token[0] == "#" or ("\n" not in token and "\r" not in token):
            continue
        row += len(_LINE_BREAK.findall(text, position, match.start()))
        end_row = row + len(_LINE_BREAK.findall(token))
        position = match.end()
        if first and row <= last:
            last = max(last, end_row)
        else:
            if first:
                spans[str(first)] = last
            first, last = row, end_row
        row = end_row
    if first:
        spans[str(first)] = last
    return spans


def place_noqa_rows(diagnostics: list[Diagnostic], spans: dict[str, int]) -> list[Diagnostic]:
    """The diagnostics with their `noqa_row`: the last row of the multi-row logical line (`spans`,
    first row as a string key -> last row, from `multi_row_lines`) their start falls in."""
    if not spans:
        return diagnostics
    bounds = sorted((int(first), last) for first, last in spans.items())
    placed = []
    for diagnostic in diagnostics:
        row = diagnostic.start.row
        last = next((last for first, last in bounds if first <= row <= last), row)
        placed.append(diagnostic if last == diagnostic.noqa_row else dataclasses.replace(diagnostic, noqa_row=last))
    return placed


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
