"""FLK103 across files: `.flaskenv`/`.env` + a deployment file's `flask run`, and another module's config
class + `app.run()` (flask/cli.py load_dotenv: `.env` over `.flaskenv`, never over the environment)."""

from __future__ import annotations

import pytest

APP = "from flask import Flask\n\napp = Flask(__name__)\n"
WHY = "the Werkzeug debugger lets anyone who can reach the server run Python code; bind to `127.0.0.1`"


def found(project, files: dict[str, str]) -> list[tuple[str, tuple[int, int, int, int], str]]:
    return [
        (d.path, (d.start.row, d.start.column, d.end.row, d.end.column), d.message)
        for d in project(files, select="FLK103")
    ]


def from_env(path: str, value: str = "1", line: int = 2) -> str:
    return (
        f"`flask run` on host `0.0.0.0` with debug on from `FLASK_DEBUG={value}` in `{path}` (line {line}), "
        f"which `flask run` loads: {WHY}"
    )


FLASKENV = "FLASK_APP=app\nFLASK_DEBUG=1\n"


@pytest.mark.parametrize(
    ("deploy", "span"),
    [
        ({"Procfile": "web: flask run --host=0.0.0.0\n"}, (1, 22, 1, 29)),
        ({"package.json": '{\n  "scripts": {\n    "dev": "flask run --host 0.0.0.0"\n  }\n}\n'}, (3, 29, 3, 36)),
        ({"Dockerfile": "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nCMD flask run -h 0.0.0.0\n"}, (4, 17, 4, 24)),
        (
            {"docker-compose.yml": "services:\n  web:\n    volumes:\n      - .:/app\n    command: flask run --host=0.0.0.0\n"},
            (5, 30, 5, 37),
        ),
    ],
)
def test_flaskenv_debug_reaches_a_public_flask_run(project, deploy: dict[str, str], span) -> None:
    (path,) = deploy
    assert found(project, {".flaskenv": FLASKENV, "app.py": APP, **deploy}) == [(path, span, from_env(".flaskenv"))]


def test_the_fix_binds_the_run_to_loopback(project) -> None:
    (diagnostic,) = project({".flaskenv": FLASKENV, "app.py": APP, "Procfile": "web: flask run --host=0.0.0.0\n"}, select="FLK103")
    assert diagnostic.fix is not None and diagnostic.fix.applicability.value == "unsafe"
    assert [edit.content for edit in diagnostic.fix.edits] == ["127.0.0.1"]


def test_dotenv_wins_over_flaskenv_and_is_found_above_the_file(project) -> None:
    files = {".flaskenv": "FLASK_DEBUG=0\n", ".env": "# local\nFLASK_DEBUG=true\n", "app.py": APP,
             "web/Procfile": "web: flask run --host=0.0.0.0\n"}
    assert found(project, files) == [("web/Procfile", (1, 22, 1, 29), from_env(".env", "true"))]
    files[".env"] = "FLASK_DEBUG=0\n"
    files[".flaskenv"] = "FLASK_DEBUG=1\n"
    assert found(project, files) == []


@pytest.mark.parametrize(
    "files",
    [
        # the environment wins over the env files: python-dotenv sets only unset variables
        {"Procfile": "web: FLASK_DEBUG=0 flask run --host=0.0.0.0\n"},
        {"Dockerfile": "FROM python:3.12\nENV FLASK_DEBUG=0\nCOPY . .\nCMD flask run --host=0.0.0.0\n"},
        {"docker-compose.yml": "services:\n  web:\n    environment:\n      FLASK_DEBUG: 0\n    volumes:\n      - .:/app\n"
                               "    command: flask run --host=0.0.0.0\n"},
        # a compose file that sets FLASK_DEBUG for the image the Dockerfile builds
        {"Dockerfile": "FROM python:3.12\nCOPY . .\nCMD flask run --host=0.0.0.0\n",
         "docker-compose.yml": "services:\n  web:\n    build: .\n    environment:\n      - FLASK_DEBUG=0\n"},
        # the command line wins
        {"Procfile": "web: flask run --no-debug --host=0.0.0.0\n"},
        {"Procfile": "web: flask run --no-debugger --host=0.0.0.0\n"},
        {"Procfile": "web: flask --env-file prod.env run --host=0.0.0.0\n"},
        {"Procfile": "web: FLASK_SKIP_DOTENV=1 flask run --host=0.0.0.0\n"},
        # the env file is not in the image / the container
        {"Dockerfile": "FROM python:3.12\nCOPY app.py .\nCMD flask run --host=0.0.0.0\n"},
        {"docker-compose.yml": "services:\n  web:\n    build: .\n    command: flask run --host=0.0.0.0\n"},
        {"docker-compose.yml": "services:\n  web:\n    env_file: prod.env\n    volumes:\n      - .:/app\n"
                               "    command: flask run --host=0.0.0.0\n"},
        # not a public host; not `flask run`
        {"Procfile": "web: flask run\n"},
        {"Procfile": "web: gunicorn app:app -b 0.0.0.0:8000\n"},
        # a shell script may cd anywhere
        {"run.sh": "#!/bin/sh\nflask run --host=0.0.0.0\n"},
        # an env file elsewhere is not found
        {"other/Procfile": "web: flask run --host=0.0.0.0\n", "other2/.flaskenv": FLASKENV},
    ],
)
def test_silent_when_something_else_decides(project, files: dict[str, str]) -> None:
    base = {} if "other2/.flaskenv" in files else {".flaskenv": FLASKENV}
    assert found(project, {**base, "app.py": APP, **files}) == []


def test_an_example_env_file_is_never_loaded(project) -> None:
    files = {".env.example": "FLASK_DEBUG=1\n", "app.py": APP, "package.json": '{"scripts": {"dev": "flask run --host=0.0.0.0"}}\n'}
    assert found(project, files) == []


def test_a_dockerfile_image_holds_flaskenv_not_dotenv(project) -> None:
    files = {".env": "FLASK_DEBUG=1\n", "app.py": APP, "Dockerfile": "FROM python:3.12\nCOPY . .\nCMD flask run --host=0.0.0.0\n"}
    assert found(project, files) == []


def test_flaskenv_with_an_inline_comment_off(project) -> None:
    files = {".flaskenv": "FLASK_DEBUG=0  # on in .env only\n", "app.py": APP, "Procfile": "web: flask run --host=0.0.0.0\n"}
    assert found(project, files) == []


# -- a config class of another module -----------------------------------------------------------
CONFIG = "class Config:\n    SECRET_KEY = 'x'\n\n\nclass DevelopmentConfig(Config):\n    DEBUG = True\n"


def debug_message(text: str, ref: str) -> str:
    return f"debug mode (`{text}` in `{ref}`, loaded with `from_object`) on public host `0.0.0.0`: {WHY}"


@pytest.mark.parametrize(
    "load",
    [
        "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\n",
        "app.config.from_object('config.DevelopmentConfig')\n",
        "import config\napp.config.from_object(config.DevelopmentConfig)\n",
    ],
)
def test_debug_in_a_config_class_of_another_module(project, load: str) -> None:
    source = APP + load + "app.run(host='0.0.0.0')\n"
    row = source.count("\n")
    assert found(project, {"config.py": CONFIG, "app.py": source}) == [
        ("app.py", (row, 13, row, 22), debug_message("DEBUG = True", "config.DevelopmentConfig"))
    ]


def test_debug_inherited_from_a_base_class(project) -> None:
    config = "class Base:\n    SECRET_KEY = 'x'\n    DEBUG = True\n\n\nclass Dev(Base):\n    TESTING = False\n"
    source = APP + "from config import Dev\napp.config.from_object(Dev)\napp.run(host='0.0.0.0')\n"
    assert found(project, {"config.py": config, "app.py": source}) == [
        ("app.py", (6, 13, 6, 22), debug_message("DEBUG = True", "config.Dev"))
    ]


@pytest.mark.parametrize(
    ("config", "load"),
    [
        (CONFIG, "from config import Config\napp.config.from_object(Config)\n"),  # no DEBUG
        (CONFIG.replace("DEBUG = True", "DEBUG = False"), "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\n"),
        (CONFIG, "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\napp.config.from_envvar('SETTINGS')\n"),
        (CONFIG, "import os\napp.config.from_object(os.environ['CONFIG'])\n"),  # opaque loader
        (CONFIG, "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\napp.debug = False\n"),
        (CONFIG, "from lib import Settings\napp.config.from_object(Settings)\n"),  # not in the project
        ("from lib import Base\n\n\nclass DevelopmentConfig(Base):\n    SECRET_KEY = 'x'\n",
         "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\n"),  # base unknown
    ],
)
def test_config_class_cases_that_stay_silent(project, config: str, load: str) -> None:
    source = APP + load + "app.run(host='0.0.0.0')\n"
    assert found(project, {"config.py": config, "app.py": source}) == []


def test_a_run_with_its_own_debug_argument_or_default_host_is_not_left_to_the_config(project) -> None:
    load = "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\n"
    for run in ("app.run(host='0.0.0.0', debug=False)\n", "app.run()\n", "app.run(host='0.0.0.0', use_debugger=False)\n"):
        assert found(project, {"config.py": CONFIG, "app.py": APP + load + run}) == []


def test_flask_debug_set_by_a_deployment_file_silences_the_config_class(project) -> None:
    load = "from config import DevelopmentConfig\napp.config.from_object(DevelopmentConfig)\n"
    files = {"config.py": CONFIG, "app.py": APP + load + "app.run(host='0.0.0.0')\n",
             "Dockerfile": "FROM python:3.12\nENV FLASK_DEBUG=0\nCMD python app.py\n"}
    assert found(project, files) == []


def test_an_inline_comment_is_not_part_of_an_env_value(project) -> None:
    """python-dotenv cuts ` # ...` off an unquoted value: `FLASK_DEBUG=0 # off` is off (it read as on)."""
    assert found(project, {".flaskenv": "FLASK_DEBUG=0  # off\nFLASK_RUN_HOST=0.0.0.0\n"}) == []
    assert found(project, {".flaskenv": "FLASK_DEBUG='0 # on'\nFLASK_RUN_HOST=0.0.0.0\n"}) == [
        (".flaskenv", (2, 15, 2, 22), f"`flask run` with debug on (`FLASK_DEBUG=0 # on`) and host `0.0.0.0`: {WHY}")
    ]


def test_a_config_class_re_exported_by_a_package(project) -> None:
    files = {
        "pkg/__init__.py": "from pkg.settings import Dev\n",
        "pkg/settings.py": "class Dev:\n    SECRET_KEY = 'x'\n    DEBUG = 1\n",
        "app.py": APP + "from pkg import Dev\napp.config.from_object(Dev)\napp.run(host='0.0.0.0')\n",
    }
    assert found(project, files) == [("app.py", (6, 13, 6, 22), debug_message("DEBUG = 1", "pkg.Dev"))]
