"""Which features tell how a meme is used, measured in one run on real labels the models never saw.

Tasks, all evaluated on MET-Meme's test side (near-identical texts grouped, memescope.understand.training.
metmeme.grouped_split, 30% of the groups):
- use: sincere (expressive) vs entertaining, macro-F1;
- polarity: positive (happiness, love) vs negative (anger, sorrow, fear, hate), macro-F1;
- offensive: offensiveness 1-3 vs 0, macro-F1;
- emotion: the seven sentiment classes, macro-F1.

Feature blocks: TF-IDF (hashed word 1-2 grams and character 2-5 grams), all-MiniLM-L6-v2 (int8 ONNX),
wordllama (static 256-d word embeddings), nade (151 emoji probabilities and 8 emotion scores), the
explicit cues with VADER's scores. Each block is
a logistic regression whose C is chosen by grouped 5-fold cross-validation on the training side; a
combination stacks the blocks' out-of-fold log-odds in a second logistic regression. Training sources
for the use task: MET-Meme's training side alone; with its offensive-intention rows as entertaining at
half weight (offensive jokes are made to amuse); or with Memotion's unambiguous rows and the project's own
captions. Baselines in the same run: the majority class, VADER's compound for polarity.
Speed: captions per CPU-second of each block's features on one core (2,000 ImgFlip captions).

    .venv/bin/python bench/understand/features.py          # ~6 minutes; writes features.json
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).parent
SHARED = HERE.resolve().parents[1].parent / "shared" / "data"
CACHE = Path(os.environ.get("MEMESCOPE_BENCH_CACHE", "/tmp/memescope-features.npz"))


def imgflip_captions(n: int = 2000, seed: int = 0) -> list[str]:
    files = sorted((SHARED / "imgflip575k" / "captions").glob("*.jsonl.gz"))
    rng = random.Random(seed)
    out: list[str] = []
    for f in rng.sample(files, 20):
        lines = gzip.open(f, "rt").read().splitlines()
        out += [" ".join(json.loads(x)["boxes"]) for x in rng.sample(lines, min(len(lines), n // 20))]
    return out[:n]


def blocks(texts: list[str], fit_texts: list[str]) -> dict:
    """Feature blocks for `texts` (TF-IDF fitted on `fit_texts`), cached on disk for the dense ones."""
    from memescope.understand.affect import get_affect
    from memescope.understand.cues import cue_features
    from memescope.understand.embed import get_embedder
    from memescope.understand.sentiment import vader_scores
    from memescope.understand.textfeatures import TfidfHasher
    from memescope.understand.wordvec import get_wordvectors

    out = {"tfidf": TfidfHasher.fit(fit_texts, min_df=1).transform(texts)}
    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()
    dense = ("minilm", "wordllama", "nade", "cues")
    if CACHE.exists():
        cached = np.load(CACHE)
        if str(cached["key"]) == key and all(b in cached for b in dense):
            return out | {b: cached[b] for b in dense}
    out["minilm"] = get_embedder("minilm-int8").embed(texts)
    out["wordllama"] = get_wordvectors().embed(texts)
    out["nade"] = get_affect().features(texts)
    out["cues"] = np.array([cue_features(t)[0] + list(vader_scores(t)) for t in texts], dtype=np.float32)
    np.savez_compressed(CACHE, key=key, **{b: out[b] for b in dense})
    return out


def speeds(texts: list[str], fit_texts: list[str]) -> dict:
    from memescope.understand.affect import get_affect
    from memescope.understand.cues import cue_features
    from memescope.understand.embed import get_embedder
    from memescope.understand.sentiment import vader_scores
    from memescope.understand.textfeatures import TfidfHasher

    from memescope.understand.wordvec import get_wordvectors

    tf = TfidfHasher.fit(fit_texts, min_df=1)
    emb, aff, wv = get_embedder("minilm-int8"), get_affect(), get_wordvectors()
    emb.embed(texts[:32])
    aff.features(texts[:32])

    def rate(fn) -> float:
        t = time.process_time()
        fn(texts)
        return round(len(texts) / (time.process_time() - t), 1)

    return {"tfidf": rate(tf.transform), "minilm": rate(emb.embed), "wordllama": rate(wv.embed), "nade": rate(aff.features),
            "cues": rate(lambda ts: [(cue_features(t), vader_scores(t)) for t in ts])}


def main() -> None:
    from memescope.understand.training.metmeme import grouped_split, near_duplicate_groups, read_metmeme
    from memescope.understand.training.stacking import StackedModel, bootstrap_f1, fit_block, macro_f1
    from memescope.understand.training.sources import memotion_use_rows, project_use_rows

    met = read_metmeme(SHARED / "metmeme" / "metmeme_en_train.json")
    side = grouped_split([r.text for r in met])
    mem = memotion_use_rows(SHARED / "memotion" / "memotion_dev.csv")
    proj = [(t, u) for t, u in project_use_rows() if u != "other"]  # news and ads are neither side
    texts = [r.text for r in met] + [t for t, _ in mem] + [t for t, _ in proj]
    train_texts = [r.text for r, s in zip(met, side) if s == "train"] + [t for t, _ in mem] + [t for t, _ in proj]
    X = blocks(texts, train_texts)
    n_met, n_mem = len(met), len(mem)
    groups = np.array(near_duplicate_groups(texts))
    res: dict = {"met_rows": n_met, "met_test_rows": side.count("test"), "tasks": {}}

    def rows(idx, block):
        return X[block][idx]

    tasks = {
        "use": lambda r: None if r.use is None else int(r.use == "sincere"),
        "polarity": lambda r: None if r.polarity is None else int(r.polarity == "positive"),
        "offensive": lambda r: int(r.offensive),
        "emotion": lambda r: r.emotion,
    }
    combos = {
        "tfidf": ["tfidf"], "minilm": ["minilm"], "wordllama": ["wordllama"], "nade": ["nade"], "cues+vader": ["cues"],
        "tfidf+nade": ["tfidf", "nade"], "tfidf+nade+cues": ["tfidf", "nade", "cues"],
        "tfidf+wordllama+nade+cues": ["tfidf", "wordllama", "nade", "cues"],
        "tfidf+minilm": ["tfidf", "minilm"], "tfidf+minilm+nade+cues": ["tfidf", "minilm", "nade", "cues"],
        "minilm+nade+cues": ["minilm", "nade", "cues"],
    }
    for task, label in tasks.items():
        tr = [i for i in range(n_met) if side[i] == "train" and label(met[i]) is not None]
        te = [i for i in range(n_met) if side[i] == "test" and label(met[i]) is not None]
        y_tr, y_te = [label(met[i]) for i in tr], [label(met[i]) for i in te]
        out: dict = {"train": len(tr), "test": len(te),
                     "majority": macro_f1(y_te, [max(set(y_tr), key=y_tr.count)] * len(te))}
        sources = {"met": (tr, y_tr, None)}
        if task == "use":
            off = [i for i in range(n_met) if side[i] == "train" and met[i].intention == "offensive"]
            sources["met+offensive"] = (tr + off, y_tr + [0] * len(off), np.r_[np.ones(len(tr)), np.full(len(off), 0.5)])
            extra = list(range(n_met, n_met + n_mem + len(proj)))
            y_extra = [int(u == "sincere") for _, u in mem] + [int(u == "sincere") for _, u in proj]
            sources["met+memotion+project"] = (tr + extra, y_tr + y_extra, None)
        if task == "polarity":
            from memescope.understand.sentiment import vader_scores

            out["vader"] = macro_f1(y_te, [int(vader_scores(met[i].text)[0] >= 0) for i in te])
        for source, (idx, y, w) in sources.items():
            fitted = {b: fit_block(X[b][idx], y, groups[idx], weights=w) for b in X}
            for name, bl in combos.items():
                model = StackedModel.fit([fitted[b] for b in bl], [X[b][idx] for b in bl], y, groups[idx])
                pred = model.predict([X[b][te] for b in bl])
                lo, hi = bootstrap_f1(y_te, pred)
                out[f"{source}:{name}"] = {"macro_f1": macro_f1(y_te, pred), "ci95": [lo, hi]}
                print(task, source, name, out[f"{source}:{name}"], flush=True)
        res["tasks"][task] = out
    speed = res["speed_captions_per_cpu_s"] = speeds(imgflip_captions(), train_texts)
    # accuracy against speed per candidate: its blocks' costs add up (VADER is part of the cues block)
    res["candidates"] = {
        name: {"captions_per_cpu_s": round(1 / sum(1 / speed[{"cues": "cues"}.get(b, b)] for b in bl), 1),
               **{task: res["tasks"][task].get(f"{'met+offensive' if task == 'use' else 'met'}:{name}", {}).get("macro_f1")
                  for task in tasks}}
        for name, bl in combos.items()
    }
    (HERE / "features.json").write_text(json.dumps(res, indent=1) + "\n")
    for name, c in res["candidates"].items():
        print(f"{name:28s}", c)


if __name__ == "__main__":
    sys.exit(main())
