"""Emotions from a small, documented word and emoji lexicon written for this project.

No emotion model ships on PyPI without a hub download, so emotions are lexicon cues: each emotion's score
is the number of distinct cue words and emoji found, and the cues are returned so a reader can judge.
A term is a word with its common endings ('miss' finds missed, missing) or, ending in '*', a stem
('depress*' finds depressed, depression); negation is not handled.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["EMOTIONS", "emotions"]

EMOTIONS: dict[str, list[str]] = {
    "sadness": [
        "sad",
        "cry",
        "cries",
        "cried",
        "crying",
        "tears",
        "sob",
        "miss",
        "lonely",
        "alone",
        "hurt",
        "pain",
        "grief",
        "griev*",
        "broken",
        "depress*",
        "heartbreak*",
        "funeral",
        "😢",
        "😭",
        "💔",
        "😞",
        "🥺",
    ],
    "joy": [
        "happy",
        "joy",
        "love",
        "laugh",
        "lol",
        "lmao",
        "haha*",
        "yay",
        "fun",
        "funny",
        "great",
        "amazing",
        "awesome",
        "best",
        "glad",
        "proud",
        "blessed",
        "😂",
        "🤣",
        "😊",
        "😄",
        "🥳",
    ],
    "anger": [
        "angry",
        "mad",
        "hate",
        "furious",
        "rage",
        "annoy*",
        "yell",
        "scream",
        "stupid",
        "sick of",
        "fed up",
        "😠",
        "😡",
        "🤬",
    ],
    "fear": [
        "scared",
        "afraid",
        "fear",
        "terrif*",
        "anxious",
        "anxiety",
        "panic",
        "worry",
        "worried",
        "nervous",
        "virus",
        "😨",
        "😱",
        "😰",
    ],
    "surprise": ["wow", "surprise", "shock*", "suddenly", "plot twist", "omg", "unexpected", "😮", "😲", "🤯"],
    "disgust": ["gross", "disgust*", "ew", "yuck", "nasty", "vomit", "🤢", "🤮"],
    "trust": [
        "thank",
        "thanks",
        "grateful",
        "together",
        "support",
        "here for you",
        "not alone",
        "hug",
        "care",
        "❤",
        "🙏",
        "🤗",
    ],
}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    pats = {}
    for emo, terms in EMOTIONS.items():
        words = [re.escape(t) for t in terms if t[0].isalpha() and not t.endswith("*")]
        stems = [re.escape(t[:-1]) for t in terms if t.endswith("*")]
        signs = [re.escape(t) for t in terms if not t[0].isalpha()]
        alts = []
        if words:
            alts.append(r"(?<!\w)(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")(?:s|es|d|ed|ing)?(?!\w)")
        if stems:
            alts.append(r"(?<!\w)(?:" + "|".join(stems) + r")\w*")
        if signs:
            alts.append("|".join(signs))
        pats[emo] = re.compile("|".join(alts), re.IGNORECASE)
    return pats


def emotions(text: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    """({emotion: number of distinct cues}, {emotion: [cues found]}) for emotions with any cue."""
    scores, cues = {}, {}
    for emo, pat in _patterns().items():
        found = sorted({m.group(0).lower() for m in pat.finditer(text)})
        if found:
            scores[emo] = len(found)
            cues[emo] = found
    return scores, cues
