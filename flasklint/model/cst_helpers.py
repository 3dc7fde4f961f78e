"""Small questions about libcst nodes that the traversal, the model analyses and the rules all ask."""

from __future__ import annotations

import ast

import libcst as cst


def literal_string(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (or implicitly concatenated) string literal; None for anything else."""
    # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
    if type(node) is cst.SimpleString:
        return _simple_string_value(node.value)
    if type(node) is cst.ConcatenatedString:
        return _concatenated_value(node)
    return None


def _concatenated_value(node: cst.ConcatenatedString) -> str | None:
    """`"a" "b"`: the joined values when every part is a str literal (an f-string part has none)."""
    pieces: list[cst.BaseExpression] = []
    part: cst.BaseExpression = node
    while isinstance(part, cst.ConcatenatedString):
        pieces.append(part.left)
        part = part.right
    pieces.append(part)
    if not all(isinstance(piece, cst.SimpleString) for piece in pieces):
        return None
    values = [_simple_string_value(piece.value) for piece in pieces]  # type: ignore[attr-defined]
    return None if None in values else "".join(values)  # type: ignore[arg-type]


def _simple_string_value(source: str) -> str | None:
    """A str literal's value (None for bytes). Most literals hold no escape and no carriage return:
    their value is the text between the quotes, read without `ast.literal_eval` (a parse per call,
    and rules ask of thousands of literals per module); any other goes through it."""
    start = 0
    while source[start] not in "'\"":
        start += 1
    prefix = source[:start].lower()
    if "b" in prefix:
        return None
    quote = source[start] * 3
    width = 3 if source.startswith(quote, start) and len(source) - start >= 6 else 1
    body = source[start + width : len(source) - width]
    if "\r" in body or ("\\" in body and "r" not in prefix):
        value = ast.literal_eval(source)
        return value if isinstance(value, str) else None
    return body


def argument(call: cst.Call, position: int | None, keyword: str | None) -> cst.BaseExpression | None:
    """The expression passed for a parameter, by keyword or by position (stops at * / ** args)."""
    if keyword is not None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
    if position is not None:
        index = 0
        for arg in call.args:
            if arg.keyword is not None or arg.star:
                break
            if index == position:
                return arg.value
            index += 1
    return None


def has_keyword(call: cst.Call, keyword: str) -> bool:
    return any(arg.keyword is not None and arg.keyword.value == keyword for arg in call.args)


def string_list(node: cst.BaseExpression | None) -> list[str] | None:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        values = [literal_string(el.value) for el in node.elements if isinstance(el, cst.Element)]
        if all(v is not None for v in values):
            return [v for v in values if v is not None]
    return None


def subscript_key(node: cst.Subscript) -> cst.BaseExpression | None:
    """The one index of `x[key]` (None for slices and `x[a, b]`)."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        return node.slice[0].slice.value
    return None


def is_none(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_string_literal(node: cst.CSTNode) -> bool:
    """A str or bytes literal (f-strings without holes included)."""
    if isinstance(node, cst.SimpleString):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return is_string_literal(node.left) and is_string_literal(node.right)
    if isinstance(node, cst.FormattedString):
        return all(isinstance(part, cst.FormattedStringText) for part in node.parts)
    return False
