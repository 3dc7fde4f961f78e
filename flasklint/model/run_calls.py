"""Where Python code starts the development server: `app.run(...)` calls with debug on and a public host.

The Python half of FLK103's question (deploy.py answers it for deployment files): which `.run` is
a Flask app's, what host/port/debug it gets (keywords, positions, `**options` dicts), and whether
debug is on there, from the call itself or, when the call leaves it out, from the module's
`app.debug = ...` / `config["DEBUG"] = ...` settings. Values are followed through module constants
and an environment lookup's default, no further.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.config_facts import (
    ENVIRONMENT_GETTERS,
    CONFIG_MAPPINGS,
    is_config,
    mapping_entries,
    resolve_object,
)
from flasklint.model.cst_helpers import argument, is_none, literal_string, subscript_key
from flasklint.model.deploy import PUBLIC_HOSTS
from flasklint.model.imports import dotted_name
from flasklint.model.module import FLASK_CLASSES, CallInfo, ModuleModel, Scope
from flasklint.records import dataclass

MAX_DEPTH = 8
RUN_POSITIONS = {"host": 0, "port": 1, "debug": 2}  # Flask.run(host, port, debug, load_dotenv, **options)


@dataclass(frozen=True)
class PublicDebugRun:
    """A `run()` call with debug on and a public host: the host option to report, the literal to rebind."""

    option: cst.BaseExpression
    host: cst.SimpleString
    debug_source: str


@dataclass(frozen=True)
class UndecidedPublicRun:
    """A `run()` on a public host that leaves debug to config objects this module loads from other
    modules (`from_object(Config)` with `Config` imported, `from_object("pkg.config.Config")`)."""

    option: cst.BaseExpression
    host: cst.SimpleString
    loads: tuple[str, ...]  # the loaded objects' refs, in load order


@dataclass(frozen=True)
class _Option:
    """One `run()` option: the node to report, the expression giving its value, how it is written."""

    node: cst.BaseExpression
    value: cst.BaseExpression
    text: str


@dataclass(frozen=True)
class _Debug:
    """Debug mode as the source sets it: on/off/unknown (None), and how, for the message."""

    on: bool | None
    source: str = ""


def public_debug_runs(model: ModuleModel) -> Iterator[PublicDebugRun]:
    """Each app `run()` of the module that starts the debugger on `0.0.0.0` or `::`, in source order."""
    module_debug: _Debug | None = None
    for call in model.calls:
        func = call.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "run" and _is_app(model, call)):
            continue
        options = _run_options(model, call)
        debugger_option = options.get("use_debugger")
        if debugger_option is not None and _truthy(model, debugger_option.value, call.scope) is False:
            continue  # `use_debugger=False`: debug mode (reloader, tracebacks in the log) without the debugger
        debug_option = options.get("debug")
        if debug_option is not None and not is_none(debug_option.value):
            debug = _Debug(_truthy(model, debug_option.value, call.scope), debug_option.text)
        else:  # `run()` keeps `app.debug` when no debug argument is given
            module_debug = module_debug or _module_debug(model)
            debug = module_debug
        host_option = options.get("host")
        if not debug.on or host_option is None:
            continue
        literal = _public_host(model, host_option.value, call.scope)
        if literal is not None:
            yield PublicDebugRun(host_option.node, literal, debug.source)


def undecided_public_runs(model: ModuleModel) -> Iterator[UndecidedPublicRun]:
    """Each app `run()` on `0.0.0.0`/`::` with no debug argument and no debug setting in this module,
    whose app loads config objects of other modules; none when a config source here is opaque (a
    computed `from_object`, `from_pyfile`, `from_envvar`, ...), where debug could come from anywhere."""
    loads: tuple[str, ...] | None = None
    for call in model.calls:
        func = call.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "run" and _is_app(model, call)):
            continue
        options = _run_options(model, call)
        debugger_option, debug_option, host_option = (options.get(name) for name in ("use_debugger", "debug", "host"))
        if debugger_option is not None or debug_option is not None or host_option is None:
            continue
        literal = _public_host(model, host_option.value, call.scope)
        if literal is None or _module_debug(model).on is not False:
            continue
        loads = _foreign_loads(model) if loads is None else loads
        if loads:
            yield UndecidedPublicRun(host_option.node, literal, loads)


def _foreign_loads(model: ModuleModel) -> tuple[str, ...]:
    """The refs of other modules' objects `config.from_object(...)` loads here; () when a config
    source of the module is opaque (or there is none)."""
    if any(load.opaque for load in model.facts.config_loads):
        return ()
    prefix = f"{model.module_name}." if model.module_name else ""
    loads: list[str] = []
    for call in model.calls:
        func = call.node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "from_object" and is_config(model, func.value, call.scope)):
            continue
        loaded = argument(call.node, 0, "obj")
        if loaded is None or (model.ref_of(loaded, call.scope) or "").startswith("param:"):
            return ()
        target = resolve_object(model, loaded, call.scope)
        if target is None:
            return ()
        if not (target == model.module_name or target.startswith(prefix)):
            loads.append(target)
    return tuple(loads)


@dataclass(frozen=True)
class ConfigObject:
    """A module-level class (or the module itself, `ref` = the module's name) as a config object:
    its own `DEBUG` ("on", "off", "unknown", "unset") and its bases, for `from_object` in other modules."""

    ref: str
    state: str
    text: str  # `DEBUG = True`, for messages
    bases: tuple[str, ...]
    bases_known: bool  # every base resolved to a name


def config_objects(model: ModuleModel) -> Iterator[ConfigObject]:
    """The module and each of its module-level classes, with the `DEBUG` each sets."""
    prefix = f"{model.module_name}." if model.module_name else ""
    own: dict[str, list[tuple[bool | None, str]]] = {}
    for assign in model.assigns:
        top = assign.scope.kind == "module" or (assign.scope.kind == "class" and "." not in assign.scope.qualname)
        if top and assign.value is not None and _assigns_debug(assign.targets):
            text = f"`DEBUG = {model.code(assign.value).strip()}`"
            own.setdefault(assign.scope.qualname, []).append((_truthy(model, assign.value, assign.scope), text))
    yield ConfigObject(model.module_name, *_state(own.get("")), (), True)
    for info in model.classes:
        if "." not in info.qualname:  # a module-level class
            ref = prefix + info.qualname
            bases = tuple(model.facts.classes.get(ref, ()))  # resolved like the index resolves them
            written = [arg for arg in info.node.bases if dotted_name(arg.value) not in ("object", "builtins.object")]
            known = len(bases) == len(written) and not any(arg.star for arg in written)
            yield ConfigObject(ref, *_state(own.get(info.qualname)), bases, known)


def _state(settings: list[tuple[bool | None, str]] | None) -> tuple[str, str]:
    if not settings:
        return "unset", ""
    last_on, text = settings[-1]
    state = "unknown" if last_on is None or len({on for on, _ in settings}) > 1 else ("on" if last_on else "off")
    return state, text


# -- which `.run` is Flask's ---------------------------------------------------------------------
def _is_app(model: ModuleModel, call: CallInfo) -> bool:
    """`app.run`, `create_app().run`, an imported `app`, or any unqualified `.run` in a Flask module."""
    assert isinstance(call.node.func, cst.Attribute)
    receiver = call.node.func.value
    if model.ref_of(receiver, call.scope) in {app.ref for app in model.facts.apps}:
        return True
    made_by = receiver
    if isinstance(receiver, cst.Name) and model.qualify(receiver, call.scope) is None:
        made_by = model.value_of(receiver.value, call.scope) or receiver
    if isinstance(made_by, cst.Call):
        qualified = model.qualify(made_by.func, call.scope)
        name = dotted_name(made_by.func) or ""
        if qualified in FLASK_CLASSES or name.rpartition(".")[2].lower().endswith("app"):
            return True
    imported = model.qualify(receiver, call.scope)
    if imported is not None:
        last = imported.rpartition(".")[2]
        return last in ("app", "application") or last.endswith("_app")
    return model.facts.imports_flask and bool(model.facts.apps)


def _run_options(model: ModuleModel, call: CallInfo) -> dict[str, _Option]:
    """host/port/debug of a `run(...)` call, from keywords, positions (host, port, debug) and `**options` dicts."""
    options: dict[str, _Option] = {}
    position = 0
    positional = True
    for arg in call.node.args:
        if arg.keyword is not None:
            name = arg.keyword.value
            options[name] = _Option(arg.value, arg.value, f"`{name}={model.code(arg.value).strip()}`")
        elif arg.star == "**":
            entries, _ = mapping_entries(model, arg.value, call.scope)
            for name, value in entries:
                text = f"`{name}` in `**{model.code(arg.value).strip()}`"
                options.setdefault(name, _Option(arg.value, value, text))
        elif arg.star:
            positional = False
        elif positional:
            for name, index in RUN_POSITIONS.items():
                if index == position:
                    text = f"`{model.code(arg.value).strip()}` passed as `{name}`"
                    options.setdefault(name, _Option(arg.value, arg.value, text))
            position += 1
    return options


# -- values ----------------------------------------------------------------------------------
def _truthy(model: ModuleModel, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> bool | None:
    """Python truthiness of a constant (through module constants and variables); None when unknown."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return node.value == "True"
        value = model.value_of(node.value, scope) if model.qualify(node, scope) is None else None
        return _truthy(model, value, scope, depth + 1) if value is not None else None
    if isinstance(node, (cst.Integer, cst.Float)):
        return bool(node.evaluated_value)
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return bool(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        inner = _truthy(model, node.expression, scope, depth + 1)
        return None if inner is None else not inner
    return None


def _public_host(model: ModuleModel, node: cst.BaseExpression, scope: Scope, depth: int = 0) -> cst.SimpleString | None:
    """The `"0.0.0.0"`/`"::"` literal a host expression evaluates to (through constants and an
    environment lookup's default), or None."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(node, cst.SimpleString):
        return node if node.evaluated_value in PUBLIC_HOSTS else None
    if isinstance(node, cst.Name):
        value = model.value_of(node.value, scope) if model.qualify(node, scope) is None else None
        return _public_host(model, value, scope, depth + 1) if value is not None else None
    if isinstance(node, cst.Call) and model.qualify(node.func, scope) in ENVIRONMENT_GETTERS:
        default = node.args[1].value if len(node.args) > 1 and node.args[1].keyword is None else None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value == "default":
                default = arg.value
        return _public_host(model, default, scope, depth + 1) if default is not None else None
    return None


def _module_debug(model: ModuleModel) -> _Debug:
    """Debug switched on in this module (`app.debug = True`, `config["DEBUG"] = True`, `update(DEBUG=True)`,
    `DEBUG = True` in a class of the module that `config.from_object(...)` loads).

    On only when every such setting is a truthy constant: mixed or computed settings are unknown.
    """
    settings: list[tuple[bool | None, str]] = []
    for assign in model.assigns:
        if assign.value is None or isinstance(assign.node, cst.AugAssign):
            continue
        for target in assign.targets:
            is_debug_attribute = isinstance(target, cst.Attribute) and target.attr.value == "debug"
            is_debug_item = (
                isinstance(target, cst.Subscript)
                and literal_string(subscript_key(target)) == "DEBUG"
                and is_config(model, target.value, assign.scope)
            )
            if is_debug_attribute and isinstance(target, cst.Attribute):
                receiver = dotted_name(target.value) or ""
                is_debug_attribute = "app" in receiver.rpartition(".")[2].lower()
            if is_debug_attribute or is_debug_item:
                source = f"`{model.code(target).strip()} = {model.code(assign.value).strip()}`"
                settings.append((_truthy(model, assign.value, assign.scope), source))
    settings.extend(_loaded_debug_settings(model))
    for call in model.calls:
        func = call.node.func
        if isinstance(func, cst.Attribute) and func.attr.value in CONFIG_MAPPINGS and is_config(model, func.value, call.scope):
            for arg in call.node.args:
                if arg.keyword is not None and arg.keyword.value == "DEBUG":
                    settings.append((_truthy(model, arg.value, call.scope), f"`DEBUG={model.code(arg.value).strip()}`"))
            for arg in call.node.args:
                if arg.keyword is None:
                    for key, value in mapping_entries(model, arg.value, call.scope)[0]:
                        if key == "DEBUG":
                            settings.append((_truthy(model, value, call.scope), f"`DEBUG: {model.code(value).strip()}`"))
    if settings and all(on for on, _ in settings):
        return _Debug(True, settings[0][1])
    return _Debug(None if settings else False)


def _loaded_debug_settings(model: ModuleModel) -> Iterator[tuple[bool | None, str]]:
    """`DEBUG = ...` in the module itself or one of its classes, when `config.from_object(...)` here loads it."""
    prefix = f"{model.module_name}." if model.module_name else ""
    for call in model.calls:
        func = call.node.func
        is_loader = isinstance(func, cst.Attribute) and func.attr.value == "from_object"
        if not (is_loader and is_config(model, func.value, call.scope)):  # type: ignore[union-attr]
            continue
        loaded = argument(call.node, 0, "obj")
        if loaded is None or (model.ref_of(loaded, call.scope) or "").startswith("param:"):
            continue  # a factory's parameter: its default is only what a call without an argument loads
        target = resolve_object(model, loaded, call.scope)
        if target is None or not (target == model.module_name or target.startswith(prefix)):
            continue  # another module's settings: not visible from this file
        qualname = "" if target == model.module_name else target[len(prefix) :]
        for assign in model.assigns:
            scope = assign.scope
            in_target = scope.qualname == qualname and scope.kind == ("class" if qualname else "module")
            if in_target and assign.value is not None and _assigns_debug(assign.targets):
                where = f" in `{qualname}`" if qualname else ""
                yield _truthy(model, assign.value, scope), f"`DEBUG = {model.code(assign.value).strip()}`{where}"


def _assigns_debug(targets: list[cst.BaseExpression]) -> bool:
    return any(isinstance(target, cst.Name) and target.value == "DEBUG" for target in targets)
