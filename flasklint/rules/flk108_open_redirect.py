from __future__ import annotations

from typing import Iterable

from flasklint.diagnostics import Diagnostic, Severity
from flasklint.model.module import ModuleModel
from flasklint.model.redirects import open_redirects
from flasklint.rule import Case, FileRule, Finding


def _message(label: str, sink: str) -> str:
    return (
        f"{label} reaches {sink} unchecked, so a client can send users to another site (`//evil.example`, "
        f"`https://evil.example`): accept only a URL whose `urlsplit()` has no scheme and no netloc, or "
        f"redirect to `url_for(...)`"
    )


class OpenRedirect(FileRule):
    """
    ## What it does
    Reports request data — `request.args`, `request.form`, `request.values`, `request.json`,
    `request.referrer`, headers, cookies, string route variables (`<name>`, `<path:name>`) — that
    reaches the URL of `flask.redirect()` / `werkzeug.utils.redirect()` or a `Location` header
    (`response.headers["Location"] = url`, `response.headers.set("Location", url)`,
    `Response(..., headers={"Location": url})`, `make_response(body, 302, {"Location": url})`,
    `return body, 302, {"Location": url}`) without a check. It follows the value through
    variables, `or` / conditional expressions, `+`, f-strings, `%` and `.format()`, into
    same-module helpers that return it, and into a same-module helper that redirects to its
    parameter (one level deep).

    Not reported:
    - URLs of the site itself: `url_for(...)`, `request.path`, `request.full_path`, `request.url`,
      `request.base_url`, `request.host_url`, `request.url_root`, and the headers that name the site
      as the browser reached it (`Host`, `X-Forwarded-Host`, `X-Forwarded-Proto`: a link cannot set
      them), so `f"https://{request.headers['Host']}{request.full_path}"` is clean;
    - URLs whose constant start fixes the host: `"/user/" + name`, `f"/search?q={q}"`,
      `"?page=" + p`, `"https://example.com/" + path`, `url_for("a") + "#" + anchor`, or a start
      that is a clean value such as `SITE_URL + path`;
    - checked values, by name or by expression, wherever the function checks them (whether the check
      is right is beyond a linter): a `urlparse()` / `urlsplit()` of the value whose `.netloc`,
      `.scheme` or `.hostname` is read (`if urlsplit(nxt).netloc: abort(400)`), membership in a
      collection (`if nxt not in ALLOWED`; a constant collection vets the value only where it holds,
      as everywhere in the shared analysis), `nxt.startswith(prefix)` for a prefix that is not only
      slashes (`request.host_url`), and a value passed to — or returned by — a function whose name
      says it vets URLs: a verdict word (safe, allowed, valid, trusted, local, internal, same
      site/origin/host, allow-list) and a URL word (url, uri, redirect, next, target, host,
      location, domain, referrer), such as `is_safe_url`, `url_has_allowed_host_and_scheme`,
      `is_valid_redirect`, `get_safe_next_url`.

    Not seen: `response.location = url`, a value stored in the session and redirected to in a later
    request, redirects built in another module, and helpers more than one call away. A function
    named like a check is trusted whatever it does (`def is_safe_url(u): return True` included).

    ## Why is this bad?
    A redirect to a URL the client chose is an open redirect: a link to
    `https://your.site/login?next=https://evil.example/` (or `//evil.example/`, which browsers read
    as `https://evil.example/`) shows your domain, then lands the user on a look-alike page that
    asks for the password again, or receives an OAuth code. Werkzeug puts the value in the
    `Location` header as it is (it only percent-encodes, so `/\\evil.example` becomes
    `/%5Cevil.example`), and a browser follows it.

    A leading slash is not a check: `redirect("/" + nxt)` with `nxt=/evil.example` sends
    `Location: //evil.example`. Neither is `nxt.startswith("/") and not nxt.startswith("//")`:
    browsers drop tabs and newlines from URLs, and Werkzeug (3.1) writes the header of
    `/<tab>/evil.example` as `Location: //evil.example`.

    `request.referrer` (the `Referer` header) counts as request data: it is the URL of whichever
    page linked to yours, so a page on evil.example that links to a view redirecting "back" gets
    its users bounced through your domain to any of its URLs. That is lower impact than a
    `next` parameter (the user came from that site), yet still a redirector for links that must
    point at your domain (allow-listed link checkers, OAuth return URLs).

    ## Example
    ```python
    from flask import Flask, redirect, request, url_for

    app = Flask(__name__)

    @app.route("/login", methods=["POST"])
    def login():
        return redirect(request.args.get("next") or url_for("index"))
    ```

    ## Use instead
    ```python
    from urllib.parse import urlsplit
    from flask import Flask, redirect, request, url_for

    app = Flask(__name__)

    @app.route("/login", methods=["POST"])
    def login():
        target = request.args.get("next", "")
        parts = urlsplit(target)
        if not target or parts.scheme or parts.netloc:
            target = url_for("index")
        return redirect(target)
    ```

    ## Fix safety
    No fix: what to accept (paths only, some hosts) and where to send a refused value is the
    application's choice.
    """

    code = "FLK108"
    name = "open-redirect"
    summary = "Request data chooses where `redirect()` or a `Location` header sends the browser"
    severity = Severity.ERROR
    fix_availability = "none"
    kinds = frozenset({"python"})
    invalid = [
        Case(
            """
from flask import Flask, redirect, request, url_for

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    return redirect(request.args.get("next") or url_for("index"))
""",
            Finding((8, 20, 8, 64), _message("`request.args` value", "`redirect()`")),
        ),
        Case(
            """
from flask import Flask, abort, redirect, request

app = Flask(__name__)

@app.route("/go")
def go():
    nxt = request.args["next"]
    if not nxt.startswith("/") or nxt.startswith("//"):
        abort(400)
    return redirect(nxt)

@app.route("/back", methods=["POST"])
def back():
    return redirect("/" + request.form["page"])

@app.route("/referrer")
def referrer():
    return redirect(request.referrer)

@app.route("/out/<path:target>")
def out(target):
    return redirect(target)
""",
            Finding((11, 20, 11, 23), _message("`request.args` value", "`redirect()`")),
            Finding((15, 20, 15, 46), _message("`request.form` value", "`redirect()`")),
            Finding((19, 20, 19, 36), _message("`request.referrer`", "`redirect()`")),
            Finding((23, 20, 23, 26), _message("route variable `target`", "`redirect()`")),
        ),
        Case(
            """
from flask import Flask, Response, make_response, request
from werkzeug.utils import redirect

app = Flask(__name__)

@app.route("/a")
def a():
    response = make_response("", 302)
    response.headers["Location"] = request.args["to"]
    return response

@app.route("/b")
def b():
    return Response(status=302, headers={"Location": request.values["to"]})

@app.route("/c")
def c():
    return "", 302, {"Location": f"{request.args['to']}"}

def send_back(url):
    return redirect(url)

@app.route("/d")
def d():
    return send_back(request.args.get("to"))
""",
            Finding((10, 35, 10, 53), _message("`request.args` value", "the `Location` header")),
            Finding((15, 53, 15, 73), _message("`request.values` value", "the `Location` header")),
            Finding((19, 33, 19, 56), _message("`request.args` value", "the `Location` header")),
            Finding((22, 20, 22, 23), _message("`request.args` value", "`redirect()`")),
        ),
    ]
    valid = [
        """
from urllib.parse import urlsplit
from flask import Flask, redirect, request, url_for

app = Flask(__name__)

@app.route("/login", methods=["POST"])
def login():
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if not target or parts.scheme or parts.netloc:
        target = url_for("index")
    return redirect(target)
""",
        """
from urllib.parse import urlparse, urlsplit
from flask import Flask, abort, redirect, request, url_for

app = Flask(__name__)
PAGES = ("/", "/help")

@app.route("/a")
def a():
    nxt = request.args["next"]
    if urlparse(nxt).netloc:
        abort(400)
    return redirect(nxt)

@app.route("/b")
def b():
    n = request.args.get("next", "")
    if not urlsplit(n).netloc and not urlsplit(n).scheme:
        return redirect(n)
    return redirect(url_for("index"))

@app.route("/c")
def c():
    page = request.args.get("page", "/")
    if page not in PAGES:
        page = "/"
    return redirect(page)

@app.route("/d")
def d():
    to = request.args.get("to")
    if to == "/help":
        return redirect(to)
    return redirect(url_for("index", q=request.args.get("q")))
""",
        """
from urllib.parse import urljoin, urlparse
from flask import Flask, abort, redirect, request, url_for

app = Flask(__name__)

def is_safe_url(target):
    here = urlparse(request.host_url)
    there = urlparse(urljoin(request.host_url, target))
    return there.scheme in ("http", "https") and here.netloc == there.netloc

def safe_next():
    for target in request.args.get("next"), request.referrer:
        if target and is_safe_url(target):
            return target
    return url_for("index")

@app.route("/a")
def a():
    nxt = request.args.get("next")
    if not is_safe_url(nxt):
        abort(400)
    return redirect(nxt)

@app.route("/b")
def b():
    return redirect(safe_next())
""",
        """
from flask import Flask, redirect, request, url_for

app = Flask(__name__)

@app.route("/a/<name>")
def a(name):
    return redirect("/users/" + name)

@app.route("/b")
def b():
    return redirect(f"/search?q={request.args['q']}")

@app.route("/c")
def c():
    return redirect(request.full_path + "&seen=1")

@app.route("/d")
def d():
    return redirect(url_for("index") + "#" + request.args["anchor"])

@app.route("/e/<int:page>")
def e(page):
    return redirect(request.path.rstrip("/") or url_for("index", page=page))
""",
    ]

    def check_module(self, model: ModuleModel) -> Iterable[Diagnostic]:
        for redirect in open_redirects(model):
            label = min(t.label for t in redirect.taints)
            yield self.diagnostic(
                model.path, model.span(redirect.target), _message(label, redirect.sink), source=label
            )
