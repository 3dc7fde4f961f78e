from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.config_facts import (
    ENVIRONMENT_GETTERS,
    CONFIG_MAPPINGS,
    is_config,
    mapping_entries,
)
from flasklint.model.cst_helpers import is_none, literal_string, subscript_key
from flasklint.model.deploy import PUBLIC_HOSTS, public_debug_servers
from flasklint.model.facts import Span
from flasklint.model.imports import dotted_name
from flasklint.model.module import FLASK_CLASSES, CallInfo, ModuleModel, Scope
from flasklint.rule import FileRule

LOOPBACK = "127.0.0.1"
MAX_DEPTH = 8
RUN_POSITIONS = {"host": 0, "port": 1, "debug": 2}  # Flask.run(host, port, debug, load_dotenv, **options)
WHY = "the Werkzeug debugger lets anyone who can reach the server run Python code; bind to `127.0.0.1`"


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


class DebugOnPublicHost(FileRule):
    """
    ## What it does
    Reports the development server started with the debugger on *and* listening on every
    interface (`0.0.0.0` or `::`):

    - `app.run(host="0.0.0.0", debug=True)`, positional `app.run("0.0.0.0", 5000, True)`, an
      `**options` dict, host or debug through module constants and variables, and debug switched
      on by `app.debug = True`, `app.config["DEBUG"] = True` or `config.update(DEBUG=True)` in
      the same module; `create_app().run(...)` and other factory-made apps too;
    - `flask run --debug --host=0.0.0.0` (also `flask --debug run`, `-h 0.0.0.0`, `FLASK_DEBUG=1`
      with `--host` or `FLASK_RUN_HOST`) in a Dockerfile (`CMD`/`ENTRYPOINT`/`RUN`, shell and
      JSON forms), a Procfile, a shell script, a compose file's service or `.flaskenv`.

    It does not report debug mode on the default host (the quickstart's own advice), `0.0.0.0`
    without debug, debug taken from the environment or the command line
    (`debug=os.environ.get("DEBUG")`, `debug=args.debug`), or `.run` of other objects
    (`asyncio.run`, `subprocess.run`).

    ## Why is this bad?
    The Werkzeug debugger shows source code and tracebacks to whoever triggers an error, and its
    console runs arbitrary Python in the server process. It is PIN-protected, but the PIN is
    derived from guessable machine data, and the console's host check trusts the client's `Host`
    header. On `127.0.0.1` only you can reach it; on `0.0.0.0` every machine on the network (or
    the internet, in a container with a published port) can.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(host="0.0.0.0", debug=True)
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)

    if __name__ == "__main__":
        app.run(debug=True)
    ```

    To reach the server from other machines, turn debug off (`flask run --host=0.0.0.0`), or
    use a production server such as gunicorn.

    ## Fix safety
    The fix replaces the host literal with `"127.0.0.1"` (keeping its quotes). It is unsafe: the
    server is no longer reachable from other machines, which breaks a container's published port
    (there, dropping `--debug` is the better fix).
    """

    code = "FLK103"
    name = "debug-on-public-host"
    summary = "Debug mode (the interactive debugger) reachable from the network"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    kinds = frozenset({"python", "other"})
    invalid = [
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.run('::', 5000, True)\n",
        "from flask import Flask\n\nHOST = '0.0.0.0'\napp = Flask(__name__)\napp.debug = True\napp.run(host=HOST)\n",
        "from myapp import create_app\n\ncreate_app().run(host='0.0.0.0', debug=1)\n",
        {"Dockerfile": "FROM python:3.12\nCMD [\"flask\", \"run\", \"--debug\", \"--host=0.0.0.0\"]\n"},
        {"Procfile": "web: FLASK_DEBUG=1 flask run -h 0.0.0.0\n"},
    ]
    valid = [
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n",
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        "app.run(host='0.0.0.0', debug=os.environ.get('FLASK_DEBUG') == '1')\n",
        "import asyncio\nfrom flask import Flask\n\napp = Flask(__name__)\nasyncio.run(main(host='0.0.0.0', debug=True))\n",
        {"Dockerfile": "FROM python:3.12\nCMD flask run --host=0.0.0.0\n"},
        {"run.sh": "#!/bin/sh\nflask run --debug\n"},
    ]

    # -- Python ----------------------------------------------------------------------------
    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        module_debug: _Debug | None = None
        for call in model.calls:
            func = call.node.func
            if not (isinstance(func, cst.Attribute) and func.attr.value == "run" and _is_app(model, call)):
                continue
            options = _run_options(model, call)
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
            if literal is None:
                continue
            host = literal.evaluated_value
            yield self.diagnostic(
                model.facts.path,
                model.span(host_option.node),
                f"debug mode ({debug.source}) on public host `{host}`: {WHY}",
                fix=_fix(model.span(literal), f"{literal.prefix}{literal.quote}{LOOPBACK}{literal.quote}"),
                host=host,
            )

    # -- deployment files ------------------------------------------------------------------
    def check_text(self, path: str, text: str) -> Iterable[Diagnostic]:
        for server in public_debug_servers(path, text):
            yield self.diagnostic(
                path,
                server.span,
                f"`flask run` with debug on (`{server.debug_source}`) and host `{server.host}`: {WHY}",
                fix=_fix(server.span, LOOPBACK) if server.fixable else None,
                host=server.host,
            )


def _fix(span: Span, content: str) -> Fix:
    line, column, end_line, end_column = span
    edit = Edit(Location(line, column), Location(end_line, end_column), content)
    return Fix(f"Bind to `{LOOPBACK}`", (edit,), Applicability.UNSAFE)


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
    """Debug switched on in this module (`app.debug = True`, `config["DEBUG"] = True`, `update(DEBUG=True)`).

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
