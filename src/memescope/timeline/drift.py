"""What changed in the words, seen through sentence embeddings: how far the captions after a change
moved from those before (drift), measured against the spread within one side (noise), the captions
nearest each side's centre (representative captions), and topics (clusters of captions from both sides)
that appeared or vanished at the change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["embedding_drift", "topic_shifts"]

SAMPLE = 48  # captions per side: enough for a stable centroid, cheap enough for every change point


def _spread(texts: list[str], k: int) -> list[str]:
    """Up to k texts spread evenly over the list (deterministic; the list is in time order)."""
    if len(texts) <= k:
        return list(texts)
    idx = np.linspace(0, len(texts) - 1, k).round().astype(int)
    return [texts[i] for i in idx]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def embedding_drift(
    before: list[str], after: list[str], embed: Callable[[list[str]], np.ndarray], k: int = SAMPLE, show: int = 3
) -> dict | None:
    """{drift, noise, representative_before[], representative_after[]} or None with too few captions.

    drift = 1 - cos(centroid before, centroid after); noise = the same between the two halves of the
    before side (interleaved), so drift well above noise means the captions' meaning moved, not just
    that two samples differ."""
    b, a = _spread([t for t in before if t.strip()], k), _spread([t for t in after if t.strip()], k)
    if len(b) < 4 or len(a) < 4:
        return None
    E = embed(b + a)
    eb, ea = E[: len(b)], E[len(b) :]
    cb, ca = _unit(eb.mean(0)), _unit(ea.mean(0))
    drift = 1 - float(cb @ ca)
    noise = 1 - float(_unit(eb[0::2].mean(0)) @ _unit(eb[1::2].mean(0)))

    def central(X, texts, c):
        # nearest the centre first, skipping near-copies of one already chosen (OCR variants, reposts)
        order = np.argsort(-(X @ c), kind="stable")
        chosen: list[int] = []
        for j in order:
            if all(float(X[j] @ X[i]) < 0.9 for i in chosen):
                chosen.append(int(j))
            if len(chosen) == show:
                break
        return [texts[j] for j in chosen]

    return {
        "drift": round(drift, 4),
        "noise": round(noise, 4),
        "representative_before": central(eb, b, cb),
        "representative_after": central(ea, a, ca),
        "topics": topic_shifts(eb, ea, b, a),
    }


def _kmeans(X: np.ndarray, k: int, iters: int = 30, seed: int = 0) -> np.ndarray:
    """Spherical k-means (unit vectors, cosine) with k-means++ seeding; labels. Deterministic by seed."""
    rng = np.random.default_rng(seed)
    centres = [X[rng.integers(len(X))]]
    for _ in range(1, k):
        d = np.clip(1 - np.max(X @ np.array(centres).T, axis=1), 0, None)
        if d.sum() <= 0:
            break
        centres.append(X[rng.choice(len(X), p=d / d.sum())])
    C = np.array(centres)
    labels = np.zeros(len(X), dtype=int)
    for it in range(iters):
        new = np.argmax(X @ C.T, axis=1)
        if it and (new == labels).all():  # assignments settled
            break
        labels = new
        C = np.array([_unit(X[labels == j].mean(0)) if (labels == j).any() else C[j] for j in range(len(C))])
    return labels


def _best_kmeans(X: np.ndarray, k: int, tries: int = 4) -> np.ndarray:
    """The tightest of a few seeded k-means runs (highest total cosine to the centres)."""
    best, best_fit = _kmeans(X, k, seed=0), -np.inf
    for seed in range(tries):
        labels = best if seed == 0 else _kmeans(X, k, seed=seed)
        fit = sum(float(np.linalg.norm(X[labels == j].sum(0))) for j in set(labels.tolist()))
        if fit > best_fit:
            best, best_fit = labels, fit
    return best


def topic_shifts(
    eb: np.ndarray, ea: np.ndarray, before: list[str], after: list[str], min_ratio: float = 2.0, z_min: float = 2.0
) -> list[dict]:
    """Topics of the captions on both sides of a change (spherical k-means over their embeddings, about 12
    captions a topic), each with its share of the captions before and after, its distinctive words and the
    caption nearest its centre. status is "appeared" or "vanished" when the share grew or shrank at least
    `min_ratio`-fold and a two-proportion z-test gives |z| >= `z_min`, else "stayed". Largest move first."""
    from .terms import tokenize

    n_b, n_a = len(eb), len(ea)
    X = np.vstack([eb, ea])
    # about 12 captions a topic: too few topics merge what changed with what did not
    k = max(2, min(8, len(X) // 12))
    labels = _best_kmeans(X, k)
    texts = before + after
    overall = Counter(w for t in texts for w in set(tokenize(t)))
    out: list[dict[str, Any]] = []
    for j in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == j)
        sb, sa = float((idx < n_b).sum()) / n_b, float((idx >= n_b).sum()) / n_a
        pooled = len(idx) / len(X)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_b + 1 / n_a)) or 1.0
        z = (sa - sb) / se
        status = "stayed"
        # a fold change, not a fixed number of points: 17% -> 2% is a topic gone, 30% -> 45% is not
        if max(sa, sb) >= min_ratio * min(sa, sb) and abs(z) >= z_min:
            status = "appeared" if sa > sb else "vanished"
        # words common inside the topic and rarer outside it: share inside x log(lift)
        inside = Counter(w for i in idx for w in set(tokenize(texts[i])))
        score = {w: inside[w] / len(idx) * np.log((inside[w] / len(idx)) / (overall[w] / len(X))) for w in inside}
        words = sorted(inside, key=lambda w: (-score[w], w))
        centre = _unit(X[idx].mean(0))
        example = texts[int(idx[np.argmax(X[idx] @ centre)])]
        out.append(
            {
                "status": status,
                "before": round(sb, 3),
                "after": round(sa, 3),
                "z": round(float(z), 2),
                "terms": [w for w in words if inside[w] >= 2][:5],
                "example": example,
            }
        )
    out.sort(key=lambda t: -abs(t["after"] - t["before"]))
    return out
