"""Caption text cleaning: whitespace, accents kept readable, stray single characters dropped."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "is_noise"]

_KEEP_SINGLE = {"a", "i", "u", "y", "o", "&", "+", "?", "!", "x"}


def is_noise(line: str) -> bool:
    """True for an OCR line that is background, not caption: a lone stray character, or one non-letter
    character repeated ("0000" from four fingers, "|||" from stripes)."""
    chars = "".join(line.split())
    if len(chars) == 1:
        return chars.lower() not in _KEEP_SINGLE
    return len(chars) > 1 and len(set(chars.lower())) == 1 and not chars.isalpha()


def clean_text(text: str) -> str:
    """Normalize OCR text for analysis: NFKC, one space between words, background noise lines dropped."""
    text = unicodedata.normalize("NFKC", text)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip() and not is_noise(line)]
    out = " ".join(lines)
    return re.sub(r"\s+([,.!?;:])", r"\1", out).strip()
