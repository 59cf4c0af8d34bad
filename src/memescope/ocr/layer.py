"""The caption layer: what an instance added to its template, with the template's own picture blanked.

Meme generators draw captions over the template's picture. Once an instance is matched to a registered
template (and the region the picture fills is known), every pixel the caption did not touch equals the
reference's, up to re-compression. Blanking those pixels leaves the caption alone on white: the
template's printed text (WHO WOULD WIN?, a scroll's "I'VE FINALLY...") can no longer merge with a
caption drawn over it, and a busy photo can no longer be read as letters. On the OCR benchmark's
templates that carry printed text, this took rapidocr's character error rate from 2.6-14.5% to 0-1.2%
(see bench/ocr/README.md).

When the reference does not line up (another crop of the template, a redrawn variant, a wrong match),
most of the picture differs: the layer is refused and the caller reads the image as it is.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

__all__ = ["MAX_CHANGED", "caption_layer", "changed_mask"]

# A pixel belongs to the caption when it differs from the reference by more than this (0-255, the largest
# channel difference after a 3x3 mean on both): JPEG at quality 50 moves flat areas by < 10 and strong
# edges by ~20-40; caption strokes (white fill, black outline) differ by far more than 48.
THRESHOLD = 48
# A misaligned or wrong reference differs almost everywhere: on the benchmark, aligned instances had
# 0-25% of their picture marked (95th percentile), a reference of another template 62-100%.
MAX_CHANGED = 0.5
# Blanked pixels are white: both caption styles (white letters outlined in black, black text) stay
# legible on it, and on the benchmark white read better than mid-grey (DejaVu 1.2% vs 3.8% CER).
FILL = 255


def changed_mask(image: np.ndarray, reference: np.ndarray, threshold: int = THRESHOLD, grow: int = 1) -> np.ndarray:
    """Boolean mask of the pixels of `image` (H x W x 3 uint8) that differ from `reference` (same shape),
    grown by `grow` pixels so that the anti-aliased rim of each stroke stays with it."""
    import cv2  # OpenCV comes with rapidocr (the `ocr` extra)

    diff = cv2.absdiff(cv2.blur(image, (3, 3)), cv2.blur(reference, (3, 3))).max(axis=2)
    mask = (diff > threshold).astype(np.uint8)
    if grow:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    return mask.astype(bool)


def _candidates(
    region: tuple[int, int, int, int], ref_size: tuple[int, int], image_size: tuple[int, int]
) -> list[tuple[int, int, int, int]]:
    """Where the reference may lie: the region as matched, the whole image, and each of those with the
    reference's own proportions anchored at each edge. The bar finder can take rows of outlined caption
    text for a bar (the region then misses a band at the top or bottom), and a bar found a few rows too
    tall or short moves the picture's top edge, not its bottom one."""
    rw, rh = ref_size
    out: list[tuple[int, int, int, int]] = []
    for x0, y0, x1, y1 in (region, (0, 0, *image_size)):
        w, h = x1 - x0, y1 - y0
        out.append((x0, y0, x1, y1))
        tall = round(w * rh / rw)
        if abs(tall - h) > 2:
            out += [(x0, y1 - tall, x1, y1), (x0, y0, x1, y0 + tall)]
        wide = round(h * rw / rh)
        if abs(wide - w) > 2:
            out += [(x1 - wide, y0, x1, y1), (x0, y0, x0 + wide, y1)]
    return list(dict.fromkeys(out))


def _changed_share(pixels: np.ndarray, reference: Image.Image, region: tuple[int, int, int, int]):
    """(share of the visible region that differs, its mask, the visible part of the region) for the
    reference stretched over `region`, which may reach past the image's edges."""
    x0, y0, x1, y1 = region
    h, w = pixels.shape[:2]
    vx0, vy0, vx1, vy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 16 or y1 - y0 < 16 or vx1 - vx0 < 16 or vy1 - vy0 < 16:
        return 1.0, None, None
    # reducing_gap: a 2,000 px reference is box-reduced before LANCZOS, 5-10x faster at the same result
    ref = np.asarray(reference.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS, reducing_gap=2.0))
    ref = ref[vy0 - y0 : vy1 - y0, vx0 - x0 : vx1 - x0]
    mask = changed_mask(pixels[vy0:vy1, vx0:vx1], np.ascontiguousarray(ref))
    return float(mask.mean()), mask, (vx0, vy0, vx1, vy1)


# Candidate regions are compared on copies at most this long a side; only the best is computed in full.
_SCORING_SIDE = 320


def caption_layer(
    image: Image.Image,
    reference: Image.Image,
    region: tuple[int, int, int, int],
    mirrored: bool = False,
    max_changed: float = MAX_CHANGED,
) -> tuple[Image.Image | None, float]:
    """(the image with the template's untouched pixels blanked, share of the picture that differs).

    `region` is where the matched template's picture lies in `image` (as the match stage stores it),
    `mirrored` whether the instance is its mirror image. The layer is None when even the best-aligned
    candidate region differs on more than `max_changed` of the picture. Outside the region (caption
    bars, borders) the image is kept as it is.
    """
    rgb = image.convert("RGB")
    ref = reference.convert("RGB")
    if mirrored:
        ref = ImageOps.mirror(ref)
    candidates = _candidates(tuple(int(v) for v in region), ref.size, rgb.size)
    if len(candidates) > 1:
        f = max(1, max(rgb.size) // _SCORING_SIDE)
        small = np.asarray(rgb.reduce(f)) if f > 1 else np.asarray(rgb)
        ref_small = ref.reduce(max(1, max(ref.size) // (2 * _SCORING_SIDE)))
        scores = [_changed_share(small, ref_small, tuple(round(v / f) for v in c))[0] for c in candidates]
        candidates = [candidates[int(np.argmin(scores))]]
    share, mask, visible = _changed_share(np.asarray(rgb), ref, candidates[0])
    if mask is None or share > max_changed:
        return None, share
    out = np.asarray(rgb).copy()
    vx0, vy0, vx1, vy1 = visible
    out[vy0:vy1, vx0:vx1][~mask] = FILL
    return Image.fromarray(out), share
