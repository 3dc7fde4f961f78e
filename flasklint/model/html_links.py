"""Literal URLs in text: `href`/`src`/`action`/`formaction` attribute values, and splitting a URL.

Shared by the Python side (HTML in string literals, f-strings) and the template side (TemplateData
around `{{ ... }}`): both describe their text as pieces with source offsets, where an interpolated
expression is a hole, so one scanner finds attribute values with exact positions in either.
"""

from __future__ import annotations

import bisect
import re
from typing import Iterator, Union

from flasklint.model.routing import HOLE
from flasklint.records import dataclass

BARRIER = "\x01"  # stands for a `{% tag %}` or `{# comment #}` inside markup: an attribute value never spans it

# The leading lookahead only rejects most positions at once (the names' first letters, `ſ` too under
# IGNORECASE): the regex engine has no literal prefix to search for here.
_ATTRIBUTE = re.compile(
    r"(?=[hsaf])(?<![\w:.@-])(?:href|src|action|formaction)"
    r"\s*=\s*(?P<quote>\\?[\"'])(?P<value>[^\"'<>\\\n\x01]*)(?P=quote)",
    re.IGNORECASE,
)


# An HTML comment, as the HTML tokenizer ends it: `<!-->` and `<!--->` are whole (empty) comments,
# `--!>` closes one too, and an unclosed comment runs to the end of the text.
_COMMENT = re.compile(r"<!--(?:>|->|.*?(?:--!?>|\Z))", re.DOTALL)


@dataclass(frozen=True)
class Text:
    text: str
    start: int  # offset of text[0] in the source


@dataclass(frozen=True)
class Hole:
    source: str | None  # the expression's text (None: cannot be reused, e.g. a format spec)
    start: int  # offsets of the whole interpolation (`{x}`, `{{ x }}`) in the source
    end: int


@dataclass(frozen=True)
class Barrier:
    """Text that ends any attribute value (a Jinja block tag or comment)."""


Piece = Union[Text, Hole, Barrier]


@dataclass(frozen=True)
class AttributeValue:
    value: str  # holes marked with HOLE
    holes: list[str | None]
    start: int  # source offsets of the value (quotes excluded)
    end: int
    quote: str  # the attribute's quote character


def attribute_values(pieces: list[Piece]) -> Iterator[AttributeValue]:
    """Every quoted href/src/action/formaction value in the pieces, holes included; none inside an
    HTML comment (`<!-- <a href="/old"> -->`: a fix there would put a live `url_for` into it)."""
    combined: list[str] = []
    offsets = _SourceOffsets()
    holes: list[Hole] = []
    for piece in pieces:
        if isinstance(piece, Text):
            combined.append(piece.text)
            offsets.add_text(piece.start, len(piece.text))
        elif isinstance(piece, Hole):
            combined.append(HOLE)
            offsets.add_char(piece.start, piece.end)
            holes.append(piece)
        else:
            combined.append(BARRIER)
            offsets.add_char(offsets.last_end, offsets.last_end)
    text = "".join(combined)
    if "=" not in text:
        return
    hole_at = dict(zip(_indices(text, HOLE), holes))
    comments = _comments(text)
    for match in _ATTRIBUTE.finditer(text):
        begin, finish = match.span("value")
        if begin == finish or _inside(match.start(), comments):
            continue
        value_holes = [hole_at[i].source for i in range(begin, finish) if i in hole_at]
        start, end = offsets.start(begin), offsets.end(finish - 1)
        yield AttributeValue(match["value"], value_holes, start, end, match["quote"][-1])


class _SourceOffsets:
    """Where each character of the combined text starts and ends in the source, kept per piece (a
    text's characters in a row, a hole or barrier as one character) rather than per character."""

    def __init__(self) -> None:
        self._firsts: list[int] = []  # index in the combined text of each piece's first character
        self._pieces: list[tuple[int, int, bool]] = []  # (source start, source end, a run of text)
        self._length = 0
        self.last_end = 0  # where the last character so far ends (0 before any)

    def add_text(self, start: int, length: int) -> None:
        if length:
            self._add(start, start + length, True, length)

    def add_char(self, start: int, end: int) -> None:
        self._add(start, end, False, 1)

    def _add(self, start: int, end: int, text: bool, length: int) -> None:
        self._firsts.append(self._length)
        self._pieces.append((start, end, text))
        self._length += length
        self.last_end = end

    def start(self, index: int) -> int:
        first, (start, _, text) = self._piece(index)
        return start + index - first if text else start

    def end(self, index: int) -> int:
        first, (start, end, text) = self._piece(index)
        return start + index - first + 1 if text else end

    def _piece(self, index: int) -> tuple[int, tuple[int, int, bool]]:
        position = bisect.bisect_right(self._firsts, index) - 1
        return self._firsts[position], self._pieces[position]


def _indices(text: str, char: str) -> Iterator[int]:
    """The indices of `char` in the text."""
    index = text.find(char)
    while index >= 0:
        yield index
        index = text.find(char, index + 1)


def _comments(text: str) -> list[tuple[int, int]]:
    """Spans of the HTML comments: markup there is dead (a browser never follows its links)."""
    return [match.span() for match in _COMMENT.finditer(text)] if "<!--" in text else []


def _inside(index: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= index < end for start, end in spans)


@dataclass(frozen=True)
class SplitUrl:
    path: str
    query: str | None
    fragment: str | None


def split_local_url(url: str) -> SplitUrl | None:
    """Path, query and fragment of a URL that can only be this site's own absolute path, else None.

    Not: absolute or protocol-relative URLs, `#anchors`, relative paths, `mailto:`/`tel:`/`data:`/
    `javascript:`, paths whose literal part is only slashes (`f"/{page}"` says nothing), and paths
    holding another template language's syntax (`/user/${id}` in JavaScript).
    """
    if not url.startswith("/") or url.startswith("//") or any(char in url for char in "\\{}$`"):
        return None
    rest, hash_mark, fragment = url.partition("#")
    path, question_mark, query = rest.partition("?")
    if not path.replace(HOLE, "").strip("/") and HOLE in path:
        return None
    return SplitUrl(path, query if question_mark else None, fragment if hash_mark else None)
