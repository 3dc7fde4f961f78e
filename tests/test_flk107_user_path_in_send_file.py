"""FLK107 user-path-in-send-file: request data choosing the file `send_file` reads, or `send_from_directory`'s
directory."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

import rule_testing

HEADER = """\
import os
from flask import Flask, request, send_file

app = Flask(__name__)
BASE = "files"
"""


def findings(project, body: str, header: str = HEADER) -> list[tuple[int, int, int, int, str]]:
    """(line, col, end_line, end_col, message) of FLK107 in `header + body`; lines counted in `body`."""
    diagnostics = project(header + textwrap.dedent(body), select="FLK107")
    return [row[1:] for row in rule_testing.findings(diagnostics, row_offset=header.count("\n"))]


def fixes(project, body: str, header: str = HEADER) -> list[str | None]:
    """The applicability of each FLK107 finding's fix (None: no fix)."""
    diagnostics = project(header + textwrap.dedent(body), select="FLK107")
    return [d.fix and d.fix.applicability.value for d in diagnostics]


def file_message(label: str, callee: str = "send_file") -> str:
    return (
        f"{label} reaches the path `{callee}()` reads, so `../../etc/passwd` or an absolute path sends any file the "
        f"server can read: serve it with `send_from_directory(folder, name)`"
    )


# -- what is reported --------------------------------------------------------------------------------
def test_werkzeug_send_file_with_a_form_value(project) -> None:
    body = """
    import werkzeug.utils

    @app.post("/get")
    def get():
        wanted = request.form.get("file", "").strip()
        return werkzeug.utils.send_file(wanted, request.environ)
    """
    assert findings(project, body) == [(7, 36, 7, 42, file_message("`request.form` value", "werkzeug.utils.send_file"))]


def test_f_string_path_of_a_route_variable(project) -> None:
    body = """
    @app.route("/avatars/<path:user>")
    def avatar(user):
        return send_file(f"{BASE}/avatars/{user}.png")
    """
    assert findings(project, body) == [(4, 21, 4, 49, file_message("route variable `user`"))]


def test_a_default_route_variable_counts(project) -> None:
    """`<name>` cannot hold `/`, but `send_file(name)` reads any file beside the app (`/dl/config.py`)."""
    body = """
    @app.route("/dl/<name>")
    def download(name):
        return send_file(name)
    """
    assert findings(project, body) == [(4, 21, 4, 25, file_message("route variable `name`"))]


def test_a_directory_built_from_request_data(project) -> None:
    body = """
    from flask import send_from_directory

    @app.route("/<team>/files/<path:name>")
    def team_file(team, name):
        return send_from_directory(os.path.join(BASE, team), name)
    """
    assert findings(project, body) == [
        (
            6,
            31,
            6,
            55,
            "route variable `team` reaches the directory of `send_from_directory()`, which only checks the file name "
            "inside it, so a directory such as `/etc` serves any file: keep the directory constant",
        )
    ]


# -- what is not -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        """
        from flask import send_from_directory

        @app.route("/f/<path:name>")
        def f(name):
            return send_from_directory(BASE, name, as_attachment=True)
        """,
        """
        @app.route("/f/<path:name>")
        def f(name):
            send_file = app.view_functions["static"]  # not Flask's send_file any more
            return send_file(name)
        """,
        """
        class Storage:
            def send_file(self, path):
                return path

        @app.route("/f")
        def f():
            return Storage().send_file(request.args["key"])
        """,
        """
        @app.route("/f/<path:name>")
        def f(name):
            def inner():
                return send_file(BASE)
            return inner()
        """,
    ],
    ids=["send-from-directory-name", "rebound-send-file", "a-method-named-send-file", "constant-in-a-closure"],
)
def test_not_reported(project, body: str) -> None:
    assert findings(project, body) == []


# -- the fix -----------------------------------------------------------------------------------------
def test_fix_keeps_keywords_and_reuses_an_imported_send_from_directory(tmp_path: Path) -> None:
    source = HEADER.replace("send_file\n", "send_file, send_from_directory\n") + textwrap.dedent(
        """
        @app.route("/r/<path:name>")
        def r(name):
            options = {"max_age": 60}
            return send_file(os.path.join(BASE, name), as_attachment=True, **options)
        """
    )
    fixed = rule_testing.fixed(tmp_path, {"app.py": source}, "FLK107")
    assert fixed == source.replace(
        "send_file(os.path.join(BASE, name), as_attachment", "send_from_directory(BASE, name, as_attachment"
    )


def test_fix_adds_an_import_line_when_no_from_flask_import_exists(tmp_path: Path) -> None:
    imports = "import os\nfrom flask.app import Flask\nfrom flask.globals import request\n"
    source = imports + "from flask.helpers import send_file\n"
    source += textwrap.dedent(
        """
        app = Flask(__name__)

        @app.route("/r")
        def r():
            return send_file(os.path.join("reports", request.args["r"]))
        """
    )
    fixed = rule_testing.fixed(tmp_path, {"app.py": source}, "FLK107")
    call = 'send_file(os.path.join("reports", request.args["r"]))'
    assert fixed == source.replace("send_file\n", "send_file\nfrom flask import send_from_directory\n").replace(
        call, 'send_from_directory("reports", request.args["r"])'
    )


@pytest.mark.parametrize(
    "body",
    [
        # a second positional argument (send_file's mimetype) has no place in send_from_directory(directory, path)
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file(os.path.join(BASE, n), "text/plain")\n',
        # three parts, a computed base, a tainted base, a keyword path
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file(os.path.join(BASE, "sub", n))\n',
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file(os.path.join(app.config["DIR"], n))\n',
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file(os.path.join(request.args["d"], n))\n',
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file(path_or_file=os.path.join(BASE, n))\n',
        # parenthesised (the two parts would become a tuple), a comment inside the join
        '@app.route("/r/<path:n>")\ndef r(n):\n    return send_file((os.path.join(BASE, n)))\n',
        '@app.route("/r/<path:n>")\ndef r(n):\n'
        "    return send_file(os.path.join(\n        BASE,  # the folder\n        n,\n    ))\n",
        # the name is taken
        '@app.route("/r/<path:n>")\ndef r(n):\n    send_from_directory = None\n'
        "    return send_file(os.path.join(BASE, n))\n",
        # Werkzeug's send_from_directory needs the environ: not a mechanical rewrite
        'from werkzeug.utils import send_file as wsend\n\n@app.route("/r/<path:n>")\n'
        "def r(n):\n    return wsend(os.path.join(BASE, n), request.environ)\n",
    ],
    ids=[
        "positional-mimetype", "three-parts", "computed-base", "tainted-base", "keyword", "parenthesised", "comment",
        "name-taken", "werkzeug",
    ],  # fmt: skip
)
def test_no_fix(project, body: str) -> None:
    assert fixes(project, body) == [None]


def _load(monkeypatch: pytest.MonkeyPatch, path: Path, text: str, name: str):
    """Import a test-written Flask app (never analysed code) and return its test client."""
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # Flask finds the app's root folder through it
    spec.loader.exec_module(module)
    return module.app.test_client()


def test_the_fix_closes_the_traversal_with_real_flask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: `?p=../secret.txt` leaks and a missing file is a 500; after the fix: 404 for both."""
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.txt").write_text("public", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    source = HEADER + textwrap.dedent(
        """
        @app.route("/get")
        def get():
            return send_file(os.path.join(BASE, request.args["p"]))
        """
    )
    fixed = rule_testing.fixed(tmp_path / "project", {"app.py": source}, "FLK107")
    before = _load(monkeypatch, tmp_path / "before.py", source, "flk107_before")
    after = _load(monkeypatch, tmp_path / "after.py", fixed, "flk107_after")
    before.application.testing = False  # a missing file then answers 500 instead of raising
    assert [(r.status_code, r.data) for r in map(before.get, ("/get?p=a.txt", "/get?p=../secret.txt"))] == [
        (200, b"public"),
        (200, b"secret"),
    ]
    assert before.get("/get?p=missing.txt").status_code == 500
    assert [after.get(url).status_code for url in ("/get?p=../secret.txt", "/get?p=missing.txt")] == [404, 404]
    assert after.get("/get?p=a.txt").data == b"public"
