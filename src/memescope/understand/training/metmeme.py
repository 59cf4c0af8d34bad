"""MET-Meme's English rows (Xu et al., SIGIR 2022; ../shared/data/metmeme): meme texts labelled by
annotators with the poster's intention, sentiment and offensiveness. The project's reading of them:

- use: expressive (the poster's own feeling) is sincere; entertaining is humorous or sarcastic (MET-Meme
  does not tell which); interactive, offensive and other intentions do not label the use;
- polarity: happiness and love are positive; anger, sorrow, fear and hate negative; surprise neither;
- emotion: the seven sentiment classes as they are;
- offensive: offensiveness 1-3 against 0.

The split keeps near-identical texts on one side: texts are grouped when their character 5-grams overlap
by 80% or more (a caption retyped with other punctuation or a word changed), and whole groups go to
train or test by a hash of the group's first text, so a fixed seed gives the same split everywhere.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MetRow", "read_metmeme", "near_duplicate_groups", "grouped_split", "normalized", "EMOTIONS"]

EMOTIONS = ("happiness", "love", "anger", "sorrow", "fear", "hate", "surprise")
_POSITIVE, _NEGATIVE = {"happiness", "love"}, {"anger", "sorrow", "fear", "hate"}


@dataclass(frozen=True)
class MetRow:
    text: str
    intention: str  # interactive | expressive | entertaining | offensive | other
    emotion: str  # one of EMOTIONS
    offensiveness: int  # 0-3

    @property
    def use(self) -> str | None:
        """sincere, entertaining, or None when the intention says nothing of the use."""
        return {"expressive": "sincere", "entertaining": "entertaining"}.get(self.intention)

    @property
    def polarity(self) -> str | None:
        return "positive" if self.emotion in _POSITIVE else "negative" if self.emotion in _NEGATIVE else None

    @property
    def offensive(self) -> bool:
        return self.offensiveness > 0


def _label(value: str) -> str:
    """'3(entertaining)' -> 'entertaining'."""
    m = re.match(r"\s*\d+\s*\(([^)]*)\)", value or "")
    return (m.group(1) if m else value or "").strip().lower()


def read_metmeme(path: Path) -> list[MetRow]:
    """The rows with text, their labels read as above."""
    out = []
    for r in json.loads(Path(path).read_text(encoding="utf-8")):
        text = " ".join(str(r.get("text") or "").split())
        if not text:
            continue
        off = re.match(r"\s*(\d)", str(r.get("offensiveness") or "0"))
        out.append(
            MetRow(
                text, _label(r.get("intention", "")), _label(r.get("sentiment", "")), int(off.group(1)) if off else 0
            )
        )
    return out


def normalized(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _shingles(text: str, k: int = 5) -> set[str]:
    t = normalized(text)
    return {t[i : i + k] for i in range(max(1, len(t) - k + 1))}


def near_duplicate_groups(texts: list[str], threshold: float = 0.8) -> list[int]:
    """A group number per text: texts whose character 5-grams overlap by `threshold` (Jaccard) or more
    share a group, transitively. Candidates are pairs that share a rare shingle, so it stays fast."""
    sh = [_shingles(t) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_shingle: dict[str, list[int]] = {}
    for i, s in enumerate(sh):
        for g in s:
            by_shingle.setdefault(g, []).append(i)
    for members in by_shingle.values():
        if len(members) > 50:  # a common shingle ("what ") says nothing
            continue
        for k, a in enumerate(members):
            for b in members[k + 1 :]:
                if find(a) != find(b):
                    inter = len(sh[a] & sh[b])
                    if inter / (len(sh[a]) + len(sh[b]) - inter) >= threshold:
                        parent[find(a)] = find(b)
    # very short texts share only common shingles: the same normalized text is the same text
    seen: dict[str, int] = {}
    for i, t in enumerate(texts):
        j = seen.setdefault(normalized(t), i)
        if find(i) != find(j):
            parent[find(i)] = find(j)
    roots = {r: n for n, r in enumerate(sorted({find(i) for i in range(len(texts))}))}
    return [roots[find(i)] for i in range(len(texts))]


def grouped_split(texts: list[str], test_share: float = 0.3, seed: int = 0) -> list[str]:
    """'train' or 'test' per text; near-identical texts always on the same side."""
    groups = near_duplicate_groups(texts)
    first: dict[int, str] = {}
    for t, g in zip(texts, groups):
        first.setdefault(g, normalized(t))
    side = {}
    for g, t in first.items():
        h = int(hashlib.sha1(f"{seed}:{t}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        side[g] = "test" if h < test_share else "train"
    return [side[g] for g in groups]
