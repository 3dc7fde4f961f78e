"""FLK103 debug-on-public-host: `app.run(...)` in Python and `flask run` in deployment files."""

from __future__ import annotations

from pathlib import Path

import pytest

from rule_testing import fixed
from flasklint.model.deploy import public_debug_servers

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def positions(project, files: str | dict[str, str]) -> list[tuple[str, int, int, int]]:
    return [(d.path, d.start.row, d.start.column, d.end.column) for d in project(files, select="FLK103")]


# -- Python ----------------------------------------------------------------------------------
def test_quickstart_debug_alone_is_fine_but_not_on_0_0_0_0(project) -> None:
    assert project(APP + "app.run(debug=True)\n", select="FLK103") == []
    (diagnostic,) = project(APP + 'if __name__ == "__main__":\n    app.run(host="0.0.0.0", debug=True)\n', select="FLK103")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (5, 17, 26)
    assert diagnostic.message == (
        "debug mode (`debug=True`) on public host `0.0.0.0`: the Werkzeug debugger lets anyone who can reach "
        "the server run Python code; bind to `127.0.0.1`"
    )
    assert diagnostic.severity.value == "error"


@pytest.mark.parametrize(
    ("call", "column", "debug_text"),
    [
        ("app.run('0.0.0.0', 5000, True)", 8, "`True` passed as `debug`"),
        ("app.run(host='::', debug=1)", 13, "`debug=1`"),
        ("app.run(host='0.0.0.0', debug='False')", 13, "`debug='False'`"),  # a non-empty string is truthy
        ("app.run(**{'host': '0.0.0.0', 'debug': True})", 10, "`debug` in `**{'host': '0.0.0.0', 'debug': True}`"),
        ("app.run(**OPTIONS)", 10, "`debug` in `**OPTIONS`"),
        ("app.run(host=HOST, debug=DEBUG)", 13, "`debug=DEBUG`"),
        ("app.run(host=os.environ.get('HOST', '0.0.0.0'), debug=True)", 13, "`debug=True`"),
    ],
)
def test_debug_and_host_in_every_form(project, call: str, column: int, debug_text: str) -> None:
    source = "import os\n" + APP + "HOST = '0.0.0.0'\nDEBUG = True\nOPTIONS = dict(host='0.0.0.0', debug=True)\n" + call + "\n"
    (diagnostic,) = project(source, select="FLK103")
    assert (diagnostic.start.row, diagnostic.start.column) == (8, column)
    assert f"({debug_text})" in diagnostic.message


@pytest.mark.parametrize(
    ("setting", "debug_text"),
    [
        ("app.debug = True", "`app.debug = True`"),
        ("app.config['DEBUG'] = True", "`app.config['DEBUG'] = True`"),
        ("app.config.update(DEBUG=True)", "`DEBUG=True`"),
        ("app.config.from_mapping({'DEBUG': 1})", "`DEBUG: 1`"),
    ],
)
def test_debug_switched_on_elsewhere_in_the_module(project, setting: str, debug_text: str) -> None:
    (diagnostic,) = project(APP + setting + "\napp.run(host='0.0.0.0')\n", select="FLK103")
    assert f"({debug_text})" in diagnostic.message


CONFIG_CLASSES = "class Config:\n    DEBUG = False\n\n\nclass DevConfig(Config):\n    DEBUG = True\n\n\n"


@pytest.mark.parametrize(
    ("loader", "debug_text"),
    [
        ("app.config.from_object(DevConfig)", "`DEBUG = True` in `DevConfig`"),
        ("app.config.from_object('app.DevConfig')", "`DEBUG = True` in `DevConfig`"),
        ("DEBUG = 1\napp.config.from_object(__name__)", "`DEBUG = 1`"),
    ],
)
def test_debug_in_a_config_object_the_module_loads(project, loader: str, debug_text: str) -> None:
    source = CONFIG_CLASSES + APP + loader + "\napp.run(host='0.0.0.0')\n"
    found = project(source, select="FLK103")
    last_row = source.count("\n")
    assert [(d.start.row, d.start.column, d.end.column) for d in found] == [(last_row, 13, 22)]
    assert found[0].message.startswith(f"debug mode ({debug_text}) on public host `0.0.0.0`")


@pytest.mark.parametrize(
    "loader",
    [
        "app.config.from_object(Config)",  # DEBUG = False
        "app.config.from_object('config.DevConfig')",  # another module: not seen from here
        "app.config.from_object(CONFIGS[name])",
        "app.config.from_object(DevConfig)\napp.debug = False",  # mixed settings: unknown
        "app.config.from_object(DevConfig)\napp.run(host='0.0.0.0', debug=False)",
        # a factory's default config: a caller may pass another one
        "def create_app(config_class=DevConfig):\n    app = Flask(__name__)\n    app.config.from_object(config_class)\n"
        "    return app\n\ncreate_app(Config).run(host='0.0.0.0')",
    ],
)
def test_config_objects_that_do_not_switch_debug_on(project, loader: str) -> None:
    source = CONFIG_CLASSES + APP + "CONFIGS = {}\n" + loader + "\n"
    if "app.run" not in loader:
        source += "app.run(host='0.0.0.0')\n"
    assert project(source, select="FLK103") == []


@pytest.mark.parametrize(
    "call",
    [
        "app.run(debug=True, use_debugger=False, host='0.0.0.0')",
        "app.run('0.0.0.0', 5000, True, use_debugger=0)",
        "OPTIONS = {'use_debugger': False}\napp.run(host='0.0.0.0', debug=True, **OPTIONS)",
        "app.debug = True\nUSE_DEBUGGER = False\napp.run(host='0.0.0.0', use_debugger=USE_DEBUGGER)",
    ],
)
def test_debug_mode_without_the_debugger_is_not_reported(project, call: str) -> None:
    assert project(APP + call + "\n", select="FLK103") == []


def test_a_debugger_switched_on_explicitly_is_still_reported(project) -> None:
    found = project(APP + "app.run(host='0.0.0.0', debug=True, use_debugger=True)\n", select="FLK103")
    assert [(d.start.row, d.start.column, d.end.column) for d in found] == [(4, 13, 22)]


def test_factory_apps(project) -> None:
    files = {
        "run.py": "from myapp import create_app\n\napp = create_app()\n\nif __name__ == '__main__':\n"
        "    app.run(host='0.0.0.0', debug=True)\n",
        "wsgi.py": "from myapp import create_app\n\ncreate_app().run('::', 8000, True)\n",
        "serve.py": "from myapp import app\n\napp.run(host='0.0.0.0', debug=True)\n",
    }
    assert positions(project, files) == [("run.py", 6, 17, 26), ("serve.py", 3, 13, 22), ("wsgi.py", 3, 17, 21)]


@pytest.mark.parametrize(
    "source",
    [
        APP + "app.run(debug=True)\n",
        APP + "app.run(host='127.0.0.1', debug=True)\n",
        APP + "app.run(host='0.0.0.0')\n",
        APP + "app.run(host='0.0.0.0', debug=False)\n",
        APP + "app.debug = True\napp.run(host='0.0.0.0', debug=False)\n",
        APP + "app.run(host='0.0.0.0', port=5000)\n",
        "import os\n" + APP + "app.run(host='0.0.0.0', debug=os.environ.get('FLASK_DEBUG'))\n",
        "import os\n" + APP + "app.run(host='0.0.0.0', debug=os.getenv('DEBUG', False))\n",
        "import os\n" + APP + "app.run(host='0.0.0.0', debug=os.environ['ENV'] == 'dev')\n",
        APP + "import argparse\nargs = argparse.ArgumentParser().parse_args()\napp.run(host='0.0.0.0', debug=args.debug)\n",
        APP + "DEBUG = os.environ.get('DEBUG')\napp.run(host='0.0.0.0', debug=DEBUG)\n",
        APP + "if dev:\n    app.debug = True\nelse:\n    app.debug = False\napp.run(host='0.0.0.0')\n",
        "import asyncio\n" + APP + "asyncio.run(main(host='0.0.0.0', debug=True))\n",
        "import subprocess\n" + APP + "subprocess.run(['x'], host='0.0.0.0', debug=True)\n",
        "from celery import Celery\n\nworker = Celery()\nworker.run(host='0.0.0.0', debug=True)\n",
        APP + "app.run(host=HOST, debug=True)\n",  # HOST is not defined here: unknown, not public
    ],
)
def test_false_positive_traps(project, source: str) -> None:
    assert project(source, select="FLK103") == []


# -- deployment files --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "text", "span"),
    [
        ("Dockerfile", "FROM python:3.12\nCMD flask --app app run --debug --host=0.0.0.0\n", (2, 39, 2, 46)),
        ("Dockerfile", 'FROM python:3.12\nCMD ["flask", "run", "--debug", "--host", "0.0.0.0"]\n', (2, 43, 2, 50)),
        ("Dockerfile", "FROM python:3.12\nENTRYPOINT flask --debug run -h :: --port 80\n", (2, 32, 2, 34)),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG=1\nCMD flask run --host=0.0.0.0\n", (3, 21, 3, 28)),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG 1\nENV FLASK_RUN_HOST 0.0.0.0\nCMD [\"flask\", \"run\"]\n", (3, 19, 3, 26)),
        ("Dockerfile", 'FROM python:3.12\nENTRYPOINT ["flask"]\nCMD ["run", "--host=0.0.0.0", "--debug"]\n', (3, 20, 3, 27)),
        ("Dockerfile", "FROM python:3.12\nCMD flask run \\\n    --debug \\\n    --host 0.0.0.0\n", (4, 11, 4, 18)),
        ("Dockerfile", 'FROM python:3.12\nCMD ["sh", "-c", "FLASK_DEBUG=true flask run --host=0.0.0.0"]\n', (2, 52, 2, 59)),
        ("Procfile", "web: flask run --debug --host=0.0.0.0 --port=$PORT\n", (1, 30, 1, 37)),
        ("Procfile.dev", "web: FLASK_DEBUG=1 flask run -h 0.0.0.0\n", (1, 32, 1, 39)),
        ("scripts/dev.sh", "#!/bin/sh\nexport FLASK_DEBUG=on\npip install flask && exec flask run --host=0.0.0.0\n", (3, 43, 3, 50)),
        ("run.sh", "#!/bin/sh\npython -m flask --app app run --debug --host '0.0.0.0'\n", (2, 46, 2, 53)),
        # quote removal makes the word `flask` (the scan that skips scripts without it sees this too)
        ("serve.sh", "#!/bin/sh\nfl'ask' run --debug --host=0.0.0.0\n", (2, 27, 2, 34)),
        (
            "docker-compose.yml",
            "services:\n  web:\n    build: .\n    command: flask run --host=0.0.0.0\n    environment:\n      - FLASK_DEBUG=1\n",
            (4, 30, 4, 37),
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    environment:\n      FLASK_DEBUG: \"1\"\n      FLASK_RUN_HOST: 0.0.0.0\n"
            "    command: [\"flask\", \"run\"]\n",
            (5, 22, 5, 29),
        ),
        (
            "compose.yml",
            "services:\n  web:\n    command:\n      - flask\n      - run\n      - --debug\n      - --host=0.0.0.0\n",
            (7, 15, 7, 22),
        ),
        (".flaskenv", "FLASK_APP=app\nFLASK_DEBUG=1\nFLASK_RUN_HOST=0.0.0.0\n", (3, 15, 3, 22)),
    ],
)
def test_deployment_files(project, path: str, text: str, span: tuple[int, int, int, int]) -> None:
    found = project({"app.py": APP, path: text}, select="FLK103")
    assert [(d.path, d.start.row, d.start.column, d.end.row, d.end.column) for d in found] == [(path, *span)]
    line = text.splitlines()[span[0] - 1]
    assert line[span[1] : span[3]] in ("0.0.0.0", "::")


def test_deployment_message_names_the_debug_source() -> None:
    (server,) = public_debug_servers("Procfile", "web: FLASK_DEBUG=yes flask run -h 0.0.0.0\n")
    assert (server.debug_source, server.host) == ("FLASK_DEBUG=yes", "0.0.0.0")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("Dockerfile", "FROM python:3.12\nCMD flask run --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\nCMD flask run --debug\n"),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG=0\nCMD flask run --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG=false\nCMD flask run --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG=$DEBUG\nCMD flask run --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12 AS dev\nENV FLASK_DEBUG=1\nFROM python:3.12\nCMD flask run --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\nCMD flask run --debug --no-debugger --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\nENV FLASK_DEBUG=1\nCMD flask run --no-debug --host=0.0.0.0\n"),
        ("Dockerfile", "FROM python:3.12\n# CMD flask run --debug --host=0.0.0.0\nCMD gunicorn -b 0.0.0.0:80 app:app\n"),
        ("Dockerfile", "FROM python:3.12\nRUN pip install flask --debug\nCMD flask routes --host 0.0.0.0\n"),
        ("Procfile", "web: gunicorn --bind 0.0.0.0:$PORT app:app\n"),
        ("Procfile", "web: flask run --host=0.0.0.0 --port=$PORT\n"),
        ("run.sh", "#!/bin/sh\nFLASK_DEBUG=1\nflask run --host=0.0.0.0\n"),  # not exported: flask never sees it
        ("run.sh", "#!/bin/sh\nflask run --debug --host=127.0.0.1\n"),
        (
            "docker-compose.yml",
            "services:\n  api:\n    environment:\n      - FLASK_DEBUG=1\n    command: flask run\n"
            "  web:\n    command: flask run --host=0.0.0.0\n",
        ),
        (".flaskenv", "FLASK_DEBUG=1\n"),
        (".env", "FLASK_RUN_HOST=0.0.0.0\n"),
    ],
)
def test_deployment_false_positive_traps(project, path: str, text: str) -> None:
    assert project({"app.py": APP, path: text}, select="FLK103") == []


PACKAGE_JSON = """\
{
  "name": "frontend",
  "scripts": {
    "build": "webpack --mode production",
    "api": "FLASK_DEBUG=1 flask run --host=0.0.0.0",
    "api:win": "cross-env FLASK_DEBUG=1 flask --app app run -h 0.0.0.0",
    "api:debug": "flask run --debug --host \\"0.0.0.0\\" --port 5000",
    "api:lan": "flask run --host=0.0.0.0",
    "api:nodebugger": "flask run --debug --no-debugger --host=0.0.0.0"
  }
}
"""


def test_package_json_scripts() -> None:
    found = public_debug_servers("package.json", PACKAGE_JSON)
    assert [(s.span, s.debug_source, s.fixable) for s in found] == [
        ((5, 43, 5, 50), "FLASK_DEBUG=1", True),
        ((6, 63, 6, 70), "FLASK_DEBUG=1", True),
        ((7, 45, 7, 52), "--debug", True),
    ]
    lines = PACKAGE_JSON.splitlines()
    assert [lines[row - 1][start:end] for row, start, _, end in (s.span for s in found)] == ["0.0.0.0"] * 3


def test_bad_input_never_raises() -> None:
    for path in ("Dockerfile", "Procfile", "x.sh", "compose.yml", ".env", "package.json"):
        for text in (
            "", "\\", 'CMD ["flask", "run"', "web: flask run --host '0.0.0.0\n", "\x00\n\r\n:::",
            "services:\n  web:\n",
            "[1, 2]", '{"scripts": ["flask run"]}', '{"scripts": {"a": 1, "b": null}}', '{"scripts": {"a": "flask run"',
        ):  # fmt: skip
            public_debug_servers(path, text)


# -- fixes -----------------------------------------------------------------------------------
def test_fix_binds_to_loopback_keeping_the_quotes(tmp_path: Path) -> None:
    source = APP + "if __name__ == '__main__':\n    app.run(host='0.0.0.0', debug=True)\n"
    expected = APP + "if __name__ == '__main__':\n    app.run(host='127.0.0.1', debug=True)\n"
    assert fixed(tmp_path, {"app.py": source}, "FLK103") == expected


def test_fix_changes_the_constant_behind_the_host(tmp_path: Path) -> None:
    source = APP + 'HOST = "::"\nDEBUG = True\napp.run(HOST, 5000, DEBUG)\n'
    expected = APP + 'HOST = "127.0.0.1"\nDEBUG = True\napp.run(HOST, 5000, DEBUG)\n'
    assert fixed(tmp_path, {"app.py": source}, "FLK103") == expected


def test_fix_in_a_dockerfile(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.12\nENV FLASK_DEBUG=1\nCMD ["flask", "run", "--host", "0.0.0.0"]\n'
    expected = 'FROM python:3.12\nENV FLASK_DEBUG=1\nCMD ["flask", "run", "--host", "127.0.0.1"]\n'
    assert fixed(tmp_path, {"app.py": APP, "Dockerfile": dockerfile}, "FLK103", "Dockerfile") == expected


def test_fix_in_a_compose_environment(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    environment:\n      FLASK_DEBUG: 1\n      FLASK_RUN_HOST: '0.0.0.0'\n    command: flask run\n"
    expected = compose.replace("'0.0.0.0'", "'127.0.0.1'")
    assert fixed(tmp_path, {"app.py": APP, "compose.yaml": compose}, "FLK103", "compose.yaml") == expected
