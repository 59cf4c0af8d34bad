"""How much a macro-F1 on MET-Meme's use labels moves with the split alone: a TF-IDF logistic regression
(word 1-2 grams and character 2-5 grams, class-balanced) scored on five random splits and five grouped
splits (near-identical texts on one side), at 30% and 47% held out. The spread is the noise any single
figure on these rows carries, ours included.

    .venv/bin/python bench/understand/splits.py      # ~1 minute; needs ../shared/data; writes splits.json
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from features import SHARED  # noqa: E402


def _model():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    return make_pipeline(make_union(words, chars), LogisticRegression(C=3.0, max_iter=3000, class_weight="balanced"))


def main() -> None:
    from memescope.understand.training.metmeme import grouped_split, near_duplicate_groups, read_metmeme
    from memescope.understand.training.stacking import macro_f1

    met = [r for r in read_metmeme(SHARED / "metmeme" / "metmeme_en_train.json") if r.use]
    texts, y = [r.text for r in met], [int(r.use == "sincere") for r in met]
    n = len(texts)

    def score(tr: list[int], te: list[int]) -> float:
        m = _model().fit([texts[i] for i in tr], [y[i] for i in tr])
        return macro_f1([y[i] for i in te], m.predict([texts[i] for i in te]))

    res: dict = {"rows": n, "groups": len(set(near_duplicate_groups(texts))), "splits": {}}
    for share in (0.3, 0.47):
        rnd, grp = [], []
        for seed in range(5):
            idx = list(range(n))
            random.Random(seed).shuffle(idx)
            k = int(share * n)
            rnd.append(score(idx[k:], idx[:k]))
            side = grouped_split(texts, test_share=share, seed=seed)
            grp.append(score([i for i in range(n) if side[i] == "train"], [i for i in range(n) if side[i] == "test"]))
        res["splits"][str(share)] = {
            kind: {"mean": round(float(np.mean(v)), 3), "min": round(min(v), 3), "max": round(max(v), 3)}
            for kind, v in (("random", rnd), ("grouped", grp))
        }
    (HERE / "splits.json").write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
