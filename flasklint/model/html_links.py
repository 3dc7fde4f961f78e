"""Literal URLs in text: `href`/`src`/`action`/`formaction` attribute values, and splitting a URL.

Shared by the Python side (HTML in string literals, f-strings) and the template side (TemplateData
around `{{ ... }}`): both describe their text as pieces with source offsets, where an interpolated
expression is a hole, so one scanner finds attribute values with exact positions in either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Union

from flasklint.model.routing import HOLE

BARRIER = "\x01"  # stands for a `{% tag %}` or `{# comment #}` inside markup: an attribute value never spans it

_ATTRIBUTE = re.compile(
    r"(?<![\w:.@-])(?:href|src|action|formaction)\s*=\s*(?P<quote>\\?[\"'])(?P<value>[^\"'<>\\\n\x01]*)(?P=quote)",
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
    starts: list[int] = []  # source offset where each combined character starts
    ends: list[int] = []  # ... and ends
    holes: list[Hole] = []
    for piece in pieces:
        if isinstance(piece, Text):
            combined.append(piece.text)
            starts.extend(range(piece.start, piece.start + len(piece.text)))
            ends.extend(range(piece.start + 1, piece.start + len(piece.text) + 1))
        elif isinstance(piece, Hole):
            combined.append(HOLE)
            starts.append(piece.start)
            ends.append(piece.end)
            holes.append(piece)
        else:
            combined.append(BARRIER)
            last = ends[-1] if ends else 0
            starts.append(last)
            ends.append(last)
    text = "".join(combined)
    if "=" not in text:
        return
    hole_at = {index: hole for index, hole in zip((i for i, c in enumerate(text) if c == HOLE), holes)}
    comments = _comments(text)
    for match in _ATTRIBUTE.finditer(text):
        begin, finish = match.span("value")
        if begin == finish or _inside(match.start(), comments):
            continue
        value_holes = [hole_at[i].source for i in range(begin, finish) if i in hole_at]
        yield AttributeValue(match["value"], value_holes, starts[begin], ends[finish - 1], match["quote"][-1])


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
