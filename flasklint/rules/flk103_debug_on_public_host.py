from __future__ import annotations

from typing import Iterable

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.model.deploy import public_debug_servers
from flasklint.model.facts import Span
from flasklint.model.module import ModuleModel
from flasklint.model.run_calls import public_debug_runs
from flasklint.rule import Case, FileRule, Finding

LOOPBACK = "127.0.0.1"
WHY = "the Werkzeug debugger lets anyone who can reach the server run Python code; bind to `127.0.0.1`"


class DebugOnPublicHost(FileRule):
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
    `debug=args.debug`), or `.run` of other objects (`asyncio.run`, `subprocess.run`). It reads
    one file at a time: a `FLASK_DEBUG=1` in `.flaskenv` does not reach a Procfile's `flask run`,
    nor does a config class of another module reach an `app.run()`.

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
    ]
    valid = [
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


def _fix(span: Span, content: str) -> Fix:
    line, column, end_line, end_column = span
    edit = Edit(Location(line, column), Location(end_line, end_column), content)
    return Fix(f"Bind to `{LOOPBACK}`", (edit,), Applicability.UNSAFE)
