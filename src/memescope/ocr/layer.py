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

import re
from collections import Counter
from dataclasses import replace

import numpy as np
from PIL import Image, ImageOps

from .base import OcrLine, assign_blocks, same_line
from .clean import is_known_word
from .metrics import edit_distance

__all__ = [
    "MAX_CHANGED",
    "caption_layer",
    "changed_mask",
    "drop_leftovers",
    "orphan_ink_boxes",
    "read_caption_layer",
    "stray_ink_boxes",
]

# A pixel belongs to the caption when it differs from the reference by more than this (0-255, the largest
# channel difference after a 3x3 mean on both): JPEG at quality 50 moves flat areas by < 10 and strong
# edges by ~20-40; caption strokes (white fill, black outline) differ by far more than 48.
THRESHOLD = 48
# A misaligned or wrong reference differs almost everywhere: on the benchmark, aligned instances had
# 0-25% of their picture marked (95th percentile), a reference of another template 62-100%.
MAX_CHANGED = 0.5
# Blanked pixels are white: both caption styles (white letters outlined in black, black text) stay
# legible on it. Any other colour also punches holes in white letters drawn over white parts of the
# template (their fill equals the reference there): on the benchmark rapidocr read DejaVu captions with
# 1.2% CER on white, 3.8% on mid-grey. An engine that reads worse on the layer says so with
# `reads_caption_layer = False` (Tesseract: its preprocessing looks for white letters ringed by their
# outline, and on white the ring opens up; 2.6% CER on Anton captions against 1.5% on the image).
FILL = 255


def _scaled_box(box: tuple[int, int, int, int], f: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = (round(v / f) for v in box)
    return left, top, right, bottom


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
    pixels = np.asarray(rgb)
    left, top, right, bottom = (int(v) for v in region)
    candidates = _candidates((left, top, right, bottom), ref.size, rgb.size)
    if len(candidates) > 1:
        f = max(1, max(rgb.size) // _SCORING_SIDE)
        small = np.asarray(rgb.reduce(f)) if f > 1 else pixels
        ref_small = ref.reduce(max(1, max(ref.size) // (2 * _SCORING_SIDE)))
        scores = [_changed_share(small, ref_small, _scaled_box(c, f))[0] for c in candidates]
        candidates = [candidates[int(np.argmin(scores))]]
    share, mask, visible = _changed_share(pixels, ref, candidates[0])
    if mask is None or share > max_changed:
        return None, share
    out = pixels.copy()
    vx0, vy0, vx1, vy1 = visible
    out[vy0:vy1, vx0:vx1][~mask] = FILL
    return Image.fromarray(out), share


# -- glyphs the detector left out ------------------------------------------------------------------

# On the caption layer nothing but the caption is dark: ink beside a detected line that no box holds is
# a glyph the detector missed. rapidocr's detector leaves out a lone "I" starting a line ("I WON NOTHING"
# read as "WON NOTHING": 3 of the 13 DejaVu captions still misread on the benchmark's seed 6).
_INK = 160  # darker than this is ink: the black outline of white letters, or black letters


def stray_ink_boxes(
    ink: np.ndarray, boxes: list[tuple[int, int, int, int]], reach: float = 1.5
) -> list[tuple[int, tuple[int, int, int, int]]]:
    """(index, widened box) for each line box with ink just beside it that no box holds.

    `ink` is a boolean H x W array. Beside means on the line's rows, within `reach` line heights to the
    left or right; the ink must span at least half the line's height (a glyph, not a speck or the rim of
    the next line), and the box widens to take it in."""
    out = []
    h_img, w_img = ink.shape
    boxes = list(boxes)  # widened as we go: a glyph between two lines goes to one of them only
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        h = y1 - y0
        if h < 8:
            continue
        r0, r1 = max(0, y0 + h // 8), min(h_img, y1 - h // 8)
        # another box on these rows owns its columns and the glyphs it cut at its edge: the search stops
        # a fifth of a line height short of it ("WHAT I" + "THINK" must not become "WHAT I" + "I THINK")
        left_end, right_start = max(0, x0 - int(reach * h)), min(w_img, x1 + int(reach * h))
        for j, (a0, b0, a1, b1) in enumerate(boxes):
            if j != i and same_line((y0, y1), (b0, b1)):
                if a1 <= x0:
                    left_end = max(left_end, a1 + h // 5)
                elif a0 >= x1:
                    right_start = min(right_start, a0 - h // 5)
                else:
                    left_end, right_start = x0, x1  # overlapping boxes: leave them to the detector
        new = [x0, x1]
        for lo, hi, side in ((left_end, max(0, x0), 0), (min(w_img, x1), right_start, 1)):
            if hi - lo < 2:
                continue
            cols = ink[r0:r1, lo:hi].any(axis=0)
            hit = np.flatnonzero(cols)
            if not hit.size:
                continue
            # the glyph's rows, over its columns, must cover half the line
            span = ink[y0:y1, lo + hit[0] : lo + hit[-1] + 1].any(axis=1)
            if span.sum() < 0.5 * h:
                continue
            if side == 0:
                new[0] = lo + int(hit[0]) - max(2, h // 10)
            else:
                new[1] = lo + int(hit[-1]) + 1 + max(2, h // 10)
        if new != [x0, x1]:
            boxes[i] = (max(0, new[0]), y0, min(w_img, new[1]), y1)
            out.append((i, boxes[i]))
    return out


def orphan_ink_boxes(
    ink: np.ndarray, boxes: list[tuple[int, int, int, int]], max_lines: int = 4
) -> list[tuple[int, int, int, int]]:
    """Boxes round bands of ink on rows no detected line touches: a short last line ("IT" under "AND
    SOME ONE EAT'S") that the detector left out. A band is followed up and down while its letters' ink
    goes on (into the margin counted as the neighbouring line's), and must then be at least half as tall
    as the detected lines and at most twice as tall (one line of the same lettering, not a remnant of the
    picture)."""
    if not boxes:
        return []
    heights = sorted(y1 - y0 for _, y0, _, y1 in boxes)
    line_h = heights[len(heights) // 2]
    covered = np.zeros(ink.shape[0], bool)
    for _, y0, _, y1 in boxes:
        m = (y1 - y0) // 4
        covered[max(0, y0 - m) : max(0, y1 + m)] = True
    rows = ink.any(axis=1) & ~covered
    out = []
    padded = np.concatenate([[False], rows, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    for r0, r1 in zip(edges[::2], edges[1::2]):
        cols = np.flatnonzero(ink[r0:r1].any(axis=0))
        # a short last line of outlined capitals sits tight under the line above ("IN" under "WENT BACK"),
        # its letters reaching into the margin counted as that line's: follow their ink up and down
        band = np.asarray(ink[:, cols[0] : cols[-1] + 1].any(axis=1))
        for _ in range(line_h // 4):
            if r0 == 0 or not band[r0 - 1]:
                break
            r0 -= 1
        for _ in range(line_h // 4):
            if r1 >= len(band) or not band[r1]:
                break
            r1 += 1
        if not 0.5 * line_h <= r1 - r0 <= 2 * line_h:
            continue
        # a white margin round the letters, kept off the ink of the line above or below (the recognizer
        # reads "IT" at 0.89 with a clear margin and at 0.48 with a sliver of the line above in the crop)
        pad = max(2, line_h // 6)
        above = next((k for k in range(pad) if r0 - k == 0 or band[r0 - k - 1]), None)
        below = next((k for k in range(pad) if r1 + k >= len(band) or band[r1 + k]), None)
        top = r0 - (pad if above is None else above // 2)
        bottom = r1 + (pad if below is None else below // 2)
        out.append((max(0, int(cols[0]) - pad), int(top), min(ink.shape[1], int(cols[-1]) + 1 + pad), int(bottom)))
        if len(out) == max_lines:
            break
    return out


# What is read again must be sure, and words: stickers and the rim of a rotated picture are dark too,
# and read as "(0)", "1001" or "OO 70000" (the demo corpus, where instances are rotated and stickered).
_REREAD_SCORE = 0.8


def _known_words(tokens: list[str]) -> bool:
    """True when every token is a word of letters (an apostrophe inside allowed, punctuation around it)
    that the word list knows."""
    for tok in tokens:
        word = tok.strip(".,!?;:'\"")
        if not re.fullmatch(r"[A-Za-z]+(?:'[A-Za-z]+)*", word):
            return False  # digits, brackets or symbols: not a word
        if not is_known_word(word.replace("'", "").lower()):
            return False
    return bool(tokens)


def _added(old: str, new: str) -> list[str]:
    """The tokens of `new` that `old` does not account for (as a multiset)."""
    left = Counter(old.upper().split())
    out = []
    for tok in new.upper().split():
        if left[tok]:
            left[tok] -= 1
        else:
            out.append(tok)
    return out


def _has_word(text: str) -> bool:
    """True when the line holds a word: a run of 4+ letters, or a known word of 2-3 (runs split at
    anything else, since OCR reads gaps as hyphens: "SURE-I-WOULD")."""
    return any(
        len(run) >= 4 or (len(run) >= 2 and is_known_word(run.lower())) for run in re.findall(r"[A-Za-z]+", text)
    )


# A line read this surely, with a letter or digit in it, may be caption ("X 3 X", "50 1000"): kept.
_SURE_LINE = 0.95


def _continues_caption(ln, worded: list, content_box: tuple[int, int, int, int] | None) -> bool:
    """True when a line sits where caption lines sit, at their size: right under or over a line of
    words (the short last line "WII U", "I AM" of a centred caption) or, for a caption of one line, at
    the top or bottom edge of the picture. Leftovers of the picture are neither: eyes and tears sit
    inside it, and are smaller than the caption's letters."""
    h = ln.box[3] - ln.box[1]
    for o in worded:
        ho = o.box[3] - o.box[1]
        gap = max(o.box[1] - ln.box[3], ln.box[1] - o.box[3])
        if (
            _SIZE[0] <= h / ho <= _SIZE[1]
            and gap <= _LINE_GAP * ho
            and min(ln.box[2], o.box[2]) > max(ln.box[0], o.box[0])
        ):
            return True
    if content_box is None or not worded:
        return False
    size = float(np.median([o.box[3] - o.box[1] for o in worded]))
    edge = min(ln.box[1] - content_box[1], content_box[3] - ln.box[3])
    return _SIZE[0] <= h / size <= _SIZE[1] and edge <= _LINE_GAP * size


def _inside_others(ln, lines: list) -> bool:
    """True when most of a line's box lies inside other lines' boxes: the detector boxed the edges of
    two neighbouring words again ("78" between "ARMY" and "STORIES")."""
    x0, y0, x1, y1 = ln.box
    area = max(1, (x1 - x0) * (y1 - y0))
    covered = sum(
        max(0, min(x1, o.box[2]) - max(x0, o.box[0])) * max(0, min(y1, o.box[3]) - max(y0, o.box[1]))
        for o in lines
        if o is not ln
    )
    return covered >= 0.6 * area


# caption lines of one caption are of one size, and follow each other closely
_SIZE = (0.7, 1.4)
_LINE_GAP = 0.35


def drop_leftovers(lines: list, content_box: tuple[int, int, int, int] | None = None) -> list:
    """Lines of the caption layer that are leftovers of the picture, not caption. A line stays when it
    holds a word; else it is dropped when it lies inside other lines' boxes; else it stays when it shares
    a row with a line of words, continues a caption (`_continues_caption`) or was read surely with a
    letter or digit. Where an instance differs from its reference (a sticker, a redrawn face, the rim of
    a rotated picture) the difference stays on the layer and the detector boxes it on rows of its own:
    two eyes read "(0) (0)", a tear "I" (the demo corpus, whose instances are redrawn). A lone "I"
    beside a line of words shares its row and stays."""
    worded = [ln for ln in lines if _has_word(ln.text)]
    has_word = {id(ln) for ln in worded}

    def beside_words(ln) -> bool:
        return any(same_line((ln.box[1], ln.box[3]), (o.box[1], o.box[3])) for o in worded if o is not ln)

    def sure(ln) -> bool:
        return ln.score >= _SURE_LINE and re.search(r"[A-Za-z0-9]", ln.text) is not None

    def keep(ln) -> bool:
        if id(ln) in has_word:
            return True
        if _inside_others(ln, lines):
            return False
        return beside_words(ln) or sure(ln) or _continues_caption(ln, worded, content_box)

    return [ln for ln in lines if keep(ln)]


def read_caption_layer(
    engine, layer: Image.Image, content_box: tuple[int, int, int, int] | None = None, image: Image.Image | None = None
):
    """Read a caption layer with `engine`, then, when the engine can read a single line (`recognize`),
    read again what its detector left out: each line with stray ink beside it over the widened box
    (`stray_ink_boxes`), and bands of ink on rows no line touches (`orphan_ink_boxes`). A new reading is
    kept only when it is sure and what it adds is known words ("I", "IT"), and a widened line's reading
    must contain the old one. With `image` (the picture the layer was made from) each re-read also reads
    the same box there and keeps the surer of the readings that pass, and lines the layer read unsurely
    are read there again: on white, the white fill of outlined letters merges with the ground, and a
    lone "IN" the layer reads "I" at 0.38 reads "IN" at 0.95 on the picture."""
    res = engine.read(layer, content_box)
    res = replace(res, lines=drop_leftovers(res.lines, content_box), source="caption layer")
    recognize = getattr(engine, "recognize", None)
    if recognize is None or not res.lines:
        return res
    sources = [layer] if image is None else [layer, image]

    def reread(box: tuple[int, int, int, int], fits) -> tuple[str, float] | None:
        """The surest reading of `box` among the sources that is sure enough and `fits`."""
        readings = [recognize(src.crop(box)) for src in sources]
        good = [(t, sc) for t, sc in readings if sc >= _REREAD_SCORE and fits(t)]
        return max(good, key=lambda r: r[1]) if good else None

    ink = np.asarray(layer.convert("L")) < _INK
    lines = list(res.lines)
    if image is not None:
        # lines the layer reads unsurely are read on the picture too ("IN" read "I" at 0.77 on the layer)
        for i, ln in enumerate(lines):
            if ln.score < _REREAD_SCORE:
                text, score = recognize(image.crop(ln.box))
                # the same reading, surer and mended, not another text the picture holds there
                if (
                    score >= _REREAD_SCORE
                    and score > ln.score
                    and text.strip()
                    and edit_distance(text.strip(), ln.text) <= max(1, len(ln.text) // 2)
                ):
                    lines[i] = replace(ln, text=text.strip(), score=score)
    for i, (x0, y0, x1, y1) in stray_ink_boxes(ink, [ln.box for ln in lines]):
        pad = (y1 - y0) // 6
        old = lines[i].text
        got = reread(
            (x0, max(0, y0 - pad), x1, min(layer.height, y1 + pad)),
            lambda t, old=old: old.replace(" ", "") in t.replace(" ", "") and _known_words(_added(old, t)),
        )
        if got:
            lines[i] = replace(lines[i], text=got[0], box=(x0, y0, x1, y1))
    found = False
    for box in orphan_ink_boxes(ink, [ln.box for ln in lines]):
        got = reread(box, lambda t: _known_words(t.split()))
        if got:
            lines.append(OcrLine(got[0].strip(), got[1], box))
            found = True
    if found:
        lines = assign_blocks(lines, layer.height, content_box)
    return replace(res, lines=lines)
