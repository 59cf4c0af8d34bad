"""Static word embeddings from `wordllama` (PyPI, MIT): the token embedding table of a large language
model, distilled to 256 values and averaged over a text's tokens. The weights ship inside the wheel, so
nothing is downloaded; about a hundred times faster than a transformer, and weaker."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..exceptions import NotInstalledError

__all__ = ["WordVectors", "get_wordvectors"]


class WordVectors:
    dim = 256

    def __init__(self) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError:
            raise NotInstalledError("wordllama", "understand", "wordllama") from None
        self._wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._wl.embed([t or " " for t in texts]), dtype=np.float32)


@lru_cache(maxsize=1)
def get_wordvectors() -> WordVectors:
    return WordVectors()
