"""`app.run(...)` calls that start the debugger on a public host, read from the module model alone."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.run_calls import public_debug_runs
from flasklint.model.traversal import build_model
from flasklint.source import parse_source


def runs(source: str) -> list[tuple[str, str, str]]:
    """(reported option, public host literal, debug source) of each public debug run, in source order."""
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    return [(model.code(r.option).strip(), r.host.value, r.debug_source) for r in public_debug_runs(model)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=True)\n",
            [("'0.0.0.0'", "'0.0.0.0'", "`debug=True`")],
        ),
        (
            "from flask import Flask\napp = Flask(__name__)\napp.run('::', 5000, 1)\n",
            [("'::'", "'::'", "`1` passed as `debug`")],
        ),
        (
            "from flask import Flask\nHOST = '0.0.0.0'\napp = Flask(__name__)\napp.config['DEBUG'] = True\napp.run(HOST)\n",
            [("HOST", "'0.0.0.0'", "`app.config['DEBUG'] = True`")],
        ),
        (
            "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
            "options = {'host': os.environ.get('HOST', '0.0.0.0'), 'debug': not False}\napp.run(**options)\n",
            [("options", "'0.0.0.0'", "`debug` in `**options`")],
        ),
        (
            "from myapp import create_app\ncreate_app().run(host=\"0.0.0.0\", debug='yes')\n",
            [('"0.0.0.0"', '"0.0.0.0"', "`debug='yes'`")],
        ),
        ("from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0')\n", []),
        ("from flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', debug=None)\n", []),
        ("from flask import Flask\napp = Flask(__name__)\napp.run(host='127.0.0.1', debug=True)\n", []),
        (  # debug set twice, once from the environment: not known to be on
            "import os\nfrom flask import Flask\napp = Flask(__name__)\napp.debug = True\n"
            "app.debug = os.environ.get('DEBUG')\napp.run(host='0.0.0.0')\n",
            [],
        ),
        ("import subprocess\nsubprocess.run(host='0.0.0.0', debug=True)\n", []),
    ],
)
def test_public_debug_runs(source: str, expected: list[tuple[str, str, str]]) -> None:
    assert runs(source) == expected
