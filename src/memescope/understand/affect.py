"""Affect features from `nade` (PyPI, MIT; Hotz-Behofsits et al.): a fastText model trained on social-media
posts predicts which of 151 emojis a text would carry, and eight LightGBM regressors turn those emoji
probabilities into emotion scores (anger, anticipation, disgust, fear, joy, sadness, surprise, trust).
Both ship inside the package, so nothing is downloaded.

The models are read from nade's own data files, without writing into the package (nade unpacks its
regressors beside them on first use, which fails on a read-only install), with nade's text
preprocessing redone in plain Python.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..exceptions import NotInstalledError

__all__ = ["AffectModel", "get_affect", "NADE_EMOTIONS", "N_EMOJIS"]

NADE_EMOTIONS = ("anger", "anticipation", "disgust", "fear", "joy", "sadness", "surprise", "trust")
N_EMOJIS = 151

_SPACES = re.compile(r"\s+")


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def preprocess(text: str) -> str:
    """nade's preprocessing: runs of punctuation set apart by single spaces, lower case, trimmed."""
    out, run = [], []
    for ch in text:
        if _is_punct(ch):
            run.append(ch)
            continue
        if run:
            out.append(" " + "".join(run) + " ")
            run = []
        out.append(ch)
    if run:
        out.append(" " + "".join(run) + " ")
    return _SPACES.sub(" ", "".join(out)).lower().strip()


class AffectModel:
    """texts -> (n, 151 + 8): emoji probabilities (in the order of `emojis`) and emotion scores in [0, 1]."""

    def __init__(self) -> None:
        try:
            import fasttext
            import lightgbm as lgb
            import nade
        except ImportError as exc:
            raise NotInstalledError(exc.name or "nade", "understand", "nade") from None
        base = Path(nade.__file__).parent / "data" / "socialmedia_en"
        fasttext.FastText.eprint = lambda *_: None  # its load warning goes to stderr otherwise
        self._ft = fasttext.load_model(str(base / "nade_250k_hp.ftz"))
        self._reg = []
        for label in NADE_EMOTIONS:
            plain, packed = base / f"reg_{label}.txt", base / f"reg_{label}.txt.gz"
            if plain.exists():
                text = plain.read_text()
            else:
                with gzip.open(packed, "rt") as f:
                    text = f.read()
            self._reg.append(lgb.Booster(model_str=text))
        with open(base / "emoji_frequencies.jsonl", encoding="utf-8") as f:
            by_hash = {int(d["hash"]): d["emoji"] for d in map(json.loads, f)}
        # nade orders the emoji probabilities by the emoji's label number before its regressors read them
        self._column = {h: i for i, h in enumerate(sorted(by_hash))}
        self.emojis = [by_hash[h] for h in sorted(by_hash)]

    def emoji_probs(self, texts: list[str]) -> np.ndarray:
        labels, probs = self._ft.predict([preprocess(t) or " " for t in texts], k=N_EMOJIS)
        out = np.zeros((len(texts), N_EMOJIS), dtype=np.float32)
        for i, (lab, pr) in enumerate(zip(labels, probs)):
            idx = [self._column[int(x[len("__label__") :])] for x in lab]
            out[i, idx] = pr
        return out

    def features(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, N_EMOJIS + len(NADE_EMOTIONS)), dtype=np.float32)
        e = self.emoji_probs(texts)
        emo = np.stack([np.clip(r.predict(e.astype(np.float64)), 0, 1) for r in self._reg], axis=1)
        return np.hstack([e, emo.astype(np.float32)])


@lru_cache(maxsize=1)
def get_affect() -> AffectModel:
    """One loaded model per process (~1 s to load)."""
    return AffectModel()
