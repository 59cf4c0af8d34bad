"""The use classifier: linear heads over [sentence embedding, explicit cues], stored as a small .npz.

Inference is numpy only (a softmax or a sigmoid over one matrix product), so the shipped model needs no
scikit-learn; `memescope train` fits it (scikit-learn, the `train` extra) and writes the same file.

Heads:
- `use`: softmax over sincere / humorous / sarcastic / other (project-written captions + Memotion rows
  whose labels are unambiguous; see training/train.py and the model card).
- `humour`, `sarcasm`: binary, trained on Memotion alone, each with a decision threshold chosen by
  cross-validation on the training split for macro-F1.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .cues import CUE_NAMES, cue_features

__all__ = ["UseModel", "featurize", "load_model", "MODEL_DIR"]

log = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).parent / "model"


def featurize(
    texts: list[str], affects: list[str | None] | None = None, embedder_name: str = "minilm-int8"
) -> tuple[np.ndarray, list[dict]]:
    """(n, dim + cues) features and each text's fired cues. Training and inference share this function."""
    from .embed import get_embedder

    affects = affects or [None] * len(texts)
    emb = get_embedder(embedder_name).embed(texts)
    cues, fired = [], []
    for t, a in zip(texts, affects):
        v, f = cue_features(t, a)
        cues.append(v)
        fired.append(f)
    return np.hstack([emb, np.asarray(cues, dtype=np.float32).reshape(len(texts), len(CUE_NAMES))]), fired


@dataclass
class Head:
    classes: list[str]
    coef: np.ndarray  # (k, d) for softmax, (1, d) for binary
    intercept: np.ndarray
    threshold: float = 0.5  # binary heads only

    def proba(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef.T + self.intercept
        if len(self.classes) == 2 and self.coef.shape[0] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1 - p, p], axis=1)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@dataclass
class UseModel:
    heads: dict[str, Head]
    meta: dict

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {}
        for name, h in self.heads.items():
            arrays[f"{name}.coef"] = h.coef.astype(np.float32)
            arrays[f"{name}.intercept"] = h.intercept.astype(np.float32)
        np.savez_compressed(directory / "use_model.npz", allow_pickle=False, **arrays)
        heads = {n: {"classes": h.classes, "threshold": h.threshold} for n, h in self.heads.items()}
        (directory / "use_model.json").write_text(json.dumps({"heads": heads, **self.meta}, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> UseModel:
        meta = json.loads((directory / "use_model.json").read_text())
        arrays = np.load(directory / "use_model.npz")
        heads = {
            n: Head(h["classes"], arrays[f"{n}.coef"], arrays[f"{n}.intercept"], h["threshold"])
            for n, h in meta.pop("heads").items()
        }
        return cls(heads, meta)

    @property
    def version(self) -> str:
        return self.meta.get("version", "")

    @property
    def embedder(self) -> str:
        """The embedder the heads were trained on (featurize must use the same one)."""
        return self.meta.get("embedder", "minilm-int8")

    def predict(self, X: np.ndarray, fired: list[dict]) -> list[dict]:
        """Per row: use with probabilities, humour and sarcasm scores and flags, and the cues that pushed
        toward the chosen use (cue value times its weight for that class, largest first)."""
        use = self.heads["use"]
        P = use.proba(X)
        hum = self.heads["humour"].proba(X)[:, 1]
        sar = self.heads["sarcasm"].proba(X)[:, 1]
        ncue = len(CUE_NAMES)
        out = []
        for i in range(len(X)):
            k = int(P[i].argmax())
            contrib = X[i, -ncue:] * use.coef[k, -ncue:]
            evidence = [
                {"cue": CUE_NAMES[j], "weight": round(float(contrib[j]), 3), "found": fired[i].get(CUE_NAMES[j], [])}
                for j in np.argsort(-contrib)
                if contrib[j] > 0.05
            ]
            out.append(
                {
                    "use": use.classes[k],
                    "use_probs": {c: round(float(p), 4) for c, p in zip(use.classes, P[i])},
                    "humour": round(float(hum[i]), 4),
                    "is_humorous": bool(hum[i] >= self.heads["humour"].threshold),
                    "sarcasm": round(float(sar[i]), 4),
                    "is_sarcastic": bool(sar[i] >= self.heads["sarcasm"].threshold),
                    "use_cues": evidence,
                }
            )
        return out


@lru_cache(maxsize=2)
def load_model(directory: str | None = None) -> UseModel:
    """The shipped model (or one written by `memescope train --out DIR`)."""
    return UseModel.load(Path(directory) if directory else MODEL_DIR)
