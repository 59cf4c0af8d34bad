"""The runner: runs a stage's per-item work in batches on an executor, saves each finished batch and
records skipped items with their reason, in one transaction per batch.

Every stage is idempotent per item and commits each batch in its own transaction, so a run killed at any
moment (even kill -9) resumes where it stopped: the next run finds only the items still pending.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import PipelineConfig
from ..records import Done, Outcome, Skipped
from ..store import Store
from .executors import Executor, make_executor

__all__ = ["Progress", "RunContext", "StageCount", "run_items"]

log = logging.getLogger(__name__)


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
    config: PipelineConfig = field(default_factory=PipelineConfig)


@dataclass(frozen=True)
class StageCount:
    """What a stage did: items finished and items skipped (recorded in the errors table)."""

    items: int
    errors: int


def run_items(
    ctx: RunContext,
    stage: str,
    items: Sequence[Any],
    work: Callable[[Any], list[Outcome]],
    save: Callable[[list[Done]], None],
    batch_size: int,
    wrap: Callable[[list], object] | None = None,
) -> StageCount:
    """Run `work` over `items` in batches; for each finished batch, save the Done outcomes and record
    the Skipped ones in one transaction. `wrap` turns a batch into what `work` takes (e.g. adds an engine
    name)."""
    ctx.progress.start(stage, len(items))
    ok = err = 0
    if not items:
        ctx.progress.finish()
        return StageCount(0, 0)
    batches: list[Any] = [list(items[i : i + batch_size]) for i in range(0, len(items), batch_size)]
    if wrap is not None:
        batches = [wrap(b) for b in batches]
    executor = ctx.executor
    if len(batches) == 1 and executor.workers > 1:
        executor = make_executor("serial")  # one batch: a pool's start-up would cost more than it saves
    for results in executor.map_batches(work, batches):
        good = [r for r in results if isinstance(r, Done)]
        bad = [r for r in results if isinstance(r, Skipped)]
        with ctx.store.transaction():
            if good:
                save(good)
            if bad:
                ctx.store.record_errors(stage, [(s.item, s.reason, s.detail) for s in bad], ctx.run_id)
                for s in bad:
                    log.warning("%s: skipped %s (%s)", stage, s.item, s.reason)
        ok, err = ok + len(good), err + len(bad)
        ctx.progress.advance(len(results))
    ctx.progress.finish()
    return StageCount(ok, err)
