"""Small questions about libcst nodes that the traversal, the model analyses and the rules all ask."""

from __future__ import annotations

import libcst as cst


def literal_string(node: cst.BaseExpression | None) -> str | None:
    """The value of a plain (or implicitly concatenated) string literal; None for anything else."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


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
