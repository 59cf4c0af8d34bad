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
    if n < min_gap:
        return n
    low = (frac < leave).astype(np.int32)
    # run[i] counts picture rows in low[i : i + min_gap]; the band ends where the first full run starts
    run = np.convolve(low, np.ones(min_gap, dtype=np.int32), mode="valid")
    starts = np.flatnonzero(run == min_gap)
    return int(starts[0]) if starts.size else n


def _flat_border(body: np.ndarray, limit: int, min_border: int) -> int:
    """How many leading columns of `body` are flat (std < 3), up to `limit`; 0 if fewer than `min_border`.

    Most pictures have no border: the first `min_border` columns settle that without the rest.
    """
    if body[:, 0].std() >= 3.0:  # the usual case: a textured first column, no border
        return 0
    if (body[:, :min_border].std(axis=0) >= 3.0).any():
        return 0
    std = body[:, :limit].std(axis=0)
    textured = np.flatnonzero(std >= 3.0)
    return int(textured[0]) if textured.size else limit


def content_box(gray: np.ndarray, max_bar: float = 0.45) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the picture once caption bars and flat borders are removed.

    `gray` is a 2-D uint8 array. Bars may take at most `max_bar` of the height from each side; a result
    smaller than a quarter of the image falls back to the whole image (better unstripped than wrong).
    """
    h, w = gray.shape
    if h < 16 or w < 16:
        return (0, 0, w, h)
    gap = max(2, h // 60)
    cap = int(h * max_bar)
    top = bottom = 0
    # A band must start at the first or last row: most memes have none, and two rows settle it.
    ends = gray[[0, h - 1]]
    for frac_of in (lambda a: (a >= _NEAR_WHITE).mean(axis=1), lambda a: (a <= _NEAR_BLACK).mean(axis=1)):
        first, last = frac_of(ends)
        if first >= 0.97 or last >= 0.97:
            frac = frac_of(gray)
            top = max(top, _band_rows(frac, 0.97, 0.35, gap))
            bottom = max(bottom, _band_rows(frac[::-1], 0.97, 0.35, gap))
    top, bottom = min(top, cap), min(bottom, cap)
    # Flat side borders (letterboxing): columns with almost no variation. A few flat columns are
    # texture, not a border: letterboxing is at least 2% of the width.
    min_border = max(4, w // 50)
    body = gray[top : h - bottom]
    left = right_cut = 0
    if body.shape[0] and w // 4 >= min_border:
        left = _flat_border(body, w // 4, min_border)
        right_cut = _flat_border(body[:, ::-1], w - 3 * w // 4, min_border)
    right = w - right_cut
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
