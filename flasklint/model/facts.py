"""Per-file facts: pure data, JSON-serialisable, cached by content hash.

A fact never holds a libcst node: the project index and the project-wide rules work from these
alone, so a warm run (everything cached) parses nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any

from flasklint.diagnostics import Diagnostic
from flasklint.records import dataclass

# (line, column, end_line, end_column): 1-based lines, 0-based code-point columns.
Span = tuple[int, int, int, int]


@dataclass
class AppDef:
    """`Flask(__name__, ...)` bound to a name (at module level or inside an app factory)."""

    ref: str
    span: Span
    root_module: str
    static_url_path: str | None = "/static"  # None: no static route, or its path is not a literal
    template_folder: str | None = "templates"
    factory: str | None = None
    has_static: bool = True  # False only with static_folder=None: then there is no `static` endpoint
    # The project class the app is an instance of (`app = MyFlask(__name__)`), qualified; None for Flask
    # itself. The index keeps the app only when that class is a Flask subclass (`classes`, any module).
    cls: str | None = None


@dataclass
class BlueprintDef:
    """`Blueprint("name", __name__, url_prefix=..., ...)`; None fields were not literals."""

    ref: str
    span: Span
    name: str | None
    root_module: str
    url_prefix: str | None = None
    url_prefix_known: bool = True
    template_folder: str | None = None
    static_url_path: str | None = None  # only when static_folder= is given (None: not a literal)
    has_static: bool = False  # static_folder= given: the blueprint has a `<name>.static` endpoint
    off_host: bool = False  # subdomain=/host= given: its URLs are on another host (url_for builds them external)
    url_defaults: bool = False  # url_defaults= (or **options) given: values every view of it may receive


@dataclass
class RouteDef:
    """One URL rule: a route decorator, `add_url_rule`, or `as_view` registration."""

    # ref of the app/blueprint object; "param:<name>" for a function parameter; "extension:<ref>" for an
    # extension object (Flask-RESTful `Api`) that may wrap the app or any blueprint.
    owner: str | None
    rule: str | None  # None: not a literal
    endpoint: str | None  # the endpoint as Flask derives it for this registration (without blueprint name)
    view: str | None  # qualified name of the view function/class in its module ("index", "Cls.get")
    span: Span
    methods: list[str] | None = None
    defaults: list[str] = field(default_factory=list)
    view_span: Span | None = None


@dataclass
class Registration:
    """`parent.register_blueprint(child, url_prefix=..., name=...)`."""

    parent: str | None
    child: str | None
    span: Span
    url_prefix: str | None = None
    url_prefix_given: bool = False
    url_prefix_known: bool = True
    name: str | None = None
    off_host: bool = False  # subdomain= given: the blueprint's URLs are on another host
    url_defaults: bool = False  # url_defaults= (or **options) given: values every view of it may receive


@dataclass
class UrlForCall:
    """`url_for("endpoint", **values)` in Python or a template."""

    endpoint: str | None  # None: not a literal
    span: Span  # of the endpoint argument (or the call when there is none)
    keywords: list[str] = field(default_factory=list)
    has_star_kwargs: bool = False
    blueprints: list[str] = field(default_factory=list)  # refs owning the enclosing view (for ".x")


@dataclass
class TemplateRef:
    """`render_template("x.html")` (Python) or `{% extends/include/import "x.html" %}` (template)."""

    name: str  # "" for a computed name: it may load any template of its app(s)
    span: Span
    owners: list[str] = field(default_factory=list)  # route-owner refs of the enclosing view ([]: unknown)
    context: list[str] = field(default_factory=list)  # keyword names passed (`url_for=custom` replaces Flask's)
    has_star_kwargs: bool = False  # `**ctx`: any name may be passed


@dataclass
class SecretKeySet:
    """A place where the secret key is set (`app.secret_key = ...`, `config["SECRET_KEY"] = ...`, ...)."""

    how: str  # attribute | config_item | update | from_mapping | class_attribute | module_constant
    value: str  # literal | literal_fallback | environment | generated | unknown
    span: Span  # of the value expression
    owner: str | None = None
    literal: str | None = None  # the literal's source text, for messages
    env_name: str | None = None  # the environment variable read (`os.environ.get("SECRET_KEY") or "dev"`)


@dataclass
class ConfigLoad:
    """A config loader; `opaque` loaders (from_pyfile, from_envvar, ...) may set any key."""

    method: str
    span: Span
    target: str | None = None  # qualified ref, for from_object
    opaque: bool = True


@dataclass
class SessionWrite:
    """A write to the session (Flask raises without a secret key)."""

    kind: str  # session_item | session_method | flash | login_user
    span: Span
    owners: list[str] = field(default_factory=list)  # route-owner refs of the enclosing view ([]: unknown)


@dataclass
class UrlLiteral:
    """A literal path that may be one of the app's own URLs (FLK203 candidates).

    `path` and `query` mark each f-string hole / Jinja expression with routing.HOLE ("\\x00");
    `holes` holds their source text, in order (None: a hole that cannot be moved into `url_for`,
    such as one with a format spec). `span` is the text a fix replaces: the whole string literal
    for redirect/location, the attribute value for html/template.
    """

    path: str
    span: Span
    context: str  # redirect | location | html | template
    fragment: str | None = None
    query: str | None = None
    holes: list[str | None] = field(default_factory=list)
    quote: str = '"'  # the quote to use for string arguments in a fix


@dataclass
class JinjaSetting:
    """What an app's (or blueprint's) Jinja environment gets beyond Flask's defaults.

    From `app.jinja_env.add_extension(...)`, `app.jinja_options = {...}` / `jinja_options["extensions"]`
    (also as a Flask subclass's class attribute: owner "class:<ref>"), `app.jinja_env.globals[...] =` /
    `.globals.update(...)`, and context processors (`@app.context_processor`, `app.context_processor(f)`,
    `bp.app_context_processor`) returning a dict with literal keys.
    """

    owner: str | None  # app or blueprint ref, "class:<ref>" for a Flask subclass's class attribute
    span: Span
    extensions: list[str] = field(default_factory=list)  # dotted names of the extensions added
    custom_syntax: bool = False  # block/variable/comment/line delimiters changed
    opaque: bool = False  # options or extensions not literal: any tag, any syntax may be in use
    context_names: list[str] = field(default_factory=list)  # names put into every template's context


@dataclass
class AppMount:
    """`DispatcherMiddleware(app_a, {"/b": app_b})`: the app at `app` answers under `prefix`."""

    app: str | None  # ref of the mounted object
    prefix: str  # "" for the default app
    span: Span


@dataclass
class Unresolved:
    """A registration the index could not resolve: project-wide rules stay silent where it matters."""

    what: str  # endpoint | relative_rule | blueprint | prefix | loader | extension
    owner: str | None
    span: Span
    detail: str = ""


@dataclass
class FileFacts:
    path: str  # project-relative, POSIX separators
    module: str  # dotted module name ("" for non-Python files)
    kind: str  # python | template | other
    imports: dict[str, str] = field(default_factory=dict)  # module-level alias -> qualified name
    imports_flask: bool = False
    is_test: bool = False
    apps: list[AppDef] = field(default_factory=list)
    blueprints: list[BlueprintDef] = field(default_factory=list)
    routes: list[RouteDef] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    url_for_calls: list[UrlForCall] = field(default_factory=list)
    template_refs: list[TemplateRef] = field(default_factory=list)
    secret_keys: list[SecretKeySet] = field(default_factory=list)
    config_loads: list[ConfigLoad] = field(default_factory=list)
    session_writes: list[SessionWrite] = field(default_factory=list)
    url_literals: list[UrlLiteral] = field(default_factory=list)  # in templates (FLK203 finds Python's itself)
    converters: list[str] = field(default_factory=list)  # custom converter names registered
    # Top-level names of imported Flask extensions (`flask_admin`, ...): they may register blueprints.
    extensions: list[str] = field(default_factory=list)
    # ref -> what it is bound to: another ref, or "call:<ref>" for the result of calling a project function
    # (`app = create_app()`), so the index can follow app objects through factories.
    aliases: dict[str, str] = field(default_factory=dict)
    unresolved: list[Unresolved] = field(default_factory=list)
    custom_session_interface: bool = False
    # Qualified class name -> its bases, qualified through the imports (classes with a base other than
    # `object` only): the index finds Flask subclasses defined in one module and instantiated in another.
    classes: dict[str, list[str]] = field(default_factory=dict)
    jinja_settings: list[JinjaSetting] = field(default_factory=list)
    app_mounts: list[AppMount] = field(default_factory=list)
    # What changes the URL url_for builds: refs of apps/blueprints with a url_defaults callback ("" when the
    # owner cannot be named) and "class:<ref>" for a class that defines its own `url_for`.
    url_builders: list[str] = field(default_factory=list)
    # Refs of apps/blueprints with a url_value_preprocessor callback, which may pop (or add) the values a
    # view receives: "" for `app_url_value_preprocessor` (every request of the app) or an unnamed owner.
    url_value_preprocessors: list[str] = field(default_factory=list)
    # Results of the file-scope rules, cached with the facts (they need the tree, the index does not).
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # What each project rule's `collect` step read off the tree (rule code -> JSON value): the rule's
    # own data (where its fix goes, say), cached with the facts; not an index input.
    rule_data: dict[str, Any] = field(default_factory=dict)
    parse_error: bool = False
    # Rows (string keys, for JSON) with a noqa comment -> its codes ([] for a bare `# noqa`).
    noqa: dict[str, list[str]] = field(default_factory=dict)
    # First row (string key) -> last row of each logical line spanning several rows (a multi-line
    # string, a backslash continuation): a diagnostic starting in one has its noqa row on the last.
    noqa_rows: dict[str, int] = field(default_factory=dict)

    def index_inputs(self) -> tuple[object, ...]:
        """What the project index is built from: when an edit leaves this unchanged (most keystrokes
        inside a view body), the index need not be rebuilt."""
        return tuple(getattr(self, name) for name in INDEX_FIELDS)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name, items in data.items():
            if name == "diagnostics":
                data[name] = [d.to_dict() for d in items]
            elif isinstance(items, list) and items and dataclasses.is_dataclass(items[0]):
                data[name] = [dataclasses.asdict(item) for item in items]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "FileFacts":
        kwargs: dict[str, Any] = {}
        hints = {f.name: f for f in dataclasses.fields(cls)}
        for name, value in data.items():
            if name not in hints:
                continue
            item_type = _LIST_TYPES.get(name)
            if name == "diagnostics":
                value = [Diagnostic.from_dict(d) for d in value]
            elif item_type is not None:
                value = [item_type(**_tuples(item)) for item in value]
            kwargs[name] = value
        return cls(**kwargs)


# The fields flasklint/model/index.py reads (keep in step with _Builder).
INDEX_FIELDS = (
    "path", "module", "kind", "is_test", "imports", "aliases", "apps", "blueprints", "routes", "registrations",
    "unresolved", "converters", "secret_keys", "config_loads", "custom_session_interface", "extensions",
    "classes", "jinja_settings", "app_mounts", "template_refs", "session_writes", "url_builders",
    "url_value_preprocessors",
)  # fmt: skip

_LIST_TYPES: dict[str, type] = {
    "apps": AppDef,
    "blueprints": BlueprintDef,
    "routes": RouteDef,
    "registrations": Registration,
    "url_for_calls": UrlForCall,
    "template_refs": TemplateRef,
    "secret_keys": SecretKeySet,
    "config_loads": ConfigLoad,
    "session_writes": SessionWrite,
    "url_literals": UrlLiteral,
    "unresolved": Unresolved,
    "jinja_settings": JinjaSetting,
    "app_mounts": AppMount,
}


def _tuples(item: dict[str, Any]) -> dict[str, Any]:
    """JSON turns span tuples into lists; turn them back so facts compare equal after a cache round trip."""
    return {k: tuple(v) if k.endswith("span") and isinstance(v, list) else v for k, v in item.items()}
