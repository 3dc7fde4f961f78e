"""Open redirects read from the model alone: which target of `redirect()` / a `Location` header holds
unchecked request data, and what the URL analysis counts as same-site or checked."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from flasklint.model.dataflow import dataflow_for
from flasklint.model.module import ModuleModel
from flasklint.model.redirects import fixes_host, is_url_check_name, open_redirects
from flasklint.model.traversal import build_model
from flasklint.source import parse_source

HEADER = """\
from urllib.parse import urlparse, urlsplit
from flask import Flask, Response, abort, make_response, redirect, request, url_for

app = Flask(__name__)
ALLOWED = ("/", "/help")

def get_safe_redirect(url):
    return url
"""


def model_of(source: str) -> ModuleModel:
    text = HEADER + textwrap.dedent(source)
    tree = parse_source(text)
    assert isinstance(tree, cst.Module)
    return build_model("app.py", "app", False, text, tree)


def targets(source: str) -> list[tuple[str, str, list[str], int]]:
    """(target code, sink, source labels, line in `source`) of each open redirect, in order."""
    model = model_of(source)
    return [
        (
            model.code(r.target).strip(),
            r.sink,
            sorted(t.label for t in r.taints),
            model.span(r.target)[0] - HEADER.count("\n"),
        )
        for r in open_redirects(model)
    ]


def view(body: str) -> str:
    """`body` (one statement per line, `|` for a line break) as the body of a view at /v."""
    lines = body.split("|")
    return '\n@app.route("/v")\ndef v():\n' + "".join(f"    {line}\n" for line in lines)


def shared_path_taint(source: str) -> bool:
    """Whether the shared analysis (the "path" purpose FLK102/FLK107 ask) taints a redirect the view returns."""
    model = model_of(source)
    function = next(f for f in model.functions if f.name == "v")
    analysis = dataflow_for(model).analysis(function, "path")
    redirects = [
        r.value for r in analysis.flow.returns if isinstance(r.value, cst.Call) and model.code(r.value.func) == "redirect"
    ]
    return any(analysis.taint(call.args[0].value) for call in redirects)


REPORTED = [
    ('return redirect(request.args.get("next") or url_for("index"))', '`request.args` value'),
    ('return redirect(request.form["next"])', '`request.form` value'),
    ('return redirect(request.values.get("next"))', '`request.values` value'),
    ('return redirect(request.json["next"])', '`request.json`'),
    ("return redirect(request.referrer)", "`request.referrer`"),
    ('return redirect(request.headers.get("Referer") or "/")', '`request.headers` value'),
    ('return redirect(request.headers["X-Original-URL"])', '`request.headers` value'),
    ('return redirect("/" + request.args["p"])', '`request.args` value'),
    ('return redirect(f"/{request.args[\'p\']}")', '`request.args` value'),
    ('return redirect("//%s" % request.args["host"])', '`request.args` value'),
    ('return redirect("https://{}".format(request.args["host"]))', '`request.args` value'),
    ('return redirect("https://example.com" + request.args["p"])', '`request.args` value'),
    ('n = request.args["n"]|if n.startswith("/") and not n.startswith("//"):|    return redirect(n)|abort(400)', '`request.args` value'),
    ('n = request.args["n"]|if n == "":|    n = url_for("index")|return redirect(n)', '`request.args` value'),
    ('n = request.args["n"]|if n in ("", None):|    n = "/"|return redirect(n)', '`request.args` value'),
    ('n = request.args["n"]|if "://" in n:|    abort(400)|return redirect(n)', '`request.args` value'),
    ('n = request.args["n"]|return redirect(urlparse(n).geturl() and n)', '`request.args` value'),
]


@pytest.mark.parametrize(("body", "label"), REPORTED)
def test_request_data_reaching_redirect_is_reported(body: str, label: str) -> None:
    found = targets(view(body))
    assert [(sink, labels) for _, sink, labels, _ in found] == [("`redirect()`", [label])]


SAME_SITE_OR_CHECKED = [
    # same-site values
    "return redirect(request.path)",
    "return redirect(request.full_path)",
    "return redirect(request.url)",
    "return redirect(request.base_url)",
    # a constant start that fixes the host
    'return redirect("/users/" + request.args["name"])',
    'return redirect(f"/search?q={request.args[\'q\']}")',
    'return redirect("?page=" + request.args["page"])',
    'return redirect("https://example.com/" + request.args["p"])',
    'return redirect("/a/%s" % request.args["p"])',
    'return redirect("/a/{}".format(request.args["p"]))',
    'return redirect(url_for("index") + "#" + request.args["anchor"])',
    'return redirect(request.path + "?" + request.args["q"])',
    'return redirect(f"https://{request.headers[\'Host\']}{request.full_path}")',
    'return redirect(request.headers.get("X-Forwarded-Proto", "http") + "://" + request.host + request.path)',
    'return redirect(app.config["SITE_URL"] + request.args["p"])',
    # checks
    'n = request.args["n"]|if urlparse(n).netloc:|    abort(400)|return redirect(n)',
    'n = request.args["n"]|if not urlsplit(n).netloc and not urlsplit(n).scheme:|    return redirect(n)|return "no"',
    'n = request.args["n"]|parts = urlsplit(n.strip())|if parts.scheme or parts.netloc:|    n = "/"|return redirect(n)',
    'n = request.args["n"]|if n not in app.config["REDIRECTS"]:|    abort(400)|return redirect(n)',
    'n = request.args["n"]|if not n.startswith(request.host_url):|    abort(400)|return redirect(n)',
    'n = request.args["n"]|if not url_has_allowed_host_and_scheme(n, allowed_hosts=None):|    abort(400)|return redirect(n)',
    'if not is_safe_url(request.args["n"]):|    abort(400)|return redirect(request.args["n"])',
    'return redirect(get_safe_redirect(request.args.get("next", "")))',
]


@pytest.mark.parametrize("body", SAME_SITE_OR_CHECKED)
def test_same_site_and_checked_urls_are_clean(body: str) -> None:
    source = view(body)
    assert targets(source) == []
    assert shared_path_taint(source), "the shared analysis taints it: the URL analysis is what makes it clean"


def test_constant_allow_lists_vet_where_they_hold() -> None:
    """guards.py's narrowing, in the shared analysis: after the `if`, not before it."""
    source = view('n = request.args["n"]|if n not in ALLOWED:|    return redirect(n)|return redirect(n)')
    assert [line for _, _, _, line in targets(source)] == [6]


def test_location_headers() -> None:
    source = """
    @app.route("/a")
    def a():
        response = make_response("", 302)
        response.headers["location"] = request.args["a"]
        response.headers.set("Location", request.args["b"])
        return response

    @app.route("/b")
    def b():
        return Response("", 302, [("Location", request.args["c"])])

    @app.route("/c")
    def c():
        return make_response("", 302, {"Location": request.args["d"]})

    @app.route("/d")
    def d():
        return "", 302, {"Location": request.args["e"]}
    """
    assert [(code, sink, line) for code, sink, _, line in targets(source)] == [
        ('request.args["a"]', "the `Location` header", 5),
        ('request.args["b"]', "the `Location` header", 6),
        ('request.args["c"]', "the `Location` header", 11),
        ('request.args["d"]', "the `Location` header", 15),
        ('request.args["e"]', "the `Location` header", 19),
    ]


def test_returned_location_tuples_in_nested_blocks() -> None:
    """Returns inside branches, loops, handlers and `with` blocks count; a nested function's are its own."""
    source = """
    @app.route("/a")
    def a():
        with lock:
            if request.args.get("x"):
                return "", 302, {"Location": request.args["x"]}
            else:
                for _ in range(3):
                    try:
                        pass
                    except KeyError:
                        return "", 302, {"Location": request.args["y"]}
        def inner():
            return "", 302, {"Location": "/"}
        return inner()
    """
    assert [(code, line) for code, _, _, line in targets(source)] == [
        ('request.args["x"]', 6),
        ('request.args["y"]', 12),
    ]


def test_other_headers_and_attributes_are_not_sinks() -> None:
    source = """
    @app.route("/a", methods=["POST"])
    def a():
        response = make_response("", 200)
        response.headers["X-Location"] = request.form["x"]
        current_user.location = request.form["location"]
        return response, 200, {"Content-Location": request.form["y"]}

    def parse_place():
        return request.form["name"], {"location": request.form["location"]}
    """
    assert targets(source) == []


def test_helpers_one_level_deep() -> None:
    source = """
    def go(url):
        return redirect(url)

    def twice(url):
        return go(url)

    def next_url():
        return request.args.get("next")

    @app.route("/a")
    def a():
        return go(request.args["a"])

    @app.route("/b")
    def b():
        return twice(request.args["b"])

    @app.route("/c")
    def c():
        return redirect(next_url())

    @app.route("/d")
    def d():
        return go("/home")
    """
    assert [(code, labels, line) for code, _, labels, line in targets(source)] == [
        ("url", ["`request.args` value"], 3),
        ("next_url()", ["`request.args` value"], 21),
    ]


def test_route_variables_of_string_converters_only() -> None:
    source = """
    @app.route("/a/<path:target>")
    def a(target):
        return redirect(target)

    @app.route("/b/<int:page>")
    def b(page):
        return redirect(page)
    """
    assert [(code, labels) for code, _, labels, _ in targets(source)] == [("target", ["route variable `target`"])]


@pytest.mark.parametrize(
    ("prefix", "fixed"),
    [
        ("/users/", True),
        ("/?next=", True),
        ("?page=", True),
        ("#", True),
        ("search?q=", True),
        ("https://example.com/", True),
        ("https://example.com?x=", True),
        ("/", False),
        ("//", False),
        ("/\\", False),
        ("/\t/", False),
        ("", False),
        ("https://", False),
        ("https://example.com", False),  # + ".evil.example" or "@evil.example"
        ("https://user@", False),
        ("javascript:", False),
        ("http", False),
    ],
)
def test_fixes_host(prefix: str, fixed: bool) -> None:
    assert fixes_host(prefix) is fixed


@pytest.mark.parametrize(
    ("name", "vets"),
    [
        ("is_safe_url", True),
        ("url_has_allowed_host_and_scheme", True),
        ("is_valid_redirect", True),
        ("get_safe_next_url", True),
        ("is_local_url", True),
        ("_is_safe_redirect_url", True),
        ("check_trusted_host", True),
        ("is_safe", False),
        ("url_for", False),
        ("validate_password", False),
        ("redirect", False),
    ],
)
def test_url_check_names(name: str, vets: bool) -> None:
    assert is_url_check_name(name) is vets
