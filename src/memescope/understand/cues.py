"""Explicit cues for how a caption is used: patterns a reader can check, fed to the classifier beside the
sentence embedding, and reported as the evidence behind a decision.

Each cue is a number in [0, 1] (a capped count or a rule) and the text that fired it. `incongruity` is the
multimodal hint: a cheerful caption on a picture whose own mood is sad (or the reverse) is a classic
sarcasm signal that the text alone cannot show.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["CUE_NAMES", "cue_features"]

_PHRASES: dict[str, list[str]] = {
    # mock enthusiasm, pretended indifference, explicit markers
    "sarcasm_marker": [
        "oh great",
        "oh wow",
        "oh sure",
        "oh nice",
        "yeah right",
        "yeah because",
        "just what i needed",
        "exactly what i needed",
        "said no one ever",
        "said nobody ever",
        "love that for me",
        "living the dream",
        "what a surprise",
        "can you not tell",
        "thanks a lot",
        "how exciting",
        "lucky me",
        "truly blessed",
        "what could go wrong",
        "because that worked",
        "totally fine",
        "totally not",
        "my favourite thing",
        "my favorite thing",
        "so glad",
        "just great",
        "can't wait",
        "cannot wait",
        "couldn't be happier",
        "/s",
        "🙃",
        "🙄",
        "😒",
    ],
    "humour_marker": [
        "lol",
        "lmao",
        "lmfao",
        "rofl",
        "haha",
        "hahaha",
        "me when",
        "me after",
        "nobody:",
        "plot twist",
        "brb",
        "mfw",
        "tfw",
        "be like",
        "starter pack",
        "😂",
        "🤣",
        "💀",
    ],
    "support_marker": [
        "you are not alone",
        "you're not alone",
        "not alone",
        "here for you",
        "reach out",
        "sending love",
        "thank you",
        "stay strong",
        "it is okay",
        "it's okay",
        "check on",
        "take care",
        "be kind",
        "be gentle",
        "you matter",
        "proud of",
        "together",
        "hug",
        "❤",
        "🙏",
        "🤗",
        "💕",
    ],
    "vulnerability": [
        "i miss",
        "missing",
        "i am tired",
        "i'm tired",
        "cried",
        "crying",
        "hurt",
        "alone",
        "scared",
        "pain",
        "inside",
        "behind my smile",
        "pretend",
        "nobody saw",
        "hiding",
        "i am fine",
        "i'm fine",
    ],
    "hyperbole": [
        "literally",
        "ever",
        "so much",
        "forever",
        "never",
        "always",
        "worst",
        "best",
        "100",
        "million",
        "whole",
        "entire",
        "dying",
        "dead",
    ],
}

CUE_NAMES = (*_PHRASES, "exclaim", "question", "positive", "negative", "mixed_polarity", "incongruity")

_SAD = {"sad", "crying", "grief", "pain", "angry", "fear", "negative"}
_HAPPY = {"happy", "joy", "proud", "positive", "cheerful"}


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    pats = {}
    for name, phrases in _PHRASES.items():
        alts = []
        for p in sorted(phrases, key=len, reverse=True):
            body = re.escape(p).replace(r"\ ", r"\s+")
            # words need boundaries ("ever" is not "every"); emoji and "/s" stand alone
            alts.append(rf"(?<!\w){body}(?!\w)" if p[0].isalnum() else rf"{body}(?!\w)" if p[-1].isalnum() else body)
        pats[name] = re.compile("|".join(alts), re.IGNORECASE)
    return pats


def cue_features(text: str, template_affect: str | None = None) -> tuple[list[float], dict[str, list[str]]]:
    """(one value per CUE_NAMES, {cue: [what fired it]}) for one caption."""
    from .sentiment import polarity

    vals: list[float] = []
    fired: dict[str, list[str]] = {}
    for name, pat in _patterns().items():
        found = sorted({re.sub(r"\s+", " ", m.group(0).lower()) for m in pat.finditer(text)})
        vals.append(min(len(found), 2) / 2)
        if found:
            fired[name] = found
    ex, q = text.count("!"), text.count("?")
    vals += [min(ex, 2) / 2, min(q, 2) / 2]
    if ex:
        fired["exclaim"] = ["!" * min(ex, 3)]
    if q:
        fired["question"] = ["?"]
    pos, neg, compound = polarity(text)
    mixed = min(pos, neg) * 2  # praise and complaint in one caption, e.g. "love" + "broken"
    vals += [pos, neg, min(mixed, 1.0)]
    if mixed >= 0.2:
        fired["mixed_polarity"] = [f"pos {pos:.2f}, neg {neg:.2f}"]
    affect = (template_affect or "").lower()
    inc = 0.0
    if affect in _SAD and compound > 0.3:
        inc = compound
    elif affect in _HAPPY and compound < -0.3:
        inc = -compound
    vals.append(inc)
    if inc:
        fired["incongruity"] = [f"{affect} picture, caption sentiment {compound:+.2f}"]
    return vals, fired
