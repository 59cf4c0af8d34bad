"""Geometric verification with ORB keypoints and RANSAC (OpenCV): finds a template inside crops, under
captions and stickers, and tells where in the image it is.

Guards from measurement: caption letters can collapse onto a few keypoints of an unrelated template and
give many "inliers" at an absurd scale, so we reject implausible scales and count distinct keypoints on
both sides. ORB is not mirror-invariant, so the mirrored query is matched too.
"""

from __future__ import annotations

import logging
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
    from ..imaging import load_image, strip_bars

    im = load_image(path)
    pic, _ = strip_bars(im)
    pts, desc = _features(pic)
    if pic is not im and (desc is None or len(desc) < MIN_REFERENCE_KEYPOINTS):
        # A blank-canvas template (Who Would Win: a heading over two empty panels) is nearly all "bar";
        # what identifies it is the heading, so the whole picture is the reference.
        pts, desc = _features(im)
        return pts, desc, im.size
    return pts, desc, pic.size


SHORTLIST = 5  # references verified geometrically per view, after voting
MIN_REFERENCE_KEYPOINTS = 100  # fewer inside the bars: the reference is the whole picture
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
        # Every reference's keypoints once per verifier (one per worker process): a bounded cache
        # smaller than the knowledge base re-decoded a template for most verifications.
        self._features = [_reference(path) for _, path in self.refs]
        self._index = None
        if len(self.refs) > 1:  # votes also spare RANSAC on references an image barely resembles
            self._build_index(threads)

    def _build_index(self, threads: int | None) -> None:
        try:
            import faiss
        except ImportError:
            log.warning("faiss is not installed: verifying against all %d references (pip install faiss-cpu)", len(self.refs))
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

    def _one(self, q_pts, q_desc, ref: int, q_size: tuple[int, int]):
        r_pts, r_desc, r_size = self._features[ref]
        if q_desc is None or r_desc is None or len(q_desc) < 8 or len(r_desc) < 8:
            return 0, None
        pairs = self.matcher.knnMatch(r_desc, q_desc, k=2)
        good = [m for m, *rest in (p for p in pairs if p) if not rest or m.distance < 0.75 * rest[0].distance]
        if len(good) < self.min_inliers:
            return 0, None
        src = np.float32([r_pts[m.queryIdx] for m in good])
        dst = np.float32([q_pts[m.trainIdx] for m in good])
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

    def verify(self, image: Image.Image) -> Verified | None:
        """The reference with the most distinct inliers (>= min_inliers), trying the mirrored image too."""
        best: Verified | None = None
        views = [(False, image), (True, ImageOps.mirror(image))]
        for mirrored, view in views:
            q_pts, q_desc = _features(view)
            for i in self._shortlist(q_desc):
                tid = self.refs[i][0]
                n, region = self._one(q_pts, q_desc, i, image.size)
                if n >= self.min_inliers and (best is None or n > best.inliers):
                    if mirrored and region is not None:
                        region = (image.width - region[2], region[1], image.width - region[0], region[3])
                    best = Verified(tid, n, region, mirrored)
        return best


@lru_cache(maxsize=4)
def get_verifier(
    refs: tuple[tuple[int, str], ...], min_inliers: int = MIN_INLIERS, threads: int | None = None
) -> OrbVerifier:
    """One verifier (and its descriptor index) per process and knowledge base, not one per batch."""
    return OrbVerifier(list(refs), min_inliers, threads)
