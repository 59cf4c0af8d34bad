"""Caption text cleaning: whitespace, accents kept readable, stray single characters dropped."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean_text", "is_noise", "split_glued"]

_KEEP_SINGLE = {"a", "i", "u", "y", "o", "&", "+", "?", "!", "x"}


def is_noise(line: str) -> bool:
    """True for an OCR line that is background, not caption: a lone stray character, or one non-letter
    character repeated ("0000" from four fingers, "|||" from stripes)."""
    chars = "".join(line.split())
    if len(chars) == 1:
        return chars.lower() not in _KEEP_SINGLE
    return len(chars) > 1 and len(set(chars.lower())) == 1 and not chars.isalpha()


# A part must be a common word (frequency rank within ~8,000 in wordninja's English list) for a split to
# be trusted: "OHGREATANOTHER" -> "OH GREAT ANOTHER", while slang stays whole ("zoomers" is not "zoo mers").
_MAX_RANK = 8000


@lru_cache(maxsize=1)
def _word_ranks() -> dict[str, int] | None:
    try:
        import gzip
        from pathlib import Path

        import wordninja
    except ImportError:
        return None  # optional: without it glued words stay glued
    # wordninja is a single module; its word list (most frequent first) lies in a folder beside it
    with gzip.open(Path(wordninja.__file__).parent / "wordninja" / "wordninja_words.txt.gz", "rt", encoding="utf-8") as f:
        return {w.strip(): i for i, w in enumerate(f) if w.strip()}


def split_glued(token: str) -> str:
    """Split a token OCR glued together (letters only, not itself a word) into 2-4 common words,
    keeping its case; anything less certain is returned unchanged."""
    ranks = _word_ranks()
    if ranks is None or len(token) < 5 or not token.isalpha():
        return token
    low = token.lower()
    if low in ranks:
        return token
    import wordninja

    parts = wordninja.split(low)
    if not 2 <= len(parts) <= 4 or "".join(parts) != low:
        return token
    if any((len(p) == 1 and p not in ("a", "i")) or ranks.get(p, _MAX_RANK) >= _MAX_RANK for p in parts):
        return token
    out, i = [], 0
    for p in parts:
        out.append(token[i : i + len(p)])
        i += len(p)
    return " ".join(out)


def clean_text(text: str) -> str:
    """Normalize OCR text for analysis: NFKC, one space between words, background noise lines dropped,
    glued words split where a word list shows it."""
    text = unicodedata.normalize("NFKC", text)
    lines = [" ".join(split_glued(w) for w in line.split()) for line in text.splitlines() if line.strip() and not is_noise(line)]
    out = " ".join(lines)
    return re.sub(r"\s+([,.!?;:])", r"\1", out).strip()
