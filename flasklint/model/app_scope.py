"""What one app can build and load, and questions asked of one or several apps at once.

Flask resolves `url_for` against the app handling the request, loads templates from that app's
folders and its blueprints', and renders them with that app's Jinja environment. So the index keeps
one `AppTable` per app, plus one for registrations it cannot attribute (`ANY_APP`: a view registered
on a parameter, a blueprint mounted on an object it cannot follow), which every app may hold. A rule
asks an `AppView`: the tables of the app(s) owning the code it checks (all of them when ownership is
unknown) with the unattributed one.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import field
from pathlib import PurePosixPath
from typing import Callable, Sequence

from flasklint.model.facts import Span
from flasklint.model.routing import match_rule, parse_rule
from flasklint.records import dataclass

ANY_APP = "<app>"
# The errors pathlib's is_file() takes as "not a file" (pathlib._IGNORED_ERRNOS, _IGNORED_WINERRORS).
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_MISSING_ON_WINDOWS = frozenset({21, 123, 1921})  # not ready, invalid name, a symbolic link loop


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
    app: str = ANY_APP  # the key of the app it belongs to
    in_test: bool = False  # registered in a test file: never a hardcoded URL's match
    defaults: tuple[str, ...] = ()  # names given by the registration's `defaults=`: url_for need not pass them


@dataclass(frozen=True)
class TemplateJinja:
    """The Jinja environment a template is rendered with, as far as the index knows it."""

    extensions: frozenset[str] = frozenset()  # dotted names added by the owning app(s)
    custom_syntax: bool = False  # other delimiters: Jinja's default parse of the file proves nothing
    opaque: bool = False  # options or extensions the index cannot read: any tag may be valid
    context_names: frozenset[str] = frozenset()  # names put into the context (`url_for` replaced, say)


@dataclass
class AppTable:
    """One app's endpoints, blueprints, template folders, Jinja settings and secret-key state."""

    key: str
    path: str | None = None  # the file creating it (None for ANY_APP)
    is_test: bool = False
    endpoints: dict[str, list[Endpoint]] = field(default_factory=dict)
    # A registration on this app could not be resolved: any endpoint may exist.
    endpoints_incomplete: bool = False
    incomplete_blueprints: set[str] = field(default_factory=set)
    blueprint_names: set[str] = field(default_factory=set)  # every registered name ("auth", "admin.child")
    # A blueprint the index cannot name may be registered (an extension's, a computed one).
    foreign_blueprints: bool = False
    # Endpoints registered on an object that may be the app or any blueprint (a parameter, a Flask-RESTful Api).
    unplaced_endpoints: set[str] = field(default_factory=set)
    template_folders: set[str] = field(default_factory=set)  # project-relative POSIX dirs
    # Templates may load from where the index cannot see (a custom jinja_loader, a computed folder, a
    # blueprint with a template folder registered nowhere the index follows): any name may exist.
    templates_incomplete: bool = False
    # An extension that may register a blueprint is imported: templates in a folder of its own
    # ("bootstrap/base.html") may exist.
    extension_templates: bool = False
    jinja: TemplateJinja = TemplateJinja()
    secret_key_set: bool = False
    script_root: str = ""  # the prefix DispatcherMiddleware mounts the app under ("" at the root)
    has_static: bool = True
    # A url_defaults callback or an overridden `url_for`: url_for may build another URL than the rule says.
    custom_url_building: bool = False
    _routable: dict[str | None, list[Endpoint]] | None = field(default=None, repr=False, compare=False)

    def add(self, endpoint: Endpoint) -> None:
        self.endpoints.setdefault(endpoint.name, []).append(endpoint)


@dataclass
class TablesCache:
    """What a set of tables gives whoever asks: their merged endpoints, template folders and each
    template name's files. The index hands one to every view of the same tables: a view is made per
    importing file (`origin`), and merging a large project's endpoints once per file was quadratic
    (2,000 view modules x 45,000 endpoints in the generated 1M-line project)."""

    endpoints: dict[str, list[Endpoint]] | None = None
    template_folders: list[str] | None = None
    template_files: dict[str, list[str]] = field(default_factory=dict)
    template_found: dict[str, bool] = field(default_factory=dict)  # has_template_file's answers
    blueprint_names: set[str] | None = None
    folders_in_checkout: bool | None = None
    plain_folders: list[tuple[str, bool]] | None = None
    template_names: set[str] | None = None  # every name render_template may load (ProjectIndex.templates_of)
    jinja: TemplateJinja | None = None  # the tables' Jinja settings, merged


@dataclass
class AppView:
    """Questions about the app(s) that may run a piece of code: their union, plus ANY_APP's table.

    `proven` is true when exactly one app owns the code and the index showed it (a view registered
    on it, a template only its folders hold): only then may a fix rely on an endpoint being there.
    """

    tables: list[AppTable]
    proven: bool
    root: str
    files: Callable[[str], bool]  # is this project-relative path analysed?
    blueprints_registered_as: Callable[[Sequence[str]], list[str] | None]
    # Asked once per template load and url_for of every checked file (and again on each keystroke in
    # the editor): worked out once per set of tables, for as long as the index lives (see TablesCache).
    cache: TablesCache = field(default_factory=TablesCache, repr=False)

    @property
    def apps(self) -> list[str]:
        return [table.key for table in self.tables if table.key != ANY_APP]

    @property
    def endpoints(self) -> dict[str, list[Endpoint]]:
        if self.cache.endpoints is None:
            merged: dict[str, list[Endpoint]] = {}
            for table in self.tables:
                for name, endpoints in table.endpoints.items():
                    merged.setdefault(name, []).extend(endpoints)
            self.cache.endpoints = merged
        return self.cache.endpoints

    @property
    def endpoints_incomplete(self) -> bool:
        return any(table.endpoints_incomplete for table in self.tables)

    @property
    def foreign_blueprints(self) -> bool:
        return any(table.foreign_blueprints for table in self.tables)

    @property
    def blueprint_names(self) -> set[str]:
        if self.cache.blueprint_names is None:
            self.cache.blueprint_names = set().union(*(table.blueprint_names for table in self.tables))
        return self.cache.blueprint_names

    @property
    def template_folders(self) -> list[str]:
        if self.cache.template_folders is None:
            self.cache.template_folders = sorted(set().union(*(table.template_folders for table in self.tables)))
        return self.cache.template_folders

    @property
    def folders_in_checkout(self) -> bool:
        """Every template folder is a project-relative path inside the checkout (asked once per
        template load: worked out once per set of tables)."""
        if self.cache.folders_in_checkout is None:
            self.cache.folders_in_checkout = not any(
                PurePosixPath(folder).is_absolute() or os.path.normpath(folder).startswith("..")
                for folder in self.template_folders
            )
        return self.cache.folders_in_checkout

    @property
    def templates_incomplete(self) -> bool:
        return any(table.templates_incomplete for table in self.tables)

    @property
    def extension_templates(self) -> bool:
        return any(table.extension_templates for table in self.tables)

    @property
    def secret_key_set(self) -> bool:
        return any(table.secret_key_set for table in self.tables)

    @property
    def custom_url_building(self) -> bool:
        return any(table.custom_url_building for table in self.tables)

    @property
    def has_static(self) -> bool:
        return any(table.has_static for table in self.tables if table.key != ANY_APP)

    @property
    def jinja(self) -> TemplateJinja:
        if self.cache.jinja is None:
            settings = [table.jinja for table in self.tables]
            self.cache.jinja = TemplateJinja(
                frozenset().union(*(s.extensions for s in settings)),
                any(s.custom_syntax for s in settings),
                any(s.opaque for s in settings),
                frozenset().union(*(s.context_names for s in settings)),
            )
        return self.cache.jinja

    # -- endpoints -------------------------------------------------------------------------
    def endpoint_may_exist(self, name: str) -> bool:
        """True when the index cannot rule the endpoint out (it is known, or that part is incomplete)."""
        if name in self.endpoints or self.rules_may_be_hidden(name):
            return True
        blueprint = name.rpartition(".")[0]
        return bool(blueprint) and self.foreign_blueprints and blueprint not in self.blueprint_names

    def rules_may_be_hidden(self, name: str) -> bool:
        """The endpoint may have rules the index cannot see (a computed or unplaced registration)."""
        if self.endpoints_incomplete:
            return True
        blueprint, _, local = name.rpartition(".")
        if any(local in table.unplaced_endpoints for table in self.tables):
            return True
        while blueprint:
            if any(blueprint in table.incomplete_blueprints for table in self.tables):
                return True
            blueprint = blueprint.rpartition(".")[0]
        return False

    def closest_endpoints(self, name: str, limit: int = 3, among: list[str] | None = None) -> list[str]:
        """Likely intended endpoints: same last component in another blueprint first, then difflib's."""
        import difflib

        candidates = sorted(self.endpoints) if among is None else sorted(among)
        local = name.rpartition(".")[2]
        same_view = [c for c in candidates if c != name and c.rpartition(".")[2] == local]
        similar = difflib.get_close_matches(name, candidates, n=limit, cutoff=0.6)
        return list(dict.fromkeys(same_view + similar))[:limit]

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

    # -- templates -------------------------------------------------------------------------
    def template_files(self, name: str) -> list[str]:
        """Project-relative paths of the files `render_template(name)` may load: `name` in each template
        folder, where the project holds such a file (analysed, or on disk: excluded, another suffix)."""
        found = self.cache.template_files.get(name)
        if found is None:
            found = [
                relative
                for relative in self._in_each_folder(name)
                if self.files(relative) or _is_file(os.path.join(self.root, relative))
            ]
            self.cache.template_files[name] = found
        return list(found)

    def has_template_file(self, name: str) -> bool:
        """`bool(self.template_files(name))`, without a disk check when an analysed file answers: a
        large project asks each name in hundreds of template folders, and FLK401 needs only whether
        one holds it (the generated 1M-line project: 494,000 `stat` calls for 1,217 names)."""
        listed = self.cache.template_files.get(name)
        if listed is not None:
            return bool(listed)
        found = self.cache.template_found.get(name)
        if found is None:
            candidates = self._in_each_folder(name)
            found = any(map(self.files, candidates)) or any(
                _is_file(os.path.join(self.root, relative)) for relative in candidates
            )
            self.cache.template_found[name] = found
        return found

    def _in_each_folder(self, name: str) -> list[str]:
        """`str(PurePosixPath(folder) / name)` for each template folder (the name itself in "" and "."),
        joined as strings where both are in that form already: a large project asks for each name in
        hundreds of folders, and pathlib's parsing was most of a check's project-rule time."""
        if name.startswith("/") or name == "." or str(PurePosixPath(name)) != name:
            return [str(PurePosixPath(folder) / name) if folder not in ("", ".") else name for folder in self.template_folders]
        return [
            name if folder in ("", ".") else f"{folder}/{name}" if plain else str(PurePosixPath(folder) / name)
            for folder, plain in self._plain_folders()
        ]

    def _plain_folders(self) -> list[tuple[str, bool]]:
        """Each template folder, and whether `folder + "/" + name` is its PurePosixPath join."""
        if self.cache.plain_folders is None:
            self.cache.plain_folders = [
                (folder, str(PurePosixPath(folder)) == folder and not folder.endswith("/"))
                for folder in self.template_folders
            ]
        return self.cache.plain_folders

    # -- literal paths ---------------------------------------------------------------------
    def match_path(self, path: str) -> list[tuple[Endpoint, dict[str, str]]]:
        """Endpoints whose full rule matches a literal path (holes allowed), the most specific first.

        Catch-all rules never count, nor rules registered only in test files. A path without its
        trailing slash also matches a rule with one (Flask redirects to it). An app mounted under a
        prefix by DispatcherMiddleware answers only paths under that prefix.
        """
        found: list[tuple[Endpoint, dict[str, str]]] = []
        for table in self.tables:
            local = _under_script_root(path, table.script_root)
            if local is None:
                continue
            matches = _match(table, local)
            if not matches and not local.endswith("/"):
                matches = _match(table, local + "/")
            found.extend(matches)
        return sorted(found, key=lambda item: -_specificity(item[0].rule or ""))


def _is_file(path: str) -> bool:
    """`Path(path).is_file()` without building a Path: the same errors mean "no", others propagate."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError as error:
        if error.errno not in _MISSING and getattr(error, "winerror", None) not in _MISSING_ON_WINDOWS:
            raise
        return False
    except ValueError:  # a NUL in the name
        return False


def _under_script_root(path: str, script_root: str) -> str | None:
    if not script_root:
        return path
    if path == script_root or path.startswith(script_root + "/"):
        return path[len(script_root) :] or "/"
    return None


def _match(table: AppTable, path: str) -> list[tuple[Endpoint, dict[str, str]]]:
    found: list[tuple[Endpoint, dict[str, str]]] = []
    for endpoint in _routable(table).get(_first_segment(path), []) + _routable(table).get(None, []):
        assert endpoint.rule is not None
        values = match_rule(endpoint.rule, path)
        if values is not None:
            found.append((endpoint, values))
    return found


def _routable(table: AppTable) -> dict[str | None, list[Endpoint]]:
    """Endpoints a literal may match, keyed by their rule's first literal segment (None: a variable).

    Built on first use: tables do not change once the index is built."""
    if table._routable is not None:
        return table._routable
    routable: dict[str | None, list[Endpoint]] = {}
    for endpoints in table.endpoints.values():
        for endpoint in endpoints:
            if endpoint.rule is None or endpoint.in_test or parse_rule(endpoint.rule).is_catch_all:
                continue
            parts = parse_rule(endpoint.rule).parts
            first = parts[0] if parts and isinstance(parts[0], str) else None
            if first is None or (len(parts) > 1 and "/" not in first[1:]):
                key = None  # "/<lang>/x", "/user<id>": the first segment holds a variable
            else:
                key = _first_segment(first)
            routable.setdefault(key, []).append(endpoint)
    table._routable = routable
    return routable


def _first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _specificity(rule: str) -> int:
    """Werkzeug tries rules with more literal text first: `/users/new` beats `/users/<name>`."""
    return len(parse_rule(rule).static_text)
