"""The caption model: linear heads over three feature blocks, stacked and calibrated, stored as arrays.

Blocks (features.py): TF-IDF of hashed word and character n-grams, nade's emoji and emotion scores, and
the explicit cues with VADER's four scores. Each head is, per block it uses, a logistic regression; when
it uses several, a second logistic regression combines their log-odds (stacking); a calibrator maps the
result to probabilities that mean what they say (fitted on out-of-fold predictions, so it corrects the
class balancing the heads were fitted with). Inference is numpy and scipy; `memescope train` fits it.

Heads, and how their answers fit together so that no two contradict each other:
- `sincere`: sincere vs not (MET-Meme's expressive vs entertaining memes, the project's captions);
- `tone`: among the rest, humorous, sarcastic or other (the project's captions, Memotion's jokes).
  P(sincere) = s and P(humorous) = (1 - s) t_humorous, and so on: the four use probabilities sum to one.
  `humour` is P(humorous) + P(sarcastic) and `sarcasm` is P(sarcastic); the use is the likeliest, or
  `uncertain` when none reaches UNCERTAIN_BELOW; the yes/no flags follow from the use;
- `polarity`: positive vs negative (MET-Meme's sentiment classes), beside VADER's score;
- `emotion`: MET-Meme's seven sentiment classes;
- `offensive`: offensive vs not (MET-Meme's offensiveness), with the word n-grams that pushed it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from .cues import CUE_NAMES
from .features import FeatureBlocks
from .textfeatures import TfidfHasher

__all__ = ["Linear", "Head", "UseModel", "load_model", "MODEL_DIR", "USES", "UNCERTAIN_BELOW"]

MODEL_DIR = Path(__file__).parent / "model"
USES = ("sincere", "humorous", "sarcastic", "other")
# a use is answered only when it is more likely than all the others together
UNCERTAIN_BELOW = 0.5


@dataclass
class Linear:
    """decision = ((X - mean) / std) @ coef.T + intercept; sparse X is used as it is."""

    coef: np.ndarray  # (k, d)
    intercept: np.ndarray  # (k,)
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    def decision(self, X) -> np.ndarray:
        if sparse.issparse(X):
            z = np.asarray(X @ self.coef.T.astype(np.float32))
        else:
            Xd = np.asarray(X, dtype=np.float64)
            if self.mean is not None and self.std is not None:
                Xd = (Xd - self.mean) / self.std
            z = Xd @ self.coef.T.astype(np.float64)
        return z + self.intercept

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {f"{prefix}.coef": self.coef, f"{prefix}.intercept": self.intercept}
        if self.mean is not None and self.std is not None:
            out |= {f"{prefix}.mean": self.mean, f"{prefix}.std": self.std}
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> Linear:
        def get(k: str):
            return arrays.get(f"{prefix}.{k}")

        return cls(get("coef"), get("intercept"), get("mean"), get("std"))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _probs(z: np.ndarray) -> np.ndarray:
    """Probabilities of each class from decision values (one column: the second class's log-odds)."""
    if z.shape[1] == 1:
        p = 1 / (1 + np.exp(-z[:, 0]))
        return np.stack([1 - p, p], axis=1)
    return _softmax(z)


@dataclass
class Head:
    """One question the model answers: per-block linear maps, their combination, and a calibrator."""

    name: str
    classes: list[str]
    blocks: list[str]
    block_models: list[Linear]
    meta: Linear | None
    calibrator: Linear
    threshold: float | None = None  # binary heads: the calibrated probability from which the answer is yes

    def block_decisions(self, feats: FeatureBlocks) -> list[np.ndarray]:
        return [m.decision(feats.block(b)) for b, m in zip(self.blocks, self.block_models)]

    def proba(self, feats: FeatureBlocks) -> np.ndarray:
        z = self.block_decisions(feats)
        combined = z[0] if self.meta is None else self.meta.decision(np.hstack(z))
        return _probs(self.calibrator.decision(combined))

    def block_push(self, block: str, X: np.ndarray, cls: str) -> np.ndarray:
        """(n, d): each feature's share in the head's decision for class `cls` (against the mean of the
        classes for a head of several), through the block's weights and the stack's weight on it."""
        if block not in self.blocks:
            return np.zeros_like(X, dtype=np.float64)
        m = self.block_models[self.blocks.index(block)]
        # measured from zero, not from the mean: a cue that did not fire pushes nothing
        Xs = np.asarray(X, dtype=np.float64) / m.std if m.std is not None else X
        k = m.coef.shape[0]
        if self.meta is None:
            W = np.eye(k)
        else:
            i = self.blocks.index(block)
            W = self.meta.coef[:, i * k : (i + 1) * k]
        per_class = W @ m.coef  # (classes or 1, d)
        if per_class.shape[0] == 1:  # binary: the decision is the second class's log-odds
            row = per_class[0] if cls == self.classes[1] else -per_class[0]
        else:  # the blocks' and the stack's rows follow the sorted class names (as scikit-learn fits them)
            c = sorted(self.classes).index(cls)
            row = per_class[c] - per_class.mean(axis=0)
        return Xs * row

    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for b, m in zip(self.blocks, self.block_models):
            out |= m.arrays(f"{self.name}.{b}")
        if self.meta is not None:
            out |= self.meta.arrays(f"{self.name}.meta")
        return out | self.calibrator.arrays(f"{self.name}.calibrator")

    def spec(self) -> dict:
        return {
            "classes": self.classes,
            "blocks": self.blocks,
            "meta": self.meta is not None,
            "threshold": self.threshold,
        }

    @classmethod
    def from_spec(cls, name: str, spec: dict, arrays) -> Head:
        models = [Linear.from_arrays(arrays, f"{name}.{b}") for b in spec["blocks"]]
        meta = Linear.from_arrays(arrays, f"{name}.meta") if spec["meta"] else None
        return cls(
            name,
            spec["classes"],
            spec["blocks"],
            models,
            meta,
            Linear.from_arrays(arrays, f"{name}.calibrator"),
            spec.get("threshold"),
        )


@dataclass
class UseModel:
    tfidf: TfidfHasher
    heads: dict[str, Head]
    meta: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.meta.get("version", "")

    @property
    def needs_minilm(self) -> bool:
        return any("minilm" in h.blocks for h in self.heads.values())

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = self.tfidf.to_arrays("tfidf")
        for h in self.heads.values():
            arrays |= h.arrays()
        # TF-IDF weights as float16: half the size; predictions move by less than 1e-3 (tests/test_use.py)
        arrays = {k: (v.astype(np.float16) if k.endswith(".tfidf.coef") else v) for k, v in arrays.items()}
        np.savez_compressed(directory / "use_model.npz", allow_pickle=False, **arrays)
        spec = {"heads": {n: h.spec() for n, h in self.heads.items()}, **self.meta}
        (directory / "use_model.json").write_text(json.dumps(spec, indent=2) + "\n")

    @classmethod
    def load(cls, directory: Path) -> UseModel:
        spec = json.loads((directory / "use_model.json").read_text())
        arrays = dict(np.load(directory / "use_model.npz"))
        heads = {n: Head.from_spec(n, s, arrays) for n, s in spec.pop("heads").items()}
        return cls(TfidfHasher.from_arrays(arrays, "tfidf"), heads, spec)

    # -- answers ----------------------------------------------------------------------------------
    def use_probs(self, feats: FeatureBlocks) -> np.ndarray:
        """(n, 4) probabilities of USES: sincere from its head, the rest split by the tone head."""
        s = self.heads["sincere"].proba(feats)[:, 1]
        tone = self.heads["tone"]
        t = tone.proba(feats)
        return np.stack([s, *[(1 - s) * t[:, tone.classes.index(u)] for u in USES[1:]]], axis=1)

    def predict(self, feats: FeatureBlocks) -> list[dict]:
        """Per caption: use, its probabilities, humour and sarcasm, polarity, emotion, offensiveness, and
        the cues behind the use and behind the offensiveness."""
        P = self.use_probs(feats)
        pol = self.heads["polarity"].proba(feats)[:, 1]
        emo_head = self.heads["emotion"]
        E = emo_head.proba(feats)
        off_head = self.heads["offensive"]
        off = off_head.proba(feats)[:, 1]
        out = []
        for i in range(P.shape[0]):
            k = int(P[i].argmax())
            use = USES[k] if P[i, k] >= UNCERTAIN_BELOW else "uncertain"
            out.append(
                {
                    "use": use,
                    "use_probs": {u: round(float(p), 4) for u, p in zip(USES, P[i])},
                    "humour": round(float(P[i, 1] + P[i, 2]), 4),
                    "sarcasm": round(float(P[i, 2]), 4),
                    "is_humorous": use in ("humorous", "sarcastic"),
                    "is_sarcastic": use == "sarcastic",
                    "polarity": round(float(pol[i]), 4),
                    "polarity_label": "positive" if pol[i] >= (self.heads["polarity"].threshold or 0.5) else "negative",
                    "emotion": emo_head.classes[int(E[i].argmax())],
                    "emotion_probs": {c: round(float(p), 4) for c, p in zip(emo_head.classes, E[i])},
                    "offensive": round(float(off[i]), 4),
                    "is_offensive": bool(off[i] >= (off_head.threshold or 0.5)),
                }
            )
        self._explain(feats, out)
        return out

    def _explain(self, feats: FeatureBlocks, out: list[dict]) -> None:
        """The cues that pushed each caption toward its use, and the words behind its offensiveness."""
        cue_push = {u: self._cue_push(feats, u) for u in USES}
        words = self._offensive_words(feats)
        named = len(CUE_NAMES)  # the explicit cues (VADER's four scores are not cues a reader checks)
        for i, r in enumerate(out):
            u = r["use"] if r["use"] in USES else USES[int(np.argmax(list(r["use_probs"].values())))]
            push = cue_push[u][i][:named]
            r["use_cues"] = [
                {"cue": CUE_NAMES[j], "weight": round(float(push[j]), 3), "found": feats.fired[i].get(CUE_NAMES[j], [])}
                for j in np.argsort(-push)
                if push[j] > 0.05 and feats.cues[i, j] > 0
            ]
            r["offensive_cues"] = words[i] if r["is_offensive"] else []

    def _cue_push(self, feats: FeatureBlocks, use: str) -> np.ndarray:
        """(n, cues): each cue's push toward `use`: through the sincere head, and for the other uses
        through the tone head too."""
        sincere = self.heads["sincere"].block_push("cues", feats.cues, "sincere")
        if use == "sincere":
            return sincere
        return -sincere + self.heads["tone"].block_push("cues", feats.cues, use)

    def _offensive_words(self, feats: FeatureBlocks, top: int = 3) -> list[list[str]]:
        """Per caption, the word n-grams whose TF-IDF weight pushed its offensiveness up most."""
        head = self.heads["offensive"]
        if "tfidf" not in head.blocks:
            return [[] for _ in range(feats.n)]
        coef = head.block_models[head.blocks.index("tfidf")].coef[0].astype(np.float64)
        out = []
        for i in range(feats.n):
            row = feats.tfidf.getrow(i)
            grams = feats.word_grams(i)
            scored = []
            for g, col in grams:
                if col is not None:
                    scored.append((float(coef[col] * row[0, col]), g))
            scored.sort(reverse=True)
            out.append([g for s, g in scored[:top] if s > 0.02])
        return out


@lru_cache(maxsize=2)
def load_model(directory: str | None = None) -> UseModel:
    """The shipped model (or one written by `memescope train --out DIR`)."""
    return UseModel.load(Path(directory) if directory else MODEL_DIR)
