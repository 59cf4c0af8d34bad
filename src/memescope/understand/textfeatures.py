"""Words and letters as features: TF-IDF over hashed word 1-2 grams and character 2-5 grams (within word
boundaries), the classic strong baseline for short texts. Hashing (scikit-learn's HashingVectorizer,
2^20 buckets per analyzer) needs no vocabulary; what a model keeps is the inverse document frequency of
the buckets seen at least `min_df` times in training (the others count for nothing, as words outside a
vocabulary would), stored sparse.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import sparse

from ..exceptions import NotInstalledError

__all__ = ["TfidfHasher", "N_BUCKETS", "word_grams"]

N_BUCKETS = 2**20  # per analyzer: collisions among a few hundred thousand n-grams stay rare


@lru_cache(maxsize=1)
def _vectorizers():
    try:
        from sklearn.feature_extraction.text import HashingVectorizer
    except ImportError:
        raise NotInstalledError("scikit-learn", "understand", "scikit-learn") from None
    common = {"n_features": N_BUCKETS, "alternate_sign": False, "norm": None, "lowercase": True, "dtype": np.float32}
    return (
        HashingVectorizer(analyzer="word", ngram_range=(1, 2), **common),
        HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), **common),
    )


def hashed_counts(texts: list[str]) -> sparse.csr_matrix:
    """(n, 2 * N_BUCKETS) raw n-gram counts: words, then characters."""
    word, char = _vectorizers()
    return sparse.hstack([word.transform(texts), char.transform(texts)], format="csr")


@dataclass(frozen=True)
class TfidfHasher:
    """Sublinear TF times IDF, rows L2-normalized. `index`/`idf`: the buckets kept and their weights."""

    index: np.ndarray  # int32, sorted bucket numbers seen >= min_df times in training
    idf: np.ndarray  # float32, one per bucket in `index`

    @property
    def n_features(self) -> int:
        return len(self.index)

    @classmethod
    def fit(cls, texts: list[str], min_df: int = 2) -> TfidfHasher:
        counts = hashed_counts(texts)
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        keep = np.flatnonzero(df >= min_df).astype(np.int32)
        idf = (np.log((1 + len(texts)) / (1 + df[keep])) + 1).astype(np.float32)
        return cls(keep, idf)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """(n, n_features): the kept buckets only, in `index` order."""
        counts = hashed_counts(texts)[:, self.index]
        counts.data = (1 + np.log(counts.data)) * self.idf[counts.indices]
        norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
        return sparse.csr_matrix(sparse.diags(1 / np.maximum(norms, 1e-12)) @ counts, dtype=np.float32)

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.index": self.index, f"{prefix}.idf": self.idf}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> TfidfHasher:
        return cls(
            np.asarray(arrays[f"{prefix}.index"], dtype=np.int32), np.asarray(arrays[f"{prefix}.idf"], dtype=np.float32)
        )


def word_grams(text: str, index: np.ndarray) -> list[tuple[str, int | None]]:
    """The word 1-2 grams of `text` as the word analyzer cuts them, each with its column among the kept
    buckets `index` (None when the bucket was not kept): the n-grams a model's TF-IDF weights can name."""
    from sklearn.utils import murmurhash3_32

    word, _ = _vectorizers()
    out = []
    for g in dict.fromkeys(word.build_analyzer()(text)):
        bucket = abs(murmurhash3_32(g, seed=0)) % N_BUCKETS
        pos = int(np.searchsorted(index, bucket))
        out.append((g, pos if pos < len(index) and index[pos] == bucket else None))
    return out
