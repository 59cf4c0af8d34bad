"""Executors run a picklable function over batches of items: in this process or in local processes.

One interface (`map_batches`) so the same stage code runs anywhere; a distributed executor plugs in here.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from ..registry import Registry

__all__ = ["Executor", "SerialExecutor", "LocalExecutor", "DaskExecutor", "executors", "make_executor"]

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


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """Worker initializer: a thread that ends this worker when the process that started it is gone.
    A parent killed with kill -9 cannot shut its pool down, and an orphaned worker would wait on its
    queue for ever (holding its memory and its models)."""

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="memescope-parent-watch", daemon=True).start()


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
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=mp.get_context("spawn"), initializer=_exit_with_parent, initargs=(os.getpid(),)
            )
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


def _relax_malloc_trim() -> None:
    """Undo an aggressive glibc trim threshold in this process.

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, so glibc hands memory back to the OS
    after nearly every image and asks for it again: measured here, ~25% more CPU on decoding. Setting any
    of these thresholds also freezes glibc's mmap threshold at 128 KiB (it normally grows with the
    allocations a program makes), so every large array (an image, an ONNX tensor) is a fresh mmap with
    its pages faulted in anew: OCR took 0.35 CPU-s per image instead of 0.17 (bench/scaling). mallopt at
    run time overrides both, so this works on workers we did not start too.
    """
    global _MALLOC_DONE
    if _MALLOC_DONE:
        return
    _MALLOC_DONE = True
    if os.environ.get("MALLOC_TRIM_THRESHOLD_") is None:
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 64 * 1024 * 1024)  # M_TRIM_THRESHOLD: trim only past 64 MiB of free top memory
        libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD: glibc's own ceiling for its dynamic value
    except (OSError, AttributeError):  # not glibc: nothing to undo
        pass


_MALLOC_DONE = False


def _dask_task(fn: Callable[[list], list], batch) -> list:
    _relax_malloc_trim()
    return fn(batch)


def _plain_task(fn: Callable[[list], list], batch) -> list:
    return fn(batch)


# Housekeeping timers of a LocalCluster memescope starts. With Dask's defaults an idle 2-worker cluster
# (scheduler, 2 nannies, 2 workers, client) used 6.5% of a core: every process checks its event loop
# every 20 ms, and polls CPU and memory every 0.1-0.5 s for a dashboard we do not start. With these,
# 1.4% (bench/scaling). Memory limits are still enforced, once a second.
QUIET_CLUSTER = {
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}


@executors.register("dask")
class DaskExecutor(Executor):
    """Batches as tasks on Dask distributed: the cluster at `address` (or $DASK_SCHEDULER_ADDRESS), else
    a LocalCluster of `workers` single-threaded processes. Workers must be able to import memescope.

    Results come back to this process, which alone writes the store: a task re-run after a worker is
    lost still lands once, because each batch's results are saved once, by key, in one transaction.
    """

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        relax_malloc: bool | str = True,
        profile: bool = False,
    ):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            from ..exceptions import NotInstalledError

            raise NotInstalledError("dask.distributed", "dask", "'dask[distributed]'") from exc
        address = address or os.environ.get("DASK_SCHEDULER_ADDRESS")
        self._cluster = None
        # relax_malloc: True removes the nanny's trim setting from workers we start and undoes it in tasks;
        # "mallopt" only undoes it in tasks, as on a cluster someone else started; False leaves Dask's
        # worker environment as it comes (the last two measure what each part is worth, bench/scaling)
        self._task = _dask_task if relax_malloc else _plain_task
        if address:
            self.client = Client(address, timeout="30s")
            n = len(self.client.scheduler_info()["workers"])
            self.workers = max(1, n)
        else:
            self.workers = workers or os.cpu_count() or 1
            env = {
                k: v
                for k, v in dask.config.get("distributed.nanny.pre-spawn-environ", {}).items()
                if k != "MALLOC_TRIM_THRESHOLD_" or relax_malloc is not True
            }
            # Workers we start skip Dask's statistical profiler: it walks every thread's stack each 10 ms,
            # taking the GIL from the task it watches (see bench/scaling for what it costs).
            settings: dict[str, object] = {"distributed.nanny.pre-spawn-environ": env, **QUIET_CLUSTER}
            if not profile:
                settings["distributed.worker.profile.enabled"] = False
            with dask.config.set(settings):
                self._cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.WARNING,
                )
            self.client = Client(self._cluster)
        log.info("dask executor on %s with %d workers", self.client.scheduler.address, self.workers)

    def map_batches(self, fn, batches):
        from distributed import as_completed

        it = iter(batches)
        queue = as_completed()
        for inflight, batch in enumerate(it, 1):
            queue.add(self.client.submit(self._task, fn, batch, pure=False))
            if inflight >= 2 * self.workers:
                break
        for fut in queue:
            result = fut.result()
            fut.release()
            yield result
            nxt = next(it, None)
            if nxt is not None:
                queue.add(self.client.submit(self._task, fn, nxt, pure=False))

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(name: str = "local", workers: int | None = None, **options) -> Executor:
    """An executor by name ("serial", "local", "dask"); options go to its constructor (e.g. address)."""
    return executors[name](workers, **options)
