"""FLK208 methods-as-string: each spelling fails with real Flask as the message says; traps; fixes re-linted."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flask import Blueprint, Flask

from flasklint.rules.flk208_methods_as_string import MethodsAsString
from rule_testing import findings, fixed, lint, write_project

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n"


def _run(source: str) -> dict[str, object]:
    """Execute a test-written app (never analysed code) and return its globals."""
    namespace: dict[str, object] = {"__name__": "flk208_case"}
    exec(compile(source, "app.py", "exec"), namespace)
    return namespace


def _methods(namespace: dict[str, object]) -> dict[str, set[str]]:
    app = namespace.get("app")
    if not isinstance(app, Flask):
        app = Flask("host")
        blueprint = namespace["bp"]
        assert isinstance(blueprint, Blueprint)
        app.register_blueprint(blueprint)
    return {rule.rule: set(rule.methods or ()) for rule in app.url_map.iter_rules() if rule.endpoint != "static"}


@pytest.mark.parametrize("case", [c for c in MethodsAsString.invalid if c.fixed], ids=lambda c: c.findings[0].message[:30])
def test_each_case_fails_with_real_flask_as_its_message_says_and_its_fix_registers(case) -> None:
    source = case.files["app.py"]
    with pytest.raises(TypeError) as raised:
        _methods(_run(source))
    assert f"`TypeError: {raised.value}`" in case.findings[0].message
    assert all(len(methods) >= 2 for methods in _methods(_run(case.fixed["app.py"])).values())


def test_a_string_is_not_split_into_letters_by_current_flask() -> None:
    """The old failure (`methods="POST"` -> {"P", "O", "S", "T"}) is an import-time TypeError today."""
    with pytest.raises(TypeError, match="Allowed methods must be a list of strings"):
        _run(HEADER + "app.add_url_rule('/a', 'a', lambda: 'a', methods='POST')\n")


@pytest.mark.parametrize(
    "line",
    [
        '@app.route("/a", methods=("POST",))',  # a real one-element tuple
        '@app.route("/a", methods={"post"})',  # a set, lower case
        '@app.route("/a", methods=METHODS)',  # a name: unknown value
        '@app.route("/a", **options)',
    ],
)
def test_accepted_spellings_are_clean(project, line: str) -> None:
    source = HEADER + "METHODS = 'POST'\noptions = {}\n\n\n" + line + "\ndef a():\n    return 'a'\n"
    assert project(source, select="FLK208") == []


@pytest.mark.parametrize(
    "source",
    [
        # Bottle's route takes method=; a module importing Bottle is not judged
        "from bottle import Bottle\nfrom flask import request\n\napp = Bottle()\n\n\n"
        "@app.route('/x', method='POST')\ndef x():\n    return 'x'\n",
        # FastAPI's api_route/get: another framework
        "from fastapi import FastAPI\nfrom flask import json\n\napp = FastAPI()\n\n\n"
        "@app.get('/x', methods=['GET'])\ndef x():\n    return 'x'\n",
        # a module's function: requests.get takes no method=, but it is not a route either
        "import requests\nfrom flask import Flask\n\nrequests.get('/x', method='POST')\n",
        # no Flask import, receiver unknown
        "@router.route('/x', methods='POST')\ndef x():\n    return 'x'\n",
    ],
)
def test_other_frameworks_and_non_routes_are_left_alone(project, source: str) -> None:
    assert project(source, select="FLK208") == []


def test_a_blueprint_imported_from_another_module(project) -> None:
    files = {
        "pkg/__init__.py": "from flask import Blueprint\n\nbp = Blueprint('b', __name__)\n",
        "pkg/views.py": "from flask import request\n\nfrom pkg import bp\n\n\n"
        "@bp.route('/x', methods='PUT')\ndef x():\n    return 'x'\n",
    }
    assert [(f[0], f[1:5]) for f in findings(project(files, select="FLK208"))] == [("pkg/views.py", (6, 16, 6, 29))]


def test_string_methods_on_a_shortcut_are_two_findings_fixed_together(tmp_path: Path) -> None:
    source = HEADER + '\n@app.post("/a", methods="GET")\ndef a():\n    return "a"\n'
    write_project(tmp_path, {"app.py": source})
    assert [f[1:5] for f in findings(lint(tmp_path, "FLK208"))] == [(6, 5, 6, 9), (6, 16, 6, 29)]
    text = fixed(tmp_path, {"app.py": source}, "FLK208")
    assert text == HEADER + '\n@app.route("/a", methods=["GET"])\ndef a():\n    return "a"\n'
    assert _methods(_run(text)) == {"/a": {"GET", "HEAD", "OPTIONS"}}


def test_parentheses_with_spaces_and_a_multi_line_call(tmp_path: Path) -> None:
    source = HEADER + textwrap.dedent(
        """
        @app.route(
            "/a",
            methods=( "POST" ),
        )
        def a():
            return "a"
        """
    )
    text = fixed(tmp_path, {"app.py": source}, "FLK208")
    assert '    methods=["POST"],\n' in text


def test_method_on_a_shortcut_is_reported_without_a_fix(project) -> None:
    """Renaming it would give `@app.get(methods=...)`, itself an error: the user picks route or the shortcut."""
    (diagnostic,) = project(HEADER + '\n@app.get("/a", method="POST")\ndef a():\n    return "a"\n', select="FLK208")
    assert diagnostic.fix is None
    assert "unexpected keyword argument 'method'" in diagnostic.message


def test_add_url_rule_and_a_factory_app(project) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask


        def create_app():
            app = Flask(__name__)
            app.add_url_rule("/a", view_func=lambda: "a", methods="POST")
            return app
        """
    )
    (diagnostic,) = project(source, select="FLK208")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (6, 50, 64)


@pytest.mark.parametrize(
    ("written", "fixed_to"),
    [
        ("methods='GET POST'", "methods=['GET', 'POST']"),
        ('methods="GET, POST"', 'methods=["GET", "POST"]'),
        ('method="get,post"', 'methods=["get", "post"]'),
        ('methods=("PUT")', 'methods=["PUT"]'),
    ],
)
def test_a_string_naming_several_methods_becomes_their_list(tmp_path: Path, written: str, fixed_to: str) -> None:
    source = HEADER + f'\n@app.route("/a", {written})\ndef a():\n    return "a"\n'
    text = fixed(tmp_path, {"app.py": source}, "FLK208")
    assert text == source.replace(written, fixed_to)
    assert _methods(_run(text))["/a"] >= {"OPTIONS"} | {m.upper() for m in fixed_to[9:-1].replace('"', "'").split("'")[1::2]}


def test_a_string_holding_more_than_method_names_gets_no_fix(project) -> None:
    (diagnostic,) = project(HEADER + '\n@app.route("/a", methods="GET/POST")\ndef a():\n    return "a"\n', select="FLK208")
    assert diagnostic.fix is None
    assert diagnostic.message.endswith("write `methods=[...]`")


def test_test_files_are_skipped(project) -> None:
    """Flask's own test suite: `with pytest.raises(TypeError): app.add_url_rule("/", methods="GET POST")`."""
    source = HEADER + "with pytest.raises(TypeError):\n    app.add_url_rule('/', methods='GET POST', endpoint='t')\n"
    assert project({"tests/test_basic.py": source}, select="FLK208") == []
    assert len(project({"app.py": source}, select="FLK208")) == 1
