"""Find the picture inside a meme: strip caption bars (white or black bands holding text) and flat borders.

The same normalization is applied to template references and to queries, because many templates have
white tops of their own: stripping only the query would make the two disagree.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["content_box", "strip_bars"]

_NEAR_WHITE = 225
_NEAR_BLACK = 30


def _band_rows(frac: np.ndarray, enter: float, leave: float, min_gap: int) -> int:
    """Length of the band at the start of `frac` (per-row fraction of bar-coloured pixels).

    The band starts only if the first row is bar-coloured (>= enter); it ends at the first run of `min_gap`
    rows that are mostly picture (< leave). Rows of caption letters dip below `enter` but rarely below
    `leave`, so the text inside a bar does not end the bar.
    """
    n = len(frac)
    if n == 0 or frac[0] < enter:
        return 0
    low = 0
    for i in range(n):
        if frac[i] < leave:
            low += 1
            if low >= min_gap:
                return i - min_gap + 1
        else:
            low = 0
    return n


def content_box(gray: np.ndarray, max_bar: float = 0.45) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the picture once caption bars and flat borders are removed.

    `gray` is a 2-D uint8 array. Bars may take at most `max_bar` of the height from each side; a result
    smaller than a quarter of the image falls back to the whole image (better unstripped than wrong).
    """
    h, w = gray.shape
    if h < 16 or w < 16:
        return (0, 0, w, h)
    white = (gray >= _NEAR_WHITE).mean(axis=1)
    black = (gray <= _NEAR_BLACK).mean(axis=1)
    gap = max(2, h // 60)
    cap = int(h * max_bar)
    top = max(_band_rows(white, 0.97, 0.35, gap), _band_rows(black, 0.97, 0.35, gap))
    bottom = max(_band_rows(white[::-1], 0.97, 0.35, gap), _band_rows(black[::-1], 0.97, 0.35, gap))
    top, bottom = min(top, cap), min(bottom, cap)
    # Flat side borders (letterboxing): columns with almost no variation.
    col_std = gray[top : h - bottom].std(axis=0) if h - bottom > top else np.zeros(w)
    left = 0
    while left < w // 4 and col_std[left] < 3.0:
        left += 1
    right = w
    while right > 3 * w // 4 and col_std[right - 1] < 3.0:
        right -= 1
    # a few flat columns are texture, not a border: letterboxing is at least 2% of the width
    min_border = max(4, w // 50)
    left = left if left >= min_border else 0
    right = right if w - right >= min_border else w
    box = (left, top, right, h - bottom)
    if (box[2] - box[0]) * (box[3] - box[1]) < 0.25 * w * h:
        return (0, 0, w, h)
    return box


def strip_bars(im: Image.Image) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """Crop `im` to its content box; returns the crop and the box in `im`'s coordinates."""
    gray = np.asarray(im.convert("L"))
    box = content_box(gray)
    if box == (0, 0, im.width, im.height):
        return im, box
    return im.crop(box), box
