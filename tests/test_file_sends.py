"""Sends of a request-chosen file: which argument of which `send_file` / `send_from_directory` holds request data."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.file_sends import user_path_sends
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

HEADER = """\
import os
import flask
from pathlib import Path
from flask import Flask, abort, request, send_file, send_from_directory
from werkzeug.utils import safe_join, secure_filename

app = Flask(__name__)
BASE = "/srv/files"
"""


def sends(source: str) -> list[tuple[str, bool, list[str], int]]:
    """(argument, is the directory, source labels, line in `source`) of each user-path send, in order."""
    text = HEADER + textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    return [
        (
            model.code(s.path).strip(),
            s.is_directory,
            sorted(t.label for t in s.taints),
            model.span(s.path)[0] - HEADER.count("\n"),
        )
        for s in user_path_sends(model)
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (  # a query value joined under a folder
            """
            @app.route("/a")
            def a():
                return send_file(os.path.join(BASE, request.args["p"]))
            """,
            [('os.path.join(BASE, request.args["p"])', False, ["`request.args` value"], 4)],
        ),
        (  # path_or_file=, through a variable and pathlib
            """
            @app.route("/b/<path:p>")
            def b(p):
                target = Path(BASE) / p
                return flask.send_file(path_or_file=target)
            """,
            [("target", False, ["route variable `p`"], 5)],
        ),
        (  # Flask < 2.0's keyword
            """
            @app.route("/c")
            def c():
                return send_file(filename_or_fp=request.form["f"])
            """,
            [('request.form["f"]', False, ["`request.form` value"], 4)],
        ),
        (  # send_from_directory: only the directory, by position or keyword
            """
            @app.route("/d/<path:name>")
            def d(name):
                send_from_directory(BASE, name)
                send_from_directory(directory=request.args["dir"], path="x.txt")
                return send_from_directory(os.path.dirname(name), os.path.basename(name))
            """,
            [
                ('request.args["dir"]', True, ["`request.args` value"], 5),
                ("os.path.dirname(name)", True, ["route variable `name`"], 6),
            ],
        ),
        (  # a helper's send, once, though two views pass it request data
            """
            def serve(folder, name):
                return send_file(os.path.join(folder, name))

            @app.route("/e")
            def e():
                return serve(BASE, request.args["e"])

            @app.route("/f/<path:f>")
            def f(f):
                return serve(BASE, f)
            """,
            [("os.path.join(folder, name)", False, ["`request.args` value"], 3)],
        ),
        (  # request.json values and request.view_args are request data too
            """
            @app.post("/g")
            def g():
                send_file(request.json["path"])
                return send_file(request.view_args["p"])
            """,
            [
                ('request.json["path"]', False, ["`request.json`"], 4),
                ('request.view_args["p"]', False, ["`request.view_args`"], 5),
            ],
        ),
    ],
)
def test_request_data_reaching_a_send(source: str, expected: list[tuple[str, bool, list[str], int]]) -> None:
    assert sends(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        """
        @app.route("/a/<path:name>")
        def a(name):
            send_file(os.path.join(BASE, secure_filename(name)))
            send_file(safe_join(BASE, name))
            return send_file(os.path.join(BASE, os.path.basename(name)))
        """,
        """
        @app.route("/b/<int:n>/<uuid:u>/<float:f>/<any(a, b):kind>")
        def b(n, u, f, kind):
            return send_file(f"/srv/{n}-{u}-{f}.{kind}")
        """,
        """
        @app.route("/c")
        def c():
            send_file(request.files["f"])  # the upload itself is a file object, not a path
            return send_file("static/logo.png", download_name=request.args["name"])
        """,
        """
        def serve(name):
            return send_file(os.path.join(BASE, name))

        @app.route("/d")
        def d():
            return serve("readme.txt")
        """,
        """
        @app.route("/e/<path:name>")
        def e(name):
            full = os.path.realpath(os.path.join(BASE, name))
            if not full.startswith(BASE + os.sep):
                abort(404)
            return send_file(full)
        """,
        """
        @app.route("/f")
        def f():
            name = request.args["name"]
            if ".." in name or name.startswith("/"):
                abort(400)
            return send_file(os.path.join(BASE, name))
        """,
        """
        @app.route("/g/<path:name>")
        def g(name):
            path = Path(BASE, name).resolve()
            if not path.is_relative_to(BASE):
                abort(404)
            return send_file(path)
        """,
        """
        @app.route("/h")
        def h():
            name = request.args["name"]
            if name not in ("a.txt", "b.txt"):
                abort(404)
            return send_file(os.path.join(BASE, name))
        """,
    ],
    ids=["sanitizers", "numeric-and-any-converters", "not-a-path", "helper-called-with-constants", "startswith",
         "dotdot-test", "is-relative-to", "allow-list"],
)
def test_no_user_path_send(source: str) -> None:
    assert sends(source) == []


def test_a_check_of_another_value_does_not_silence() -> None:
    source = """
    @app.route("/a/<path:name>")
    def a(name):
        kind = request.args.get("kind", "")
        if not kind.startswith("report"):
            abort(404)
        return send_file(os.path.join(BASE, name))
    """
    assert sends(source) == [("os.path.join(BASE, name)", False, ["route variable `name`"], 7)]
