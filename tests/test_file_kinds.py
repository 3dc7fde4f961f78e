"""flasklint/file_kinds.py, and the copies of it that cannot import it: the pre-commit hooks' `files:`
pattern and the README's local-hook snippet (the VS Code extension's copy: tests/lsp/test_extension_settings.py)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
import yaml

from flasklint.file_kinds import kind_of, pre_commit_pattern

REPOSITORY = Path(__file__).resolve().parents[1]

KINDS = {
    "app.py": "python",
    "pkg/sub/views.py": "python",
    "..py": "python",
    "templates/index.html": "template",
    "templates/mail/welcome.TXT": "template",
    "templates/page.Jinja2": "template",
    "templates/icon.svg": "template",
    "templates/feed.xml": "template",
    "templates/part.j2": "template",
    "templates/old.htm": "template",
    "Dockerfile": "other",
    "docker/Dockerfile.prod": "other",
    "dockerfile": "other",
    "deploy/web.Dockerfile": "other",
    "Procfile": "other",
    "Procfile.dev": "other",
    "scripts/run.sh": "other",
    "compose.yaml": "other",
    "docker-compose.override.yml": "other",
    ".flaskenv": "other",
    ".env": "other",
    "package.json": "other",
    "frontend/package.json": "other",
    "APP.PY": None,  # Python's import system is case-sensitive
    ".py": None,  # a dotfile has no suffix
    "notes.": None,  # nor a name ending in a dot
    "app.v2.py": "python",
    "templates/.html": None,
    "README.md": None,
    "setup.cfg": None,
    "config.yml": None,
    ".env.example": None,
    "package-lock.json": None,
    "mypackage.json": None,
    "src/app.pyc": None,
}


@pytest.mark.parametrize(("path", "kind"), KINDS.items())
def test_kind_of(path: str, kind: str | None) -> None:
    assert kind_of(PurePosixPath(path)) == kind


@pytest.mark.parametrize(("path", "kind"), KINDS.items())
def test_the_pre_commit_pattern_selects_exactly_the_files_with_a_kind(path: str, kind: str | None) -> None:
    assert bool(re.search(pre_commit_pattern(), path)) is (kind is not None)


def test_the_pre_commit_hooks_use_the_pattern() -> None:
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {hook["id"]: hook["files"] for hook in hooks} == {
        "flasklint": pre_commit_pattern(),
        "flasklint-fix": pre_commit_pattern(),
    }


def test_the_readme_local_hook_uses_the_pattern() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)]
    local = [repo for block in blocks if isinstance(block, dict) for repo in block.get("repos", []) if repo["repo"] == "local"]
    assert [hook["files"] for repo in local for hook in repo["hooks"]] == [pre_commit_pattern()]
