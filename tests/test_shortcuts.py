"""The engine's text pre-scans skip work, never findings: every rule case and example project gives
the very same diagnostics with the shortcuts on and off (FLASKLINT_NO_SHORTCUTS=1).

benchmarks/realworld/shortcuts_check.py runs the same comparison on the real-repository checkouts.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flasklint import shortcuts
from flasklint.engine import analyse_python
from flasklint.model import removed_apis
from flasklint.rule import Case
from flasklint.rules import ALL_RULES
from rule_testing import lint, write_project

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CASES = [(rule.code, kind, i, Case.of(case)) for rule in ALL_RULES for kind in ("invalid", "valid") for i, case in enumerate(getattr(rule, kind))]


def _both_ways(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[dict], list[dict]]:
    monkeypatch.delenv(shortcuts.DISABLE_VARIABLE, raising=False)
    fast = [d.to_dict() for d in lint(root)]
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    full = [d.to_dict() for d in lint(root)]
    monkeypatch.delenv(shortcuts.DISABLE_VARIABLE)
    return fast, full


def test_every_rule_case_has_the_same_findings_without_the_shortcuts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    differing = []
    for code, kind, number, case in CASES:
        root = write_project(tmp_path / f"{code}-{kind}-{number}", case.files)
        fast, full = _both_ways(root, monkeypatch)
        if fast != full:
            differing.append((code, kind, number, fast, full))
    assert differing == []


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_every_example_has_the_same_findings_without_the_shortcuts(example: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, full = _both_ways(EXAMPLES / example, monkeypatch)
    assert fast == full


def test_a_module_naming_no_removed_api_is_not_walked_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    walked: list[object] = []
    original = removed_apis._Finder.visit

    def counting(self: removed_apis._Finder, node: object, *args: object, **kwargs: object) -> None:
        walked.append(node)
        original(self, node, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(removed_apis._Finder, "visit", counting)
    source = b"from flask import Flask, request\n\napp = Flask(__name__)\nenvironment = request.args\n"
    facts = analyse_python("app.py", "app", False, source)
    assert [d.code for d in facts.diagnostics] == [] and walked == []
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    analyse_python("app.py", "app", False, source)
    assert walked


def test_the_removed_api_scan_keeps_each_kind_of_use() -> None:
    """One identifier of each kind of use the finder records lets the walk run."""
    for text in (
        "from flask import escape",
        "flask.json.JSONEncoder",
        "app.before_first_request",
        "x = app.env",
        "send_file(f, attachment_filename='a')",
        "flask._app_ctx_stack",
    ):
        assert removed_apis.may_use_removed(text, imports_flask=False), text
    assert removed_apis.may_use_removed("app.config['JSON_' 'SORT_KEYS'] = 1", imports_flask=True)
    for text in ("environ = os.environ", "escaped = 1", "settings.configure()"):
        assert not removed_apis.may_use_removed(text, imports_flask=True), text


def test_config_alone_needs_a_module_importing_flask_for_the_walk() -> None:
    """A removed config key counts only in a module importing Flask (`_config_key`), so a `config`
    subscript (in many modules of an app: settings, CLI, models) lets the walk run only there."""
    assert not removed_apis.may_use_removed("cfg = self.config['KEY']", imports_flask=False)
    assert removed_apis.may_use_removed("cfg = self.config['KEY']", imports_flask=True)


CONFIG_SUBSCRIPTS = {
    "plain": 'app.config["JSON_SORT_KEYS"] = False\n',
    "parenthesized attribute": '(app.config)["JSON_SORT_KEYS"] = False\n',
    "blanks": 'app.config  ["JSON_SORT_KEYS"] = False\n',
    "a continuation": 'app.config \\\n    ["JSON_SORT_KEYS"] = False\n',
    "a comment inside parentheses": '(app.config  # the settings\n    ["JSON_SORT_KEYS"]) = False\n',
}


@pytest.mark.parametrize("use", CONFIG_SUBSCRIPTS.values(), ids=CONFIG_SUBSCRIPTS.keys())
def test_every_spelling_of_a_config_subscript_lets_the_walk_run(use: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between `config` and its `[` Python allows closing parentheses, blanks, continuations and
    comments: the scan lets each through, and FLK501 reports each assignment as without the scan."""
    assert removed_apis.may_use_removed(use, imports_flask=True)
    source = ("from flask import Flask\n\napp = Flask(__name__)\n" + use).encode()
    found = analyse_python("app.py", "app", False, source).diagnostics
    monkeypatch.setenv(shortcuts.DISABLE_VARIABLE, "1")
    assert [d.code for d in found] == ["FLK501"]
    assert found == analyse_python("app.py", "app", False, source).diagnostics


def test_config_without_a_subscript_walks_nothing() -> None:
    """Reading settings, loading them, or a variable named config: no removed key can be set there."""
    for text in ("app.config.from_object(Settings)", "config = load()", "value = settings.config.get('X')"):
        assert not removed_apis.may_use_removed(text, imports_flask=True), text


def test_the_relevance_scan_knows_every_name_the_model_matches_on_any_object() -> None:
    """Names matched as attributes whatever the module imports (a helper's `bp.before_request`, an
    `api.add_resource` on an Api from another module) keep a module parsed."""
    from flasklint.relevance import RELEVANT
    from flasklint.model.flask_api import EXTENSION_REGISTRARS, ROUTE_DECORATORS, VIEW_METHODS
    from flasklint.model.jinja_facts import ADD_TEMPLATE_GLOBAL, CONTEXT_PROCESSORS, TEMPLATE_GLOBAL_DECORATORS
    from flasklint.model.removed_apis import REMOVED_APP_ATTRIBUTES
    from flasklint.model.responses import ERROR_HANDLER_DECORATORS
    from flasklint.model.template_loaders import LOADER_ATTRIBUTES, LOADER_METHODS
    from flasklint.model.traversal import URL_DEFAULTS_REGISTRARS, URL_VALUE_PREPROCESSOR_REGISTRARS
    from flasklint.model.urls import REQUEST_HOOKS

    attributes = (
        EXTENSION_REGISTRARS | URL_DEFAULTS_REGISTRARS | URL_VALUE_PREPROCESSOR_REGISTRARS | REQUEST_HOOKS
        | ERROR_HANDLER_DECORATORS | CONTEXT_PROCESSORS | TEMPLATE_GLOBAL_DECORATORS | ADD_TEMPLATE_GLOBAL
        | LOADER_ATTRIBUTES | LOADER_METHODS
        | {"register_blueprint", "add_url_rule", "as_view", "session_interface", "register_error_handler"}
        # class views' dispatch, and FLK501's removed first-request hooks on an app from another module
        | {name for name in VIEW_METHODS | REMOVED_APP_ATTRIBUTES.keys() if name.endswith("_request")}
    )  # fmt: skip
    missed = [name for name in sorted(attributes) if not RELEVANT.search(f"from .ext import bp\nbp.{name}(view)\n")]
    missed += [name for name in sorted(ROUTE_DECORATORS) if not RELEVANT.search(f"@bp.{name}('/x')\ndef x(): ...\n")]
    if not RELEVANT.search("bp.url_map.converters['x'] = C\n"):
        missed.append("url_map")
    assert missed == []
    unrelated_texts = (
        "import requests\nrequests.get(url)\n", "db.session.add(user)\n", "return redirect_uri\n",
        "response = self.make_request(url)\n", "def handle_request(environ):\n    pass\n",
    )  # fmt: skip
    for unrelated in unrelated_texts:
        assert not RELEVANT.search(unrelated)


def test_the_substring_prefilter_decides_as_the_whole_expression() -> None:
    """`may_matter` tries an alternative only when its substring is present: the same verdict as the
    one expression, on each alternative's matches, its near misses, and this repository's sources."""
    from flasklint.relevance import RELEVANT, may_matter

    matches = (
        "import flask", "x = Flask", "url_for(", "a.route", "add_url_rule", "register_blueprint", "SECRET_KEY",
        "secret_key", "session_interface", "login_user", "app.run()", "errorhandler", "register_error_handler",
        "Blueprint", "as_view", "render_template", "f.save(p)", "bp.before_app_request", "teardown_request\n",
        "before_first_request", "got_first_request", "dispatch_request", "config.from_object(", "config.update(",
        "@api.get(", "@ns.x.delete(", "create_app", "jinja", "context_processor", "template_global",
        "DispatcherMiddleware", "Markup", "url_defaults", "url_value_preprocessor", "url_map", "template_folder",
        "root_path", "iter_blueprints", "add_resource", "endpoint =", "endpoint=", "add_namespace", "register_api",
        "add_view", "init_app_routes", "WhiteNoise", "TransLogger", "werkzeug", "def route_",
    )  # fmt: skip
    near_misses = (
        "requests.get(url)", "@property\ndef get(self): return d.get(k)", "make_request()", "before_requests",
        "handle_request", "from_x(", "config.updated(", "endpoints", "endpoint\n", "app.running()", "save()",
        "@cache.get\n", "@x.get (", "",
    )  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    sources = [path.read_text(encoding="utf-8") for folder in ("flasklint", "tests") for path in (root / folder).rglob("*.py")]
    texts = [*matches, *near_misses, *sources]
    assert [may_matter(text) for text in texts] == [RELEVANT.search(text) is not None for text in texts]
    assert all(may_matter(text) for text in matches)
    assert not any(may_matter(text) for text in near_misses)
