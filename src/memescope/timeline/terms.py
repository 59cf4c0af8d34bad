"""What changed in the words: distinctive terms before vs after a change point, by the log-odds ratio
with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words").

The prior is the background vocabulary (all captions), scaled to `prior_strength` pseudo-words (at most
half the words compared): frequent
words need large shifts to stand out, and rare words cannot top the list by chance alone."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["tokenize", "distinctive_terms"]

_WORD = re.compile(r"[a-z][a-z0-9']*[a-z0-9]|[a-z]")
# Function words carry no topic; with the prior they rarely win, but when they do they crowd the list.
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "she",
        "his",
        "her",
        "they",
        "them",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "do",
        "does",
        "did",
        "not",
        "no",
        "so",
        "too",
        "very",
        "just",
        "than",
        "then",
        "there",
        "here",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "can",
        "will",
        "would",
        "should",
        "could",
        "has",
        "have",
        "had",
        "im",
        "dont",
        "its",
        "i'm",
        "don't",
        "it's",
        "you're",
        "can't",
        "didn't",
        "isn't",
        "won't",
        "that's",
        "i've",
        "i'll",
        "let's",
        "get",
        "got",
        "like",
        "one",
    ]
)


def tokenize(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("’", "'")) if w not in _STOP and len(w) > 1]


def distinctive_terms(
    before: Iterable[str],
    after: Iterable[str],
    background: Counter | None = None,
    top: int = 10,
    prior_strength: float = 1000.0,
    min_count: int = 2,
) -> tuple[list[dict], list[dict]]:
    """([{term, z, before, after}] most typical of `before`, [...] of `after`), largest z first."""
    yb: Counter[str] = Counter()
    ya: Counter[str] = Counter()
    for t in before:
        yb.update(tokenize(t))
    for t in after:
        ya.update(tokenize(t))
    bg = background if background is not None else yb + ya
    bg_total = sum(bg.values())
    if not bg_total or not yb or not ya:
        return [], []
    nb, na = sum(yb.values()), sum(ya.values())
    # the prior should inform, not outweigh: on a small corpus it is at most half the words observed
    a0 = min(prior_strength, (nb + na) / 2)
    scores = []
    for w in set(yb) | set(ya):
        if yb[w] + ya[w] < min_count:
            continue
        aw = a0 * (bg.get(w, 0) + 1) / (bg_total + len(bg))
        la = math.log((ya[w] + aw) / (na + a0 - ya[w] - aw))
        lb = math.log((yb[w] + aw) / (nb + a0 - yb[w] - aw))
        z = (la - lb) / math.sqrt(1 / (ya[w] + aw) + 1 / (yb[w] + aw))
        scores.append((z, w))
    scores.sort()
    fmt = lambda z, w: {"term": w, "z": round(z, 2), "before": yb[w], "after": ya[w]}  # noqa: E731
    after_terms = [fmt(z, w) for z, w in reversed(scores[-top:]) if z > 1.96]
    before_terms = [fmt(z, w) for z, w in scores[:top] if z < -1.96]
    return before_terms, after_terms
