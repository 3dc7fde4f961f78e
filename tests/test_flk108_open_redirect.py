"""FLK108 open-redirect: what real Flask does with the rule's cases, and the rule through the engine.

Each case project is served by real Flask in a subprocess (cwd = the project, imported there and only
there): every view of an INVALID case's findings sends the browser off-site for some attacker value,
and no view of a VALID case does for any of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rule_testing

from flasklint.rule import Case
from flasklint.rules import RULES_BY_CODE

pytest.importorskip("flask", reason="Flask is a test dependency (pip install -e '.[dev]')")

RULE = RULES_BY_CODE["FLK108"]
# Values an attacker puts in a `next=`-like parameter or a path variable.
ATTACKS = ["https://evil.example/", "//evil.example/", "/evil.example/", "/\t/evil.example/", "/\\evil.example/"]
PARAMETERS = ("next", "to", "page", "n", "q", "anchor")

SERVE = """\
import json, sys
from werkzeug.test import Client
from app import app

app.testing = True
if "index" not in app.view_functions:  # the cases' url_for("index"), kept out of their sources
    app.add_url_rule("/", "index", lambda: "home")
client = Client(app)
answers = []
for method, path, data, referrer in json.loads(sys.argv[1]):
    headers = {"Referer": referrer} if referrer else {}
    if method == "GET":
        response = client.get(path, query_string=data, headers=headers)
    else:
        response = client.post(path, query_string=data, data=data, headers=headers)
    answers.append([method, path, data.get("next", ""), response.headers.get("Location")])
print(json.dumps(answers))
"""


def serve(root: Path, requests: list[tuple[str, str, dict[str, str], str]]) -> list[list[str | None]]:
    """(method, path, next value, Location) of each request, answered by real Flask in a fresh interpreter."""
    command = [sys.executable, "-B", "-c", SERVE, json.dumps(requests)]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def attacks_on(source: str) -> list[tuple[str, str, dict[str, str], str]]:
    """Every route of the case (path variables filled with each attack), every method, every value."""
    requests = []
    for line in source.splitlines():
        if line.startswith("@app.route("):
            rule = line.split('"')[1]
            for attack in ATTACKS:
                path = rule.replace("<path:target>", attack.lstrip("/")).replace("<name>", "x").replace("<int:page>", "1")
                for method in ("GET", "POST"):
                    requests.append((method, path, dict.fromkeys(PARAMETERS, attack), attack))
    return requests


def off_site(location: str | None) -> bool:
    """Whether a browser following `Location` leaves the site (it drops tabs and reads `\\` as `/`)."""
    if location is None:
        return False
    cleaned = location.replace("\t", "").replace("\\", "/")
    return urlsplit(cleaned).netloc not in ("", "localhost")


def redirected_off_site(root: Path, case: Case) -> set[str]:
    rule_testing.write_project(root, case.files)
    answers = serve(root, attacks_on(case.files["app.py"]))
    return {path.split("/")[1] for _, path, _, location in answers if off_site(location)}  # type: ignore[union-attr]


@pytest.mark.parametrize("number", range(len(RULE.invalid)))
def test_each_reported_view_redirects_off_site_in_real_flask(tmp_path: Path, number: int) -> None:
    case = RULE.invalid[number]
    reported = {
        line.split('"')[1].split("/")[1]
        for finding in case.findings
        for line in _route_above(case.files["app.py"], finding.span[0])
    }
    assert reported <= redirected_off_site(tmp_path, case)


@pytest.mark.parametrize("number", range(len(RULE.valid)))
def test_no_valid_view_redirects_off_site_in_real_flask(tmp_path: Path, number: int) -> None:
    assert redirected_off_site(tmp_path, Case.of(RULE.valid[number])) == set()


def _route_above(source: str, row: int) -> list[str]:
    """The `@app.route(...)` line of the view a row is in (for a helper: of the views calling it)."""
    lines = source.splitlines()
    above = [line for line in lines[:row] if line.startswith("@app.route(")]
    function = next(line for line in reversed(lines[:row]) if line.startswith("def "))
    if not function.startswith("def send_back"):
        return above[-1:]
    return [line for line in lines if line.startswith('@app.route("/d")')]


def test_the_referrer_is_followed_off_site(tmp_path: Path) -> None:
    """`redirect(request.referrer)` sends the user to whichever page linked to the view."""
    rule_testing.write_project(tmp_path, RULE.invalid[1].files)
    answers = serve(tmp_path, [("GET", "/referrer", {}, "https://evil.example/phish")])
    assert answers[0][3] == "https://evil.example/phish"


def test_findings_through_the_engine(project) -> None:
    diagnostics = project(
        """
from flask import Flask, redirect, request

app = Flask(__name__)

@app.route("/a")
def a():
    target = request.args.get("next")
    return redirect(target)  # noqa: FLK108

@app.route("/b")
def b():
    target = request.args.get("next")
    return redirect(target)
""",
        select="FLK108",
    )
    assert [(d.code, d.severity.value, d.start.row, d.fix) for d in diagnostics] == [("FLK108", "error", 14, None)]


def test_a_redirect_outside_any_function_is_not_followed(project) -> None:
    """Module-level code runs at import, outside any request: no request data to follow."""
    assert project("from flask import redirect, request\nr = redirect(request.args['x'])\n", select="FLK108") == []
