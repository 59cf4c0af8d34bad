"""Sentiment with VADER (lexicon and rules). One signal among several: VADER reads sarcasm literally."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["sentiment", "polarity", "vader_scores"]


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=4096)
def _scores(text: str) -> dict:
    # Meme captions are ALL CAPS as a style, not as emphasis: VADER boosts caps only when mixed with
    # lower case, so lower-casing an all-caps caption removes a false emphasis signal. VADER reads
    # emoji through their names (its emoji lexicon), so emoji count as one signal with the words.
    if text.isupper():
        text = text.lower()
    return _analyzer().polarity_scores(text)


def polarity(text: str) -> tuple[float, float, float]:
    """(positive share, negative share, compound) of a caption, from VADER."""
    if not text.strip():
        return 0.0, 0.0, 0.0
    s = _scores(text)
    return s["pos"], s["neg"], s["compound"]


def vader_scores(text: str) -> tuple[float, float, float, float]:
    """(compound, positive, negative, neutral) of a caption, VADER's four numbers (zeros for no text)."""
    if not text.strip():
        return 0.0, 0.0, 0.0, 0.0
    s = _scores(text)
    return s["compound"], s["pos"], s["neg"], s["neu"]


def sentiment(text: str) -> tuple[float, str]:
    """(compound in [-1, 1], label) with VADER's recommended +-0.05 thresholds."""
    if not text.strip():
        return 0.0, "neutral"
    c = _scores(text)["compound"]
    label = "positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral"
    return round(c, 4), label
