"""The OCR engine interface: an engine turns an RGB picture into lines with boxes and confidences."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Protocol

from PIL import Image

from ..registry import Registry
from .clean import clean_text

__all__ = ["OcrLine", "OcrResult", "OcrEngine", "ocr_engines", "get_engine", "assign_blocks", "reading_order"]


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[int, int, int, int]  # left, top, right, bottom
    block: str = "other"  # top | bottom | bar | other


@dataclass(frozen=True)
class OcrResult:
    engine: str
    lines: list[OcrLine] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def clean(self) -> str:
        return clean_text(self.text)

    def to_json(self) -> list[dict]:
        return [asdict(line) for line in self.lines]


class OcrEngine(Protocol):
    name: str

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult: ...


ocr_engines: Registry[type] = Registry("OCR engine")


@lru_cache(maxsize=4)
def get_engine(name: str = "rapidocr") -> OcrEngine:
    """One engine instance per process and name: models load once per worker, not per image."""
    return ocr_engines[name]()


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom, then left to right within a visual line: boxes whose vertical spans overlap by
    more than half the smaller height sit on the same line (a detector often splits one line in two)."""
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda l: (l.box[1] + l.box[3]) / 2):
        t, b = ln.box[1], ln.box[3]
        if rows:
            last = rows[-1]
            lt, lb = min(x.box[1] for x in last), max(x.box[3] for x in last)
            if min(b, lb) - max(t, lt) > 0.5 * min(b - t, lb - lt):
                last.append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda l: l.box[0])]


def assign_blocks(lines: list[OcrLine], height: int, box: tuple[int, int, int, int] | None) -> list[OcrLine]:
    """Label each line by where it sits: in a caption bar above/below the picture, or top/bottom third."""
    out = []
    for ln in reading_order(lines):
        cy = (ln.box[1] + ln.box[3]) / 2
        if box is not None and (cy < box[1] or cy > box[3]):
            block = "bar"
        elif cy < height / 3:
            block = "top"
        elif cy > 2 * height / 3:
            block = "bottom"
        else:
            block = "other"
        out.append(OcrLine(ln.text, ln.score, ln.box, block))
    return out
