"""The `url_for(...)` call that rebuilds a literal URL matched to an endpoint (FLK203's suggestion and fix).

Werkzeug's URL building, run backwards: each path value, query pair and anchor of the literal
becomes an argument, as Python or Jinja source, and `exact` says whether url_for gives back the
very same text (no percent-encoding, no trailing-slash redirect, no holes).
"""

from __future__ import annotations

import keyword
import re
from typing import Iterable
from urllib.parse import unquote, unquote_plus

from flasklint.model.facts import UrlLiteral
from flasklint.model.index import Endpoint
from flasklint.model.routing import HOLE, parse_rule

# Characters url_for never escapes in a path value: a literal made of them is rebuilt byte for byte.
_VERBATIM = re.compile(r"[A-Za-z0-9._~/-]*\Z")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_JINJA_KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "if", "else", "true", "false", "none", "True", "False", "None"}
)



class BuildCall:
    """The `url_for(...)` replacing a literal, in Python or Jinja syntax."""

    def __init__(self, endpoint: str, arguments: list[tuple[str, str]], jinja: bool, quote: str, exact: bool):
        self.endpoint = endpoint
        self.arguments = arguments  # (keyword, source of the value)
        self.jinja = jinja
        self.quote = quote
        self.exact = exact  # url_for rebuilds the literal byte for byte

    def text(self, function: str) -> str:
        parts = [_string(self.endpoint, self.quote)] + [f"{k}={v}" for k, v in self.arguments]
        return f"{function}({', '.join(parts)})"


def build_call(literal: UrlLiteral, endpoint: Endpoint, values: dict[str, str]) -> BuildCall | None:
    """url_for's arguments for the matched literal, or None when a value cannot be expressed."""
    jinja = literal.context == "template"
    if literal.context in ("template", "html") and _ENTITY.search(f"{literal.path}?{literal.query or ''}"):
        return None  # `&amp;` in an attribute is `&`: the fix would pass the entity's text
    # Python: the literal's own quote; Jinja inside an attribute: the other quote.
    quote = ("'" if literal.quote == '"' else '"') if jinja else literal.quote
    holes = iter(literal.holes)
    arguments: list[tuple[str, str]] = []
    exact = not literal.holes and literal.query is None and _VERBATIM.match(literal.path) is not None
    converters = {v.name: v.converter for v in parse_rule(endpoint.rule or "").variables}
    for name, value in values.items():
        if keyword.iskeyword(name) or (jinja and name in _JINJA_KEYWORDS):
            return None
        if value == HOLE:
            source = next(holes, None)
            if source is None:
                return None
            arguments.append((name, source))
        elif HOLE in value:
            return None  # a hole inside a segment (`/{x}.json`): no single value to pass
        else:
            converter = converters.get(name, "default")
            if "/" in unquote(value) and converter != "path":
                return None  # `a%2Fb`: url_for would write the slash as is, and the rule not match
            argument = _path_value(unquote(value), converter, quote)
            if argument is None:
                return None
            arguments.append((name, argument))
    if literal.query:
        query = _query_arguments(literal.query, holes, quote, set(values), jinja)
        if query is None:
            return None
        arguments.extend(query)
    if literal.fragment:
        if HOLE in literal.fragment:
            return None
        if not _VERBATIM.match(literal.fragment):
            exact = False  # url_for percent-encodes the anchor
        arguments.append(("_anchor", _string(unquote(literal.fragment), quote)))
    if not literal.path.endswith("/") and (endpoint.rule or "").endswith("/"):
        exact = False  # matched through Flask's trailing-slash redirect: url_for adds the slash
    return BuildCall(endpoint.name, arguments, jinja, quote, exact)


_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")


def _path_value(value: str, converter: str, quote: str) -> str | None:
    if converter == "int":
        if not (value.isascii() and value.isdigit()) or (len(value) > 1 and value.startswith("0")):
            return None  # url_for would drop the leading zeros
        return value
    if converter == "float":
        return value if re.fullmatch(r"[0-9]+\.[0-9]+", value) and str(float(value)) == value else None
    return _string(value, quote)


def _query_arguments(
    query: str, holes: Iterable[str | None], quote: str, taken: set[str], jinja: bool
) -> list[tuple[str, str]] | None:
    """`next=/x&page=2` -> [("next", "'/x'"), ("page", "'2'")]; None when a key cannot be a keyword."""
    arguments: list[tuple[str, str]] = []
    hole_iter = iter(holes)
    for pair in query.split("&"):
        if not pair:
            continue
        key, equals, value = pair.partition("=")
        key = unquote_plus(key)
        if not equals or not _IDENTIFIER.match(key) or keyword.iskeyword(key) or key in taken:
            return None
        if jinja and key in _JINJA_KEYWORDS:
            return None
        taken.add(key)
        if value == HOLE:
            source = next(hole_iter, None)
            if source is None:
                return None
            arguments.append((key, source))
        elif HOLE in value:
            return None
        else:
            arguments.append((key, _string(unquote_plus(value), quote)))
    return arguments


def _string(value: str, quote: str) -> str:
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return f"{quote}{escaped}{quote}"
