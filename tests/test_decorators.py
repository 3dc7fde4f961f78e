"""Which decorators the model knows to wrap a function, and whether the wrapper keeps the function's name."""

from __future__ import annotations

import libcst as cst
import pytest

from flasklint.model.decorators import Wrapping, wrapping
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

LOCAL = """\
from functools import wraps
import functools


def checked(f):
    @wraps(f)
    def inner(*args):
        return f(*args)
    return inner


def bare(f):
    def wrapper(*args):
        return f(*args)
    return wrapper


def role(name):
    def decorator(f):
        @functools.wraps(f)
        def wrapper(*args):
            return f(*args)
        return wrapper
    return decorator


def register(f):
    REGISTRY.append(f)
    return f
"""


def wrap_of(imports: str, decorator: str) -> Wrapping | None:
    text = imports + LOCAL + f"\n\n@{decorator}\ndef view():\n    pass\n"
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    model = build_model("app.py", "app", False, text, tree)
    view = next(f for f in model.functions if f.name == "view")
    return wrapping(model, view.node.decorators[0].decorator, model.module_scope)


@pytest.mark.parametrize(
    ("imports", "decorator", "expected"),
    [
        ("from flask_login import login_required\n", "login_required", Wrapping(True)),
        ("import flask_login\n", "flask_login.fresh_login_required", Wrapping(True)),
        ("from flask_cors import cross_origin\n", "cross_origin()", Wrapping(True)),
        ("from flask_jwt_extended import jwt_required\n", "jwt_required()", Wrapping(True)),
        ("from myapp.ext import cache\n", "cache.cached(timeout=50)", Wrapping(True)),
        ("", "auth.login_required", Wrapping(True)),  # Flask-HTTPAuth
        ("from myapp.auth import admin_required\n", "admin_required", Wrapping(None)),
        ("from myapp.auth import requires_role\n", "requires_role('x')", Wrapping(None)),
        ("", "checked", Wrapping(True)),
        ("", "bare", Wrapping(False)),
        ("", "role('admin')", Wrapping(True)),
        ("", "register", None),  # registers and returns the function
        ("import click\n", "click.command()", None),
        ("from myapp import limiter\n", "limiter.limit('1/s')", None),
        ("", "staticmethod", None),
        ("", "app.errorhandler(404)", None),
    ],
)
def test_wrapping(imports: str, decorator: str, expected: Wrapping | None) -> None:
    assert wrap_of(imports, decorator) == expected
