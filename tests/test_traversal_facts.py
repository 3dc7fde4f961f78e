"""The per-file facts the app-scoped project index is built from, as the one traversal records them:
Flask-subclass classes, apps of project classes, apps built in `main()`, DispatcherMiddleware mounts,
the template context and the Jinja settings."""

from __future__ import annotations

import json
import textwrap

import libcst as cst

from flasklint.model.facts import FileFacts
from flasklint.model.traversal import build_model


def facts_of(source: str, module: str = "pkg.app") -> FileFacts:
    text = textwrap.dedent(source)
    return build_model("pkg/app.py", module, False, text, cst.parse_module(text)).facts


# -- classes: bases qualified through the imports ----------------------------------------------
def test_classes_record_qualified_bases_of_classes_with_a_real_base() -> None:
    facts = facts_of(
        """
        from flask import Flask
        import flask
        from .base import Base

        class MyFlask(Flask): pass
        class Plain: pass
        class Obj(object): pass
        class Outer(flask.Flask):
            class Inner(Base, object, metaclass=Meta): pass
        class Sub(MyFlask): pass
        def make():
            class Local(Sub): pass
            return Local
        """
    )
    assert facts.classes == {
        "pkg.app.MyFlask": ["flask.Flask"],
        "pkg.app.Outer": ["flask.Flask"],
        "pkg.app.Outer.Inner": ["pkg.base.Base"],
        "pkg.app.Sub": ["pkg.app.MyFlask"],
        "pkg.app.make.<locals>.Local": ["pkg.app.Sub"],
    }


# -- apps of classes that may subclass Flask ---------------------------------------------------
def test_an_instance_of_a_project_class_called_like_flask_is_an_app_candidate_with_its_class() -> None:
    facts = facts_of(
        """
        import logging
        from flask import Flask
        from pkg.web.wrappers import MyFlask
        from . import wrappers
        from .base import Base

        class Local(Flask): pass
        class Plain: pass
        class Other(Base): pass

        app = MyFlask(__name__, static_folder=None, template_folder="tpl")
        app2 = wrappers.MyFlask(import_name="pkg")
        app3 = Local("pkg", static_url_path="/s")
        app4 = Flask(__name__)
        other = Other(__name__)
        logger = logging.getLogger(__name__)
        plain = Plain(__name__)
        not_an_app = MyFlask(config)

        def create():
            class Inner(Flask): pass
            inner = Inner(__name__)
        """
    )
    apps = [
        (a.ref, a.cls, a.root_module, a.static_url_path, a.has_static, a.template_folder, a.factory) for a in facts.apps
    ]
    assert apps == [
        ("pkg.app.app", "pkg.web.wrappers.MyFlask", "pkg.app", None, False, "tpl", None),
        ("pkg.app.app2", "pkg.wrappers.MyFlask", "pkg", "/static", True, "templates", None),
        ("pkg.app.app3", "pkg.app.Local", "pkg", "/s", True, "templates", None),
        ("pkg.app.app4", None, "pkg.app", "/static", True, "templates", None),
        ("pkg.app.other", "pkg.app.Other", "pkg.app", "/static", True, "templates", None),
        (
            "pkg.app.create.<locals>.inner", "pkg.app.create.<locals>.Inner",
            "pkg.app", "/static", True, "templates", "create",
        ),
    ]
    assert facts.apps[0].span == (12, 6, 12, 66)
    # The call is still an alias too: the index follows it when the class is not a Flask subclass.
    assert facts.aliases["pkg.app.app"] == "call:pkg.web.wrappers.MyFlask"


# -- an app built in main() ------------------------------------------------------------------
def test_an_app_built_in_main_is_an_alias_of_the_factory_call_and_registers_on_that_local() -> None:
    facts = facts_of(
        """
        from pkg import create_app
        from pkg.web import web

        def main():
            from pkg.admin import admin
            app = create_app()
            app.register_blueprint(web)
            app.register_blueprint(admin, url_prefix="/admin")
            application = app
            application.run()

        if __name__ == "__main__":
            main()
        """,
        module="pkg.run",
    )
    assert facts.aliases == {
        "pkg.run.main.<locals>.app": "call:pkg.create_app",
        "pkg.run.main.<locals>.application": "pkg.run.main.<locals>.app",
    }
    registrations = [(r.parent, r.child, r.url_prefix, r.span) for r in facts.registrations]
    assert registrations == [
        ("pkg.run.main.<locals>.app", "pkg.web.web", None, (8, 4, 8, 31)),
        ("pkg.run.main.<locals>.app", "pkg.admin.admin", "/admin", (9, 4, 9, 54)),
    ]
    assert facts.unresolved == []


# -- DispatcherMiddleware mounts -----------------------------------------------------------------
def test_dispatcher_middleware_mounts_each_app_under_its_prefix() -> None:
    facts = facts_of(
        """
        from werkzeug.middleware.dispatcher import DispatcherMiddleware
        from pkg.frontend import app as frontend
        from pkg import backend, create_api

        application = DispatcherMiddleware(frontend, {
            "/backend": backend.app.wsgi_app,
            "/api": create_api(),
            "/other": make()[0],
            PREFIX: backend.other,
        })
        """
    )
    mounts = [(m.app, m.prefix, m.span) for m in facts.app_mounts]
    assert mounts == [
        ("pkg.frontend.app", "", (6, 35, 6, 43)),
        ("pkg.backend.app", "/backend", (7, 16, 7, 36)),
        ("call:pkg.create_api", "/api", (8, 12, 8, 24)),
        (None, "/other", (9, 14, 9, 23)),
    ]


def test_dispatcher_middleware_from_werkzeug_wsgi_on_wsgi_app_with_a_named_mapping() -> None:
    facts = facts_of(
        """
        from flask import Flask
        from werkzeug import wsgi

        def create(other):
            app = Flask(__name__)
            mounts = {"/other": other}
            app.wsgi_app = wsgi.DispatcherMiddleware(app.wsgi_app, mounts)
            return app
        """
    )
    mounts = [(m.app, m.prefix) for m in facts.app_mounts]
    assert mounts == [("pkg.app.create.<locals>.app", ""), (None, "/other")]


# -- the template context ------------------------------------------------------------------------
def test_render_template_records_its_context_names_and_the_owners_of_the_enclosing_view() -> None:
    facts = facts_of(
        """
        from flask import Flask, render_template
        from pkg.web import web

        app = Flask(__name__)

        @app.route("/")
        @web.route("/home")
        def index():
            return render_template("index.html", url_for=custom, title="t", **ctx)

        def helper():
            return render_template(template_name_or_list="helper.html")
        """
    )
    refs = [(t.name, t.span, t.owners, t.context, t.has_star_kwargs) for t in facts.template_refs]
    assert refs == [
        ("index.html", (10, 27, 10, 39), ["pkg.app.app", "pkg.web.web"], ["url_for", "title"], True),
        ("helper.html", (13, 49, 13, 62), [], [], False),
    ]


def test_session_writes_record_the_owners_of_the_enclosing_view() -> None:
    facts = facts_of(
        """
        from flask import Blueprint, flash, session

        bp = Blueprint("auth", __name__)

        @bp.route("/login", methods=["POST"])
        def login():
            session["user"] = 1
            flash("hi")

        def logout():
            session.pop("user")
        """
    )
    writes = [(w.kind, w.span, w.owners) for w in facts.session_writes]
    assert writes == [
        ("session_item", (8, 4, 8, 19), ["pkg.app.bp"]),
        ("flash", (9, 4, 9, 15), ["pkg.app.bp"]),
        ("session_method", (12, 4, 12, 23), []),
    ]


def settings(source: str) -> list[tuple[str | None, int, list[str], bool, bool, list[str]]]:
    """(owner, line, extensions, custom_syntax, opaque, context_names) of each JinjaSetting."""
    return [
        (s.owner, s.span[0], s.extensions, s.custom_syntax, s.opaque, s.context_names)
        for s in facts_of(source).jinja_settings
    ]


def test_jinja_env_globals_extensions_and_options_are_jinja_settings() -> None:
    source = """
        from flask import Flask
        from jinja2.ext import do
        from .ext import MyExt

        app = Flask(__name__)
        app.jinja_env.globals["url_for"] = custom
        app.jinja_env.globals[name] = custom
        app.jinja_env.globals.update(url_for=custom, x=1)
        app.jinja_env.globals.update({"url_for": custom, "y": 2})
        app.jinja_env.globals.update(mapping, **dict(now=now))
        app.jinja_env.add_extension("jinja2.ext.loopcontrols")
        app.jinja_env.add_extension(MyExt)
        app.jinja_env.add_extension(get_extension())
        app.jinja_options = {"extensions": ["jinja2.ext.i18n", do], "variable_start_string": "[["}
        app.jinja_options["extensions"] = [MyExt]
        app.jinja_options = dict(Flask.jinja_options, extensions=["a.B"], block_start_string="{%")
        app.jinja_options = load_options()
        app.jinja_env.variable_start_string = "[["
        app.jinja_env.block_start_string = "{%"
        env = app.jinja_env
        env.add_extension("x.Y")
        standalone = Environment()
        standalone.globals["url_for"] = custom
        """
    app = "pkg.app.app"
    assert settings(source) == [
        (app, 7, [], False, False, ["url_for"]),
        (app, 8, [], False, False, ["*"]),
        (app, 9, [], False, False, ["url_for", "x"]),
        (app, 10, [], False, False, ["url_for", "y"]),
        (app, 11, [], False, False, ["*", "now"]),
        (app, 12, ["jinja2.ext.loopcontrols"], False, False, []),
        (app, 13, ["pkg.ext.MyExt"], False, False, []),
        (app, 14, [], False, True, []),
        (app, 15, ["jinja2.ext.i18n", "jinja2.ext.do"], True, False, []),
        (app, 16, ["pkg.ext.MyExt"], False, False, []),
        (app, 17, ["a.B"], False, False, []),
        (app, 18, [], False, True, []),
        (app, 19, [], True, False, []),
        (app, 22, ["x.Y"], False, False, []),
    ]
    assert facts_of(source).jinja_settings[0].span == (7, 0, 7, 32)


def test_a_flask_subclass_sets_jinja_options_for_its_class() -> None:
    source = """
        from flask import Flask
        from werkzeug.datastructures import ImmutableDict

        class MyFlask(Flask):
            jinja_options = ImmutableDict(Flask.jinja_options, extensions=["jinja2.ext.do"], block_start_string="<%")

            def __init__(self, *args):
                super().__init__(*args)
                self.jinja_env.globals["url_for"] = custom

        class VueFlask(Flask):
            jinja_options = {**Flask.jinja_options, "variable_start_string": "[[", "variable_end_string": "]]"}
        """
    assert settings(source) == [
        ("class:pkg.app.MyFlask", 6, ["jinja2.ext.do"], True, False, []),
        ("class:pkg.app.MyFlask", 10, [], False, False, ["url_for"]),
        ("class:pkg.app.VueFlask", 13, [], True, False, []),
    ]


def test_context_processors_and_template_globals_name_what_they_put_into_the_context() -> None:
    source = """
        from flask import Blueprint, Flask

        app = Flask(__name__)
        bp = Blueprint("b", __name__)

        @app.context_processor
        def inject():
            if debug:
                return dict(url_for=dated_url_for)
            def nested():
                return {"not_returned": 1}
            return {"user": current_user, **extra}

        @bp.app_context_processor
        def inject_built():
            context = {}
            return context

        def inject_now():
            return {"now": now()}

        app.context_processor(inject_now)
        app.context_processor(lambda: dict(year=2026))
        app.context_processor(imported_processor)

        @app.template_global()
        def helper():
            pass

        @bp.app_template_global("url_for")
        def my_url_for(endpoint):
            pass

        app.add_template_global(helper)
        app.add_template_global(my_url_for, name="url_for")
        """
    app, bp = "pkg.app.app", "pkg.app.bp"
    assert settings(source) == [
        (app, 7, [], False, False, ["url_for", "user", "*"]),
        (bp, 15, [], False, False, ["*"]),
        (app, 23, [], False, False, ["now"]),
        (app, 24, [], False, False, ["year"]),
        (app, 25, [], False, False, ["*"]),
        (app, 27, [], False, False, ["helper"]),
        (bp, 31, [], False, False, ["url_for"]),
        (app, 35, [], False, False, ["helper"]),
        (app, 36, [], False, False, ["url_for"]),
    ]


def test_the_new_facts_survive_a_json_round_trip_as_the_cache_stores_them() -> None:
    facts = facts_of(
        """
        from flask import Flask, render_template, session
        from werkzeug.middleware.dispatcher import DispatcherMiddleware
        from pkg.web import MyFlask

        class Local(Flask):
            jinja_options = {"extensions": ["jinja2.ext.do"]}

        app = MyFlask(__name__)
        app.jinja_env.globals["url_for"] = custom
        application = DispatcherMiddleware(app, {"/api": api})

        @app.route("/")
        def index():
            session["x"] = 1
            return render_template("index.html", url_for=custom)
        """
    )
    assert facts.classes and facts.jinja_settings and facts.app_mounts and facts.apps[0].cls
    assert FileFacts.from_dict(json.loads(json.dumps(facts.to_dict()))) == facts
