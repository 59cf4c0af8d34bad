"""Render memes the way people make them: bold outlined top/bottom text, or a white caption bar; then
the edits instances suffer: crops, resizing, flips, stickers, slight rotation and re-compression."""

from __future__ import annotations

import io
import random
import textwrap
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ..exceptions import NotInstalledError

__all__ = ["caption_outlined", "caption_bar", "apply_edits", "EDITS"]

EDITS = ("crop", "flip", "sticker", "rotate", "resize")


@lru_cache(maxsize=16)
def _impact(size: int) -> ImageFont.FreeTypeFont:
    try:
        import fontpkg_anton
    except ImportError as exc:
        raise NotInstalledError("the Anton font", "demo", "fontpkg-anton") from exc
    return ImageFont.truetype(str(Path(fontpkg_anton.__file__).parent / "files" / "Anton-Regular.ttf"), size)


@lru_cache(maxsize=16)
def _sans(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)  # Pillow's bundled FreeType font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    for chars in range(40, 8, -2):
        lines = textwrap.wrap(text, chars)
        if all(draw.textlength(ln, font=font) <= width for ln in lines):
            return lines
    return textwrap.wrap(text, 10)


def _block(draw, lines, font, cx, y, anchor_bottom, fill, stroke, stroke_fill, spacing):
    h = font.size + spacing
    if anchor_bottom:
        y -= h * len(lines)
    for i, ln in enumerate(lines):
        draw.text((cx, y + i * h), ln, font=font, fill=fill, anchor="ma", stroke_width=stroke, stroke_fill=stroke_fill)


def caption_outlined(im: Image.Image, top: str, bottom: str, font_path: str | None = None) -> Image.Image:
    """White capitals with a black outline over the top and bottom of the picture, in an Impact-like
    font (Anton) unless `font_path` names another."""
    im = im.copy()
    d = ImageDraw.Draw(im)
    size = max(18, im.width // 13)
    font = ImageFont.truetype(font_path, int(size * 0.8)) if font_path else _impact(size)
    margin = im.width // 20
    stroke = max(2, size // 14)
    # Anton's word space is narrower than Impact's; widen it so words stay words, as in real memes.
    top, bottom = top.replace(" ", "  "), bottom.replace(" ", "  ")
    if top:
        _block(
            d,
            _wrap(d, top.upper(), font, im.width - 2 * margin),
            font,
            im.width // 2,
            margin // 2,
            False,
            "white",
            stroke,
            "black",
            4,
        )
    if bottom:
        _block(
            d,
            _wrap(d, bottom.upper(), font, im.width - 2 * margin),
            font,
            im.width // 2,
            im.height - margin // 2,
            True,
            "white",
            stroke,
            "black",
            4,
        )
    return im


def caption_bar(im: Image.Image, top: str, bottom: str) -> Image.Image:
    """The modern format: black sentence-case text in a white bar above the picture."""
    text = f"{top} {bottom}".strip()
    text = text[:1].upper() + text[1:]
    size = max(16, im.width // 18)
    font = _sans(size)
    probe = ImageDraw.Draw(im)
    lines = _wrap(probe, text, font, im.width - im.width // 10)
    bar_h = (size + 8) * len(lines) + size
    out = Image.new("RGB", (im.width, im.height + bar_h), "white")
    out.paste(im, (0, bar_h))
    d = ImageDraw.Draw(out)
    _block(d, lines, font, im.width // 2, size // 2, False, "black", 0, None, 8)
    return out


def _sticker(rng: random.Random, size: int) -> Image.Image:
    """An emoji-like round face, pasted as people add reaction stickers."""
    st = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(st)
    d.ellipse(
        [2, 2, size - 3, size - 3],
        fill=rng.choice([(255, 210, 40, 255), (255, 120, 160, 255), (120, 220, 120, 255)]),
        outline=(60, 40, 0, 255),
        width=3,
    )
    e = size // 5
    d.ellipse([size // 3 - e // 2, size // 3, size // 3 + e // 2, size // 3 + e], fill=(40, 30, 0, 255))
    d.ellipse([2 * size // 3 - e // 2, size // 3, 2 * size // 3 + e // 2, size // 3 + e], fill=(40, 30, 0, 255))
    d.arc([size // 4, size // 3, 3 * size // 4, 3 * size // 4], 20, 160, fill=(40, 30, 0, 255), width=4)
    return st


def apply_edits(im: Image.Image, edits: list[str], rng: random.Random) -> Image.Image:
    """Apply the named edits in order (see EDITS)."""
    for e in edits:
        if e == "crop":
            w, h = im.size
            f = rng.uniform(0.05, 0.2)
            left, top = int(w * f * rng.random()), int(h * f * rng.random())
            im = im.crop((left, top, w - int(w * f) + left, h - int(h * f) + top))
        elif e == "flip":
            im = im.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        elif e == "sticker":
            size = max(24, im.width // rng.choice([4, 5, 6]))
            st = _sticker(rng, size)
            im = im.convert("RGB")
            im.paste(st, (rng.randrange(0, im.width - size), rng.randrange(0, im.height - size)), st)
        elif e == "rotate":
            im = im.rotate(
                rng.uniform(-3, 3), resample=Image.Resampling.BICUBIC, expand=False, fillcolor=(255, 255, 255)
            )
        elif e == "resize":
            f = rng.uniform(0.7, 1.4)
            im = im.resize((max(64, int(im.width * f)), max(64, int(im.height * f))), Image.Resampling.LANCZOS)
        else:
            raise ValueError(f"unknown edit {e!r}")
    return im


def jpeg_bytes(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, "JPEG", quality=quality)
    return buf.getvalue()
