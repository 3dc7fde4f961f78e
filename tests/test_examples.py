"""The README's demo: examples/quickstart/ shows every quickstart pitfall, its clean twin shows none;
examples/multi_app/ shows a repository with two apps, each checked against its own routes.

Expectations name the line by a snippet of its text, so the examples can be edited freely as long
as each pitfall stays on the line that holds it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import lint
from flasklint.diagnostics import Diagnostic
from flasklint.source import SourceError, parse_source

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
QUICKSTART = EXAMPLES / "quickstart"
CLEAN = EXAMPLES / "quickstart-clean"
MULTI_APP = EXAMPLES / "multi_app"

# (file, code, snippet of the reported line; None means the file itself, reported at line 1)
EXPECTED = [
    ("app.py", "FLK101", 'return f"Hello, {name}!"'),
    ("app.py", "FLK101", 'return f"<h1>Results for {query}</h1>'),
    ("app.py", "FLK201", 'url_for("indx")'),
    ("app.py", "FLK203", 'redirect("/login")'),
    ("app.py", "FLK102", "f.filename))"),
    ("app.py", "FLK103", 'app.run(host="0.0.0.0", debug=True)'),
    ("app.py", "FLK302", 'session["username"] = request.form["username"]'),
    ("app.py", "FLK302", 'session.pop("username", None)'),
    ("app.py", "FLK302", 'flash("File uploaded")'),
    ("config.py", "FLK104", "b'_5#y2L\"F4Q8z\\n\\xec]/'"),
    ("flask.py", "FLK301", None),
    ("Dockerfile", "FLK103", "flask --app app run --debug --host=0.0.0.0"),
    ("templates/base.html", "FLK203", '"/static/style.css"'),
    ("templates/base.html", "FLK201", "url_for('logn')"),
    ("templates/index.html", "FLK203", '"/user/42"'),
]
QUICKSTART_CODES = {"FLK101", "FLK102", "FLK103", "FLK104", "FLK201", "FLK203", "FLK301", "FLK302"}


# examples/multi_app: the shop at the root and the back office under /admin (wsgi.py). Each finding is
# the right app's: `/login` is the shop's `login` in the shop and nothing in the back office, whose own
# login is `/admin/login`; the back office has no secret key and no `home` endpoint.
MULTI_APP_EXPECTED = [
    ("shop/__init__.py", "FLK203", 'return redirect("/login")'),
    ("shop/catalog.py", "FLK203", 'redirect(f"/catalog/items/{max(ITEMS)}")'),
    ("shop/templates/base.html", "FLK203", '"/static/shop.css"'),
    ("shop/templates/base.html", "FLK203", '<a href="/catalog/">Catalogue'),
    ("shop/templates/home.html", "FLK203", '"/catalog/items/42"'),
    ("shop/templates/login.html", "FLK201", "url_for('catalog.indx')"),
    ("admin/__init__.py", "FLK302", 'session["admin"] = request.form["user"]'),
    ("admin/__init__.py", "FLK203", 'return redirect("/admin/")'),
    ("admin/__init__.py", "FLK201", 'url_for("home")'),
    ("admin/templates/dashboard.html", "FLK203", '"/admin/login"'),
]
# What looks like a pitfall but is right at run time: nothing is reported on these lines.
MULTI_APP_TRAPS = [
    ("shop/__init__.py", 'session["customer"] = request.form["email"]'),  # the shop sets its key
    ("shop/templates/base.html", '<a href="/admin/">Back office</a>'),  # the other app's URL
    ("shop/templates/base.html", '<!-- <a href="/login">Sign in</a> -->'),  # dead markup
    ("shop/templates/base.html", '"https://status.example.com/"'),
    ("shop/templates/catalog/item.html", "url_for('.index')"),  # relative to the rendering blueprint
    ("admin/__init__.py", 'render_template("export.html", url_for=signed_url_for)'),
    ("admin/templates/dashboard.html", '<a href="/login">Shop sign-in</a>'),  # the shop's, not this app's
    ("admin/templates/dashboard.html", '<a href="/catalog/">Shop catalogue</a>'),
    ("admin/templates/export.html", "url_for('orders.csv')"),  # a custom url_for, not Flask's
    ("admin/templates/export.html", '<a href="/admin/">Back</a>'),
    ("deploy/chart/templates/NOTES.txt", "{{- if .Values.ingress.enabled }}"),  # Go templates, not Jinja
    ("deploy/chart/templates/NOTES.txt", "http://127.0.0.1:8000/login"),
    ("tests/test_apps.py", 'shop_app.test_client().get("/login")'),  # tests drive the app through its URLs
]
MULTI_APP_CODES = {"FLK201", "FLK203", "FLK302"}


def _expected_position(relative: str, snippet: str | None, root: Path = QUICKSTART) -> tuple[int, int, int]:
    """(line, first column, last column) of the snippet in the example file."""
    if snippet is None:
        return 1, 0, 0
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    hits = [(number, line.index(snippet)) for number, line in enumerate(lines, start=1) if snippet in line]
    assert len(hits) == 1, f"snippet {snippet!r} must occur once in {relative}, found {len(hits)}"
    number, column = hits[0]
    return number, column, column + len(snippet)


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


def _flasklint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return _run(sys.executable, "-m", "flasklint", *args, cwd=cwd)


@pytest.fixture(scope="module")
def quickstart_diagnostics() -> list[Diagnostic]:
    return lint(QUICKSTART)


def test_every_quickstart_rule_is_demonstrated() -> None:
    assert {code for _, code, _ in EXPECTED} == QUICKSTART_CODES


@pytest.mark.parametrize(("relative", "code", "snippet"), EXPECTED, ids=[f"{c}-{p}-{s}" for p, c, s in EXPECTED])
def test_quickstart_pitfall_is_reported_where_it_is(
    quickstart_diagnostics: list[Diagnostic], relative: str, code: str, snippet: str | None
) -> None:
    line, first, last = _expected_position(relative, snippet)
    found = [d for d in quickstart_diagnostics if d.path == relative and d.code == code and d.start.row == line]
    assert len(found) == 1, f"expected one {code} at {relative}:{line}, got {quickstart_diagnostics}"
    assert first <= found[0].start.column <= last, f"{code} at column {found[0].start.column}, snippet at {first}"


def test_quickstart_reports_nothing_else(quickstart_diagnostics: list[Diagnostic]) -> None:
    expected = {(path, code, _expected_position(path, snippet)[0]) for path, code, snippet in EXPECTED}
    extra = [d for d in quickstart_diagnostics if (d.path, d.code, d.start.row) not in expected]
    assert not extra, f"unexpected diagnostics in examples/quickstart: {extra}"


def test_clean_twin_is_clean() -> None:
    assert lint(CLEAN) == []


@pytest.fixture(scope="module")
def multi_app_diagnostics() -> list[Diagnostic]:
    return lint(MULTI_APP)


@pytest.mark.parametrize(
    ("relative", "code", "snippet"), MULTI_APP_EXPECTED, ids=[f"{c}-{p}-{s}" for p, c, s in MULTI_APP_EXPECTED]
)
def test_multi_app_finding_is_reported_where_it_is(
    multi_app_diagnostics: list[Diagnostic], relative: str, code: str, snippet: str
) -> None:
    line, first, last = _expected_position(relative, snippet, MULTI_APP)
    found = [d for d in multi_app_diagnostics if d.path == relative and d.code == code and d.start.row == line]
    assert len(found) == 1, f"expected one {code} at {relative}:{line}, got {multi_app_diagnostics}"
    assert first <= found[0].start.column <= last, f"{code} at column {found[0].start.column}, snippet at {first}"


@pytest.mark.parametrize(("relative", "snippet"), MULTI_APP_TRAPS, ids=[f"{p}-{s}" for p, s in MULTI_APP_TRAPS])
def test_multi_app_trap_is_silent(multi_app_diagnostics: list[Diagnostic], relative: str, snippet: str) -> None:
    line, _, _ = _expected_position(relative, snippet, MULTI_APP)
    assert [d for d in multi_app_diagnostics if d.path == relative and d.start.row == line] == []


def test_multi_app_reports_nothing_else(multi_app_diagnostics: list[Diagnostic]) -> None:
    assert {code for _, code, _ in MULTI_APP_EXPECTED} == MULTI_APP_CODES
    expected = {
        (path, code, _expected_position(path, snippet, MULTI_APP)[0]) for path, code, snippet in MULTI_APP_EXPECTED
    }
    extra = [d for d in multi_app_diagnostics if (d.path, d.code, d.start.row) not in expected]
    assert not extra, f"unexpected diagnostics in examples/multi_app: {extra}"


def test_multi_app_fixes_name_each_apps_own_endpoint(multi_app_diagnostics: list[Diagnostic]) -> None:
    """The same path, `/login`, is fixed to the shop's `login`; the back office's login is `admin_login`
    under its mount. The f-string (a hole), the missing secret key and the did-you-mean get unsafe fixes."""
    fixes = sorted(
        (d.path, d.start.row, d.fix.applicability.value, d.fix.edits[0].content)
        for d in multi_app_diagnostics
        if d.fix is not None
    )
    assert fixes == [
        ("admin/__init__.py", 32, "unsafe", 'app.secret_key = os.environ["SECRET_KEY"]\n'),
        ("admin/__init__.py", 34, "safe", 'url_for("dashboard")'),
        ("admin/templates/dashboard.html", 5, "safe", "{{ url_for('admin_login') }}"),
        ("shop/__init__.py", 33, "safe", 'url_for("login")'),
        ("shop/catalog.py", 24, "unsafe", 'url_for("catalog.item", item_id=max(ITEMS))'),
        ("shop/templates/base.html", 6, "safe", "{{ url_for('static', filename='shop.css') }}"),
        ("shop/templates/base.html", 11, "safe", "{{ url_for('catalog.index') }}"),
        ("shop/templates/home.html", 4, "safe", "{{ url_for('catalog.item', item_id=42) }}"),
        ("shop/templates/login.html", 8, "unsafe", "catalog.index"),
    ]


# -- the README's demo, as a user runs it --------------------------------------------------------
def test_cli_shows_every_rule_on_the_quickstart() -> None:
    result = _flasklint("check", "examples/quickstart", cwd=EXAMPLES.parent)
    assert result.returncode == 1, result.stderr
    codes = re.findall(r"^examples/quickstart/\S+:\d+:\d+: (FLK\d{3})", result.stdout, re.M)
    assert set(codes) == QUICKSTART_CODES, result.stdout
    assert len(codes) == len(EXPECTED), result.stdout


def test_cli_passes_the_clean_twin() -> None:
    result = _flasklint("check", "examples/quickstart-clean", cwd=EXAMPLES.parent)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n"), result.stdout + result.stderr


def test_cli_reports_each_multi_app_finding_once() -> None:
    result = _flasklint("check", "--no-cache", "examples/multi_app", cwd=EXAMPLES.parent)
    assert result.returncode == 1, result.stderr
    reported = re.findall(r"^examples/multi_app/(\S+):(\d+):\d+: (FLK\d{3})", result.stdout, re.M)
    expected = [
        (path, str(_expected_position(path, snippet, MULTI_APP)[0]), code) for path, code, snippet in MULTI_APP_EXPECTED
    ]
    assert sorted(reported) == sorted(expected), result.stdout


def test_flake8_reports_what_flasklint_reports_in_python_files() -> None:
    result = _run(sys.executable, "-m", "flake8", "--select", "FLK", "examples/quickstart", cwd=EXAMPLES.parent)
    assert result.returncode == 1, result.stderr
    reported = set(re.findall(r"^examples/quickstart/(\S+\.py):(\d+):\d+: (FLK\d{3})", result.stdout, re.M))
    expected = {
        (path, str(_expected_position(path, snippet)[0]), code)
        for path, code, snippet in EXPECTED
        if path.endswith(".py")
    }
    assert reported == expected, result.stdout


def test_fix_on_a_copy_leaves_only_unfixable_findings(tmp_path: Path) -> None:
    copy = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, copy, ignore=shutil.ignore_patterns(".flasklint_cache", "__pycache__"))
    before = json.loads(_flasklint("check", ".", "--output-format", "json", cwd=copy).stdout)

    fixed = _flasklint("check", ".", "--fix", "--unsafe-fixes", cwd=copy)
    assert fixed.returncode in (0, 1), fixed.stderr

    after = json.loads(_flasklint("check", ".", "--output-format", "json", "--unsafe-fixes", cwd=copy).stdout)
    assert 0 < len(after) < len(before)
    assert [d for d in after if d["fix"] is not None] == [], "a fixable diagnostic survived --fix"
    for path in copy.rglob("*.py"):
        assert not isinstance(parse_source(path.read_text(encoding="utf-8")), SourceError), f"{path} broken"
