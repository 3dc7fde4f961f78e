"""What a view accepts and what each stacked route passes (model/view_signatures.py), with exact values."""

from __future__ import annotations

import libcst as cst
import pytest

from flasklint.model.module import ModuleModel
from flasklint.model.traversal import build_model
from flasklint.model.view_signatures import pass_through_decorators, view_signatures
from flasklint.source import parse_source

HEADER = "from flask import Flask\nfrom flask_login import login_required\n\napp = Flask(__name__)\n\n\n"


def model_of(text: str) -> ModuleModel:
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, text, tree)


def test_a_view_its_parameters_and_each_stacked_route() -> None:
    text = HEADER + (
        "@app.route('/p/', defaults={'page': 1})\n@app.get('/p/<int:page>', endpoint='pages')\n@login_required\n"
        "def posts(page, size=10, *, sort, order='asc'):\n    return str(page)\n"
    )
    (view,) = view_signatures(model_of(text))
    assert view == {
        "name": "posts",
        "decorators": [],
        "accepted": ["page", "size", "sort", "order"],
        "required": ["page"],
        "required_keyword_only": ["sort"],
        "routes": [
            {"span": (7, 1, 7, 39), "rule_span": (7, 11, 7, 16), "rule": "/p/", "variables": [], "defaults": ["page"]},
            {"span": (8, 1, 8, 43), "rule_span": (8, 9, 8, 24), "rule": "/p/<int:page>", "variables": ["page"],
             "defaults": []},
        ],
        "renames": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    "view",
    [
        "@app.route('/<x>')\n@cache.cached()\ndef v(x):\n    return x\n",  # may wrap the view
        "@app.route('/<x>', subdomain='<s>')\ndef v(x):\n    return x\n",  # passes `s` too
        "@app.route('/<x>', defaults=DEFAULTS)\ndef v(x):\n    return x\n",
        "@app.route(RULE)\ndef v(x):\n    return x\n",
        "@app.route('/<x>')\ndef v(x, **kwargs):\n    return x\n",
        "@app.route('/<x>')\ndef v(*args):\n    return ''\n",
        "@app.route('/<x>')\ndef v(x, /):\n    return x\n",
    ],
)
def test_views_whose_call_cannot_be_read_exactly_are_left_out(view: str) -> None:
    assert view_signatures(model_of(HEADER + view)) == []


def test_an_imported_decorator_below_a_route_is_recorded_for_the_index() -> None:
    text = HEADER + "from auth import admin_only\n\n\n@login_required\n@app.route('/<x>')\n@admin_only\ndef v(x):\n"\
        "    return x\n"
    (view,) = view_signatures(model_of(text))
    assert view["decorators"] == ["auth.admin_only"]


def test_the_rename_of_a_parameter_covers_its_references() -> None:
    text = HEADER + "@app.route('/u/<user_id>')\ndef user(uid):\n    def inner():\n        return uid\n"\
        "    return {'id': uid, 'inner': inner()}\n"
    (view,) = view_signatures(model_of(text))
    assert view["renames"] == [{"param": "uid", "to": "user_id", "spans": [(8, 9, 8, 12), (10, 15, 10, 18), (11, 18, 11, 21)]}]


PASS_THROUGH = """\
import functools


def plain(f):
    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if not allowed():
            abort(403)
        return f(*args, **kwargs)
    return wrapper


async def awaited(f):
    async def wrapper(*a, **kw):
        return await f(*a, **kw)
    return wrapper


def injects(f):
    def wrapper(*args, **kwargs):
        return f(*args, user=current(), **kwargs)
    return wrapper


def reads_kwargs(f):
    def wrapper(*args, **kwargs):
        log(kwargs)
        return f(*args, **kwargs)
    return wrapper


def login_required(view):  # Flask's tutorial (flaskr/auth.py): route values arrive as keywords only
    @functools.wraps(view)
    def wrapped_view(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login"))
        return view(**kwargs)
    return wrapped_view


def drops_kwargs(view):
    def wrapped_view(**kwargs):
        return view()
    return wrapped_view


def keyword_and_star(view):
    def wrapped_view(*, user=None, **kwargs):
        return view(**kwargs)
    return wrapped_view


def factory(role):
    def decorator(f):
        return f
    return decorator


def twice(f):
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper


def twice(f):
    return f
"""


def test_pass_through_decorators_forward_exactly_what_they_get() -> None:
    assert pass_through_decorators(model_of(PASS_THROUGH)) == ["plain", "awaited", "login_required"]
