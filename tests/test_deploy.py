"""model/deploy.py's cross-file half: which public `flask run`s leave debug to `.flaskenv`/`.env`, and
env files read as python-dotenv reads them (exact values)."""

from __future__ import annotations

import pytest

from flasklint.model.deploy import DotenvValue, UndecidedServer, dotenv_values, sets_flask_debug, undecided_servers

BOTH = (".flaskenv", ".env")


def test_dotenv_values_as_python_dotenv_reads_them() -> None:
    text = "# comment\nexport FLASK_DEBUG=1\nFLASK_RUN_HOST='0.0.0.0'\nA=2  # two\nB=\"3 # three\"\nA=4\n"
    assert dotenv_values(text) == {
        "FLASK_DEBUG": DotenvValue("1", 2),
        "FLASK_RUN_HOST": DotenvValue("0.0.0.0", 3),
        "A": DotenvValue("4", 6),
        "B": DotenvValue("3 # three", 5),
    }


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("Procfile", "web: flask run --host=0.0.0.0\n", [UndecidedServer("0.0.0.0", (1, 22, 1, 29), True, BOTH, True)]),
        ("Procfile", "web: FLASK_RUN_HOST=:: flask run\n", [UndecidedServer("::", (1, 20, 1, 22), True, BOTH, True)]),
        (
            "package.json",
            '{"scripts": {"dev": "flask --app app run -h 0.0.0.0"}}',
            [UndecidedServer("0.0.0.0", (1, 44, 1, 51), True, BOTH, True)],
        ),
        (
            "Dockerfile",
            "FROM python:3.12\nCMD [\"flask\", \"run\", \"--host=0.0.0.0\"]\nCOPY --chown=app ./ /app\n",
            [UndecidedServer("0.0.0.0", (2, 29, 2, 36), True, (".flaskenv",), False)],
        ),
        (
            "compose.yaml",
            "services:\n  web:\n    volumes:\n      - \"./:/srv\"\n    command: [\"flask\", \"run\", \"--host=0.0.0.0\"]\n",
            [UndecidedServer("0.0.0.0", (5, 38, 5, 45), True, BOTH, False)],
        ),
        # decided in the file, or no env file reachable
        ("Procfile", "web: flask run --debug --host=0.0.0.0\n", []),
        ("Procfile", "web: FLASK_DEBUG=$DEBUG flask run --host=0.0.0.0\n", []),
        ("Procfile", "web: flask run --host=127.0.0.1\n", []),
        ("Dockerfile", "FROM a\nCOPY . .\nFROM b\nCMD flask run --host=0.0.0.0\n", []),  # another stage copied it
        ("run.sh", "flask run --host=0.0.0.0\n", []),
        (".flaskenv", "FLASK_RUN_HOST=0.0.0.0\n", []),
    ],
)
def test_undecided_servers(path: str, text: str, expected: list[UndecidedServer]) -> None:
    assert undecided_servers(path, text) == expected


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("Dockerfile", "FROM a\nENV FLASK_DEBUG=0\n", True),
        ("Dockerfile", "FROM a\nENV FLASK_DEBUG 0\n", True),
        ("docker-compose.yml", "services:\n  web:\n    environment:\n      - FLASK_DEBUG=0\n", True),
        ("docker-compose.yml", "services:\n  web:\n    env_file: .env.prod\n", True),
        ("docker-compose.yml", "services:\n  web:\n    image: app\n", False),
        ("Procfile", "web: gunicorn app:app\n", False),
    ],
)
def test_sets_flask_debug(path: str, text: str, expected: bool) -> None:
    assert sets_flask_debug(path, text) is expected
