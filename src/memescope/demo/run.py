"""Run the whole job on the demo corpus and say what it recovered against the planted ground truth."""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from ..corpus import ingest
from ..ocr.metrics import edit_distance
from ..pipeline import Progress
from ..pipeline import analyze as run_pipeline
from ..report import write_report
from ..store import open_store
from ..templates import add_template
from .corpus import build_demo_corpus

__all__ = ["run_demo", "evaluate"]

log = logging.getLogger(__name__)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", (text or "").lower())


def evaluate(store, truth: dict) -> dict:
    """Compare what the store holds with the ground truth: templates, non-memes, OCR, the 2020 shift."""
    posts = {p["id"]: p for p in truth["posts"]}
    rows = store.post_results("manifest")
    focus = truth["focus"]
    tp = fp = fn = correct = 0
    nonmeme_ok = nonmeme = 0
    word_err = word_total = 0
    for row in rows:
        got, ocr = row.template, row.ocr_text
        t = posts.get(row.id)
        if t is None:
            continue
        want = t["template"]
        correct += got == want
        tp += got == focus and want == focus
        fp += got == focus and want != focus
        fn += got != focus and want == focus
        if want is None and not t.get("unregistered"):
            nonmeme += 1
            nonmeme_ok += got is None
        if t["caption"]:
            ref = _words(t["caption"])
            word_err += edit_distance(ref, _words(ocr or ""))
            word_total += len(ref)
    shift = truth["shift"]
    found = _found_shift(store, shift["template"], shift["kind"], shift["date"])
    # the planted use shift (sincere 20% -> 70% of the focus template's posts) comes with the context one
    use_found = _found_shift(store, shift["template"], "use:sincere", shift["date"])
    uses = _use_scores(rows, posts)
    n = len(rows)
    # memes of the template the knowledge base does not know: grouped into one candidate cluster?
    unknown = {p["id"] for p in truth["posts"] if p.get("unregistered")}
    clustered = [(r.id, r.cluster_id) for r in rows if not r.matched and r.cluster_id is not None]
    in_cluster = Counter(c for pid, c in clustered if pid in unknown)
    largest = max(in_cluster.values(), default=0)
    strays = sum(1 for pid, c in clustered if pid not in unknown)
    return {
        "posts": n,
        "template_accuracy": round(correct / n, 4) if n else None,
        "focus": {
            "template": focus,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "true": tp + fn,
        },
        "non_memes": {"total": nonmeme, "rejected": nonmeme_ok},
        "unregistered": {
            "posts": len(unknown),
            "clustered": in_cluster.total(),
            "in_largest_cluster": largest,
            "other_posts_in_clusters": strays,
        },
        "ocr_word_error_rate": round(word_err / word_total, 4) if word_total else None,
        "shift": {"planted": shift["date"], "kind": shift["kind"], "found": found},
        "use": uses,
        "use_shift": {"planted": shift["date"], "kind": "use:sincere", "found": use_found},
    }


def _found_shift(store, template: str, kind: str, when: str) -> dict | None:
    """The change point of `kind` nearest the planted date, if one is within one bin of it or its 95%
    interval holds it; `within_one_bin` says which."""
    planted = date.fromisoformat(when)
    best = None
    for cp in store.change_points(template, kind=kind):
        when_found, before, after, lo, hi = cp.date, cp.before, cp.after, cp.date_low, cp.date_high
        unit = cp.unit or "month"
        at = cp.date_unit or unit
        span = {"month": 31, "quarter": 92, "year": 366}[unit]
        gap = abs((date.fromisoformat(when_found) - planted).days)
        # within one bin: the planted date lies in the bin the change starts at, or the one before it
        near = gap <= span
        # an interval in bins ends where its last bin ends; one placed to the day ends on its last day
        held = bool(lo and hi) and date.fromisoformat(lo) <= planted <= date.fromisoformat(hi) + timedelta(
            days=0 if at == "day" else span
        )
        if (near or held) and (best is None or gap < best[0]):
            best = (
                gap,
                {
                    "date": when_found,
                    "date_low": lo,
                    "date_high": hi,
                    "unit": unit,
                    "date_unit": at,
                    "before": before,
                    "after": after,
                    "within_one_bin": near,
                },
            )
    return best[1] if best else None


def _use_scores(rows, posts: dict) -> dict:
    """Use accuracy and per-class recall against the planted uses (captions read by OCR, as a user gets)."""
    pairs = [(posts[r.id]["use"], r.use) for r in rows if r.id in posts and posts[r.id].get("use") and r.use]
    if not pairs:
        return {"classified": 0}
    recall = {}
    for u in sorted({w for w, _ in pairs}):
        mine = [g for w, g in pairs if w == u]
        recall[u] = round(sum(g == u for g in mine) / len(mine), 3)
    return {
        "classified": len(pairs),
        "accuracy": round(sum(w == g for w, g in pairs) / len(pairs), 3),
        "recall": recall,
    }


def run_demo(
    out: str | Path,
    size: int = 400,
    seed: int = 2020,
    workers: int | None = None,
    executor: str = "local",
    progress: Progress | None = None,
) -> dict:
    """Build the demo corpus under `out/corpus`, analyze it into `out/memescope.db`, write the report into
    `out`, and evaluate against the ground truth (also written to `out/evaluation.json`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corpus = out / "corpus"
    truth_file = corpus / "ground_truth.json"
    truth = None
    if truth_file.exists():
        old = json.loads(truth_file.read_text())
        if old.get("seed") == seed and old.get("size") == size:
            truth = old  # deterministic: the same seed and size give the same corpus, so reuse it
    if truth is None:
        truth = build_demo_corpus(corpus, n=size, seed=seed)
    store = open_store(out / "memescope.db")
    try:
        for t in json.loads((corpus / "templates.json").read_text()):
            add_template(store, t["name"], [corpus / t["image"]], description=t["description"], affect=t["affect"])
        ing = ingest(store, corpus / "posts.jsonl", progress=progress)
        run = run_pipeline(store, executor=executor, workers=workers, progress=progress, command="demo")
        paths = write_report(store, out)
        ev = evaluate(store, truth)
        (out / "evaluation.json").write_text(json.dumps(ev, indent=1))
        return {"out": str(out), "ingest": ing, "run": run, "report": paths["html"], "evaluation": ev}
    finally:
        store.close()
