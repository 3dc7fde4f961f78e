"""Builds the app tables: follows refs across modules (imports, re-exports, factories, Flask subclasses)
and attributes every route, blueprint, template folder, Jinja setting and secret key to its app(s).

Modules are identified by path: two `app.py` without a package (`examples/a/app.py`,
`examples/b/app.py`) share the module name `app`, so a ref in such a module is keyed by its file
(`examples/a/app.py::app.app`), and an import of `app` resolves to the file nearest the importer, as
running the importer as a script would.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from flasklint.model.app_scope import ANY_APP, AppTable, Endpoint, TemplateJinja
from flasklint.model.facts import AppDef, BlueprintDef, FileFacts, JinjaSetting, Registration, RouteDef
from flasklint.model.flask_api import FLASK_CLASSES
from flasklint.model.routing import join_prefix
from flasklint.records import dataclass

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
# Extensions that bring templates or change where they load from (a blueprint folder, a theme loader):
# an app using one may load names the project does not hold, at any path.
EXTENSIONS_WITH_TEMPLATES = frozenset(
    {
        "flask_admin", "flask_appbuilder", "flask_themes", "flask_themes2", "flask_debugtoolbar", "flask_plugins",
        "flask_multipass",
    }
)  # fmt: skip
_DEPTH = 12

Resolved = tuple[str, str]  # ("app" | "blueprint" | "unplaced", key)


@dataclass
class Mount:
    """Where a blueprint ends up: its full registered name, url prefix, and the app it is on."""

    name: str
    prefix: str | None
    prefix_known: bool
    app: str  # app key, or ANY_APP


class IndexBuilder:
    """Resolves refs across modules and fills one AppTable per app (plus ANY_APP's)."""

    def __init__(self, files: dict[str, FileFacts]) -> None:
        self.files = files
        self.modules: dict[str, list[FileFacts]] = {}
        for facts in files.values():
            if facts.kind == "python":
                self.modules.setdefault(facts.module, []).append(facts)
        self.apps: dict[str, tuple[FileFacts, AppDef]] = {}
        self.blueprints: dict[str, tuple[FileFacts, BlueprintDef]] = {}
        self.factories: dict[str, str] = {}  # function key -> key of the app made inside it
        self.blueprint_factories: dict[str, str] = {}  # function key -> key of the one blueprint made inside it
        self._flask_classes: dict[str, bool] = {}
        self._mounts: dict[str, list[Mount]] = {}
        self._registrations: list[tuple[FileFacts, Registration, Resolved | None, Resolved | None]] | None = None
        self._by_child: dict[Resolved | None, list[tuple[Registration, Resolved | None]]] | None = None
        self._opaque_registrations: list[str] | None = None
        self._apps_of: dict[tuple[tuple[str, ...], str | None], list[str] | None] = {}
        self._find_objects()
        self.production_apps = sorted(k for k, (facts, _) in self.apps.items() if not facts.is_test)
        # With one app outside the tests, whatever the index cannot attribute is that app's.
        self.unattributed = self.production_apps[0] if len(self.production_apps) == 1 else ANY_APP
        self.tables: dict[str, AppTable] = {ANY_APP: AppTable(ANY_APP)}
        for key, (facts, app) in self.apps.items():
            self.tables[key] = AppTable(key, facts.path, facts.is_test, has_static=app.has_static)

    # -- identity --------------------------------------------------------------------------
    def key_in(self, facts: FileFacts, ref: str) -> str:
        """A project-wide key for a ref defined in `facts`: qualified by path when the module name is shared."""
        return ref if len(self.modules.get(facts.module, ())) <= 1 else f"{facts.path}::{ref}"

    def locate(self, ref: str, origin: FileFacts | None) -> FileFacts | None:
        """The file defining a ref's module: the longest dotted prefix that names a project module."""
        parts = ref.split(".")
        for length in range(len(parts) - 1, 0, -1):
            candidates = self.modules.get(".".join(parts[:length]))
            if candidates:
                return _nearest(candidates, origin)
        return None

    def _find_objects(self) -> None:
        for modules in self.modules.values():
            for facts in modules:
                for blueprint in facts.blueprints:
                    self.blueprints[self.key_in(facts, blueprint.ref)] = (facts, blueprint)
        for modules in self.modules.values():
            for facts in modules:
                for app in facts.apps:
                    if app.cls is not None and not self.is_flask_class(app.cls, facts):
                        continue
                    key = self.key_in(facts, app.ref)
                    self.apps[key] = (facts, app)
                    if app.factory:
                        self.factories[self.key_in(facts, f"{facts.module}.{app.factory}")] = key
        made: dict[str, list[str]] = {}
        for key, (facts, blueprint) in self.blueprints.items():
            function, local, _ = blueprint.ref.partition(".<locals>.")
            if local:  # made inside a function: `def make_blueprint(): view = Blueprint(...); return view`
                made.setdefault(self.key_in(facts, function), []).append(key)
        # A function making one blueprint returns it (two: the index cannot tell which one it returns).
        self.blueprint_factories = {function: keys[0] for function, keys in made.items() if len(keys) == 1}

    def is_flask_class(self, ref: str, origin: FileFacts, depth: int = 0) -> bool:
        """Is the class a ref names Flask or a subclass of it (through any module of the project)?

        A class outside the project counts only when its name ends in "Flask" (`MultiStaticFlask`):
        the index cannot see its bases."""
        if ref in FLASK_CLASSES:
            return True
        facts = self.locate(ref, origin)
        if facts is None or depth > _DEPTH:
            return facts is None and ref.rpartition(".")[2].endswith("Flask")
        memo = self.key_in(facts, ref)
        if memo not in self._flask_classes:
            self._flask_classes[memo] = False  # guards against cycles
            self._flask_classes[memo] = self._is_flask_class_in(ref, facts, depth)
        return self._flask_classes[memo]

    def _is_flask_class_in(self, ref: str, facts: FileFacts, depth: int) -> bool:
        if ref in facts.classes:
            return any(self.is_flask_class(base, facts, depth + 1) for base in facts.classes[ref])
        target = self._followed(ref, facts)
        return target is not None and self.is_flask_class(target, facts, depth + 1)

    def _followed(self, ref: str, facts: FileFacts) -> str | None:
        """What a ref in `facts` is bound to: an alias or a re-export."""
        if ref in facts.aliases:
            return facts.aliases[ref]
        name = ref[len(facts.module) + 1 :] if facts.module else ref
        return facts.imports.get(name)

    # -- ref resolution --------------------------------------------------------------------
    def resolve(self, ref: str | None, origin: FileFacts | None, depth: int = 0) -> Resolved | None:
        """("app", key) / ("blueprint", key) / ("unplaced", ref) for a ref naming a Flask object, else None.

        "unplaced": an object that may be the app or any blueprint (a parameter, an extension's Api).
        """
        if ref is None or depth > _DEPTH:
            return None
        if ref.startswith("extension:"):
            return ("unplaced", ref)
        if ref.startswith("param:"):
            if not self.apps:
                return None
            return ("app", self.unattributed) if ref[6:] in APP_PARAMETER_NAMES else ("unplaced", ref)
        if ref.startswith("call:"):
            return self._made_by(ref[5:], origin, depth)
        facts = self.locate(ref, origin)
        if facts is None:
            return None
        key = self.key_in(facts, ref)
        if key in self.apps:
            return ("app", key)
        if key in self.blueprints:
            return ("blueprint", key)
        target = self._followed(ref, facts)
        return self.resolve(target, facts, depth + 1) if target else None

    def _made_by(self, ref: str, origin: FileFacts | None, depth: int) -> Resolved | None:
        """The app or blueprint a call of a factory (`create_app()`, `make_blueprint()`) returns,
        following re-exports to the factory."""
        for _ in range(_DEPTH - depth):
            facts = self.locate(ref, origin)
            if facts is None:
                return None
            key = self.key_in(facts, ref)
            if key in self.factories:
                return ("app", self.factories[key])
            if key in self.blueprint_factories:
                return ("blueprint", self.blueprint_factories[key])
            target = self._followed(ref, facts)
            if target is None or target.startswith(("call:", "param:", "extension:")):
                return None
            ref, origin = target, facts
        return None

    def apps_of(self, refs: list[str], origin: FileFacts | None) -> list[str] | None:
        """The app keys that run code registered on these route owners; None when any is unknown.
        Asked after the build for each url_for and template load of every checked file (77,847 times on
        the generated 1M-line project): answered once per owners and importing file."""
        key = (tuple(refs), origin.path if origin is not None else None)
        if key not in self._apps_of:
            self._apps_of[key] = self._resolve_apps(refs, origin)
        found = self._apps_of[key]
        return list(found) if found is not None else None

    def _resolve_apps(self, refs: list[str], origin: FileFacts | None) -> list[str] | None:
        if not refs:
            return None
        apps: set[str] = set()
        for ref in refs:
            resolved = self.resolve(ref, origin)
            if resolved is None or resolved[0] == "unplaced":
                return None
            if resolved[0] == "app":
                apps.add(resolved[1])
                continue
            mounts = self.mounts(resolved[1])
            if not mounts:  # a computed name, or registered nowhere the index sees
                return None
            apps.update(mount.app for mount in mounts)
        return None if ANY_APP in apps else sorted(apps)

    def blueprints_registered_as(self, refs: list[str], origin: FileFacts | None) -> list[str] | None:
        """Registered names of the objects behind route-owner refs: "" for the app, "auth" for a blueprint."""
        if not refs:
            return None
        names: list[str] = []
        for ref in refs:
            resolved = self.resolve(ref, origin)
            if resolved is None or resolved[0] == "unplaced":
                return None
            if resolved[0] == "app":
                names.append("")
            else:
                names.extend(m.name for m in self.mounts(resolved[1]))
        return sorted(set(names))

    def registrations(self) -> list[tuple[FileFacts, Registration, Resolved | None, Resolved | None]]:
        """Every register_blueprint call, with its child and parent resolved (once)."""
        if self._registrations is None:
            self._registrations = [
                (facts, registration, self.resolve(registration.child, facts), self.resolve(registration.parent, facts))
                for facts in self.files.values()
                for registration in facts.registrations
            ]
        return self._registrations

    def _registered(self, blueprint_key: str) -> list[tuple[Registration, Resolved | None]]:
        """The register_blueprint calls of one blueprint, in the order of `registrations()`, with their
        parents: looked up, not searched (every blueprint scanning every registration is quadratic)."""
        if self._by_child is None:
            self._by_child = {}
            for _, registration, child, parent in self.registrations():
                self._by_child.setdefault(child, []).append((registration, parent))
        return self._by_child.get(("blueprint", blueprint_key), [])

    def mounts(self, blueprint_key: str, depth: int = 0) -> list[Mount]:
        """Every (name, prefix, app) a blueprint is registered under, nested registrations included."""
        if blueprint_key in self._mounts:
            return self._mounts[blueprint_key]
        _, blueprint = self.blueprints[blueprint_key]
        mounts: list[Mount] = []
        self._mounts[blueprint_key] = mounts  # guards against registration cycles
        for registration, parent in self._registered(blueprint_key):
            own_name = registration.name or blueprint.name
            if own_name is None:
                continue
            if registration.url_prefix_given:
                prefix, known = registration.url_prefix, registration.url_prefix_known
            else:
                prefix, known = blueprint.url_prefix, blueprint.url_prefix_known
            known = known and not (blueprint.off_host or registration.off_host)  # no path on the app's host
            if parent is None or parent[0] == "unplaced":
                # Registered on something we cannot follow: the name most likely holds, the prefix may not.
                mounts.append(Mount(own_name, prefix, False, self.unattributed))
            elif parent[0] == "app":
                mounts.append(Mount(own_name, prefix, known, parent[1]))
            elif depth < 8:
                for outer in self.mounts(parent[1], depth + 1):
                    joined = join_prefix(outer.prefix, prefix or "") if prefix else outer.prefix
                    mounts.append(
                        Mount(f"{outer.name}.{own_name}", joined, known and outer.prefix_known, outer.app)
                    )
        if not mounts and blueprint.name:
            # Not registered where the index can see: on an app whose registrations it cannot all
            # resolve (a loop, a helper), under its own name, perhaps another prefix; else nowhere.
            for app in self._apps_with_opaque_registrations():
                mounts.append(Mount(blueprint.name, blueprint.url_prefix, False, app))
        return mounts

    def _apps_with_opaque_registrations(self) -> list[str]:
        """Apps with a register_blueprint call whose blueprint the index cannot name (a loop, a helper)."""
        if self._opaque_registrations is None:
            apps: set[str] = set()
            parents = [
                self.resolve(item.owner, facts)
                for facts in self.files.values()
                for item in facts.unresolved
                if item.what == "blueprint"
            ]
            parents += [parent for _, _, child, parent in self.registrations() if child is None or child[0] != "blueprint"]
            for parent in parents:
                # On a blueprint: its app is not followed here (mounts() is what calls this).
                apps.add(parent[1] if parent is not None and parent[0] == "app" else self.unattributed)
            self._opaque_registrations = sorted(apps)
        return self._opaque_registrations

    def _app_or_any(self, resolved: Resolved | None) -> str:
        if resolved is not None and resolved[0] == "app":
            return resolved[1]
        if resolved is not None and resolved[0] == "blueprint":
            apps = {mount.app for mount in self.mounts(resolved[1])}
            return apps.pop() if len(apps) == 1 else self.unattributed
        return self.unattributed

    @staticmethod
    def _imports_foreign_extension(facts: FileFacts) -> bool:
        return any(e not in EXTENSIONS_WITHOUT_BLUEPRINTS for e in facts.extensions)

    # -- filling the tables ----------------------------------------------------------------
    def run(self) -> dict[str, AppTable]:
        for key, mounts in ((k, self.mounts(k)) for k in self.blueprints):
            if not mounts and self.blueprints[key][1].name is None:  # a computed name
                self._table(self.unattributed).foreign_blueprints = True
            for mount in mounts:
                self._table(mount.app).blueprint_names.add(mount.name)
        for facts in self.files.values():
            if self._imports_foreign_extension(facts):
                for table in self.tables.values():
                    table.foreign_blueprints = True
            for route in facts.routes:
                self._add_route(facts, route)
            self._unresolved(facts)
        for _, _, child, parent in self.registrations():
            if child is None or child[0] != "blueprint":
                self._table(self._app_or_any(parent)).foreign_blueprints = True
        self._static_endpoints()
        self._template_folders()
        self._template_loaders()
        self._jinja()
        self._secret_keys()
        self._script_roots()
        for facts in self.files.values():
            for owner in facts.url_builders:
                for app in self._owner_apps(owner or None, facts):
                    self._table(app).custom_url_building = True
        if not self.production_apps:
            self.tables[ANY_APP].endpoints_incomplete = True  # no app: any endpoint may exist
        return self.tables

    def _table(self, key: str) -> AppTable:
        return self.tables.get(key) or self.tables[ANY_APP]

    def _add_route(self, facts: FileFacts, route: RouteDef) -> None:
        owner = self.resolve(route.owner, facts)
        if owner is None:
            self.tables[ANY_APP].endpoints_incomplete = True
            return
        assert route.endpoint is not None
        if owner[0] == "unplaced":
            for table in self.tables.values():
                table.unplaced_endpoints.add(route.endpoint)
            return
        methods, defaults = (tuple(route.methods) if route.methods else None), tuple(route.defaults)

        def endpoint(name: str, rule: str | None, blueprint: str | None, app: str) -> Endpoint:
            return Endpoint(
                name, rule, facts.path, route.span, route.view, methods, blueprint, route.view_span, app,
                in_test=facts.is_test, defaults=defaults,
            )  # fmt: skip

        if owner[0] == "app":
            table = self._table(owner[1])
            table.add(endpoint(route.endpoint, route.rule, None, table.key))
            return
        for mount in self.mounts(owner[1]):
            rule = join_prefix(mount.prefix, route.rule) if route.rule is not None and mount.prefix_known else None
            table = self._table(mount.app)
            table.add(endpoint(f"{mount.name}.{route.endpoint}", rule, mount.name, table.key))

    def _unresolved(self, facts: FileFacts) -> None:
        for item in facts.unresolved:
            if item.what == "blueprint":
                self._table(self._app_or_any(self.resolve(item.owner, facts))).foreign_blueprints = True
            if item.what == "relative_rule":  # only a blueprint builds it (under its prefix); other owners reject it
                owner = self.resolve(item.owner, facts)
                for mount in self.mounts(owner[1]) if owner is not None and owner[0] == "blueprint" else ():
                    self._table(mount.app).incomplete_blueprints.add(mount.name)
            if item.what != "endpoint":
                continue
            owner = self.resolve(item.owner, facts)
            if owner is not None and owner[0] == "blueprint":
                for mount in self.mounts(owner[1]):
                    self._table(mount.app).incomplete_blueprints.add(mount.name)
            elif owner is not None and owner[0] == "app":
                self._table(owner[1]).endpoints_incomplete = True
            else:
                self.tables[ANY_APP].endpoints_incomplete = True

    def _static_endpoints(self) -> None:
        for key, (facts, app) in self.apps.items():
            if app.has_static:
                rule = f"{app.static_url_path.rstrip('/')}/<path:filename>" if app.static_url_path is not None else None
                self.tables[key].add(Endpoint("static", rule, facts.path, app.span, app=key, in_test=facts.is_test))
        for ref, (facts, blueprint) in self.blueprints.items():
            if not blueprint.has_static:
                continue
            for mount in self.mounts(ref):
                rule = None
                if mount.prefix_known and blueprint.static_url_path is not None:
                    rule = join_prefix(mount.prefix, f"{blueprint.static_url_path.rstrip('/')}/<path:filename>")
                table = self._table(mount.app)
                table.add(
                    Endpoint(f"{mount.name}.static", rule, facts.path, blueprint.span, blueprint=mount.name, app=table.key)
                )

    def _template_folders(self) -> None:
        """Flask's loader looks in the app's folder, then in every registered blueprint's."""
        for key, (facts, app) in self.apps.items():
            if app.template_folder is not None:
                self.tables[key].template_folders.add(self._folder(facts, app.root_module, app.template_folder))
        for ref, (facts, blueprint) in self.blueprints.items():
            if blueprint.template_folder is None:
                continue
            folder = self._folder(facts, blueprint.root_module, blueprint.template_folder)
            for mount in self.mounts(ref):
                self._table(mount.app).template_folders.add(folder)

    def _template_loaders(self) -> None:
        """Template lookups the index cannot complete: a loader it cannot read (its owner's apps; every
        app's when the owner is unknown; a class's: the apps made from it, none when it makes no app),
        an import name naming no project module (the folder's base is unknown), a blueprint with a
        template folder mounted nowhere the index sees (any app may hold it). Test files do not count."""
        for facts in self.files.values():
            for item in facts.unresolved if not facts.is_test else ():
                if item.what == "loader":
                    for key in self._owner_apps(item.owner, facts) if item.owner else [ANY_APP]:
                        self._table(key).templates_incomplete = True
        self._foreign_template_blueprints()
        for key, (_, app) in self.apps.items():
            if app.template_folder is not None and app.root_module not in self.modules:
                self.tables[key].templates_incomplete = True
        for ref, (facts, blueprint) in self.blueprints.items():
            if blueprint.template_folder is not None and not facts.is_test:
                if blueprint.root_module not in self.modules or not self.mounts(ref):
                    for key in {mount.app for mount in self.mounts(ref)} or {ANY_APP}:
                        self._table(key).templates_incomplete = True

    def _foreign_template_blueprints(self) -> None:
        """Blueprints the index cannot see may bring template folders (a computed one: any name; an
        extension's: names in a folder of their own, "bootstrap/base.html"; any name for the extensions
        known to bring templates). As `foreign_blueprints`, but test files do not count: they do not
        change what production loads."""
        production = [facts for facts in self.files.values() if not facts.is_test]
        imported = {name for facts in production for name in facts.extensions} - EXTENSIONS_WITHOUT_BLUEPRINTS
        for table in self.tables.values():
            table.templates_incomplete |= bool(imported & EXTENSIONS_WITH_TEMPLATES)
            table.extension_templates |= bool(imported)
        for facts, _, child, parent in self.registrations():
            if not facts.is_test and (child is None or child[0] != "blueprint"):
                self._table(self._app_or_any(parent)).templates_incomplete = True
        for facts in production:
            for item in facts.unresolved:
                if item.what == "blueprint":
                    self._table(self._app_or_any(self.resolve(item.owner, facts))).templates_incomplete = True

    def _folder(self, facts: FileFacts, root_module: str, folder: str) -> str:
        """Template folders are relative to the directory of the module named by import_name."""
        candidates = self.modules.get(root_module)
        owner = _nearest(candidates, facts) if candidates else facts
        base = PurePosixPath(owner.path).parent
        return str(base / folder) if str(base) != "." else folder

    def _jinja(self) -> None:
        settings: dict[str, list[JinjaSetting]] = {}
        for facts in self.files.values():
            for setting in facts.jinja_settings:
                for app in self._setting_apps(setting, facts):
                    settings.setdefault(app, []).append(setting)
        for key, found in settings.items():
            self._table(key).jinja = TemplateJinja(
                frozenset(e for s in found for e in s.extensions),
                any(s.custom_syntax for s in found),
                any(s.opaque for s in found),
                frozenset(n for s in found for n in s.context_names),
            )

    def _setting_apps(self, setting: JinjaSetting, facts: FileFacts) -> list[str]:
        return self._owner_apps(setting.owner, facts)

    def _owner_apps(self, owner: str | None, facts: FileFacts) -> list[str]:
        """The apps an app, a blueprint (where it is mounted) or a Flask subclass ("class:<ref>") stands for."""
        if owner and owner.startswith("class:"):
            cls = owner[6:]
            return [
                key for key, (app_facts, app) in self.apps.items()
                if app.cls is not None and self._inherits(app.cls, app_facts, cls, facts)
            ]  # fmt: skip
        resolved = self.resolve(owner, facts)
        if resolved is not None and resolved[0] == "blueprint":
            return sorted({mount.app for mount in self.mounts(resolved[1])})
        return [self._app_or_any(resolved)]

    def _inherits(self, cls: str, origin: FileFacts, ancestor: str, ancestor_origin: FileFacts, depth: int = 0) -> bool:
        facts = self.locate(cls, origin)
        ancestor_facts = self.locate(ancestor, ancestor_origin)
        if facts is None or depth > _DEPTH:
            return False
        if ancestor_facts is not None and self.key_in(facts, cls) == self.key_in(ancestor_facts, ancestor):
            return True
        if cls in facts.classes:
            return any(self._inherits(base, facts, ancestor, ancestor_origin, depth + 1) for base in facts.classes[cls])
        target = self._followed(cls, facts)
        return target is not None and self._inherits(target, facts, ancestor, ancestor_origin, depth + 1)

    def _secret_keys(self) -> None:
        """Keys set on an app object count for that app; any other kind (a config class, a module
        constant, an owner the index cannot follow) is the project's concern (see ProjectIndex)."""
        for facts in self.files.values():
            if facts.is_test:
                continue
            for key in facts.secret_keys:
                if key.how in ("class_attribute", "module_constant", "environ_default", "settings_field"):
                    continue  # a config object's, or a default that is not the app's key itself
                self._table(self._app_or_any(self.resolve(key.owner, facts))).secret_key_set = True

    def _script_roots(self) -> None:
        for facts in self.files.values():
            for mount in facts.app_mounts:
                if not mount.prefix:
                    continue
                resolved = self.resolve(mount.app, facts)
                if resolved is not None and resolved[0] == "app" and resolved[1] in self.apps:
                    self.tables[resolved[1]].script_root = mount.prefix.rstrip("/")


def _nearest(candidates: list[FileFacts], origin: FileFacts | None) -> FileFacts:
    """The file a module name means for an importer: itself, else the one sharing the longest folder."""
    if len(candidates) == 1 or origin is None:
        return candidates[0]
    if any(candidate is origin for candidate in candidates):
        return origin
    here = PurePosixPath(origin.path).parent.parts
    ordered = sorted(candidates, key=lambda c: c.path)
    return max(ordered, key=lambda c: _shared(PurePosixPath(c.path).parent.parts, here))


def _shared(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    count = 0
    for x, y in zip(a, b):
        if x != y:
            break
        count += 1
    return count
