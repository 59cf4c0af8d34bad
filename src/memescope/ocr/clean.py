"""Caption text cleaning: whitespace, accents kept readable, stray single characters dropped."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "clean_text",
    "fix_capital_i",
    "is_known_word",
    "is_noise",
    "looks_like_words",
    "split_glued",
    "split_hyphen_run",
    "strip_stray_accents",
    "word_zipf",
]

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
_MAX_RANK_LONG = 40000


@lru_cache(maxsize=1)
def _word_ranks() -> dict[str, int] | None:
    try:
        import gzip
        from pathlib import Path

        import wordninja
    except ImportError:
        return None  # optional: without it glued words stay glued
    # wordninja is a single module; its word list (most frequent first) lies in a folder beside it
    with gzip.open(
        Path(wordninja.__file__).parent / "wordninja" / "wordninja_words.txt.gz", "rt", encoding="utf-8"
    ) as f:
        return {w.strip(): i for i, w in enumerate(f) if w.strip()}


def is_known_word(word: str, max_rank: int = 30_000) -> bool:
    """True when `word` (lower case) is in the word list within `max_rank`, or a single character kept
    as a word ("a", "i"); True for anything when no word list is installed."""
    ranks = _word_ranks()
    return ranks is None or word in _KEEP_SINGLE or ranks.get(word, max_rank) < max_rank


def looks_like_words(line: str, max_rank: int = 30_000) -> bool:
    """True when a line reads as language: one of its tokens is a known word of 3+ letters, and at least
    half of its tokens are known words. Background texture read as text ("rv", "gux * =", "4 TOR (Om")
    fails this. True when no word list is installed, so nothing is dropped for want of one."""
    ranks = _word_ranks()
    if ranks is None:
        return True
    tokens = [t for t in (re.sub(r"[^a-z']", "", w.lower()).strip("'") for w in line.split()) if t]
    words = [t for t in tokens if is_known_word(t, max_rank)]
    return bool(tokens) and any(len(w) >= 3 for w in words) and 2 * len(words) >= len(line.split())


# wordfreq's English frequencies (Zipf scale: log10 of uses per billion words) include Reddit and
# Twitter, so they know words wordninja's older list lacks. A token written this often is a word of its
# own ("UPVOTES", "DEADPOOL", "SAYIN"), not two glued by OCR; a part of 4+ letters this common is a
# common word ("MEME", "DAMN"; shorter frequent strings are fragments and abbreviations: "ING", "THO").
# The thresholds were chosen on a third seed of the OCR bench (bench/ocr), then checked on two others.
_WRITTEN_ZIPF = 2.0
_COMMON_ZIPF = 3.5


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    """How often English writing uses `word` (lower case), on wordfreq's Zipf scale (0 when unknown or
    when wordfreq is not installed)."""
    try:
        from wordfreq import zipf_frequency
    except ImportError:
        return 0.0  # optional: without it only wordninja's list decides
    return zipf_frequency(word, "en")


def split_glued(token: str) -> str:
    """Split a token OCR glued together (letters only, not itself a word) into 2-4 common words,
    keeping its case; anything less certain is returned unchanged."""
    ranks = _word_ranks()
    if ranks is None or len(token) < 5 or not token.isalpha():
        return token
    low = token.lower()
    # a word people write, or drawn out for emphasis ("AAAAND", "SOOOO"): not glued words
    if low in ranks or re.search(r"(.)\1\1", low):
        return token
    # ... but "I" glued to a common word is OCR's commonest glue, whatever people type ("IHAVE")
    if word_zipf(low) >= _WRITTEN_ZIPF and not (low[0] == "i" and ranks.get(low[1:], _MAX_RANK) < 1000):
        return token
    import wordninja

    parts = wordninja.split(low)
    if not 2 <= len(parts) <= 4 or "".join(parts) != low:
        return token
    if any(len(p) == 1 and p not in ("a", "i") for p in parts):
        return token
    # every part must be common, except that one long rarer word may follow or precede function words
    # only ("a gorilla", "the gorilla"); "tommorrow" must not become "tom morrow"
    rare = [
        p for p in parts if ranks.get(p, _MAX_RANK_LONG) >= _MAX_RANK and (len(p) < 4 or word_zipf(p) < _COMMON_ZIPF)
    ]
    if rare and not (
        len(rare) == 1
        and len(rare[0]) >= 5
        and ranks.get(rare[0], _MAX_RANK_LONG) < _MAX_RANK_LONG
        and all(ranks[p] < 100 for p in parts if p != rare[0])
    ):
        return token
    out, i = [], 0
    for p in parts:
        out.append(token[i : i + len(p)])
        i += len(p)
    return " ".join(out)


def strip_stray_accents(token: str) -> str:
    """OCR models trained on many languages put accents on English letters ("FEÉLING"). Drop the accents
    when the bare word is a known word and the accented one is not ("café" becomes "cafe" too); a word the
    list does not know keeps its accents."""
    if token.isascii():
        return token
    bare = "".join(c for c in unicodedata.normalize("NFKD", token) if not unicodedata.combining(c))
    ranks = _word_ranks()
    if ranks is None or bare == token:
        return token
    low = token.lower()
    if low not in ranks and re.sub(r"[^a-z']", "", bare.lower()) in ranks:
        return bare
    return token


def split_hyphen_run(token: str) -> str:
    """OCR reads the wide gaps between outlined words as hyphens ("WHEN-THE-WIFI-DROPS"). A run of three
    or more words (all known but one at most), or of two very common ones ("IT-IS"), is split back into
    words; compounds ("T-SERIES", "SELF-ISOLATION", "X-RAY") stay."""
    if token.count("-") == 0:
        return token
    parts = token.split("-")
    ranks = _word_ranks()
    if ranks is None or not all(p.isalpha() for p in parts):
        return token
    known = [ranks.get(p.lower(), _MAX_RANK_LONG) for p in parts]
    # three or more parts: one may be a name or slang ("WIFI")
    if len(parts) >= 3 and sum(r >= _MAX_RANK_LONG for r in known) <= 1:
        return " ".join(parts)
    if len(parts) == 2 and all(r < 300 and len(p) >= 2 for r, p in zip(known, parts)):
        return " ".join(parts)
    return token


def clean_text(text: str, spaced: list[bool] | None = None) -> str:
    """Normalize OCR text for analysis: NFKC, one space between words, background noise lines dropped,
    stray accents removed, hyphen-joined runs of words and glued words split where a word list shows it.
    `spaced` marks the lines whose spaces were read off the pixels (ocr.spacing): their words are not
    split again."""
    text = unicodedata.normalize("NFKC", text)
    raw = text.splitlines()
    spaced = spaced if spaced is not None and len(spaced) == len(raw) else [False] * len(raw)
    lines = []
    for line, fixed in zip(raw, spaced):
        if not line.strip() or is_noise(line):
            continue
        words = [w for t in line.split() for w in split_hyphen_run(t).split()]
        lines.append(" ".join(strip_stray_accents(w) if fixed else split_glued(strip_stray_accents(w)) for w in words))
    # a lone "1" ending one line before a word starting the next ("NEVER, 1" / "AM") is an I, as inside a line
    out = fix_capital_i(" ".join(_letter_o_runs(" ".join(lines).split())))
    return re.sub(r"\s+([,.!?;:])", r"\1", out).strip()


def _letter_o_runs(words: list[str]) -> list[str]:
    """A drawn-out O ("NOOOOOOO", "ACHOOOOOOOO") wraps or is cut by the detector, and the part on its own
    reads as zeros ("ACHOO" + "00000000"). Zeros only, three or more, right after a word ending in O: O's."""
    out = list(words)
    for i in range(1, len(out)):
        core = out[i].rstrip("!?.,")
        if len(core) >= 3 and set(core) == {"0"} and out[i - 1].rstrip("!?.,").upper().endswith("O"):
            out[i] = "O" * len(core) + out[i][len(core) :]
    return out


def _letters(word: str) -> bool:
    """A word of letters, punctuation around or inside it allowed ("REAL?!", "YOU'LL")."""
    core = re.sub(r"[^\w]", "", word)
    return core.isalpha()


# "1 MORE", "1 YEAR": a number before a measure word; "I" is never followed by one
_MEASURES = {"MORE", "YEAR", "MONTH", "WEEK", "DAY", "HOUR", "MINUTE", "SECOND", "TIME", "MILE", "DOLLAR", "POINT"}


def fix_capital_i(text: str) -> str:
    """A capital I in Impact-like fonts is a plain bar, which OCR reads as "|", or as "1" beside words.
    Likewise a zero inside a word of letters is an O ("T0" -> "TO"; "2020" and "10PM" stay)."""
    words = text.split()
    for i, word in enumerate(words):
        if "0" in word and any(c.isalpha() for c in word) and not any(c in "123456789" for c in word):
            words[i] = word = word.replace("0", "O")
        if word == "|":
            words[i] = "I"
        elif word == "1":
            before = words[i - 1] if i else ""
            after = words[i + 1] if i + 1 < len(words) else ""
            if (not before or _letters(before)) and _letters(after) and after.upper().rstrip("S.,!?") not in _MEASURES:
                words[i] = "I"
    return " ".join(words)
