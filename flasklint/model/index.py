"""The project index: every file's facts resolved together, per app.

Answers the cross-file questions (which endpoints an app has, under which full rule; is its secret
key set; which templates it loads, with which Jinja settings) and, as important, records where it is
*incomplete* so project-wide rules can stay silent instead of crying wolf. Rules ask a view
(`view_for`, `template_view`): the app(s) owning the code they check, or all apps when the owner is
unknown.
"""

from __future__ import annotations

from dataclasses import field
from typing import Callable, Hashable, Sequence, TypeVar

from flasklint.model.app_scope import ANY_APP, AppTable, AppView, Endpoint, TablesCache, TemplateJinja
from flasklint.model.facts import FileFacts
from flasklint.model.index_builder import IndexBuilder
from flasklint.records import dataclass

__all__ = ["ANY_APP", "Endpoint", "ProjectIndex", "TemplateJinja"]

T = TypeVar("T")

# Template context names that replace Flask's own helpers (a custom `url_for`).
_FLASK_HELPERS = frozenset({"url_for"})


@dataclass
class ProjectIndex:
    root: str
    files: dict[str, FileFacts]
    tables: dict[str, AppTable] = field(default_factory=dict)
    has_app: bool = False  # an app is created outside test files
    app_count: int = 0  # apps created outside test files
    # A config class or module constant sets a key and a project object is loaded with from_object: the
    # index does not follow which app loads which object, so every app may have a key.
    secret_key_by_config: bool = False
    secret_key_unknowable: bool = False  # an opaque loader, a custom session interface, a foreign object
    converters: set[str] = field(default_factory=set)
    _builder: IndexBuilder | None = field(default=None, repr=False, compare=False)
    _everywhere: AppView | None = field(default=None, repr=False, compare=False)
    _render_context: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    # Template name ("" for a computed one) -> who loads it: (the loading file, the route owners of its view)
    _loads: dict[str, list[tuple[FileFacts, list[str]]]] = field(default_factory=dict, repr=False, compare=False)
    _views: dict[tuple[tuple[str, ...], bool, str | None], AppView] = field(default_factory=dict, repr=False, compare=False)
    # Table keys -> what every view of those tables shares, whichever file asked (see TablesCache).
    _caches: dict[tuple[str, ...], TablesCache] = field(default_factory=dict, repr=False, compare=False)
    # Template path -> its apps, its Jinja settings: asked by each template rule of each template, and
    # each answer walks every template folder of the project (one per blueprint in a large one).
    _template_apps: dict[str, list[str]] = field(default_factory=dict, repr=False, compare=False)
    _template_jinja: dict[str, TemplateJinja] = field(default_factory=dict, repr=False, compare=False)
    # What a project rule computes once from every file's facts (see `derived`).
    _derived: dict[Hashable, object] = field(default_factory=dict, repr=False, compare=False)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def build(cls, root: str, files: dict[str, FileFacts]) -> "ProjectIndex":
        index = cls(root=root, files=files)
        builder = IndexBuilder(files)
        index._builder = builder
        index.tables = builder.run()
        index.app_count = len(builder.production_apps)
        index.has_app = index.app_count > 0
        for facts in files.values():
            index.converters.update(facts.converters)
        index._secret_key_sources()
        index._render_contexts()
        return index

    def _secret_key_sources(self) -> None:
        """Test files do not count: production never runs them, and a key set only by a test fixture is
        exactly the bug FLK302 reports."""
        production = [facts for facts in self.files.values() if facts.kind == "python" and not facts.is_test]
        class_or_module_keys = any(
            key.how in ("class_attribute", "module_constant") for facts in production for key in facts.secret_keys
        )
        for facts in production:
            if facts.custom_session_interface:
                self.secret_key_unknowable = True
            for load in facts.config_loads:
                if load.method == "from_object" and not load.opaque:
                    if class_or_module_keys:
                        self.secret_key_by_config = True
                    elif not self._is_project_symbol(load.target):
                        self.secret_key_unknowable = True
                else:
                    self.secret_key_unknowable = True

    def _is_project_symbol(self, ref: str | None) -> bool:
        assert self._builder is not None
        return bool(ref) and (ref in self._builder.modules or self._builder.locate(ref, None) is not None)

    def _render_contexts(self) -> None:
        """Who loads each template name (render_template, extends/include/import), and the names
        `render_template(name, url_for=...)` passes ("" for a computed name)."""
        for facts in self.files.values():
            for ref in facts.template_refs:
                self._loads.setdefault(ref.name, []).append((facts, ref.owners))
                names = _FLASK_HELPERS.intersection(ref.context)
                if names and facts.kind == "python":
                    self._render_context.setdefault(ref.name, set()).update(names)

    def rendering_apps(self, path: str, visiting: frozenset[str] = frozenset()) -> set[str] | None:
        """The apps whose code renders this template, directly or through the templates that extend or
        include it; None when one of its loaders is not known (a helper, a computed name, nothing at all:
        an extension may render it)."""
        if path in visiting:
            return set()  # a cycle of includes adds no app
        loads = [
            load
            for name in ["", *self.template_names(path, self.template_folders)]
            for load in self._loads.get(name, [])
        ]
        if not loads:
            return None
        apps: set[str] = set()
        assert self._builder is not None
        for facts, owners in loads:
            if facts.kind == "python":
                found = self._builder.apps_of(owners, facts)
                found_set = set(found) if found is not None else None
            else:
                found_set = self.rendering_apps(facts.path, visiting | {path})
            if found_set is None:
                return None
            apps |= found_set
        return apps

    # -- what project rules derive from every file -------------------------------------------
    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per index and per state of its files: a project rule's whole-project
        answer (which render calls reach a template, the project's autoescape settings), asked
        for each file it checks. Rules are shared singletons, so the answer lives here, with the
        facts it was computed from, not on the rule."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[return-value]

    def facts_changed(self) -> None:
        """A file's facts were replaced but the index inputs stayed the same (an edit inside a view
        body: the language server keeps the index): what rules derived from the old facts goes."""
        self._derived.clear()

    # -- views ------------------------------------------------------------------------------
    @property
    def everywhere(self) -> AppView:
        """Every app at once: what the project as a whole may build (the language server's navigation)."""
        if self._everywhere is None:
            self._everywhere = self._view(list(self.tables), proven=False, origin=None)
        return self._everywhere

    def view_for(self, facts: FileFacts, owners: Sequence[str] = ()) -> AppView:
        """The app(s) that run code in `facts`: those its view is registered on (`owners`, the
        route-owner refs of the enclosing view), else every app a file of its kind may belong to."""
        assert self._builder is not None
        apps = self._builder.apps_of(list(owners), facts) if owners else None
        if apps is None and facts.kind == "template":
            view = self.template_view(facts.path)
            return view if view is not None else self.everywhere
        if apps is None:
            production = self._builder.production_apps
            apps = production if production and not facts.is_test else [k for k in self.tables if k != ANY_APP]
        return self._view(apps, proven=len(apps) == 1, origin=facts)

    def template_view(self, path: str) -> AppView | None:
        """The app(s) that can load this file as a template; None when none can (not a Flask template)."""
        apps = self.template_apps(path)
        if apps:
            return self._view(apps, proven=len(apps) == 1, origin=None)
        if _in_folders(path, self.tables[ANY_APP].template_folders):
            return self.everywhere
        return None

    def template_apps(self, path: str) -> list[str]:
        """The apps that may render this file: those whose template folders hold it, narrowed to those
        whose code renders it when every loader of the template is known."""
        if path not in self._template_apps:
            self._template_apps[path] = self._find_template_apps(path)
        return list(self._template_apps[path])

    def _find_template_apps(self, path: str) -> list[str]:
        apps = sorted(key for key, table in self.tables.items() if key != ANY_APP and _in_folders(path, table.template_folders))
        if len(apps) > 1:
            rendering = self.rendering_apps(path)
            narrowed = [app for app in apps if rendering is not None and app in rendering]
            if narrowed:
                return narrowed
        return apps

    def _view(self, apps: Sequence[str], proven: bool, origin: FileFacts | None) -> AppView:
        """One view per (apps, importer): a file asks for the same view once per url_for call, and a view
        merges its tables' endpoints on first use."""
        key = (tuple(apps), proven, origin.path if origin is not None else None)
        if key not in self._views:
            self._views[key] = self._new_view(apps, proven, origin)
        return self._views[key]

    def _new_view(self, apps: Sequence[str], proven: bool, origin: FileFacts | None) -> AppView:
        assert self._builder is not None
        builder = self._builder
        tables = [self.tables[key] for key in apps if key in self.tables and key != ANY_APP] + [self.tables[ANY_APP]]
        return AppView(
            tables,
            proven,
            self.root,
            lambda relative: relative in self.files,
            lambda refs: builder.blueprints_registered_as(list(refs), origin),
            self._caches.setdefault(tuple(table.key for table in tables), TablesCache()),
        )

    # -- templates --------------------------------------------------------------------------
    def is_flask_template(self, path: str) -> bool:
        """Can an app or blueprint the index found load this file as a template? (A `templates/` folder
        of a Helm chart or a cookiecutter is not one.)"""
        return self.template_view(path) is not None

    def template_jinja(self, path: str) -> TemplateJinja:
        """The Jinja settings of the app(s) that may render `path` (their union when ownership is unknown),
        with the names `render_template` calls pass to it."""
        if path not in self._template_jinja:
            self._template_jinja[path] = self._find_template_jinja(path)
        return self._template_jinja[path]

    def _find_template_jinja(self, path: str) -> TemplateJinja:
        view = self.template_view(path) or self.everywhere
        jinja = view.jinja
        passed = set(self._render_context.get("", ()))
        for name in self.template_names(path, view.template_folders):
            passed.update(self._render_context.get(name, ()))
        if not passed:
            return jinja
        return TemplateJinja(jinja.extensions, jinja.custom_syntax, jinja.opaque, jinja.context_names | passed)

    @staticmethod
    def template_names(path: str, folders: Sequence[str]) -> list[str]:
        """The names `render_template` loads this file by: its path inside each folder holding it."""
        names = []
        for folder in folders:
            if folder in ("", "."):
                names.append(path)
            elif path.startswith(folder.rstrip("/") + "/"):
                names.append(path[len(folder.rstrip("/")) + 1 :])
        return names

    @property
    def template_folders(self) -> list[str]:
        return self.everywhere.template_folders

    @property
    def templates(self) -> set[str]:
        """Template names as render_template sees them (any app)."""
        return self.templates_of(self.everywhere)

    def templates_of(self, view: AppView) -> set[str]:
        """Template names as render_template sees them in the app(s) of a view (each FLK401 report asks:
        worked out once per set of tables, every template against every folder)."""
        if view.cache.template_names is None:
            folders = view.template_folders
            view.cache.template_names = {
                name
                for path, facts in self.files.items()
                if facts.kind == "template"
                for name in self.template_names(path, folders)
            }
        return set(view.cache.template_names)

    # -- the project as a whole (every app) -------------------------------------------------
    @property
    def endpoints(self) -> dict[str, list[Endpoint]]:
        return self.everywhere.endpoints

    @property
    def endpoints_incomplete(self) -> bool:
        return self.everywhere.endpoints_incomplete

    @property
    def foreign_blueprints(self) -> bool:
        return self.everywhere.foreign_blueprints

    @property
    def blueprint_names(self) -> set[str]:
        return self.everywhere.blueprint_names

    @property
    def secret_key_set(self) -> bool:
        return self.secret_key_by_config or self.everywhere.secret_key_set

    def endpoint_exists(self, name: str) -> bool:
        return name in self.endpoints

    def endpoint_may_exist(self, name: str) -> bool:
        return self.everywhere.endpoint_may_exist(name)

    def closest_endpoints(self, name: str, limit: int = 3, among: list[str] | None = None) -> list[str]:
        return self.everywhere.closest_endpoints(name, limit, among)

    def blueprints_registered_as(self, refs: list[str]) -> list[str] | None:
        assert self._builder is not None
        return self._builder.blueprints_registered_as(refs, None)

    def endpoint_names(self, name: str, view_owners: Sequence[str] = ()) -> list[str] | None:
        return self.everywhere.endpoint_names(name, view_owners)

    def resolve_endpoint(self, name: str, view_owners: Sequence[str] = ()) -> list[Endpoint]:
        return self.everywhere.resolve_endpoint(name, view_owners)

    def url_for_may_build(self, name: str, view_owners: Sequence[str] = ()) -> bool:
        return self.everywhere.url_for_may_build(name, view_owners)

    def relative_endpoint_names(self, view_owners: Sequence[str] = ()) -> list[str]:
        return self.everywhere.relative_endpoint_names(view_owners)

    def template_files(self, name: str) -> list[str]:
        return self.everywhere.template_files(name)

    def match_path(self, path: str) -> list[tuple[Endpoint, dict[str, str]]]:
        return self.everywhere.match_path(path)


def _in_folders(path: str, folders: set[str] | Sequence[str]) -> bool:
    return any(folder in ("", ".") or path.startswith(folder.rstrip("/") + "/") for folder in folders)
