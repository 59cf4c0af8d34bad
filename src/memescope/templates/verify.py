"""Geometric verification with ORB keypoints and RANSAC (OpenCV): finds a template inside crops, under
captions and stickers, and tells where in the image it is.

Guards from measurement: caption letters can collapse onto a few keypoints of an unrelated template and
give many "inliers" at an absurd scale, so we reject implausible scales and count distinct keypoints on
both sides. ORB is not mirror-invariant, so the mirrored query is matched too. ORB descriptors do not
survive a strong change of aspect ratio either, so an image that matches nothing is reshaped to the
proportions of the templates its hashes are nearest to, and matched again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageOps

from ..exceptions import NotInstalledError

__all__ = ["Verified", "OrbVerifier", "MIN_INLIERS", "SHORTLIST", "get_verifier"]

log = logging.getLogger(__name__)

MIN_INLIERS = 20
_SIDE = 512


def _cv2():
    try:
        import cv2
    except ImportError as exc:
        raise NotInstalledError("OpenCV", "ocr", "opencv-python-headless") from exc
    return cv2


@dataclass(frozen=True)
class Verified:
    template_id: int
    inliers: int
    region: tuple[int, int, int, int]
    mirrored: bool

    @property
    def score(self) -> float:
        """0.6 at the minimum of 20 distinct inliers, 1.0 from 100 on."""
        return round(min(1.0, 0.5 + self.inliers / 200), 3)

    @property
    def method(self) -> str:
        return "orb-mirror" if self.mirrored else "orb"


def _features(im: Image.Image):
    cv2 = _cv2()
    scale = _SIDE / max(im.size)
    g = im.convert("L")
    if scale < 1:
        g = g.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.BILINEAR)
    else:
        scale = 1.0
    # Local contrast equalization (CLAHE) on both sides: a dark, low-contrast template (Evil Kermit)
    # gave ORB 11 keypoints, and its captioned instances' keypoints all sat on the letters. On the
    # template bench (100 per family) misses fell from 43 to 29 of 900 with no false match in 3,000;
    # 4x4 tiles beat 8x8 (33) and a clip limit of 1 (36).
    gray = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(4, 4)).apply(np.asarray(g))
    orb = cv2.ORB_create(nfeatures=1000)
    kps, desc = orb.detectAndCompute(gray, None)
    pts = np.array([k.pt for k in kps], dtype=np.float32) / scale if kps else np.empty((0, 2), np.float32)
    return pts, desc


def _reference(path: str):
    from ..imaging import load_image

    # The whole picture, not the part inside its "bars": a template in the knowledge base is a clean
    # picture, and a bright sky reads as a bar (Jack Sparrow lost his head, Brace Yourselves its upper
    # half). A true blank bar gives ORB no keypoints, so keeping it costs nothing.
    im = load_image(path)
    pts, desc = _features(im)
    return pts, desc, im.size


SHORTLIST = 5  # references verified geometrically per view, after voting
MAX_STRETCH = 2.5  # largest ratio of the two axis scales accepted in a geometric match
IVF_FROM = 20_000  # reference descriptors from which the vote index is an inverted file, not a flat scan


class OrbVerifier:
    """Verify a query image against reference images; `refs` is [(template_id, path)].

    With more than one reference, the query's descriptors first vote: every reference descriptor sits
    in one FAISS binary index, each query descriptor's nearest neighbour votes for its reference when
    it is clearly nearer than the nearest descriptor of any *other* template (the ratio test; a second
    picture of the same template is not a rival), and only the SHORTLIST most-voted references with at
    least MIN_INLIERS // 2 votes are verified with RANSAC. Unlike a hash shortlist, voting survives
    crops: a crop keeps many keypoints of its template.

    `threads` caps FAISS's and OpenCV's threads (1 in pipeline workers: there is one worker per core).
    """

    def __init__(self, refs: list[tuple[int, str]], min_inliers: int = MIN_INLIERS, threads: int | None = None):
        self.refs = list(refs)
        self.min_inliers = min_inliers
        # On the template bench, verified matches had 19 or more votes (with 20 inliers needed) and 97% of
        # failed verifications fewer than 5: half the inlier minimum keeps the first, skips most of the rest.
        self.min_votes = min_inliers // 2
        self.cv2 = _cv2()
        if threads:
            self.cv2.setNumThreads(threads)
        self.matcher = self.cv2.BFMatcher(self.cv2.NORM_HAMMING)
        try:
            import faiss
        except ImportError:
            self._faiss = None
        else:
            self._faiss = faiss
        # Every reference's keypoints once per verifier (one per worker process): a bounded cache
        # smaller than the knowledge base re-decoded a template for most verifications.
        self._features = [_reference(path) for _, path in self.refs]
        self._index = None
        if len(self.refs) > 1:  # votes also spare RANSAC on references an image barely resembles
            self._build_index(threads)

    def _build_index(self, threads: int | None) -> None:
        faiss = self._faiss
        if faiss is None:
            log.warning(
                "faiss is not installed: verifying against all %d references (pip install faiss-cpu)", len(self.refs)
            )
            return
        if threads:
            faiss.omp_set_num_threads(threads)
        descs, owners = [], []
        for i, (_, desc, _) in enumerate(self._features):
            if desc is not None:
                descs.append(desc)
                owners.append(np.full(len(desc), i, dtype=np.int64))
        if not descs:
            return
        xb = np.ascontiguousarray(np.vstack(descs))
        self._owners = np.concatenate(owners)
        ref_template = np.array([tid for tid, _ in self.refs], dtype=np.int64)
        self._owner_template = ref_template[self._owners]
        bits = xb.shape[1] * 8
        if len(xb) < IVF_FROM:
            index = faiss.IndexBinaryFlat(bits)
        else:
            # Inverted lists: 8 of sqrt(n) cells probed. On 67K descriptors of 79 templates a query's
            # 1,000 descriptors took 5.5 ms instead of 116 ms, and the right template's votes were
            # unchanged (median 195 vs 193; none fell below min_votes).
            nlist = int(np.clip(np.sqrt(len(xb)), 16, 4096))
            index = faiss.IndexBinaryIVF(faiss.IndexBinaryFlat(bits), bits, nlist)
            index.train(xb)
            index.nprobe = 8
        index.add(xb)
        self._index = index

    def _shortlist(self, q_desc) -> list[int]:
        """Indices (into refs) of the references most voted for by the query's descriptors."""
        if self._index is None or q_desc is None or len(q_desc) == 0:
            return list(range(len(self.refs)))
        dist, idx = self._index.search(np.ascontiguousarray(q_desc), 4)
        found = idx[:, 0] >= 0
        dist, idx = dist[found], idx[found]
        tmpl = self._owner_template[np.maximum(idx, 0)]
        # the rival is the nearest neighbour from another template (or the 4th, if all four share one)
        other = (tmpl != tmpl[:, :1]) & (idx >= 0)
        rival = np.where(other.any(axis=1), dist[np.arange(len(dist)), other.argmax(axis=1)], dist[:, -1])
        good = dist[:, 0] < 0.8 * np.maximum(rival, 1)
        votes = np.bincount(self._owners[idx[good, 0]], minlength=len(self.refs))
        order = np.argsort(-votes, kind="stable")[:SHORTLIST]
        return [int(i) for i in order if votes[i] >= self.min_votes]

    def _pairs(self, r_desc: np.ndarray, q_desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(reference rows, query rows) of the matches that pass Lowe's ratio test: each reference
        descriptor's nearest query descriptor, kept when clearly nearer than the second nearest."""
        if self._faiss is not None:
            # FAISS's flat binary scan gives the same neighbours 4-5x faster than OpenCV's BFMatcher,
            # which also builds a Python object per match (1.9 vs 9.0 ms for 1,000 x 1,000).
            index = self._faiss.IndexBinaryFlat(q_desc.shape[1] * 8)
            index.add(np.ascontiguousarray(q_desc))
            dist, idx = index.search(np.ascontiguousarray(r_desc), 2)
        else:
            pairs = self.matcher.knnMatch(r_desc, q_desc, k=2)
            dist = np.full((len(r_desc), 2), np.inf)
            idx = np.full((len(r_desc), 2), -1)
            for p in pairs:
                for k, m in enumerate(p[:2]):
                    dist[m.queryIdx, k], idx[m.queryIdx, k] = m.distance, m.trainIdx
        keep = (idx[:, 0] >= 0) & ((idx[:, 1] < 0) | (dist[:, 0] < 0.75 * dist[:, 1]))
        return np.flatnonzero(keep), idx[keep, 0]

    def _one(self, q_pts, q_desc, ref: int, q_size: tuple[int, int]):
        r_pts, r_desc, r_size = self._features[ref]
        if q_desc is None or r_desc is None or len(q_desc) < 8 or len(r_desc) < 8:
            return 0, None
        r_rows, q_rows = self._pairs(r_desc, q_desc)
        if len(r_rows) < self.min_inliers:
            return 0, None
        src = r_pts[r_rows]
        dst = q_pts[q_rows]
        # A full affine map, not a similarity: reposted memes are often stretched to another aspect
        # ratio. Guards keep it a plausible resize: not mirrored, the two axis scales at most
        # MAX_STRETCH apart, and the template between a quarter and four times the size it would have
        # filling the query (caption letters collapsing onto a few keypoints give absurd scales).
        M, mask = self.cv2.estimateAffine2D(src, dst, method=self.cv2.RANSAC, ransacReprojThreshold=6.0)
        if M is None:
            return 0, None
        inl = mask.ravel().astype(bool)
        sv = np.linalg.svd(M[:, :2], compute_uv=False)
        filling = max(q_size) / max(r_size)
        if not (
            0.25 * filling <= sv[1]
            and sv[0] <= 4.0 * filling
            and sv[0] <= MAX_STRETCH * sv[1]
            and np.linalg.det(M[:, :2]) > 0
        ):
            return 0, None
        # distinct keypoints on both sides: many matches onto one point are one piece of evidence
        n = min(len({tuple(np.round(p)) for p in src[inl]}), len({tuple(np.round(p)) for p in dst[inl]}))
        w, h = r_size
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        proj = corners @ M[:, :2].T + M[:, 2]
        region = (int(proj[:, 0].min()), int(proj[:, 1].min()), int(proj[:, 0].max()), int(proj[:, 1].max()))
        return n, region

    def verify(self, image: Image.Image, hints: Iterable[tuple[int, bool]] = ()) -> Verified | None:
        """The reference with the most distinct inliers (>= min_inliers), trying the mirrored image too.

        `hints` are (template id, mirrored) pairs, nearest first by hash (`MatchDecision.nearest`). When
        the image itself verifies against nothing, it is reshaped to each hinted reference's proportions
        and matched again: ORB descriptors do not survive a small repost stretched to another aspect
        ratio, but they do once the stretch is undone.
        """
        best: Verified | None = None
        views = [(False, image), (True, ImageOps.mirror(image))]
        for mirrored, view in views:
            q_pts, q_desc = _features(view)
            for i in self._shortlist(q_desc):
                n, region = self._one(q_pts, q_desc, i, image.size)
                if n >= self.min_inliers and (best is None or n > best.inliers):
                    if mirrored and region is not None:
                        region = _unmirrored(region, image.width)
                    best = Verified(self.refs[i][0], n, region, mirrored)
        if best is None:
            for tid, mirrored in hints:
                best = self._reshaped(image, tid, mirrored)
                if best is not None:
                    break
        return best

    def _reshaped(self, image: Image.Image, template_id: int, mirrored: bool) -> Verified | None:
        """`image` (mirrored if so) resized to the proportions of each reference of one template, then
        matched with that reference alone; the region is given in the image's own coordinates."""
        best: Verified | None = None
        view = (ImageOps.mirror(image) if mirrored else image).convert("L")  # ORB reads grey
        for i, (tid, _) in enumerate(self.refs):
            if tid != template_id:
                continue
            rw, rh = self._features[i][2]
            f = min(1.0, _SIDE / max(rw, rh))  # the size _features would scale to anyway
            shaped = view.resize((max(1, round(rw * f)), max(1, round(rh * f))), Image.Resampling.BILINEAR)
            q_pts, q_desc = _features(shaped)
            n, region = self._one(q_pts, q_desc, i, shaped.size)
            if n >= self.min_inliers and (best is None or n > best.inliers) and region is not None:
                sx, sy = image.width / shaped.width, image.height / shaped.height
                scaled = (region[0] * sx, region[1] * sy, region[2] * sx, region[3] * sy)
                if mirrored:
                    scaled = _unmirrored(scaled, image.width)
                left, top, right, bottom = (int(v) for v in scaled)
                best = Verified(tid, n, (left, top, right, bottom), mirrored)
        return best


def _unmirrored(region: tuple, width: float) -> tuple:
    """A region (left, top, right, bottom) found in the mirrored image, in the image's own coordinates."""
    return (width - region[2], region[1], width - region[0], region[3])


@lru_cache(maxsize=4)
def get_verifier(
    refs: tuple[tuple[int, str], ...], min_inliers: int = MIN_INLIERS, threads: int | None = None
) -> OrbVerifier:
    """One verifier (and its descriptor index) per process and knowledge base, not one per batch."""
    return OrbVerifier(list(refs), min_inliers, threads)
