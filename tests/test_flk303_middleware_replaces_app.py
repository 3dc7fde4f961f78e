"""FLK303 middleware-replaces-app: positives, traps, and the fix giving back a working app (real Flask)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rule_testing import findings, fixed

HEADER = "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\napp = Flask(__name__)\n"
BROKEN = HEADER + "app = ProxyFix(app, x_for=1)\n\n\n@app.route('/')\ndef index():\n    return 'hi'\n"


def _load(source: str) -> dict[str, object]:
    """Execute a test-written module (never analysed code); its globals."""
    namespace: dict[str, object] = {"__name__": "app"}
    exec(compile(source, "app.py", "exec"), namespace)
    return namespace


def test_the_runtime_error_and_the_fix_with_real_flask(tmp_path: Path) -> None:
    with pytest.raises(AttributeError, match="'ProxyFix' object has no attribute 'route'"):
        _load(BROKEN)
    text = fixed(tmp_path, {"app.py": BROKEN}, "FLK303")
    assert "app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)\n" in text
    app = _load(text)["app"]
    response = app.test_client().get("/", environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "1.2.3.4"})
    assert response.text == "hi"
    assert type(app.wsgi_app).__name__ == "ProxyFix"  # still behind the middleware


@pytest.mark.parametrize(
    ("source", "row"),
    [
        (BROKEN, 5),
        (
            "from flask import Flask\nfrom werkzeug.middleware.dispatcher import DispatcherMiddleware\n\n"
            "app = Flask(__name__)\napp = DispatcherMiddleware(app, {'/api': api})\napp.run()\n",
            5,
        ),
        (
            "from werkzeug.contrib.fixers import ProxyFix\nfrom myapp import create_app\n\n"
            "app = create_app()\napp = ProxyFix(app)\napp.config['X'] = 1\n",
            5,
        ),
        (HEADER + "app = ProxyFix(app)\n\n\ndef view():\n    return app.config['X']\n", 5),
        # An app of a Flask subclass of this module (CTFd's CTFdFlask), or of one imported by a *Flask name.
        (
            "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n\n"
            "class Base(Flask):\n    pass\n\n\nclass MyFlask(Base):\n    pass\n\n\ndef create_app():\n"
            "    app = MyFlask(__name__)\n    app = ProxyFix(app)\n    app.config['X'] = 1\n    return app\n",
            15,
        ),
        (
            "from werkzeug.middleware.proxy_fix import ProxyFix\nfrom CTFd import CTFdFlask\n\n"
            "app = CTFdFlask(__name__)\napp = ProxyFix(app)\napp.config['X'] = 1\n",
            5,
        ),
    ],
)
def test_rebindings_used_as_an_app_are_reported(project, source: str, row: int) -> None:
    assert [f[1] for f in findings(project(source, select="FLK303"))] == [row]


@pytest.mark.parametrize(
    "source",
    [
        HEADER + "application = ProxyFix(app)\napp.run()\n",  # another name
        HEADER + "app = ProxyFix(app)\nprint(app.app)\n",  # the middleware's own attribute
        HEADER + "app = ProxyFix(app)\n\n\ndef view(app):\n    return app.config\n",  # a parameter shadows it
        "from werkzeug.middleware.proxy_fix import ProxyFix\n\nserver = make_server()\nserver = ProxyFix(server)\n"
        "server.run()\n",  # not a Flask app
        "from werkzeug.middleware.proxy_fix import ProxyFix\nfrom fastapi import FastAPI\nfrom myapp import app\n\n"
        "app = ProxyFix(app)\napp.get('/')\n",  # another framework
    ],
)
def test_traps_are_not_reported(project, source: str) -> None:
    assert findings(project(source, select="FLK303")) == []


def test_the_fix_is_unsafe_when_the_factory_returns_the_name(project) -> None:
    source = (
        "from flask import Flask\nfrom werkzeug.middleware.proxy_fix import ProxyFix\n\n\ndef create_app():\n"
        "    app = Flask(__name__)\n    app = ProxyFix(app)\n    app.config['X'] = 1\n    return app\n"
    )
    [diagnostic] = project(source, select="FLK303")
    assert diagnostic.fix is not None and diagnostic.fix.applicability.value == "unsafe"
