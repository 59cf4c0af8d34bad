"""Caption text cleaning: whitespace, accents kept readable, stray single characters dropped."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text"]

_KEEP_SINGLE = {"a", "i", "u", "y", "o", "&", "+", "?", "!", "x"}


def clean_text(text: str) -> str:
    """Normalize OCR text for analysis: NFKC, one space between words, lone background letters dropped."""
    text = unicodedata.normalize("NFKC", text)
    lines = []
    for line in text.splitlines():
        words = line.split()
        # A line that is a single stray character is usually background texture read as a letter.
        if len(words) == 1 and len(words[0]) == 1 and words[0].lower() not in _KEEP_SINGLE:
            continue
        if words:
            lines.append(" ".join(words))
    out = " ".join(lines)
    return re.sub(r"\s+([,.!?;:])", r"\1", out).strip()
