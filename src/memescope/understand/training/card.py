"""The model card and its reliability figure, written by the training run from its own metrics."""

from __future__ import annotations

from pathlib import Path

__all__ = ["model_card", "reliability_figure"]


def _f1(m: dict) -> str:
    lo, hi = m.get("macro_f1_ci95", [None, None])
    return f"{m['macro_f1']:.3f} [{lo:.3f}-{hi:.3f}]" if lo is not None else f"{m['macro_f1']:.3f}"


def _table(m: dict, classes) -> str:
    lines = ["| class | precision | recall | F1 | n |", "|---|---|---|---|---|"]
    for c in classes:
        r = m.get(str(c))
        if r and r["n"]:
            lines.append(f"| {c} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['n']} |")
    lines.append(f"| macro (95% CI) | | | **{_f1(m)}** | {m['rows']} |")
    return "\n".join(lines)


def _met_rows(met: dict) -> list[str]:
    rows = ["| task | this model | TF-IDF logistic regression | majority | VADER |", "|---|---|---|---|---|"]
    for task, name in (
        ("use", "sincere vs entertaining"),
        ("polarity", "polarity"),
        ("offensive", "offensive vs not"),
        ("emotion", "emotion (7 classes)"),
    ):
        m = met[task]
        b = m["baselines"]
        vader = _f1(b["vader"]) if "vader" in b else ""
        rows.append(f"| {name} | **{_f1(m)}** | {_f1(b['tfidf_logreg'])} | {b['majority']:.3f} | {vader} |")
    return rows


def model_card(meta: dict, metrics: dict) -> str:
    met, proj, mem = metrics["metmeme_test"], metrics["project_val"], metrics["memotion_test"]
    heads = metrics["heads"]
    parts = [
        f"# memescope caption model — model card ({meta['version']})",
        "",
        "Written by `memescope train`; every number below comes from the run that wrote the model, on rows "
        "and patterns it never trained on, with 95% bootstrap intervals, beside baselines fitted and scored in "
        "the same run.",
        "",
        "## What it answers",
        "For a caption (and optionally its template's mood): the use (sincere, humorous, sarcastic, other, or "
        "`uncertain` when none is more likely than all the others together) with calibrated probabilities; "
        "humour (P(humorous) + P(sarcastic)) and sarcasm (P(sarcastic)), which follow from the use and so "
        "never contradict it; polarity (P(positive), beside VADER's score); the emotion of MET-Meme's seven; "
        "offensiveness with the word n-grams that pushed it; and the explicit cues behind the use.",
        "",
        "## Model",
        f"Three feature blocks: TF-IDF of hashed word 1-2 grams and character 2-5 grams ({meta['tfidf_buckets']:,} "
        "buckets seen twice or more in training), nade's 151 emoji probabilities and 8 emotion scores "
        "(fastText + LightGBM, shipped in its wheel), and 11 explicit cues with VADER's four scores. Per head "
        "and block a class-balanced logistic regression (C by grouped 5-fold cross-validation); the blocks "
        "whose stack did best out of fold are combined by a second logistic regression; a calibrator fitted "
        "on out-of-fold values turns the result into probabilities at the data's own base rates.",
        "",
        "| head | classes | training rows | blocks | cross-validated macro-F1 |",
        "|---|---|---|---|---|",
        *[
            f"| {n} | {', '.join(map(str, h['classes']))} | {h['rows']} | {'+'.join(h['blocks'])} "
            f"| {h['cv_macro_f1']:.3f} |"
            for n, h in heads.items()
        ],
        "",
        "## Data",
        "- MET-Meme (English, `metmeme_en_train.json`): near-identical texts grouped (character 5-gram Jaccard "
        "≥ 0.8), 30% of the groups held out. Expressive = sincere, entertaining = humorous or sarcastic; rows "
        "whose intention is offensive count as entertaining at half weight. Polarity: happiness, love vs "
        "anger, sorrow, fear, hate. Offensive: offensiveness 1-3 vs 0.",
        "- The project's own captions (`understand/training/labelled.py`): whole patterns held out; they train "
        "the sincere head at half weight and the tone head (humorous, sarcastic, other).",
        "- Memotion (`memotion_dev.csv`): 80/20; its very funny, not sarcastic training rows train the tone "
        "head at half weight; its test rows report humour and sarcasm.",
        "",
        "## Results on MET-Meme's held-out groups",
        *_met_rows(met),
        "",
        "Use, sincere vs entertaining: a caption is sincere when P(sincere) ≥ 0.5. "
        f"{100 * met['use']['uncertain_share']:.0f}% "
        f"of these captions get `uncertain` as their use. Calibration of P(sincere): expected calibration error "
        f"**{met['use']['calibration']['ece']:.3f}** (reliability.png).",
        "",
        "### Use, sincere vs entertaining",
        _table(met["use"], ["entertaining", "sincere"]),
        "",
        "### Polarity",
        _table(met["polarity"], ["negative", "positive"]),
        "",
        "### Offensive vs not",
        _table(met["offensive"], ["no", "yes"]),
        "",
        "## Results on the project's held-out patterns: the four uses",
        _table(proj, ["sincere", "humorous", "sarcastic", "other"]),
        "",
        f"{100 * proj['uncertain_share']:.0f}% uncertain (counted as wrong above); expected calibration error of the "
        f"use's probability **{proj['calibration']['ece']:.3f}**; "
        f"{len(proj['patterns'])} patterns never seen in training.",
        "",
        "## Memotion test rows (reported, not targeted)",
        f"Humour (funny or more vs not) macro-F1 {_f1(mem['humour'])}, ROC AUC {mem['humour_auc']}; sarcasm (any vs "
        f"none) {_f1(mem['sarcasm'])}, ROC AUC {mem['sarcasm_auc']}; majority {mem['majority_macro_f1']:.3f}. "
        "Memes with the same text carry humour and sarcasm labels that agree little more than chance "
        "(`understand/training/ceiling.py`), so no text-only model scores much above 0.5 here.",
        "",
        "## The demo's captions (written apart, never trained on)",
        _table(metrics["demo_phrases"], ["sincere", "humorous", "sarcastic"]),
        "",
        "## Known failure modes",
        "- How a meme is meant depends on its picture as much as its words: MET-Meme's annotators saw both, the "
        "model reads the text only, and on real memes it tells sincere from entertaining only modestly better "
        "than a TF-IDF baseline (table above).",
        "- Sarcasm is learned from the project's captions and explicit markers ('oh great', '/s', praise of "
        "something bad); real sarcasm without markers is often read as humorous.",
        "- English only. Captions read by OCR carry its errors.",
        "",
    ]
    return "\n".join(parts)


def reliability_figure(metrics: dict, path: Path) -> None:
    """Confidence against accuracy per bin, for P(sincere) on MET-Meme and the use on project captions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 4.2), dpi=110)
    ax.plot([0, 1], [0, 1], ":", color="#6b7280", label="perfect")
    for name, cal, style in (
        ("MET-Meme: sincere vs entertaining", metrics["metmeme_test"]["use"]["calibration"], "o-"),
        ("project captions: use", metrics["project_val"]["calibration"], "s--"),
    ):
        xs = [b["confidence"] for b in cal["curve"]]
        ys = [b["accuracy"] for b in cal["curve"]]
        ax.plot(xs, ys, style, label=f"{name} (ECE {cal['ece']:.3f})", ms=4)
    ax.set_xlabel("confidence of the answer")
    ax.set_ylabel("share right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
