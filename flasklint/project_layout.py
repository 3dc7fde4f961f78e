"""Where a project starts and which folders are never analysed: what discovery (engine.py) and the
whole-run cache's key (run_cache.py) agree on.

Apart from config.py (which re-exports it) so that a warm run, which finds its result saved, can
compute its key without the configuration's dataclasses: this module needs only `os`, `re` and
`fnmatch` (pathlib is imported by the functions taking paths, which a warm run does not call).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from functools import lru_cache

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (a warm run never needs it)
if TYPE_CHECKING:
    from pathlib import Path, PurePath
    from typing import Collection, Iterable

# Folders never analysed, whatever `exclude` says: version control, virtualenvs, caches, build
# output. They are folder names only: `.env/` is a virtualenv, but the `.env` file beside the app
# is the environment FLK103 reads.
DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "__pycache__",
    "node_modules",
    "site-packages",
    "build",
    "dist",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".flasklint_cache",
)
# A file or folder whose name is a Jinja expression or tag (`{{cookiecutter.app_name}}/app.py`) is
# the source of a cookiecutter or copier project template: not Python (nor a Flask template) until
# it is rendered, so it is never analysed (it would be a syntax error, and its imports unresolvable).
TEMPLATED_NAMES = ("*{{*}}*", "*{%*%}*")
_TEMPLATED_NAME = re.compile("|".join(fnmatch.translate(glob) for glob in TEMPLATED_NAMES))


def is_template_source(path: PurePath) -> bool:
    """Whether a component of the path is a Jinja expression or tag (see TEMPLATED_NAMES)."""
    return _has_templated_part(path.parts)


def _has_templated_part(parts: Iterable[str]) -> bool:
    return any(_TEMPLATED_NAME.match(part) for part in parts)


# The errors pathlib's `exists` and `is_dir` take for "no such file" (its `_ignore_error`).
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})
_MISSING_ON_WINDOWS = frozenset({21, 123, 1921})  # not ready, invalid name, cannot resolve a link

# A directory holding one of these is a project root: its pyproject.toml is the configuration.
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")


def find_project_root(path: Path) -> Path:
    """The nearest ancestor holding a project marker; else the directory itself. A folder of a
    project template (`{{cookiecutter.app_name}}/pyproject.toml`) is not a project yet: its
    markers are templates, and its files belong to the template's repository."""
    from pathlib import Path

    return Path(project_root(os.fspath(path)))


def project_root(path: str) -> str:
    """`find_project_root` on strings, for the warm run (pathlib costs it ~15 ms of imports): the same
    folder, spelled as `str(Path.resolve())` spells it (both are `os.path.realpath`'s), and the same
    OSError where a folder cannot be searched."""
    resolved = os.path.realpath(path)
    directory = resolved if _exists(resolved, directory=True) else os.path.dirname(resolved)
    start = directory
    while True:
        present = [name for name in (*ROOT_MARKERS, "__init__.py") if _exists(os.path.join(directory, name))]
        if marks_a_project(present) and not _has_templated_part(directory.split(os.sep)):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return start
        directory = parent


def _exists(path: str, directory: bool = False) -> bool:
    """Whether the path exists (as a directory, if asked), as pathlib's `exists` and `is_dir` answer:
    False where it is missing, OSError where that cannot be known (a folder without search permission)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _MISSING or getattr(exc, "winerror", None) in _MISSING_ON_WINDOWS:
            return False
        raise
    except ValueError:  # a NUL in the path
        return False
    return not directory or stat.S_ISDIR(mode)


def marks_a_project(names: Collection[str]) -> bool:
    """Whether a folder holding these names is a project's root. A `setup.py` beside an `__init__.py`
    is a module of a package (CTFd's `CTFd/constants/setup.py`), not a project's build script: taking
    it for one would cut that package off from its app's index."""
    markers = [marker for marker in ROOT_MARKERS if marker in names]
    return bool(markers) and not (markers == ["setup.py"] and "__init__.py" in names)


def is_always_excluded(folder_name: str) -> bool:
    """Whether discovery skips a folder of this name whatever the configuration says (DEFAULT_EXCLUDE,
    project-template names, dot folders)."""
    return folder_name.startswith(".") or bool(exclude_patterns(())[0].match(folder_name))


@lru_cache(maxsize=16)
def exclude_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(what a folder matches, what a file matches), compiled once: discovery tests every file and
    folder of the tree (fnmatch per part and pattern was most of a warm run)."""
    for_files = [p.rstrip("/") for p in (*TEMPLATED_NAMES, *patterns)]
    return _any_glob([*DEFAULT_EXCLUDE, *for_files]), _any_glob(for_files)


def _any_glob(globs: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(fnmatch.translate(glob) for glob in globs))
