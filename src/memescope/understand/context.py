"""Context tags from topic lexicons (JSON files in lexicons/; users add their own with a folder).

A lexicon has strong terms (weight 1: enough alone) and weak terms (weight 0.5: "mask" is pandemic talk in
2020 but a metaphor in the crying-behind-a-mask meme for a decade before), and a context is tagged when
the summed weight of distinct terms found reaches its threshold (1 by default).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Lexicon", "load_lexicons", "tag_contexts"]

_HERE = Path(__file__).parent / "lexicons"


def _norm(term: str) -> str:
    """One spelling per term: lower case, hyphens and runs of spaces as one space ('covid-19' = 'covid 19')."""
    return re.sub(r"[\s\-]+", " ", term.strip().lower())


# eq=False: hashed by identity, so the cached, compiled patterns are keyed by the loaded lexicon objects
@dataclass(frozen=True, eq=False)
class Lexicon:
    name: str
    description: str
    terms: dict[str, float]
    threshold: float = 1.0

    @property
    def pattern(self) -> re.Pattern:
        # longest first so "social distancing" wins over "social"; word boundaries; '-' and ' ' alike
        alts = sorted(self.terms, key=len, reverse=True)
        body = "|".join(re.escape(t).replace(r"\ ", r"[\s\-]+") for t in alts)
        return re.compile(rf"(?<![\w#])#?({body})(?!\w)", re.IGNORECASE)

    @classmethod
    def from_file(cls, path: Path) -> Lexicon:
        data = json.loads(path.read_text(encoding="utf-8"))
        terms = {_norm(t): 1.0 for t in data.get("strong", [])}
        terms.update({_norm(t): 0.5 for t in data.get("weak", []) if _norm(t) not in terms})
        return cls(data["name"], data.get("description", ""), terms, float(data.get("threshold", 1.0)))


@lru_cache(maxsize=8)
def load_lexicons(extra_dir: str | None = None) -> tuple[Lexicon, ...]:
    """The shipped lexicons plus any *.json in `extra_dir` (or $MEMESCOPE_LEXICONS)."""
    dirs = [_HERE]
    extra_dir = extra_dir or os.environ.get("MEMESCOPE_LEXICONS")
    if extra_dir:
        dirs.append(Path(extra_dir))
    lex = {}
    for d in dirs:
        for f in sorted(d.glob("*.json")):
            lx = Lexicon.from_file(f)
            lex[lx.name] = lx
    return tuple(lex.values())


# "STAYYYY INSIDEEEE", "FEEEEET": a letter held for emphasis. No English word has a letter three times
# in a row, but the held letter may stand for one or for two ("stay", "feet"), so both readings are tried.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")


def _readings(text: str) -> tuple[str, ...]:
    if not _ELONGATED.search(text):
        return (text,)
    return _ELONGATED.sub(r"\1", text), _ELONGATED.sub(r"\1\1", text)


@lru_cache(maxsize=8)
def _compiled(lexicons: tuple[Lexicon, ...]) -> list[tuple[Lexicon, re.Pattern]]:
    return [(lx, lx.pattern) for lx in lexicons]


def tag_contexts(
    text: str, lexicons: tuple[Lexicon, ...] | None = None
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """({context: score}, {context: [terms found]}) for the contexts whose score reaches the threshold."""
    lexicons = lexicons if lexicons is not None else load_lexicons()
    readings = _readings(text)
    tags: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    for lx, pat in _compiled(lexicons):
        found = {_norm(m.group(1)) for t in readings for m in pat.finditer(t)}
        if not found:
            continue
        score = sum(lx.terms.get(t, 0.5) for t in found)
        if score >= lx.threshold:
            tags[lx.name] = round(score, 2)
            cues[lx.name] = sorted(found)
    return tags, cues
