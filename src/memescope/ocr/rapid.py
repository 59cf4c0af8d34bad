"""rapidocr 3.x (PP-OCR ONNX models shipped inside the wheel: nothing is downloaded)."""

from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np
from PIL import Image

from ..exceptions import NotInstalledError
from .base import OcrLine, OcrResult, assign_blocks, ocr_engines, same_line
from .clean import fix_capital_i, is_noise
from .spacing import space_bar_lines

__all__ = ["RapidOcrEngine"]

log = logging.getLogger(__name__)


@ocr_engines.register("rapidocr")
class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int | None = None, min_score: float = 0.5, det_side: int = 640):
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:
            raise NotInstalledError("rapidocr", "ocr", "rapidocr onnxruntime") from exc
        # One thread per engine: parallelism comes from worker processes, and ONNX Runtime's own thread
        # pool would fight them for the same cores.
        threads = threads or int(os.environ.get("MEMESCOPE_OCR_THREADS", "1"))
        self.min_score = min_score
        self._engine = RapidOCR(
            params={
                # Memes are upright; the angle classifier flips upright Impact lines 180 degrees.
                "Global.use_cls": False,
                "Global.log_level": "error",
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                # rapidocr scales the detector's input so its *shorter* side is at least 736 px ("min"),
                # which blows a 1000 x 800 meme up to 920 x 736 and more. Meme text is large: capping the
                # longer side at 736 halved the CPU per image with no loss of accuracy, and 640 took 8-10%
                # less again with every style still within the targets on three seeds (bench/ocr).
                "Det.limit_type": "max",
                "Det.limit_side_len": det_side,
            }
        )

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult:
        arr = np.asarray(image.convert("RGB"))[:, :, ::-1]  # rapidocr takes BGR arrays, as OpenCV does
        # the flags every call: rapidocr keeps the last call's (a `recognize` turns detection off)
        res: Any = self._engine(arr, use_det=True, use_cls=False, use_rec=True)
        boxes = res.boxes if res.boxes is not None else ()
        lines = lines_from_detections(res.txts or (), res.scores or (), boxes, self.min_score)
        return OcrResult(self.name, space_bar_lines(image, assign_blocks(lines, image.height, content_box)))

    def recognize(self, line: Image.Image) -> tuple[str, float]:
        """Read an image holding one line of text (no detection): its text and confidence."""
        res: Any = self._engine(np.asarray(line.convert("RGB"))[:, :, ::-1], use_det=False, use_cls=False, use_rec=True)
        if not res.txts:
            return "", 0.0
        return fix_capital_i(res.txts[0].strip()), float(res.scores[0])


def lines_from_detections(texts, scores, quads, min_score: float = 0.5) -> list[OcrLine]:
    """rapidocr's raw output (one text, score and quadrilateral per detected box) as cleaned lines."""
    found = []
    for text, score, quad in zip(texts, scores, quads):
        xs, ys = [p[0] for p in quad], [p[1] for p in quad]
        found.append(
            OcrLine(fix_capital_i(text.strip()), float(score), (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))))
        )
    found = _drop_doubled_edges(found)
    return [ln for ln in _lone_capital_i(found) if ln.score >= min_score and ln.text and not is_noise(ln.text)]


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    return same_line((a.box[1], a.box[3]), (b.box[1], b.box[3]), 0.6)


def _drop_doubled_edges(lines: list[OcrLine]) -> list[OcrLine]:
    """Two boxes of one row that overlap both read the glyphs in the overlap: the one that holds the
    whole word reads it right, the other reads a fragment as a lone character ("SPONGEBOB" + "3 IMITATING",
    "NOT KNOWING" + "G WHAT THE", "NICE 1" + "THINGS"). A one-character word at the overlapping edge of a
    box, lying mostly inside the other box, is dropped. (A word the boxes merely touch is kept: the overlap
    must cover most of the character's estimated width.)"""
    texts = [ln.text for ln in lines]
    for i, a in enumerate(lines):
        for j, b in enumerate(lines):
            if i == j or not (a.box[0] < b.box[0] < a.box[2] < b.box[2]) or not _same_row(a, b):
                continue
            overlap = a.box[2] - b.box[0]
            left, right = texts[i].split(), texts[j].split()
            if len(right) > 1 and len(right[0]) == 1 and overlap >= 0.6 * (b.box[2] - b.box[0]) / len(texts[j]):
                texts[j] = " ".join(right[1:])
            elif len(left) > 1 and len(left[-1]) == 1 and overlap >= 0.6 * (a.box[2] - a.box[0]) / len(texts[i]):
                texts[i] = " ".join(left[:-1])
    return [ln if t == ln.text else OcrLine(t, ln.score, ln.box, ln.block) for ln, t in zip(lines, texts)]


def _lone_capital_i(lines: list[OcrLine]) -> list[OcrLine]:
    """A capital I standing alone at the start of a caption line ("I EMAILED MY WIFE") is often boxed on its
    own and read as "1" or "|". A lone box like that, as tall as a line beside it on the same row, is "I"."""
    out = []
    for ln in lines:
        if ln.text in ("1", "|", "l", "]", "["):
            x0, y0, x1, y1 = ln.box
            beside = [
                o
                for o in lines
                if o is not ln
                and len(o.text) > 1
                and min(y1, o.box[3]) - max(y0, o.box[1]) > 0.6 * (y1 - y0)
                and abs((y1 - y0) - (o.box[3] - o.box[1])) < 0.35 * (o.box[3] - o.box[1])
            ]
            if beside:
                ln = OcrLine("I", max(ln.score, min(o.score for o in beside)), ln.box, ln.block)
        out.append(ln)
    return out
