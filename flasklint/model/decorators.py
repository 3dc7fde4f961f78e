"""What a decorator does to the function it gets: wrap it (and keep its name?), or something the model cannot see.

Order matters for wrapping decorators only: `@login_required` above `@app.route` wraps a function
the route has already registered. A decorator that registers the function and returns it
(`@app.errorhandler`, `@click.command`, `@csrf.exempt`, a project's `register`) or annotates it may sit
anywhere, so a decorator is "wrapping" only when the model knows it: a decorator of an extension
that wraps (Flask-Login, Flask-Caching, Flask-CORS, flask-jwt-extended, Flask-Security, Flask-HTTPAuth),
an access check named `*_required` / `requires_*`, or a function of this module that returns a
nested function.
"""

from __future__ import annotations

import re

import libcst as cst

from flasklint.model.imports import dotted_name
from flasklint.model.module import FunctionInfo, ModuleModel, Scope
from flasklint.records import dataclass

# Extension decorators that wrap the view with `functools.wraps` (checked in their sources).
KNOWN_WRAPPERS = frozenset(
    {
        "flask_login.login_required",
        "flask_login.fresh_login_required",
        "flask_login.utils.login_required",
        "flask_login.utils.fresh_login_required",
        "flask_cors.cross_origin",
        "flask_cors.decorator.cross_origin",
        "flask_jwt_extended.jwt_required",
        "flask_jwt_extended.fresh_jwt_required",
        "flask_security.login_required",
        "flask_security.auth_required",
        "flask_security.roles_required",
        "flask_security.roles_accepted",
        "flask_security.permissions_required",
        "flask_security.permissions_accepted",
    }
)
# Methods of extension objects that wrap with `functools.wraps`: Flask-Caching's `cache.cached(...)` /
# `cache.memoize(...)`, Flask-HTTPAuth's `auth.login_required`.
WRAPPING_METHODS = frozenset({"cached", "memoize", "login_required"})
_ACCESS_CHECK = re.compile(r"(?:\w+_)?required|requires?_\w+")


@dataclass(frozen=True)
class Wrapping:
    """A decorator known to wrap the function; `keeps_name`: the wrapper has the function's `__name__`
    (True), does not (False: Flask would see `wrapper` as the endpoint), or the model cannot tell (None)."""

    keeps_name: bool | None


def wrapping(model: ModuleModel, decorator: cst.BaseExpression, scope: Scope) -> Wrapping | None:
    """How `decorator` (the expression after `@`) treats the function; None: not known to wrap."""
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = dotted_name(target)
    if name is None:
        return None
    local = _module_function(model, name)
    if local is not None:
        return _local_wrapping(local, factory=isinstance(decorator, cst.Call))
    qualified = model.qualify(target, scope)
    last = name.rpartition(".")[2]
    if qualified in KNOWN_WRAPPERS or ("." in name and last in WRAPPING_METHODS):
        return Wrapping(keeps_name=True)
    if _ACCESS_CHECK.fullmatch(last) and (qualified is None or not qualified.startswith(("flask.", "werkzeug."))):
        return Wrapping(keeps_name=None)
    return None


def _module_function(model: ModuleModel, name: str) -> FunctionInfo | None:
    return next((f for f in model.functions if f.qualname == name and f.scope.parent is model.module_scope), None)


def _local_wrapping(function: FunctionInfo, factory: bool) -> Wrapping | None:
    """`def deco(f): def wrapper(...) ...; return wrapper` (or, for `@deco(...)`, one level deeper)."""
    inner = _returned_def(function.node)
    if factory and inner is not None:
        inner = _returned_def(inner)
    if inner is None:
        return None
    return Wrapping(keeps_name=any(_is_wraps(d.decorator) for d in inner.decorators))


def _returned_def(function: cst.FunctionDef) -> cst.FunctionDef | None:
    """The nested function a function defines and returns by name, in its own body."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    nested = {s.name.value: s for s in body if isinstance(s, cst.FunctionDef)}
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Return) and isinstance(small.value, cst.Name) and small.value.value in nested:
                    return nested[small.value.value]
    return None


def _is_wraps(decorator: cst.BaseExpression) -> bool:
    func = decorator.func if isinstance(decorator, cst.Call) else decorator
    return (dotted_name(func) or "").rpartition(".")[2] in ("wraps", "update_wrapper")
