"""Real data: ImgFlip captions (../shared; skipped when absent). The pandemic arrives in early 2020."""

from __future__ import annotations

import io
import shutil

import pytest

from memescope.corpus import ingest
from memescope.pipeline import analyze
from memescope.report import build_report

from .conftest import shared_data

TEMPLATES = ["Drake-Hotline-Bling", "Surprised-Pikachu", "Disaster-Girl"]


@pytest.mark.shared
def test_pandemic_shift_in_early_2020(store, tmp_path, monkeypatch):
    import memescope.understand as u

    # the context shift is the subject here; the use classifier (tested in test_use) would add ~2 minutes
    monkeypatch.setenv("MEMESCOPE_USE_MODEL", "none")
    u.use_model.cache_clear()
    captions = shared_data() / "imgflip575k" / "captions"
    folder = tmp_path / "captions"
    folder.mkdir()
    for t in TEMPLATES:
        src = captions / f"{t}.jsonl.gz"
        if not src.exists():
            pytest.skip(f"{src.name} is not in ../shared")
        shutil.copy(src, folder)
    res = ingest(store, folder)
    assert res["format"] == "imgflip" and res["skipped"] == 0 and res["new"] > 1000
    try:
        analyze(store, executor="serial")
    finally:
        u.use_model.cache_clear()
    rep = build_report(store)
    assert rep["corpus"]["dates_approx"] is True
    by_name = {t["name"]: t for t in rep["templates"]}
    for t in TEMPLATES:
        cps = [cp for cp in by_name[t]["change_points"] if cp["kind"] == "context:pandemic"]
        assert cps, f"{t}: no pandemic change point"
        # the first change leaves a baseline where pandemic talk is (nearly) absent...
        assert cps[0]["before"] < 0.01 and "2020-01-01" <= cps[0]["date"] <= "2020-03-31", (t, cps[0])
        # ...and between mid-January and March the share rises past a fifth of the captions,
        rises = [cp for cp in cps if "2020-01-15" <= cp["date"] <= "2020-03-31" and cp["after"] > cp["before"]]
        assert any(cp["after"] > 0.2 for cp in rises), (t, cps)
        # with pandemic words among the terms that came in
        assert any({"coronavirus", "quarantine", "corona", "virus", "toilet", "covid"} & {w["term"] for w in cp["terms_after"]} for cp in rises), t


@pytest.mark.shared
def test_templates_with_bright_skies_are_verified_whole(tmp_path):
    # A bright sky reads as a caption bar: stripped from the reference, it took Jack Sparrow's head and
    # half of Brace Yourselves with it, and their heavily re-compressed captioned memes went unmatched.
    pytest.importorskip("cv2")
    from PIL import Image

    from memescope.demo.render import caption_outlined
    from memescope.templates.verify import OrbVerifier

    from .conftest import jpeg

    folder = shared_data() / "imgflip575k" / "templates"
    names = ["Jack-Sparrow-Being-Chased", "Brace-Yourselves-X-is-Coming", "Drake-Hotline-Bling", "Disaster-Girl"]
    if not all((folder / f"{n}.jpg").exists() for n in names):
        pytest.skip("templates are not in ../shared")
    v = OrbVerifier([(i, str(folder / f"{n}.jpg")) for i, n in enumerate(names)], threads=1)
    for i, name in enumerate(names[:2]):
        pic = Image.open(folder / f"{name}.jpg").convert("RGB")
        for q in (15, 25):
            query = Image.open(io.BytesIO(jpeg(caption_outlined(pic, "me: one more episode then bed", "the sun coming up over my unfinished laundry"), q)))
            got = v.verify(query)
            assert got is not None and got.template_id == i, (name, q, got)
