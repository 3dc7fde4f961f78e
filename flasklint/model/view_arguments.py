"""What reaches a view from one route besides the rule's own variables, as the project index knows it.

Flask calls a view with the full rule's variables (a blueprint's url_prefix ones first), the route's
`defaults=` and a blueprint's `url_defaults=`, after the url_value_preprocessors of the app and of the
blueprint (and its parents) have run: those may pop or add any value. FLK204 asks here, per route
decorator (keyed like the index's Endpoint: file and span), what the prefix adds and whether the rest
is knowable.
"""

from __future__ import annotations

from dataclasses import field

from flasklint.model.app_scope import Endpoint
from flasklint.model.facts import FileFacts, Span
from flasklint.model.index import ProjectIndex
from flasklint.model.routing import parse_rule
from flasklint.records import dataclass


@dataclass(frozen=True)
class RouteInfo:
    """What reaches a view from one route besides its own rule, as far as the index knows."""

    preprocessed: bool  # a url_value_preprocessor may pop (or add) its values
    prefix_known: bool  # every full rule is known, and no blueprint url_defaults add values
    prefix_variables: frozenset[str] = frozenset()


@dataclass
class ViewArguments:
    """The project's routes by (file, span), its modules, and where preprocessors and url_defaults apply."""

    endpoints: dict[tuple[str, tuple[int, ...]], list[Endpoint]]
    modules: dict[str, list[FileFacts]] = field(default_factory=dict)
    preprocessed_everywhere: bool = False
    preprocessed_blueprints: set[str] = field(default_factory=set)
    any_preprocessor: bool = False
    defaulted_everywhere: bool = False
    defaulted_blueprints: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, index: ProjectIndex) -> ViewArguments:
        endpoints: dict[tuple[str, tuple[int, ...]], list[Endpoint]] = {}
        for table in index.tables.values():
            for registered in table.endpoints.values():
                for endpoint in registered:
                    endpoints.setdefault((endpoint.path, tuple(endpoint.span)), []).append(endpoint)
        context = cls(endpoints)
        for facts in index.files.values():
            if facts.kind == "python":
                context.modules.setdefault(facts.module, []).append(facts)
            for owner in facts.url_value_preprocessors:
                context.any_preprocessor = True
                names = index.blueprints_registered_as([owner]) if owner else None
                if names is None or "" in names:
                    context.preprocessed_everywhere = True
                else:
                    context.preprocessed_blueprints.update(names)
            refs = [b.ref for b in facts.blueprints if b.url_defaults]
            refs += [r.child or "" for r in facts.registrations if r.url_defaults]
            for ref in refs:
                names = index.blueprints_registered_as([ref]) if ref else None
                if names is None:
                    context.defaulted_everywhere = True
                else:
                    context.defaulted_blueprints.update(n for n in names if n)
        return context

    def route(self, path: str, span: Span, own_variables: list[str]) -> RouteInfo:
        """What the route registered at `span` of `path` passes besides its own rule's `own_variables`."""
        found = self.endpoints.get((path, tuple(span)), [])
        if not found:
            return RouteInfo(preprocessed=self.any_preprocessor, prefix_known=False)
        preprocessed = any(self._under(e, self.preprocessed_everywhere, self.preprocessed_blueprints) for e in found)
        defaulted = any(
            e.blueprint is not None and self._under(e, self.defaulted_everywhere, self.defaulted_blueprints)
            for e in found
        )
        rules = [e.rule for e in found]
        variables = {v.name for rule in rules if rule is not None for v in parse_rule(rule).variables}
        known = not defaulted and all(rule is not None for rule in rules)
        return RouteInfo(preprocessed, known, frozenset(variables - set(own_variables)))

    @staticmethod
    def _under(endpoint: Endpoint, everywhere: bool, blueprints: set[str]) -> bool:
        """Does a callback of these blueprints (or of every app) run for this endpoint's requests?"""
        if everywhere:
            return True
        name = endpoint.blueprint
        return name is not None and any(name == b or name.startswith(b + ".") for b in blueprints)
