from __future__ import annotations

from typing import Iterable, TypedDict

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.edits import add_import_edit
from flasklint.model.app_scope import AppView
from flasklint.model.facts import FileFacts, SessionWrite
from flasklint.model.index import ProjectIndex
from flasklint.model.module import AssignInfo, ModuleModel
from flasklint.rule import Case, Finding, ProjectRule

FLASK_ERROR = "RuntimeError: The session is unavailable because no secret key was set."
WHAT_WRITES = {
    "session_item": "the session is written",
    "session_method": "the session is modified",
    "flash": "`flash()` stores its message in the session",
    "login_user": "`login_user()` stores the user in the session",
}



class SetupPoint(TypedDict):
    """Where the fix can add `app.secret_key = ...` for one app created in the file."""

    app: str  # the app's ref
    line: int  # the line after the statement creating the app
    indent: str  # that statement's indentation
    import_line: int | None  # the line a missing `import os` goes before (None: `os` is imported)


class MissingSecretKey(ProjectRule):
    """
    ## What it does
    Reports writes to the session (`session[...] = ...`, `session.pop(...)` and the other
    mutating methods, `session.permanent = ...`, `flash(...)`, Flask-Login's `login_user(...)`)
    in a project that creates a Flask app but never sets a secret key: not as `app.secret_key`,
    not in `app.config`, not through `update`/`from_mapping`, and not in a config class or module
    loaded with `from_object`.

    Flask keeps one key per app: in a repository with several apps, a write in a view of app B is
    reported when only app A sets a key. A write whose app the index cannot tell (a helper, a view
    registered through a function parameter) is reported only when no app sets one. Keys in config
    classes and modules count for every app (the rule does not follow which app loads which object).

    The rule stays silent whenever a key *could* be set where it cannot look: a config file or
    environment loader (`from_pyfile`, `from_envvar`, `from_file`, `from_prefixed_env`),
    `from_object` of something it cannot resolve, `config.update(**settings)` with a computed
    mapping, or a custom session interface (Flask-Session). Keys and loaders in test files do not
    count (production never runs them), and test files themselves are not reported: a test that
    writes the session without a key fails loudly on its own.

    ## Why is this bad?
    Without a secret key Flask cannot sign the session cookie, so every write raises
    `RuntimeError: The session is unavailable because no secret key was set.  Set the
    secret_key on the application to something unique and secret.` The app starts fine and
    reading the session returns nothing; the first login or flashed message answers with a 500.

    ## Example
    ```python
    from flask import Flask, session

    app = Flask(__name__)


    @app.post("/login")
    def login():
        session["user"] = "alice"
        return "ok"
    ```

    ## Use instead
    ```python
    import os

    from flask import Flask, session

    app = Flask(__name__)
    app.secret_key = os.environ["SECRET_KEY"]


    @app.post("/login")
    def login():
        session["user"] = "alice"
        return "ok"
    ```

    ## Fix safety
    When the app is created in the same file (in a plain `app = Flask(...)` statement), the fix
    inserts `app.secret_key = os.environ["SECRET_KEY"]` on the line after it, with `import os`
    if needed. It is unsafe: the deployment must now provide `SECRET_KEY`, and the app fails to
    start without it.
    """

    code = "FLK302"
    name = "missing-secret-key"
    summary = "Session or flash used but no secret key is ever set"
    severity = Severity.WARNING
    fix_availability = "unsafe"
    invalid = [
        # a.py's key is not b.py's: Flask keeps one key per app.
        Case(
            {
                "a.py": "import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.environ['KEY']\n",
                "b.py": "from flask import Flask, flash\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
                "def index():\n    flash('hi')\n    return 'ok'\n",
            },
            Finding(
                (8, 4, 8, 15),
                "`flash()` stores its message in the session but the app created in b.py never sets a secret key: "
                "Flask raises `RuntimeError: The "
                "session is unavailable because no secret key was set.` here; set `app.secret_key` from "
                "the environment",
                path="b.py",
                fix="unsafe",
            ),
            fixed={
                "b.py": "from flask import Flask, flash\nimport os\n\napp = Flask(__name__)\n"
                "app.secret_key = os.environ[\"SECRET_KEY\"]\n\n\n@app.route('/')\ndef index():\n"
                "    flash('hi')\n    return 'ok'\n",
            },
        ),
        Case(
            "from flask import Flask, session\n\napp = Flask(__name__)\n\n\n@app.route('/')\n"
            "def index():\n    session['n'] = 1\n    return 'ok'\n",
            Finding(
                (8, 4, 8, 16),
                "the session is written but no secret key is ever set: Flask raises `RuntimeError: The "
                "session is unavailable because no secret key was set.` here; set `app.secret_key` from "
                "the environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask, session\nimport os\n\napp = Flask(__name__)\n"
                "app.secret_key = os.environ[\"SECRET_KEY\"]\n\n\n@app.route('/')\ndef index():\n"
                "    session['n'] = 1\n    return 'ok'\n",
            },
        ),
        Case(
            {
                "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
                "views.py": "from flask import flash\n\nfrom app import app\n\n\n@app.route('/')\n"
                "def index():\n    flash('hi')\n    return 'ok'\n",
            },
            Finding(
                (8, 4, 8, 15),
                "`flash()` stores its message in the session but no secret key is ever set: Flask raises "
                "`RuntimeError: The session is unavailable because no secret key was set.` here; set "
                "`app.secret_key` from the environment",
                path="views.py",
            ),
        ),
        Case(
            {
                "config.py": "class Config:\n    SECRET_KEY = 'x'\n",
                "app.py": "from flask import Flask, session\n\napp = Flask(__name__)\nsession.pop('a', None)\n",
            },
            Finding(
                (4, 0, 4, 22),
                "the session is modified but no secret key is ever set: Flask raises `RuntimeError: The "
                "session is unavailable because no secret key was set.` here; set `app.secret_key` from "
                "the environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask, session\nimport os\n\napp = Flask(__name__)\n"
                "app.secret_key = os.environ[\"SECRET_KEY\"]\nsession.pop('a', None)\n",
            },
        ),
        Case(
            '''
from flask import Flask, session

app = Flask(__name__)


@app.post("/login")
def login():
    session["user"] = "alice"
    return "ok"
''',
            Finding(
                (9, 4, 9, 19),
                "the session is written but no secret key is ever set: Flask raises `RuntimeError: The "
                "session is unavailable because no secret key was set.` here; set `app.secret_key` from "
                "the environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": '''
from flask import Flask, session
import os

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.post("/login")
def login():
    session["user"] = "alice"
    return "ok"
''',
            },
        ),
    ]
    valid = [
        "import os\nfrom flask import Flask, session\n\napp = Flask(__name__)\n"
        "app.secret_key = os.environ['SECRET_KEY']\nsession['n'] = 1\n",
        "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_pyfile('settings.cfg')\n"
        "session['n'] = 1\n",
        "from flask import Flask, session\n\napp = Flask(__name__)\napp.config.from_object(get_settings())\n"
        "session['n'] = 1\n",
        {
            "config.py": "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY')\n",
            "app.py": "from flask import Flask, session\n\nfrom config import Config\n\napp = Flask(__name__)\n"
            "app.config.from_object(Config)\nsession['n'] = 1\n",
        },
        "from flask import session\n\n\ndef remember(user):\n    session['user'] = user\n",
        "from flask import Flask, session\n\napp = Flask(__name__)\nvalue = session.get('n')\n",
        '''
import os

from flask import Flask, session

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.post("/login")
def login():
    session["user"] = "alice"
    return "ok"
''',
    ]

    data_shape = list[SetupPoint]

    def collect(self, model: ModuleModel) -> list[SetupPoint] | None:
        """The fix's setup points, in a file that both creates an app and writes the session."""
        if not (model.facts.apps and model.facts.session_writes):
            return None
        return _setup_points(model) or None

    def check(self, index: ProjectIndex, facts: FileFacts) -> Iterable[Diagnostic]:
        if facts.kind != "python" or facts.is_test or not facts.session_writes:
            return
        if not index.has_app or index.secret_key_by_config or index.secret_key_unknowable:
            return
        fix = _fix(facts, self.data(facts) or [])
        for write in facts.session_writes:
            view = index.view_for(facts, write.owners)  # the app(s) running the write
            if not view.secret_key_set:
                yield self.diagnostic(facts.path, write.span, _message(write, _whose(index, view)), fix=fix, kind=write.kind)


def _whose(index: ProjectIndex, view: AppView) -> str:
    """"no secret key is ever set", or which app sets none when the project has several."""
    if index.app_count > 1 and view.proven and len(view.apps) == 1:
        return f"the app created in {view.tables[0].path} never sets a secret key"
    return "no secret key is ever set"


def _message(write: SessionWrite, whose: str) -> str:
    return (
        f"{WHAT_WRITES.get(write.kind, 'the session is written')} but {whose}: "
        f"Flask raises `{FLASK_ERROR}` here; set `app.secret_key` from the environment"
    )


def _fix(facts: FileFacts, points: list[SetupPoint]) -> Fix | None:
    """`app.secret_key = os.environ["SECRET_KEY"]` after the one app created in this file."""
    if len(facts.apps) != 1 or len(points) != 1:
        return None
    point = points[0]
    if point["import_line"] is None and facts.imports.get("os") != "os":
        return None  # `os` names something else here
    variable = point["app"].rpartition(".")[2]
    at = Location(point["line"], 0)
    edits = [Edit(at, at, f'{point["indent"]}{variable}.secret_key = os.environ["SECRET_KEY"]\n')]
    if point["import_line"] is not None:
        at = Location(point["import_line"], 0)
        edits.append(Edit(at, at, "import os\n"))
    return Fix("Set `secret_key` from `os.environ[\"SECRET_KEY\"]`", tuple(edits), Applicability.UNSAFE)


def _setup_points(model: ModuleModel) -> list[SetupPoint]:
    """Per app, where `app.secret_key = os.environ["SECRET_KEY"]` can be inserted soundly."""
    import_edit = add_import_edit(model, "os")
    if import_edit is not None and import_edit.content.startswith(("\n", "\r")):
        return []  # the module ends without a newline right after its imports: no clean place
    import_line = import_edit.start.row if import_edit is not None else None
    apps = {app.ref for app in model.facts.apps}
    points: dict[str, SetupPoint] = {}
    for assign in model.assigns:
        if not (isinstance(assign.value, cst.Call) and len(assign.targets) == 1):
            continue
        target = assign.targets[0]
        ref = model.ref_of(target, assign.scope) if isinstance(target, cst.Name) else None
        if ref in apps and ref not in points:
            point = _setup_point(model, assign, ref, import_line)
            if point is not None:
                points[ref] = point
    return list(points.values())


def _setup_point(model: ModuleModel, assign: AssignInfo, ref: str, import_line: int | None) -> SetupPoint | None:
    line, column, end_line, end_column = model.span(assign.node)
    first = model.lines[line - 1]
    last = model.lines[end_line - 1]
    indent = first[:column]
    rest = last[end_column:].strip()
    if indent.strip() or (rest and not rest.startswith("#")) or not last.endswith(("\n", "\r")):
        return None  # `if x: app = Flask(...)`, `app = Flask(...); more`, or no line after it
    return SetupPoint(app=ref, line=end_line + 1, indent=indent, import_line=import_line)
