"""FLK305 view-returns-none: the runtime error, positives, traps, and the fix making the view answer (real Flask)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rule_testing import check_noop, findings, fixed

HEADER = "from flask import Flask, abort, jsonify, redirect, render_template, request\n\napp = Flask(__name__)\n\n\n"
MISSING_RETURN = HEADER + "@app.route('/old', methods=['GET', 'POST'])\ndef old():\n    if request.method == 'POST':\n" \
    "        jsonify(saved=True), 201\n    else:\n        redirect('/new')\n"


def _client(source: str):
    """Execute a test-written module (never analysed code); a test client of its app."""
    namespace: dict[str, object] = {"__name__": "app"}
    exec(compile(source, "app.py", "exec"), namespace)
    app = namespace["app"]
    app.testing = True  # type: ignore[attr-defined]  # raise the view's error instead of answering 500
    return app.test_client()  # type: ignore[attr-defined]


def test_the_runtime_error_and_the_fix_with_real_flask(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="The view function for 'old' did not return a valid response"):
        _client(MISSING_RETURN).get("/old")
    text = fixed(tmp_path, {"app.py": MISSING_RETURN}, "FLK305")
    assert "        return jsonify(saved=True), 201\n" in text and "        return redirect('/new')\n" in text
    client = _client(text)
    assert client.get("/old").status_code == 302
    assert client.post("/old").status_code == 201


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        ("    if request.args:\n        return 'x'\n", [7]),  # falls off: reported at the name
        ("    if not request.args:\n        return None\n    return 'x'\n", [9]),
        ("    for item in request.args:\n        return item\n", [7]),
        ("    try:\n        return 'x'\n    except ValueError:\n        print('bad')\n", [7]),
        ("    while request.args:\n        break\n", [7]),
        ("    if request.args:\n        return 'x'\n    render_template('a.html')\n", [10]),
    ],
)
def test_paths_returning_none_are_reported(project, body: str, rows: list[int]) -> None:
    source = HEADER + "@app.route('/a')\ndef a():\n" + body
    assert [f[1] for f in findings(project(source, select="FLK305"))] == rows


def test_a_blueprint_view_and_a_registered_error_handler(project) -> None:
    source = (
        "from flask import Blueprint, render_template\n\nbp = Blueprint('bp', __name__)\n\n\n"
        "@bp.get('/')\ndef index():\n    render_template('i.html')\n\n\n"
        "def oops(error):\n    pass\n\n\nbp.register_error_handler(500, oops)\n"
    )
    assert [f[1:3] for f in findings(project(source, select="FLK305"))] == [(8, 4), (11, 4)]


@pytest.mark.parametrize(
    "body",
    [
        "    if request.args:\n        return 'x'\n    raise ValueError\n",
        "    if request.args:\n        return 'x'\n    else:\n        abort(404)\n",
        "    match request.method:\n        case 'GET':\n            return 'x'\n        case _:\n            abort(405)\n",
        "    try:\n        return 'x'\n    finally:\n        print('done')\n",
        "    for item in request.args:\n        pass\n    else:\n        return 'x'\n",
        "    while True:\n        if request.args:\n            return 'x'\n",
        "    def inner():\n        pass\n    return inner()\n",
        "    if request.args:\n        return 'x'\n    api.abort(400)\n",
    ],
)
def test_paths_that_never_end_without_a_value_are_not_reported(tmp_path: Path, body: str) -> None:
    check_noop(tmp_path, {"app.py": HEADER + "@app.route('/a')\ndef a():\n" + body}, "FLK305")


def test_helpers_that_always_raise_count_as_endings_recursively(project) -> None:
    source = HEADER + (
        "def deny():\n    abort(403)\n\n\ndef deny_twice():\n    deny()\n\n\n"
        "@app.route('/a')\ndef a():\n    if request.args:\n        return 'x'\n    deny_twice()\n"
    )
    assert findings(project(source, select="FLK305")) == []


@pytest.mark.parametrize(
    "files",
    [
        {"tests/test_urls.py": HEADER + "@app.route('/a')\ndef a():\n    pass\n"},  # test stubs
        {"app.py": HEADER + "from flask_login import current_user\n\n\n@app.route('/a')\ndef a():\n    current_user.check()\n"
         "    deny()\n"},  # an unknown function ends it (undefined here: may raise)
        {"app.py": HEADER + "import functools\n\n\n@app.route('/a')\n@functools.cache\ndef a():\n    pass\n"},
        {"app.py": HEADER + "def not_a_view():\n    redirect('/x')\n"},
    ],
)
def test_traps(tmp_path: Path, files: dict[str, str]) -> None:
    check_noop(tmp_path, files, "FLK305")


def test_login_required_passes_none_through(project) -> None:
    source = HEADER + "from flask_login import login_required\n\n\n@app.route('/a')\n@login_required\ndef a():\n    pass\n"
    assert [f[1] for f in findings(project(source, select="FLK305"))] == [11]
