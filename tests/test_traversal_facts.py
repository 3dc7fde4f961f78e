"""The per-file facts the app-scoped project index is built from, as the one traversal records them:
Flask-subclass classes, apps of project classes, apps built in `main()`, DispatcherMiddleware mounts,
the template context and the Jinja settings."""

from __future__ import annotations

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
