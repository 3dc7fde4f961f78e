"""Which files flasklint reads, and as what: Python modules, Jinja templates, deployment files.

One definition for every front-end: the engine (`kind_of`), the language server (the files it
watches), and the copies that cannot import it, checked against it by tests: the VS Code
extension's document selector (vscode-extension/src/documents.ts), the pre-commit hooks' `files:`
pattern (.pre-commit-hooks.yaml) and the local-hook snippet in README.md (`pre_commit_pattern`).
"""

from __future__ import annotations

import fnmatch
import re

TYPE_CHECKING = False  # typing's and pathlib's, not imported: a warm run (run_cache.py) uses kind_of_name
if TYPE_CHECKING:
    from pathlib import PurePosixPath
    from typing import Literal

    Kind = Literal["python", "template", "other"]

PYTHON_SUFFIX = ".py"  # case-sensitive, as Python's import system is
TEMPLATE_SUFFIXES = frozenset({".html", ".htm", ".jinja", ".jinja2", ".j2", ".xml", ".svg", ".txt"})  # any case
# The deployment files FLK103 reads, as globs on the file name (any case: `dockerfile`, `PROCFILE`).
DEPLOYMENT_FILES = (
    "Dockerfile*", "*.dockerfile", "Procfile*", "*.sh", "compose*.yml", "compose*.yaml",
    "docker-compose*.yml", "docker-compose*.yaml", ".flaskenv", ".env", "package.json",
)  # fmt: skip

_DEPLOYMENT_NAME = re.compile("|".join(fnmatch.translate(glob) for glob in DEPLOYMENT_FILES), re.IGNORECASE)


def kind_of(path: PurePosixPath) -> Kind | None:
    """What a file is to flasklint, from its name alone; None: a file flasklint does not read.
    A template counts only inside a template folder: the engine decides that, knowing the folders.
    """
    return kind_of_name(path.name)


def kind_of_name(name: str) -> Kind | None:
    """`kind_of` for a file name as a string (the warm run's key lists a tree without pathlib)."""
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # PurePath.suffix: none for ".py" or "a."
    if suffix == PYTHON_SUFFIX:
        return "python"
    if suffix.lower() in TEMPLATE_SUFFIXES:
        return "template"
    if _DEPLOYMENT_NAME.match(name):
        return "other"
    return None


def pre_commit_pattern() -> str:
    """The `files:` regex of the pre-commit hooks: the paths `kind_of` gives a kind (pre-commit
    matches it with `re.search` on "/"-separated paths relative to the repository)."""
    suffixes = "|".join(_escape(s.lstrip(".")) for s in sorted(TEMPLATE_SUFFIXES))
    names = "|".join(_glob_regex(glob) for glob in DEPLOYMENT_FILES)
    # `[^/]` before the suffix: a name that is only a suffix (".py", ".txt") has none (PurePosixPath.suffix).
    return rf"[^/]{_escape(PYTHON_SUFFIX)}$|(?i:[^/]\.({suffixes})$|(^|/)({names})$)"


def _glob_regex(glob: str) -> str:
    """A file-name glob as a regex on one path component (`*` stays within the name)."""
    return "[^/]*".join(_escape(part) for part in glob.split("*"))


def _escape(text: str) -> str:
    """re.escape for a readable pattern: only the characters special outside a character class."""
    return "".join(f"\\{c}" if c in ".^$*+?{}[]\\|()" else c for c in text)
