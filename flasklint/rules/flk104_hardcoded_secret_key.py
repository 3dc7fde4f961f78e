from __future__ import annotations

import ast
import json
from typing import Iterable

import libcst as cst

from flasklint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from flasklint.edits import add_import_edit
from flasklint.model.facts import SecretKeySet
from flasklint.model.module import ModuleModel
from flasklint.rule import Case, FileRule, Finding

# Keys printed in Flask's documentation and examples over the years (quickstart, tutorial, config
# docs, the sample output of `secrets.token_hex()`): public knowledge, so anyone can forge with them.
FLASK_DOCS_KEYS: frozenset[bytes] = frozenset(
    {
        b'_5#y2L"F4Q8z\n\xec]/',
        b"A0Zr98j/3yX R~XHH!jmN]LWX/,?RT",
        b"development key",
        b"dev",
        b"192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
        b"5f352379324c22463451387a0aec5d2f",
        b"some_secret",
        b'?\xbf,\xb4\x8d\xa3"<\x9c\xb0@\x0f5\xab,w\xee\x8d$0\x13\x8b83',
    }
)
PLACEHOLDER_KEYS: frozenset[bytes] = frozenset(
    {b"", b"secret", b"changeme", b"change-me", b"secret_key", b"secret-key", b"super secret key", b"mysecret"}
)
MAX_SHOWN = 40


class HardcodedSecretKey(FileRule):
    """
    ## What it does
    Reports a secret key written as a literal str or bytes value wherever Flask reads it:
    `app.secret_key = ...`, `app.config["SECRET_KEY"] = ...`, `config.update(SECRET_KEY=...)`,
    `from_mapping(...)`, a `SECRET_KEY = ...` in a config class or settings module, and a literal
    reached through a variable. A literal fallback counts too: `os.environ.get("SECRET_KEY") or
    "dev"`, `os.environ.setdefault("SECRET_KEY", "dev")`, and the default of a `secret_key` field
    of a pydantic `BaseSettings` class (`secret_key: str = "changeme"`). Keys read from the
    environment or generated at start-up are fine, and names that only look alike
    (`SECRET_KEY_FILE`, `JWT_SECRET_KEY`) are not the session key. Test files are skipped, as are
    config and settings classes meant for tests (named `...Test...` or setting `TESTING = True`).

    ## Why is this bad?
    Flask signs the session cookie with this key. Anyone who knows it (everyone who can read the
    repository, or the Flask docs the key was copied from) can forge a session: log in as any
    user, set `is_admin`, replay flashed messages. A fallback literal is as bad: the day the
    variable is missing in production, the app silently signs with a public key.

    ## Example
    ```python
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = b'_5#y2L"F4Q8z\\n\\xec]/'
    ```

    ## Use instead
    ```python
    import os

    from flask import Flask

    app = Flask(__name__)
    app.secret_key = os.environ["SECRET_KEY"]
    ```

    Generate a key with `python -c 'import secrets; print(secrets.token_hex())'` and provide it
    through the environment (or `app.config.from_prefixed_env()` and `FLASK_SECRET_KEY`).

    ## Fix safety
    The fix replaces the literal (or the whole fallback expression) with
    `os.environ["SECRET_KEY"]` (the variable the code already reads, if any) and adds `import os`.
    It is unsafe: the app now fails to start where the variable is not set, and existing sessions
    signed with the old key are invalidated. There is no fix for `os.environ.setdefault(...)` or a
    pydantic field's default: the variable may come from elsewhere (pydantic reads `.env` files),
    so drop the default by hand.
    """

    code = "FLK104"
    name = "hardcoded-secret-key"
    summary = "Secret key hardcoded as a literal (or a literal fallback)"
    severity = Severity.ERROR
    fix_availability = "unsafe"
    invalid = [
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = b'_5#y2L\"F4Q8z\\n\\xec]/'\n",
            Finding(
                (4, 17, 4, 40),
                "secret key hardcoded as `b'_5#y2L\"F4Q8z\\n\\xec]/'` (the example key from Flask's "
                "documentation): anyone who can read it can forge session cookies; read it from the "
                "environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\nimport os\n\napp = Flask(__name__)\n"
                "app.secret_key = os.environ[\"SECRET_KEY\"]\n",
            },
        ),
        Case(
            "from flask import Flask\n\napp = Flask(__name__)\napp.config['SECRET_KEY'] = 'dev'\n",
            Finding(
                (4, 27, 4, 32),
                "secret key hardcoded as `'dev'` (the example key from Flask's documentation): anyone who "
                "can read it can forge session cookies; read it from the environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\nimport os\n\napp = Flask(__name__)\n"
                "app.config['SECRET_KEY'] = os.environ[\"SECRET_KEY\"]\n",
            },
        ),
        Case(
            "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
            "app.config.from_mapping(SECRET_KEY=os.environ.get('SECRET_KEY', 'dev'))\n",
            Finding(
                (5, 35, 5, 70),
                "secret key falls back to the literal `'dev'` (the example key from Flask's documentation) "
                "when `SECRET_KEY` is unset: a deployment missing the variable signs sessions with a key "
                "anyone can read; require the variable",
                fix="unsafe",
            ),
            fixed={
                "app.py": "import os\nfrom flask import Flask\n\napp = Flask(__name__)\n"
                "app.config.from_mapping(SECRET_KEY=os.environ[\"SECRET_KEY\"])\n",
            },
        ),
        Case(
            "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY') or 'you-will-never-guess'\n",
            Finding(
                (5, 17, 5, 71),
                "secret key falls back to the literal `'you-will-never-guess'` when `SECRET_KEY` is unset: "
                "a deployment missing the variable signs sessions with a key anyone can read; require the "
                "variable",
                fix="unsafe",
            ),
            fixed={
                "app.py": "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ[\"SECRET_KEY\"]\n",
            },
        ),
        Case(
            "from flask import Flask\n\nKEY = 'hunter2hunter2'\napp = Flask(__name__)\napp.config.update({'SECRET_KEY': KEY})\n",
            Finding(
                (3, 6, 3, 22),
                "secret key hardcoded as `'hunter2hunter2'`: anyone who can read it can forge session "
                "cookies; read it from the environment",
                fix="unsafe",
            ),
            fixed={
                "app.py": "from flask import Flask\nimport os\n\nKEY = os.environ[\"SECRET_KEY\"]\n"
                "app = Flask(__name__)\napp.config.update({'SECRET_KEY': KEY})\n",
            },
        ),
        Case(
            {"settings.py": "SECRET_KEY = 'not-so-secret'\n"},
            Finding(
                (1, 13, 1, 28),
                "secret key hardcoded as `'not-so-secret'`: anyone who can read it can forge session "
                "cookies; read it from the environment",
                path="settings.py",
                fix="unsafe",
            ),
            fixed={"settings.py": "import os\nSECRET_KEY = os.environ[\"SECRET_KEY\"]\n"},
        ),
        Case(
            {
                "wsgi.py": "import os\n\nfrom myapp import create_app\n\n"
                "os.environ.setdefault(\"SECRET_KEY\", \"dev\")\napp = create_app()\n",
            },
            Finding(
                (5, 36, 5, 41),
                "secret key falls back to the literal `\"dev\"` (the example key from Flask's documentation) "
                "when `SECRET_KEY` is unset: a deployment missing the variable signs sessions with a key "
                "anyone can read; require the variable",
                path="wsgi.py",
            ),
        ),
        Case(
            {
                "settings.py": "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
                "    secret_key: str = \"changeme\"\n    database_url: str = \"sqlite:///app.db\"\n",
            },
            Finding(
                (5, 22, 5, 32),
                "secret key falls back to the literal `\"changeme\"` (a well-known placeholder) when `SECRET_KEY` "
                "is unset: a deployment missing the variable signs sessions with a key anyone can read; "
                "require the variable",
                path="settings.py",
            ),
        ),
    ]
    valid = [
        "import os\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = os.environ['SECRET_KEY']\n",
        "import secrets\nfrom flask import Flask\n\napp = Flask(__name__)\napp.secret_key = secrets.token_hex()\n",
        "import os\n\n\nclass Config:\n    SECRET_KEY = os.environ.get('SECRET_KEY')\n"
        "    SECRET_KEY_FILE = '/run/secrets/key'\n    JWT_SECRET_KEY = os.environ['JWT_KEY']\n",
        "from flask import Flask\n\napp = Flask(__name__)\napp.config.update(secret_key='ignored-by-flask')\n",
        "class TestingConfig:\n    TESTING = True\n    SECRET_KEY = 'test'\n",
        {"tests/conftest.py": "from app import app\n\napp.config['SECRET_KEY'] = 'test'\n"},
        {"tests/conftest.py": "import os\n\nos.environ.setdefault('SECRET_KEY', 'test')\n"},
        "import os\n\nos.environ.setdefault('SECRET_KEY', os.urandom(24).hex())\n"
        "os.environ.setdefault('FLASK_APP', 'app.py')\n",
        "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n    secret_key: str\n",
        "from pydantic import BaseModel\n\n\nclass Login(BaseModel):\n    secret_key: str = 'not a setting'\n",
        "from pydantic_settings import BaseSettings\n\n\nclass TestSettings(BaseSettings):\n"
        "    secret_key: str = 'test'\n",
        '''
import os

from flask import Flask

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
''',
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        facts = model.facts
        if facts.is_test:
            return
        reported: set[tuple[int, int, int, int]] = set()
        for key in facts.secret_keys:
            if key.value not in ("literal", "literal_fallback") or key.span in reported:
                continue
            if key.how in ("class_attribute", "settings_field") and _is_testing_class(model, key.owner):
                continue
            reported.add(key.span)
            yield self.diagnostic(
                facts.path, key.span, _message(key), fix=_fix(model, key), how=key.how, literal=key.literal
            )


def _message(key: SecretKeySet) -> str:
    shown = key.literal or "?"
    if len(shown) > MAX_SHOWN:
        shown = shown[: MAX_SHOWN - 1] + "…"
    note = _known_key_note(key.literal)
    if key.value == "literal_fallback":
        variable = f"`{key.env_name}`" if key.env_name else "the environment variable"
        return (
            f"secret key falls back to the literal `{shown}`{note} when {variable} is unset: a deployment "
            "missing the variable signs sessions with a key anyone can read; require the variable"
        )
    return (
        f"secret key hardcoded as `{shown}`{note}: anyone who can read it can forge session cookies; "
        "read it from the environment"
    )


def _known_key_note(literal: str | None) -> str:
    value = _evaluate(literal)
    if value in FLASK_DOCS_KEYS:
        return " (the example key from Flask's documentation)"
    if value is not None and value.lower() in PLACEHOLDER_KEYS:
        return " (a well-known placeholder)"
    return ""


def _evaluate(literal: str | None) -> bytes | None:
    """The literal's value as bytes (str keys as Flask would encode them), or None."""
    if literal is None:
        return None
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            return value.encode("utf-8")
    return None


def _fix(model: ModuleModel, key: SecretKeySet) -> Fix | None:
    if key.value == "literal_fallback" and key.env_name is None:
        return None  # the variable's name is computed: we cannot say which one to require
    if key.how in ("environ_default", "settings_field"):
        return None  # `os.environ[...]` there would not require the variable where it is read
    variable = key.env_name or "SECRET_KEY"
    line, column, end_line, end_column = key.span
    edits = [Edit(Location(line, column), Location(end_line, end_column), f"os.environ[{json.dumps(variable)}]")]
    import_edit = add_import_edit(model, "os")
    if import_edit is not None:
        edits.append(import_edit)
    return Fix(f"Read the key from `os.environ[{json.dumps(variable)}]`", tuple(edits), Applicability.UNSAFE)


def _is_testing_class(model: ModuleModel, owner: str | None) -> bool:
    """`class TestingConfig:` / `TESTING = True`: a throwaway key for the test suite."""
    if owner is None:
        return False
    prefix = f"{model.module_name}." if model.module_name else ""
    qualname = owner[len(prefix) :] if owner.startswith(prefix) else owner
    if "test" in qualname.rpartition(".")[2].lower():
        return True
    for assign in model.assigns:
        if assign.scope.kind == "class" and assign.scope.qualname == qualname:
            for target in assign.targets:
                if isinstance(target, cst.Name) and target.value == "TESTING":
                    if isinstance(assign.value, cst.Name) and assign.value.value == "True":
                        return True
    return False
