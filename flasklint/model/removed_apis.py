"""Flask, Werkzeug and Jinja APIs removed in current releases, and where a module uses them.

The tables are data (verified against Flask 2.0.3 / Werkzeug 2.0.3 / Jinja 3.0.3, where each name
still works, and Flask 3.1.3 / Werkzeug 3.1 / Jinja 3.1.6, where it fails; shared/FLASK-PITFALLS.md
FL134). `removed_uses(model)` finds the uses through the module's import resolution, skipping the
ones a `try: ... except ImportError:` (or a version/`hasattr` test) already guards: that code was
written for both sides of the removal.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable

import libcst as cst

from flasklint import shortcuts
from flasklint.lazy_regex import lazy_pattern
from flasklint.model.cst_helpers import literal_string, subscript_key
from flasklint.model.imports import dotted_name
from flasklint.model.module import ModuleModel, Scope
from flasklint.model.walk import children
from flasklint.records import dataclass


@dataclass(frozen=True)
class RemovedName:
    """A module attribute that is gone: importing it raises ImportError, reading it AttributeError."""

    qualified: str  # "flask.escape"
    removed_in: str  # "Flask 3.0"
    replacement: str | None  # the qualified name to use instead ("markupsafe.escape"); None: no one-to-one
    same_object: bool = False  # the replacement is what the old name pointed to: moving the import is safe

    @property
    def module(self) -> str:
        return self.qualified.rpartition(".")[0]

    @property
    def name(self) -> str:
        return self.qualified.rpartition(".")[2]


def _moved(old: str, new: str, removed_in: str) -> RemovedName:
    return RemovedName(old, removed_in, new, same_object=True)


REMOVED_NAMES: dict[str, RemovedName] = {
    entry.qualified: entry
    for entry in (
        # flask/__init__.py of 2.0.3: `from markupsafe import escape, Markup`.
        _moved("flask.escape", "markupsafe.escape", "Flask 3.0"),
        _moved("flask.Markup", "markupsafe.Markup", "Flask 3.0"),
        # jinja2 3.0: deprecated wrappers of markupsafe's (2.x: markupsafe's own objects).
        _moved("jinja2.escape", "markupsafe.escape", "Jinja 3.1"),
        _moved("jinja2.Markup", "markupsafe.Markup", "Jinja 3.1"),
        # werkzeug 2.0: deprecated subclasses of Response/Request adding only a warning.
        _moved("werkzeug.wrappers.BaseResponse", "werkzeug.wrappers.Response", "Werkzeug 2.1"),
        _moved("werkzeug.wrappers.BaseRequest", "werkzeug.wrappers.Request", "Werkzeug 2.1"),
        # Flask's safe_join raised NotFound where Werkzeug's returns None: not the same behaviour.
        RemovedName("flask.safe_join", "Flask 2.1", "werkzeug.utils.safe_join"),
        RemovedName("flask.helpers.safe_join", "Flask 2.1", "werkzeug.utils.safe_join"),
        # safe_str_cmp encoded str to UTF-8 first; compare_digest rejects non-ASCII str.
        RemovedName("werkzeug.security.safe_str_cmp", "Werkzeug 2.1", "hmac.compare_digest"),
        # Werkzeug's URL helpers differ from urllib's in defaults (url_quote keeps ':'; quote does not).
        RemovedName("werkzeug.urls.url_quote", "Werkzeug 3.0", "urllib.parse.quote"),
        RemovedName("werkzeug.urls.url_quote_plus", "Werkzeug 3.0", "urllib.parse.quote_plus"),
        RemovedName("werkzeug.urls.url_unquote", "Werkzeug 3.0", "urllib.parse.unquote"),
        RemovedName("werkzeug.urls.url_unquote_plus", "Werkzeug 3.0", "urllib.parse.unquote_plus"),
        RemovedName("werkzeug.urls.url_encode", "Werkzeug 3.0", "urllib.parse.urlencode"),
        RemovedName("werkzeug.urls.url_join", "Werkzeug 3.0", "urllib.parse.urljoin"),
        RemovedName("werkzeug.urls.url_parse", "Werkzeug 3.0", None),
        RemovedName("werkzeug.urls.url_unparse", "Werkzeug 3.0", None),
        RemovedName("werkzeug.urls.url_decode", "Werkzeug 3.0", None),
        RemovedName("werkzeug.urls.url_fix", "Werkzeug 3.0", None),
        RemovedName("flask._app_ctx_stack", "Flask 3.0", None),
        RemovedName("flask._request_ctx_stack", "Flask 3.0", None),
        RemovedName("flask.globals._app_ctx_stack", "Flask 3.0", None),
        RemovedName("flask.globals._request_ctx_stack", "Flask 3.0", None),
        RemovedName("flask.json.JSONEncoder", "Flask 2.3", None),
        RemovedName("flask.json.JSONDecoder", "Flask 2.3", None),
        RemovedName("flask.json.htmlsafe_dumps", "Flask 2.3", None),
        RemovedName("flask.json.htmlsafe_dump", "Flask 2.3", None),
        RemovedName("flask.helpers.total_seconds", "Flask 2.1", None),
        RemovedName("flask.signals_available", "Flask 3.0", None),
    )
}

# Attributes of a Flask app (or blueprint) that are gone: reading one raises AttributeError; assigning
# one sets a plain attribute Flask never reads again (silently ignored).
REMOVED_APP_ATTRIBUTES: dict[str, str] = {
    "before_first_request": "Flask 2.3",
    "before_app_first_request": "Flask 2.3",  # on blueprints
    "json_encoder": "Flask 2.3",
    "json_decoder": "Flask 2.3",
    "env": "Flask 2.3",
    "session_cookie_name": "Flask 2.3",
    "send_file_max_age_default": "Flask 2.3",
    "use_x_sendfile": "Flask 2.3",
    "propagate_exceptions": "Flask 2.3",
    "templates_auto_reload": "Flask 2.3",
    "got_first_request": "Flask 3.0",
}
# Attributes that were `ConfigAttribute`s (Flask 2.0): the config key reads and writes the same value.
APP_CONFIG_ATTRIBUTES: dict[str, str] = {
    "session_cookie_name": "SESSION_COOKIE_NAME",
    "send_file_max_age_default": "SEND_FILE_MAX_AGE_DEFAULT",
    "use_x_sendfile": "USE_X_SENDFILE",
}

# What to do instead, where there is no one-to-one replacement (message hints).
HINTS: dict[str, str] = {
    "flask._app_ctx_stack": "store data on `flask.g`, or use `flask.globals.app_ctx`",
    "flask._request_ctx_stack": "store data on `flask.g`, or use `flask.globals.request_ctx`",
    "flask.globals._app_ctx_stack": "store data on `flask.g`, or use `flask.globals.app_ctx`",
    "flask.globals._request_ctx_stack": "store data on `flask.g`, or use `flask.globals.request_ctx`",
    "flask.json.JSONEncoder": "subclass `flask.json.provider.DefaultJSONProvider` and set `app.json`",
    "flask.json.JSONDecoder": "subclass `flask.json.provider.DefaultJSONProvider` and set `app.json`",
    "flask.json.htmlsafe_dumps": "use Jinja's `|tojson` filter",
    "flask.json.htmlsafe_dump": "use Jinja's `|tojson` filter",
    "flask.helpers.total_seconds": "use `timedelta.total_seconds()`",
    "flask.signals_available": "signals are always available",
    "werkzeug.urls.url_parse": "use `urllib.parse.urlsplit`",
    "werkzeug.urls.url_unparse": "use `urllib.parse.urlunsplit`",
    "werkzeug.urls.url_decode": "use `urllib.parse.parse_qs`",
    "werkzeug.urls.url_fix": "quote the parts with `urllib.parse.quote`",
    "before_first_request": "run the code once at app creation, in `with app.app_context():`",
    "before_app_first_request": "run the code once at app creation, in `with app.app_context():`",
    "json_encoder": "subclass `flask.json.provider.DefaultJSONProvider` and set `app.json`",
    "json_decoder": "subclass `flask.json.provider.DefaultJSONProvider` and set `app.json`",
    "env": "use `app.debug`",
    "propagate_exceptions": 'use `app.config["PROPAGATE_EXCEPTIONS"]`',
    "templates_auto_reload": 'use `app.config["TEMPLATES_AUTO_RELOAD"]`',
    "got_first_request": "there is no replacement",
}

# Names no other common object carries: an imported object using them is taken for a Flask app.
FLASK_ONLY_ATTRIBUTES = frozenset({"before_first_request", "before_app_first_request", "json_encoder", "json_decoder"})

# Config keys Flask 2.3 stopped reading, and what replaced them.
REMOVED_CONFIG_KEYS: dict[str, str] = {
    "JSON_AS_ASCII": "app.json.ensure_ascii",
    "JSON_SORT_KEYS": "app.json.sort_keys",
    "JSONIFY_PRETTYPRINT_REGULAR": "app.json.compact",
    "JSONIFY_MIMETYPE": "app.json.mimetype",
    "ENV": "app.debug",
}
# The keys whose replacement takes the same value (JSONIFY_PRETTYPRINT_REGULAR=False meant "pretty
# in debug only", which is compact=None, not compact=True): provider attribute per key.
JSON_PROVIDER_ATTRIBUTES: dict[str, str] = {
    "JSON_AS_ASCII": "ensure_ascii",
    "JSON_SORT_KEYS": "sort_keys",
    "JSONIFY_MIMETYPE": "mimetype",
}

# Keyword arguments renamed in Flask 2.0 (the old name became an alias of the new one):
# callee -> {old: new}, and when a call using the old name started to fail.
RENAMED_KEYWORDS: dict[str, dict[str, str]] = {
    "flask.send_file": {"attachment_filename": "download_name", "cache_timeout": "max_age", "add_etags": "etag"},
    "flask.send_from_directory": {"filename": "path"},
}
# send_file accepted the old names until 2.2; send_from_directory(d, filename=f) failed from 2.0 on
# (`path` became a required parameter; 2.0.3: "missing 1 required positional argument: 'path'").
KEYWORD_REMOVED_IN = {"flask.send_file": "Flask 2.2", "flask.send_from_directory": "Flask 2.0"}
RENAMED_KEYWORDS["flask.helpers.send_file"] = RENAMED_KEYWORDS["flask.send_file"]
RENAMED_KEYWORDS["flask.helpers.send_from_directory"] = RENAMED_KEYWORDS["flask.send_from_directory"]
KEYWORD_REMOVED_IN["flask.helpers.send_file"] = KEYWORD_REMOVED_IN["flask.send_file"]
KEYWORD_REMOVED_IN["flask.helpers.send_from_directory"] = KEYWORD_REMOVED_IN["flask.send_from_directory"]

# Exceptions whose handler means "this import may fail": the code already handles the removal.
GUARD_EXCEPTIONS = frozenset({"ImportError", "ModuleNotFoundError", "AttributeError", "Exception", "BaseException"})


@dataclass
class ImportedRemoved:
    """`from module import name` of a removed name: `alias` is the ImportAlias in `statement`."""

    statement: cst.ImportFrom
    alias: cst.ImportAlias
    entry: RemovedName
    scope: Scope


@dataclass
class AttributeRemoved:
    """`flask.escape` (a removed name read through a module), or `app.before_first_request`."""

    node: cst.Attribute
    scope: Scope
    entry: RemovedName | None = None  # set for module attributes
    removed_in: str = ""  # set for app attributes
    assigned: bool = False  # `app.json_encoder = X`: silently ignored rather than an error


@dataclass
class RenamedKeyword:
    call: cst.Call
    arg: cst.Arg
    new: str
    callee: str


@dataclass
class RemovedConfigKey:
    """`<owner>.config["KEY"] = value`; `app_config` when the owner is an app of this module."""

    node: cst.BaseExpression  # the key literal
    key: str
    subscript: cst.Subscript
    app_config: bool
    plain_assign: bool  # a simple `=` (not `+=`), with one target


RemovedUse = ImportedRemoved | AttributeRemoved | RenamedKeyword | RemovedConfigKey

# Every use `_Finder` records spells one of these identifiers: a removed name is imported by its last
# component or read as that attribute (qualify() keeps the attribute last), an app attribute is read
# by name, and a renamed keyword needs a call of send_file/send_from_directory.
_TOKENS = sorted(
    {entry.name for entry in REMOVED_NAMES.values()}
    | set(REMOVED_APP_ATTRIBUTES)
    | {callee.rpartition(".")[2] for callee in RENAMED_KEYWORDS}
)
_NAMES_REMOVED_USE = lazy_pattern(r"\b(?:%s)\b" % "|".join(map(re.escape, _TOKENS)))
# The attribute names `_Finder._attribute` can record: a removed name's last component, an app attribute.
_ATTRIBUTE_NAMES = frozenset({entry.name for entry in REMOVED_NAMES.values()} | set(REMOVED_APP_ATTRIBUTES))
# A config key is recorded at `<x>.config[...]` (`_config_key`) in a module importing Flask: the key
# itself may be an implicit concatenation, so the subscripted attribute is the token; between it and
# the `[` only closing parentheses, blanks, continuations and comments can stand. `config` alone (in
# most modules of an app: reads of settings, `app.config.from_object`) walks nothing.
_CONFIG_SUBSCRIPT = lazy_pattern(r"\bconfig(?:[\s\\)]|#[^\r\n]*)*\[")


def may_use_removed(text: str, imports_flask: bool) -> bool:
    """Whether the module's text names anything `_Finder` records (a cheap scan before its walk)."""
    if _NAMES_REMOVED_USE().search(text) is not None:  # compiled when first needed
        return True
    return imports_flask and _CONFIG_SUBSCRIPT().search(text) is not None


def removed_uses(model: ModuleModel) -> list[RemovedUse]:
    """Every unguarded use of a removed API in the module, in source order."""
    if shortcuts.enabled() and not may_use_removed(model.text, model.facts.imports_flask):
        return []  # the walk below visits every node: most modules name none of these
    finder = _Finder(model)
    finder.visit(model.tree, model.module_scope, guarded=False)
    return finder.found


class _Finder:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.found: list[RemovedUse] = []
        self.app_refs = {app.ref for app in model.facts.apps} | {bp.ref for bp in model.facts.blueprints}
        self.imports_quart = any(q.partition(".")[0] == "quart" for q in model.facts.imports.values())
        self.recorders = _recorders()

    def visit(self, node: cst.CSTNode, scope: Scope, guarded: bool) -> None:
        # Dispatch on the exact type: libcst's node classes have no subclasses, and isinstance against
        # them (ABCs) runs Python code for each mismatch, on every node of the module.
        node_type = type(node)
        if node_type is cst.FunctionDef and node in self.model.function_of:
            for decorator in node.decorators:
                self.visit(decorator, scope, guarded)
            inner = self.model.function_of[node].scope
            self.visit(node.body, inner, guarded)
            return
        if node_type is cst.Try:
            self.visit(node.body, scope, guarded or _handles_removal(node))
            for part in (*node.handlers, node.orelse, node.finalbody):
                if part is not None:
                    self.visit(part, scope, guarded)
            return
        if node_type is cst.If and _is_version_test(node.test):
            return
        if not guarded:
            record = self.recorders.get(node_type)
            if record is not None and record(self, node, scope):
                return
        for child in children(node):
            self.visit(child, scope, guarded)

    def _import(self, node: cst.Import, scope: Scope) -> bool:
        return True  # `import flask`: a module, never a removed name

    def _imported_from(self, node: cst.ImportFrom, scope: Scope) -> bool:
        self._import_from(node, scope)
        return True

    def _read(self, node: cst.Attribute, scope: Scope) -> bool:
        return self._attribute(node, scope, assigned=False)

    def _called(self, node: cst.Call, scope: Scope) -> bool:
        self._call(node, scope)
        return False

    def _import_from(self, node: cst.ImportFrom, scope: Scope) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module)
        for alias in node.names:
            entry = REMOVED_NAMES.get(f"{module}.{dotted_name(alias.name)}")
            if entry is not None:
                self.found.append(ImportedRemoved(node, alias, entry, scope))

    def _attribute(self, node: cst.Attribute, scope: Scope, assigned: bool) -> bool:
        name = node.attr.value
        if name not in _ATTRIBUTE_NAMES:
            return False  # qualify() keeps the attribute last: no removed name ends otherwise
        entry = REMOVED_NAMES.get(self.model.qualify(node, scope) or "")
        if entry is not None:
            self.found.append(AttributeRemoved(node, scope, entry=entry, assigned=assigned))
            return True
        if name in REMOVED_APP_ATTRIBUTES and self._is_app(node.value, scope, name):
            self.found.append(AttributeRemoved(node, scope, removed_in=REMOVED_APP_ATTRIBUTES[name], assigned=assigned))
            return True
        return False

    def _is_app(self, node: cst.BaseExpression, scope: Scope, attribute: str) -> bool:
        """A Flask app or blueprint of this module, `current_app`, or (for Flask-only attribute
        names, in a module importing Flask) an imported object."""
        ref = self.model.ref_of(node, scope)
        if ref is None:
            return False
        if ref in self.app_refs or ref == "flask.current_app":
            return True
        return (
            attribute in FLASK_ONLY_ATTRIBUTES
            and isinstance(node, cst.Name)
            and self.model.facts.imports_flask
            and not self.imports_quart
            and scope.imports.lookup(node.value) == ref
        )

    def _assignment(self, node: cst.Assign | cst.AugAssign | cst.AnnAssign, scope: Scope) -> bool:
        targets = [t.target for t in node.targets] if type(node) is cst.Assign else [node.target]
        plain = type(node) is cst.Assign and len(targets) == 1
        handled = False
        for target in targets:
            if type(target) is cst.Attribute and self._attribute(target, scope, assigned=True):
                handled = True
            elif type(target) is cst.Subscript and self._config_key(target, scope, plain):
                handled = True
        if handled and node.value is not None:
            self.visit(node.value, scope, guarded=False)
        return handled

    def _call(self, node: cst.Call, scope: Scope) -> None:
        callee = self.model.qualify(node.func, scope) or ""
        renames = RENAMED_KEYWORDS.get(callee)
        if renames is None:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in renames:
                self.found.append(RenamedKeyword(node, arg, renames[arg.keyword.value], callee))

    def _config_key(self, node: cst.Subscript, scope: Scope, plain: bool) -> bool:
        """`<x>.config["JSON_SORT_KEYS"] = ...` in a module importing Flask (a read may be of a
        value the project sets itself)."""
        key_node = subscript_key(node)
        key = literal_string(key_node)
        if key not in REMOVED_CONFIG_KEYS or key_node is None or not self.model.facts.imports_flask:
            return False
        if not (isinstance(node.value, cst.Attribute) and node.value.attr.value == "config"):
            return False
        owner = self.model.ref_of(node.value.value, scope)
        is_app = owner in {app.ref for app in self.model.facts.apps} or owner == "flask.current_app"
        self.found.append(RemovedConfigKey(key_node, key, node, is_app, plain))
        return True


@functools.cache
def _recorders() -> dict[type, Callable[[_Finder, Any, Scope], bool]]:
    """Where `_Finder` records a use, by node class: the recorder returns True when the node's children
    need no further look. Built on first use (naming libcst's classes at import would load libcst in
    warm runs, which need none)."""
    return {
        cst.ImportFrom: _Finder._imported_from,
        cst.Import: _Finder._import,
        cst.Assign: _Finder._assignment,
        cst.AugAssign: _Finder._assignment,
        cst.AnnAssign: _Finder._assignment,
        cst.Attribute: _Finder._read,
        cst.Call: _Finder._called,
    }


def _handles_removal(node: cst.Try) -> bool:
    """A handler catching ImportError (or a parent of it, or everything): the body may fail to import."""
    for handler in node.handlers:
        if handler.type is None:
            return True
        types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
        for element in types:
            value = element.value if isinstance(element, cst.Element) else element
            if (dotted_name(value) or "").rpartition(".")[2] in GUARD_EXCEPTIONS:
                return True
    return False


def _is_version_test(test: cst.BaseExpression) -> bool:
    """`if flask_version < (2, 3):`, `if hasattr(flask, "escape"):`: code written for both releases."""
    stack: list[cst.CSTNode] = [test]
    while stack:
        node = stack.pop()
        if type(node) is cst.Name and ("version" in node.value.lower() or node.value == "hasattr"):
            return True
        if type(node) is cst.Attribute and "version" in node.attr.value.lower():
            return True
        stack.extend(children(node))
    return False
