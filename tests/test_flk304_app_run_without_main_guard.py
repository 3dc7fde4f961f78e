"""FLK304 app-run-without-main-guard: positives, traps, and the fix keeping a script a script (real Flask)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from flask import Flask

from rule_testing import findings, fixed

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n"


def _runs_on(monkeypatch: pytest.MonkeyPatch, source: str, name: str) -> list[dict[str, object]]:
    """Execute a test-written module (never analysed code) as `name`; the run() calls it made."""
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(Flask, "run", lambda self, *args, **kwargs: calls.append(kwargs))
    exec(compile(source, "app.py", "exec"), {"__name__": name})
    return calls


def test_the_fix_stops_the_server_on_import_and_keeps_it_as_a_script(tmp_path: Path, monkeypatch) -> None:
    source = HEADER + "app.run(port=5001)\n"
    text = fixed(tmp_path, {"app.py": source}, "FLK304")
    assert _runs_on(monkeypatch, source, "app") == [{"port": 5001}]  # what gunicorn / pytest hit
    assert _runs_on(monkeypatch, text, "app") == []
    assert _runs_on(monkeypatch, text, "__main__") == [{"port": 5001}]


@pytest.mark.parametrize(
    ("source", "row"),
    [
        (HEADER + "app.run()\n", 4),
        ("import flask\n\napplication = flask.Flask(__name__)\napplication.run()\n", 4),
        ("from myapp import create_app\n\ncreate_app().run(debug=True)\n", 3),
        ("from myapp import web_app\n\ntry:\n    web_app.run()\nexcept KeyboardInterrupt:\n    pass\n", 4),
        (
            "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n\n\n"
            "app = create_app()\napp.run()\n",
            9,
        ),
    ],
)
def test_module_level_runs_are_reported(project, source: str, row: int) -> None:
    assert [f[1] for f in findings(project(source, select="FLK304"))] == [row]


@pytest.mark.parametrize(
    "source",
    [
        HEADER + "if __name__ == '__main__':\n    try:\n        app.run()\n    finally:\n        pass\n",
        HEADER + "if __name__ != '__main__':\n    pass\nelse:\n    app.run()\n",
        HEADER + "class Server:\n    def start(self):\n        app.run()\n",
        HEADER + "main = lambda: app.run()\n",
        "from myapp import app\nfrom sanic import Sanic\n\napp.run()\n",  # another framework in the module
        "from myapp import worker\n\nworker.run()\n",  # not an app by name
        "from flask import Flask\nfrom myapp import db\n\ndb.run()\n",
    ],
)
def test_guarded_or_not_an_app_is_clean(project, source: str) -> None:
    assert project(source, select="FLK304") == []


def test_tab_indentation_and_a_comment_are_kept(tmp_path: Path) -> None:
    source = HEADER + "if True:\n\tx = 1\n\tapp.run(  # dev server\n\t\tport=5000)\n"
    text = fixed(tmp_path, {"app.py": source}, "FLK304")
    guarded = 'if True:\n\tx = 1\n\tif __name__ == "__main__":\n\t\tapp.run(  # dev server\n\t\t\tport=5000)\n'
    assert text == HEADER + guarded


@pytest.mark.parametrize(
    "line",
    [
        "if DEBUG: app.run()\n",  # one-line suite
        "app.run(); print('bye')\n",  # other code on the line
        'app.run(host="""0.0.0.0\n""")\n',  # a multi-line string would change when indented
    ],
)
def test_no_fix_where_moving_the_line_is_not_simple(project, line: str) -> None:
    (diagnostic,) = project(HEADER + "DEBUG = True\n" + line, select="FLK304")
    assert diagnostic.fix is None


def test_span_and_message(project) -> None:
    source = HEADER + textwrap.dedent(
        """\
        app.run(
            host="127.0.0.1",
        )
        """
    )
    assert findings(project(source, select="FLK304")) == [
        (
            "app.py", 4, 0, 6, 1,
            "`app.run(...)` runs whenever this module is imported: gunicorn, pytest and any `import` start the "
            "development server and block there (`flask run` skips it with a warning); put it under "
            '`if __name__ == "__main__":`',
        )
    ]
