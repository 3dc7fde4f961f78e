"""Werkzeug's URL rule syntax, statically: variables, converters, and matching a literal path.

A small re-implementation of `werkzeug.routing.rules._part_re` so the linter does not need the
analysed project's Werkzeug (and never builds a live Map): rules are parsed into segments, and each
rule becomes one regular expression for matching literal paths (FLK203).
"""

from __future__ import annotations

import re
from functools import lru_cache

from flasklint.records import dataclass

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
    def static_text(self) -> str:
        """The rule's literal characters (variables removed), used to rank competing matches."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def is_catch_all(self) -> bool:
        """A rule made only of slashes and variables (`/<path:p>`, `/<page>`) matches nearly any path.

        Such a rule says nothing about whether a literal path is one of the app's own URLs.
        """
        return not self.static_text.strip("/") and bool(self.variables)


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


def _variable_pattern(variable: Variable) -> str:
    if variable.converter == "any":
        return _any_pattern(variable.arguments)
    pattern = _CONVERTER_PATTERNS.get(variable.converter, r"[^/]+")
    signed = variable.arguments and re.search(r"signed\s*=\s*True", variable.arguments)
    if variable.converter in ("int", "float") and signed:
        pattern = "-?" + pattern
    return pattern


HOLE = "\x00"  # placeholder for an f-string hole (or a Jinja expression) inside a candidate path


@lru_cache(maxsize=4096)
def _match_regex(rule: str) -> re.Pattern[str] | None:
    """One named group per variable; a group also accepts a whole HOLE (a value unknown statically)."""
    pieces: list[str] = []
    for part in parse_rule(rule).parts:
        if isinstance(part, str):
            pieces.append(re.escape(part))
        else:
            pieces.append(f"(?P<{part.name}>{HOLE}|{_variable_pattern(part)})")
    try:
        return re.compile("".join(pieces) + r"\Z")
    except re.error:  # a malformed rule (duplicate variable names): Flask rejects it at import anyway
        return None


@lru_cache(maxsize=65536)
def _literal_start(rule: str) -> str:
    """The rule's text before its first variable: every path `_match_regex(rule)` matches starts
    with it. A literal is tried against every rule under its first segment, and compiling each
    rule's pattern was most of FLK203's time on a large project (4,700 patterns for 82 literals)."""
    first = parse_rule(rule).parts[:1]
    return first[0] if first and isinstance(first[0], str) else ""


def match_rule(rule: str, path: str) -> dict[str, str] | None:
    """Match a literal path (holes marked with HOLE) against a rule; returns variable -> value text.

    A hole standing for a whole variable matches it (`f"/posts/{id}"` matches `/posts/<int:id>`);
    a hole never matches the rule's literal text.
    """
    if not path.startswith(_literal_start(rule)):
        return None  # the pattern is anchored at that literal text: no need to build it
    pattern = _match_regex(rule)
    match = pattern.match(path) if pattern is not None else None
    return dict(match.groupdict()) if match else None
