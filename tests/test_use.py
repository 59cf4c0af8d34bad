"""How a caption is used: the shipped caption model (pinned answers, invariants, a property test that its
answers never contradict each other), its features, its training command end to end on data the test
writes, the classify command's inputs, and the model card's figures recomputed from shared/ when present."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("nade")
pytest.importorskip("sklearn")

from memescope.understand import analyze_texts  # noqa: E402
from memescope.understand.cues import CUE_NAMES  # noqa: E402
from memescope.understand.emotion import emotions  # noqa: E402
from memescope.understand.model import UNCERTAIN_BELOW, USES, Linear, load_model  # noqa: E402
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


def test_features_are_the_model_inputs():
    from memescope.understand.features import CUE_COLUMNS, featurize

    model = load_model()
    f = featurize(["I am stuck at home in lockdown", "stuck at home during the lockdown", "lol"], model.tfidf)
    assert f.tfidf.shape == (3, model.tfidf.n_features) and f.nade.shape == (3, 159) and f.cues.shape == (3, len(CUE_COLUMNS))
    rows = np.asarray(f.tfidf.multiply(f.tfidf).sum(axis=1)).ravel()
    assert np.allclose(rows, 1, atol=1e-5)  # each caption's TF-IDF row is unit length
    assert (f.tfidf[0] @ f.tfidf[1].T)[0, 0] > 0.4 > (f.tfidf[0] @ f.tfidf[2].T)[0, 0]


def test_affect_features_match_nade():
    """Our reading of nade's models (without unpacking into its package) gives nade's own emotion scores."""
    from nade import Nade

    from memescope.understand.affect import NADE_EMOTIONS, get_affect

    texts = ["I miss my grandma so much", "oh great another zoom meeting lol!!", "Hello, world...  what?!"]
    ours = get_affect().features(texts)[:, -len(NADE_EMOTIONS):]
    theirs = Nade().predict(texts)
    for j, label in enumerate(NADE_EMOTIONS):
        assert np.allclose(ours[:, j], theirs[label].to_pylist(), atol=1.5e-3)


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


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_linear_maps_are_stored_as_they_compute(k, n, seed):
    from scipy import sparse

    rng = np.random.default_rng(seed)
    dense = Linear(rng.normal(size=(k, 4)), rng.normal(size=k), rng.normal(size=4), rng.random(4) + 0.5)
    X = rng.normal(size=(n, 4))
    z = dense.decision(X)
    assert z.shape == (n, k) and np.allclose(z, ((X - dense.mean) / dense.std) @ dense.coef.T + dense.intercept)
    again = Linear.from_arrays(dense.arrays("h"), "h")
    assert np.allclose(again.decision(X), z)
    S = sparse.random(n, 4, density=0.5, random_state=seed, format="csr")
    plain = Linear(rng.normal(size=(k, 4)).astype(np.float32), rng.normal(size=k))
    assert np.allclose(plain.decision(S), S.toarray() @ plain.coef.T + plain.intercept, atol=1e-5)


def test_the_stored_model_predicts_as_the_fitted_one(tmp_path):
    """Saving stores TF-IDF weights in float16: the answers move by less than 1e-3."""
    from memescope.understand.features import featurize
    from memescope.understand.model import UseModel

    model = load_model()
    texts = list(KNOWN) + ["when the wifi dies", "sending love to nurses", "you idiot"]
    before = model.predict(featurize(texts, model.tfidf))
    model.save(tmp_path)
    after = UseModel.load(tmp_path).predict(featurize(texts, model.tfidf))
    for a, b in zip(before, after):
        assert a["use"] == b["use"] and all(abs(a["use_probs"][u] - b["use_probs"][u]) < 1e-3 for u in USES)
        assert abs(a["offensive"] - b["offensive"]) < 1e-3 and abs(a["polarity"] - b["polarity"]) < 1e-3


_word = st.sampled_from(["oh great", "lol", "miss", "you", "idiot", "love", "mask", "lockdown", "monday", "/s",
                         "haha", "cry", "nurses", "thank", "!!", "?", "😭", "🙄", "sad", "best", "day", "the"])
_caption = st.one_of(st.lists(_word, min_size=1, max_size=12).map(" ".join), st.text(max_size=80))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_caption, min_size=1, max_size=6), st.sampled_from([None, "sad", "happy"]))
def test_answers_never_contradict_each_other(captions, affect):
    for text, r in zip(captions, analyze_texts(captions, [affect] * len(captions))):
        if not text.strip():
            assert r.use is None
            continue
        probs = r.use_probs
        assert set(probs) == set(USES) and abs(sum(probs.values()) - 1) < 1e-3
        best = max(probs, key=probs.get)
        assert r.use == (best if probs[best] >= UNCERTAIN_BELOW else "uncertain")
        assert abs(r.humour - (probs["humorous"] + probs["sarcastic"])) < 2e-4
        assert abs(r.sarcasm - probs["sarcastic"]) < 1e-4 and r.sarcasm <= r.humour + 1e-4
        assert r.is_sarcastic == (r.use == "sarcastic") and r.is_humorous == (r.use in ("humorous", "sarcastic"))
        assert not r.is_sarcastic or r.is_humorous
        assert 0 <= r.polarity <= 1 and r.polarity_label in ("positive", "negative")
        assert abs(sum(r.emotion_probs.values()) - 1) < 1e-3 and r.emotion == max(r.emotion_probs, key=r.emotion_probs.get)
        assert 0 <= r.offensive <= 1 and (r.offensive_cues == [] or r.is_offensive)
        # the cues named as evidence push toward the answer, and fired (phrases come with what matched)
        assert all(c["weight"] > 0 and c["cue"] in CUE_NAMES for c in r.use_cues)
        assert all(c["found"] for c in r.use_cues if c["cue"].endswith("_marker"))


def _tiny_sources(folder: Path) -> Path:
    """A MET-Meme-shaped JSON and a Memotion-shaped CSV written by the test, laid out as shared/data: sincere
    rows say 'miss', entertaining ones 'lol'; offensive rows say 'idiot'; positive ones 'love'."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(400):
        sincere, offensive, positive = rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.5
        words = ["i miss them" if sincere else "lol look at this", "you idiot" if offensive else "on thursday",
                 "so much love" if positive else "so much pain", f"number {i}"]
        emotion = ["1(happiness)", "2(love)"][i % 2] if positive else ["3(anger)", "4(sorrow)", "5(fear)", "6(hate)"][i % 4]
        rows.append({"text": " ".join(words), "intention": "2(expressive)" if sincere else "3(entertaining)",
                     "sentiment": emotion if i % 13 else "7(surprise)",
                     "offensiveness": "2(moderately)" if offensive else "0(non-offensive)"})
    (folder / "metmeme").mkdir(parents=True)
    (folder / "metmeme" / "metmeme_en_train.json").write_text(json.dumps(rows))
    (folder / "memotion").mkdir()
    with open(folder / "memotion" / "memotion_dev.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Image_name", "Image_URL", "OCR_extracted_text", "Corrected_text", "Humour", "Sarcasm", "Offensive",
                    "Motivational", "Overall_Sentiment"])
        for i in range(80):
            funny = bool(rng.random() < 0.5)
            text = f"{'lol this is hilarious' if funny else 'the report is due'} number {i}"
            w.writerow([f"x_{i}.jpg", "", text, text, "very_funny" if funny else "not_funny", "not_sarcastic",
                        "not_offensive", "not_motivational", "neutral"])
    return folder


@pytest.mark.slow
def test_training_command_writes_a_working_model(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from memescope.cli import app

    data = _tiny_sources(tmp_path / "data")
    out = tmp_path / "model"
    res = CliRunner().invoke(app, ["train", "--data", str(data), "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    metrics = json.loads((out / "metrics.json").read_text())
    # the planted words make every task learnable: the held-out groups must show it
    met = metrics["metmeme_test"]
    assert met["use"]["macro_f1"] >= 0.9 and met["offensive"]["macro_f1"] >= 0.9 and met["polarity"]["macro_f1"] >= 0.9
    card = (out / "MODEL_CARD.md").read_text()
    assert f"{met['use']['macro_f1']:.3f}" in card and (out / "reliability.png").stat().st_size > 1000
    # the written model is the one analyses use when pointed at it
    import memescope.understand as u

    monkeypatch.setenv("MEMESCOPE_USE_MODEL", str(out))
    u.use_model.cache_clear()
    try:
        r = u.analyze_texts(["i miss them you idiot so much pain"])[0]
        assert r.use == "sincere" and r.is_offensive and "idiot" in r.offensive_cues and r.polarity_label == "negative"
        assert u.analysis_version().endswith(json.loads((out / "use_model.json").read_text())["version"])
    finally:
        monkeypatch.delenv("MEMESCOPE_USE_MODEL")
        u.use_model.cache_clear()
    bad = CliRunner().invoke(app, ["train", "--data", str(tmp_path / "nowhere"), "--out", str(out)])
    assert bad.exit_code != 0 and "not found" in bad.output


def test_classify_cli(tmp_path):
    from typer.testing import CliRunner

    from memescope.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["classify", "oh great, another zoom happy hour", "--affect", "sad", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)[0]
    assert r["use"] == "sarcastic" and r["template_affect"] == "sad" and "pandemic" in r["contexts"]
    # occlusion: leaving out "great" costs the sarcastic reading most
    assert r["words"][0]["word"] == "great" and r["words"][0]["drop"] > 0.1
    res = runner.invoke(app, ["classify", "hello", "--template", "no-such-template", "--db", str(tmp_path / "s.db")])
    assert res.exit_code != 0 and "unknown template" in res.output


def test_classify_reads_captions_from_files_and_stdin(tmp_path):
    from typer.testing import CliRunner

    from memescope.cli import app

    runner = CliRunner()
    captions = ["-E is a caption that starts with a dash", "oh great, another monday /s", "", "I miss my grandma"]
    # standard input, one caption per line; a blank line keeps its place
    res = runner.invoke(app, ["classify", "-", "--json"], input="\n".join(captions) + "\n")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert [g["text"] for g in got] == captions and got[2]["use"] is None and got[1]["use"] == "sarcastic"
    # a caption that starts with '-' as an argument
    res = runner.invoke(app, ["classify", "-E is a caption that starts with a dash", "--json", "--no-explain"])
    assert res.exit_code == 0 and json.loads(res.stdout)[0]["text"].startswith("-E")
    # a CSV column and a JSON lines key, written to a .csv
    (tmp_path / "c.csv").write_text("id,caption\n1,lol my cat\n2,\"thank you nurses, we see you\"\n")
    res = runner.invoke(app, ["classify", "--file", str(tmp_path / "c.csv"), "--column", "caption", "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(open(tmp_path / "o.csv")))
    assert [r["text"] for r in rows] == ["lol my cat", "thank you nurses, we see you"] and rows[1]["use"] == "sincere"
    (tmp_path / "c.jsonl").write_text(json.dumps({"body": "you idiot lol"}) + "\n" + json.dumps({"x": 1}) + "\n")
    res = runner.invoke(app, ["classify", "-f", str(tmp_path / "c.jsonl"), "--column", "body", "--json"])
    assert res.exit_code == 0 and [g["text"] for g in json.loads(res.stdout)] == ["you idiot lol", ""]
    res = runner.invoke(app, ["classify", "--file", str(tmp_path / "c.csv"), "--column", "nope"])
    assert res.exit_code != 0 and "no column 'nope'" in res.output


@pytest.mark.shared
@pytest.mark.slow
def test_model_card_figures_are_reproducible_from_shared_data():
    """The shipped model's figures, recomputed from shared/ with the same splits, are the card's."""
    from memescope.understand.features import featurize
    from memescope.understand.model import MODEL_DIR
    from memescope.understand.training.evaluate import evaluate_model
    from memescope.understand.training.train import TrainingSet

    from .conftest import shared_data

    data = TrainingSet.build(shared_data() / "metmeme" / "metmeme_en_train.json", shared_data() / "memotion" / "memotion_dev.csv")
    model = load_model()
    metrics = json.loads((MODEL_DIR / "metrics.json").read_text())
    # (the project's captions were read beside a registered mood in training; MET-Meme's and Memotion's not)
    feats = featurize(data.texts, model.tfidf, [None] * len(data.texts))
    got = evaluate_model(model, data, feats)
    for task in ("use", "polarity", "offensive", "emotion"):
        assert abs(got["metmeme_test"][task]["macro_f1"] - metrics["metmeme_test"][task]["macro_f1"]) < 0.005, task
    assert abs(got["memotion_test"]["humour"]["macro_f1"] - metrics["memotion_test"]["humour"]["macro_f1"]) < 0.005
    # better than the majority class on every MET-Meme task, and than VADER on polarity
    for task in ("use", "polarity", "offensive", "emotion"):
        assert got["metmeme_test"][task]["macro_f1"] > got["metmeme_test"][task]["baselines"]["majority"] + 0.1
    assert got["metmeme_test"]["polarity"]["macro_f1"] > got["metmeme_test"]["polarity"]["baselines"]["vader"]["macro_f1"]


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
