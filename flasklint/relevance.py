"""Whether a Python file can hold anything a rule looks for, decided from its text before parsing.

A file that mentions none of the names below is indexed by name (for FLK301 and config resolution)
but never parsed: parsing is the dominant cost. Flask's objects (request, session, redirect, flash,
...) count only when imported from flask, werkzeug, jinja2 or markupsafe (the model resolves names
through the module's imports, which spell the package); the names listed are those the model
matches on any object, whatever it imports: route and hook decorators, registrars, loader
attributes (tests/test_shortcuts.py checks the model's name tables against this list, and the
findings with and without it).

The scan runs on every Python file of a project, most of which match nothing. One regular
expression of ~40 alternatives tries each of them at each character (0.5 s on the 7 benchmark
apps' 8 MB); each alternative below comes with a substring every match of it contains, and only an
alternative whose substring is in the text is tried (`str.__contains__` scans at memory speed).
"""

from __future__ import annotations

import re

# (substrings, one of which every match of the pattern contains; the pattern).
_ALTERNATIVES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("flask",), "flask"),
    (("Flask",), "Flask"),
    (("url_for",), "url_for"),
    (("route",), "route"),
    (("add_url_rule",), "add_url_rule"),
    (("register_blueprint",), "register_blueprint"),
    (("SECRET_KEY",), "SECRET_KEY"),
    (("secret_key",), "secret_key"),
    (("session_interface",), "session_interface"),
    (("login_user",), "login_user"),
    ((".run(",), r"\.run\("),
    (("errorhandler",), "errorhandler"),
    (("register_error_handler",), "register_error_handler"),
    (("Blueprint",), "Blueprint"),
    (("as_view",), "as_view"),
    (("render_template",), "render_template"),
    ((".save(",), r"\.save\("),
    # Request hooks, class views' dispatch, and the removed first-request hooks (FLK501) on any object;
    # not every `*_request` (a `make_request` helper or a `requests` wrapper is no Flask code).
    (("_request",), r"(?:before|after|teardown)_(?:app_)?request\b"),
    (("_request",), r"before_(?:app_)?first_request\b"),
    (("got_first_request",), r"got_first_request\b"),
    (("dispatch_request",), r"dispatch_request\b"),
    (("from_",), r"from_(?:object|pyfile|envvar|file|prefixed_env|mapping|json)\("),
    (("config.update(",), r"config\.update\("),
    ((".get(", ".post(", ".put(", ".patch(", ".delete("), r"@[\w.]+\.(?:get|post|put|patch|delete)\("),
    (("create_app",), "create_app"),
    (("jinja",), "jinja"),
    (("context_processor",), "context_processor"),
    (("template_global",), "template_global"),
    (("DispatcherMiddleware",), "DispatcherMiddleware"),
    (("Markup",), "Markup"),
    (("url_defaults",), "url_defaults"),
    (("url_value_preprocessor",), "url_value_preprocessor"),
    (("url_map",), "url_map"),
    (("template_folder",), "template_folder"),
    (("root_path",), "root_path"),
    (("iter_blueprints",), "iter_blueprints"),
    (("add_resource",), "add_resource"),
    (("endpoint",), r"endpoint\s*="),
    (("add_namespace",), "add_namespace"),
    (("register_api",), "register_api"),
    (("add_view",), "add_view"),
    (("init_app_routes",), "init_app_routes"),
    (("WhiteNoise",), "WhiteNoise"),
    (("TransLogger",), "TransLogger"),
    # FLK501: removed Werkzeug APIs (`from werkzeug.urls import url_quote`) in modules naming no flask API.
    (("werkzeug",), "werkzeug"),
)

# The whole scan as one expression: what the tests match the model's name tables against.
RELEVANT = re.compile("|".join(pattern for _, pattern in _ALTERNATIVES))

# Per alternative: its substrings, and its compiled pattern unless the pattern is its one substring.
_CHECKS: tuple[tuple[tuple[str, ...], re.Pattern[str] | None], ...] = tuple(
    (needles, None if needles == (pattern,) else re.compile(pattern)) for needles, pattern in _ALTERNATIVES
)


def may_matter(text: str) -> bool:
    """`RELEVANT.search(text) is not None`, trying only the alternatives whose substring is present."""
    for needles, pattern in _CHECKS:
        if any(needle in text for needle in needles) and (pattern is None or pattern.search(text)):
            return True
    return False
