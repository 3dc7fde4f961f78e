"""The engine's process pool: workers that start outside the project and end with their parent.

A `flasklint check` killed mid-analysis (a CI time-out, an editor killing its server, `kill -9`)
cannot shut its pool down: its workers would wait forever on a queue nobody writes to again.
Each worker therefore watches its parent and exits once it is gone.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from flasklint.isolation import workers_start_outside_project

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARENT_POLL_SECONDS = 0.5


@contextmanager
def analysis_pool(workers: int, start_method: str) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes. multiprocessing is imported here, not at module level: a run
    below the engine's parallel threshold starts no pool, and the import costs ~45 ms of a cold run."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(start_method)
    with workers_start_outside_project(start_method):  # building the pool starts a process already
        # A forkserver's workers are the server's children; the others are this process's.
        parent = None if start_method == "forkserver" else os.getpid()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_exit_with_parent, initargs=(parent,)
        ) as pool:
            yield pool


def _exit_with_parent(parent: int | None) -> None:
    """In each worker: a daemon thread ends the process once its parent has gone (the worker is
    then re-parented, so its parent pid changes). The parent is named by the pool's creator: a
    worker whose parent died before it got here must not take its new parent for its own."""
    parent = os.getppid() if parent is None else parent
    threading.Thread(target=_watch_parent, args=(parent,), name="flasklint-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
