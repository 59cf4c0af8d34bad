"""Caption understanding at the speed a corpus needs: the whole analyze_texts (the caption model's three
feature blocks and five heads, VADER, lexicon emotions, context tags) on one core, beside VADER alone in
the same run, with the shipped model and with one trained to use MiniLM too; the use mix each gives on
2,000 ImgFlip captions; and how well Memotion's labels agree between memes of the same text (a ceiling
for text-only models on them).

    .venv/bin/python bench/understand/run.py            # needs ../shared/data; ~4 minutes

Writes bench/understand/results.json. The accuracy of every candidate feature set is features.py's.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as one pipeline worker runs it

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from features import SHARED, imgflip_captions  # noqa: E402


def cpu_rate(fn, texts) -> float:
    t = time.process_time()
    fn(texts)
    return len(texts) / (time.process_time() - t)


def measure(model_dir: Path | None, texts: list[str]) -> dict:
    """Throughput and use mix of analyze_texts with the model in `model_dir` (None: the shipped one)."""
    import memescope.understand as u

    if model_dir is None:
        os.environ.pop("MEMESCOPE_USE_MODEL", None)
    else:
        os.environ["MEMESCOPE_USE_MODEL"] = str(model_dir)
    u.use_model.cache_clear()
    model = u.use_model()
    u.analyze_texts(texts[:64])  # warm up (models loaded, caches filled the same way for every candidate)
    rate = cpu_rate(u.analyze_texts, texts)
    uses = Counter(r.use for r in u.analyze_texts(texts))
    met = json.loads((Path(model_dir or Path(u.__file__).parent / "model") / "metrics.json").read_text())["metmeme_test"]
    return {"version": model.version, "captions_per_cpu_s": round(rate, 1),
            "use_mix": {str(k): round(v / len(texts), 3) for k, v in uses.most_common()},
            "metmeme_macro_f1": {t: met[t]["macro_f1"] for t in ("use", "polarity", "offensive", "emotion")}}


def main() -> None:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from memescope.understand.training.ceiling import same_text_agreement
    from memescope.understand.training.train import read_memotion
    from memescope.workflow import train_model

    texts = imgflip_captions(2000)
    sia = SentimentIntensityAnalyzer()  # uncached, as a plain VADER user runs it
    res: dict = {"captions": len(texts), "vader_only_per_cpu_s": round(cpu_rate(lambda ts: [sia.polarity_scores(t) for t in ts], texts), 1)}
    res["shipped"] = measure(None, texts)
    with tempfile.TemporaryDirectory() as tmp:
        train_model(tmp, SHARED, minilm=True)
        res["with_minilm"] = measure(Path(tmp), texts)
    os.environ.pop("MEMESCOPE_USE_MODEL", None)
    for k in ("shipped", "with_minilm"):
        res[k]["ratio_vs_vader"] = round(res[k]["captions_per_cpu_s"] / res["vader_only_per_cpu_s"], 3)
    # the labels of memes with the same text: the ceiling of any text-only model (training/ceiling.py)
    res["memotion_same_text"] = same_text_agreement(read_memotion(SHARED / "memotion" / "memotion_dev.csv"))
    (HERE / "results.json").write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps({k: v for k, v in res.items() if k != "memotion_same_text"}, indent=1))


if __name__ == "__main__":
    main()
