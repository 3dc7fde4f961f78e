"""A run's file analyses pause Python's cyclic garbage collector, and each collects once at its end.

A libcst tree is tens of thousands of container objects per thousand lines. With the collector
running, each young-generation pass during the analysis scans the growing tree again, and whatever
survives a pass waits for a rarer one of an older generation. Paused, everything the file allocates
stays in the youngest generation; one collection of that generation when the file is done frees the
little cyclic garbage left (the standard library's, libcst's scope analysis when a fix asks it) and
keeps only the facts. The model and its analyses themselves leave no cycle (ModuleModel.release,
tests/test_collection.py): reference counting frees the tree as the analysis ends, so that collection
walks only what the file keeps.

Only a run's batch of files (`engine._analyse_job`: the CLI, the flake8 builder, a project's first
build, in workers or in-process) is paused, not the language server's analysis of each edit: a server
that spends most of its time in paused analyses gives the collector almost no chance to visit its
older generations, and it grew 33.6 MB over 500 edits (benchmarks/lsp_soak.py; 5.4 MB unpaused).

The pause is process-wide: analyses in several threads share it, and the collector resumes when the
last one ends — unless the host had turned it off, which is respected.
"""

from __future__ import annotations

import functools
import gc
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_running = 0  # analyses in progress, across threads
_resume = False  # whether the collector was on when the first of them started


def collected_once(analyse: Callable[..., T]) -> Callable[..., T]:
    """`analyse` runs with the collector paused; its garbage is collected when it returns."""

    @functools.wraps(analyse)
    def paused(*args: object, **kwargs: object) -> T:
        _pause()
        try:
            return analyse(*args, **kwargs)
        finally:
            _resume_if_last()

    return paused


def _pause() -> None:
    global _running, _resume
    with _lock:
        if _running == 0:
            _resume = gc.isenabled()
            gc.disable()
        _running += 1


def _resume_if_last() -> None:
    global _running
    with _lock:
        _running -= 1
        if _running or not _resume:
            return
        gc.collect(0)
        gc.enable()
