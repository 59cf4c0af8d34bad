"""Caption understanding: throughput on one core (the whole analyze_texts: embedding, cues, heads,
sentiment, emotions, contexts) beside VADER alone in the same run, and the shipped model's figures on
Memotion rows it never saw, recomputed from the CSV, beside how well Memotion's labels agree between
memes that carry the same text (a ceiling for text-only models).

    .venv/bin/python bench/understand/run.py            # needs ../shared/data (ImgFlip captions, Memotion)

Writes bench/understand/results.json.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as one pipeline worker runs it


SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def captions(n: int, seed: int = 0) -> list[str]:
    files = sorted((SHARED / "imgflip575k" / "captions").glob("*.jsonl.gz"))
    rng = random.Random(seed)
    out = []
    for f in rng.sample(files, 20):
        lines = gzip.open(f, "rt").read().splitlines()
        out += [" ".join(json.loads(x)["boxes"]) for x in rng.sample(lines, min(len(lines), n // 20))]
    return out[:n]


def cpu_rate(fn, texts) -> float:
    t = time.process_time()
    fn(texts)
    return len(texts) / (time.process_time() - t)


def main() -> None:
    from memescope.understand import analyze_texts, use_model
    from memescope.understand.training.ceiling import same_text_agreement
    from memescope.understand.training.train import read_memotion, score_on_memotion

    use_model()  # load once, outside the timing
    texts = captions(2000)
    analyze_texts(texts[:64])  # warm up
    full = cpu_rate(analyze_texts, texts)
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()  # uncached, as a plain VADER user runs it
    vader = cpu_rate(lambda ts: [sia.polarity_scores(t) for t in ts], texts)
    res = {"captions": len(texts), "analyze_texts_per_cpu_s": round(full, 1), "vader_only_per_cpu_s": round(vader, 1),
           "ratio_vs_vader": round(full / vader, 3)}
    uses = [r["use"] for r in analyze_texts(texts)]
    res["imgflip_use_mix"] = {u: round(uses.count(u) / len(uses), 3) for u in sorted(set(uses), key=str)}

    memotion = SHARED / "memotion" / "memotion_dev.csv"
    res["memotion_test"] = score_on_memotion(memotion)
    # the labels of memes with the same text: the ceiling of any text-only model (training/ceiling.py)
    res["memotion_same_text"] = same_text_agreement(read_memotion(memotion))
    out = Path(__file__).with_name("results.json")
    out.write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
