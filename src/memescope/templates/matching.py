"""Matching an image to the knowledge base: pHash distance first (content, whole image, mirror), then
geometric verification with local features for what hashes cannot settle (crops, heavy overlays)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..index import hamming_matrix
from ..index.hamming import to_uint64

__all__ = ["MatchDecision", "NEAREST_HINTS", "PHASH_MATCH_RADIUS", "match_hashes", "reference_codes"]

# A distance of <= 10 of 64 bits: imagehash's customary "same picture" radius. Between unrelated
# pictures, pHash distances centre on 32 with sd ~4, so 10 is about 5.5 sd out.
PHASH_MATCH_RADIUS = 10
# Templates named, nearest first, when no hash is near enough: geometric verification tries the image
# reshaped to each one's proportions (see templates.verify). On the template bench the right template
# was among the three nearest for 9 of the 10 stretched small reposts ORB had missed.
NEAREST_HINTS = 3


@dataclass(frozen=True)
class MatchDecision:
    template_id: int | None
    distance: int | None
    score: float
    method: str  # phash | phash-full | phash-mirror | orb | none
    verified: bool = False
    region: tuple[int, int, int, int] | None = None
    # (template id, mirrored) of the nearest templates by hash, when none is within the radius
    nearest: tuple[tuple[int, bool], ...] = ()
    inliers: int | None = None  # distinct RANSAC inliers, when keypoints placed it


def match_hashes(
    content: int, full: int, mirror: int, ref_ids: np.ndarray, ref_codes: np.ndarray, radius: int = PHASH_MATCH_RADIUS
) -> MatchDecision:
    """Best reference by Hamming distance over the three views of the query; `none` beyond `radius`.

    The score maps distance to [0, 1]: 1 at 0 bits, 0.5 at the radius, 0 at 32 (chance).
    """
    if len(ref_codes) == 0:
        return MatchDecision(None, None, 0.0, "none")
    d = hamming_matrix([content, full, mirror], ref_codes)  # (3, n_refs)
    view, j = np.unravel_index(np.argmin(d), d.shape)
    dist = int(d[view, j])
    score = round(max(0.0, 1 - dist / 32) if dist > radius else 1 - 0.5 * dist / radius, 3)
    if dist > radius:
        return MatchDecision(None, dist, score, "none", nearest=_nearest(d, ref_ids))
    return MatchDecision(int(ref_ids[j]), dist, score, ("phash", "phash-full", "phash-mirror")[view])


def _nearest(d: np.ndarray, ref_ids: np.ndarray, k: int = NEAREST_HINTS) -> tuple[tuple[int, bool], ...]:
    """The k nearest templates in a (3 views, refs + mirrored refs) distance matrix, each with whether
    the image is mirrored relative to it (the query's mirror view against a reference, or the reverse)."""
    n = d.shape[1] // 2
    out: dict[int, bool] = {}
    for flat in np.argsort(d, axis=None, kind="stable"):
        view, j = divmod(int(flat), d.shape[1])
        tid = int(ref_ids[j])
        if tid not in out:
            out[tid] = (view == 2) != (j >= n)
            if len(out) == k:
                break
    return tuple(out.items())


def reference_codes(template_ids, phashes, mirrors) -> tuple[np.ndarray, np.ndarray]:
    """(ids, codes) for match_hashes: each reference enters twice, as itself and as its mirror."""
    ids = np.array(list(template_ids) * 2, dtype=np.int64)
    return ids, to_uint64(list(phashes) + list(mirrors))
