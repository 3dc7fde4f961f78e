"""Werkzeug's URL rule syntax, statically: variables, converters, and matching a literal path.

A small re-implementation of `werkzeug.routing.rules._part_re` so the linter does not need the
analysed project's Werkzeug (and never builds a live Map): rules are parsed into segments, and each
rule becomes one regular expression for matching literal paths (FLK203).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# <converter(arguments):variable> or <variable>, as in werkzeug/routing/rules.py (_part_re).
_VARIABLE_RE = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<args>.*?)\))?:)?(?P<variable>[a-zA-Z_][a-zA-Z0-9_]*)>"
)

DEFAULT_CONVERTERS = frozenset({"default", "string", "any", "path", "int", "float", "uuid"})
# Converters whose values cannot carry markup (route variables that are never XSS sources).
SAFE_CONVERTERS = frozenset({"int", "float", "uuid", "any"})

_CONVERTER_PATTERNS = {
    "default": r"[^/]+",
    "string": r"[^/]+",
    "path": r"[^/].*?",
    "int": r"\d+",
    "float": r"\d+\.\d+",
    "uuid": r"[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}",
}


@dataclass(frozen=True)
class Variable:
    name: str
    converter: str  # "default" when none is given
    arguments: str | None = None


@dataclass(frozen=True)
class ParsedRule:
    rule: str
    parts: tuple[str | Variable, ...]

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(p for p in self.parts if isinstance(p, Variable))

    @property
    def is_catch_all(self) -> bool:
        """A rule that is nothing but a prefix and one `path` variable (`/<path:p>`) matches anything."""
        static = "".join(p for p in self.parts if isinstance(p, str)).strip("/")
        return not static and any(v.converter == "path" for v in self.variables)


@lru_cache(maxsize=4096)
def parse_rule(rule: str) -> ParsedRule:
    parts: list[str | Variable] = []
    position = 0
    for match in _VARIABLE_RE.finditer(rule):
        if match.start() > position:
            parts.append(rule[position : match.start()])
        parts.append(Variable(match["variable"], match["converter"] or "default", match["args"]))
        position = match.end()
    if position < len(rule):
        parts.append(rule[position:])
    return ParsedRule(rule, tuple(parts))


def join_prefix(prefix: str | None, rule: str) -> str:
    """Flask's own joining of a blueprint url_prefix and a rule (sansio/blueprints.py)."""
    if not prefix:
        return rule
    if rule:
        return "/".join((prefix.rstrip("/"), rule.lstrip("/")))
    return prefix


def _any_pattern(arguments: str | None) -> str:
    items = re.findall(r"""['"]([^'"]*)['"]|([A-Za-z0-9_.-]+)""", arguments or "")
    words = [a or b for a, b in items]
    return "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else r"[^/]+"


@lru_cache(maxsize=4096)
def rule_regex(rule: str) -> re.Pattern[str]:
    """A regex matching concrete paths of `rule`; `{}` in a candidate path stands for any value."""
    pieces: list[str] = []
    for part in parse_rule(rule).parts:
        if isinstance(part, str):
            pieces.append(re.escape(part))
        elif part.converter == "any":
            pieces.append(_any_pattern(part.arguments))
        else:
            pieces.append(_CONVERTER_PATTERNS.get(part.converter, r"[^/]+"))
    return re.compile("".join(pieces) + r"\Z")


HOLE = "\x00"  # placeholder for an f-string hole inside a candidate path


def match_rule(rule: str, path: str) -> dict[str, str] | None:
    """Match a literal path (holes marked with HOLE) against a rule; returns variable -> value text.

    A hole matches only a whole variable segment, so `f"/posts/{id}"` matches `/posts/<int:id>`.
    """
    parsed = parse_rule(rule)
    if HOLE not in path:
        match = rule_regex(rule).match(path)
        if not match:
            return None
        return _values_from(parsed, path)
    return _match_with_holes(parsed, path)


def _values_from(parsed: ParsedRule, path: str) -> dict[str, str] | None:
    groups: list[str] = []
    for part in parsed.parts:
        if isinstance(part, str):
            groups.append(re.escape(part))
        else:
            pattern = _CONVERTER_PATTERNS.get(part.converter, r"[^/]+")
            if part.converter == "any":
                pattern = _any_pattern(part.arguments)
            groups.append(f"(?P<{part.name}>{pattern})")
    match = re.match("".join(groups) + r"\Z", path)
    return dict(match.groupdict()) if match else None


def _match_with_holes(parsed: ParsedRule, path: str) -> dict[str, str] | None:
    pieces: list[str] = []
    for part in parsed.parts:
        if isinstance(part, str):
            pieces.append(re.escape(part))
        else:
            pattern = _CONVERTER_PATTERNS.get(part.converter, r"[^/]+")
            if part.converter == "any":
                pattern = _any_pattern(part.arguments)
            pieces.append(f"(?P<{part.name}>{HOLE}|{pattern})")
    match = re.match("".join(pieces) + r"\Z", path)
    return dict(match.groupdict()) if match else None
