"""The placeholders of a string template: f-string fields, `%`-style and `str.format()` fields.

Pure syntax, no dataflow: which value goes into which placeholder, whether it is inserted as
`str(value)` ("plain", so wrapping the value keeps the output's shape) and whether only numbers
fit (so no markup can get in). Shared by the rules that look inside interpolations (FLK101's
escaping, FLK203's url_for arguments, and the Markup/template-string rules to come).
"""

from __future__ import annotations

import re
import string

import libcst as cst

from flasklint.lazy_regex import lazy_pattern
from flasklint.records import dataclass

# printf-style placeholders; numeric types only accept numbers, so they cannot carry markup.
_printf = lazy_pattern(
    r"%(?:\((?P<key>[^)]*)\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])"
)
NUMERIC_PRINTF = frozenset("diouxXeEfFgGc")
NUMERIC_SPEC = frozenset("bcdoxXneEfFgG%")


@dataclass(frozen=True)
class Placeholder:
    key: str | int  # printf: position or mapping key; str.format: position or keyword
    plain: bool  # `{}` / `%s`: escaping the argument keeps the output's shape
    numeric: bool  # `%d` / `{:d}`: only numbers fit, so no markup can get in


def is_plain_field(field: cst.FormattedStringExpression) -> bool:
    """`{x}` (or `{x:}`): the value goes in as `str(x)`, no conversion, format spec or `=`."""
    return field.conversion is None and not field.format_spec and field.equal is None


def is_numeric_field(field: cst.FormattedStringExpression) -> bool:
    """`{x:d}`, `{x:.2f}`: a constant format spec that only numbers accept."""
    spec = spec_text(field.format_spec)
    return spec is not None and spec[-1:] in NUMERIC_SPEC


def spec_text(spec: object) -> str | None:
    """A format spec's text when it has no nested fields, else None."""
    if not spec:
        return None
    parts = list(spec)  # type: ignore[call-overload]
    if not all(isinstance(p, cst.FormattedStringText) for p in parts):
        return None
    return "".join(p.value for p in parts)


def printf_placeholders(template: str) -> list[Placeholder] | None:
    """`%s`-style placeholders in order; None when `*` widths make positions unknowable."""
    placeholders: list[Placeholder] = []
    position = 0
    for match in _printf().finditer(template):
        kind = match["type"]
        if kind == "%":
            continue
        if match["width"] == "*" or match["precision"] == "*":
            return None
        key: str | int = match["key"] if match["key"] is not None else position
        position += match["key"] is None
        placeholders.append(Placeholder(key, kind == "s", kind in NUMERIC_PRINTF))
    return placeholders


def format_placeholders(template: str) -> list[Placeholder] | None:
    """`{}`-style fields of a `.format()` template; None when it does not parse."""
    placeholders: list[Placeholder] = []
    automatic = 0
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        key: str | int
        if head == "":
            key, automatic = automatic, automatic + 1
        elif head.isdigit():
            key = int(head)
        else:
            key = head
        numeric = bool(spec) and "{" not in spec and spec[-1] in NUMERIC_SPEC
        plain = head == field and not spec and conversion is None
        placeholders.append(Placeholder(key, plain, numeric))
    return placeholders
