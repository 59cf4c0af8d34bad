"""The runner: runs stages in order over the store, times each, records skipped items with their reason.

Every stage is idempotent per item and commits each batch in its own transaction, so a run killed at any
moment (even kill -9) resumes where it stopped: the next run finds only the items still pending.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..store import Store
from .executors import Executor, make_executor

__all__ = ["Progress", "RunContext", "analyze", "STAGES", "run_items"]

log = logging.getLogger(__name__)

STAGES = ["hash", "match", "ocr", "understand", "timeline"]


class Progress:
    """Progress sink; the library reports to it and the CLI draws bars. The default does nothing."""

    def start(self, stage: str, total: int) -> None: ...

    def advance(self, n: int) -> None: ...

    def finish(self) -> None: ...


@dataclass
class RunContext:
    store: Store
    executor: Executor
    run_id: int
    progress: Progress = field(default_factory=Progress)
    options: dict = field(default_factory=dict)


def run_items(
    ctx: RunContext,
    stage: str,
    items: list,
    work: Callable[[list], list],
    save: Callable[[Store, list], None],
    batch_size: int,
    wrap: Callable[[list], object] | None = None,
) -> tuple[int, int]:
    """Run `work` over `items` in batches; for each finished batch, save results and errors in one
    transaction. `work` returns [("ok", item, payload) | ("err", item, reason, detail)]; `wrap` turns a
    batch into what `work` takes (e.g. adds an engine name). Returns (ok, errors)."""
    ctx.progress.start(stage, len(items))
    ok = err = 0
    if not items:
        ctx.progress.finish()
        return 0, 0
    batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
    if wrap is not None:
        batches = [wrap(b) for b in batches]
    executor = ctx.executor
    if len(batches) == 1 and executor.workers > 1:
        executor = make_executor("serial")  # one batch: a pool's start-up would cost more than it saves
    for results in executor.map_batches(work, batches):
        good = [r for r in results if r[0] == "ok"]
        bad = [(r[1], r[2], r[3]) for r in results if r[0] == "err"]
        with ctx.store.transaction():
            if good:
                save(ctx.store, good)
            if bad:
                ctx.store.record_errors(stage, bad, ctx.run_id)
                for item, reason, detail in bad:
                    log.warning("%s: skipped %s (%s)", stage, item, reason)
        ok, err = ok + len(good), err + len(bad)
        ctx.progress.advance(len(results))
    ctx.progress.finish()
    return ok, err


def analyze(
    store: Store,
    *,
    stages: Iterable[str] | None = None,
    executor: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    retry_errors: bool = False,
    ocr_engine: str = "rapidocr",
    command: str = "analyze",
    scheduler: str | None = None,
    executor_options: dict | None = None,
    features_dir: str | None = None,
) -> dict:
    """Run the pipeline stages (default: all) over everything pending in the store.

    `executor` is "local" (processes, default), "serial" or "dask"; a `scheduler` address (or
    $DASK_SCHEDULER_ADDRESS) selects Dask on that cluster. Returns {"run_id", "stages": [{stage, seconds,
    items, errors}], "status"}.
    """
    import os

    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    options = dict(executor_options or {})
    if scheduler:
        executor, options = "dask", options | {"address": scheduler}
    from .stages import stages as registry

    names = list(stages) if stages is not None else list(STAGES)
    for n in names:
        registry[n]  # unknown stage names fail loudly before any work
    if retry_errors:
        with store.transaction() as db:
            db.executemany("DELETE FROM errors WHERE stage=?", [(n,) for n in names])
    run_id = store.start_run(command)
    report: list[dict] = []
    status = "failed"
    with make_executor(executor, workers, **options) as ex:
        ctx = RunContext(store, ex, run_id, progress or Progress(),
                         {"ocr_engine": ocr_engine, "stages": names, "features_dir": features_dir})
        try:
            for name in names:
                t0 = time.perf_counter()
                ok, err = registry[name](ctx)
                secs = round(time.perf_counter() - t0, 3)
                report.append({"stage": name, "seconds": secs, "items": ok, "errors": err})
                log.info("stage %s: %d items, %d errors, %.2f s", name, ok, err, secs)
            status = "done"
        finally:
            ctx.progress.finish()  # a stage that raised must not leave a bar running
            store.finish_run(run_id, status, report)
    return {"run_id": run_id, "status": status, "stages": report}
