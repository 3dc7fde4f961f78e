from __future__ import annotations

from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import import_name_edit, replace_node
from flasklint.model.cst_helpers import literal_string
from flasklint.model.file_sends import UserPathSend, user_path_sends
from flasklint.model.module import ModuleModel
from flasklint.rule import Case, FileRule, Finding

FLASK_SEND_FILE = frozenset({"flask.send_file", "flask.helpers.send_file"})
PATH_JOINS = frozenset({"os.path.join", "posixpath.join"})
SEND_FROM_DIRECTORY = "flask.send_from_directory"


class UserPathInSendFile(FileRule):
    """
    ## What it does
    Reports a path that holds request data — a route variable (`<name>`, `<string:name>`,
    `<path:name>`; not `int`, `float`, `uuid` or `any(...)`), `request.args`, `request.form`,
    `request.json`, `request.view_args`, ... — reaching the path of `flask.send_file()` (its first
    argument or `path_or_file=`), `werkzeug.utils.send_file()`, or the *directory* (first argument
    or `directory=`) of `send_from_directory()`. It follows the value through variables,
    `os.path.join()`, pathlib, `+` and f-strings, and into helper functions of the same module
    (one level deep).

    Not reported: `send_from_directory(BASE, name)` (it safe-joins `name` under `BASE`), names
    passed through `secure_filename()`, `werkzeug.security.safe_join()` (`flask.safe_join` in
    old Flask) or `os.path.basename()`, values checked against a constant allow-list, constant
    paths, and functions that check the path themselves (`full.startswith(BASE)`,
    `os.path.commonpath()`, `is_relative_to()`, `".." in name`): whether such a check is right is
    beyond a linter. Custom route converters are not sources (they may return objects).

    ## Why is this bad?
    `send_file` trusts its path: Flask's docs say "Never pass file paths provided by a user".
    `send_file(os.path.join("files", request.args["p"]))` answers `?p=../app.py` with the app's
    source and `?p=/etc/passwd` with the system's users (200 both: `os.path.join` drops `"files"`
    for an absolute part), and `send_from_directory(request.args["dir"], name)` serves
    `/etc/passwd` for `?dir=/etc` — `send_from_directory` only checks the file name, "the
    directory must not be a value provided by the client". A `<path:...>` variable carries `../` too; a default `<name>`
    cannot hold `/`, but `send_file(name)` still reads any file beside the app (`/download/config.py`
    sends the source and its secrets: relative paths start at the app's root), and on Windows
    `..\\` climbs out.

    ## Example
    ```python
    import os
    from flask import Flask, request, send_file

    app = Flask(__name__)
    REPORTS = "/srv/reports"

    @app.route("/report")
    def report():
        name = request.args["name"]
        return send_file(os.path.join(REPORTS, name))
    ```

    ## Use instead
    ```python
    from flask import Flask, request, send_from_directory

    app = Flask(__name__)
    REPORTS = "/srv/reports"

    @app.route("/report")
    def report():
        name = request.args["name"]
        return send_from_directory(REPORTS, name)
    ```

    ## Fix safety
    For `flask.send_file(os.path.join(BASE, name), ...)` — `BASE` a literal or a name, exactly two
    parts, no other positional argument — the fix calls `send_from_directory(BASE, name, ...)`
    (the keyword arguments pass through) and imports it from `flask`. It is unsafe: a missing
    file becomes a 404 instead of a 500 (`FileNotFoundError`), and a name that leaves `BASE`
    — an absolute path, `..` — is now refused, which the code may have relied on. No fix for
    other shapes, for `send_from_directory`'s directory, or when the name `send_from_directory`
    is bound to something else.
    """

    code = "FLK107"
    name = "user-path-in-send-file"
    summary = "Request data chooses the path `send_file()` reads, or `send_from_directory()`'s directory"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            """
import os
from flask import Flask, request, send_file

app = Flask(__name__)
REPORTS = "/srv/reports"

@app.route("/report")
def report():
    name = request.args["name"]
    return send_file(os.path.join(REPORTS, name))
""",
            Finding(
                (11, 21, 11, 48),
                "`request.args` value reaches the path `send_file()` reads, so `../../etc/passwd` or an absolute path"
                " sends any file the server can read: serve it with `send_from_directory(folder, name)`",
                fix="unsafe",
            ),
            fixed={
                "app.py": """
import os
from flask import Flask, request, send_file, send_from_directory

app = Flask(__name__)
REPORTS = "/srv/reports"

@app.route("/report")
def report():
    name = request.args["name"]
    return send_from_directory(REPORTS, name)
""",
            },
        ),
        Case(
            """
import os
import flask

app = flask.Flask(__name__)

@app.route("/docs/<path:doc>")
def docs(doc):
    return flask.send_file(os.path.join("static/docs", doc), as_attachment=True, max_age=60)
""",
            Finding(
                (9, 27, 9, 59),
                "route variable `doc` reaches the path `flask.send_file()` reads, so `../../etc/passwd` or an "
                "absolute path sends any file the server can read: serve it with `send_from_directory(folder, name)`",
                fix="unsafe",
            ),
            fixed={
                "app.py": """
import os
import flask

app = flask.Flask(__name__)

@app.route("/docs/<path:doc>")
def docs(doc):
    return flask.send_from_directory("static/docs", doc, as_attachment=True, max_age=60)
""",
            },
        ),
        Case(
            """
from pathlib import Path
from flask import Flask, send_file

app = Flask(__name__)
MEDIA = Path("/srv/media")

@app.get("/media/<path:filename>")
def media(filename):
    return send_file(MEDIA / filename, mimetype="image/png")
""",
            Finding(
                (10, 21, 10, 37),
                "route variable `filename` reaches the path `send_file()` reads, so `../../etc/passwd` or an absolute"
                " path sends any file the server can read: serve it with `send_from_directory(folder, name)`",
            ),
        ),
        Case(
            """
import os
from flask import Flask, request, send_from_directory

app = Flask(__name__)
BASE = "/srv/exports"

@app.route("/export/<name>")
def export(name):
    folder = os.path.join(BASE, request.args.get("team", ""))
    return send_from_directory(folder, name)
""",
            Finding(
                (11, 31, 11, 37),
                "`request.args` value reaches the directory of `send_from_directory()`, which only checks the file "
                "name inside it, so a directory such as `/etc` serves any file: keep the directory constant",
            ),
        ),
        Case(
            """
from flask import Flask, request
from werkzeug.utils import send_file

app = Flask(__name__)

def download(path):
    return send_file(path_or_file=path, environ=request.environ)

@app.post("/download")
def download_view():
    return download(request.json["path"])
""",
            Finding(
                (8, 34, 8, 38),
                "`request.json` reaches the path `send_file()` reads, so `../../etc/passwd` or an absolute path sends"
                " any file the server can read: serve it with `send_from_directory(folder, name)`",
            ),
        ),
    ]
    valid = [
        """
from flask import Flask, request, send_from_directory

app = Flask(__name__)
REPORTS = "/srv/reports"

@app.route("/report")
def report():
    name = request.args["name"]
    return send_from_directory(REPORTS, name)
""",
        """
import os
from flask import Flask, abort, send_file
from werkzeug.utils import safe_join, secure_filename

app = Flask(__name__)
REPORTS = "/srv/reports"

@app.route("/a/<path:name>")
def a(name):
    return send_file(os.path.join(REPORTS, secure_filename(name)))

@app.route("/b/<path:name>")
def b(name):
    path = safe_join(REPORTS, name)
    if path is None:
        abort(404)
    return send_file(path)

@app.route("/c/<path:name>")
def c(name):
    return send_file(os.path.join(REPORTS, os.path.basename(name)))
""",
        """
from flask import Flask, safe_join, send_file

app = Flask(__name__)

@app.route("/old/<path:name>")
def old(name):
    return send_file(safe_join("/srv/files", name))
""",
        """
import io
from flask import Flask, request, send_file

app = Flask(__name__)

@app.route("/invoice/<int:number>")
def invoice(number):
    return send_file(f"/srv/invoices/{number}.pdf")

@app.route("/scan/<uuid:scan_id>/<any(png, jpg):kind>")
def scan(scan_id, kind):
    return send_file(f"/srv/scans/{scan_id}.{kind}")

@app.route("/logo")
def logo():
    return send_file("static/logo.png")

@app.post("/echo")
def echo():
    return send_file(io.BytesIO(request.get_data()), download_name=request.args["name"])

@app.post("/back")
def back():
    return send_file(request.files["file"], mimetype="application/octet-stream")
""",
        """
import os
from flask import Flask, abort, request, send_file

app = Flask(__name__)
REPORTS = os.path.realpath("reports")
KINDS = ("daily.csv", "weekly.csv")

@app.route("/checked/<path:name>")
def checked(name):
    full = os.path.realpath(os.path.join(REPORTS, name))
    if os.path.commonpath([full, REPORTS]) != REPORTS:
        abort(404)
    return send_file(full)

@app.route("/allowed")
def allowed():
    kind = request.args["kind"]
    if kind not in KINDS:
        abort(404)
    return send_file(os.path.join(REPORTS, kind))
""",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for send in user_path_sends(model):
            label = sorted(t.label for t in send.taints)[0]
            callee = model.code(send.call.func).strip()
            if send.is_directory:
                message = (
                    f"{label} reaches the directory of `{callee}()`, which only checks the file name inside it, so "
                    f"a directory such as `/etc` serves any file: keep the directory constant"
                )
                fix = None
            else:
                message = (
                    f"{label} reaches the path `{callee}()` reads, so `../../etc/passwd` or an absolute path "
                    f"sends any file the server can read: serve it with `send_from_directory(folder, name)`"
                )
                fix = _send_from_directory_fix(model, send)
            yield self.diagnostic(model.path, model.span(send.path), message, fix=fix, source=label)


def _send_from_directory_fix(model: ModuleModel, send: UserPathSend) -> Fix | None:
    """`send_file(os.path.join(BASE, name), **kw)` -> `send_from_directory(BASE, name, **kw)`."""
    parts = _base_and_name(model, send)
    if parts is None:
        return None
    base, name = parts
    analysis = send.analysis
    reference = analysis.dataflow.reference(analysis.function, SEND_FROM_DIRECTORY)
    if reference is None:
        return None
    spelled, needs_import = reference
    edits = [
        replace_node(model, send.call.func, spelled),
        replace_node(model, send.path, f"{model.code(base).strip()}, {model.code(name).strip()}"),
    ]
    if needs_import:
        import_edit = import_name_edit(model, analysis.function.scope, "flask", "send_from_directory")
        if import_edit is None:
            return None
        edits.append(import_edit)
    return Fix("Serve the file with `send_from_directory()`", tuple(edits), Applicability.UNSAFE)


def _base_and_name(model: ModuleModel, send: UserPathSend) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """(BASE, name) of `flask.send_file(os.path.join(BASE, name), <keywords>)` with a clean literal or name BASE."""
    call, join, analysis = send.call, send.path, send.analysis
    if analysis.callee(call.func) not in FLASK_SEND_FILE or call.args[0].value is not join:
        return None
    if call.args[0].keyword is not None or any(arg.keyword is None and arg.star != "**" for arg in call.args[1:]):
        return None
    if not isinstance(join, cst.Call) or analysis.callee(join.func) not in PATH_JOINS or len(join.args) != 2:
        return None
    if join.lpar or "#" in model.code(join):
        return None  # `(os.path.join(...))` would become a tuple; a comment inside would be lost
    if any(arg.keyword is not None or arg.star for arg in join.args):
        return None
    base, name = join.args[0].value, join.args[1].value
    if not (isinstance(base, cst.Name) or literal_string(base) is not None) or analysis.taint(base):
        return None
    return base, name
