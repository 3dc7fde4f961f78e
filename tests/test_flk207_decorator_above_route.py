"""FLK207 decorator-above-route: real Flask shows the check skipped and the fix restoring it; traps; fix limits."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flask import Flask

from rule_testing import findings, fixed

HEADER = '''\
from functools import wraps

from flask import Flask, abort

app = Flask(__name__)


def login_required(f):
    @wraps(f)
    def wrapper(*args, **kwargs):
        abort(401)
    return wrapper

'''


def _client(source: str):
    """Execute a test-written app (never analysed code) and return its test client."""
    namespace: dict[str, object] = {"__name__": "flk207_case"}
    exec(compile(source, "app.py", "exec"), namespace)
    app = namespace["app"]
    assert isinstance(app, Flask)
    return app.test_client()


def test_the_check_is_skipped_with_real_flask_and_the_fix_restores_it(tmp_path: Path) -> None:
    source = HEADER + '\n@login_required\n@app.route("/admin")\ndef admin():\n    return "secret"\n'
    text = fixed(tmp_path, {"app.py": source}, "FLK207")
    assert text == HEADER + '\n@app.route("/admin")\n@login_required\ndef admin():\n    return "secret"\n'
    before = _client(source).get("/admin")
    assert (before.status_code, before.data) == (200, b"secret")
    assert _client(text).get("/admin").status_code == 401


def test_span_and_message(project) -> None:
    source = HEADER + '\n@login_required\n@app.get("/a")\ndef a():\n    return "a"\n'
    assert findings(project(source, select="FLK207")) == [
        (
            "app.py", 15, 1, 15, 15,
            "`@login_required` is above `@app.get(...)`: the route registers `a` before it is wrapped, so requests "
            "reach the view without it (only the module-level name is wrapped); put the route decorator on top",
        )
    ]


@pytest.mark.parametrize(
    "decorators",
    [
        "@app.route('/a')\n@login_required",  # the right order
        "@app.route('/a')\n@app.route('/b')",  # stacked routes
        "@staticmethod\n@app.route('/a')",
        "@some.registry.add\n@app.route('/a')",  # unknown: may register and return the function
    ],
)
def test_traps_are_clean(project, decorators: str) -> None:
    source = HEADER + f"\n{decorators}\ndef a():\n    return 'a'\n"
    assert project(source, select="FLK207") == []


def test_another_framework_is_left_alone(project) -> None:
    source = "from fastapi import FastAPI\nfrom myapp import login_required\n\napp = FastAPI()\n\n\n"
    source += "@login_required\n@app.get('/a')\ndef a():\n    return 'a'\n"
    assert project(source, select="FLK207") == []


def test_a_local_wrapper_without_wraps_gets_no_fix_because_moving_it_renames_the_endpoint(project) -> None:
    source = textwrap.dedent(
        """\
        from flask import Flask

        app = Flask(__name__)


        def logged(f):
            def wrapper():
                return f()
            return wrapper


        @logged
        @app.route("/a")
        def a():
            return "a"


        @logged
        @app.route("/b")
        def b():
            return "b"
        """
    )
    found = project(source, select="FLK207")
    assert [(d.start.row, d.fix) for d in found] == [(12, None), (18, None)]
    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: wrapper"):
        _client(source.replace('@logged\n@app.route("/a")', '@app.route("/a")\n@logged').replace(
            '@logged\n@app.route("/b")', '@app.route("/b")\n@logged'
        ))


@pytest.mark.parametrize(
    "decorators",
    [
        "@login_required  # checked\n@app.route('/a')",
        "@login_required\n# the route\n@app.route('/a')",
        "@login_required\n@app.route(RULES[0])",
        "@login_required\n@app.route('/a', defaults=make())",
    ],
)
def test_no_fix_with_comments_or_computed_arguments(project, decorators: str) -> None:
    source = HEADER + "RULES = ['/a']\n\n\n" + decorators + "\ndef a():\n    return 'a'\n"
    found = project(source, select="FLK207")
    assert [d.fix for d in found] == [None] * len(found)


def test_routes_of_two_owners_keep_their_order(tmp_path: Path) -> None:
    source = HEADER + (
        "from flask import Blueprint\n\nbp = Blueprint('b', __name__)\n\n\n"
        "@app.route('/a')\n@login_required\n@bp.route('/b')\n@bp.route('/c')\ndef a():\n    return 'a'\n"
    )
    text = fixed(tmp_path, {"app.py": source}, "FLK207")
    reordered = "@app.route('/a')\n@bp.route('/b')\n@bp.route('/c')\n@login_required\n"
    assert text.endswith(reordered + "def a():\n    return 'a'\n")


def test_a_route_helper_taking_the_blueprint(project) -> None:
    source = HEADER + (
        "\n\ndef register(bp):\n    @login_required\n    @bp.route('/x')\n    def x():\n        return 'x'\n"
    )
    assert [d.start.row for d in project(source, select="FLK207")] == [17]
