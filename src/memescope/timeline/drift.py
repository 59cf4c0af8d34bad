"""What changed in the words, seen through sentence embeddings: how far the captions after a change
moved from those before (drift), measured against the spread within one side (noise), and the captions
nearest each side's centre (representative captions)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["embedding_drift"]

SAMPLE = 48  # captions per side: enough for a stable centroid, cheap enough for every change point


def _spread(texts: list[str], k: int) -> list[str]:
    """Up to k texts spread evenly over the list (deterministic; the list is in time order)."""
    if len(texts) <= k:
        return list(texts)
    idx = np.linspace(0, len(texts) - 1, k).round().astype(int)
    return [texts[i] for i in idx]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def embedding_drift(before: list[str], after: list[str], embed: Callable[[list[str]], np.ndarray],
                    k: int = SAMPLE, show: int = 3) -> dict | None:
    """{drift, noise, representative_before[], representative_after[]} or None with too few captions.

    drift = 1 - cos(centroid before, centroid after); noise = the same between the two halves of the
    before side (interleaved), so drift well above noise means the captions' meaning moved, not just
    that two samples differ."""
    b, a = _spread([t for t in before if t.strip()], k), _spread([t for t in after if t.strip()], k)
    if len(b) < 4 or len(a) < 4:
        return None
    E = embed(b + a)
    eb, ea = E[: len(b)], E[len(b):]
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

    return {"drift": round(drift, 4), "noise": round(noise, 4),
            "representative_before": central(eb, b, cb), "representative_after": central(ea, a, ca)}
