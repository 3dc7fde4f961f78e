"""score.py end to end: a real git checkout, the real flasklint, labels and saved findings.

    .venv/bin/python -m pytest benchmarks/realworld/test_score.py -p no:cacheprovider -q

(Outside tests/ because it belongs to the benchmark, not to the product's suite.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCORE = Path(__file__).resolve().parent / "score.py"

APP = '''from flask import Flask, url_for

app = Flask(__name__)
app.secret_key = "hunter2"


@app.route("/")
def index():
    return url_for("indx")
'''


def git(checkout: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(checkout), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def bench(tmp_path: Path) -> dict[str, Path]:
    """One checkout (owner+name) of a one-file app, committed, with repos.json and labels.json for it."""
    checkout = tmp_path / "checkouts" / "acme+shop"
    checkout.mkdir(parents=True)
    (checkout / "app.py").write_text(APP)
    git(checkout, "init", "-q")
    git(checkout, "add", "app.py")
    git(checkout, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "app")
    commit = git(checkout, "rev-parse", "HEAD").strip()
    repos = tmp_path / "repos.json"
    repos.write_text(json.dumps({"repos": [{"id": "acme/shop", "name": "acme/shop", "commit": commit,
                                            "why": "test", "paths": ["."]}]}))
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps({"labels": [
        {"repo": "acme/shop", "file": "app.py", "line": 4, "column": 18, "code": "FLK104",
         "message_contains": "hunter2", "verdict": "true", "reason": "literal key"},
        {"repo": "acme/shop", "file": "app.py", "line": 9, "column": 20, "code": "FLK201",
         "message_contains": "indx", "verdict": "false", "reason": "pretend a custom url_for"},
        {"repo": "acme/shop", "file": "app.py", "line": 1, "column": 1, "code": "FLK101",
         "message_contains": "", "verdict": "missed", "reason": "pretend a miss"},
    ]}))
    return {"checkouts": tmp_path / "checkouts", "checkout": checkout, "repos": repos, "labels": labels,
            "tmp": tmp_path}


def score(bench: dict[str, Path], *args: str) -> subprocess.CompletedProcess:
    flasklint = Path(sys.executable).parent / "flasklint"
    return subprocess.run(
        [sys.executable, str(SCORE), "--checkouts", str(bench["checkouts"]), "--repos", str(bench["repos"]),
         "--labels", str(bench["labels"]), "--flasklint", str(flasklint), *args],
        capture_output=True, text=True,
    )


def test_counts_true_false_and_missed_per_code(bench):
    summary_path = bench["tmp"] / "summary.json"
    result = score(bench, "--json", str(summary_path))
    assert result.returncode == 0, result.stderr
    assert "| FLK104 | 1 | 1 | 0 | 0 | 1.00 | 0 | 1.00 | 0 |" in result.stdout
    assert "| FLK201 | 1 | 0 | 1 | 0 | 0.00 | 0 | — | 0 |" in result.stdout
    assert "| FLK101 | 0 | 0 | 0 | 0 | — | 1 | 0.00 | 0 |" in result.stdout
    assert "acme/shop app.py:1:1 FLK101 [missed] pretend a miss" in result.stdout
    summary = json.loads(summary_path.read_text())
    assert summary["repos"][0]["exit_status"] == 0
    assert summary["repos"][0]["findings"] == 2
    assert summary["per_code"]["FLK104"]["precision"] == 1.0


def test_a_finding_whose_message_lost_the_fragment_is_unlabelled(bench):
    labels = json.loads(bench["labels"].read_text())
    labels["labels"][0]["message_contains"] = "swordfish"
    bench["labels"].write_text(json.dumps(labels))
    result = score(bench)
    assert "| FLK104 | 1 | 0 | 0 | 1 | — | 1 | 0.00 | 0 |" in result.stdout
    assert "acme/shop app.py:4:18 FLK104 secret key hardcoded as `\"hunter2\"`" in result.stdout


def test_warns_when_the_checkout_is_not_at_the_recorded_commit(bench):
    (bench["checkout"] / "README").write_text("x")
    git(bench["checkout"], "add", "README")
    git(bench["checkout"], "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "more")
    result = score(bench)
    assert "is at" in result.stderr and "repos.json records" in result.stderr
    assert "| acme/shop | NO (" in result.stdout


def test_compare_is_silent_on_the_same_output_and_shows_a_changed_finding(bench):
    saved = bench["tmp"] / "saved"
    assert score(bench, "--save-findings", str(saved)).returncode == 0
    raw = (saved / "acme+shop.json").read_bytes()
    assert str(bench["checkout"]).encode() not in raw
    assert b'"filename": "<checkout>/app.py"' in raw

    same = score(bench, "--compare", str(saved))
    assert same.returncode == 0
    assert "compare: 1 repositories against" in same.stdout and "identical" in same.stdout

    (bench["checkout"] / "app.py").write_text(APP.replace('"hunter2"', '"hunter3"'))
    changed = score(bench, "--compare", str(saved))
    assert changed.returncode == 1
    assert "compare: acme/shop: DIFFERS (exit 0 -> 0)" in changed.stdout
    assert "hunter3" in changed.stdout


def test_compare_reports_a_changed_stderr_even_when_stdout_is_the_same(bench):
    saved = bench["tmp"] / "saved"
    assert score(bench, "--save-findings", str(saved)).returncode == 0
    meta_path = saved / "acme+shop.meta.json"
    meta = json.loads(meta_path.read_text())
    assert meta == {"exit_status": 0, "stderr": ""}
    meta_path.write_text(json.dumps({"exit_status": 0, "stderr": "warning: <checkout>/sub/pyproject.toml skipped\n"}))
    result = score(bench, "--compare", str(saved))
    assert result.returncode == 1
    assert "compare: acme/shop: DIFFERS (exit 0 -> 0)" in result.stdout
    assert "-warning: <checkout>/sub/pyproject.toml skipped" in result.stdout
