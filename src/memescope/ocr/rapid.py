"""rapidocr 3.x (PP-OCR ONNX models shipped inside the wheel: nothing is downloaded)."""

from __future__ import annotations

import logging
import os

import numpy as np
from PIL import Image

from ..exceptions import NotInstalledError
from .base import OcrLine, OcrResult, assign_blocks, ocr_engines
from .clean import fix_capital_i, is_noise

__all__ = ["RapidOcrEngine"]

log = logging.getLogger(__name__)


@ocr_engines.register("rapidocr")
class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int | None = None, min_score: float = 0.5, det_side: int = 736):
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
                # longer side at 736 halved the CPU per image with no loss of accuracy (bench/ocr).
                "Det.limit_type": "max",
                "Det.limit_side_len": det_side,
            }
        )

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult:
        arr = np.asarray(image.convert("RGB"))[:, :, ::-1]  # rapidocr takes BGR arrays, as OpenCV does
        res = self._engine(arr)
        found = []
        for text, score, quad in zip(res.txts or (), res.scores or (), res.boxes if res.boxes is not None else ()):
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            found.append(OcrLine(fix_capital_i(text.strip()), float(score), (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
        lines = [ln for ln in _lone_capital_i(found)
                 if ln.score >= self.min_score and ln.text and not is_noise(ln.text)]
        return OcrResult(self.name, assign_blocks(lines, image.height, content_box))


def _lone_capital_i(lines: list[OcrLine]) -> list[OcrLine]:
    """A capital I standing alone at the start of a caption line ("I EMAILED MY WIFE") is often boxed on its
    own and read as "1" or "|". A lone box like that, as tall as a line beside it on the same row, is "I"."""
    out = []
    for ln in lines:
        if ln.text in ("1", "|", "l", "]", "["):
            x0, y0, x1, y1 = ln.box
            beside = [o for o in lines if o is not ln and len(o.text) > 1 and min(y1, o.box[3]) - max(y0, o.box[1]) > 0.6 * (y1 - y0)
                      and abs((y1 - y0) - (o.box[3] - o.box[1])) < 0.35 * (o.box[3] - o.box[1])]
            if beside:
                ln = OcrLine("I", max(ln.score, min(o.score for o in beside)), ln.box, ln.block)
        out.append(ln)
    return out
