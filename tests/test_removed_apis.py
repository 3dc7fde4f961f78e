"""The removed-API tables (data checked against the real packages) and `removed_uses` on one module."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.removed_apis import (
    APP_CONFIG_ATTRIBUTES,
    HINTS,
    JSON_PROVIDER_ATTRIBUTES,
    KEYWORD_REMOVED_IN,
    REMOVED_APP_ATTRIBUTES,
    REMOVED_CONFIG_KEYS,
    REMOVED_NAMES,
    RENAMED_KEYWORDS,
    AttributeRemoved,
    ImportedRemoved,
    RemovedConfigKey,
    RenamedKeyword,
    removed_uses,
)
from flasklint.model.traversal import build_model
from flasklint.source import parse_source


def uses(source: str) -> list[tuple[str, str, int]]:
    """(kind, what, line) of each removed use in `source`, in order."""
    text = textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    rows = []
    for use in removed_uses(model):
        if isinstance(use, ImportedRemoved):
            rows.append(("import", use.entry.qualified, model.span(use.alias)[0]))
        elif isinstance(use, AttributeRemoved):
            what = use.entry.qualified if use.entry else model.code(use.node)
            rows.append(("assign" if use.assigned else "attribute", what, model.span(use.node)[0]))
        elif isinstance(use, RenamedKeyword):
            rows.append(("keyword", f"{use.callee}:{use.new}", model.span(use.arg)[0]))
        elif isinstance(use, RemovedConfigKey):
            rows.append(("config", f"{use.key}:{use.app_config}", model.span(use.node)[0]))
    return rows


# -- the tables -------------------------------------------------------------------------------


def test_the_tables_agree_with_one_another() -> None:
    for entry in REMOVED_NAMES.values():
        assert entry.module and entry.name
        assert entry.replacement is not None or entry.qualified in HINTS, entry.qualified
        assert not (entry.same_object and entry.replacement is None)
    assert set(APP_CONFIG_ATTRIBUTES) <= set(REMOVED_APP_ATTRIBUTES)
    for attribute in REMOVED_APP_ATTRIBUTES:
        assert attribute in HINTS or attribute in APP_CONFIG_ATTRIBUTES, attribute
    assert set(JSON_PROVIDER_ATTRIBUTES) <= set(REMOVED_CONFIG_KEYS)
    assert RENAMED_KEYWORDS["flask.send_file"] == {
        "attachment_filename": "download_name",
        "cache_timeout": "max_age",
        "add_etags": "etag",
    }


def test_the_safe_moves() -> None:
    safe = {q: e.replacement for q, e in REMOVED_NAMES.items() if e.same_object}
    assert safe == {
        "flask.escape": "markupsafe.escape",
        "flask.Markup": "markupsafe.Markup",
        "jinja2.escape": "markupsafe.escape",
        "jinja2.Markup": "markupsafe.Markup",
        "werkzeug.wrappers.BaseResponse": "werkzeug.wrappers.Response",
        "werkzeug.wrappers.BaseRequest": "werkzeug.wrappers.Request",
    }


def _resolve(qualified: str) -> object:
    import importlib

    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("qualified", sorted(REMOVED_NAMES))
def test_every_removed_name_is_gone_from_the_installed_release(qualified: str) -> None:
    """Checked against the test environment's Flask 3 / Werkzeug 3 / Jinja 3.1."""
    pytest.importorskip("flask")
    with pytest.raises((AttributeError, ImportError)):
        _resolve(qualified)


@pytest.mark.parametrize("qualified", sorted({e.replacement for e in REMOVED_NAMES.values() if e.replacement}))
def test_every_replacement_exists(qualified: str) -> None:
    pytest.importorskip("flask")
    assert callable(_resolve(qualified))


@pytest.mark.parametrize("attribute", sorted(REMOVED_APP_ATTRIBUTES))
def test_every_removed_app_attribute_is_gone(attribute: str) -> None:
    flask = pytest.importorskip("flask")
    target = flask.Blueprint("b", __name__) if attribute == "before_app_first_request" else flask.Flask(__name__)
    assert not hasattr(target, attribute)


def test_removed_config_keys_are_not_defaults_any_more() -> None:
    flask = pytest.importorskip("flask")
    config = flask.Flask(__name__).config
    assert [key for key in REMOVED_CONFIG_KEYS if key in config] == []
    assert all(key in config for key in APP_CONFIG_ATTRIBUTES.values())


def test_renamed_keywords_are_the_current_parameters() -> None:
    import inspect

    flask = pytest.importorskip("flask")
    parameters = inspect.signature(flask.send_file).parameters
    for old, new in RENAMED_KEYWORDS["flask.send_file"].items():
        assert new in parameters and old not in parameters
    assert "path" in inspect.signature(flask.send_from_directory).parameters
    assert set(KEYWORD_REMOVED_IN) == set(RENAMED_KEYWORDS)


# -- uses in a module -------------------------------------------------------------------------


def test_imports_attributes_and_aliases() -> None:
    assert uses(
        """
        import flask
        import flask as fl
        from flask import Flask, escape, Markup as M
        from flask.json import JSONEncoder
        from werkzeug import urls
        from markupsafe import escape as ok

        x = flask.escape("a")
        y = fl._request_ctx_stack.top
        z = urls.url_quote("a")
        """
    ) == [
        ("import", "flask.escape", 4),
        ("import", "flask.Markup", 4),
        ("import", "flask.json.JSONEncoder", 5),
        ("attribute", "flask.escape", 9),
        ("attribute", "flask._request_ctx_stack", 10),
        ("attribute", "werkzeug.urls.url_quote", 11),
    ]


def test_guarded_imports_are_silent() -> None:
    assert uses(
        """
        import flask
        try:
            from flask import escape
        except ImportError:
            from markupsafe import escape
        try:
            from flask import Markup
        except (ValueError, AttributeError):
            Markup = None
        if hasattr(flask, "escape"):
            e = flask.escape
        if FLASK_VERSION < (3, 0):
            m = flask.Markup
        else:
            m = None
        try:
            from flask import safe_join
        except ValueError:
            pass
        """
    ) == [("import", "flask.safe_join", 18)]


def test_a_local_name_shadows_the_import() -> None:
    assert uses(
        """
        import flask

        def view(flask):
            return flask.escape("x")
        """
    ) == []


def test_app_attributes() -> None:
    assert uses(
        """
        from flask import Flask, Blueprint, current_app
        from myapp import app as imported

        app = Flask(__name__)
        bp = Blueprint("b", __name__)
        app.json_encoder = object

        @app.before_first_request
        def setup():
            return app.env, current_app.session_cookie_name

        @bp.before_app_first_request
        def setup2():
            pass

        @imported.before_first_request
        def setup3():
            return imported.env

        class Other:
            env = None

        other = Other()
        print(other.env, other.json_encoder)
        """
    ) == [
        ("assign", "app.json_encoder", 7),
        ("attribute", "app.before_first_request", 9),
        ("attribute", "app.env", 11),
        ("attribute", "current_app.session_cookie_name", 11),
        ("attribute", "bp.before_app_first_request", 13),
        ("attribute", "imported.before_first_request", 17),
    ]


def test_quart_apps_are_not_flask() -> None:
    assert uses(
        """
        import flask
        from quart import Quart
        from myapp import app

        @app.before_first_request
        async def setup():
            pass
        """
    ) == []


def test_renamed_keywords_and_config_keys() -> None:
    assert uses(
        """
        import flask
        from flask import Flask, send_file
        from flask.helpers import send_from_directory

        app = Flask(__name__)
        app.config["JSON_SORT_KEYS"] = False
        settings.config["JSONIFY_PRETTYPRINT_REGULAR"] = True
        app.config["SECRET_KEY"] = "x"
        print(app.config["JSON_AS_ASCII"])
        send_file("a", attachment_filename="b", mimetype="text/plain")
        flask.send_from_directory("d", filename="f")
        send_from_directory("d", "f", cache_timeout=1)
        other.send_file("a", attachment_filename="b")
        """
    ) == [
        ("config", "JSON_SORT_KEYS:True", 7),
        ("config", "JSONIFY_PRETTYPRINT_REGULAR:False", 8),
        ("keyword", "flask.send_file:download_name", 11),
        ("keyword", "flask.send_from_directory:path", 12),
    ]


def test_config_keys_need_a_module_importing_flask() -> None:
    assert uses('settings.config["ENV"] = "development"\n') == []
