"""Python URL literals: what urls.py finds, where, and what FLK203's collect step keeps for a fix."""

from __future__ import annotations

import textwrap

from flasklint.model.facts import UrlLiteral
from flasklint.model.html_links import split_local_url
from flasklint.model.module import ModuleModel
from flasklint.model.routing import HOLE
from flasklint.model.traversal import build_model
from flasklint.model.urls import url_literals
from flasklint.rules.flk203_hardcoded_url import HardcodedUrl, PythonUrl
from flasklint.source import parse_source


def model_of(source: str, path: str = "app.py") -> ModuleModel:
    text = textwrap.dedent(source)
    return build_model(path, "app", False, text, parse_source(text))  # type: ignore[arg-type]


def literals(source: str, path: str = "app.py") -> list[UrlLiteral]:
    return [literal for literal, _ in url_literals(model_of(source, path))]


def fix_data(source: str) -> list[PythonUrl]:
    """What FLK203's collect step keeps of each literal: how its fix spells and imports url_for."""
    return HardcodedUrl().collect(model_of(source)) or []


HEADER = """\
from flask import Flask, redirect

app = Flask(__name__)
"""


def test_redirect_literal_span_covers_the_quotes_and_records_the_import_fix() -> None:
    [found] = literals(HEADER + "\n@app.route('/a')\ndef a():\n    return redirect('/login?next=/a#top')\n")
    assert (found.path, found.query, found.fragment, found.context) == ("/login", "next=/a", "top", "redirect")
    assert found.span == (7, 20, 7, 40) and found.quote == "'"
    [data] = fix_data(HEADER + "\n@app.route('/a')\ndef a():\n    return redirect('/login?next=/a#top')\n")
    assert data["literal"]["span"] == (7, 20, 7, 40) and data["url_for"] is None
    # The existing `from flask import ...` line is extended rather than a second import added.
    assert (data["import_span"], data["import_text"]) == ((1, 33, 1, 33), ", url_for")


def test_fstring_holes_in_order_and_unusable_holes() -> None:
    found = literals(
        HEADER
        + """
@app.route('/a/<int:x>')
def a(x):
    redirect(f"/posts/{x}/{x + 1!r}")
    return redirect(location=f"/u/{x:>3}?page={x}")
"""
    )
    assert [(f.path, f.query, f.holes) for f in found] == [
        (f"/posts/{HOLE}/{HOLE}", None, ["x", None]),
        (f"/u/{HOLE}", f"page={HOLE}", [None, "x"]),
    ]


def test_url_for_spelling_follows_the_imports() -> None:
    view = "\n@app.route('/a')\ndef a():\n    return {call}('/a')\n"
    [module_import] = fix_data("import flask\n\napp = flask.Flask(__name__)\n" + view.format(call="flask.redirect"))
    assert module_import["url_for"] == "flask.url_for" and module_import["import_span"] is None
    [imported] = fix_data(HEADER.replace("redirect", "redirect, url_for") + view.format(call="redirect"))
    assert imported["url_for"] == "url_for"
    [local_name] = fix_data(HEADER + "\nurl_for = None\n" + view.format(call="redirect"))
    assert local_name["url_for"] is None and local_name["import_span"] is None  # an import would shadow it


def test_new_import_line_when_flask_is_not_imported_by_name() -> None:
    source = (
        '"""Views."""\nimport flask as f\nfrom werkzeug.utils import redirect\n\napp = f.Flask(__name__)\n\n'
        '@app.route("/a")\ndef a():\n    return redirect("/a")\n'
    )
    [data] = fix_data(source)
    assert (data["import_span"], data["import_text"]) == ((4, 0, 4, 0), "from flask import url_for\n")


def test_location_headers_and_html_in_views() -> None:
    found = literals(
        HEADER
        + '''
@app.route('/a')
def a():
    headers = {"Location": "/x"}
    response.headers["location"] = "/y"
    page = """<ul>
  <li><a href='/z'>z</a></li>
</ul>"""
    return f'<img src="/static/{name}.png">', 302, [("Location", "/w")]
'''
    )
    assert [(f.context, f.path, f.span) for f in found] == [
        ("location", "/x", (7, 27, 7, 31)),
        ("location", "/y", (8, 35, 8, 39)),
        ("location", "/w", (12, 65, 12, 69)),
        ("html", "/z", (10, 15, 10, 17)),  # inside a triple-quoted string, on its third line
        ("html", f"/static/{HOLE}.png", (12, 23, 12, 41)),
    ]


def test_only_request_context_code_counts() -> None:
    found = literals(
        HEADER
        + """
HOME = "/"
LINK = '<a href="/home">home</a>'

def helper():
    return redirect("/helper")

@app.cli.command()
def seed():
    redirect("/cli")

@app.errorhandler(404)
def not_found(error):
    return redirect("/hook")

@app.route("/v")
def view():
    def inner():
        return redirect("/inner")
    '''<a href="/docstring">'''
    return redirect("/view")
"""
    )
    assert [f.path for f in found] == ["/hook", "/view"]


def test_class_based_view_methods_count() -> None:
    found = literals(
        HEADER
        + """
from flask.views import MethodView

class Users(MethodView):
    def post(self):
        return redirect("/users")

app.add_url_rule("/users", view_func=Users.as_view("users"))
"""
    )
    assert [f.path for f in found] == ["/users"]


def test_not_local_urls() -> None:
    source = HEADER + "\n@app.route('/a')\ndef a():\n" + "".join(
        f"    redirect({literal})\n"
        for literal in (
            "'https://example.com/a'", "'//cdn.example.com/a'", "'#top'", "'mailto:a@example.com'", "'a/b'",
            "b'/bytes'", "'/a' '/b'", "f'/{x}'", "f'/a{{x}}'", "'/a' + x", "x",
        )
    )  # fmt: skip
    assert literals(source) == []


def test_test_files_are_not_collected() -> None:
    source = HEADER + "\n@app.route('/a')\ndef a():\n    return redirect('/a')\n"
    assert literals(source, "tests/test_views.py") == []
    assert literals(source, "conftest.py") == []


def test_split_local_url() -> None:
    assert split_local_url("/a?b=1#c") is not None
    assert split_local_url("/a?b=1#c").__dict__ == {"path": "/a", "query": "b=1", "fragment": "c"}
    assert split_local_url("/") is not None
    for url in ("", "a", "//x", "#a", "https://x/a", "/a\\b", f"/{HOLE}", f"/{HOLE}/"):
        assert split_local_url(url) is None, url
