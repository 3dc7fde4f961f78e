"""Placeholders of string templates: f-string fields, `%`-style and `str.format()` fields, as Python reads them."""

from __future__ import annotations

import libcst as cst
import pytest

from flasklint.model.placeholders import (
    Placeholder,
    format_placeholders,
    is_numeric_field,
    is_plain_field,
    printf_placeholders,
    spec_text,
)


def field(fstring: str) -> cst.FormattedStringExpression:
    """The first `{...}` field of an f-string expression."""
    node = cst.parse_expression(fstring)
    assert isinstance(node, cst.FormattedString)
    return next(p for p in node.parts if isinstance(p, cst.FormattedStringExpression))


@pytest.mark.parametrize(
    ("fstring", "plain", "numeric", "spec"),
    [
        ('f"{x}"', True, False, None),
        ('f"{x:}"', True, False, None),  # an empty spec formats exactly as `{x}`
        ('f"{x!r}"', False, False, None),
        ('f"{x=}"', False, False, None),
        ('f"{x:>10}"', False, False, ">10"),
        ('f"{x:d}"', False, True, "d"),
        ('f"{x:.2f}"', False, True, ".2f"),
        ('f"{x:%}"', False, True, "%"),
        ('f"{x:>{width}}"', False, False, None),  # a nested field: the spec is not known
    ],
)
def test_fstring_fields(fstring: str, plain: bool, numeric: bool, spec: str | None) -> None:
    part = field(fstring)
    assert (is_plain_field(part), is_numeric_field(part), spec_text(part.format_spec)) == (plain, numeric, spec)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>%s</p>", [Placeholder(0, True, False)]),
        (
            "%s is %d years, %r",
            [
                Placeholder(0, True, False),
                Placeholder(1, False, True),
                Placeholder(2, False, False),
            ],
        ),
        ("100%% of %(name)s", [Placeholder("name", True, False)]),
        # any `%s` is plain, padded or not (padding is whitespace in HTML); unlike `{x:>10}` in an f-string
        ("%-10s|%05.1f", [Placeholder(0, True, False), Placeholder(1, False, True)]),
        ("%(a)s %(a)x", [Placeholder("a", True, False), Placeholder("a", False, True)]),
        ("no placeholders", []),
        ("%*s", None),  # `*` takes a value from the arguments: positions are unknowable
        ("%.*f", None),
    ],
)
def test_printf_placeholders(template: str, expected: list[Placeholder] | None) -> None:
    assert printf_placeholders(template) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<p>{}</p><p>{}</p>", [Placeholder(0, True, False), Placeholder(1, True, False)]),
        (
            "{1} {0!r} {name}",
            [
                Placeholder(1, True, False),
                Placeholder(0, False, False),
                Placeholder("name", True, False),
            ],
        ),
        ("{user.name} {items[0]}", [Placeholder("user", False, False), Placeholder("items", False, False)]),
        (
            "{:d} {:>{w}} {n:.1%}",
            [
                Placeholder(0, False, True),
                Placeholder(1, False, False),
                Placeholder("n", False, True),
            ],
        ),
        ("{{literal}} {}", [Placeholder(0, True, False)]),
        ("{0", None),  # does not parse
    ],
)
def test_format_placeholders(template: str, expected: list[Placeholder] | None) -> None:
    assert format_placeholders(template) == expected
