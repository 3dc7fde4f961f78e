from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.debug_sources import (
    DOTENV_FILES,
    AppRun,
    ConfigDebug,
    DebugData,
    EnvSetting,
    ServerRun,
    config_state,
    dotenv_debug,
    is_compose,
)
from flasklint.model.deploy import (
    dotenv_values,
    is_debug_value,
    public_debug_servers,
    sets_flask_debug,
    undecided_servers,
)
from flasklint.model.facts import FileFacts, Span
from flasklint.model.index import ProjectIndex
from flasklint.model.module import ModuleModel
from flasklint.model.run_calls import config_objects, public_debug_runs, undecided_public_runs
from flasklint.rule import Case, FileRule, Finding, ProjectRule

LOOPBACK = "127.0.0.1"
WHY = "the Werkzeug debugger lets anyone who can reach the server run Python code; bind to `127.0.0.1`"


class DebugOnPublicHost(FileRule, ProjectRule):
    """
    ## What it does
    Reports the development server started with the debugger on *and* listening on every
    interface (`0.0.0.0` or `::`):

    - `app.run(host="0.0.0.0", debug=True)`, positional `app.run("0.0.0.0", 5000, True)`, an
      `**options` dict, host or debug through module constants and variables, and debug switched
      on by `app.debug = True`, `app.config["DEBUG"] = True`, `config.update(DEBUG=True)` or
      `DEBUG = True` in a config class that `config.from_object(...)` loads, in the same module;
      `create_app().run(...)` and other factory-made apps too;
    - `flask run --debug --host=0.0.0.0` (also `flask --debug run`, `-h 0.0.0.0`, `FLASK_DEBUG=1`
      with `--host` or `FLASK_RUN_HOST`) in a Dockerfile (`CMD`/`ENTRYPOINT`/`RUN`, shell and
      JSON forms), a Procfile, a shell script, a compose file's service or `.flaskenv`.

    It does not report debug mode on the default host (the quickstart's own advice), `0.0.0.0`
    without debug, debug without the debugger (`use_debugger=False`, `--no-debugger`), debug
    taken from the environment or the command line (`debug=os.environ.get("DEBUG")`,
    `debug=args.debug`), or `.run` of other objects (`asyncio.run`, `subprocess.run`).

    Across files, as Flask loads them: `FLASK_DEBUG=1` in the `.flaskenv`/`.env` that a public
    `flask run` of a Procfile, a `package.json` script, a Dockerfile or a compose service loads
    (the nearest of each name; `.env` wins), when that file leaves debug undecided; and
    `DEBUG = True` in a config class of another module (or one it inherits from) that the app
    loads with `config.from_object(...)`, for an `app.run()` on a public host without `debug=`.
    It stays silent whenever something else may decide: FLASK_DEBUG set by the deployment file
    itself (python-dotenv never overrides the environment) or by any compose file for a
    Dockerfile's image, `--no-debug`, `--no-debugger`, `--env-file`, `FLASK_SKIP_DOTENV`; a
    Dockerfile that does not copy its build context (and `.env` in an image, which
    `.dockerignore` usually keeps out), a compose service that does not mount its folder or names
    an `env_file:`; `.env.example` (never loaded); shell scripts (they may `cd` anywhere); an
    opaque config loader (`from_envvar`, a computed `from_object`), a config class it cannot see
    (a library's, an unresolved base), or FLASK_DEBUG set in any env or deployment file (it
    overrides the config in `app.run()`).

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
    data_shape = DebugData
    invalid = [
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n",
            Finding(
                (4, 13, 4, 22),
                "debug mode (`debug=True`) on public host `0.0.0.0`: the Werkzeug debugger lets anyone who "
                "can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n"
                "app.run(host='127.0.0.1', debug=True)\n",
            },
        ),
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\napp.run('::', 5000, True)\n",
            Finding(
                (4, 8, 4, 12),
                "debug mode (`True` passed as `debug`) on public host `::`: the Werkzeug debugger lets "
                "anyone who can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\napp.run('127.0.0.1', 5000, True)\n",
            },
        ),
        Case(
            "from flask import Flask\n\nHOST = '0.0.0.0'\napp = Flask(__name__)\napp.debug = True\napp.run(host=HOST)\n",
            Finding(
                (6, 13, 6, 17),
                "debug mode (`app.debug = True`) on public host `0.0.0.0`: the Werkzeug debugger lets "
                "anyone who can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\n\nHOST = '127.0.0.1'\napp = Flask(__name__)\n"
                "app.debug = True\napp.run(host=HOST)\n",
            },
        ),
        Case(
            "from myapp import create_app\n\ncreate_app().run(host='0.0.0.0', debug=1)\n",
            Finding(
                (3, 22, 3, 31),
                "debug mode (`debug=1`) on public host `0.0.0.0`: the Werkzeug debugger lets anyone who "
                "can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from myapp import create_app\n\ncreate_app().run(host='127.0.0.1', debug=1)\n",
            },
        ),
        Case(
            {"Dockerfile": "FROM python:3.12\nCMD [\"flask\", \"run\", \"--debug\", \"--host=0.0.0.0\"]\n"},
            Finding(
                (2, 40, 2, 47),
                "`flask run` with debug on (`--debug`) and host `0.0.0.0`: the Werkzeug debugger lets "
                "anyone who can reach the server run Python code; bind to `127.0.0.1`",
                path="Dockerfile",
                fix="unsafe",
            ),
            fixed={
                "Dockerfile": "FROM python:3.12\nCMD [\"flask\", \"run\", \"--debug\", \"--host=127.0.0.1\"]\n",
            },
        ),
        Case(
            {"Procfile": "web: FLASK_DEBUG=1 flask run -h 0.0.0.0\n"},
            Finding(
                (1, 32, 1, 39),
                "`flask run` with debug on (`FLASK_DEBUG=1`) and host `0.0.0.0`: the Werkzeug debugger "
                "lets anyone who can reach the server run Python code; bind to `127.0.0.1`",
                path="Procfile",
                fix="unsafe",
            ),
            fixed={"Procfile": "web: FLASK_DEBUG=1 flask run -h 127.0.0.1\n"},
        ),
        Case(
            '''
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
''',
            Finding(
                (7, 17, 7, 26),
                "debug mode (`debug=True`) on public host `0.0.0.0`: the Werkzeug debugger lets anyone who "
                "can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="127.0.0.1", debug=True)
''',
            },
        ),
        Case(
            "from flask import Flask\n\n\nclass Config:\n    DEBUG = True\n\n\napp = Flask(__name__)\n"
            "app.config.from_object(Config)\napp.run(host=\"0.0.0.0\")\n",
            Finding(
                (10, 13, 10, 22),
                "debug mode (`DEBUG = True` in `Config`) on public host `0.0.0.0`: the Werkzeug debugger lets "
                "anyone who can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\n\n\nclass Config:\n    DEBUG = True\n\n\napp = Flask(__name__)\n"
                "app.config.from_object(Config)\napp.run(host=\"127.0.0.1\")\n",
            },
        ),
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
                ".flaskenv": "FLASK_APP=app\nFLASK_DEBUG=1\n",
                "Procfile": "web: flask run --host=0.0.0.0\n",
            },
            Finding(
                (1, 22, 1, 29),
                "`flask run` on host `0.0.0.0` with debug on from `FLASK_DEBUG=1` in `.flaskenv` (line 2), which "
                "`flask run` loads: the Werkzeug debugger lets anyone who can reach the server run Python code; "
                "bind to `127.0.0.1`",
                path="Procfile",
                fix="unsafe",
            ),
            fixed={"Procfile": "web: flask run --host=127.0.0.1\n"},
        ),
        Case(
            {
                "config.py": "class Config:\n    SECRET_KEY = 'x'\n    DEBUG = True\n",
                "app.py": "from flask import Flask\nfrom config import Config\n\napp = Flask(__name__)\n"
                "app.config.from_object(Config)\napp.run(host='0.0.0.0')\n",
            },
            Finding(
                (6, 13, 6, 22),
                "debug mode (`DEBUG = True` in `config.Config`, loaded with `from_object`) on public host `0.0.0.0`: "
                "the Werkzeug debugger lets anyone who can reach the server run Python code; bind to `127.0.0.1`",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\nfrom config import Config\n\napp = Flask(__name__)\n"
                "app.config.from_object(Config)\napp.run(host='127.0.0.1')\n",
            },
        ),
    ]
    valid = [
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            ".flaskenv": "FLASK_DEBUG=1\n",
            "docker-compose.yml": "services:\n  web:\n    environment:\n      FLASK_DEBUG: 0\n    volumes:\n"
            "      - .:/app\n    command: flask run --host=0.0.0.0\n",
        },
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            ".env.example": "FLASK_DEBUG=1\n",
            "package.json": '{"scripts": {"dev": "flask run --host=0.0.0.0"}}\n',
        },
        {
            "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
            ".flaskenv": "FLASK_DEBUG=1\n",
            "Procfile": "web: flask run --no-debugger --host=0.0.0.0\n",
        },
        {
            "config.py": "class Config:\n    DEBUG = True\n",
            "app.py": "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            "app.config.from_object(os.environ.get('APP_SETTINGS', 'config.Config'))\napp.run(host='0.0.0.0')\n",
        },
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n",
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
        "app.run(host='0.0.0.0', debug=os.environ.get('FLASK_DEBUG') == '1')\n",
        "import asyncio\nfrom flask import Flask\n\napp = Flask(__name__)\nasyncio.run(main(host='0.0.0.0', debug=True))\n",
        {"Dockerfile": "FROM python:3.12\nCMD flask run --host=0.0.0.0\n"},
        {"run.sh": "#!/bin/sh\nflask run --debug\n"},
        "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True, use_debugger=False, host=\"0.0.0.0\")\n",
        {"Procfile": "web: flask run --debug --no-debugger --host=0.0.0.0\n"},
        '''
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(debug=True)
''',
    ]

    # -- Python ----------------------------------------------------------------------------
    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for run in public_debug_runs(model):
            literal = run.host
            host = literal.evaluated_value
            yield self.diagnostic(
                model.facts.path,
                model.span(run.option),
                f"debug mode ({run.debug_source}) on public host `{host}`: {WHY}",
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

    # -- across files ----------------------------------------------------------------------
    def collect(self, model: ModuleModel) -> DebugData | None:
        """The module's config objects (for `from_object` elsewhere) and its runs that leave debug to them."""
        objects = list(config_objects(model))
        if all(item.state == "unset" for item in objects):
            objects = []  # a module that never sets DEBUG: kept out of the cache (its classes read as unknown)
        configs = {
            item.ref: ConfigDebug(state=item.state, text=item.text, bases=list(item.bases), bases_known=item.bases_known)
            for item in objects
        }
        runs = [
            AppRun(
                host=run.host.evaluated_value,
                span=model.span(run.option),
                host_span=model.span(run.host),
                replacement=f"{run.host.prefix}{run.host.quote}{LOOPBACK}{run.host.quote}",
                loads=list(run.loads),
            )
            for run in undecided_public_runs(model)
        ]
        if not (configs or runs):
            return None
        return DebugData(env={}, servers=[], sets_debug=False, configs=configs, runs=runs)

    def collect_text(self, path: str, text: str) -> DebugData | None:
        """An env file's FLASK_DEBUG; a deployment file's runs that leave debug to the env files."""
        name = PurePosixPath(path).name
        env: dict[str, EnvSetting] = {}
        if name in DOTENV_FILES:
            env = {key: EnvSetting(value=v.value, line=v.line) for key, v in dotenv_values(text).items() if key == "FLASK_DEBUG"}
        servers = [
            ServerRun(host=s.host, span=s.span, fixable=s.fixable, reads=list(s.reads), search_up=s.search_up)
            for s in undecided_servers(path, text)
        ]
        sets_debug = sets_flask_debug(path, text)
        if not (env or servers or sets_debug):
            return None
        return DebugData(env=env, servers=servers, sets_debug=sets_debug, configs={}, runs=[])

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        data: DebugData | None = self.data(facts)
        if data is None:
            return
        for server in data["servers"]:
            yield from self._server(index, facts, server)
        for run in data["runs"]:
            yield from self._app_run(index, facts, run)

    def _server(self, index: ProjectIndex, facts: FileFacts, server: ServerRun) -> Iterable[Diagnostic]:
        """`flask run --host=0.0.0.0` + `FLASK_DEBUG=1` in the `.flaskenv`/`.env` it loads."""
        if _is_dockerfile(facts.path):
            if any(is_compose(path) and self._sets_debug(other) for path, other in index.files.items()):
                return  # a compose service may set FLASK_DEBUG for this image: it wins over `.flaskenv`
        found = dotenv_debug(index, facts.path, server)
        if found is None:
            return
        path, setting = found
        if not is_debug_value(setting["value"]):
            return
        span = tuple(server["span"])
        yield self.diagnostic(
            facts.path,
            span,  # type: ignore[arg-type]
            f"`flask run` on host `{server['host']}` with debug on from `FLASK_DEBUG={setting['value']}` in "
            f"`{path}` (line {setting['line']}), which `flask run` loads: {WHY}",
            fix=_fix(span, LOOPBACK) if server["fixable"] else None,  # type: ignore[arg-type]
            host=server["host"],
        )

    def _app_run(self, index: ProjectIndex, facts: FileFacts, run: AppRun) -> Iterable[Diagnostic]:
        """`app.run(host="0.0.0.0")` + `DEBUG = True` in a config class of another module it loads."""
        if any(self._sets_debug(other) for other in index.files.values()):
            return  # FLASK_DEBUG in the environment or an env file decides before the config (Flask.run)
        states = [config_state(index, ref) for ref in run["loads"]]
        if any(state is None or state[0] == "unknown" for state in states):
            return
        settings = [(ref, state) for ref, state in zip(run["loads"], states) if state and state[0] != "unset"]
        if not settings or any(state[0] != "on" for _, state in settings):
            return
        ref, (_, text) = settings[-1]  # type: ignore[misc]
        yield self.diagnostic(
            facts.path,
            tuple(run["span"]),  # type: ignore[arg-type]
            f"debug mode ({text} in `{ref}`, loaded with `from_object`) on public host `{run['host']}`: {WHY}",
            fix=_fix(tuple(run["host_span"]), run["replacement"]),  # type: ignore[arg-type]
            host=run["host"],
        )

    def _sets_debug(self, facts: FileFacts) -> bool:
        data: DebugData | None = self.data(facts)
        return data is not None and (data["sets_debug"] or bool(data["env"]))


def _is_dockerfile(path: str) -> bool:
    name = PurePosixPath(path).name.lower()
    return name.startswith("dockerfile") or name.endswith(".dockerfile")


def _fix(span: Span, content: str) -> Fix:
    line, column, end_line, end_column = span
    edit = Edit(Location(line, column), Location(end_line, end_column), content)
    return Fix(f"Bind to `{LOOPBACK}`", (edit,), Applicability.UNSAFE)
