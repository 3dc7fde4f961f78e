"""A large module parsed by libcst a few top-level statements at a time, then joined into one tree.

libcst's native parser holds the whole file's tokens and its own trees in memory until it hands the
Python tree over: a 150 kB test module takes a process from 33 to 90 MiB, for a Python tree of 7 MiB,
and the allocator keeps that peak. Parsed in pieces of a few kB the peak is one piece's, and the
joined tree is the very tree a whole parse builds (`deep_equals`, every file of the benchmark apps
and the test corpus: tests/test_module_parts.py).

A piece starts at a statement at column 0 or, inside a large class (test classes often hold a
whole module), at a statement of the class's body, prefixed with a stand-in class header.

Why a join is exact: a piece that parses ends outside any string, bracket or continuation line, at
a new logical line, which is also the tokenizer's state where the next piece starts; a piece that
cannot stand alone (it starts with `else:`, or ends inside a string or between a decorator and its
function) fails to parse and is merged with the next. A piece continuing a class is joined only if
the previous piece ended in that class with its body still open at the piece's indentation, so the
whole parse reads the piece's statements as that body's too. What a whole parse does differently
is only where the lines between two pieces go: the comments and blank lines at column 0 that end
one piece (its module footer) and any that open the next (its header) are the leading lines of the
next piece's first statement; a piece continuing a class starts with its blank lines, and not
after a comment or a line indented deeper than the class body (those are the previous block's).
The module's defaults (indentation, newline) are each piece's first ones; when a piece's differ
from the first piece's (mixed newlines, or a piece without an indented block, which defaults to
four spaces, in a file indented otherwise), the module is parsed whole instead.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

import libcst as cst

# Below this many characters a module is parsed whole: its peak is small anyway.
PARTS_FROM = 16_000
# A piece ends at the first split point this many characters after its start.
PIECE = 6_000
# Pieces that fail to stand alone (split inside a string) before the module is parsed whole:
# each failure re-parses its piece.
MAX_FAILED_PIECES = 4

# What a piece may start with: a decorator, `def`, `async def` or `class`.
_STATEMENT = re.compile(r"(?:@|def\b|class\b|async[ \t]+def\b)")
# A class header on one line (`class A(B):  # note`): its body's indentation is the next code line's.
_CLASS_HEADER = re.compile(r"class\b[^\n]*:[ \t]*(?:#[^\n]*)?")
# Heads a piece that continues a class body, which cannot stand alone (ended by the file's newline).
_CLASS_HEADER_LINE = "class _:"
# Splitting after a line starting with one of these would part a decorator from its function.
_NOT_AFTER = frozenset("@)]}")

SplitPoint = tuple[int, str | None]  # (offset, None: the piece starts at column 0; or the class body's indentation)


def parse_in_parts(text: str, parse: Callable[[str], cst.Module]) -> cst.Module | None:
    """The tree `parse(text)` builds, from pieces; None when it must be parsed whole (a small
    module, pieces that disagree on the defaults or do not join, too many pieces that fail). `parse`
    raises libcst's ParserSyntaxError on a piece that cannot stand alone."""
    if len(text) < PARTS_FROM:
        return None
    parts: list[tuple[str | None, cst.Module]] = []
    start, indent = 0, None
    failures = 0
    for end, next_indent in [*_split_points(text), (len(text), None)]:
        piece = text[start:end] if indent is None else f"{_CLASS_HEADER_LINE}{parts[0][1].default_newline}{text[start:end]}"
        try:
            part = parse(piece)
        except cst.ParserSyntaxError:
            failures += 1
            if failures > MAX_FAILED_PIECES or end == len(text):
                return None
            continue  # merged with the next piece
        if parts and (part.default_indent, part.default_newline) != (parts[0][1].default_indent, parts[0][1].default_newline):
            return None
        parts.append((indent, part))
        start, indent = end, next_indent
    return _joined(parts)


def _split_points(text: str) -> list[SplitPoint]:
    """Where pieces start, at least PIECE characters apart: a statement at column 0 (the comments
    and blank lines before it stay with the previous piece), or a statement continuing a column-0
    class's body (the blank lines before it come with it; after a comment, no split)."""
    points: list[SplitPoint] = []
    last = offset = 0
    class_indent: str | None = None  # the body indentation of the class at column 0 last opened
    header_open = False  # that class's header was the last code line
    after_code = 0  # where the line after the last code line starts
    blank_run = True  # the lines since then are blank, none indented deeper than the class body
    previous = ""  # the first character of the last code line
    for line in text.split("\n"):
        end = offset + len(line) + 1
        content = line.rstrip("\r")
        code = content.lstrip(" \t\f")
        if not code:
            blank_run = blank_run and (class_indent is None or len(content) <= len(class_indent))
        elif code.startswith("#"):
            blank_run = False
        else:
            indent = content[: len(content) - len(code)]
            can_split = _STATEMENT.match(code) is not None and previous not in _NOT_AFTER
            if not indent:
                if can_split and offset - last >= max(PIECE, 1):
                    points.append((offset, None))
                    last = offset
                class_indent, header_open = None, _CLASS_HEADER.fullmatch(content) is not None
            elif header_open:
                class_indent, header_open = indent, False
            elif indent == class_indent and can_split and blank_run and after_code - last >= max(PIECE, 1):
                points.append((after_code, indent))
                last = after_code
            previous, after_code, blank_run = code[0], end, True
        offset = end
    return points


def _joined(parts: list[tuple[str | None, cst.Module]]) -> cst.Module | None:
    first = parts[0][1]
    body = list(first.body)
    footer = first.footer
    for indent, part in parts[1:]:
        if indent is None:
            statements = list(part.body)
            between = [*footer, *part.header]
            if between:
                if not statements:
                    return None
                statements[0] = statements[0].with_changes(leading_lines=[*between, *statements[0].leading_lines])
            body += statements
        else:
            continued = _continued_class(body[-1] if body else None, indent, first.default_indent, footer, part)
            if continued is None:
                return None
            body[-1] = continued
            body += part.body[1:]  # the piece went on past the class's end
        footer = part.footer
    return first.with_changes(body=body, footer=footer, has_trailing_newline=parts[-1][1].has_trailing_newline)


def _continued_class(
    owner: cst.CSTNode | None, indent: str, default_indent: str, footer: Sequence[cst.EmptyLine], part: cst.Module
) -> cst.ClassDef | None:
    """The class the previous piece ended in, with the statements of `part`'s stand-in class added;
    None unless that class's body is still open at the split, at the split's indentation."""
    if not isinstance(owner, cst.ClassDef) or not isinstance(owner.body, cst.IndentedBlock):
        return None
    if footer or owner.body.footer or part.header or (owner.body.indent or default_indent) != indent:
        return None
    stand_in = part.body[0] if part.body else None
    if not isinstance(stand_in, cst.ClassDef) or not isinstance(stand_in.body, cst.IndentedBlock):
        return None
    block = owner.body.with_changes(body=[*owner.body.body, *stand_in.body.body], footer=stand_in.body.footer)
    return owner.with_changes(body=block)
