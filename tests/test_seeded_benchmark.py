"""benchmarks/realworld/seeded.py end to end on a tiny checkout: apply, lint twice, diff, report.

The real checkouts are not on CI; this fixture project stands in for one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEEDED = Path(__file__).resolve().parent.parent / "benchmarks" / "realworld" / "seeded.py"

APP = '''from flask import Flask, url_for

app = Flask(__name__)
app.secret_key = "hunter2"


@app.route("/save", methods=["POST"])
def save():
    return "saved"


@app.route("/")
def index():
    return url_for("indx")
'''


def mutation(**fields: object) -> dict:
    base = {"id": "acme-208", "repo": "acme/shop", "file": "app.py", "old": 'methods=["POST"]',
            "new": 'methods="POST"', "why": "TypeError at import",
            "expected": [{"code": "FLK208", "line": 7, "column": 21, "message_contains": "is a string"}]}
    return {**base, **fields}


@pytest.fixture
def bench(tmp_path: Path) -> dict[str, Path]:
    """A checkout folder (owner+name) holding a one-file app, and its repos.json."""
    checkout = tmp_path / "checkouts" / "acme+shop"
    checkout.mkdir(parents=True)
    (checkout / "app.py").write_text(APP)
    repos = tmp_path / "repos.json"
    repo = {"id": "acme/shop", "name": "acme/shop", "commit": "0" * 40, "paths": ["."]}
    repos.write_text(json.dumps({"repos": [repo]}))
    return {"checkouts": tmp_path / "checkouts", "repos": repos, "checkout": checkout, "tmp": tmp_path}


def run(bench: dict[str, Path], mutations: list[dict], *args: str) -> subprocess.CompletedProcess:
    seeded = bench["tmp"] / "seeded.json"
    seeded.write_text(json.dumps({"mutations": mutations}))
    flasklint = str(Path(sys.executable).parent / "flasklint")
    command = [sys.executable, str(SEEDED), "--checkouts", str(bench["checkouts"]), "--repos", str(bench["repos"]),
               "--seeded", str(seeded), "--flasklint", flasklint, *args]
    return subprocess.run(command, capture_output=True, text=True)


def test_expected_finding_passes_and_checkout_is_untouched(bench: dict[str, Path]) -> None:
    result = run(bench, [mutation()])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| FLK208 | 1 | 1 | 1 | 0 | 0 | 0 | 0 | 0 |" in result.stdout
    assert (bench["checkout"] / "app.py").read_text() == APP


def test_wrong_position_is_a_mismatch_listing_the_new_finding(bench: dict[str, Path]) -> None:
    wrong = mutation(expected=[{"code": "FLK208", "line": 7, "column": 1, "message_contains": "is a string"}])
    result = run(bench, [wrong])
    assert result.returncode == 1
    assert "expected, not reported: FLK208 7:1 'is a string'" in result.stdout
    assert "  + app.py:7:21 FLK208 `methods=\"POST\"` is a string" in result.stdout


def test_a_finding_that_disappears_is_extra(bench: dict[str, Path]) -> None:
    fixes_typo = mutation(id="acme-fix", old='url_for("indx")', new='url_for("index")', expected=[],
                          code="FLK201", known_miss="control")
    result = run(bench, [fixes_typo])
    assert result.returncode == 1
    assert "  - app.py:14:20 FLK201" in result.stdout


def test_added_lines_shift_later_findings_back(bench: dict[str, Path]) -> None:
    """A mutation adding lines above the FLK201 finding must not report it as gone and new."""
    grows = mutation(old='methods=["POST"])\n', new='methods="POST")\n# one\n# two\n',
                     expected=[{"code": "FLK208", "line": 7, "column": 21}])
    result = run(bench, [grows])
    assert result.returncode == 0, result.stdout + result.stderr


def test_old_text_must_occur_once_and_filters_and_missing_checkout(bench: dict[str, Path]) -> None:
    twice = mutation(id="acme-twice", old="app", new="ap")
    result = run(bench, [twice])
    assert result.returncode == 1
    assert "old text occurs" in result.stdout
    assert "no mutation matches" in run(bench, [mutation()], "--code", "FLK999").stderr
    elsewhere = mutation(repo="acme/shop")
    (bench["checkout"] / "app.py").unlink()
    bench["checkout"].rmdir()
    missing = run(bench, [elsewhere])
    assert missing.returncode == 1
    assert "missing checkout: acme/shop: no checkout at" in missing.stdout
