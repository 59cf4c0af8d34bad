"""How far text alone can go on Memotion: the labels of memes that carry the same text.

If a label were a function of the text, two memes with the same text would carry the same label. Memotion
holds a few dozen such groups (the same caption on different pictures, or the same meme annotated
twice). Predicting one copy's label from the other's is the best any text-only model can do on them, so
its macro-F1 is a ceiling for text-only models, measured on the labels themselves. Issue 5's target
(0.55) is checked against it in bench/understand.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from typing import Any

import numpy as np

__all__ = ["same_text_agreement", "normalized_text"]

MIN_CHARS = 16  # shorter texts ("LOL", a watermark) are the same by chance, not the same caption

LABELS = {"humour": "not_funny", "sarcasm": "not_sarcastic"}


def normalized_text(text: str) -> str:
    """Lower case, letters and digits only: OCR spacing and punctuation do not make two captions differ."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _macro_f1(a: np.ndarray, b: np.ndarray) -> float:
    # both directions: each copy is once the truth and once the prediction
    from sklearn.metrics import f1_score

    return float(f1_score(np.r_[a, b], np.r_[b, a], average="macro"))


def same_text_agreement(rows: list[dict], n_boot: int = 2000, seed: int = 0) -> dict:
    """Per binary label: pairs of rows with the same normalized text, how often their labels agree (and
    what chance agreement at the label's base rate would be), and the macro-F1 of predicting one copy
    from the other, with a 95% bootstrap interval over text groups."""
    by_text: defaultdict[str, list[dict]] = defaultdict(list)
    for r in rows:
        key = normalized_text(r["text"])
        if len(key) >= MIN_CHARS:
            by_text[key].append(r)
    groups = [g for g in by_text.values() if len(g) > 1]
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"groups": len(groups), "rows": sum(len(g) for g in groups)}
    for label, negative in LABELS.items():
        pairs = [
            [(a[label] != negative, b[label] != negative) for a, b in itertools.combinations(g, 2)] for g in groups
        ]
        flat = np.array([p for g in pairs for p in g], dtype=bool)
        if not len(flat):
            out[label] = None
            continue
        base = float(np.mean([r[label] != negative for r in rows]))
        boot = []
        for _ in range(n_boot):
            pick = rng.integers(0, len(pairs), len(pairs))
            s = np.array([p for i in pick for p in pairs[i]], dtype=bool)
            boot.append(_macro_f1(s[:, 0], s[:, 1]))
        out[label] = {
            "pairs": int(len(flat)),
            "agreement": round(float(np.mean(flat[:, 0] == flat[:, 1])), 3),
            "chance_agreement": round(base**2 + (1 - base) ** 2, 3),
            "copy_macro_f1": round(_macro_f1(flat[:, 0], flat[:, 1]), 3),
            "copy_macro_f1_95": [round(float(q), 3) for q in np.quantile(boot, [0.025, 0.975])],
        }
    return out
