"""The OCR engine interface: an engine turns an RGB picture into lines with boxes and confidences."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Protocol

from PIL import Image

from ..config import DEFAULT_OCR_ENGINE
from ..registry import Registry
from .clean import clean_text
from .metrics import edit_distance

__all__ = [
    "OcrLine",
    "OcrResult",
    "OcrEngine",
    "ocr_engines",
    "get_engine",
    "assign_blocks",
    "reading_order",
    "norm_line",
    "drop_template_text",
    "prints_text",
    "template_text",
]


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[int, int, int, int]  # left, top, right, bottom
    block: str = "other"  # top | bottom | bar | other
    # the spaces were set from the pixels (ocr.spacing): the cleaner must not split its words again
    spaced: bool = False


@dataclass(frozen=True)
class OcrResult:
    engine: str
    lines: list[OcrLine] = field(default_factory=list)
    # "image", or "caption layer" when the matched template's own picture was blanked first (ocr.layer)
    source: str = "image"

    @property
    def text(self) -> str:
        """Everything read, the template's own text included."""
        return "\n".join(line.text for line in self.lines)

    @property
    def clean(self) -> str:
        """The caption: cleaned text of the lines that are not the template's own."""
        lines = [line for line in self.lines if line.block != "template"]
        return clean_text("\n".join(line.text for line in lines), spaced=[line.spaced for line in lines])

    def to_json(self) -> list[dict]:
        return [asdict(line) for line in self.lines]


class OcrEngine(Protocol):
    """What an OCR engine provides. Two optional hooks concern the caption layer (ocr.layer): an engine
    with `recognize(line_image) -> (text, score)` (one line, no detection) gets lines with missed glyphs
    beside them read again, and one with `reads_caption_layer = False` is given the image as it is."""

    name: str

    def read(self, image: Image.Image, content_box: tuple[int, int, int, int] | None = None) -> OcrResult: ...


ocr_engines: Registry[type] = Registry("OCR engine")


@lru_cache(maxsize=4)
def get_engine(name: str = DEFAULT_OCR_ENGINE) -> OcrEngine:
    """One engine instance per process and name: models load once per worker, not per image."""
    return ocr_engines[name]()


def same_line(a: tuple[int, int], b: tuple[int, int], share: float = 0.5) -> bool:
    """Two vertical spans (top, bottom) sit on one text line when they overlap by more than `share` of
    the smaller one."""
    return min(a[1], b[1]) - max(a[0], b[0]) > share * min(a[1] - a[0], b[1] - b[0])


def reading_order(lines: list[OcrLine]) -> list[OcrLine]:
    """Top to bottom, then left to right within a visual line: boxes whose vertical spans overlap by
    more than half the smaller height sit on the same line (a detector often splits one line in two)."""
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda x: (x.box[1] + x.box[3]) / 2):
        t, b = ln.box[1], ln.box[3]
        if rows:
            last = rows[-1]
            lt, lb = min(x.box[1] for x in last), max(x.box[3] for x in last)
            if same_line((t, b), (lt, lb)):
                last.append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda x: x.box[0])]


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
        out.append(replace(ln, block=block))
    return out


def norm_line(text: str) -> str:
    return " ".join("".join(c for c in text.upper() if c.isalnum() or c.isspace()).split())


# Memes are posted 400-1,000 px wide. Small print on a template (X Everywhere's "SPACE RANGER" badge) is
# misread differently at each width; reading the template across that range collects the readings a
# meme of it will show. Five widths instead of two cut DejaVu's CER from 2.51% to 2.20% (seed 6) and
# white bars' from 0.60% to 0.38% (seed 4) on bench/ocr, with no style worse on any of three seeds.
TEMPLATE_TEXT_WIDTHS = (400, 500, 650, 800, 1000)


def template_text(engine: OcrEngine, image: Image.Image, widths: tuple[int, ...] = TEMPLATE_TEXT_WIDTHS) -> list[str]:
    """The text a template's bare picture carries, as normalized lines: read at its own size and at
    common meme widths, because an engine may find small print at one size and not another."""
    from ..imaging import strip_bars

    lines: list[str] = []
    sizes = [image.size] + [
        (w, max(1, round(image.height * w / image.width))) for w in widths if abs(w - image.width) > 100
    ]
    for size in sizes:
        im = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        for ln in engine.read(im, strip_bars(im)[1]).lines:
            n = norm_line(ln.text)
            if n and n not in lines:
                lines.append(n)
    return lines


def prints_text(template_lines: list[str] | set[str]) -> bool:
    """True when a template's own text (`template_text`) holds print, not a stray character or two read
    off its picture."""
    return any(len(t.replace(" ", "")) >= 3 for t in template_lines)


def drop_template_text(result: OcrResult, template_lines: list[str] | set[str]) -> OcrResult:
    """Mark as block 'template' the lines that repeat the matched template's own text (a line equal to
    one of its lines, or a fragment of one), so the caption is only what people added."""
    own = {norm_line(t) for t in template_lines if norm_line(t)}
    if not own:
        return result
    # OCR spaces small print unevenly ("IAM ONCE AGAIN" for "I AM ONCE AGAIN"): long fragments also match
    # with the spaces taken out
    glued = [t.replace(" ", "") for t in own]
    lines = []
    for ln in result.lines:
        n = norm_line(ln.text)
        g = n.replace(" ", "")
        mine = bool(n) and (
            any(n == t or (len(n) >= 2 and f" {n} " in f" {t} ") for t in own)
            or (len(g) >= 6 and any(g in t for t in glued))
            # small print misread differently each time ("LIGHTYEAR", "LIOHIVEAR")
            or (len(g) >= 5 and any(edit_distance(g, t) <= 0.34 * max(len(g), len(t)) for t in glued))
        )
        lines.append(replace(ln, block="template") if mine else ln)
    return OcrResult(result.engine, lines, result.source)
