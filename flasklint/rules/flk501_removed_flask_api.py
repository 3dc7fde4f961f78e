from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Fix, Severity
from flasklint.edits import add_import_edit, replace_node
from flasklint.model.imports import dotted_name
from flasklint.model.module import ModuleModel
from flasklint.model.removed_apis import (
    APP_CONFIG_ATTRIBUTES,
    HINTS,
    JSON_PROVIDER_ATTRIBUTES,
    KEYWORD_REMOVED_IN,
    REMOVED_CONFIG_KEYS,
    AttributeRemoved,
    ImportedRemoved,
    RemovedConfigKey,
    RemovedName,
    RemovedUse,
    RenamedKeyword,
    removed_uses,
)
from flasklint.rule import Case, FileRule, Finding


EXAMPLE = """\
from flask import Flask, escape, send_file

app = Flask(__name__)


@app.route("/hello/<name>")
def hello(name):
    return f"Hello {escape(name)}"


@app.route("/report")
def report():
    return send_file("report.csv", attachment_filename="report.csv")
"""
USE_INSTEAD = """\
from flask import Flask, send_file
from markupsafe import escape

app = Flask(__name__)


@app.route("/hello/<name>")
def hello(name):
    return f"Hello {escape(name)}"


@app.route("/report")
def report():
    return send_file("report.csv", download_name="report.csv")
"""


class RemovedFlaskApi(FileRule):
    """
    ## What it does
    Reports Flask, Werkzeug and Jinja APIs that current releases (Flask 3.1, Werkzeug 3.1,
    Jinja 3.1) no longer have, found through the module's imports (`from flask import escape`,
    `import flask` then `flask.escape(...)`, aliases):

    - names removed from their module: `flask.escape`, `flask.Markup`, `jinja2.escape`,
      `jinja2.Markup`, `flask.safe_join`, `flask._app_ctx_stack`, `flask._request_ctx_stack`,
      `flask.json.JSONEncoder`/`JSONDecoder`/`htmlsafe_dumps`, `flask.helpers.total_seconds`,
      `flask.signals_available`, `werkzeug.urls.url_quote`/`url_parse`/`url_encode`/...,
      `werkzeug.security.safe_str_cmp`, `werkzeug.wrappers.BaseResponse`/`BaseRequest`;
    - keyword arguments renamed in Flask 2.0: `send_file(attachment_filename=, cache_timeout=,
      add_etags=)` (removed in 2.2) and `send_from_directory(filename=)` (fails since 2.0);
    - app attributes removed in Flask 2.3/3.0: `before_first_request`,
      `before_app_first_request`, `json_encoder`, `json_decoder`, `env`, `session_cookie_name`,
      `send_file_max_age_default`, `use_x_sendfile`, `propagate_exceptions`,
      `templates_auto_reload`, `got_first_request` — on an app or blueprint created in the module
      or `current_app` (the first four also on an imported object, in a module importing Flask);
    - config keys Flask 2.3 stopped reading, assigned through `<x>.config["KEY"] = ...`:
      `JSON_AS_ASCII`, `JSON_SORT_KEYS`, `JSONIFY_PRETTYPRINT_REGULAR`, `JSONIFY_MIMETYPE`, `ENV`.

    Not reported: the names from their new homes (`markupsafe.escape`); an import inside
    `try:` whose `except` catches `ImportError` (or `AttributeError`, `Exception`) and code under
    an `if` that tests a version or `hasattr`: that code was written for both releases. Not seen:
    positional arguments of `send_file`, config keys set in config classes or `config.update()`,
    `FLASK_ENV` in the environment, attributes of an app imported from another module (other
    than the four Flask-only names), and the removals of Werkzeug 1.0 and Flask 1.0
    (`werkzeug.contrib`, `from werkzeug import secure_filename`, `flask.ext`).

    The rule reports these APIs whatever Flask version the project pins (`flask==2.0.3` included):
    they are deprecated there and fail on the release it will upgrade to.

    ## Why is this bad?
    The code fails on a current release: `from flask import escape` raises
    `ImportError: cannot import name 'escape' from 'flask'` (Flask 3.0),
    `send_file(f, attachment_filename="a.txt")` raises `TypeError: send_file() got an unexpected
    keyword argument 'attachment_filename'` (Flask 2.2), `@app.before_first_request` raises
    `AttributeError: 'Flask' object has no attribute 'before_first_request'` (Flask 2.3). Two
    removals fail *silently*: `app.json_encoder = MyEncoder` and
    `app.config["JSON_SORT_KEYS"] = False` are ignored by Flask 2.3+, so `jsonify` stops using the
    encoder (`TypeError: Object of type ... is not JSON serializable`) or sorts keys again.

    ## Example
    ```python
    from flask import Flask, escape, send_file

    app = Flask(__name__)


    @app.route("/hello/<name>")
    def hello(name):
        return f"Hello {escape(name)}"


    @app.route("/report")
    def report():
        return send_file("report.csv", attachment_filename="report.csv")
    ```

    ## Use instead
    ```python
    from flask import Flask, send_file
    from markupsafe import escape

    app = Flask(__name__)


    @app.route("/hello/<name>")
    def hello(name):
        return f"Hello {escape(name)}"


    @app.route("/report")
    def report():
        return send_file("report.csv", download_name="report.csv")
    ```

    ## Fix safety
    Safe where the new API is the old one under another name: importing `escape`/`Markup` from
    `markupsafe` (what `flask` and `jinja2` re-exported), `BaseResponse`/`BaseRequest` as
    `Response`/`Request` (Werkzeug 2.0 made them warning-only subclasses), the renamed keywords
    (`attachment_filename=` → `download_name=`, `cache_timeout=` → `max_age=`, `add_etags=` →
    `etag=`, `filename=` → `path=`; Flask 2.0 treated the old ones as aliases), and
    `app.session_cookie_name`/`send_file_max_age_default`/`use_x_sendfile` →
    `app.config["SESSION_COOKIE_NAME"]`/... (they were config attributes). The fixed code needs
    Flask ≥ 2.0. An import line naming several APIs is rewritten once, keeping the other names;
    its fix is unsafe when any name it moves is (`from flask import escape, safe_join`).
    Unsafe: `flask.safe_join` → `werkzeug.utils.safe_join` (it returns `None` where Flask's raised
    `NotFound`), `safe_str_cmp` → `hmac.compare_digest` (it rejects non-ASCII `str`), and
    `url_quote`/`url_unquote`/`url_encode`/`url_join` → `urllib.parse`'s (other defaults:
    `url_quote` keeps `:`, `quote` does not); these import the new function under the old name.
    No fix where the replacement changes the code's shape (`before_first_request`, the JSON
    provider, `_app_ctx_stack`, `url_parse`, config keys), nor for an import holding a comment.
    """

    code = "FLK501"
    name = "removed-flask-api"
    summary = "Flask/Werkzeug API removed in current releases (upgrade to Flask 3)"
    severity = Severity.ERROR
    fix_availability = "sometimes"
    invalid = [
        Case(
            EXAMPLE,
            Finding(
                (1, 25, 1, 31),
                "`flask.escape` was removed in Flask 3.0 (ImportError): use `markupsafe.escape`",
                fix="safe",
            ),
            Finding(
                (13, 35, 13, 54),
                "`send_file(attachment_filename=...)` was removed in Flask 2.2 (TypeError): use "
                "`download_name=`",
                fix="safe",
            ),
            fixed={"app.py": USE_INSTEAD},
        ),
        Case(
            "import flask\n\nx = flask.escape('<b>')\ny = flask.Markup('<i>')\n",
            Finding(
                (3, 4, 3, 16),
                "`flask.escape` was removed in Flask 3.0 (AttributeError): use `markupsafe.escape`",
                fix="safe",
            ),
            Finding(
                (4, 4, 4, 16),
                "`flask.Markup` was removed in Flask 3.0 (AttributeError): use `markupsafe.Markup`",
                fix="safe",
            ),
            fixed={
                "app.py": "import flask\nimport markupsafe\n\nx = markupsafe.escape('<b>')\ny = markupsafe.Markup('<i>')\n"
            },
        ),
        Case(
            "from flask import request\nfrom werkzeug.urls import url_quote, url_parse\n\n"
            "q = url_quote(request.path)\nu = url_parse(request.url)\n",
            Finding(
                (2, 26, 2, 35),
                "`werkzeug.urls.url_quote` was removed in Werkzeug 3.0 (ImportError): use `urllib.parse.quote` "
                "(it behaves differently: check the call)",
                fix="unsafe",
            ),
            Finding(
                (2, 37, 2, 46),
                "`werkzeug.urls.url_parse` was removed in Werkzeug 3.0 (ImportError): use "
                "`urllib.parse.urlsplit`",
            ),
            fixed={
                "app.py": "from flask import request\nfrom werkzeug.urls import url_parse\n"
                "from urllib.parse import quote as url_quote\n\n"
                "q = url_quote(request.path)\nu = url_parse(request.url)\n"
            },
        ),
        Case(
            "from flask import safe_join, send_from_directory\n\n\ndef download(name):\n"
            "    return send_from_directory('/srv', filename=safe_join('x', name))\n",
            Finding(
                (1, 18, 1, 27),
                "`flask.safe_join` was removed in Flask 2.1 (ImportError): use `werkzeug.utils.safe_join` (it "
                "behaves differently: check the call)",
                fix="unsafe",
            ),
            Finding(
                (5, 39, 5, 47),
                "`send_from_directory(filename=...)` was removed in Flask 2.0 (TypeError): use `path=`",
                fix="safe",
            ),
            fixed={
                "app.py": "from flask import send_from_directory\nfrom werkzeug.utils import safe_join\n\n\n"
                "def download(name):\n    return send_from_directory('/srv', path=safe_join('x', name))\n"
            },
        ),
        Case(
            "from flask import Flask, current_app\n\napp = Flask(__name__)\napp.json_encoder = MyEncoder\n"
            "app.config['JSON_SORT_KEYS'] = False\napp.config['JSONIFY_PRETTYPRINT_REGULAR'] = True\n\n\n"
            "@app.before_first_request\ndef setup():\n    print(current_app.session_cookie_name, app.env)\n",
            Finding(
                (4, 4, 4, 16),
                "`app.json_encoder` was removed in Flask 2.3: assigning it is silently ignored: subclass "
                "`flask.json.provider.DefaultJSONProvider` and set `app.json`",
            ),
            Finding(
                (5, 11, 5, 27),
                "config key `JSON_SORT_KEYS` was removed in Flask 2.3: Flask ignores it; use "
                "`app.json.sort_keys`",
                fix="safe",
            ),
            Finding(
                (6, 11, 6, 40),
                "config key `JSONIFY_PRETTYPRINT_REGULAR` was removed in Flask 2.3: Flask ignores it; use "
                "`app.json.compact`",
            ),
            Finding(
                (9, 5, 9, 25),
                "`app.before_first_request` was removed in Flask 2.3 (AttributeError): run the code once at app "
                "creation, in `with app.app_context():`",
            ),
            Finding(
                (11, 22, 11, 41),
                '`current_app.session_cookie_name` was removed in Flask 2.3 (AttributeError): use '
                '`app.config["SESSION_COOKIE_NAME"]`',
                fix="safe",
            ),
            Finding((11, 47, 11, 50), "`app.env` was removed in Flask 2.3 (AttributeError): use `app.debug`"),
            fixed={
                "app.py": "from flask import Flask, current_app\n\napp = Flask(__name__)\n"
                "app.json_encoder = MyEncoder\n"
                "app.json.sort_keys = False\napp.config['JSONIFY_PRETTYPRINT_REGULAR'] = True\n\n\n"
                "@app.before_first_request\ndef setup():\n"
                "    print(current_app.config[\"SESSION_COOKIE_NAME\"], app.env)\n"
            },
        ),
        Case(
            "from flask import send_file\n\n\ndef report(path):\n    from flask import Markup as M\n"
            "    return send_file(path, attachment_filename='a.csv', download_name='b.csv', cache_timeout=0)\n",
            Finding(
                (5, 22, 5, 28),
                "`flask.Markup` was removed in Flask 3.0 (ImportError): use `markupsafe.Markup`",
                fix="safe",
            ),
            Finding(
                (6, 27, 6, 46),
                "`send_file(attachment_filename=...)` was removed in Flask 2.2 (TypeError): use `download_name=`",
            ),
            Finding(
                (6, 79, 6, 92),
                "`send_file(cache_timeout=...)` was removed in Flask 2.2 (TypeError): use `max_age=`",
                fix="safe",
            ),
            fixed={
                "app.py": "from flask import send_file\n\n\ndef report(path):\n"
                "    from markupsafe import Markup as M\n"
                "    return send_file(path, attachment_filename='a.csv', download_name='b.csv', max_age=0)\n"
            },
        ),
        Case(
            "from werkzeug.wrappers import BaseResponse\n"
            "from flask import (\n    Flask,\n    escape,  # for the views\n)\n",
            Finding(
                (1, 30, 1, 42),
                "`werkzeug.wrappers.BaseResponse` was removed in Werkzeug 2.1 (ImportError): use "
                "`werkzeug.wrappers.Response`",
                fix="safe",
            ),
            Finding((4, 4, 4, 10), "`flask.escape` was removed in Flask 3.0 (ImportError): use `markupsafe.escape`"),
            fixed={
                "app.py": "from werkzeug.wrappers import Response as BaseResponse\n"
                "from flask import (\n    Flask,\n    escape,  # for the views\n)\n"
            },
        ),
    ]
    valid = [
        USE_INSTEAD,
        "from markupsafe import Markup, escape\nfrom werkzeug.utils import safe_join\n"
        "from urllib.parse import quote\n",
        "try:\n    from flask import escape\nexcept ImportError:\n    from markupsafe import escape\n",
        "import flask\n\nif hasattr(flask, 'escape'):\n    escape = flask.escape\n",
        "from flask import Flask\n\napp = Flask(__name__)\nsort = app.config['JSON_SORT_KEYS']\n\n\n"
        "class Settings:\n    env = 'prod'\n\n\nprint(Settings().env)\n",
        "import flask\nfrom quart import Quart\nfrom myapp import app\n\n\n"
        "@app.before_first_request\nasync def setup():\n    pass\n",
        "import os\n\n\ndef download(send_file):\n    return send_file('a', attachment_filename='b')\n",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        uses = removed_uses(model)
        import_fixes = _import_fixes(model, uses)
        for use in uses:
            yield self._diagnostic(model, use, import_fixes)

    def _diagnostic(self, model: ModuleModel, use: RemovedUse, import_fixes: dict[int, Fix]) -> Diagnostic:
        if isinstance(use, ImportedRemoved):
            message = _name_message(use.entry, "ImportError")
            fix = import_fixes.get(id(use.statement)) if use.entry.replacement is not None else None
            return self.diagnostic(model.path, model.span(use.alias.name), message, fix=fix)
        if isinstance(use, AttributeRemoved) and use.entry is not None:
            message = _name_message(use.entry, "AttributeError")
            return self.diagnostic(model.path, model.span(use.node), message, fix=_module_attribute_fix(model, use))
        if isinstance(use, AttributeRemoved):
            message = _app_attribute_message(model, use)
            return self.diagnostic(model.path, model.span(use.node.attr), message, fix=_app_attribute_fix(model, use))
        if isinstance(use, RenamedKeyword):
            span = model.span(use.arg.keyword or use.arg)
            return self.diagnostic(model.path, span, _keyword_message(use), fix=_keyword_fix(model, use))
        return self.diagnostic(model.path, model.span(use.node), _config_message(use), fix=_config_fix(model, use))


def _name_message(entry: RemovedName, error: str) -> str:
    message = f"`{entry.qualified}` was removed in {entry.removed_in} ({error})"
    if entry.replacement is not None:
        caveat = "" if entry.same_object else " (it behaves differently: check the call)"
        return f"{message}: use `{entry.replacement}`{caveat}"
    hint = HINTS.get(entry.qualified)
    return f"{message}: {hint}" if hint else message


def _app_attribute_message(model: ModuleModel, use: AttributeRemoved) -> str:
    name = use.node.attr.value
    written = f"{model.code(use.node.value)}.{name}"
    if use.assigned:
        message = f"`{written}` was removed in {use.removed_in}: assigning it is silently ignored"
    else:
        message = f"`{written}` was removed in {use.removed_in} (AttributeError)"
    hint = HINTS.get(name) or f'use `app.config["{APP_CONFIG_ATTRIBUTES.get(name, name.upper())}"]`'
    return f"{message}: {hint}"


def _keyword_message(use: RenamedKeyword) -> str:
    old = use.arg.keyword.value if use.arg.keyword else ""
    function = use.callee.rpartition(".")[2]
    return f"`{function}({old}=...)` was removed in {KEYWORD_REMOVED_IN[use.callee]} (TypeError): use `{use.new}=`"


def _config_message(use: RemovedConfigKey) -> str:
    return (
        f"config key `{use.key}` was removed in Flask 2.3: Flask ignores it; "
        f"use `{REMOVED_CONFIG_KEYS[use.key]}`"
    )


# -- fixes ------------------------------------------------------------------------------------


def _import_fixes(model: ModuleModel, uses: list[RemovedUse]) -> dict[int, Fix]:
    """One rewrite per `from ... import` statement, moving every removed name it can (by statement id)."""
    by_statement: dict[int, list[ImportedRemoved]] = defaultdict(list)
    for use in uses:
        if isinstance(use, ImportedRemoved):
            by_statement[id(use.statement)].append(use)
    fixes: dict[int, Fix] = {}
    for found in by_statement.values():
        fix = _import_fix(model, found)
        if fix is not None:
            fixes[id(found[0].statement)] = fix
    return fixes


def _import_fix(model: ModuleModel, found: list[ImportedRemoved]) -> Fix | None:
    statement = found[0].statement
    movable = {id(use.alias): use.entry for use in found if use.entry.replacement is not None}
    if not movable or "#" in model.code(statement) or isinstance(statement.names, cst.ImportStar):
        return None
    kept: list[str] = []
    moved: dict[str, list[str]] = defaultdict(list)
    for alias in statement.names:
        name = dotted_name(alias.name) or ""
        local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
        entry = movable.get(id(alias))
        if entry is None or entry.replacement is None:
            kept.append(name if local == name else f"{name} as {local}")
            continue
        module, _, new = entry.replacement.rpartition(".")
        moved[module].append(new if new == local else f"{new} as {local}")
    module_name = dotted_name(statement.module) if statement.module else ""
    lines = [f"from {module_name} import {', '.join(kept)}"] if kept else []
    lines += [f"from {module} import {', '.join(names)}" for module, names in moved.items()]
    indent = _indent(model, statement)
    applicability = Applicability.SAFE if all(e.same_object for e in movable.values()) else Applicability.UNSAFE
    edit = replace_node(model, statement, f"\n{indent}".join(lines))
    return Fix(f"Import {', '.join(sorted(e.replacement or '' for e in movable.values()))}", [edit], applicability)


def _indent(model: ModuleModel, node: cst.CSTNode) -> str:
    line = model.lines[model.span(node)[0] - 1]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _module_attribute_fix(model: ModuleModel, use: AttributeRemoved) -> Fix | None:
    """`flask.escape` -> `markupsafe.escape`, adding `import markupsafe`."""
    entry = use.entry
    if entry is None or entry.replacement is None or use.assigned:
        return None
    module = entry.replacement.rpartition(".")[0]
    head = module.partition(".")[0]
    if use.scope.binds(head) and use.scope.imports.lookup(head) != head:
        return None  # `markupsafe` means something else here
    edits = [replace_node(model, use.node, entry.replacement)]
    import_edit = add_import_edit(model, module)
    if import_edit is not None:
        edits.insert(0, import_edit)
    applicability = Applicability.SAFE if entry.same_object else Applicability.UNSAFE
    return Fix(f"Use `{entry.replacement}`", edits, applicability)


def _app_attribute_fix(model: ModuleModel, use: AttributeRemoved) -> Fix | None:
    """`app.session_cookie_name` -> `app.config["SESSION_COOKIE_NAME"]` (a config attribute in Flask 2.0)."""
    key = APP_CONFIG_ATTRIBUTES.get(use.node.attr.value)
    if key is None:
        return None
    content = f'{model.code(use.node.value)}.config["{key}"]'
    return Fix(f'Use `config["{key}"]`', [replace_node(model, use.node, content)], Applicability.SAFE)


def _keyword_fix(model: ModuleModel, use: RenamedKeyword) -> Fix | None:
    """`attachment_filename=` -> `download_name=`; none when the call already passes the new name."""
    if any(arg.keyword is not None and arg.keyword.value == use.new for arg in use.call.args):
        return None
    if use.arg.keyword is None:
        return None
    return Fix(f"Rename to `{use.new}=`", [replace_node(model, use.arg.keyword, use.new)], Applicability.SAFE)


def _config_fix(model: ModuleModel, use: RemovedConfigKey) -> Fix | None:
    """`app.config["JSON_SORT_KEYS"] = v` -> `app.json.sort_keys = v`, for an app of this module."""
    attribute = JSON_PROVIDER_ATTRIBUTES.get(use.key)
    if attribute is None or not use.app_config or not use.plain_assign:
        return None
    owner = use.subscript.value
    assert isinstance(owner, cst.Attribute)
    content = f"{model.code(owner.value)}.json.{attribute}"
    return Fix(f"Set `json.{attribute}`", [replace_node(model, use.subscript, content)], Applicability.SAFE)
