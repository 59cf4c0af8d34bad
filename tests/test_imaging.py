"""Imaging: pHash known answers (against imagehash), invariants, bar stripping, hostile files."""

from __future__ import annotations

import io
import itertools

import imagehash
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageOps

from memescope.demo.drawings import TEMPLATES, draw_template
from memescope.exceptions import BadImageError
from memescope.imaging import ImageHash, load_image, phash, strip_bars
from memescope.imaging.normalize import content_box
from memescope.templates import PHASH_MATCH_RADIUS

from .conftest import jpeg, random_picture

import numpy as np


@pytest.fixture(scope="module")
def drawings():
    return {n: draw_template(n) for n in TEMPLATES}


def test_phash_is_bit_compatible_with_imagehash(drawings):
    for im in [*drawings.values(), random_picture(3), random_picture(4, (333, 77))]:
        assert str(phash(im)) == str(imagehash.phash(im))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from([4, 8, 16]))
def test_low_frequency_products_give_the_full_dct_bits(seed, size):
    # the hash keeps only the lowest frequencies: two small matrix products must give the bits of the
    # full 2-D DCT-II (scipy's, as imagehash computes it) with the median of those coefficients
    from scipy.fft import dct

    from memescope.imaging.hashing import _phash_pixels

    pixels = np.random.default_rng(seed).random((size * 4, size * 4)) * 255
    low = dct(dct(pixels, axis=0), axis=1)[:size, :size]
    assert _phash_pixels(pixels, size) == ImageHash.from_bits(low > np.median(low))


def test_reduced_resample_stays_near_the_exact_hash(drawings):
    for im in [*drawings.values(), random_picture(5, (640, 480))]:
        assert phash(im) - phash(im, reducing_gap=3.0) <= 2


def test_hash_value_type():
    a, b = ImageHash.from_hex("ffff000000000000"), ImageHash.from_hex("0fff000000000001")
    assert a - b == 5
    assert a - a == 0
    assert str(a) == "ffff000000000000"
    with pytest.raises(ValueError):
        a - ImageHash(1, 256)


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_hash_int64_and_hex_round_trip(v):
    h = ImageHash(v)
    assert ImageHash.from_int64(h.to_int64()) == h
    assert -(2**63) <= h.to_int64() < 2**63
    assert ImageHash.from_hex(str(h)) == h


def test_small_edits_stay_near(drawings):
    # near = still within the radius the matcher uses to say "same picture"
    for im in drawings.values():
        h = phash(im)
        assert h - phash(im.rotate(1, resample=Image.Resampling.BICUBIC)) <= PHASH_MATCH_RADIUS
        assert h - phash(Image.open(io.BytesIO(jpeg(im, 35)))) <= 4
        assert h - phash(im.resize((im.width // 2, im.height // 2))) <= 2


def test_different_templates_stay_far(drawings):
    for (_, a), (_, b) in itertools.combinations(drawings.items(), 2):
        assert phash(a) - phash(b) >= 16
        assert phash(a) - phash(ImageOps.mirror(b)) >= 12


def _with_bar(im: Image.Image, bar: int, colour="white", text_colour="black") -> Image.Image:
    out = Image.new("RGB", (im.width, im.height + bar), colour)
    out.paste(im, (0, bar))
    d = ImageDraw.Draw(out)
    d.text((10, bar // 3), "When the caption sits in a bar", fill=text_colour, font_size=max(10, bar // 3))
    return out


@settings(max_examples=25, deadline=None)
@given(frac=st.floats(0.1, 0.4), seed=st.integers(0, 10_000))
def test_white_bar_is_found(frac, seed):
    pic = draw_template("two-buttons", seed % 3)
    bar = int(pic.height * frac)
    box = content_box(np.asarray(_with_bar(pic, bar).convert("L")))
    assert abs(box[1] - bar) <= 3
    assert box[3] == pic.height + bar


def test_black_bar_and_no_bar(drawings):
    pic = drawings["surprised-cat"]
    box = content_box(np.asarray(_with_bar(pic, 80, "black", "white").convert("L")))
    assert abs(box[1] - 80) <= 3
    assert strip_bars(pic)[1] == (0, 0, pic.width, pic.height)


def test_bar_stripping_restores_the_hash(drawings):
    pic = drawings["crying-behind-mask"]
    barred = _with_bar(pic, 120)
    assert phash(pic) - phash(barred) > 10  # the plain hash misses it
    assert phash(pic) - phash(strip_bars(barred)[0]) <= 4


@pytest.mark.parametrize(
    "name,reason",
    [("empty.jpg", "empty file"), ("truncated.jpg", "truncated image"), ("text.jpg", "not an image"),
     ("bomb.png", "decompression bomb"), ("bomb.jpg", "decompression bomb"), ("missing.jpg", "missing file")],
)
@pytest.mark.parametrize("draft", [None, 128])  # 128: the hash stage's libjpeg-turbo path for JPEGs
def test_hostile_files_give_clear_reasons(hostile_dir, name, reason, draft):
    with pytest.raises(BadImageError) as exc:
        load_image(hostile_dir / name, draft_size=draft, mode="L" if draft else "RGB")
    assert exc.value.reason == reason


def test_good_files_and_draft_decoding(hostile_dir):
    full = load_image(hostile_dir / "good.jpg")
    draft = load_image(hostile_dir / "good.jpg", draft_size=64)
    assert full.size == (200, 150) and draft.width < full.width
    assert phash(full) - phash(draft) <= 4
    assert load_image(hostile_dir / "good2.png").mode == "RGB"


def test_scaled_jpeg_decoding(hostile_dir):
    path = hostile_dir / "good.jpg"
    for mode in ("L", "RGB"):
        im = load_image(path, draft_size=64, mode=mode)
        assert im.mode == mode and im.format == "JPEG" and im.info["original_size"] == (200, 150)
        assert min(im.size) >= 64 and im.width < 200
        assert load_image(path.read_bytes(), draft_size=64, mode=mode).size == im.size
    assert phash(load_image(path)) - phash(load_image(path, draft_size=64, mode="L")) <= 4
    # libjpeg-turbo cannot turn CMYK into grey: such files go to Pillow
    buf = io.BytesIO()
    random_picture(3).convert("CMYK").save(buf, "JPEG")
    im = load_image(buf.getvalue(), draft_size=64, mode="L")
    assert im.mode == "L" and im.info["original_size"] == (160, 120)


def test_transparency_is_flattened_on_white():
    im = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    out = load_image(buf.getvalue())
    assert out.getpixel((5, 5)) == (255, 255, 255)


def test_mirror_hash_from_one_resample_equals_hashing_the_mirror(drawings):
    from memescope.imaging import phash_and_mirror

    for im in [*drawings.values(), random_picture(7), random_picture(8, (301, 97))]:
        content, mirror = phash_and_mirror(im)
        assert content == phash(im) and mirror == phash(ImageOps.mirror(im))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    w=st.integers(8, 300),
    h=st.integers(8, 300),
    cut=st.tuples(st.floats(0.5, 1.0), st.floats(0.5, 1.0)),
)
def test_folded_matrices_equal_resampling_then_dct(seed, w, h, cut):
    # Pillow's float ("F") LANCZOS has the weights of its 8-bit one without the rounding; the hash
    # stage's folded matrices must give the DCT of that resample, also over a fractional span (the
    # reduced image of `reducing_gap` covers w / factor pixels)
    from memescope.imaging.hashing import _dct_rows, _lanczos_dct

    pixels = np.random.default_rng(seed).random((h, w)) * 255
    span = (w * cut[0], h * cut[1])
    small = Image.fromarray(pixels.astype(np.float32)).resize(
        (32, 32), Image.Resampling.LANCZOS, box=(0, 0, *span)
    )
    want = _dct_rows(32, 8) @ np.asarray(small, dtype=np.float64) @ _dct_rows(32, 8).T
    got = _lanczos_dct(h, span[1], 8, 32) @ pixels @ _lanczos_dct(w, span[0], 8, 32).T
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=0.05)


def test_fast_hash_views_stay_near_the_exact_ones(drawings):
    from memescope.imaging import hash_views

    pics = [*drawings.values(), random_picture(9, (640, 480)), random_picture(10, (97, 301))]
    for im in [*pics, *(_with_bar(p, p.height // 4) for p in pics[:4])]:
        grey = im.convert("L")
        box, content, full, mirror = hash_views(grey)
        fbox, fcontent, ffull, fmirror = hash_views(grey, fast=True)
        assert fbox == box
        assert max(fcontent - content, ffull - full, fmirror - mirror) <= 3
        # the mirror's bits come from the DCT's sign symmetry: as if the mirrored picture were hashed
        assert fmirror - hash_views(ImageOps.mirror(grey), fast=True)[1] <= 2
