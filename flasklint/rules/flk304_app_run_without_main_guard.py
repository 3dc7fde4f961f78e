from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location
from flasklint.model.flask_receivers import is_flask_app
from flasklint.model.main_guard import ImportTimeStatement, import_time_statements
from flasklint.model.module import ModuleModel
from flasklint.model.walk import children
from flasklint.rule import Case, FileRule, Finding

GUARD = 'if __name__ == "__main__":'


def _message(call: str) -> str:
    return (
        f"`{call}` runs whenever this module is imported: gunicorn, pytest and any `import` start the development "
        f"server and block there (`flask run` skips it with a warning); put it under `{GUARD}`"
    )


class AppRunWithoutMainGuard(FileRule):
    """
    ## What it does
    Reports a Flask app's `run()` called at module level outside an `if __name__ == "__main__":`
    guard (any `if` testing `__name__` counts, either spelling), including inside module-level
    `if`/`try`/`with`/`for` blocks, which run on import too. The app is one the module creates
    (`Flask(...)`, `create_app()`), or an imported `app`/`application`/`*_app`. A call inside a
    function (`def main(): app.run()`) is fine, and so is a package's `__main__.py` (it only runs as
    `python -m pkg`). Not seen: other servers' `run` (`socketio.run(app)`), modules importing another
    web framework.

    ## Why is this bad?
    The call runs on import, not only when the file is executed as a script: `gunicorn app:app`,
    pytest importing the app, `python -c "import app"` or another module's `from app import app`
    start Werkzeug's development server (` * Running on http://127.0.0.1:5000`) and block forever
    there. Under the `flask` command Flask notices and skips it, printing
    ` * Ignoring a call to 'app.run()' that would block the current 'flask' CLI command.`
    ` Only call 'app.run()' in an 'if __name__ == "__main__"' guard.`
    A script never imported works either way, but the first test or WSGI server hangs.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.run(debug=True)
    ```

    ## Use instead
    ```python
    from flask import Flask

    app = Flask(__name__)
    if __name__ == "__main__":
        app.run(debug=True)
    ```

    ## Fix safety
    The fix wraps the statement in `if __name__ == "__main__":` (indenting it, continuation lines
    included, with the file's indentation) and is safe: run as a script, the module does what it
    did; imported, it no longer starts a server that would never return. There is no fix when the
    line holds other statements (`app.run(); cleanup()`), when the call sits in a one-line suite
    (`if DEBUG: app.run()`), or when it spans a multi-line string (indenting would change it).
    """

    code = "FLK304"
    name = "app-run-without-main-guard"
    summary = "`app.run()` at module level, outside `if __name__ == \"__main__\":`"
    fix_availability = "sometimes"
    invalid = [
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\napp.run(debug=True)\n",
            Finding((4, 0, 4, 19), _message("app.run(...)"), fix="safe"),
            fixed={"app.py": 'from flask import Flask\n\napp = Flask(__name__)\nif __name__ == "__main__":\n'
                   "    app.run(debug=True)\n"},
        ),
        Case(
            {
                "run.py": "import os\n\nfrom myapp import create_app\n\napp = create_app()\n"
                "if os.environ.get('PORT'):\n"
                "    app.run(host='0.0.0.0',\n            port=int(os.environ['PORT']))  # prod\n"
            },
            Finding((7, 4, 8, 41), _message("app.run(...)"), path="run.py", fix="safe"),
            fixed={
                "run.py": "import os\n\nfrom myapp import create_app\n\napp = create_app()\n"
                "if os.environ.get('PORT'):\n    if __name__ == \"__main__\":\n        app.run(host='0.0.0.0',\n"
                "                port=int(os.environ['PORT']))  # prod\n"
            },
        ),
        Case(
            "from myapp import app\n\napp.run(); print('stopped')\n",
            Finding((3, 0, 3, 9), _message("app.run()")),
        ),
    ]
    valid = [
        'from flask import Flask\n\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(debug=True)\n',
        "from flask import Flask\n\napp = Flask(__name__)\nif '__main__' == __name__:\n    app.run()\n",
        "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef main():\n    app.run()\n",
        {"pkg/__main__.py": "from pkg import app\n\napp.run()\n"},
        # not an app: a thread, an event loop, Flask-SocketIO's own server
        "import asyncio\nimport threading\n\nthreading.Thread().run()\nasyncio.run(main())\n",
        "from flask_socketio import SocketIO\nfrom myapp import app\n\nsocketio = SocketIO(app)\nsocketio.run(app)\n",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        if PurePosixPath(model.path).name == "__main__.py":
            return
        for item in import_time_statements(model.tree):
            statement = item.statement
            if not (isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call)):
                continue
            call = statement.value
            func = call.func
            is_run = isinstance(func, cst.Attribute) and func.attr.value == "run"
            if is_run and is_flask_app(model, func.value, model.module_scope):
                shown = f"{model.code(func).strip()}({'...' if call.args else ''})"
                yield self.diagnostic(model.path, model.span(call), _message(shown), fix=_guard_fix(model, item))


def _guard_fix(model: ModuleModel, item: ImportTimeStatement) -> Fix | None:
    """Insert the guard before the statement and indent each of its lines by one level."""
    if item.line is None or _holds_multiline_string(item.statement):
        return None
    row, column, end_row, _ = model.span(item.statement)
    indent = model.lines[row - 1][:column]
    if indent.strip():
        return None
    unit = model.tree.default_indent
    here = Location(row, column)
    edits = [Edit(here, here, f"{GUARD}\n{indent}{unit}")]
    continuation = [line for line in range(row + 1, end_row + 1) if model.lines[line - 1].strip()]
    edits += [Edit(Location(line, 0), Location(line, 0), unit) for line in continuation]
    return Fix(f"Wrap it in `{GUARD}`", edits, Applicability.SAFE)


def _holds_multiline_string(node: cst.CSTNode) -> bool:
    """Whether a string in the statement spans lines (indenting its lines would change its value)."""
    pending = [node]
    while pending:
        current = pending.pop()
        if type(current) is cst.SimpleString and ("\n" in current.value or "\r" in current.value):
            return True
        if type(current) is cst.FormattedString and "\n" in cst.Module([]).code_for_node(current):
            return True
        pending.extend(children(current))
    return False
