"""Executors run a picklable function over batches of items: in this process or in local processes.

One interface (`map_batches`) so the same stage code runs anywhere; a distributed executor plugs in here.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from ..registry import Registry

__all__ = ["Executor", "SerialExecutor", "LocalExecutor", "executors", "make_executor"]

log = logging.getLogger(__name__)


class Executor:
    workers: int = 1

    def map_batches(self, fn: Callable[[list], list], batches: Iterable[list]) -> Iterator[list]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


executors: Registry[type] = Registry("executor")


@executors.register("serial")
class SerialExecutor(Executor):
    """Everything in the calling process: simplest to debug, no start-up cost."""

    def __init__(self, workers: int = 1):
        self.workers = 1

    def map_batches(self, fn, batches):
        for batch in batches:
            yield fn(batch)


@executors.register("local")
class LocalExecutor(Executor):
    """A pool of local processes (spawned, so no thread pool or model is shared across a fork).

    Results come back as batches complete; at most 2 batches per worker are in flight, so memory stays
    flat however long the input is.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=mp.get_context("spawn"))
        return self._pool

    def map_batches(self, fn, batches):
        pool = self._get_pool()
        pending = set()
        it = iter(batches)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers:
                try:
                    pending.add(pool.submit(fn, next(it)))
                except StopIteration:
                    exhausted = True
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def make_executor(name: str = "local", workers: int | None = None) -> Executor:
    return executors[name](workers)
