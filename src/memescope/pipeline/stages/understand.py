"""The understand stage: each post's caption (its own text, else what OCR read, else its title) read for
use, sentiment, emotions and context, in batches (the embedder runs per batch)."""

from __future__ import annotations

import functools

from ...records import Done, Outcome
from ...store import AnalyzedCaption, CaptionSource
from ...understand import analysis_version, analyze_texts
from ..registry import stage_registry
from ..runner import RunContext, StageCount, run_items

__all__ = ["understand_batch", "understand_stage", "caption_of"]


def caption_of(post: CaptionSource) -> tuple[str, str]:
    """(which text, the text): the typed caption first (exact), then what OCR read off the picture, then
    the post's title."""
    for source, text in (("post", post.text), ("ocr", post.ocr_text), ("title", post.title)):
        if text and text.strip():
            return source, text
    return "none", ""


def understand_batch(items: list[CaptionSource]) -> list[Outcome[AnalyzedCaption]]:
    captions = [caption_of(p) for p in items]
    analyses = analyze_texts([text for _, text in captions], [p.affect for p in items])
    return [
        Done(p.post_key, AnalyzedCaption(p.post_key, source, text, p.affect, a))
        for p, (source, text), a in zip(items, captions, analyses)
    ]


def _save(store, version: str, results: list[Done[AnalyzedCaption]]) -> None:
    store.save_analyses(version, [r.value for r in results])


@stage_registry.register("understand")
def understand_stage(ctx: RunContext) -> StageCount:
    version = analysis_version()
    # A post waits for its image's OCR unless OCR is not part of this run or the image could not be read.
    # Analyses made by other lexicons or analyzers (another version) are redone.
    pending = ctx.store.pending_captions(version, wait_for_ocr=ctx.config.runs("ocr"))
    return run_items(
        ctx,
        "understand",
        pending,
        understand_batch,
        functools.partial(_save, ctx.store, version),
        batch_size=ctx.config.batches.understand,
    )
