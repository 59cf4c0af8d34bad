"""Template identity: voting shortlists with many references, and hash + verification invariants."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageOps

from memescope.demo.drawings import TEMPLATES, draw_non_meme, draw_template
from memescope.demo.render import apply_edits, caption_bar, caption_outlined

from .conftest import jpeg, random_picture

pytest.importorskip("cv2")


@pytest.fixture(scope="module")
def verifier(tmp_path_factory):
    pytest.importorskip("faiss")
    from memescope.templates.verify import SHORTLIST, OrbVerifier

    d = tmp_path_factory.mktemp("refs")
    refs = []
    for i, name in enumerate(TEMPLATES):
        p = d / f"{name}.png"
        draw_template(name).save(p)
        refs.append((i, str(p)))
    for j in range(4):  # more references than the shortlist, so voting decides what is verified
        p = d / f"other{j}.png"
        draw_non_meme(random.Random(100 + j)).save(p)
        refs.append((10 + j, str(p)))
    v = OrbVerifier(refs)
    assert len(refs) > SHORTLIST and v._index is not None
    return v


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_crops_flips_and_bars_are_verified_through_votes(verifier, name):
    rng = random.Random(name)
    ids = {n: i for i, n in enumerate(TEMPLATES)}
    pic = draw_template(name)
    w, h = pic.size
    cropped = caption_outlined(pic.crop((int(w * 0.2), int(h * 0.15), w, h)), "when the cat", "sees the cheese")
    flipped_bar = apply_edits(caption_bar(ImageOps.mirror(pic), "me pretending", "to be fine"), ["sticker"], rng)
    for im in (cropped, flipped_bar):
        v = verifier.verify(im)
        assert v is not None and v.template_id == ids[name] and v.inliers >= 20


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_stretched_small_reposts_are_verified(verifier, name):
    # reposts are shrunk and stretched to another aspect ratio: an affine map with two axis scales
    ids = {n: i for i, n in enumerate(TEMPLATES)}
    pic = caption_outlined(draw_template(name), "nobody:", "absolutely nobody:")
    for size in ((400, 230), (330, 480)):
        v = verifier.verify(pic.resize(size))
        assert v is not None and v.template_id == ids[name]


def test_a_second_picture_of_a_template_does_not_split_its_votes(tmp_path):
    # two references of one template hold near-identical descriptors; the ratio test must compare a
    # descriptor's nearest neighbour with other templates' descriptors, not with its own twin
    pytest.importorskip("faiss")
    from memescope.templates.verify import OrbVerifier

    refs = []
    for i, name in enumerate(TEMPLATES):
        for k in range(2):  # the same picture twice (a re-upload of a reference)
            p = tmp_path / f"{name}-{k}.png"
            draw_template(name).save(p)
            refs.append((i, str(p)))
    v = OrbVerifier(refs)
    for i, name in enumerate(TEMPLATES):
        pic = draw_template(name)
        w, h = pic.size
        query = caption_outlined(pic.crop((int(w * 0.2), 0, w, int(h * 0.85))), "me", "also me")
        got = v.verify(Image.open(io.BytesIO(jpeg(query, 80))))
        assert got is not None and got.template_id == i


def test_non_memes_are_not_verified(verifier):
    for seed in range(6):
        assert verifier.verify(random_picture(500 + seed, (400, 300))) is None
        assert verifier.verify(draw_non_meme(random.Random(900 + seed))) is None


def test_import_imgflip_templates_json(store, tmp_path):
    import json

    from memescope.templates import import_imgflip_templates, list_templates

    (tmp_path / "templates").mkdir()
    draw_template("surprised-cat").save(tmp_path / "templates" / "Cat.jpg")
    (tmp_path / "templates.json").write_text(json.dumps([
        {"name": "Cat", "title": "Cat Meme Template", "alternative_names": "shocked cat, big eyes",
         "imgflip_template_id": "123", "image": "templates/Cat.jpg"},
        {"name": "No-Picture", "title": "A template without an image", "alternative_names": "", "image": None},
    ]))
    assert import_imgflip_templates(store, tmp_path / "templates.json") == 2
    rows = {r["name"]: r for r in list_templates(store)}
    assert rows["Cat"]["n_images"] == 1 and rows["Cat"]["aliases"] == ["shocked cat", "big eyes"]
    assert rows["No-Picture"]["n_images"] == 0
    assert store.kb_version == 1  # one reference image added


def test_new_references_invalidate_the_templates_own_text(store, tmp_path):
    from memescope.templates import add_template

    draw_template("two-buttons").save(tmp_path / "a.png")
    draw_template("two-buttons", seed=1).save(tmp_path / "b.png")
    tid = add_template(store, "two-buttons", [tmp_path / "a.png"])
    store.db.execute("INSERT INTO template_text(template_id, engine, lines) VALUES (?, 'rapidocr', '[]')", (tid,))
    add_template(store, "two-buttons", [tmp_path / "a.png"])  # nothing new: the cache stands
    assert store.scalar("SELECT count(*) FROM template_text") == 1
    add_template(store, "two-buttons", [tmp_path / "b.png"])
    assert store.scalar("SELECT count(*) FROM template_text") == 0
