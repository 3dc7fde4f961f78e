"""What the cursor is on: an endpoint string, a keyword slot of `url_for(...)`, a template name, a noqa code.

Completion happens while the user types, when the buffer rarely parses, so the context is read
lexically from the text around the cursor; what the strings *mean* comes from the engine's index.
The same reading works for Python (`url_for("x")`) and Jinja (`{{ url_for('x') }}`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flasklint.noqa import CODE_RE, NOQA_RE

# How far back a call may start: multi-line url_for(...) calls are short.
LOOKBACK = 2000
_CALL = re.compile(r"(?<![\w.])(?:[A-Za-z_][\w]*\.)*(url_for|render_template)\s*\(")
# The closing quote is optional: while typing, it is not there yet.
_JINJA_TEMPLATE_TAG = re.compile(r"""\{%-?\s*(?:extends|include|import|from)\s+(['"])([^'"]*)""")
_IDENTIFIER_TAIL = re.compile(r"[A-Za-z_]\w*\Z")
_KEYWORD = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)")


@dataclass(frozen=True)
class StringArgument:
    """The cursor is inside the first string argument of `url_for(` / `render_template(` (or a Jinja tag)."""

    callee: str  # url_for | render_template | template-tag
    value: str  # the whole string content
    prefix: str  # the content before the cursor
    start: int  # code-point column of the content's first character on the cursor's line
    end: int  # code-point column just after the content on the cursor's line


@dataclass(frozen=True)
class KeywordSlot:
    """The cursor is where a keyword argument of `url_for("endpoint", ...)` may be typed."""

    endpoint: str
    given: frozenset[str]
    prefix: str  # the part of the keyword typed so far


@dataclass(frozen=True)
class NoqaCode:
    code: str
    start: int
    end: int


def context_at(text: str, offset: int, line_start: int) -> StringArgument | KeywordSlot | None:
    """The call context at `offset` (code points into `text`); `line_start` is the offset of its line."""
    window_start = max(0, offset - LOOKBACK)
    before = text[window_start:offset]
    for match in reversed(list(_CALL.finditer(before))):
        found = _scan_call(match.group(1), before[match.end() :])
        if found is None:
            continue
        if isinstance(found, KeywordSlot):
            return found
        prefix, quote = found
        rest = _rest_of_string(text, offset, quote)
        column = offset - line_start
        return StringArgument(match.group(1), prefix + rest, prefix, column - len(prefix), column + len(rest))
    return _template_tag_at(text, offset, line_start)


def _scan_call(callee: str, arguments: str) -> tuple[str, str] | KeywordSlot | None:
    """Walk the call's text up to the cursor: (partial first string argument, its quote), a keyword slot, or None."""
    depth, argument, quote = 1, 0, ""
    first: list[str] | None = None  # content of the first string argument
    first_done = False
    position = 0
    current_start = 0  # where the current argument's text starts
    while position < len(arguments):
        char = arguments[position]
        if quote:
            if char == "\\":
                if first is not None and not first_done:
                    first.append(arguments[position : position + 2])
                position += 2
                continue
            if char == quote:
                quote = ""
                if first is not None:
                    first_done = True
            elif first is not None and not first_done:
                first.append(char)
        elif char in "'\"":
            quote = char
            if depth == 1 and argument == 0 and first is None:
                first = []
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return None  # the call closed before the cursor
        elif char == "," and depth == 1:
            argument += 1
            current_start = position + 1
        position += 1
    if quote:
        if depth == 1 and argument == 0 and first is not None and not first_done:
            return "".join(first), quote
        return None
    if callee != "url_for" or argument == 0 or depth != 1 or first is None or not first_done:
        return None
    current = arguments[current_start:]
    if not re.fullmatch(r"\s*[A-Za-z_]?\w*", current):
        return None  # typing a value, a ** argument, or a positional argument
    given = frozenset(_KEYWORD.findall(arguments))
    tail = _IDENTIFIER_TAIL.search(current)
    return KeywordSlot("".join(first), given, tail.group(0) if tail else "")


def _rest_of_string(text: str, offset: int, quote: str) -> str:
    """The string content after the cursor up to its closing quote (or the end of the line)."""
    rest: list[str] = []
    position = offset
    while position < len(text):
        char = text[position]
        if char == quote or char in "\r\n":
            return "".join(rest)
        if char == "\\":
            rest.append(text[position : position + 2])
            position += 2
            continue
        rest.append(char)
        position += 1
    return "".join(rest)


def _template_tag_at(text: str, offset: int, line_start: int) -> StringArgument | None:
    line_end = len(text)
    for terminator in ("\n", "\r"):
        found = text.find(terminator, offset)
        if found >= 0:
            line_end = min(line_end, found)
    line = text[line_start:line_end]
    column = offset - line_start
    for match in _JINJA_TEMPLATE_TAG.finditer(line):
        if match.start(2) <= column <= match.end(2):
            value = match.group(2)
            return StringArgument("template-tag", value, value[: column - match.start(2)], match.start(2), match.end(2))
    return None


def noqa_code_at(line: str, column: int) -> NoqaCode | None:
    """The code of a `# noqa: FLK101, FLK102` (or `{# noqa: ... #}`) comment under the cursor."""
    match = NOQA_RE.search(line)
    if match is None or match.group("codes") is None:
        return None
    base = match.start("codes")
    for code in CODE_RE.finditer(match.group("codes")):
        start, end = base + code.start(), base + code.end()
        if start <= column <= end:
            return NoqaCode(code.group(0).upper(), start, end)
    return None
