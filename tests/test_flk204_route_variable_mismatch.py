"""FLK204 route-variable-mismatch: each message quotes the TypeError real Flask raises at request time; the
traps (url_value_preprocessor, url_prefix variables, url_defaults, decorators, **kwargs...) really work in
Flask and stay silent; the rename fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flasklint.model.facts import FileFacts
from flasklint.rules.flk204_route_variable_mismatch import RouteVariableMismatch
from rule_testing import check_fixed, findings, fix_and_relint, lint, write_project

HEADER = "from flask import Flask\n\napp = Flask(__name__)\n\n\n"
CODE = "FLK204"


def _request(source: str, path: str) -> str:
    """Run a test-written app (never analysed code) with real Flask; the TypeError a GET of `path` raises,
    as the message quotes it ("" when the request succeeds)."""
    namespace: dict[str, object] = {"__name__": "flk204_case"}
    exec(compile(source, "app.py", "exec"), namespace)
    app = namespace["app"]
    app.testing = True  # type: ignore[attr-defined]
    try:
        response = app.test_client().get(path)  # type: ignore[attr-defined]
    except TypeError as error:
        return f"`TypeError: {error}`"
    assert response.status_code == 200, response.data
    return ""


def _path(rule: str) -> str:
    return re.sub(r"<[^>]+>", "1", rule)


def _messages(root: Path) -> list[tuple[object, ...]]:
    return findings(lint(root, CODE))


@pytest.mark.parametrize("case", [c for c in RouteVariableMismatch.invalid if list(c.files) == ["app.py"]])
def test_each_case_fails_with_real_flask_as_its_message_says(case) -> None:
    source = case.files["app.py"]
    for finding in case.findings:
        rule = re.search(r"the route `([^`]+)`", finding.message).group(1)
        raised = _request(source, _path(rule))
        assert raised and raised in finding.message
    for text in case.fixed.values():
        assert _request(text, "/users/7") == ""


TRAPS = {
    # The blueprint's url_value_preprocessor pops `lang`: the view has no `lang` parameter and works.
    "preprocessor": (
        "from flask import Flask, Blueprint, g\n\napp = Flask(__name__)\nbp = Blueprint('p', __name__, "
        "url_prefix='/<lang>')\n\n\n@bp.url_value_preprocessor\ndef pull(endpoint, values):\n"
        "    g.lang = values.pop('lang')\n    values.pop('slug', None)\n\n\n"
        "@bp.route('/about/<slug>')\ndef about():\n    return g.lang\n\n\napp.register_blueprint(bp)\n",
        "/de/about/x",
    ),
    # An app-wide preprocessor registered by a blueprint pops values of every route.
    "app_preprocessor": (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nbp = Blueprint('p', __name__)\n\n\n"
        "@bp.app_url_value_preprocessor\ndef pull(endpoint, values):\n    values.pop('slug', None)\n\n\n"
        "@app.route('/a/<slug>')\ndef a():\n    return 'a'\n\n\napp.register_blueprint(bp)\n",
        "/a/x",
    ),
    # The prefix given at registration supplies `lang`.
    "registration_prefix": (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nbp = Blueprint('p', __name__)\n\n\n"
        "@bp.route('/about')\ndef about(lang):\n    return lang\n\n\n"
        "app.register_blueprint(bp, url_prefix='/<lang>')\n",
        "/de/about",
    ),
    # Blueprint url_defaults supply `lang`.
    "blueprint_url_defaults": (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\n"
        "bp = Blueprint('p', __name__, url_defaults={'lang': 'en'})\n\n\n"
        "@bp.route('/about')\ndef about(lang):\n    return lang\n\n\napp.register_blueprint(bp)\n",
        "/about",
    ),
    # A stacked rule without the variable gives it with defaults=.
    "stacked_defaults": (
        HEADER + "@app.route('/posts/', defaults={'page': 1})\n@app.route('/posts/<int:page>')\n"
        "def posts(page):\n    return str(page)\n",
        "/posts/",
    ),
    # A decorator between the route and the view injects an argument.
    "injecting_decorator": (
        "import functools\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\ndef with_user(view):\n"
        "    @functools.wraps(view)\n    def wrapper(**kwargs):\n        return view(user='ann', **kwargs)\n\n"
        "    return wrapper\n\n\n@app.route('/me')\n@with_user\ndef me(user):\n    return user\n",
        "/me",
    ),
    # A decorator consuming a value.
    "consuming_decorator": (
        "from flask import Flask\n\napp = Flask(__name__)\n\n\ndef drop_slug(view):\n"
        "    def wrapper(slug, **kwargs):\n        return view(**kwargs)\n\n    return wrapper\n\n\n"
        "@app.route('/s/<slug>')\n@drop_slug\ndef page():\n    return 'page'\n",
        "/s/x",
    ),
    # A parent blueprint's preprocessor runs for its nested blueprints' views too.
    "parent_preprocessor": (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nparent = Blueprint('parent', __name__, "
        "url_prefix='/<org>')\nchild = Blueprint('child', __name__)\n\n\n@parent.url_value_preprocessor\n"
        "def pull(endpoint, values):\n    values.pop('org', None)\n    values.pop('slug', None)\n\n\n"
        "@child.route('/c/<slug>')\ndef page():\n    return 'c'\n\n\nparent.register_blueprint(child)\n"
        "app.register_blueprint(parent)\n",
        "/acme/c/x",
    ),
    # url_defaults given at registration supply `lang`.
    "registration_url_defaults": (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nbp = Blueprint('p', __name__)\n\n\n"
        "@bp.route('/about')\ndef about(lang):\n    return lang\n\n\n"
        "app.register_blueprint(bp, url_defaults={'lang': 'en'})\n",
        "/about",
    ),
    "star_kwargs": (HEADER + "@app.route('/u/<user_id>')\ndef user(**kwargs):\n    return kwargs['user_id']\n", "/u/1"),
    "parameter_default": (HEADER + "@app.route('/search')\ndef search(page='1'):\n    return page\n", "/search"),
    # redirect_to: the view is never called.
    "redirect_to": (HEADER + "@app.route('/old/<x>', redirect_to='/new')\ndef old():\n    return ''\n\n\n"
                    "@app.route('/new')\ndef new():\n    return 'new'\n", "/new"),
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_traps_work_in_flask_and_stay_silent(tmp_path: Path, name: str) -> None:
    source, path = TRAPS[name]
    assert _request(source, path) == ""
    write_project(tmp_path, {"app.py": source})
    assert _messages(tmp_path) == []


def test_a_pass_through_login_required_is_seen_through(project) -> None:
    source = (
        "from flask import Flask\nfrom flask_login import login_required\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/n/<note_id>')\n@login_required\ndef note(nid):\n    return nid\n"
    )
    assert [f[1:5] for f in findings(project(source, select=CODE))] == [(7, 11, 7, 25)]


def test_decorators_above_the_routes_do_not_matter(project) -> None:
    source = HEADER + "@cache.cached()\n@app.route('/n')\ndef note(nid):\n    return nid\n"
    (finding,) = findings(project(source, select=CODE))
    assert finding[5].endswith("`TypeError: note() missing 1 required positional argument: 'nid'`")


def test_keyword_only_and_nested_views_quote_python_exactly(tmp_path: Path) -> None:
    source = (
        "from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n\n"
        "    @app.route('/k')\n    def keyed(*, token):\n        return token\n\n"
        "    @app.route('/x/<a>/<b>')\n    def two():\n        return ''\n\n    return app\n\n\napp = create_app()\n"
    )
    write_project(tmp_path, {"app.py": source})
    messages = [f[5] for f in _messages(tmp_path)]
    expected = [
        "`TypeError: create_app.<locals>.keyed() missing 1 required keyword-only argument: 'token'`",
        "`TypeError: create_app.<locals>.two() got an unexpected keyword argument 'a'`",
    ]
    assert [m.partition("a request raises ")[2] for m in messages] == expected
    assert _request(source, "/k") == expected[0]
    assert _request(source, "/x/1/2") == expected[1]
    assert "passes `a` and `b`, which `create_app.<locals>.two()` does not accept" in messages[1]


def test_prefix_variables_count_once_the_blueprint_is_followed(tmp_path: Path) -> None:
    files = {
        "app.py": "from flask import Flask\n\nfrom views import bp\n\napp = Flask(__name__)\n"
        "app.register_blueprint(bp, url_prefix='/<lang>')\n",
        "views.py": "from flask import Blueprint\n\nbp = Blueprint('v', __name__)\n\n\n"
        "@bp.route('/about')\ndef about(lang, section):\n    return lang\n",
    }
    write_project(tmp_path, files)
    (finding,) = _messages(tmp_path)
    assert finding[0] == "views.py"
    assert finding[5] == (
        "the route `/about` does not pass `section`, which `about()` requires: a request raises "
        "`TypeError: about() missing 1 required positional argument: 'section'`"
    )


def test_a_preprocessor_of_another_blueprint_does_not_silence(tmp_path: Path) -> None:
    source = (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\na = Blueprint('a', __name__)\n"
        "b = Blueprint('b', __name__)\n\n\n@a.url_value_preprocessor\ndef pull(endpoint, values):\n"
        "    values.pop('slug', None)\n\n\n@b.route('/b/<slug>')\ndef page():\n    return 'b'\n\n\n"
        "app.register_blueprint(a)\napp.register_blueprint(b)\n"
    )
    write_project(tmp_path, {"app.py": source})
    (finding,) = _messages(tmp_path)
    assert finding[1:5] == (13, 9, 13, 20)
    assert _request(source, "/b/x") == "`TypeError: page() got an unexpected keyword argument 'slug'`"


@pytest.mark.parametrize(
    "source",
    [
        # An unknown prefix (computed) and an unknown registration: a missing parameter may be supplied.
        "from flask import Blueprint\n\nbp = Blueprint('v', __name__, url_prefix=PREFIX)\n\n\n"
        "@bp.route('/about')\ndef about(lang):\n    return lang\n",
        "from flask import Blueprint\n\nbp = Blueprint('v', __name__)\n\n\n@bp.route('/about')\ndef about(lang):\n"
        "    return lang\n",
        # A subdomain variable, a computed defaults=, **options.
        HEADER + "@app.route('/', subdomain='<user>')\ndef home(user):\n    return user\n",
        HEADER + "@app.route('/', defaults=DEFAULTS)\ndef home(page):\n    return page\n",
        HEADER + "@app.route('/<x>', **OPTIONS)\ndef home():\n    return ''\n",
        # *args, positional-only parameters, methods.
        HEADER + "@app.route('/<x>')\ndef home(*args):\n    return ''\n",
        HEADER + "@app.route('/<x>')\ndef home(x, /):\n    return x\n",
        HEADER + "class Views:\n    @app.route('/<x>')\n    def home(self):\n        return ''\n",
        # add_url_rule with a view the rule does not read.
        HEADER + "from views import home\n\napp.add_url_rule('/<x>', view_func=home)\n",
        # A rule Werkzeug rejects at import (FLK205's finding), or one using the project's own converter.
        HEADER + "@app.route('/team/<team_id:int>')\ndef team(team_id):\n    return ''\n",
        HEADER + "@app.route('/<x>/<x>')\ndef home(x):\n    return x\n",
        HEADER + "@app.route('/<slug:post>')\ndef home(slug):\n    return slug\n",
        # Another framework's routes take query parameters.
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/items')\ndef items(q: str):\n    return q\n",
    ],
)
def test_silent_where_the_values_are_not_all_visible(project, source: str) -> None:
    assert project(source, select=CODE) == []


def test_the_rename_follows_closures_and_reassignments(tmp_path: Path) -> None:
    source = (
        HEADER + "uid = 'module'\n\n\n@app.route('/u/<user_id>')\ndef user(uid):\n    uid = int(uid)\n\n"
        "    def label():\n        return f'#{uid}'\n\n    items = [uid for uid in range(3)]\n"
        "    return {'id': uid, 'label': label(), 'items': items, 'obj': obj.uid, 'call': call(uid=uid)}\n"
    )
    expected = source.replace("def user(uid):\n    uid = int(uid)", "def user(user_id):\n    user_id = int(user_id)")
    expected = expected.replace("f'#{uid}'", "f'#{user_id}'").replace("{'id': uid,", "{'id': user_id,")
    expected = expected.replace("call(uid=uid)", "call(uid=user_id)")
    write_project(tmp_path, {"app.py": source})
    check_fixed(tmp_path, CODE, {"app.py": expected})


@pytest.mark.parametrize(
    "source",
    [
        # The new name is already used in the view: renaming would capture it.
        HEADER + "@app.route('/u/<user_id>')\ndef user(uid):\n    return {'a': uid, 'b': user_id}\n",
        # The view reads its own locals.
        HEADER + "@app.route('/u/<user_id>')\ndef user(uid):\n    return locals()\n",
        # f"{uid=}" prints the name.
        HEADER + "@app.route('/u/<user_id>')\ndef user(uid):\n    return f'{uid=}'\n",
        # Another route passes `uid`: the rename would break it.
        HEADER + "@app.route('/u/<user_id>')\n@app.route('/v/<uid>')\ndef user(uid):\n    return {'id': uid}\n",
    ],
)
def test_no_rename_when_it_may_change_a_name_or_break_another_route(project, source: str) -> None:
    found = project(source, select=CODE)
    assert len(found) == 1 and found[0].fix is None
    assert "rename the parameter" not in found[0].message


def test_the_fixed_example_answers_with_real_flask(tmp_path: Path) -> None:
    (case,) = [c for c in RouteVariableMismatch.invalid if c.fixed]
    write_project(tmp_path, case.files)
    text = fix_and_relint(tmp_path, CODE)["app.py"]
    assert _request(text, "/users/7") == ""


def test_facts_record_preprocessors_and_blueprint_url_defaults(tmp_path: Path) -> None:
    from flasklint.engine import analyse_python

    source = (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nbp = Blueprint('b', __name__, "
        "url_defaults={'lang': 'en'})\nplain = Blueprint('p', __name__)\n\n\n@bp.url_value_preprocessor\n"
        "def pull(endpoint, values):\n    pass\n\n\napp.url_value_preprocessor(pull)\n"
        "bp.app_url_value_preprocessor(pull)\napp.register_blueprint(plain, **OPTIONS)\n"
        "app.register_blueprint(bp)\n"
    )
    facts: FileFacts = analyse_python("app.py", "app", False, source.encode())
    assert facts.url_value_preprocessors == ["app.bp", "app.app", ""]
    assert [(b.ref, b.url_defaults) for b in facts.blueprints] == [("app.bp", True), ("app.plain", False)]
    assert [(r.child, r.url_defaults) for r in facts.registrations] == [("app.plain", True), ("app.bp", False)]
    assert FileFacts.from_dict(facts.to_dict()) == facts


PASS_THROUGH = (
    "import functools\n\nfrom flask import current_app, redirect, session\n\n\ndef login_required(view):\n"
    '    """Only for signed-in users."""\n\n    @functools.wraps(view)\n    def wrapper(*args, **kwargs):\n'
    "        if 'user' not in session:\n            return redirect('/login')\n"
    "        return current_app.ensure_sync(view)(*args, **kwargs)\n\n    return wrapper\n"
)


def test_a_project_pass_through_decorator_is_seen_through_here_and_across_modules(tmp_path: Path) -> None:
    views = (
        "from flask import Flask\n\nfrom auth import login_required\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/n/<note_id>')\n@login_required\ndef note(nid):\n    return nid\n"
    )
    write_project(tmp_path, {"auth.py": PASS_THROUGH, "app.py": views})
    assert [(f[0], f[1]) for f in _messages(tmp_path)] == [("app.py", 8)]
    local = PASS_THROUGH + "\n\napp = Flask(__name__)\n\n\n@app.route('/n/<note_id>')\n@login_required\ndef note(nid):\n"\
        "    return nid\n"
    local = local.replace("from flask import current_app", "from flask import Flask, current_app")
    write_project(tmp_path, {"auth.py": "", "app.py": local})
    (finding,) = _messages(tmp_path)
    assert finding[5].endswith("rename the parameter `nid` to `note_id`")


@pytest.mark.parametrize(
    "decorator",
    [
        # Adds an argument.
        PASS_THROUGH.replace("view)(*args, **kwargs)", "view)(*args, user=1, **kwargs)"),
        # Changes the keyword arguments before passing them.
        PASS_THROUGH.replace("        if 'user'", "        kwargs.pop('note_id', None)\n        if 'user'"),
        # Takes named parameters.
        PASS_THROUGH.replace("wrapper(*args, **kwargs)", "wrapper(note_id, *args, **kwargs)"),
    ],
)
def test_decorators_that_touch_the_arguments_stay_opaque(tmp_path: Path, decorator: str) -> None:
    views = (
        "from flask import Flask\n\nfrom auth import login_required\n\napp = Flask(__name__)\n\n\n"
        "@app.route('/n/<note_id>')\n@login_required\ndef note(nid):\n    return nid\n"
    )
    write_project(tmp_path, {"auth.py": decorator, "app.py": views})
    assert _messages(tmp_path) == []


def test_a_blueprint_with_a_literal_prefix_is_checked_for_missing_parameters(tmp_path: Path) -> None:
    source = (
        "from flask import Flask, Blueprint\n\napp = Flask(__name__)\nbp = Blueprint('admin', __name__, "
        "url_prefix='/admin')\n\n\n@bp.route('/users')\ndef users(page):\n    return page\n\n\n"
        "app.register_blueprint(bp)\n"
    )
    write_project(tmp_path, {"app.py": source})
    (finding,) = _messages(tmp_path)
    assert finding[1:5] == (7, 10, 7, 18)
    assert _request(source, "/admin/users") in finding[5]


def test_add_url_rule_with_a_def_of_the_module_is_checked(tmp_path: Path) -> None:
    source = (
        "from flask import Flask\n\n\ndef show(uid):\n    return {'id': uid}\n\n\ndef create_app():\n"
        "    app = Flask(__name__)\n    app.add_url_rule('/u/<user_id>', 'show', show)\n    return app\n\n\n"
        "app = create_app()\n"
    )
    write_project(tmp_path, {"app.py": source})
    (finding,) = _messages(tmp_path)
    assert finding[1:5] == (10, 21, 10, 35)
    assert _request(source, "/u/1") in finding[5]
    fixed = fix_and_relint(tmp_path, CODE)["app.py"]
    assert "def show(user_id):\n    return {'id': user_id}" in fixed and _request(fixed, "/u/1") == ""


@pytest.mark.parametrize(
    "registration",
    [
        "show = login_required(show)\napp.add_url_rule('/u/<user_id>', view_func=show)\n",  # rebound
        "app.add_url_rule('/u/<user_id>', view_func=show, **OPTIONS)\n",
        "app.add_url_rule('/u/<user_id>', view_func=views.show)\n",
    ],
)
def test_add_url_rule_stays_silent_where_the_view_is_not_the_def(project, registration: str) -> None:
    source = HEADER + "def show(uid):\n    return {'id': uid}\n\n\n" + registration
    assert project(source, select=CODE) == []
