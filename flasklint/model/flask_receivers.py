"""Which objects of a module are Flask's: the receivers of route registrations and of `run()`.

Bottle (`@route(..., method="POST")`), FastAPI, Sanic and friends spell routes like Flask but
with other options, so FLK207, FLK208 and FLK304 ask here before judging a `.route`, `.get` or
`.run` call. The answer errs on the side of "not Flask": an object is Flask's when the module
creates it as an app or blueprint, or when the module imports Flask and no other web framework
and the call has Flask's shape (a rule starting with `/`).
"""

from __future__ import annotations

import libcst as cst

from flasklint.model.cst_helpers import argument, literal_string
from flasklint.model.imports import dotted_name
from flasklint.model.module import FLASK_CLASSES, ROUTE_DECORATORS, ModuleModel, Scope

# Packages whose apps have `.route`/`.get`/`.run` methods with other signatures than Flask's.
OTHER_WEB_FRAMEWORKS = frozenset(
    {
        "aiohttp", "bottle", "cherrypy", "django", "falcon", "fastapi", "litestar", "pyramid",
        "quart", "responder", "sanic", "starlette", "tornado", "webapp2", "klein", "robyn",
    }
)
ROUTE_REGISTRARS = ROUTE_DECORATORS | {"add_url_rule"}


def flask_objects(model: ModuleModel) -> set[str]:
    """Refs of the apps and blueprints this module creates (module level or in a factory)."""
    return {app.ref for app in model.facts.apps} | {bp.ref for bp in model.facts.blueprints}


def imports_other_framework(model: ModuleModel) -> bool:
    """The module imports a web framework other than Flask (then `.route` may be that framework's)."""
    return any(qualified.partition(".")[0] in OTHER_WEB_FRAMEWORKS for qualified in model.facts.imports.values())


def _flask_only_module(model: ModuleModel) -> bool:
    return model.facts.imports_flask and not imports_other_framework(model)


def is_route_call(model: ModuleModel, call: cst.Call, scope: Scope) -> bool:
    """`x.route("/a", ...)`, `x.get("/a")`... or `x.add_url_rule("/a", ...)` on a Flask app or blueprint.

    The receiver is one the module creates, or (in a module importing Flask and no other framework)
    any name whose call has Flask's shape: a literal rule starting with `/`.
    """
    func = call.func
    # Exact types: libcst's node classes have no subclasses, and isinstance against them (ABCs) runs Python code.
    if not (type(func) is cst.Attribute and func.attr.value in ROUTE_REGISTRARS):
        return False
    if type(func.value) not in (cst.Name, cst.Attribute):
        return False
    if model.ref_of(func.value, scope) in flask_objects(model):
        return True
    rule = literal_string(argument(call, 0, "rule"))
    if rule is None or not rule.startswith("/") or not _flask_only_module(model):
        return False
    imported = model.qualify(func.value, scope)
    if type(func.value) is cst.Attribute:  # `views.bp.route` yes, `app.config.get` no
        return imported is not None
    return imported is None or "." in imported  # `import requests; requests.get("/x")` is a module's function


def is_flask_app(model: ModuleModel, receiver: cst.BaseExpression, scope: Scope) -> bool:
    """`app` created here by `Flask(...)`, `create_app().run`, `app = create_app()`, or an imported
    `app`/`application`/`*_app` (`from myapp import app` in run.py), in a module importing no other
    web framework."""
    if imports_other_framework(model):
        return False
    if model.ref_of(receiver, scope) in {app.ref for app in model.facts.apps}:
        return True
    made_by = receiver
    if isinstance(receiver, cst.Name) and model.qualify(receiver, scope) is None:
        made_by = model.value_of(receiver.value, scope) or receiver
    if isinstance(made_by, cst.Call):
        name = dotted_name(made_by.func) or ""
        last = name.rpartition(".")[2]
        return model.qualify(made_by.func, scope) in FLASK_CLASSES or last.lower().endswith("app")
    imported = model.qualify(receiver, scope)
    if imported is None:
        return False
    last = imported.rpartition(".")[2]
    return last in ("app", "application") or last.endswith("_app")
