"""One way to tell which template an image shows: its pHashes against every reference (content, whole
image, mirror), and, where no hash is near enough, ORB keypoints verified with RANSAC (crops, heavy
overlays, stretched reposts). `memescope analyze`, `memescope match` and the web app's search by picture
all call it.

The match stage runs the two tiers apart (hashes for every image at once, then verification in worker
processes for the rest); `identify` runs them one after the other for a single image.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..exceptions import NotInstalledError
from ..records import ImageFeatures
from .matching import MatchDecision, match_hashes, reference_codes
from .verify import Verified, get_verifier

__all__ = ["ReferenceSet", "identify", "verify_picture", "decision_from_verified"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReferenceSet:
    """The reference pictures to identify against: template ids with their pHashes (each reference enters
    as itself and as its mirror), names, and (template id, path) pairs for keypoint verification."""

    ids: np.ndarray
    codes: np.ndarray
    names: dict[int, str]
    paths: tuple[tuple[int, str], ...]

    @classmethod
    def build(cls, refs: Iterable[tuple[int, str, str | None, int, int]]) -> ReferenceSet:
        """From (template id, template name, path or None, pHash, mirrored pHash) of each reference."""
        refs = list(refs)
        ids, codes = reference_codes([r[0] for r in refs], [r[3] for r in refs], [r[4] for r in refs])
        paths = tuple(sorted({(int(r[0]), r[2]) for r in refs if r[2]}))
        return cls(ids, codes, {int(r[0]): r[1] for r in refs}, paths)

    def __len__(self) -> int:
        return len(self.names)

    def by_hash(self, features: ImageFeatures) -> MatchDecision:
        """The hash tier: the nearest reference within the radius over three views, else `none` with the
        nearest templates as hints for verification."""
        return match_hashes(features.phash, features.phash_full, features.phash_mirror, self.ids, self.codes)


def decision_from_verified(hashed: MatchDecision, v: Verified) -> MatchDecision:
    """The decision once keypoints placed a template the hashes could not."""
    return MatchDecision(v.template_id, hashed.distance, v.score, v.method, True, v.region, inliers=v.inliers)


def verify_picture(
    paths: tuple[tuple[int, str], ...], image: Image.Image, hints=(), threads: int | None = None
) -> Verified | None:
    """The keypoint tier alone, against the references at `paths` (one verifier per process and set)."""
    return get_verifier(paths, threads=threads).verify(image, hints)


def identify(
    features: ImageFeatures, refs: ReferenceSet, picture: Image.Image | Callable[[], Image.Image] | None = None
) -> MatchDecision:
    """Which template the image shows: by hash, else (given its `picture`, or a function that decodes
    it only when needed) by keypoints. Without OpenCV the hash decision stands, and a warning says so."""
    decided = refs.by_hash(features)
    if decided.template_id is not None or picture is None or not refs.paths:
        return decided
    image = picture() if callable(picture) else picture
    try:
        v = verify_picture(refs.paths, image, decided.nearest)
    except NotInstalledError as exc:
        log.warning("keypoint verification is off: %s", exc)
        return decided
    return decided if v is None else decision_from_verified(decided, v)
