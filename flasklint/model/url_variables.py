"""Which values `url_for(endpoint, ...)` must be given, as Werkzeug decides when it builds a URL.

Werkzeug tries every rule of the endpoint (`MapAdapter.build` → `Rule.suitable_for`): a rule is
buildable when each of its variables is either passed or supplied by the rule's `defaults=`. One
buildable rule is enough; when none is, Flask raises `BuildError`. Keywords that are no variable of
the rule become the query string, and url_for's own options (`_external`, `_anchor`, ...) are never
variables. FLK202 asks which variables a call misses; the language server asks which to fill in.
"""

from __future__ import annotations

from typing import Collection, Sequence

from flasklint.model.app_scope import Endpoint
from flasklint.model.routing import parse_rule

# url_for's own keyword arguments: options of the call, never values of the rule.
URL_FOR_OPTIONS = frozenset({"_external", "_anchor", "_method", "_scheme"})


def rule_variables(rule: str) -> tuple[str, ...]:
    """The variable names of a rule, in order, each once (`/<lang>/user/<int:id>` → lang, id)."""
    return tuple(dict.fromkeys(variable.name for variable in parse_rule(rule).variables))


def required_variables(endpoint: Endpoint) -> tuple[str, ...] | None:
    """The variables url_for must pass to build this rule (its `defaults=` removed); None: rule unknown."""
    if endpoint.rule is None:
        return None
    return tuple(name for name in rule_variables(endpoint.rule) if name not in endpoint.defaults)


def missing_variables(endpoints: Sequence[Endpoint], given: Collection[str]) -> list[tuple[str, tuple[str, ...]]] | None:
    """(rule, variables it misses) for each distinct rule, when no rule of the endpoint can be built
    with the keywords `given`; None when one can, or when a rule is not known statically."""
    given = set(given) - URL_FOR_OPTIONS
    missing: dict[str, tuple[str, ...]] = {}
    for endpoint in endpoints:
        required = required_variables(endpoint)
        if required is None:
            return None
        absent = tuple(name for name in required if name not in given)
        if not absent:
            return None
        assert endpoint.rule is not None
        missing.setdefault(endpoint.rule, absent)
    return list(missing.items()) if missing else None


def variables_to_fill(endpoints: Sequence[Endpoint]) -> tuple[str, ...]:
    """The fewest variables that make one rule of the endpoint buildable (the first such rule's, in
    rule order); empty when a rule needs none or a rule is not known statically (fill nothing)."""
    best: tuple[str, ...] | None = None
    for endpoint in endpoints:
        required = required_variables(endpoint)
        if required is None:
            return ()
        if best is None or len(required) < len(best):
            best = required
    return best or ()
