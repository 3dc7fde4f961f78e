"""FLK206 duplicate-endpoint: messages quote real Flask's AssertionError; blueprints, files, branches, wrappers."""

from __future__ import annotations

import pytest

from flasklint.rules.flk206_duplicate_endpoint import DuplicateEndpoint
from rule_testing import findings

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"


def _import_error(source: str) -> str:
    """Execute a test-written app (never analysed code); return the error its import raises, as quoted."""
    namespace: dict[str, object] = {"__name__": "flk206_case", "FEATURE": True}
    try:
        exec(compile(source, "app.py", "exec"), namespace)
    except AssertionError as error:
        return f"`AssertionError: {error}`"
    return ""


@pytest.mark.parametrize("case", DuplicateEndpoint.invalid)
def test_each_case_fails_with_real_flask_as_its_message_says(case) -> None:
    raised = _import_error(case.files["app.py"])
    assert raised and raised in case.findings[0].message


@pytest.mark.parametrize("case", [c for c in DuplicateEndpoint.valid if isinstance(c, str)])
def test_each_valid_single_file_case_imports_with_real_flask(case: str) -> None:
    assert _import_error(case) == ""


def test_without_the_branches_the_same_views_are_reported(project) -> None:
    source = HEADER + "@app.route('/')\ndef index():\n    return 'new'\n\n\n"
    source += "@app.route('/old')\ndef index():\n    return 'old'\n"
    assert [f[1:5] for f in findings(project(source, select="FLK206"))] == [(11, 1, 11, 18)]


def test_one_blueprint_collides_under_its_full_name(project) -> None:
    source = (
        "from flask import Blueprint, Flask\n\nbp = Blueprint('b', __name__)\n\n\n"
        "@bp.route('/a')\ndef x():\n    return 'a'\n\n\n@bp.route('/b', endpoint='x')\ndef y():\n    return 'b'\n\n\n"
        "app = Flask(__name__)\napp.register_blueprint(bp)\n"
    )
    (diagnostic,) = project(source, select="FLK206")
    assert (diagnostic.start.row, diagnostic.start.column) == (11, 1)
    assert "`AssertionError: View function mapping is overwriting an existing endpoint function: b.x`" in (
        diagnostic.message
    )
    assert _import_error(source).endswith("function: b.x`")


def test_views_of_two_modules_on_one_app_are_reported_in_the_later_one(project) -> None:
    files = {
        "app.py": HEADER + "@app.route('/')\ndef index():\n    return 'home'\n\n\nimport views  # noqa: E402,F401\n",
        "views.py": "from app import app\n\n\n@app.route('/other')\ndef index():\n    return 'other'\n",
    }
    assert [f[:5] for f in findings(project(files, select="FLK206"))] == [("views.py", 4, 1, 4, 20)]


@pytest.mark.parametrize(
    "source",
    [
        # unknown views: lambdas, as_view
        HEADER + "app.add_url_rule('/a', 'a', lambda: 'a')\napp.add_url_rule('/b', 'a', lambda: 'b')\n",
        # a decorator the model cannot see into: the endpoint it yields is unknown
        HEADER + "from deco import logged\n\n\n@app.route('/a')\n@logged\ndef a():\n    return 'a'\n\n\n"
        "@app.route('/b')\n@logged\ndef b():\n    return 'b'\n",
        # one function, by decorator and by add_url_rule
        HEADER + "@app.route('/')\ndef index():\n    return 'a'\n\n\napp.add_url_rule('/home', view_func=index)\n",
        # registrations inside try/except
        HEADER + "try:\n    @app.route('/')\n    def index():\n        return 'a'\nexcept ImportError:\n"
        "    @app.route('/')\n    def index():\n        return 'b'\n",
    ],
)
def test_unknown_or_conditional_registrations_are_left_alone(project, source: str) -> None:
    assert project(source, select="FLK206") == []


FACTORY = (
    "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n    with app.app_context():\n"
    "        {first}@app.route('/')\n        {indent}def index():\n        {indent}    return 'new'\n"
    "        {second}@app.route('/old')\n        {indent}def index():\n        {indent}    return 'old'\n"
    "    return app\n"
)


def test_branches_nested_in_a_factory_and_a_with_block_are_conditional(project) -> None:
    """The walk for branches goes through the blocks of functions and `with` statements."""
    plain = FACTORY.format(first="", second="", indent="")
    assert [f[1:5] for f in findings(project(plain, select="FLK206"))] == [(10, 9, 10, 26)]
    branched = FACTORY.format(first="if FEATURE:\n            ", second="else:\n            ", indent="    ")
    assert project(branched, select="FLK206") == []
