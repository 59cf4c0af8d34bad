"""`analyze`: the stages in order over everything pending in the store, each timed, on one executor."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from ..config import DEFAULT_OCR_ENGINE, STAGE_NAMES, PipelineConfig
from ..store import Store
from . import stages as _stages  # noqa: F401  (the stage modules register themselves)
from .executors import make_executor
from .registry import stage_registry as registry
from .runner import Progress, RunContext

__all__ = ["analyze", "RunReport", "StageTiming", "STAGES"]

log = logging.getLogger(__name__)

STAGES = list(STAGE_NAMES)


@dataclass(frozen=True)
class StageTiming:
    stage: str
    seconds: float
    items: int
    errors: int


@dataclass(frozen=True)
class RunReport:
    """A run: its id, `done` or `failed`, and each stage's time, items and skipped items."""

    run_id: int
    status: str
    stages: list[StageTiming] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "status": self.status, "stages": [asdict(s) for s in self.stages]}


def analyze(
    store: Store,
    *,
    stages: Iterable[str] | None = None,
    executor: str = "local",
    workers: int | None = None,
    progress: Progress | None = None,
    retry_errors: bool = False,
    ocr_engine: str = DEFAULT_OCR_ENGINE,
    command: str = "analyze",
    scheduler: str | None = None,
    executor_options: dict | None = None,
    features_dir: str | None = None,
    config: PipelineConfig | None = None,
) -> dict:
    """Run the pipeline stages (default: all) over everything pending in the store.

    `executor` is "local" (processes, default), "serial" or "dask"; a `scheduler` address (or
    $DASK_SCHEDULER_ADDRESS) selects Dask on that cluster. `config` holds the rest of the settings
    (batch sizes, distances); `stages`, `ocr_engine` and `features_dir` override its fields. Returns
    {"run_id", "status", "stages": [{stage, seconds, items, errors}]}.
    """
    scheduler = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    options = dict(executor_options or {})
    if scheduler:
        executor, options = "dask", options | {"address": scheduler}
    config = config or PipelineConfig()
    names = tuple(stages) if stages is not None else config.stages
    for n in names:
        registry[n]  # unknown stage names fail loudly before any work
    config = replace(config, stages=names, ocr_engine=ocr_engine, features_dir=features_dir or config.features_dir)
    if retry_errors:
        store.clear_errors(names)
    run_id = store.start_run(command)
    report = RunReport(run_id, "failed")
    timings: list[StageTiming] = []
    with make_executor(executor, workers, **options) as ex:
        ctx = RunContext(store, ex, run_id, progress or Progress(), config)
        try:
            for name in names:
                t0 = time.perf_counter()
                count = registry[name](ctx)
                secs = round(time.perf_counter() - t0, 3)
                timings.append(StageTiming(name, secs, count.items, count.errors))
                log.info("stage %s: %d items, %d errors, %.2f s", name, count.items, count.errors, secs)
            report = RunReport(run_id, "done")
        finally:
            ctx.progress.finish()  # a stage that raised must not leave a bar running
            report = replace(report, stages=timings)
            store.finish_run(run_id, report.status, [asdict(t) for t in timings])
    return report.to_dict()
