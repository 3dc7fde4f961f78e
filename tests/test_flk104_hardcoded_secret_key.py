"""FLK104 hardcoded-secret-key: positives, false-positive traps, exact positions and fixes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from rule_testing import fixed

QUICKSTART = '''\
from flask import Flask, session

app = Flask(__name__)

# Set the secret key to some random bytes. Keep this really secret!
app.secret_key = b'_5#y2L"F4Q8z\\n\\xec]/'
'''


def test_quickstart_key_is_reported_as_the_documented_one(project) -> None:
    (diagnostic,) = project(QUICKSTART, select="FLK104")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (6, 17, 40)
    assert "the example key from Flask's documentation" in diagnostic.message
    assert diagnostic.message.startswith("secret key hardcoded as `b'_5#y2L")
    assert diagnostic.severity.value == "error"


@pytest.mark.parametrize(
    ("source", "row", "column"),
    [
        ("app.config['SECRET_KEY'] = 'dev'\n", 4, 27),
        ("app.config.update(TESTING=False, SECRET_KEY='s3cr3t-value')\n", 4, 44),
        ("app.config.from_mapping(SECRET_KEY=b'abc', DATABASE='x.db')\n", 4, 35),
        ("app.config.update({'SECRET_KEY': 'literal'})\n", 4, 33),
        ("KEY = 'dev'\napp.secret_key = KEY\n", 4, 6),
    ],
)
def test_literal_keys_wherever_set(project, source: str, row: int, column: int) -> None:
    found = project("from flask import Flask\n\napp = Flask(__name__)\n" + source, select="FLK104")
    assert [(d.start.row, d.start.column) for d in found] == [(row, column)]


def test_factory_tutorial_key_is_reported(project) -> None:
    source = """\
        import os

        from flask import Flask


        def create_app(test_config=None):
            app = Flask(__name__, instance_relative_config=True)
            app.config.from_mapping(
                SECRET_KEY="dev",
                DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
            )
            if test_config is None:
                app.config.from_pyfile("config.py", silent=True)
            else:
                app.config.from_mapping(test_config)
            return app
    """
    (diagnostic,) = project(source, select="FLK104")
    assert (diagnostic.start.row, diagnostic.start.column) == (9, 19)
    assert "`\"dev\"` (the example key from Flask's documentation)" in diagnostic.message


def test_literal_fallback_names_the_variable(project) -> None:
    source = "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'\n"
    (diagnostic,) = project({"config.py": source}, select="FLK104")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (5, 17, 71)
    assert diagnostic.message.startswith(
        "secret key falls back to the literal `'you-will-never-guess'` when `SECRET_KEY` is unset"
    )


def test_a_settings_module_constant_is_reported(project) -> None:
    (diagnostic,) = project({"settings.py": "SECRET_KEY = 'changeme'\n"}, select="FLK104")
    assert (diagnostic.path, diagnostic.start.row, diagnostic.start.column) == ("settings.py", 1, 13)
    assert "(a well-known placeholder)" in diagnostic.message


def test_one_literal_used_twice_is_reported_once(project) -> None:
    source = "from flask import Flask\n\nSECRET_KEY = 'dev'\napp = Flask(__name__)\napp.secret_key = SECRET_KEY\n"
    assert len(project(source, select="FLK104")) == 1


@pytest.mark.parametrize(
    "files",
    [
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.environ['SECRET_KEY']\n",
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.getenv('SECRET_KEY')\n",
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.urandom(24)\n",
        "import secrets\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = secrets.token_hex()\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.config.from_prefixed_env()\n",
        "SECRET_KEY_FILE = '/run/secrets/flask'\nJWT_SECRET_KEY = 'x'\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.config.from_mapping(secret_key='dev')\n",
        "class TestingConfig:\n    SECRET_KEY = 'test'\n",
        "class CIConfig:\n    TESTING = True\n    SECRET_KEY = 'test'\n",
        {"tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef app(app):\n    app.config['SECRET_KEY'] = 'test'\n"},
        {"test_app.py": "from app import app\n\napp.secret_key = 'test'\n"},
        "from flask import Flask\n\ndef configure(app, key):\n    app.secret_key = key\n",
    ],
)
def test_false_positive_traps(project, files: str | dict[str, str]) -> None:
    assert project(files, select="FLK104") == []


# -- fixes -----------------------------------------------------------------------------------
def test_fix_reads_the_key_from_the_environment_and_imports_os(tmp_path: Path) -> None:
    assert fixed(tmp_path, {"app.py": QUICKSTART}, "FLK104") == textwrap.dedent(
        """\
        from flask import Flask, session
        import os

        app = Flask(__name__)

        # Set the secret key to some random bytes. Keep this really secret!
        app.secret_key = os.environ["SECRET_KEY"]
        """
    )


def test_fix_replaces_the_whole_fallback_and_keeps_the_variable_name(tmp_path: Path) -> None:
    source = "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('APP_SECRET', 'dev')\n    DEBUG = False\n"
    expected = 'import os\n\n\nclass Config:\n    SECRET_KEY = os.environ["APP_SECRET"]\n    DEBUG = False\n'
    assert fixed(tmp_path, {"config.py": source}, "FLK104", "config.py") == expected


def test_fix_of_an_or_fallback(tmp_path: Path) -> None:
    source = "import os\n\nSECRET_KEY = os.getenv('SECRET_KEY') or 'dev'\n"
    assert fixed(tmp_path, {"settings.py": source}, "FLK104", "settings.py") == 'import os\n\nSECRET_KEY = os.environ["SECRET_KEY"]\n'


def test_fix_at_a_constant_used_through_a_variable(tmp_path: Path) -> None:
    source = '"""App."""\n\nfrom flask import Flask\n\nKEY = "dev"\napp = Flask(__name__)\napp.config["SECRET_KEY"] = KEY\n'
    expected = (
        '"""App."""\n\nfrom flask import Flask\nimport os\n\nKEY = os.environ["SECRET_KEY"]\napp = Flask(__name__)\n'
        'app.config["SECRET_KEY"] = KEY\n'
    )
    assert fixed(tmp_path, {"app.py": source}, "FLK104") == expected


def test_fallback_with_a_computed_variable_name_has_no_fix(project) -> None:
    (diagnostic,) = project("import os\n\nSECRET_KEY = os.environ.get(NAME) or 'dev'\n", select="FLK104")
    assert diagnostic.fix is None
    assert "when the environment variable is unset" in diagnostic.message


def test_a_constant_holding_the_settings_name_is_not_a_key(project) -> None:
    found = project('SECRET_KEY = "SECRET_KEY"\n\ndef read(config):\n    return config[SECRET_KEY]\n', select="FLK104")
    assert found == []


def test_an_environment_default_is_a_fallback_key_without_a_fix(project) -> None:
    source = "import os\n\nfrom myapp import create_app\n\nos.environ.setdefault('SECRET_KEY', 'dev')\napp = create_app()\n"
    (diagnostic,) = project({"wsgi.py": source}, select="FLK104")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (5, 36, 41)
    assert diagnostic.message.startswith("secret key falls back to the literal `'dev'`")
    assert "when `SECRET_KEY` is unset" in diagnostic.message
    assert diagnostic.fix is None


def test_a_pydantic_settings_default_with_a_prefix_leaves_the_variable_unnamed(project) -> None:
    source = (
        "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\nclass Settings(BaseSettings):\n"
        "    model_config = SettingsConfigDict(env_prefix='APP_')\n    secret_key: str = 'changeme'\n"
    )
    (diagnostic,) = project({"settings.py": source}, select="FLK104")
    assert (diagnostic.start.row, diagnostic.start.column, diagnostic.end.column) == (6, 22, 32)
    assert "(a well-known placeholder) when the environment variable is unset" in diagnostic.message
    assert diagnostic.fix is None


def test_a_settings_class_for_tests_is_skipped(project) -> None:
    source = (
        "from pydantic_settings import BaseSettings\n\n\nclass CISettings(BaseSettings):\n"
        "    TESTING: bool = True\n    secret_key: str = 'test'\n"
    )
    assert project({"settings.py": source}, select="FLK104") == []
