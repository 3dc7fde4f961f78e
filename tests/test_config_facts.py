"""Secret-key writes, config loaders and session writes as collect_config_facts records them, and what
the project index concludes from them (key set / unknowable)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from conftest import write_project
from flasklint.engine import Project
from flasklint.model.facts import FileFacts
from flasklint.model.index import ProjectIndex
from flasklint.model.traversal import build_model
from flasklint.rules.flk302_missing_secret_key import MissingSecretKey, SetupPoint


def facts_of(source: str, path: str = "app.py", module: str = "app") -> FileFacts:
    text = textwrap.dedent(source)
    return build_model(path, module, False, text, cst.parse_module(text)).facts


def setup_points(source: str) -> list[SetupPoint] | None:
    text = textwrap.dedent(source)
    return MissingSecretKey().collect(build_model("app.py", "app", False, text, cst.parse_module(text)))


def keys(source: str) -> list[tuple[str, str, str | None]]:
    return [(k.how, k.value, k.literal) for k in facts_of(source).secret_keys]


def index_of(tmp_path: Path, files: dict[str, str]) -> ProjectIndex:
    write_project(tmp_path, files)
    project = Project(tmp_path, use_cache=False)
    project.discover()
    project.analyse()
    return project.index


# -- where the key is set ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("app.secret_key = 'dev'", ("attribute", "literal", "'dev'")),
        ("app.config['SECRET_KEY'] = b'k'", ("config_item", "literal", "b'k'")),
        ("app.config.update(SECRET_KEY='k', DEBUG=False)", ("update", "literal", "'k'")),
        ("app.config.update({'SECRET_KEY': 'k'})", ("update", "literal", "'k'")),
        ("app.config.update(dict(SECRET_KEY='k'))", ("update", "literal", "'k'")),
        ("app.config.from_mapping(SECRET_KEY='k')", ("from_mapping", "literal", "'k'")),
        ("app.config.from_mapping(**{'SECRET_KEY': 'k'})", ("from_mapping", "literal", "'k'")),
        ("app.config.setdefault('SECRET_KEY', 'k')", ("config_item", "literal", "'k'")),
        ("config = app.config\nconfig['SECRET_KEY'] = 'k'", ("config_item", "literal", "'k'")),
        ("SECRET_KEY = 'k'", ("module_constant", "literal", "'k'")),
        ("class Config:\n    SECRET_KEY = 'k'", ("class_attribute", "literal", "'k'")),
        ("class App(Flask):\n    secret_key = 'k'", ("attribute", "literal", "'k'")),
        ("app.secret_key = bytes.fromhex('00ff')", ("attribute", "literal", "bytes.fromhex('00ff')")),
        ("app.secret_key = 'k'.encode()", ("attribute", "literal", "'k'")),
    ],
)
def test_every_way_of_setting_the_key_is_recorded(source: str, expected: tuple[str, str, str]) -> None:
    assert keys("from flask import Flask\n\napp = Flask(__name__)\n" + source + "\n") == [expected]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("os.environ['SECRET_KEY']", "environment"),
        ("os.environ.get('SECRET_KEY')", "environment"),
        ("os.getenv('SECRET_KEY')", "environment"),
        ("os.environ.get('SECRET_KEY', None)", "environment"),
        ("os.environ.get('SECRET_KEY', '')", "environment"),
        ("os.environ['SECRET_KEY'].encode()", "environment"),
        ("environ['SECRET_KEY']", "environment"),
        ("os.environ.get('SECRET_KEY') or os.urandom(16)", "environment"),
        ("os.environ.get('SECRET_KEY') or 'dev'", "literal_fallback"),
        ("os.environ.get('SECRET_KEY', 'dev')", "literal_fallback"),
        ("os.getenv('SECRET_KEY', 'dev')", "literal_fallback"),
        ("os.getenv('SECRET_KEY', default=b'dev')", "literal_fallback"),
        ("os.environ.get('SECRET_KEY', DEFAULT_KEY)", "literal_fallback"),
        ("secrets.token_hex()", "generated"),
        ("secrets.token_urlsafe(32)", "generated"),
        ("os.urandom(24)", "generated"),
        ("uuid.uuid4().hex", "generated"),
        ("settings.key", "unknown"),
        ("load_key()", "unknown"),
        ("None", "unknown"),
    ],
)
def test_values_are_classified_by_where_they_come_from(value: str, kind: str) -> None:
    source = f"import os, secrets, uuid\nfrom os import environ\nfrom flask import Flask\n\nDEFAULT_KEY = 'x'\n"
    source += f"app = Flask(__name__)\napp.secret_key = {value}\n"
    assert [k.value for k in facts_of(source).secret_keys] == [kind]


def test_literal_fallback_records_the_variable_and_spans_the_whole_expression() -> None:
    facts = facts_of("import os\n\nclass Config:\n    SECRET_KEY = os.environ.get('APP_KEY') or 'dev'\n")
    (key,) = facts.secret_keys
    assert (key.how, key.value, key.literal, key.env_name) == ("class_attribute", "literal_fallback", "'dev'", "APP_KEY")
    assert key.owner == "app.Config"
    assert key.span == (4, 17, 4, 51)


def test_a_constant_reached_through_a_variable_is_a_literal_at_its_definition() -> None:
    facts = facts_of("from flask import Flask\n\nKEY = 'dev'\napp = Flask(__name__)\napp.secret_key = KEY\n")
    (key,) = facts.secret_keys
    assert (key.how, key.value, key.literal, key.span) == ("attribute", "literal", "'dev'", (3, 6, 3, 11))


def test_a_local_variable_in_a_factory_is_followed() -> None:
    source = """\
        from flask import Flask

        def create_app():
            app = Flask(__name__)
            key = "dev"
            app.config["SECRET_KEY"] = key
            return app
    """
    assert keys(source) == [("config_item", "literal", '"dev"')]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("os.environ.setdefault('SECRET_KEY', 'dev')", ("environ_default", "'dev'", "SECRET_KEY", (5, 36, 5, 41))),
        ("environ.setdefault('FLASK_SECRET_KEY', b'k')", ("environ_default", "b'k'", "FLASK_SECRET_KEY", (5, 39, 5, 43))),
        ("os.environ.setdefault(key='SECRET_KEY', default=KEY)", ("environ_default", "'x'", "SECRET_KEY", (4, 6, 4, 9))),
    ],
)
def test_an_environment_default_for_the_key_is_a_literal_fallback(source: str, expected: tuple) -> None:
    (key,) = facts_of("import os\nfrom os import environ\n\nKEY = 'x'\n" + source + "\n").secret_keys
    assert (key.how, key.literal, key.env_name, key.span) == expected
    assert (key.value, key.owner) == ("literal_fallback", None)


@pytest.mark.parametrize(
    "source",
    [
        "os.environ.setdefault('FLASK_APP', 'app.py')",
        "os.environ.setdefault('JWT_SECRET_KEY', 'dev')",
        "os.environ.setdefault('SECRET_KEY', '')",
        "os.environ.setdefault('SECRET_KEY', secrets.token_hex())",
        "os.environ.setdefault(NAME, 'dev')",
        "settings.setdefault('SECRET_KEY', 'dev')",
    ],
)
def test_other_environment_defaults_are_not_keys(source: str) -> None:
    assert keys("import os, secrets\n\n" + source + "\n") == []


def test_an_environment_default_used_as_the_key_is_recorded_once() -> None:
    source = "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
    source += "app.secret_key = os.environ.setdefault('SECRET_KEY', 'dev')\n"
    assert keys(source) == [("attribute", "literal_fallback", "'dev'")]


@pytest.mark.parametrize(
    ("body", "env_name", "span"),
    [
        ("secret_key: str = 'changeme'", "SECRET_KEY", (5, 22, 5, 32)),
        ("SECRET_KEY: str = 'changeme'", "SECRET_KEY", (5, 22, 5, 32)),
        ("secret_key = 'changeme'", "SECRET_KEY", (5, 17, 5, 27)),
        ("secret_key: str = Field('changeme')", "SECRET_KEY", (5, 28, 5, 38)),
        ("secret_key: str = Field(default='changeme', description='key')", "SECRET_KEY", (5, 36, 5, 46)),
        ("secret_key: str = Field('changeme', alias='APP_KEY')", None, (5, 28, 5, 38)),
        ("model_config = SettingsConfigDict(env_prefix='APP_')\n    secret_key: str = 'changeme'", None, (6, 22, 6, 32)),
        ("class Config:\n        env_prefix = 'APP_'\n\n    secret_key: str = 'changeme'", None, (8, 22, 8, 32)),
    ],
)
def test_a_pydantic_settings_default_is_a_literal_fallback(body: str, env_name: str | None, span: tuple) -> None:
    source = "from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
    source += "class Settings(BaseSettings):\n    " + body + "\n"
    (key,) = facts_of(source).secret_keys
    assert (key.how, key.value, key.literal, key.env_name, key.span) == (
        "settings_field", "literal_fallback", "'changeme'", env_name, span
    )
    assert key.owner == "app.Settings"


@pytest.mark.parametrize(
    "source",
    [
        "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    secret_key: str\n",
        "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    secret_key: str = ''\n",
        "from pydantic import BaseSettings\n\nclass Settings(BaseSettings):\n    secret_key: str = os.environ['K']\n",
        "from pydantic import BaseModel\n\nclass Login(BaseModel):\n    secret_key: str = 'a form field'\n",
        "from pydantic import BaseSettings, Field\n\nclass Settings(BaseSettings):\n    secret_key: str = Field(...)\n",
        "from pydantic_settings import BaseSettings\n\nclass Settings(BaseSettings):\n    jwt_secret_key: str = 'j'\n",
    ],
)
def test_other_settings_fields_are_not_fallback_keys(source: str) -> None:
    assert keys(source) == []


@pytest.mark.parametrize(
    "source",
    [
        "SECRET_KEY_FILE = '/run/secrets/key'",
        "JWT_SECRET_KEY = 'jwt'",
        "app.config['JWT_SECRET_KEY'] = 'jwt'",
        "app.config.update(secret_key='ignored by Flask')",
        "app.config.from_mapping(secret_key='ignored by Flask')",
        "client.secret_key = 'not flask'",  # no flask import below: only app-like names count
        "def f():\n    SECRET_KEY = 'a local variable'",
        "cache.update(SECRET_KEY='not a Flask config')",
    ],
)
def test_look_alikes_are_not_the_session_key(source: str) -> None:
    assert keys("app = make()\n" + source + "\n") == []


# -- loaders -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "target", "opaque"),
    [
        ("app.config.from_object(Config)", "app.Config", False),
        ("app.config.from_object(settings.ProductionConfig)", "myapp.settings.ProductionConfig", False),
        ("app.config.from_object('myapp.settings.Prod')", "myapp.settings.Prod", False),
        ("app.config.from_object(__name__)", "app", False),
        ("app.config.from_object(CHOSEN)", "app.Config", False),
        ("app.config.from_object(config[name])", None, True),
        ("app.config.from_object(os.environ['APP_SETTINGS'])", None, True),
        ("app.config.from_object(get_config())", None, True),
        ("app.config.from_object(f'myapp.{name}')", None, True),
        ("app.config.from_object(COMPUTED)", None, True),
    ],
)
def test_from_object_targets_resolve_or_are_opaque(call: str, target: str | None, opaque: bool) -> None:
    source = "import os\nfrom myapp import settings\nfrom flask import Flask\n\n"
    source += "class Config:\n    pass\n\nCHOSEN = Config\nCOMPUTED = pick()\napp = Flask(__name__)\n" + call + "\n"
    loads = facts_of(source).config_loads
    assert [(load.method, load.target, load.opaque) for load in loads] == [("from_object", target, opaque)]


def test_from_object_of_a_factory_parameter_is_opaque() -> None:
    source = """\
        from flask import Flask

        def create_app(config_class):
            app = Flask(__name__)
            app.config.from_object(config_class)
            return app
    """
    assert [(load.target, load.opaque) for load in facts_of(source).config_loads] == [(None, True)]


@pytest.mark.parametrize(
    ("signature", "body", "target"),
    [
        ("config_class=Config", "", "config.Config"),  # microblog's layout
        ("config_class=LocalConfig", "", "app.LocalConfig"),
        ("*, config_class=settings.Production", "", "myapp.settings.Production"),
        ("config_class='myapp.settings'", "", "myapp.settings"),
        ("config_class=None", "", None),
        ("config_class=Config", "    config_class = config_class or Config\n", None),
        ("config_class=pick()", "", None),
    ],
)
def test_from_object_of_a_factory_parameter_resolves_to_its_default(signature: str, body: str, target: str | None):
    source = "from flask import Flask\nfrom config import Config\nfrom myapp import settings\n\n"
    source += "class LocalConfig:\n    DEBUG = False\n\n"
    source += f"def create_app({signature}):\n{body}    app = Flask(__name__)\n"
    source += "    app.config.from_object(config_class)\n    return app\n"
    loads = facts_of(source).config_loads
    assert [(load.method, load.target, load.opaque) for load in loads] == [("from_object", target, target is None)]


@pytest.mark.parametrize(
    ("call", "method"),
    [
        ("app.config.from_pyfile('settings.cfg', silent=True)", "from_pyfile"),
        ("app.config.from_envvar('APP_SETTINGS')", "from_envvar"),
        ("app.config.from_file('config.json', load=json.load)", "from_file"),
        ("app.config.from_prefixed_env()", "from_prefixed_env"),
        ("app.config.update(**settings)", "update"),
        ("app.config.update(settings)", "update"),
        ("app.config.from_mapping(test_config)", "from_mapping"),
        ("app.config.update({**defaults, 'DEBUG': False})", "update"),
    ],
)
def test_loaders_we_cannot_see_into_are_opaque(call: str, method: str) -> None:
    loads = facts_of("from flask import Flask\n\napp = Flask(__name__)\n" + call + "\n").config_loads
    assert [(load.method, load.opaque) for load in loads] == [(method, True)]


def test_config_extensions_are_opaque_loaders() -> None:
    facts = facts_of("from dynaconf import FlaskDynaconf\nfrom flask import Flask\n\napp = Flask(__name__)\nFlaskDynaconf(app)\n")
    assert [(load.method, load.opaque) for load in facts.config_loads] == [("extension", True)]


def test_a_literal_mapping_is_not_a_loader() -> None:
    facts = facts_of("from flask import Flask\n\nCFG = {'DEBUG': True}\napp = Flask(__name__)\napp.config.update(CFG)\n")
    assert facts.config_loads == [] and facts.secret_keys == []


# -- session writes ------------------------------------------------------------------------------
def test_session_writes() -> None:
    source = """\
        import flask
        from flask import Flask, flash, session as s
        from flask_login import login_user

        app = Flask(__name__)

        def view():
            s["user"] = 1
            s["visits"] += 1
            s.pop("user", None)
            s.clear()
            s.permanent = True
            flask.session.update(a=1)
            flash("hi")
            login_user(user)
            s.get("user")
            s.modified = True
            other["x"] = 1
            other.pop("x")
    """
    facts = facts_of(source)
    assert [(w.kind, w.span[0]) for w in facts.session_writes] == [
        ("session_item", 8),
        ("session_item", 9),
        ("session_item", 12),
        ("session_method", 10),
        ("session_method", 11),
        ("session_method", 13),
        ("flash", 14),
        ("login_user", 15),
    ]
    assert facts.session_writes[0].span == (8, 4, 8, 13)  # `s["user"]`


def test_a_local_named_session_is_not_flasks() -> None:
    source = "from flask import flash\n\ndef f(session):\n    session['x'] = 1\n    session.pop('x')\n"
    assert facts_of(source).session_writes == []


def test_flask_session_extension_marks_a_custom_session_interface() -> None:
    facts = facts_of("from flask import Flask\nfrom flask_session import Session\n\napp = Flask(__name__)\nSession(app)\n")
    assert facts.custom_session_interface


# -- FLK302's fix anchors (its collect step) ----------------------------------------------------------------------
def test_setup_point_after_the_app_statement() -> None:
    source = """\
        from flask import Flask, session

        def create_app():
            app = Flask(
                __name__,
            )  # the app
            return app

        session["x"] = 1
    """
    assert setup_points(source) == [{"app": "app.create_app.<locals>.app", "line": 7, "indent": "    ", "import_line": 2}]


def test_no_setup_point_when_the_statement_shares_its_line() -> None:
    source = "import os\nfrom flask import Flask, session\n\napp = Flask(__name__); x = 1\nsession['x'] = 1\n"
    assert len(facts_of(source).apps) == 1 and setup_points(source) is None


def test_no_setup_point_without_session_writes_in_the_file() -> None:
    source = "from flask import Flask\n\napp = Flask(__name__)\n"
    assert len(facts_of(source).apps) == 1 and setup_points(source) is None


# -- the index -----------------------------------------------------------------------------------
APP = "from flask import Flask\n\napp = Flask(__name__)\n"


@pytest.mark.parametrize(
    ("files", "is_set", "unknowable"),
    [
        ({"app.py": APP}, False, False),
        ({"app.py": APP + "app.secret_key = 'x'\n"}, True, False),
        ({"app.py": APP + "app.config.from_pyfile('x.cfg')\n"}, False, True),
        ({"app.py": APP + "app.config.from_object(load())\n"}, False, True),
        ({"app.py": APP + "app.config.from_object('flask_settings')\n"}, False, True),
        (
            {"app.py": APP + "from config import Config\napp.config.from_object(Config)\n", "config.py": "class Config:\n    SECRET_KEY = 'k'\n"},
            True,
            False,
        ),
        ({"app.py": APP + "app.config.from_object('config')\n", "config.py": "DEBUG = False\n"}, False, False),
        # A key or loader only in the test suite does not configure production.
        ({"app.py": APP, "tests/conftest.py": "from app import app\n\napp.config['SECRET_KEY'] = 'test'\n"}, False, False),
        ({"app.py": APP, "tests/conftest.py": "from app import app\n\napp.config.from_pyfile('t.cfg')\n"}, False, False),
    ],
)
def test_index_knows_whether_a_key_is_set(tmp_path: Path, files: dict[str, str], is_set: bool, unknowable: bool) -> None:
    index = index_of(tmp_path, files)
    assert (index.secret_key_set, index.secret_key_unknowable) == (is_set, unknowable)


MICROBLOG_FACTORY = """\
from flask import Flask
from config import Config


def create_app(config_class=Config):
    app = Flask(__name__)
    app.config.from_object(config_class)
    from app.main import bp
    app.register_blueprint(bp)
    return app
"""
MICROBLOG_VIEW = """\
from flask import Blueprint, flash

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    flash("hello")
    return "ok"
"""


@pytest.mark.parametrize(
    ("config", "is_set"),
    [
        ("import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY')\n", True),
        ("class Config:\n    DEBUG = False\n", False),
    ],
)
def test_a_factory_default_config_class_is_what_the_index_reads(tmp_path: Path, config: str, is_set: bool) -> None:
    files = {"app/__init__.py": MICROBLOG_FACTORY, "app/main.py": MICROBLOG_VIEW, "config.py": config}
    index = index_of(tmp_path, files)
    assert (index.secret_key_set, index.secret_key_unknowable) == (is_set, False)


def test_flk302_reports_a_session_write_when_the_default_config_class_sets_no_key(project) -> None:
    config = "class Config:\n    DEBUG = False\n"
    files = {"app/__init__.py": MICROBLOG_FACTORY, "app/main.py": MICROBLOG_VIEW, "config.py": config}
    found = project(files, select="FLK302")
    assert [(d.path, d.start.row, d.start.column, d.end.column) for d in found] == [("app/main.py", 8, 4, 18)]


def test_a_loader_in_a_module_that_never_mentions_flask_is_still_seen(tmp_path: Path) -> None:
    files = {"app.py": APP + "from settings import configure\nconfigure(app)\n", "settings.py": "def configure(app):\n    app.config.from_envvar('X')\n"}
    assert index_of(tmp_path, files).secret_key_unknowable
