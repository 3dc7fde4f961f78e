"""The project index: every file's facts resolved together.

Answers the cross-file questions (which endpoints exist, under which full rule; is a secret key
set; which templates exist) and, as important, records where it is *incomplete* so project-wide
rules can stay silent instead of crying wolf.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Sequence

from flasklint.model.facts import AppDef, BlueprintDef, FileFacts, RouteDef, Span
from flasklint.model.routing import join_prefix, match_rule, parse_rule

ANY_APP = "<app>"
# Parameter names that, in `def register_views(app): @app.route(...)`, almost always hold the app.
APP_PARAMETER_NAMES = frozenset({"app", "application", "flask_app", "wsgi_app"})
# Flask extensions known to register no blueprint; any other imported `flask_*` package may (Flask-Admin's
# "admin", Flask-Security's "security", Flask-Bootstrap's "bootstrap", ...), so endpoints of blueprints the
# index does not know are then not reported as unknown.
EXTENSIONS_WITHOUT_BLUEPRINTS = frozenset(
    {
        "flask_sqlalchemy", "flask_migrate", "flask_login", "flask_wtf", "flask_cors", "flask_caching",
        "flask_mail", "flask_babel", "flask_limiter", "flask_compress", "flask_session", "flask_bcrypt",
        "flask_marshmallow", "flask_moment", "flask_talisman", "flask_socketio", "flask_jwt_extended",
        "flask_httpauth", "flask_pymongo", "flask_redis", "flask_sslify", "flask_assets", "flask_principal",
        "flask_script", "flask_testing", "flask_seasurf", "flask_executor", "flask_restful", "flask_mongoengine",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    """One buildable endpoint, with its full rule (prefixes applied)."""

    name: str
    rule: str | None  # None: not a literal, or a prefix could not be computed
    path: str  # the file that registers it
    span: Span
    view: str | None = None
    methods: tuple[str, ...] | None = None
    blueprint: str | None = None  # registered blueprint name ("auth", "parent.child")
    view_span: Span | None = None


@dataclass(frozen=True)
class TemplateJinja:
    """The Jinja environment a template is rendered with, as far as the index knows it."""

    extensions: frozenset[str] = frozenset()  # dotted names added by the owning app(s)
    custom_syntax: bool = False  # other delimiters: Jinja's default parse of the file proves nothing
    opaque: bool = False  # options or extensions the index cannot read: any tag may be valid
    context_names: frozenset[str] = frozenset()  # names put into the context (`url_for` replaced, say)


@dataclass
class _Mount:
    """Where a blueprint ends up: its full registered name and url prefix."""

    name: str
    prefix: str | None
    prefix_known: bool


@dataclass
class ProjectIndex:
    root: str
    files: dict[str, FileFacts]
    endpoints: dict[str, list[Endpoint]] = field(default_factory=dict)
    # No app found, or a registration on an app could not be resolved: any endpoint may exist.
    endpoints_incomplete: bool = False
    incomplete_blueprints: set[str] = field(default_factory=set)
    blueprint_names: set[str] = field(default_factory=set)  # every registered name ("auth", "admin.child")
    # A blueprint the index cannot name may be registered (an extension's, a computed one): any
    # "<unknown blueprint>.<x>" endpoint may exist; "<known blueprint>.<x>" and "<x>" stay checkable.
    foreign_blueprints: bool = False
    # Endpoints registered on an object that may be the app or any blueprint (a function parameter,
    # a Flask-RESTful Api): "<x>" and "<any blueprint>.<x>" may exist.
    unplaced_endpoints: set[str] = field(default_factory=set)
    has_app: bool = False  # an app is created outside test files
    app_count: int = 0  # apps created outside test files (endpoints of several apps share one table)
    secret_key_set: bool = False
    secret_key_unknowable: bool = False
    template_folders: list[str] = field(default_factory=list)  # project-relative POSIX dirs
    templates: set[str] = field(default_factory=set)  # template names as render_template sees them
    converters: set[str] = field(default_factory=set)
    _builder: "_Builder | None" = field(default=None, repr=False, compare=False)
    _routable: dict[str | None, list[Endpoint]] | None = field(default=None, repr=False, compare=False)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build(cls, root: str, files: dict[str, FileFacts]) -> "ProjectIndex":
        index = cls(root=root, files=files)
        index._builder = _Builder(index)
        index._builder.run()
        return index

    # -- queries ----------------------------------------------------------------------------
    def endpoint_exists(self, name: str) -> bool:
        return name in self.endpoints

    def endpoint_may_exist(self, name: str) -> bool:
        """True when the index cannot rule the endpoint out (it is known, or that part is incomplete)."""
        if name in self.endpoints or self.endpoints_incomplete:
            return True
        blueprint, _, local = name.rpartition(".")
        if local in self.unplaced_endpoints:
            return True
        if blueprint and self.foreign_blueprints and blueprint not in self.blueprint_names:
            return True
        while blueprint:
            if blueprint in self.incomplete_blueprints:
                return True
            blueprint = blueprint.rpartition(".")[0]
        return False

    def closest_endpoints(self, name: str, limit: int = 3, among: list[str] | None = None) -> list[str]:
        """Likely intended endpoints: same last component in another blueprint first, then difflib's."""
        candidates = sorted(self.endpoints) if among is None else sorted(among)
        local = name.rpartition(".")[2]
        same_view = [c for c in candidates if c != name and c.rpartition(".")[2] == local]
        similar = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.6)
        return list(dict.fromkeys(same_view + similar))[:limit]

    def blueprints_registered_as(self, refs: list[str]) -> list[str] | None:
        """Registered names of the objects behind route-owner refs: "" for the app, "auth" for a blueprint.

        Used to resolve a relative `url_for(".view")` in a view; None when any owner is unknown.
        """
        if not refs or self._builder is None:
            return None
        names: list[str] = []
        for ref in refs:
            resolved = self._builder.resolve(ref)
            if resolved is None or resolved[0] == "unplaced":
                return None
            if resolved[0] == "app":
                names.append("")
            else:
                names.extend(m.name for m in self._builder.mounts(resolved[1]))
        return sorted(set(names))

    def endpoint_names(self, name: str, view_owners: Sequence[str] = ()) -> list[str] | None:
        """The full endpoint names `url_for(name)` builds, as Flask resolves them.

        A relative ".view" names the view in the blueprint of the request's view: `view_owners` are
        the route-owner refs of the view the call is written in (`UrlForCall.blueprints`); in a view
        of the app it is "view". None when that blueprint is unknown (a template, a helper, an owner
        the index cannot follow): the request may be in any blueprint, or in the app.
        """
        if not name.startswith("."):
            return [name]
        blueprints = self.blueprints_registered_as(list(view_owners))
        if not blueprints:
            return None
        local = name[1:]
        return [f"{blueprint}.{local}" if blueprint else local for blueprint in blueprints]

    def resolve_endpoint(self, name: str, view_owners: Sequence[str] = ()) -> list[Endpoint]:
        """The endpoints `url_for(name)` may build (a relative name in an unknown blueprint: every match)."""
        names = self.endpoint_names(name, view_owners)
        if names is None:
            local = name[1:]
            names = [full for full in sorted(self.endpoints) if full.rpartition(".")[2] == local]
        return [endpoint for full in names for endpoint in self.endpoints.get(full, [])]

    def url_for_may_build(self, name: str, view_owners: Sequence[str] = ()) -> bool:
        """False only when the index rules out every endpoint `url_for(name)` may mean (see endpoint_names)."""
        names = self.endpoint_names(name, view_owners)
        if names is not None:
            return any(self.endpoint_may_exist(full) for full in names)
        local = name[1:]
        return (
            self.foreign_blueprints
            or self.endpoint_may_exist(local)
            or any(self.endpoint_may_exist(f"{blueprint}.{local}") for blueprint in self.blueprint_names)
        )

    def relative_endpoint_names(self, view_owners: Sequence[str] = ()) -> list[str]:
        """The ".view" names a url_for in a view of these owners can build (any blueprint's when unknown)."""
        blueprints = self.blueprints_registered_as(list(view_owners))
        if not blueprints:
            return sorted({"." + name.rpartition(".")[2] for name in self.endpoints})
        return sorted(
            {
                "." + name.rpartition(".")[2]
                for name, endpoints in self.endpoints.items()
                if any((endpoint.blueprint or "") in blueprints for endpoint in endpoints)
            }
        )

    def template_files(self, name: str) -> list[str]:
        """Project-relative paths of the files `render_template(name)` may load: `name` in each template
        folder, where the project holds such a file (analysed, or on disk: excluded, another suffix)."""
        found = []
        for folder in self.template_folders:
            relative = str(PurePosixPath(folder) / name) if folder not in ("", ".") else name
            if relative in self.files or (Path(self.root) / relative).is_file():
                found.append(relative)
        return found

    def is_flask_template(self, path: str) -> bool:
        """Can an app or blueprint the index found load this file as a template? (A `templates/` folder
        of a Helm chart or a cookiecutter is not one.)"""
        return any(
            folder in ("", ".") or path.startswith(folder.rstrip("/") + "/") for folder in self.template_folders
        )

    def template_jinja(self, path: str) -> TemplateJinja:
        """The Jinja settings of the app(s) that may render `path` (their union when ownership is unknown)."""
        extensions: set[str] = set()
        names: set[str] = set()
        custom_syntax = opaque = False
        for facts in self.files.values():
            for setting in facts.jinja_settings:
                extensions.update(setting.extensions)
                names.update(setting.context_names)
                custom_syntax = custom_syntax or setting.custom_syntax
                opaque = opaque or setting.opaque
        return TemplateJinja(frozenset(extensions), custom_syntax, opaque, frozenset(names))

    def match_path(self, path: str) -> list[tuple[Endpoint, dict[str, str]]]:
        """Endpoints whose full rule matches a literal path (holes allowed), the most specific first.

        Catch-all rules never count, nor rules registered only in test files. A path without its
        trailing slash also matches a rule with one (Flask redirects to it).
        """
        found = self._match(path)
        if not found and not path.endswith("/"):
            found = self._match(path + "/")
        return sorted(found, key=lambda item: -_specificity(item[0].rule or ""))

    def _match(self, path: str) -> list[tuple[Endpoint, dict[str, str]]]:
        if self._routable is None:
            self._routable = self._routable_by_first_segment()
        candidates = self._routable.get(_first_segment(path), []) + self._routable.get(None, [])
        found: list[tuple[Endpoint, dict[str, str]]] = []
        for endpoint in candidates:
            assert endpoint.rule is not None
            values = match_rule(endpoint.rule, path)
            if values is not None:
                found.append((endpoint, values))
        return found

    def _routable_by_first_segment(self) -> dict[str | None, list[Endpoint]]:
        """Endpoints a literal may match, keyed by their rule's first literal segment (None: a variable)."""
        table: dict[str | None, list[Endpoint]] = {}
        for endpoints in self.endpoints.values():
            for endpoint in endpoints:
                if endpoint.rule is None or parse_rule(endpoint.rule).is_catch_all:
                    continue
                registering = self.files.get(endpoint.path)
                if registering is not None and registering.is_test:
                    continue
                parts = parse_rule(endpoint.rule).parts
                first = parts[0] if parts and isinstance(parts[0], str) else None
                if first is None or (len(parts) > 1 and "/" not in first[1:]):
                    key = None  # "/<lang>/x", "/user<id>": the first segment holds a variable
                else:
                    key = _first_segment(first)
                table.setdefault(key, []).append(endpoint)
        return table


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _specificity(rule: str) -> int:
    """Werkzeug tries rules with more literal text first: `/users/new` beats `/users/<name>`."""
    return len(parse_rule(rule).static_text)


class _Builder:
    """Resolves refs across modules (imports, re-exports, factories) and fills the index."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.by_module: dict[str, FileFacts] = {f.module: f for f in index.files.values() if f.kind == "python"}
        self.apps: dict[str, tuple[FileFacts, AppDef]] = {}
        self.blueprints: dict[str, tuple[FileFacts, BlueprintDef]] = {}
        self.factories: dict[str, str] = {}  # "pkg.create_app" -> app ref made inside it
        for facts in self.by_module.values():
            for app in facts.apps:
                self.apps[app.ref] = (facts, app)
                if app.factory:
                    self.factories[f"{facts.module}.{app.factory}"] = app.ref
            for blueprint in facts.blueprints:
                self.blueprints[blueprint.ref] = (facts, blueprint)
        self._mounts: dict[str, list[_Mount]] = {}

    # -- ref resolution --------------------------------------------------------------------
    def resolve(self, ref: str | None, depth: int = 0) -> tuple[str, str] | None:
        """("app", ref) / ("blueprint", ref) / ("unplaced", ref) for a ref naming a Flask object, else None.

        "unplaced": an object that may be the app or any blueprint (a parameter, an extension's Api).
        """
        if ref is None or depth > 12:
            return None
        if ref.startswith("extension:"):
            return ("unplaced", ref)
        if ref.startswith("param:"):
            if not self.apps:
                return None
            name = ref[len("param:") :]
            return ("app", ANY_APP) if name in APP_PARAMETER_NAMES else ("unplaced", ref)
        if ref in self.apps:
            return ("app", ref)
        if ref in self.blueprints:
            return ("blueprint", ref)
        if ref.startswith("call:"):
            made = self.factories.get(ref[5:])
            return ("app", made) if made else None
        module, _, name = ref.rpartition(".")
        facts = self.by_module.get(module)
        if facts is not None:
            if ref in facts.aliases:
                return self.resolve(facts.aliases[ref], depth + 1)
            if name in facts.imports:
                return self.resolve(facts.imports[name], depth + 1)
        return None

    def mounts(self, blueprint_ref: str, depth: int = 0) -> list[_Mount]:
        """Every (name, prefix) a blueprint is registered under, nested registrations included."""
        if blueprint_ref in self._mounts:
            return self._mounts[blueprint_ref]
        _, blueprint = self.blueprints[blueprint_ref]
        mounts: list[_Mount] = []
        self._mounts[blueprint_ref] = mounts  # guards against registration cycles
        for facts in self.by_module.values():
            for registration in facts.registrations:
                if self.resolve(registration.child) != ("blueprint", blueprint_ref):
                    continue
                own_name = registration.name or blueprint.name
                if own_name is None:
                    continue
                if registration.url_prefix_given:
                    prefix, known = registration.url_prefix, registration.url_prefix_known
                else:
                    prefix, known = blueprint.url_prefix, blueprint.url_prefix_known
                parent = self.resolve(registration.parent)
                if parent is None or parent[0] == "unplaced":
                    # Registered on something we cannot follow: the name most likely holds, the prefix may not.
                    mounts.append(_Mount(own_name, prefix, False))
                elif parent[0] == "app":
                    mounts.append(_Mount(own_name, prefix, known))
                elif depth < 8:
                    for outer in self.mounts(parent[1], depth + 1):
                        joined = join_prefix(outer.prefix, prefix or "") if prefix else outer.prefix
                        mounts.append(_Mount(f"{outer.name}.{own_name}", joined, known and outer.prefix_known))
        if not mounts and blueprint.name:
            # Registered somewhere we cannot see (a loop, a helper): the name holds, the prefix may be overridden.
            mounts.append(_Mount(blueprint.name, blueprint.url_prefix, False))
        return mounts

    # -- filling the index -----------------------------------------------------------------
    def run(self) -> None:
        index = self.index
        index.app_count = sum(1 for facts, _ in self.apps.values() if not facts.is_test)
        index.has_app = index.app_count > 0
        if not index.has_app:
            index.endpoints_incomplete = True
        self._blueprint_names()
        for facts in self.by_module.values():
            index.converters.update(facts.converters)
            if any(e not in EXTENSIONS_WITHOUT_BLUEPRINTS for e in facts.extensions):
                index.foreign_blueprints = True
            for registration in facts.registrations:
                child = self.resolve(registration.child)
                if child is None or child[0] != "blueprint":
                    index.foreign_blueprints = True
            for route in facts.routes:
                self._add_route(facts, route)
            self._unresolved(facts)
        self._static_endpoints()
        self._secret_key()
        self._templates()

    def _blueprint_names(self) -> None:
        for ref, (_, blueprint) in self.blueprints.items():
            mounts = self.mounts(ref)
            if not mounts:  # a computed name: its endpoints are "<something>.<view>"
                self.index.foreign_blueprints = True
            self.index.blueprint_names.update(m.name for m in mounts)

    def _add(self, endpoint: Endpoint) -> None:
        self.index.endpoints.setdefault(endpoint.name, []).append(endpoint)

    def _add_route(self, facts: FileFacts, route: RouteDef) -> None:
        owner = self.resolve(route.owner)
        if owner is None:
            self.index.endpoints_incomplete = True
            return
        assert route.endpoint is not None
        methods = tuple(route.methods) if route.methods else None
        if owner[0] == "unplaced":
            self.index.unplaced_endpoints.add(route.endpoint)
            return
        if owner[0] == "app":
            self._add(Endpoint(route.endpoint, route.rule, facts.path, route.span, route.view, methods, None, route.view_span))
            return
        for mount in self.mounts(owner[1]):
            rule = None
            if route.rule is not None and mount.prefix_known:
                rule = join_prefix(mount.prefix, route.rule)
            self._add(
                Endpoint(
                    f"{mount.name}.{route.endpoint}", rule, facts.path, route.span, route.view, methods, mount.name,
                    route.view_span,
                )
            )

    def _unresolved(self, facts: FileFacts) -> None:
        for item in facts.unresolved:
            if item.what == "blueprint":
                self.index.foreign_blueprints = True
            if item.what != "endpoint":
                continue
            owner = self.resolve(item.owner)
            if owner is not None and owner[0] == "blueprint":
                self.index.incomplete_blueprints.update(m.name for m in self.mounts(owner[1]))
            else:
                self.index.endpoints_incomplete = True

    def _static_endpoints(self) -> None:
        for facts, app in self.apps.values():
            if app.has_static:
                rule = f"{app.static_url_path.rstrip('/')}/<path:filename>" if app.static_url_path is not None else None
                self._add(Endpoint("static", rule, facts.path, app.span))
        for ref, (facts, blueprint) in self.blueprints.items():
            if not blueprint.has_static:
                continue
            for mount in self.mounts(ref):
                rule = None
                if mount.prefix_known and blueprint.static_url_path is not None:
                    rule = join_prefix(mount.prefix, f"{blueprint.static_url_path.rstrip('/')}/<path:filename>")
                self._add(Endpoint(f"{mount.name}.static", rule, facts.path, blueprint.span, blueprint=mount.name))

    def _secret_key(self) -> None:
        """Is a key set (or could one be)? Test files do not count: production never runs them, and a
        key set only by a test fixture is exactly the bug FLK302 reports."""
        index = self.index
        production = [facts for facts in self.by_module.values() if not facts.is_test]
        class_or_module_keys = False
        for facts in production:
            if facts.custom_session_interface:
                index.secret_key_unknowable = True
            for key in facts.secret_keys:
                if key.how in ("class_attribute", "module_constant"):
                    class_or_module_keys = True
                else:
                    index.secret_key_set = True
        for facts in production:
            for load in facts.config_loads:
                if load.method == "from_object" and not load.opaque:
                    if class_or_module_keys:
                        index.secret_key_set = True
                    elif not self._is_project_symbol(load.target):
                        index.secret_key_unknowable = True
                else:
                    index.secret_key_unknowable = True

    def _is_project_symbol(self, ref: str | None) -> bool:
        if not ref:
            return False
        if ref in self.by_module:
            return True
        module = ref.rpartition(".")[0]
        while module:
            if module in self.by_module:
                return True
            module = module.rpartition(".")[0]
        return False

    def _templates(self) -> None:
        index = self.index
        folders: list[str] = []
        for facts, app in self.apps.values():
            if app.template_folder is not None:
                folders.append(self._folder(facts, app.root_module, app.template_folder))
        for facts, blueprint in self.blueprints.values():
            if blueprint.template_folder is not None:
                folders.append(self._folder(facts, blueprint.root_module, blueprint.template_folder))
        index.template_folders = sorted(set(folders))
        for path, facts in index.files.items():
            if facts.kind != "template":
                continue
            for folder in index.template_folders:
                prefix = folder.rstrip("/") + "/" if folder not in ("", ".") else ""
                if path.startswith(prefix):
                    index.templates.add(path[len(prefix) :])

    def _folder(self, facts: FileFacts, root_module: str, folder: str) -> str:
        """Template folders are relative to the directory of the module named by import_name."""
        owner = self.by_module.get(root_module, facts)
        base = PurePosixPath(owner.path).parent
        return str(base / folder) if str(base) != "." else folder
