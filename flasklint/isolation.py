"""Keep the analysed project's modules out of flasklint's processes: it never imports them.

Python offers them in two ways, both through the working directory, which is the project when an
editor starts the language server or a user runs `flasklint check` in it:
- `python -m` puts the working directory first on `sys.path` (`-c` puts '', which means the same);
  a project file named like a module imported later (`signal.py`, `libcst/`) would run instead.
  The entry points call `drop_project_paths()` first.
- A worker that is not forked is a new interpreter (`python -c "from multiprocessing.spawn ..."`)
  started in the parent's working directory with '' first on its `sys.path`: it imports
  multiprocessing's modules (`signal`, `selectors`, `queue`...) from there before it adopts the
  parent's `sys.path`, and multiprocessing's resource tracker never adopts it. multiprocessing
  gives it only this interpreter's own flags (and `-P` needs 3.11), so
  `workers_start_outside_project` starts it in `SAFE_DIRECTORY` instead.

Only `os` and built-in modules are imported here: `python -m flasklint` imports this module while
the working directory is still first on `sys.path` (`os` is loaded before any `-m` module runs).
"""

import _thread  # built in, like `sys`: no file can stand in for it (threading is not loaded yet)
import os
import sys


def _safe_directory() -> str:
    """The standard library's own directory: a new interpreter started there finds, through the ''
    entry at the head of its `sys.path`, the very modules it would have found anyway. (The root
    directory where the library lives in a zip file.)"""
    standard_library = os.path.dirname(os.path.abspath(os.__file__))
    return standard_library if os.path.isdir(standard_library) else os.path.abspath(os.sep)


SAFE_DIRECTORY = _safe_directory()
_WORKING_DIRECTORY_LOCK = _thread.allocate_lock()


def drop_project_paths() -> None:
    """Remove the working directory from `sys.path`: its path, '' and every relative entry."""
    try:
        working_directory: str | None = os.path.realpath(os.getcwd())
    except OSError:  # deleted: only relative entries could still point into it
        working_directory = None
    sys.path[:] = [
        entry for entry in sys.path if os.path.isabs(entry) and os.path.realpath(entry) != working_directory
    ]


class workers_start_outside_project:  # noqa: N801 (used like a function: `with workers_start_...(method):`)
    """For a process pool's lifetime, the working directory is `SAFE_DIRECTORY` (unless workers fork).

    Workers start when tasks are submitted, so the whole lifetime; one pool at a time per process.
    Workers then adopt this process's `sys.path` (cleaned by `drop_project_paths()` in an entry
    point) and `SAFE_DIRECTORY` as their working directory; the caller gets its own back on exit.
    """

    def __init__(self, start_method: str) -> None:
        self.new_interpreters = start_method != "fork"  # spawn, forkserver
        self.previous: str | None = None

    def __enter__(self) -> None:
        if not self.new_interpreters:
            return
        _WORKING_DIRECTORY_LOCK.acquire()
        try:
            self.previous = os.getcwd()
        except OSError:  # deleted: there is nothing to come back to
            self.previous = None
        try:
            os.chdir(SAFE_DIRECTORY)
        except BaseException:
            _WORKING_DIRECTORY_LOCK.release()
            raise

    def __exit__(self, *exc_info: object) -> None:
        if not self.new_interpreters:
            return
        try:
            if self.previous is not None:
                os.chdir(self.previous)
        finally:
            _WORKING_DIRECTORY_LOCK.release()
