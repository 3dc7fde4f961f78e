"""Qualified names of Flask's API the model recognises: pure data, so the index (which a warm run
builds without libcst) and the traversal share one list."""

from __future__ import annotations

FLASK_CLASSES = frozenset({"flask.Flask", "flask.app.Flask"})
BLUEPRINT_CLASSES = frozenset({"flask.Blueprint", "flask.blueprints.Blueprint"})
VIEW_BASES = frozenset({"flask.views.MethodView", "flask.views.View"})
ROUTE_DECORATORS = frozenset({"route", "get", "post", "put", "patch", "delete"})
VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "dispatch_request"})
URL_FOR = frozenset({"flask.url_for", "flask.helpers.url_for"})
RENDER_TEMPLATE = frozenset({"flask.render_template", "flask.templating.render_template"})
# Registrations made by extensions whose endpoints the index does not model (yet): it stays humble.
EXTENSION_REGISTRARS = frozenset({"add_resource", "add_namespace", "register_api", "add_view", "init_app_routes"})
