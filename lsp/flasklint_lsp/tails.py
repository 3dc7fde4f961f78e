"""Edits that cannot change a Python file's analysis: blank lines and comments after its last code.

Appending a comment line at the end of a module (a note, a `# TODO`, a commented-out line) leaves
every token of the code where it was: libcst puts column-0 comment lines after the last statement
in the module's footer, which no rule reads, and every span stays the same. Only the noqa map can
change (`# flake8: noqa` may be added). So the file's facts are its previous facts with the new
noqa map, and the file need not be parsed again: the edit costs a string comparison, not a parse.

The proof needs the tail to be *outside* any string or continuation: the previous facts' multi-row
logical lines (the noqa rows, found from strings and backslashes) must all end before it. Indented
comment lines are not taken (libcst may give them to the last block's footer), nor anything with a
carriage return or another character Python or libcst reads as a line break.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flasklint.relevance import may_matter
from flasklint.rules.flk002_file_not_analysed import MAX_ANALYSED_BYTES

# A row that holds nothing for the parser: empty, or a comment starting in column 0.
_TAIL_ROW = re.compile(r"(?:#[^\r\n\f\v\x1c\x1d\x1e\x85\u2028\u2029]*)?")


@dataclass(frozen=True)
class Code:
    """The part of a buffer its facts depend on: its text up to the end of its last row of code."""

    prefix: str
    relevant: bool  # the file mentions a name the rules look for (else it was never parsed)


def code_of(text: str, multi_row: dict[str, int]) -> Code | None:
    """The code part of a parsed Python buffer, or None when no tail edit can be trusted on it."""
    if "\r" in text or _too_large(text):
        return None
    rows = text.split("\n")
    last = len(rows) - 1  # index of the last row holding code
    while last >= 0 and _TAIL_ROW.fullmatch(rows[last]):
        last -= 1
    first_tail_row = last + 2  # 1-based
    # The first two rows may hold a coding cookie; a string or continuation reaching the tail
    # would make its "comments" part of the code.
    if first_tail_row <= 2 or any(end >= first_tail_row for end in multi_row.values()):
        return None
    end = sum(len(row) + 1 for row in rows[: last + 1])
    prefix = text[: min(end, len(text))]
    return Code(prefix, may_matter(prefix))


def only_tail_changed(code: Code, text: str) -> bool:
    """Whether `text` is `code` followed by blank lines and column-0 comments only (and so has the
    same analysis, noqa aside)."""
    if not text.startswith(code.prefix) or _too_large(text):
        return False
    rest = text[len(code.prefix) :]
    if not code.prefix.endswith("\n"):
        if not rest.startswith("\n"):
            return not rest  # the very same text
        rest = rest[1:]
    if "\r" in rest or not code.relevant and may_matter(rest):
        return False  # a name a rule looks for, in a file that was not parsed: it would be now
    return all(_TAIL_ROW.fullmatch(row) for row in rest.split("\n"))


def _too_large(text: str) -> bool:
    """Over FLK002's limit (then the file is not parsed at all, and its size is in the message)."""
    return len(text) * 4 > MAX_ANALYSED_BYTES and len(text.encode("utf-8", errors="surrogatepass")) > MAX_ANALYSED_BYTES
