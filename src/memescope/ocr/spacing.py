"""Word spaces read off the pixels of a line of dark text on white (a caption bar).

OCR recognizers read a line as one sequence and guess its spaces: in caption bars rapidocr drops some
("IFI HAD ONE", "IGOT") and adds others ("POST UL A"), and a word list cannot tell "RAYDOG" (a name the
author wrote) from "TONYSTARK" (two words OCR glued). On a white bar the spaces can be seen: a column
profile of the ink shows the gaps, and the gaps between words are clearly wider than those between
letters. Where the pixels say clearly how many words a line holds, that number is kept: tokens that are
not words are split into known words until the count is reached, and the cleaner leaves the line's words
alone (`OcrLine.spaced`). Where they do not, or where the reading has more words than the pixels show,
nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np

from .clean import word_zipf

__all__ = ["words_seen", "respace", "space_bar_lines"]

# A gap between words is at least this share of the ink's height (measured on bars of the OCR bench:
# 0.33-0.6 between capitals, 0.02-0.27 inside words; but DejaVu Sans Bold capitals at 24-60 px leave up
# to 0.32 inside a word, between T or U and a stem at 30 px, so 0.3 counted "THE" as two words) ...
GAP_WORD = 0.33
# ... and at least this much wider than the widest gap inside a word on the same line.
GAP_JUMP = 1.3
# with all gaps this narrow, the line is one word
GAP_INSIDE = 0.2
_INK = 128  # darker than this is text on a white bar


def words_seen(ink: np.ndarray, box: tuple[int, int, int, int]) -> int | None:
    """How many words the ink in `box` holds, counted by the gaps between them; None when the pixels do
    not separate words from letters clearly (lower case and tight fonts often do not)."""
    x0, y0, x1, y1 = box
    sub = ink[max(0, y0) : y1, max(0, x0) : x1]
    if not sub.size or sub.mean() > 0.5:
        return None  # not dark text on a light ground (a black bar, or a box missing its line)
    rows = np.flatnonzero(sub.any(axis=1))
    inked = np.asarray(sub.any(axis=0))
    cols = np.flatnonzero(inked)
    if len(rows) < 2 or len(cols) < 2:
        return None
    height = rows[-1] - rows[0] + 1
    used = inked[cols[0] : cols[-1] + 1]
    # runs of blank columns
    edges = np.flatnonzero(np.diff(np.r_[1, used.astype(np.int8), 1]))
    runs = edges[1::2] - edges[::2]
    if not len(runs):
        return 1
    widths = runs / height
    if widths.max() < GAP_INSIDE:
        return 1
    ranked = np.r_[np.sort(widths)[::-1], 0.0]
    # the gaps wide enough for words must also stand clearly apart from the widest of the rest: the
    # narrowest word gap against the widest letter gap (not the largest jump anywhere, which would
    # stop at the widest word gap when another word gap is between)
    wide = int((ranked >= GAP_WORD).sum())
    if not wide or ranked[wide - 1] < GAP_JUMP * ranked[wide]:
        return None
    return wide + 1


# a part must be at least this common (wordfreq's Zipf scale: "chins" 2.7, "memes" 3.8, "nosh" 2.2)
_PART_ZIPF = 2.5
_PUNCT = ".,!?;:'\"()"


def _zipf(part: str) -> float:
    """How common a part is as a word: Zipf frequency of its letters; numbers count as common, single
    letters other than A and I as never."""
    core = part.strip(_PUNCT)
    if core.isdigit():
        return 5.0
    if not core.isalpha() or (len(core) == 1 and core.lower() not in "ai"):
        return 0.0
    return word_zipf(core.lower())


def _best_split(token: str, parts: int) -> tuple[float, list[str]] | None:
    """The split of `token` into `parts` pieces whose least common piece is most common, with that
    piece's frequency; None when no split leaves words of at least _PART_ZIPF."""
    best = None
    for cuts in combinations(range(1, len(token)), parts - 1):
        pieces = [token[i:j] for i, j in zip((0, *cuts), (*cuts, len(token)))]
        score = min(_zipf(p) for p in pieces)
        if score >= _PART_ZIPF and (best is None or score > best[0]):
            best = (score, pieces)
    return best


def respace(text: str, n_words: int) -> str | None:
    """`text` with as many words as the pixels show, when that can be reached by splitting tokens
    ("GIRLFRIEND IFI HAD ONE" seen as five words: "... IF I ..."); the text as it is when it already has
    that many; None when it has more (the pixels and the reading disagree, and the caller keeps the
    reading). How many words are glued is decided by the pixels; which, and where, by word frequencies:
    the split whose pieces are common words and gain most over the token as it was ("AMI" -> "AM I",
    "OF6" -> "OF 6")."""
    words = text.split()
    if len(words) >= n_words:
        return text if len(words) == n_words else None
    need = n_words - len(words)
    options = []
    for i, w in enumerate(words):
        for k in range(2, min(need, 2) + 2):
            if len(w) >= k and (split := _best_split(w, k)) is not None and split[0] > _zipf(w):
                options.append((split[0] - _zipf(w), i, split[1]))
    done = set()
    for _, i, pieces in sorted(options, key=lambda o: -o[0]):
        if i in done or len(pieces) - 1 > need:
            continue
        words[i] = " ".join(pieces)
        done.add(i)
        need -= len(pieces) - 1
        if not need:
            break
    return " ".join(words)


def space_bar_lines(image, lines: list) -> list:
    """Lines of a caption bar (block "bar": dark text on white) with their spaces read off the pixels
    where the pixels are clear (`words_seen`), marked `spaced`; other lines unchanged."""
    if not any(ln.block == "bar" for ln in lines):
        return lines
    ink = np.asarray(image.convert("L")) < _INK
    out = []
    for ln in lines:
        seen = words_seen(ink, ln.box) if ln.block == "bar" else None
        text = None if seen is None else respace(ln.text, seen)
        out.append(ln if text is None else replace(ln, text=text, spaced=True))
    return out
