"""Which `.route`/`.get`/`.add_url_rule` calls and `.run` receivers are Flask's, from the module model alone."""

from __future__ import annotations

import libcst as cst
import pytest

from flasklint.model.flask_receivers import is_flask_app, is_route_call
from flasklint.model.module import ModuleModel
from flasklint.model.traversal import build_model
from flasklint.source import parse_source


def model_of(text: str) -> ModuleModel:
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, text, tree)


def route_calls(text: str) -> list[str]:
    model = model_of(text)
    return [model.code(c.node) for c in model.calls if is_route_call(model, c.node, c.scope)]


def app_runs(text: str) -> list[str]:
    model = model_of(text)
    return [
        model.code(c.node)
        for c in model.calls
        if isinstance(c.node.func, cst.Attribute)
        and c.node.func.attr.value == "run"
        and is_flask_app(model, c.node.func.value, c.scope)
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from flask import Flask\napp = Flask(__name__)\napp.route('x')\n", ["app.route('x')"]),  # own app: any rule
        ("from flask import Blueprint\nbp = Blueprint('b', __name__)\nbp.get('/a')\n", ["bp.get('/a')"]),
        (
            "from flask import Flask\ndef make():\n    app = Flask(__name__)\n    app.add_url_rule('/a')\n",
            ["app.add_url_rule('/a')"],
        ),
        ("from flask import request\nfrom pkg import bp\nbp.post('/a')\n", ["bp.post('/a')"]),  # imported, Flask shape
        ("from flask import request\nfrom pkg import bp\nbp.post('a')\n", []),  # no leading slash
        ("from flask import request\nbp.route(RULE)\n", []),  # rule unknown
        ("from pkg import bp\nbp.route('/a')\n", []),  # no Flask import
        ("import requests\nfrom flask import Flask\nrequests.get('/a')\n", []),  # a module's function
        ("from bottle import route\nfrom flask import request\nfrom pkg import app\napp.route('/a')\n", []),
        ("from flask import Flask\napp = Flask(__name__)\napp.config.get('/a')\n", []),  # an attribute of an app
        ("from flask import Flask\nd = {}\nd.get('KEY')\n", []),
        ("from flask import request\nimport views\nviews.bp.route('/a')\n", ["views.bp.route('/a')"]),
    ],
)
def test_route_calls(source: str, expected: list[str]) -> None:
    assert route_calls(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from flask import Flask\napp = Flask(__name__)\napp.run()\n", ["app.run()"]),
        ("from myapp import app\napp.run(debug=True)\n", ["app.run(debug=True)"]),
        ("from myapp import create_app\ncreate_app().run()\n", ["create_app().run()"]),
        ("from myapp import create_app\napplication = create_app()\napplication.run()\n", ["application.run()"]),
        ("from myapp import web_app\nweb_app.run()\n", ["web_app.run()"]),
        ("import flask\napp = flask.Flask(__name__)\napp.run()\n", ["app.run()"]),
        ("from myapp import socketio\nsocketio.run()\n", []),
        ("import threading\nt = threading.Thread()\nt.run()\n", []),
        ("import asyncio\nasyncio.run(main())\n", []),
        ("from sanic import Sanic\napp = Sanic('x')\napp.run()\n", []),
        ("from myapp import app\nimport uvicorn\nfrom fastapi import FastAPI\napp.run()\n", []),
    ],
)
def test_flask_app_receivers(source: str, expected: list[str]) -> None:
    assert app_runs(source) == expected
