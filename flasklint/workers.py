"""The engine's process pool: workers that start outside the project and end with their parent.

A `flasklint check` killed mid-analysis (a CI time-out, an editor killing its server, `kill -9`)
cannot shut its pool down: its workers would wait forever on a queue nobody writes to again.
Each worker therefore watches its parent and exits once it is gone.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from contextlib import ExitStack, contextmanager, nullcontext
from typing import TYPE_CHECKING, Callable, ContextManager, Iterator, Sequence, TypeVar

from flasklint.isolation import workers_start_outside_project

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

PARENT_POLL_SECONDS = 0.5

Job = TypeVar("Job")
Result = TypeVar("Result")


class LazyPool:
    """One analysis's workers, started by the first batch worth them and kept for the next.

    A project's Python files and then its templates (analysed once the index knows the template
    folders) share the same workers: a second fork costs as much as a small batch. Batches below
    `threshold` run in this process; each batch is handed out largest job first, so one big file
    does not leave a core idle at the end of the run.
    """

    def __init__(self, workers: int, start_method: str, threshold: int) -> None:
        self.workers, self.start_method, self.threshold = workers, start_method, threshold
        self._stack = ExitStack()
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "LazyPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def map(
        self,
        function: Callable[[Job], Result],
        jobs: Sequence[Job],
        sizes: Sequence[int],
        prepare: Callable[[], object] | None = None,
    ) -> Iterator[tuple[int, Result]]:
        """`function` over `jobs`: (job's number, result) pairs, each as soon as it is ready, so the
        caller stores (and caches) one while the workers compute the next; `sizes` estimates each
        job's cost. Workers already running take any batch of two or more (they cost nothing more).
        `prepare` runs here just before workers are forked: what it imports, they inherit (one
        import for all) instead of each importing it on its first job. The collector is frozen
        while they fork (`gc.freeze`, as its documentation advises): in a worker it never walks
        the objects inherited, which would copy every page holding one (without it, inheriting
        libcst cost more than importing it: CTFd's check took 10 % longer)."""
        if self.workers <= 1 or len(jobs) < (2 if self._pool is not None else self.threshold):
            yield from ((number, function(job)) for number, job in enumerate(jobs))
            return
        order = sorted(range(len(jobs)), key=lambda number: -sizes[number])
        if self._pool is None:
            if prepare is not None and self.start_method == "fork":
                prepare()
            self._pool = self._stack.enter_context(analysis_pool(self.workers, self.start_method))
            gc.freeze()  # the workers fork on the first job handed out, below
            try:
                results = self._pool.map(function, [jobs[n] for n in order], chunksize=2)
            finally:
                gc.unfreeze()
        else:
            results = self._pool.map(function, [jobs[n] for n in order], chunksize=2)
        yield from zip(order, results)


_run_pools: dict[tuple[int, str], LazyPool] | None = None  # set while `one_pool_per_run` is open


@contextmanager
def one_pool_per_run() -> Iterator[None]:
    """Within it, every project's analysis shares one set of workers: a monorepo's apps (checked one
    by one) no longer start a pool each, and a small nested project's files go to workers that an
    earlier project started. The workers end with the block."""
    global _run_pools
    _run_pools = {}
    try:
        yield
    finally:
        pools, _run_pools = _run_pools, None
        for pool in pools.values():
            pool.__exit__(None, None, None)


def project_workers(workers: int, start_method: str, threshold: int) -> ContextManager[LazyPool]:
    """The workers one project's analysis uses: the run's (see `one_pool_per_run`), else its own."""
    if _run_pools is None:
        return LazyPool(workers, start_method, threshold)
    return nullcontext(_run_pools.setdefault((workers, start_method), LazyPool(workers, start_method, threshold)))


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
