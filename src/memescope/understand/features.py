"""The caption model's inputs, computed once per batch: TF-IDF of word and character n-grams, nade's
emoji and emotion scores, and the explicit cues with VADER's four scores (and what fired each cue)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .affect import get_affect
from .cues import CUE_NAMES, cue_features
from .sentiment import vader_scores
from .textfeatures import TfidfHasher, word_grams

__all__ = ["BLOCKS", "DEFAULT_BLOCKS", "FeatureBlocks", "featurize", "CUE_COLUMNS"]

# the blocks a model may use; the shipped one is trained on the first three (DEFAULT_BLOCKS): MiniLM costs
# five times the rest together and read real memes no better (bench/understand)
BLOCKS = ("tfidf", "nade", "cues", "minilm")
DEFAULT_BLOCKS = ("tfidf", "nade", "cues")
CUE_COLUMNS = (*CUE_NAMES, "vader_compound", "vader_positive", "vader_negative", "vader_neutral")


@dataclass
class FeatureBlocks:
    texts: list[str]
    tfidf: sparse.csr_matrix
    nade: np.ndarray
    cues: np.ndarray
    fired: list[dict[str, list[str]]] = field(default_factory=list)
    tfidf_index: np.ndarray | None = None
    minilm: np.ndarray | None = None

    cue_names = CUE_COLUMNS

    @property
    def n(self) -> int:
        return len(self.texts)

    def block(self, name: str):
        value = {"tfidf": self.tfidf, "nade": self.nade, "cues": self.cues, "minilm": self.minilm}[name]
        if value is None:
            raise ValueError(f"the {name} block was not computed")
        return value

    def subset(self, rows) -> FeatureBlocks:
        rows = list(rows)
        return FeatureBlocks(
            [self.texts[i] for i in rows],
            self.tfidf[rows],
            self.nade[rows],
            self.cues[rows],
            [self.fired[i] for i in rows] if self.fired else [],
            self.tfidf_index,
            None if self.minilm is None else self.minilm[rows],
        )

    def word_grams(self, i: int) -> list[tuple[str, int | None]]:
        """The word 1-2 grams of text i, each with its TF-IDF column (None when the model has none)."""
        assert self.tfidf_index is not None
        return word_grams(self.texts[i], self.tfidf_index)


def featurize(
    texts: list[str], tfidf: TfidfHasher, affects: list[str | None] | None = None, minilm: bool = False
) -> FeatureBlocks:
    """The blocks for a batch of captions (MiniLM sentence embeddings only when asked: they cost ten times
    the rest); `affects` are their templates' moods (a cue)."""
    affects = affects or [None] * len(texts)
    cues, fired = [], []
    for t, a in zip(texts, affects):
        values, f = cue_features(t, a)
        cues.append(values + list(vader_scores(t)))
        fired.append(f)
    embedded = None
    if minilm:
        from .embed import get_embedder

        embedded = get_embedder("minilm-int8").embed(list(texts))
    return FeatureBlocks(
        list(texts),
        tfidf.transform(list(texts)),
        get_affect().features(list(texts)),
        np.asarray(cues, dtype=np.float32).reshape(len(texts), len(CUE_COLUMNS)),
        fired,
        tfidf.index,
        embedded,
    )
