"""Fitting linear heads over feature blocks, and stacking them: each block (TF-IDF, embeddings, affect,
cues) is a class-balanced logistic regression whose C is chosen by grouped cross-validation; a stack
combines the blocks' out-of-fold log-odds in a second logistic regression, so no block's training fit
leaks into the combination's weights. Everything ends as numpy arrays (memescope.understand.model.Linear).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["BlockFit", "StackedModel", "fit_block", "macro_f1", "bootstrap_f1", "CS"]

CS = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
FOLDS = 5


def macro_f1(y_true, y_pred, labels=None) -> float:
    """Mean F1 over `labels` (default: every label in either list; an answer outside the labels, such as
    `uncertain`, then counts as wrong without being a class of its own)."""
    from sklearn.metrics import f1_score

    return round(float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)), 3)


def bootstrap_f1(y_true, y_pred, n: int = 1000, seed: int = 0, labels=None) -> tuple[float, float]:
    """95% percentile interval of macro-F1 over resampled test rows."""
    rng = np.random.default_rng(seed)
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    scores = [macro_f1(yt[i], yp[i], labels) for i in (rng.integers(0, len(yt), len(yt)) for _ in range(n))]
    return round(float(np.percentile(scores, 2.5)), 3), round(float(np.percentile(scores, 97.5)), 3)


def _standardizer(X) -> tuple[np.ndarray, np.ndarray] | None:
    if sparse.issparse(X):
        return None
    mu = np.asarray(X, dtype=np.float64).mean(0)
    sd = np.asarray(X, dtype=np.float64).std(0) + 1e-6
    return mu, sd


def _scaled(X, scale):
    return X if scale is None else (np.asarray(X, dtype=np.float64) - scale[0]) / scale[1]


def _logits(lr, X) -> np.ndarray:
    """Decision values: one column for two classes, one per class otherwise."""
    z = lr.decision_function(X)
    return z[:, None] if z.ndim == 1 else z


@dataclass
class BlockFit:
    """A block's head fitted on all the training rows, its C, and its out-of-fold decision values."""

    lr: object
    scale: tuple[np.ndarray, np.ndarray] | None
    C: float
    oof: np.ndarray
    cv_f1: float

    def decision(self, X) -> np.ndarray:
        return _logits(self.lr, _scaled(X, self.scale))


def _folds(y, groups, seed: int = 0):
    from sklearn.model_selection import StratifiedGroupKFold

    return list(StratifiedGroupKFold(FOLDS, shuffle=True, random_state=seed).split(np.zeros(len(y)), y, groups))


def _lr(C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)


def fit_block(X, y, groups, Cs=CS, weights=None) -> BlockFit:
    """Choose C by grouped, stratified 5-fold cross-validation (macro-F1), keep its out-of-fold decision
    values, and fit on all rows."""
    y = np.asarray(y)
    scale = _standardizer(X)
    Xs = _scaled(X, scale)
    folds = _folds(y, groups)
    best = None
    for C in Cs:
        oof = None
        pred = np.empty(len(y), dtype=y.dtype)
        for tr, va in folds:
            lr = _lr(C).fit(Xs[tr], y[tr], sample_weight=None if weights is None else weights[tr])
            z = _logits(lr, Xs[va])
            oof = np.zeros((len(y), z.shape[1])) if oof is None else oof
            oof[va] = z
            pred[va] = lr.predict(Xs[va])
        f1 = macro_f1(y, pred)
        if best is None or f1 > best[1]:
            best = (C, f1, oof)
    assert best is not None  # Cs is never empty
    C, f1, oof = best
    assert oof is not None  # there are folds
    lr = _lr(C).fit(Xs, y, sample_weight=weights)
    return BlockFit(lr, scale, C, oof, f1)


@dataclass
class StackedModel:
    """One block's head as it is, or several blocks' log-odds combined by a second logistic regression."""

    blocks: list[BlockFit]
    meta: BlockFit | None

    @classmethod
    def fit(cls, blocks: list[BlockFit], Xs, y, groups) -> StackedModel:
        if len(blocks) == 1:
            return cls(blocks, None)
        Z = np.hstack([b.oof for b in blocks])
        return cls(blocks, fit_block(Z, y, groups, Cs=(0.01, 0.1, 1.0, 10.0)))

    def decision(self, Xs) -> np.ndarray:
        Z = [b.decision(X) for b, X in zip(self.blocks, Xs)]
        return Z[0] if self.meta is None else self.meta.decision(np.hstack(Z))

    def predict(self, Xs) -> np.ndarray:
        model = (self.blocks[0] if self.meta is None else self.meta).lr
        z = self.decision(Xs)
        classes = model.classes_  # type: ignore[attr-defined]
        return classes[(z[:, 0] > 0).astype(int)] if z.shape[1] == 1 else classes[z.argmax(1)]
