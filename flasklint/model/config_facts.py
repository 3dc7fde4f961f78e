"""Secret-key writes, config loaders and session writes, derived from a ModuleModel.

These answer "is a session key set, and how?" for FLK104 (literal keys) and, through the project
index, FLK302 (session used without a key). They are read off the calls and assignments the one
traversal recorded: no second walk of the tree. Only values whose source we can see count as a key;
a loader whose content we cannot see (`from_pyfile`, `update(**x)`, ...) is recorded as opaque so the
index can say "unknowable" instead of "missing".
"""

from __future__ import annotations


import libcst as cst

from flasklint.model.cst_helpers import argument, is_string_literal, literal_string, subscript_key
from flasklint.model.facts import ConfigLoad, SecretKeySet, SessionWrite
from flasklint.model.imports import dotted_name
from flasklint.model.module import FLASK_CLASSES, AssignInfo, CallInfo, FunctionInfo, ModuleModel, Scope, view_owners
from flasklint.records import dataclass

SECRET_KEY = "SECRET_KEY"
# `os.environ.get(name, default)` and friends: the default (if any) is the second argument.
ENVIRONMENT_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "decouple.config"})
GENERATORS = frozenset(
    {"secrets.token_hex", "secrets.token_urlsafe", "secrets.token_bytes", "os.urandom", "uuid.uuid4"}
)
CONFIG_MAPPINGS = frozenset({"update", "from_mapping"})
OPAQUE_LOADERS = frozenset({"from_pyfile", "from_envvar", "from_file", "from_prefixed_env", "from_json"})
SESSION = frozenset({"flask.session", "flask.globals.session"})
# NullSession (no secret key) raises on every mutating method (flask/sessions.py).
SESSION_MUTATORS = frozenset({"pop", "clear", "update", "setdefault", "popitem"})
FLASH = frozenset({"flask.flash", "flask.helpers.flash"})
LOGIN_USER = frozenset({"flask_login.login_user", "flask_login.utils.login_user"})
# Extensions that fill app.config from files or the environment (`FlaskDynaconf(app)`): opaque loaders.
CONFIG_EXTENSIONS = ("dynaconf.", "flask_appconfig.")
# Environment variables that become the session key (`from_prefixed_env()` reads FLASK_SECRET_KEY).
SECRET_KEY_VARIABLES = frozenset({SECRET_KEY, "FLASK_SECRET_KEY"})
# pydantic settings classes: a field's default is used whenever its environment variable is unset.
SETTINGS_BASES = frozenset(
    {
        "pydantic.BaseSettings",
        "pydantic.env_settings.BaseSettings",
        "pydantic.v1.BaseSettings",
        "pydantic_settings.BaseSettings",
        "pydantic_settings.main.BaseSettings",
    }
)
PYDANTIC_FIELDS = frozenset({"pydantic.Field", "pydantic.fields.Field", "pydantic.v1.Field"})
MAX_DEPTH = 8


@dataclass(frozen=True)
class KeyValue:
    """What a secret-key expression evaluates to, as far as the source shows."""

    value: str  # literal | literal_fallback | environment | generated | unknown
    node: cst.CSTNode  # the expression a fix replaces: the literal, or the whole fallback expression
    literal: str | None = None  # source text of the literal (the fallback's, for literal_fallback)
    env_name: str | None = None


def collect_config_facts(model: ModuleModel) -> None:
    """Fill model.facts.secret_keys, config_loads and session_writes."""
    collector = _Collector(model)
    for assign in model.assigns:
        collector.assignment(assign)
    for call in model.calls:
        collector.call(call)


class _Collector:
    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.facts = model.facts
        self.class_of_scope = {id(info.scope): info for info in model.classes}

    # -- assignments -----------------------------------------------------------------------
    def assignment(self, assign: AssignInfo) -> None:
        is_augmented = isinstance(assign.node, cst.AugAssign)
        for target in assign.targets:
            if isinstance(target, cst.Subscript):
                self._subscript_target(target, assign, is_augmented)
            elif isinstance(target, cst.Attribute):
                self._attribute_target(target, assign, is_augmented)
            elif isinstance(target, cst.Name) and assign.value is not None and not is_augmented:
                self._name_target(target, assign)

    def _subscript_target(self, target: cst.Subscript, assign: AssignInfo, is_augmented: bool) -> None:
        if self.model.qualify(target.value, assign.scope) in SESSION:
            self._session_write("session_item", target, assign.function)
            return
        if is_augmented or assign.value is None or not is_config(self.model, target.value, assign.scope):
            return
        key = self._config_key(subscript_key(target), assign.scope)
        if key == SECRET_KEY:
            self._key("config_item", assign.value, assign.scope, owner=self._config_owner(target.value, assign.scope))
        elif key is None:
            # `for name in (...): app.config[name] = os.environ[name]`: any key, the secret one included.
            self.facts.config_loads.append(ConfigLoad("item", self.model.span(target)))

    def _config_key(self, node: cst.BaseExpression | None, scope: Scope) -> str | None:
        """The literal key of `config[...]`, through a name bound to a literal (`KEY = "SECRET_KEY"`)."""
        key = literal_string(node)
        if key is None and isinstance(node, cst.Name):
            key = literal_string(self.model.value_of(node.value, scope))
        return key

    def _attribute_target(self, target: cst.Attribute, assign: AssignInfo, is_augmented: bool) -> None:
        name = target.attr.value
        if name == "permanent" and self.model.qualify(target.value, assign.scope) in SESSION:
            # The `permanent` setter stores "_permanent" in the session: it raises without a key too.
            self._session_write("session_item", target, assign.function)
        elif name == "secret_key" and not is_augmented and assign.value is not None and self._is_app_like(target.value):
            self._key("attribute", assign.value, assign.scope, owner=self.model.ref_of(target.value, assign.scope))

    def _name_target(self, target: cst.Name, assign: AssignInfo) -> None:
        assert assign.value is not None
        scope = assign.scope
        if target.value.upper() == SECRET_KEY and scope.kind == "class" and self._is_settings_class(scope):
            self._settings_field(assign.value, scope)
        elif target.value == SECRET_KEY and scope.kind == "module":
            self._key("module_constant", assign.value, scope, owner=self.model.module_name)
        elif target.value == SECRET_KEY and scope.kind == "class":
            self._key("class_attribute", assign.value, scope, owner=self._class_ref(scope))
        elif target.value == "secret_key" and scope.kind == "class":
            info = self.class_of_scope.get(id(scope))
            if info is not None and any(base in FLASK_CLASSES for base in info.bases):
                # `class App(Flask): secret_key = ...` sets the attribute for every instance.
                self._key("attribute", assign.value, scope, owner=self._class_ref(scope))

    def _is_settings_class(self, scope: Scope) -> bool:
        info = self.class_of_scope.get(id(scope))
        return info is not None and any(base in SETTINGS_BASES for base in info.bases)

    def _settings_field(self, value: cst.BaseExpression, scope: Scope) -> None:
        """`class Settings(BaseSettings): secret_key: str = "changeme"`: pydantic reads SECRET_KEY from the
        environment (any case) and falls back to the default, so a literal default is a fallback key.

        With a `model_config`/`Config` (an `env_prefix`, another source) or a `Field` alias, the
        variable's name is not `SECRET_KEY`: the key is still a fallback, of a variable left unnamed.
        """
        if isinstance(value, cst.Call) and self.model.qualify(value.func, scope) in PYDANTIC_FIELDS:
            renamed = any(argument(value, None, name) is not None for name in ("alias", "validation_alias", "env"))
            default = argument(value, 0, "default")
            if default is None:
                return
            value = default
        else:
            renamed = False
        key = classify_key(self.model, value, scope)
        if key.value != "literal" or _is_empty_string(key.node):
            return
        env_name = None if renamed or self._configures_settings(scope) else SECRET_KEY
        owner = self._class_ref(scope)
        self.facts.secret_keys.append(
            SecretKeySet("settings_field", "literal_fallback", self.model.span(key.node), owner, key.literal, env_name)
        )

    def _configures_settings(self, scope: Scope) -> bool:
        """A settings class with its own `model_config = ...` or `class Config:` (env_prefix, case, files)."""
        if any(info.qualname == f"{scope.qualname}.Config" for info in self.model.classes):
            return True
        return any(
            assign.scope is scope and any(isinstance(t, cst.Name) and t.value == "model_config" for t in assign.targets)
            for assign in self.model.assigns
        )

    def _is_app_like(self, receiver: cst.BaseExpression) -> bool:
        """`x.secret_key = ...` is Flask's when the module uses Flask or `x` is named like an app."""
        name = dotted_name(receiver)
        if name is None:
            return False
        return self.facts.imports_flask or "app" in name.rpartition(".")[2].lower()

    def _class_ref(self, scope: Scope) -> str:
        return f"{self.model.module_name}.{scope.qualname}" if self.model.module_name else scope.qualname

    def _config_owner(self, config: cst.BaseExpression, scope: Scope) -> str | None:
        if isinstance(config, cst.Attribute):
            return self.model.ref_of(config.value, scope)
        return None

    # -- calls -----------------------------------------------------------------------------
    def call(self, call: CallInfo) -> None:
        node = call.node
        if call.qualified in FLASH:
            self._session_write("flash", node, call.function)
        elif call.qualified in LOGIN_USER:
            self._session_write("login_user", node, call.function)
        elif call.qualified and call.qualified.startswith("flask_session."):
            # Flask-Session's server-side sessions: the session may work without a secret key.
            self.facts.custom_session_interface = True
        elif call.qualified and call.qualified.startswith(CONFIG_EXTENSIONS):
            self.facts.config_loads.append(ConfigLoad("extension", self.model.span(node)))
        elif call.qualified == "os.environ.setdefault":
            self._environment_default(call)
        if not isinstance(node.func, cst.Attribute):
            return
        method = node.func.attr.value
        receiver = node.func.value
        if method in SESSION_MUTATORS and self.model.qualify(receiver, call.scope) in SESSION:
            self._session_write("session_method", node, call.function)
        elif not is_config(self.model, receiver, call.scope):
            return
        elif method in CONFIG_MAPPINGS:
            self._mapping_call(call, method)
        elif method == "setdefault" and literal_string(argument(node, 0, "key")) == SECRET_KEY:
            value = argument(node, 1, "default")
            if value is not None:
                self._key("config_item", value, call.scope, owner=self._config_owner(receiver, call.scope))
        elif method == "from_object":
            target = resolve_object(self.model, argument(node, 0, "obj"), call.scope)
            self.facts.config_loads.append(ConfigLoad(method, self.model.span(node), target, opaque=target is None))
        elif method in OPAQUE_LOADERS:
            self.facts.config_loads.append(ConfigLoad(method, self.model.span(node)))

    def _environment_default(self, call: CallInfo) -> None:
        """`os.environ.setdefault("SECRET_KEY", "dev")`: whatever reads the variable later gets the literal
        whenever the deployment does not set it. (A call whose value is itself the key is recorded there.)"""
        env_name = literal_string(argument(call.node, 0, "key"))
        default = argument(call.node, 1, "default")
        if env_name not in SECRET_KEY_VARIABLES or default is None or self._inside_a_key(call.node):
            return
        key = classify_key(self.model, default, call.scope)
        if key.value == "literal" and not _is_empty_string(key.node):
            span = self.model.span(key.node)
            key_set = SecretKeySet("environ_default", "literal_fallback", span, None, key.literal, env_name)
            self.facts.secret_keys.append(key_set)

    def _inside_a_key(self, node: cst.CSTNode) -> bool:
        """Whether `node` is (part of) a value already recorded as a key: `app.secret_key = os.environ.setdefault(...)`
        is reported there, once."""
        row, column, end_row, end_column = self.model.span(node)
        return any(
            (key.span[0], key.span[1]) <= (row, column) and (end_row, end_column) <= (key.span[2], key.span[3])
            for key in self.facts.secret_keys
        )

    def _mapping_call(self, call: CallInfo, method: str) -> None:
        """`config.update(SECRET_KEY=...)`, `.update({"SECRET_KEY": ...})`, `.from_mapping(...)`."""
        opaque = False
        owner = self._config_owner(call.node.func.value, call.scope)  # type: ignore[attr-defined]
        for arg in call.node.args:
            if arg.keyword is not None:
                if arg.keyword.value == SECRET_KEY:
                    self._key(method, arg.value, call.scope, owner=owner)
                continue
            if arg.star == "*":
                opaque = True
                continue
            entries, complete = mapping_entries(self.model, arg.value, call.scope)
            opaque = opaque or not complete
            for key, value in entries:
                if key == SECRET_KEY:
                    self._key(method, value, call.scope, owner=owner)
        if opaque:
            self.facts.config_loads.append(ConfigLoad(method, self.model.span(call.node)))

    # -- recording -------------------------------------------------------------------------
    def _key(self, how: str, value: cst.BaseExpression, scope: Scope, owner: str | None) -> None:
        key = classify_key(self.model, value, scope)
        self.facts.secret_keys.append(
            SecretKeySet(how, key.value, self.model.span(key.node), owner, key.literal, key.env_name)
        )

    def _session_write(self, kind: str, node: cst.CSTNode, function: FunctionInfo | None) -> None:
        self.facts.session_writes.append(SessionWrite(kind, self.model.span(node), view_owners(function)))


# -- expression helpers (shared with FLK103) ---------------------------------------------------
def is_config(model: ModuleModel, node: cst.BaseExpression, scope: Scope) -> bool:
    """`<anything>.config`, or a name bound to one (`config = app.config`)."""
    if isinstance(node, cst.Attribute):
        return node.attr.value == "config"
    if isinstance(node, cst.Name):
        value = model.value_of(node.value, scope)
        return isinstance(value, cst.Attribute) and value.attr.value == "config"
    return False


def mapping_entries(
    model: ModuleModel, node: cst.BaseExpression, scope: Scope, depth: int = 0
) -> tuple[list[tuple[str, cst.BaseExpression]], bool]:
    """Literal-keyed entries of a dict display, `dict(K=v)` or a name bound to one; and whether that is all."""
    if depth > MAX_DEPTH:
        return [], False
    if isinstance(node, cst.Dict):
        entries: list[tuple[str, cst.BaseExpression]] = []
        complete = True
        for element in node.elements:
            key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                complete = False
            else:
                entries.append((key, element.value))
        return entries, complete
    if isinstance(node, cst.Call) and dotted_name(node.func) == "dict" and model.qualify(node.func, scope) is None:
        entries = [(a.keyword.value, a.value) for a in node.args if a.keyword is not None]
        return entries, all(a.keyword is not None for a in node.args)
    if isinstance(node, cst.Name):
        value = model.value_of(node.value, scope)
        if value is not None:
            return mapping_entries(model, value, scope, depth + 1)
    return [], False


def _is_empty_string(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.SimpleString) and node.evaluated_value in ("", b"")


def classify_key(model: ModuleModel, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> KeyValue:
    """Where a secret key's value comes from: a literal, the environment (maybe with a literal default), ..."""
    unknown = KeyValue("unknown", node)
    if depth > MAX_DEPTH:
        return unknown
    if is_string_literal(node):
        if isinstance(node, cst.SimpleString) and node.evaluated_value in (SECRET_KEY, SECRET_KEY.encode()):
            return unknown  # `SECRET_KEY = "SECRET_KEY"` names the setting (a constant for the key's name)
        return KeyValue("literal", node, model.code(node).strip())
    if isinstance(node, cst.Name):
        # A constant or variable (`KEY = "dev"; app.secret_key = KEY`): the value is where it was written.
        value = model.value_of(node.value, scope) if model.qualify(node, scope) is None else None
        return classify_key(model, value, scope, depth + 1) if value is not None else unknown
    if isinstance(node, cst.BooleanOperation) and isinstance(node.operator, cst.Or):
        return _or_fallback(model, node, scope, depth)
    if isinstance(node, cst.Subscript):
        if model.qualify(node.value, scope) == "os.environ":
            return KeyValue("environment", node, env_name=literal_string(subscript_key(node)))
        return unknown
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Call):
        inner = classify_key(model, node.value, scope, depth + 1)  # uuid.uuid4().hex
        return KeyValue("generated", node) if inner.value == "generated" else unknown
    if isinstance(node, cst.Call):
        return _call_value(model, node, scope, depth)
    return unknown


def _or_fallback(model: ModuleModel, node: cst.BooleanOperation, scope: Scope, depth: int) -> KeyValue:
    """`os.environ.get("SECRET_KEY") or "dev"`: the literal is the key whenever the variable is unset."""
    left = classify_key(model, node.left, scope, depth + 1)
    right = classify_key(model, node.right, scope, depth + 1)
    if left.value == "literal" and not _is_empty_string(left.node):
        return KeyValue("literal", left.node, left.literal)
    if right.value in ("literal", "literal_fallback") and not _is_empty_string(right.node):
        return KeyValue("literal_fallback", node, right.literal, left.env_name or right.env_name)
    for kind in ("environment", "generated"):
        if kind in (left.value, right.value):
            return KeyValue(kind, node, env_name=left.env_name or right.env_name)
    return KeyValue("unknown", node)


def _call_value(model: ModuleModel, node: cst.Call, scope: Scope, depth: int) -> KeyValue:
    qualified = model.qualify(node.func, scope)
    if qualified in ENVIRONMENT_GETTERS:
        env_name = literal_string(argument(node, 0, "key"))
        default = argument(node, 1, "default")
        if default is not None:
            fallback = classify_key(model, default, scope, depth + 1)
            if fallback.value in ("literal", "literal_fallback") and not _is_empty_string(fallback.node):
                return KeyValue("literal_fallback", node, fallback.literal, env_name)
        return KeyValue("environment", node, env_name=env_name)
    if qualified in GENERATORS:
        return KeyValue("generated", node)
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("encode", "decode", "strip"):
        inner = classify_key(model, func.value, scope, depth + 1)  # "dev".encode(), os.environ["K"].encode()
        return KeyValue(inner.value, node if inner.node is func.value else inner.node, inner.literal, inner.env_name)
    name = dotted_name(func) if qualified is None else None
    first = argument(node, 0, None)
    if name in ("str", "bytes") and first is not None:
        inner = classify_key(model, first, scope, depth + 1)
        return KeyValue(inner.value, node if inner.node is first else inner.node, inner.literal, inner.env_name)
    if name == "bytes.fromhex" and first is not None and is_string_literal(first):
        return KeyValue("literal", node, model.code(node).strip())
    return KeyValue("unknown", node)


def resolve_object(model: ModuleModel, node: cst.BaseExpression | None, scope: Scope, depth: int = 0) -> str | None:
    """The project-wide ref of what `from_object(...)` loads, or None when it cannot be seen statically.

    A dotted-path string, `__name__`, an imported name, a module-level class or an attribute of one
    resolve, and so does a parameter the function never rebinds, to its default (`def
    create_app(config_class=Config)`: what `create_app()` loads); locals bound to computed values,
    parameters without a resolvable default and calls do not.
    """
    if node is None or depth > MAX_DEPTH:
        return None
    if is_string_literal(node):
        return literal_string(node)
    if isinstance(node, cst.Attribute):
        base = resolve_object(model, node.value, scope, depth + 1)
        return f"{base}.{node.attr.value}" if base else None
    if not isinstance(node, cst.Name):
        return None
    if node.value == "__name__":
        return model.module_name
    qualified = model.qualify(node, scope)
    if qualified is not None:
        return qualified
    ref = model.ref_of(node, scope)
    if ref is not None and ref.startswith("param:"):
        return _parameter_default(model, node.value, scope, depth)
    if ref is None:
        return None
    value = model.value_of(node.value, scope)
    if value is None:  # a class or function defined here (locals bound in other ways are unknowable)
        return None if ".<locals>." in ref else ref
    if isinstance(value, (cst.Name, cst.Attribute)) or is_string_literal(value):
        return resolve_object(model, value, scope, depth + 1)
    return None


def _parameter_default(model: ModuleModel, name: str, scope: Scope, depth: int) -> str | None:
    """What a parameter's default resolves to, in the scope the `def` runs in; None when the function
    rebinds the parameter (`config_class = config_class or Config`) or has no such default."""
    owner: Scope | None = scope
    while owner is not None and name not in owner.params:
        owner = owner.parent
    if owner is None or name in owner.assigned:
        return None
    function = next((info for info in model.functions if info.scope is owner), None)
    if function is None:
        return None
    params = function.node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.name.value == name and param.default is not None:
            return resolve_object(model, param.default, owner.parent or model.module_scope, depth + 1)
    return None
