"""FLK103's cross-module model: the config objects a module defines (run_calls.config_objects) and the
`app.run()`s that leave debug to another module's objects (run_calls.undecided_public_runs), exact values."""

from __future__ import annotations

import libcst as cst
import pytest

from flasklint.model.run_calls import ConfigObject, config_objects, undecided_public_runs
from flasklint.model.traversal import build_model
from flasklint.source import parse_source


def model_of(text: str, module: str = "app"):
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model(f"{module}.py", module, False, text, tree)


def test_config_objects() -> None:
    text = (
        "import os\nfrom base import Base\n\nDEBUG = False\n\n\nclass Config:\n    SECRET_KEY = 'x'\n\n\n"
        "class Dev(Config):\n    DEBUG = True\n\n\nclass Env(Base):\n    DEBUG = os.environ.get('D')\n\n\n"
        "class Odd(make_base()):\n    pass\n"
    )
    assert list(config_objects(model_of(text, "config"))) == [
        ConfigObject("config", "off", "`DEBUG = False`", (), True),
        ConfigObject("config.Config", "unset", "", (), True),
        ConfigObject("config.Dev", "on", "`DEBUG = True`", ("config.Config",), True),
        ConfigObject("config.Env", "unknown", "`DEBUG = os.environ.get('D')`", ("base.Base",), True),
        ConfigObject("config.Odd", "unset", "", (), False),
    ]


APP = "from flask import Flask\nfrom config import Dev\n\napp = Flask(__name__)\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("app.config.from_object(Dev)\napp.run(host='0.0.0.0')\n", [("'0.0.0.0'", ("config.Dev",))]),
        ("app.config.from_object('pkg.settings')\napp.run('::', 80)\n", [("'::'", ("pkg.settings",))]),
        ("app.config.from_object(Dev)\napp.run()\n", []),  # default host
        ("app.config.from_object(Dev)\napp.run(host='0.0.0.0', debug=False)\n", []),
        ("app.config.from_object(Dev)\napp.config['DEBUG'] = False\napp.run(host='0.0.0.0')\n", []),
        ("app.config.from_object(Dev)\napp.config.from_pyfile('local.cfg')\napp.run(host='0.0.0.0')\n", []),
        ("app.run(host='0.0.0.0')\n", []),  # nothing loaded from elsewhere
    ],
)
def test_undecided_public_runs(body: str, expected: list[tuple[str, tuple[str, ...]]]) -> None:
    model = model_of(APP + body)
    assert [(run.host.value, run.loads) for run in undecided_public_runs(model)] == expected
