"""FLK205 bad-route-rule: each message quotes the error real Flask raises; project converters; humility; the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from flasklint.rules.flk205_bad_route_rule import BadRouteRule
from rule_testing import findings, fix_and_relint, lint, write_project

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"


def _import_error(source: str) -> str:
    """Execute a test-written app (never analysed code); return the error its import raises, as quoted."""
    namespace: dict[str, object] = {"__name__": "flk205_case"}
    try:
        exec(compile(source, "app.py", "exec"), namespace)
    except Exception as error:  # the exception class is the point of the test
        return f"`{type(error).__name__}: {error}`"
    return ""


@pytest.mark.parametrize("case", [c for c in BadRouteRule.invalid if list(c.files) == ["app.py"]])
def test_each_case_fails_with_real_flask_as_its_message_says(case) -> None:
    raised = _import_error(case.files["app.py"])
    assert raised and raised in case.findings[0].message
    for text in case.fixed.values():
        assert _import_error(text) == ""


def test_str_is_string_and_the_fixed_app_registers(tmp_path: Path) -> None:
    source = HEADER + "@app.route('/p/<str:slug>')\ndef page(slug):\n    return slug\n"
    write_project(tmp_path, {"app.py": source})
    (finding,) = findings_of(tmp_path)
    assert finding[1:5] == (6, 16, 6, 19)
    assert finding[5].endswith("did you mean `string`?")
    text = fix_and_relint(tmp_path, "FLK205")["app.py"]
    assert "<string:slug>" in text and _import_error(text) == ""


def findings_of(root: Path) -> list[tuple[object, ...]]:
    return findings(lint(root, "FLK205"))


def test_no_close_name_lists_the_converters_without_a_fix(project) -> None:
    source = HEADER + "@app.route('/o/<mongo_id:oid>')\ndef thing(oid):\n    return oid\n"
    (diagnostic,) = project(source, select="FLK205")
    assert diagnostic.fix is None
    assert diagnostic.message.endswith("the converters are `any`, `default`, `float`, `int`, `path`, `string`, `uuid`")


def test_a_rule_without_slash_on_an_app_made_by_a_factory(project) -> None:
    source = "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n"\
        "    app.add_url_rule('about', 'about', lambda: 'about')\n    return app\n"
    assert [f[1:5] for f in findings(project(source, select="FLK205"))] == [(6, 21, 6, 28)]
    assert _import_error(source + "create_app()\n") == "`ValueError: URL rule 'about' must start with a slash.`"


def test_a_blueprint_route_with_an_unknown_converter(project) -> None:
    source = (
        "from flask import Blueprint\n\nbp = Blueprint('b', __name__)\n\n\n"
        "@bp.get('/u/<integer:n>')\ndef u(n):\n    return ''\n"
    )
    assert [f[1:5] for f in findings(project(source, select="FLK205"))] == [(6, 13, 6, 20)]
    blueprint_error = _import_error(source + "from flask import Flask\nFlask('host').register_blueprint(bp)\n")
    assert blueprint_error == "`LookupError: the converter 'integer' does not exist`"


@pytest.mark.parametrize(
    "elsewhere",
    [
        # a computed key
        "from flask import Flask\n\napp = Flask(__name__)\nNAME = 'regex'\napp.url_map.converters[NAME] = object\n",
        # a BaseConverter subclass the index cannot see registered
        "from werkzeug.routing import BaseConverter\n\n\nclass Regex(BaseConverter):\n    pass\n",
        # an extension adding converters
        "from flask_hashids import Hashids\n\nhashids = Hashids()\n",
    ],
)
def test_converters_registered_where_the_index_cannot_read_them_silence_unknown_names(project, elsewhere: str) -> None:
    files = {
        "ext.py": elsewhere,
        "app.py": HEADER + "@app.route('/r/<regex(\"a+\"):w>')\ndef w(w):\n    return w\n",
    }
    assert project(files, select="FLK205") == []


def test_the_real_converters_of_werkzeug_are_the_known_ones() -> None:
    from flasklint.model.routing import DEFAULT_CONVERTERS

    assert set(Flask("x").url_map.converters) == DEFAULT_CONVERTERS
