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


def _hash_decision(verifier, im):
    """What the pipeline does before verifying: the nearest templates by hash over the three views."""
    from memescope.imaging import hash_views, phash_and_mirror
    from memescope.templates import match_hashes, reference_codes

    codes = [phash_and_mirror(Image.open(path)) for _, path in verifier.refs]
    ids, ref_codes = reference_codes([t for t, _ in verifier.refs], [c.to_int64() for c, _ in codes],
                                     [m.to_int64() for _, m in codes])
    _, content, full, mirror = hash_views(im)
    return match_hashes(content.to_int64(), full.to_int64(), mirror.to_int64(), ids, ref_codes)


def test_reposts_stretched_past_orb_are_verified_through_the_nearest_hashes(verifier):
    # Squeezed to half the width at full height, ORB's descriptors no longer match the template's
    # (plain verification finds nothing: checked below); reshaped to the proportions of the templates
    # nearest by hash, the picture verifies, mirrored or not, with its region in the image's coordinates.
    reshaped = 0
    for i, name in enumerate(TEMPLATES):
        pic = caption_outlined(draw_template(name), "nobody:", "absolutely nobody:")
        for mirrored in (False, True):
            view = ImageOps.mirror(pic) if mirrored else pic
            query = Image.open(io.BytesIO(jpeg(view.resize((240, 420)), 70)))
            d = _hash_decision(verifier, query)
            if d.template_id is not None:  # the hashes place it themselves (two-buttons' bold shapes)
                assert d.template_id == i
                continue
            assert len(d.nearest) == 3 and dict(d.nearest).get(i) is mirrored
            assert verifier.verify(query) is None
            v = verifier.verify(query, d.nearest)
            assert v is not None and v.template_id == i and v.mirrored is mirrored
            l, t, r, b = v.region
            assert -10 <= l < r <= 250 and -10 <= t < b <= 430 and (r - l) * (b - t) > 0.8 * 240 * 420
            reshaped += 1
    assert reshaped >= 4  # 4 of the 10 here


def test_hints_do_not_make_non_memes_match(verifier):
    every = [(i, m) for i in range(len(TEMPLATES)) for m in (False, True)]
    for seed in range(6):
        assert verifier.verify(random_picture(500 + seed, (400, 300)), every) is None
        assert verifier.verify(draw_non_meme(random.Random(900 + seed)).resize((240, 420)), every) is None


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
    store.execute("INSERT INTO template_text(template_id, engine, lines) VALUES (?, 'rapidocr', '[]')", (tid,))
    add_template(store, "two-buttons", [tmp_path / "a.png"])  # nothing new: the cache stands
    assert store.scalar("SELECT count(*) FROM template_text") == 1
    add_template(store, "two-buttons", [tmp_path / "b.png"])
    assert store.scalar("SELECT count(*) FROM template_text") == 0
