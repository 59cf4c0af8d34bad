"""The match stage: each hashed image's template (templates.identify: hashes for all, then keypoints in
worker processes for what hashes cannot settle), each template's images numbered into variants, and what
no template explains clustered into candidate templates."""

from __future__ import annotations

import functools
import logging

from ...exceptions import BadImageError
from ...imaging import load_image
from ...index.hamming import to_uint64
from ...records import Done, Outcome, Skipped
from ...store import Cluster, MatchRow, PendingMatch, Store
from ...templates.clustering import cluster_codes, medoid
from ...templates.identify import ReferenceSet, decision_from_verified, verify_picture
from ...templates.matching import MatchDecision
from ...templates.verify import Verified
from ..registry import stage_registry
from ..runner import RunContext, StageCount, run_items

__all__ = ["verify_batch", "match_stage", "number_variants", "opencv_available"]

log = logging.getLogger(__name__)


def verify_batch(
    batch: tuple[tuple[tuple[int, str], ...], list[PendingMatch], list[MatchDecision]],
) -> list[Outcome[Verified | None]]:
    """ORB + RANSAC for images the hashes could not place: against every reference when there are few,
    else against the references the image's keypoints vote for, then reshaped to the nearest templates'
    proportions (see templates.verify). Done with a Verified (small, picklable) or None."""
    paths, items, hashed = batch
    out: list[Outcome[Verified | None]] = []
    for item, decision in zip(items, hashed):
        try:
            out.append(Done(item.sha256, verify_picture(paths, load_image(item.path), decision.nearest, threads=1)))
        except BadImageError as exc:
            out.append(Skipped(item.sha256, exc.reason, exc.detail))
    return out


def opencv_available() -> bool:
    try:
        import cv2  # noqa: F401
    except ImportError:
        return False
    return True


def _row(item: PendingMatch, d: MatchDecision, kb: int) -> MatchRow:
    # a hash match lies where the picture lies (inside the bars); a verified one where keypoints put it
    region = d.region if d.verified else item.features.box if d.template_id is not None else None
    return MatchRow(item.sha256, d.template_id, d.distance, d.score, d.method, d.verified, region, kb)


@stage_registry.register("match")
def match_stage(ctx: RunContext) -> StageCount:
    store = ctx.store
    kb = store.kb_version
    refs = ReferenceSet.build((r.template_id, r.template, r.path, r.phash, r.phash_mirror) for r in store.references())
    pending = store.pending_matches(kb)
    # Step 1, every pending image: nearest reference by Hamming distance over three views.
    ctx.progress.start("match", len(pending))
    decisions = {p.sha256: (p, refs.by_hash(p.features)) for p in pending}
    undecided = [sha for sha, (_, d) in decisions.items() if d.template_id is None]
    verify = bool(undecided and len(refs))
    if verify and not opencv_available():
        log.warning("OpenCV missing: images the hashes cannot place stay unmatched (pip install 'memescope[ocr]')")
        verify = False
    waiting = set(undecided) if verify else set()
    with store.transaction():
        store.save_matches(_row(p, d, kb) for sha, (p, d) in decisions.items() if sha not in waiting)
    ctx.progress.advance(len(pending))
    ctx.progress.finish()
    errors = 0
    if verify:
        # Step 2: what hashes cannot settle (crops, heavy overlays) is verified geometrically.
        def save(results: list[Done[Verified | None]]) -> None:
            rows = []
            for r in results:
                item, d = decisions[r.item]
                rows.append(_row(item, d if r.value is None else decision_from_verified(d, r.value), kb))
            store.save_matches(rows)

        items = [decisions[sha][0] for sha in undecided]
        errors = run_items(
            ctx,
            "verify",
            items,
            verify_batch,
            save,
            batch_size=ctx.config.batches.verify,
            wrap=functools.partial(_with_refs, refs.paths, decisions),
        ).errors
    store.refresh_assignments()
    number_variants(store, ctx.config.variant_eps)
    _cluster_unmatched(store, ctx.config.cluster_eps, ctx.config.cluster_min_size)
    return StageCount(len(pending) - errors, errors)


def _with_refs(paths: tuple, decisions: dict, batch: list[PendingMatch]) -> tuple:
    return paths, batch, [decisions[p.sha256][1] for p in batch]


def number_variants(store: Store, eps: int) -> None:
    """Group each template's matched images into variants (pHash within `eps` bits, mirrors alike),
    numbered by size; singletons are variants of their own."""
    variants: dict[str, int] = {}
    for tid in store.matched_template_ids():
        codes = store.template_codes(tid)
        groups = cluster_codes(to_uint64(codes.codes), to_uint64(codes.mirrors), eps=eps, min_size=1)
        for vid, members in enumerate(groups, 1):
            variants.update((codes.shas[i], vid) for i in members)
    store.set_variants(variants)


def _cluster_unmatched(store: Store, eps: int, min_size: int) -> None:
    """Cluster whatever no template explains into candidate templates; singletons stay unassigned."""
    unmatched = store.unmatched_codes()
    codes = to_uint64(unmatched.codes)
    groups = cluster_codes(codes, to_uint64(unmatched.mirrors), eps=eps, min_size=min_size) if unmatched.shas else []
    store.replace_clusters(
        [Cluster(unmatched.shas[medoid(codes, members)], [unmatched.shas[i] for i in members]) for members in groups]
    )
