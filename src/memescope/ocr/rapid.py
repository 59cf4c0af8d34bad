"""rapidocr 3.x (PP-OCR ONNX models shipped inside the wheel: nothing is downloaded)."""

from __future__ import annotations

import logging
import os

import numpy as np
from PIL import Image

from ..exceptions import NotInstalledError
from .base import OcrLine, OcrResult, assign_blocks, ocr_engines
from .clean import is_noise

__all__ = ["RapidOcrEngine"]

log = logging.getLogger(__name__)


@ocr_engines.register("rapidocr")
class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int | None = None, min_score: float = 0.5):
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
            }
        )

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult:
        arr = np.asarray(image.convert("RGB"))[:, :, ::-1]  # rapidocr takes BGR arrays, as OpenCV does
        res = self._engine(arr)
        lines: list[OcrLine] = []
        if res.txts:
            for text, score, quad in zip(res.txts, res.scores, res.boxes):
                if score < self.min_score or not text.strip() or is_noise(text):
                    continue
                xs, ys = [p[0] for p in quad], [p[1] for p in quad]
                lines.append(OcrLine(text.strip(), float(score), (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
        return OcrResult(self.name, assign_blocks(lines, image.height, content_box))
