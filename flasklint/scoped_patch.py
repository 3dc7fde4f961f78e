"""Methods of libcst's classes replaced by faster equivalents while our code needs them, and only then.

Two hot paths run libcst's Python code once per node: building a node (`__post_init__`, whose
validation a parse skips, see source.py) and generating code to compute positions (`_codegen`, see
model/positions.py). A class attribute is the only hook libcst offers, so the faster equivalents are
set on libcst's own classes for the duration of our call and libcst's originals are put back when
the last concurrent user is done: code outside ours (another flake8 plugin, the language server's
other threads after the analysis) sees libcst as shipped whenever flasklint is not analysing. A
shortcut's replacement must behave exactly as the original for every caller, ours or not (their
tests pin the originals' source), and with shortcuts off (FLASKLINT_NO_SHORTCUTS=1) it is not made.
A replacement that defines what flasklint analyses (a parse without libcst's validators) is made
either way.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from flasklint import shortcuts

Replacement = tuple[type, str, object]  # (class, attribute in the class's own namespace, new value)


class ScopedPatch:
    """Replacements made on first use (so importing us never imports libcst), installed while used."""

    def __init__(self, replacements: Callable[[], list[Replacement]], shortcut: bool = True) -> None:
        self._make_replacements = replacements
        self._shortcut = shortcut
        self._replacements: list[Replacement] = []
        self._originals: dict[tuple[type, str], object] = {}
        self._users = 0
        self._lock = threading.Lock()

    @contextmanager
    def applied(self) -> Iterator[None]:
        if self._shortcut and not shortcuts.enabled():
            yield
            return
        with self._lock:
            if not self._replacements:
                self._prepare()
            if self._users == 0:
                for owner, name, value in self._replacements:
                    setattr(owner, name, value)
            self._users += 1
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    for (owner, name), value in self._originals.items():
                        setattr(owner, name, value)

    def _prepare(self) -> None:
        replacements = self._make_replacements()
        self._originals = {(owner, name): owner.__dict__[name] for owner, name, _ in replacements}
        self._replacements = replacements


def class_tree(base: type) -> Iterator[type]:
    """`base` and every class deriving from it: the classes a replacement on `base` reaches, or
    which keep one of its methods."""
    stack: list[type] = [base]
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        yield kind
