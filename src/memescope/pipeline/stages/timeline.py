"""The timeline stage: series per template (and for the whole corpus, '*'), and within each per community
and per variant of its picture, with change points (date intervals, effect sizes, distinctive terms), and
each template's spread across communities. Recomputed whole: it depends on everything before it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from ...exceptions import NotInstalledError
from ...records import ChangePoint
from ...store import SeriesBin
from ...timeline import CORPUS, PostPoint, SeriesResult, analyze_posts, split_scopes, tokenize
from ...timeline.analysis import APPROX_ERROR_DAYS
from ...timeline.spread import spread
from ...understand import use_model
from ...understand.embed import get_embedder
from ..registry import stage_registry
from ..runner import RunContext, StageCount

__all__ = ["timeline_stage", "series_bins", "DRIFT_EMBEDDER"]

DRIFT_EMBEDDER = "minilm-int8"  # all-MiniLM-L6-v2, int8 ONNX: meaning, not just words


def _drift_embedder():
    """The sentence embedder that measures caption drift at meaning changes, when it is installed."""
    try:
        return get_embedder(DRIFT_EMBEDDER).embed
    except NotInstalledError:
        return None


def series_bins(template: str, scope: str, res: SeriesResult) -> list[SeriesBin]:
    return [
        SeriesBin(
            template,
            scope,
            b,
            res.unit,
            res.n[i],
            {c: v[i] for c, v in res.context_n.items()},
            {u: v[i] for u, v in res.use_n.items()},
            res.sentiment[i],
        )
        for i, b in enumerate(res.bins)
    ]


@stage_registry.register("timeline")
def timeline_stage(ctx: RunContext) -> StageCount:
    store = ctx.store
    where: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    items = []
    contexts: set[str] = set()
    background: Counter = Counter()
    for row in store.timeline_posts():
        if row.template:
            where[row.template].append((row.created_at, row.community))
        where[CORPUS].append((row.created_at, row.community))
        contexts.update(row.contexts)
        error = (
            row.date_error_days if row.date_error_days is not None else APPROX_ERROR_DAYS if row.date_approx else 0.0
        )
        pp = PostPoint(row.created_at, row.contexts, row.sentiment, row.text, row.use, error)
        background.update(tokenize(pp.text))
        items.append((row.template, row.community, row.variant, pp))
    by_t = split_scopes(items)
    del items
    embed = _drift_embedder() if use_model() is not None else None
    ctx.progress.start("timeline", len(by_t))
    series: list[SeriesBin] = []
    found: list[ChangePoint] = []
    context_names = sorted(contexts)
    for template, scopes in by_t.items():
        unit = None
        for scope, posts in scopes.items():  # '' first: its unit is the parts' unit
            # drift embeds captions: worth it for the whole template, too slow for every part of it
            res = analyze_posts(posts, context_names, background, embed=None if scope else embed, unit=unit)
            unit = unit or res.unit
            series += series_bins(template, scope, res)
            found += [replace(cp, template=template, scope=scope) for cp in res.change_points]
        ctx.progress.advance(1)
    store.replace_timeline(series, found, {t: spread(p) for t, p in where.items()})
    ctx.progress.finish()
    return StageCount(len(by_t), 0)
