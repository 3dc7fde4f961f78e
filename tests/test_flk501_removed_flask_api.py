"""FLK501 beyond its cases: fix shapes, spellings through the imports, traps, and the JSON config fix
checked with real Flask (the silent removal: nothing fails, the output changes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rule_testing import check_noop, findings, fixed, write_project


def test_a_semicolon_line_and_an_indented_import_keep_their_layout(tmp_path: Path) -> None:
    source = (
        "import os; from flask import Flask, escape\n\n\n"
        "def page():\n    if os:\n        from flask import Markup, request\n        return Markup(escape(request.path))\n"
    )
    assert fixed(tmp_path, {"app.py": source}, "FLK501") == (
        "import os; from flask import Flask\nfrom markupsafe import escape\n\n\n"
        "def page():\n    if os:\n        from flask import request\n        from markupsafe import Markup\n"
        "        return Markup(escape(request.path))\n"
    )


def test_json_spellings_through_the_imports(project) -> None:
    source = (
        "import flask.json\nfrom flask import json\nfrom flask import json as fj\n\n\n"
        "class A(flask.json.JSONEncoder):\n    pass\n\n\nclass B(json.JSONEncoder):\n    pass\n\n\n"
        "class C(fj.JSONDecoder):\n    pass\n"
    )
    diagnostics = project(source, "FLK501")
    rows = findings(diagnostics)
    assert [row[1:5] for row in rows] == [(6, 8, 6, 30), (10, 8, 10, 24), (14, 8, 14, 22)]
    assert rows[2][5] == (
        "`flask.json.JSONDecoder` was removed in Flask 2.3 (AttributeError): "
        "subclass `flask.json.provider.DefaultJSONProvider` and set `app.json`"
    )
    assert [d.fix for d in diagnostics] == [None, None, None]


def test_send_file_through_flask_helpers(project) -> None:
    diagnostics = project(
        "from flask import helpers\n\n\ndef f(p):\n    return helpers.send_file(p, add_etags=False)\n", "FLK501"
    )
    assert findings(diagnostics) == [
        ("app.py", 5, 32, 5, 41, "`send_file(add_etags=...)` was removed in Flask 2.2 (TypeError): use `etag=`")
    ]


def test_no_attribute_fix_where_markupsafe_means_something_else(project) -> None:
    diagnostics = project("import flask\n\n\ndef f(markupsafe):\n    return flask.escape(markupsafe)\n", "FLK501")
    assert [(d.start.row, d.fix) for d in diagnostics] == [(5, None)]


def test_noqa_silences_a_finding(tmp_path: Path) -> None:
    check_noop(tmp_path, {"app.py": "from flask import escape  # noqa: FLK501\n"}, "FLK501")


@pytest.mark.parametrize(
    "source",
    [
        # the new homes
        "from markupsafe import escape, Markup\nfrom flask import Flask\n",
        "from werkzeug.utils import safe_join\nfrom flask.globals import app_ctx, request_ctx\n",
        "from flask.json.provider import DefaultJSONProvider\n",
        # a `try` written for both releases, any handler spelling that catches ImportError
        "try:\n    from flask import _app_ctx_stack as stack\nexcept Exception:\n    from flask import g as stack\n",
        "try:\n    from werkzeug.urls import url_quote\nexcept (ImportError, ModuleNotFoundError):\n"
        "    from urllib.parse import quote as url_quote\nfrom flask import Flask\n",
        # `env`, `json_encoder` on objects that are not Flask apps
        "from flask import Flask\nfrom jinja2 import Environment\n\nenv = Environment()\nprint(env.env)\n",
        "import json\nfrom flask import Flask\n\nclass Enc(json.JSONEncoder):\n    pass\n",
        "from flask import Flask\n\n\nclass Service:\n    def __init__(self):\n        self.json_encoder = None\n",
        # a keyword of another `send_file`, a read of a removed config key (the project may set it itself)
        "from flask import Flask\nfrom werkzeug.utils import send_file\n\nsend_file('a', environ={}, download_name='x')\n",
        "from flask import Flask\n\napp = Flask(__name__)\nenv = app.config.get('ENV')\n",
    ],
)
def test_traps_stay_silent(tmp_path: Path, source: str) -> None:
    check_noop(tmp_path, {"app.py": source}, "FLK501")


def test_a_module_mentioning_only_werkzeug_is_analysed(project) -> None:
    diagnostics = project({"utils.py": "from werkzeug.urls import url_quote\n\nquote = url_quote\n"}, "FLK501")
    assert [(d.path, d.start.row, d.fix.applicability.value if d.fix else None) for d in diagnostics] == [
        ("utils.py", 1, "unsafe")
    ]


JSON_APP = """\
from flask import Flask, jsonify

app = Flask(__name__)
app.config["JSON_AS_ASCII"] = False
app.config["JSONIFY_MIMETYPE"] = "application/vnd.api+json"
app.config["JSON_SORT_KEYS"] = False


@app.route("/")
def index():
    return jsonify(name="café", a=1)
"""
SERVE = """
import json
from app import app
response = app.test_client().get("/")
print(json.dumps([response.get_data(as_text=True), response.mimetype]))
"""


def _serve(root: Path) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", SERVE], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_json_config_fix_restores_the_output_flask_3_silently_changed(tmp_path: Path) -> None:
    """Flask 2.0.3 served `{"name":"café","a":1}` as application/vnd.api+json (checked by hand);
    Flask 3 ignores the three keys, and the fixed app serves the 2.0 output again."""
    pytest.importorskip("flask")
    write_project(tmp_path, {"app.py": JSON_APP})
    assert _serve(tmp_path) == ['{"a":1,"name":"caf\\u00e9"}\n', "application/json"]
    assert fixed(tmp_path, {"app.py": JSON_APP}, "FLK501") == JSON_APP.replace(
        'app.config["JSON_AS_ASCII"]', "app.json.ensure_ascii"
    ).replace('app.config["JSONIFY_MIMETYPE"]', "app.json.mimetype").replace(
        'app.config["JSON_SORT_KEYS"]', "app.json.sort_keys"
    )
    assert _serve(tmp_path) == ['{"name":"café","a":1}\n', "application/vnd.api+json"]


def test_one_import_moving_a_name_unsafely_is_an_unsafe_fix_for_all(project) -> None:
    """`--fix` leaves `from flask import escape, safe_join` alone: moving safe_join changes behaviour."""
    diagnostics = project("from flask import escape, safe_join\n", "FLK501")
    assert [(d.start.column, d.fix.applicability.value if d.fix else None) for d in diagnostics] == [
        (18, "unsafe"),
        (26, "unsafe"),
    ]
    assert diagnostics[0].fix == diagnostics[1].fix
