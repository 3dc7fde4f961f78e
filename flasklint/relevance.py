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

# Names matched as they are: each is its own substring.
_NAMES = (
    "flask", "Flask", "url_for", "route", "add_url_rule", "register_blueprint", "SECRET_KEY", "secret_key",
    "session_interface", "login_user", "errorhandler", "register_error_handler", "Blueprint", "as_view",
    "render_template", "create_app", "jinja", "context_processor", "template_global", "DispatcherMiddleware",
    "Markup", "url_defaults", "url_value_preprocessor", "url_map", "template_folder", "root_path", "iter_blueprints",
    "add_resource", "add_namespace", "register_api", "add_view", "init_app_routes", "WhiteNoise", "TransLogger",
    # FLK501: removed Werkzeug APIs (`from werkzeug.urls import url_quote`) in modules naming no flask API.
    "werkzeug",
)  # fmt: skip
# Patterns, each with substrings one of which every match of it contains.
_PATTERNS: tuple[tuple[tuple[str, ...], str], ...] = (
    ((".run(",), r"\.run\("),
    ((".save(",), r"\.save\("),
    # Request hooks, class views' dispatch, and the removed first-request hooks (FLK501) on any object;
    # not every `*_request` (a `make_request` helper or a `requests` wrapper is no Flask code).
    (
        ("_request",),
        r"(?:before|after|teardown)_(?:app_)?request\b|before_(?:app_)?first_request\b|got_first_request\b|dispatch_request\b",
    ),
    (("from_",), r"from_(?:object|pyfile|envvar|file|prefixed_env|mapping|json)\("),
    (("config.update(",), r"config\.update\("),
    ((".get(", ".post(", ".put(", ".patch(", ".delete("), r"@[\w.]+\.(?:get|post|put|patch|delete)\("),
    (("endpoint",), r"endpoint\s*="),
)

# The whole scan as one expression: what the tests match the model's name tables against.
RELEVANT = re.compile("|".join([*_NAMES, *(pattern for _, pattern in _PATTERNS)]))
_COMPILED = tuple((needles, re.compile(pattern)) for needles, pattern in _PATTERNS)


def may_matter(text: str) -> bool:
    """`RELEVANT.search(text) is not None`, trying a pattern only when one of its substrings is present."""
    if any(name in text for name in _NAMES):
        return True
    return any(any(needle in text for needle in needles) and pattern.search(text) for needles, pattern in _COMPILED)
