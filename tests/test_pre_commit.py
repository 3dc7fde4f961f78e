"""The pre-commit hooks, run for real: `pre-commit try-repo` on this repository against a throwaway
git repository, as a user's `.pre-commit-config.yaml` would.

try-repo reads the hook repository at a commit (its uncommitted-changes mode only picks up files
git already tracks), so the tests commit a snapshot of the working tree (tracked and new files, as
`git ls-files` lists them) and try that: what is tested is exactly what would be committed.
try-repo installs flasklint into a fresh hook virtualenv from the package index each time (a few
seconds per run); PRE_COMMIT_HOME keeps its store inside the test's tmp directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_project

REPOSITORY = Path(__file__).resolve().parents[1]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

DEBUG_APP = """\
from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
"""
HARDCODED_URL_APP = """\
from flask import Flask, redirect, url_for

app = Flask(__name__)

@app.route("/login")
def login():
    return "login"

@app.route("/logout")
def logout():
    return redirect("/login")
"""


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This repository's working tree, committed in a scratch git repository."""
    destination = tmp_path_factory.mktemp("hook-repository")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPOSITORY, check=True, capture_output=True, text=True,
    ).stdout
    for relative in filter(None, listed.split("\0")):
        source = REPOSITORY / relative
        if source.is_file():  # a tracked file deleted in the working tree is not part of the snapshot
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "-c", "user.name=flasklint tests", "-c", "user.email=tests@invalid", "commit", "-q", "-m", "snapshot")
    return destination


@pytest.fixture
def hook_repo(tmp_path: Path, snapshot: Path):
    """A git repository to run the hooks in; returns `run(hook_id, *pre_commit_args)`."""
    target = tmp_path / "target"
    target.mkdir()
    git(target, "init", "-q")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def run(hook: str, *args: str) -> subprocess.CompletedProcess[str]:
        git(target, "add", "-A")
        command = [str(PRE_COMMIT), "try-repo", str(snapshot), hook, "--color", "never", *args]
        return subprocess.run(command, cwd=target, env=environment, capture_output=True, text=True, timeout=600)

    run.root = target  # type: ignore[attr-defined]
    return run


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_check_hook_blocks_a_pitfall_and_passes_once_fixed(hook_repo) -> None:
    root: Path = hook_repo.root
    write_project(root, {"app.py": DEBUG_APP})
    failing = hook_repo("flasklint", "--all-files")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "flasklint................................................................Failed" in failing.stdout
    assert 'app.py:6:18: FLK103 ' in failing.stdout

    write_project(root, {"app.py": DEBUG_APP.replace('host="0.0.0.0", ', "")})
    passing = hook_repo("flasklint", "--all-files")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "flasklint................................................................Passed" in passing.stdout


def test_check_hook_sees_the_whole_project_when_given_one_changed_file(hook_repo) -> None:
    """Only the template is passed, yet its endpoint is resolved against the routes in app.py."""
    root: Path = hook_repo.root
    app = 'from flask import Flask, render_template\n\napp = Flask(__name__)\n\n@app.route("/")\ndef index():\n'
    write_project(
        root,
        {
            "app.py": app + '    return render_template("index.html")\n',
            "templates/index.html": "<a href=\"{{ url_for('indx') }}\">home</a>\n",
        },
    )
    result = hook_repo("flasklint", "--files", "templates/index.html")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "templates/index.html:1:21: FLK201 `url_for('indx')`: no endpoint 'indx'" in result.stdout


def test_fix_hook_rewrites_the_file_and_fails_then_passes(hook_repo) -> None:
    root: Path = hook_repo.root
    write_project(root, {"app.py": HARDCODED_URL_APP})
    fixing = hook_repo("flasklint-fix", "--all-files")
    assert fixing.returncode == 1, fixing.stdout + fixing.stderr
    assert "- files were modified by this hook" in fixing.stdout
    assert (root / "app.py").read_text() == HARDCODED_URL_APP.replace('redirect("/login")', 'redirect(url_for("login"))')

    again = hook_repo("flasklint-fix", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_check_hook_is_given_deployment_files_whatever_their_case(hook_repo) -> None:
    """The hooks' `files:` is flasklint.file_kinds.pre_commit_pattern(): the engine reads `web.Dockerfile`
    (deployment file names match in any case), so pre-commit must pass it."""
    root: Path = hook_repo.root
    dockerfile = 'FROM python:3.12\nENV FLASK_DEBUG=1\nCMD ["flask", "run", "--host", "0.0.0.0"]\n'
    write_project(root, {"app.py": DEBUG_APP.replace('host="0.0.0.0", ', ""), "deploy/web.Dockerfile": dockerfile})
    result = hook_repo("flasklint", "--files", "deploy/web.Dockerfile")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "deploy/web.Dockerfile:3:" in result.stdout and " FLK103 " in result.stdout
