"""Context lexicons on real captions: how many pandemic captions the shipped pandemic lexicon finds
(recall) and how many it finds wrongly (precision), on hand-labelled ImgFlip captions from 2020-03-09 on,
and how often it fires before the pandemic (2016-2019 captions, where nearly every tag is a false one).

    .venv/bin/python bench/context/run.py                      # needs ../shared/data/imgflip575k
    .venv/bin/python bench/context/run.py --lexicon OLD.json   # the same figures for another lexicon file

The labels (labels/*.csv) hold template, post id and a 0/1 label (empty: unsure, left out); the captions
are read from ../shared, never copied here. See README.md for how they were drawn and labelled.
Writes bench/context/results.json (for the shipped lexicon).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from collections import Counter
from pathlib import Path

from scipy.stats import binomtest

from memescope.understand.context import Lexicon, load_lexicons, tag_contexts

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared" / "data" / "imgflip575k" / "captions"


def wilson(k: int, n: int) -> tuple[float, float]:
    """95% Wilson interval of k successes in n (scipy's); (0, 1) when there is nothing to count."""
    if n == 0:
        return 0.0, 1.0
    ci = binomtest(k, n).proportion_ci(method="wilson")
    return float(ci.low), float(ci.high)


def read_captions(templates: set[str] | None = None):
    """(template, id, date, text) for every ImgFlip post, or for those of `templates`."""
    for f in sorted(SHARED.glob("*.jsonl.gz")):
        name = f.name.removesuffix(".jsonl.gz")
        if templates is not None and name not in templates:
            continue
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                o = json.loads(line)
                yield name, o["id"], o.get("approx_date") or "", "\n".join(str(b) for b in o.get("boxes") or [])


def score_labels(path: Path, lexicons, texts: dict[str, str]) -> dict:
    tp = fp = fn = tn = unsure = 0
    for r in csv.DictReader(path.open(encoding="utf-8")):
        if r["pandemic"] == "":
            unsure += 1
            continue
        got = "pandemic" in tag_contexts(texts[r["id"]], lexicons)[0]
        y = r["pandemic"] == "1"
        tp += got and y
        fp += got and not y
        fn += y and not got
        tn += not (got or y)
    rl, rh = wilson(tp, tp + fn)
    pl, ph = wilson(tp, tp + fp)
    return {"labelled": tp + fp + fn + tn, "unsure": unsure, "pandemic": tp + fn,
            "recall": round(tp / max(tp + fn, 1), 3), "recall_95": [round(rl, 3), round(rh, 3)],
            "precision": round(tp / max(tp + fp, 1), 3), "precision_95": [round(pl, 3), round(ph, 3)],
            "true_pos": tp, "false_pos": fp, "false_neg": fn}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lexicon", help="score this lexicon JSON file instead of the shipped lexicons")
    args = ap.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"{SHARED} is not there: this benchmark needs ../shared/data/imgflip575k")
    lexicons = (Lexicon.from_file(Path(args.lexicon)),) if args.lexicon else load_lexicons()
    label_files = sorted((HERE / "labels").glob("pandemic-*.csv"))
    wanted = {r["id"] for f in label_files for r in csv.DictReader(f.open(encoding="utf-8"))}
    texts: dict[str, str] = {}
    pre = Counter()
    cues = Counter()
    for _, pid, day, text in read_captions():
        if pid in wanted:
            texts[pid] = text
        if "2016-01-01" <= day < "2020-01-01":
            pre["captions"] += 1
            tags, found = tag_contexts(text, lexicons)
            if "pandemic" in tags:
                pre["tagged"] += 1
                cues.update(found["pandemic"])
    out = {"lexicon": args.lexicon or "shipped",
           "sets": {f.stem: score_labels(f, lexicons, texts) for f in label_files},
           "before_2020": {"captions": pre["captions"], "tagged": pre["tagged"],
                           "rate": round(pre["tagged"] / max(pre["captions"], 1), 5),
                           "top_terms": cues.most_common(8)}}
    for name, s in out["sets"].items():
        print(f"{name:15s} {s['labelled']} captions ({s['pandemic']} about the pandemic, {s['unsure']} unsure left out): "
              f"recall {s['recall']:.3f} [{s['recall_95'][0]:.3f}-{s['recall_95'][1]:.3f}], "
              f"precision {s['precision']:.3f} [{s['precision_95'][0]:.3f}-{s['precision_95'][1]:.3f}]")
    b = out["before_2020"]
    print(f"2016-2019: {b['tagged']} of {b['captions']} captions tagged ({100 * b['rate']:.2f}%); most often by "
          + ", ".join(f"{t} ({n})" for t, n in b["top_terms"]))
    if not args.lexicon:
        (HERE / "results.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
