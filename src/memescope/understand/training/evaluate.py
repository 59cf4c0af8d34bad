"""The caption model's figures on data it never saw, beside baselines measured in the same run, each with a
95% bootstrap interval: MET-Meme's held-out groups (use, polarity, offensiveness, emotion), the project's
held-out patterns (the four uses), Memotion's test rows (humour and sarcasm, reported), the demo's own
captions, and how well the probabilities are calibrated (expected calibration error and the data of a
reliability figure)."""

from __future__ import annotations

import numpy as np

from ..features import FeatureBlocks
from ..model import USES, UseModel
from .stacking import bootstrap_f1, macro_f1

__all__ = ["evaluate_model", "per_class", "calibration"]


def per_class(y_true: list, y_pred: list, classes) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=list(classes), zero_division=0)
    out: dict = {
        str(c): {
            "precision": round(float(p[i]), 3),
            "recall": round(float(r[i]), 3),
            "f1": round(float(f[i]), 3),
            "n": int(n[i]),
        }
        for i, c in enumerate(classes)
    }
    present = [c for i, c in enumerate(classes) if n[i]]
    out["macro_f1"] = macro_f1(y_true, y_pred, present)
    lo, hi = bootstrap_f1(y_true, y_pred, labels=present)
    out["macro_f1_ci95"] = [lo, hi]
    out["rows"] = len(y_true)
    return out


def calibration(p: np.ndarray, correct: np.ndarray, bins: int = 10) -> dict:
    """Expected calibration error of confidences `p` against whether each answer was right, and the
    reliability curve (mean confidence, accuracy, rows per bin)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    curve, ece = [], 0.0
    for b in range(bins):
        m = which == b
        if m.any():
            conf, acc = float(p[m].mean()), float(correct[m].mean())
            ece += m.mean() * abs(conf - acc)
            curve.append({"confidence": round(conf, 3), "accuracy": round(acc, 3), "rows": int(m.sum())})
    return {"ece": round(float(ece), 4), "curve": curve}


def _tfidf_baseline(train_texts, y_train, test_texts) -> list:
    """A plain TF-IDF (word 1-2 grams and character 2-5 grams) logistic regression: the baseline."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    w = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    c = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    Xtr = sparse.hstack([w.fit_transform(train_texts), c.fit_transform(train_texts)]).tocsr()
    Xte = sparse.hstack([w.transform(test_texts), c.transform(test_texts)]).tocsr()
    return list(LogisticRegression(class_weight="balanced", max_iter=3000).fit(Xtr, y_train).predict(Xte))


def _met(model: UseModel, data, feats: FeatureBlocks) -> dict:
    from ..sentiment import vader_scores

    test = data.rows("metmeme", "test")
    train = data.rows("metmeme", "train")
    f = feats.subset(test)
    p_sincere = model.use_probs(f)[:, 0]
    pred = model.predict(f)
    out: dict = {}
    tasks = {
        "use": (
            lambda r: r.use,
            ["entertaining", "sincere"],
            ["sincere" if p >= 0.5 else "entertaining" for p in p_sincere],
        ),
        "polarity": (lambda r: r.polarity, ["negative", "positive"], [p["polarity_label"] for p in pred]),
        "offensive": (
            lambda r: "yes" if r.offensive else "no",
            ["no", "yes"],
            ["yes" if p["is_offensive"] else "no" for p in pred],
        ),
        "emotion": (lambda r: r.emotion, list(model.heads["emotion"].classes), [p["emotion"] for p in pred]),
    }
    for task, (label, classes, predicted) in tasks.items():
        keep = [k for k, i in enumerate(test) if label(data.met[i]) is not None]
        y = [label(data.met[test[k]]) for k in keep]
        res = per_class(y, [predicted[k] for k in keep], classes)
        tr = [i for i in train if label(data.met[i]) is not None]
        y_tr = [label(data.met[i]) for i in tr]
        majority = max(set(y_tr), key=y_tr.count)
        res["baselines"] = {
            "majority": macro_f1(y, [majority] * len(y)),
            "tfidf_logreg": per_class(
                y, _tfidf_baseline([data.texts[i] for i in tr], y_tr, [data.texts[test[k]] for k in keep]), classes
            ),
        }
        if task == "polarity":
            res["baselines"]["vader"] = per_class(
                y, ["positive" if vader_scores(data.texts[test[k]])[0] >= 0 else "negative" for k in keep], classes
            )
        out[task] = res
    keep = [k for k, i in enumerate(test) if data.met[i].use]
    truth = np.array([data.met[test[k]].use == "sincere" for k in keep])
    ps = p_sincere[keep]
    out["use"]["calibration"] = calibration(np.maximum(ps, 1 - ps), (ps >= 0.5) == truth)
    out["use"]["uncertain_share"] = round(float(np.mean([pred[k]["use"] == "uncertain" for k in keep])), 3)
    return out


def _project(model: UseModel, data, feats: FeatureBlocks) -> dict:
    val = data.rows("project", "val")
    pred = model.predict(feats.subset(val))
    y = [data.project[i - len(data.met)].use for i in val]
    res = per_class(y, [p["use"] for p in pred], USES)
    P = np.array([[p["use_probs"][u] for u in USES] for p in pred])
    res["calibration"] = calibration(P.max(axis=1), np.array([USES[int(k)] for k in P.argmax(axis=1)]) == np.array(y))
    res["uncertain_share"] = round(float(np.mean([p["use"] == "uncertain" for p in pred])), 3)
    res["patterns"] = sorted({data.project[i - len(data.met)].pattern for i in val})
    return res


def _auc(truth: list[bool], scores: list[float]) -> float | None:
    """ROC AUC, or None when the rows hold one class only (a small training set's test side)."""
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(truth, scores)), 3) if len(set(truth)) == 2 else None


def _memotion(model: UseModel, data, feats: FeatureBlocks) -> dict:
    test = data.rows("memotion", "test")
    pred = model.predict(feats.subset(test))
    rows = [data.memotion[i - len(data.met) - len(data.project)] for i in test]
    funny = ["funny" if r["humour"] != "not_funny" else "not_funny" for r in rows]
    sarc = ["sarcastic" if r["sarcasm"] != "not_sarcastic" else "not_sarcastic" for r in rows]
    return {
        "rows": len(test),
        "humour": per_class(
            funny, ["funny" if p["is_humorous"] else "not_funny" for p in pred], ["funny", "not_funny"]
        ),
        "sarcasm": per_class(
            sarc, ["sarcastic" if p["is_sarcastic"] else "not_sarcastic" for p in pred], ["sarcastic", "not_sarcastic"]
        ),
        "humour_auc": _auc([f == "funny" for f in funny], [p["humour"] for p in pred]),
        "sarcasm_auc": _auc([s == "sarcastic" for s in sarc], [p["sarcasm"] for p in pred]),
        "majority_macro_f1": macro_f1(funny, ["funny"] * len(funny)),
        "uncertain_share": round(float(np.mean([p["use"] == "uncertain" for p in pred])), 3),
    }


def _demo(model: UseModel) -> dict:
    from ...demo.phrases import PHRASES
    from ..features import featurize

    texts, y = [], []
    for u, by in PHRASES.items():
        for pairs in by.values():
            for top, bottom in pairs:
                texts.append(f"{top} {bottom}")
                y.append(u)
    pred = model.predict(featurize(texts, model.tfidf, minilm=model.needs_minilm))
    return per_class(y, [p["use"] for p in pred], sorted(set(y)))


def evaluate_model(model: UseModel, data, feats: FeatureBlocks) -> dict:
    return {
        "metmeme_test": _met(model, data, feats),
        "project_val": _project(model, data, feats),
        "memotion_test": _memotion(model, data, feats),
        "demo_phrases": _demo(model),
    }
