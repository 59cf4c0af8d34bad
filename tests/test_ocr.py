"""OCR with the real engine (rapidocr, models from the wheel) and caption cleaning."""

from __future__ import annotations

import pytest

from memescope.demo.drawings import draw_template
from memescope.demo.render import caption_bar, caption_outlined
from memescope.exceptions import UnknownNameError
from memescope.imaging import strip_bars
from memescope.ocr import clean_text, get_engine, ocr_engines

pytest.importorskip("rapidocr")


@pytest.fixture(scope="module")
def engine():
    return get_engine("rapidocr")


def test_reads_outlined_captions_top_and_bottom(engine):
    im = caption_outlined(draw_template("surprised-cat"), "when the wifi drops", "during the final boss")
    res = engine.read(im, strip_bars(im)[1])
    assert res.clean == "WHEN THE WIFI DROPS DURING THE FINAL BOSS"
    assert [ln.block for ln in res.lines] == ["top", "bottom", "bottom"]  # the bottom line came in two boxes
    assert all(0.5 <= ln.score <= 1 for ln in res.lines)


def test_reads_a_white_bar_as_a_bar(engine):
    im = caption_bar(draw_template("two-buttons"), "oh great another group project", "my favorite thing ever")
    res = engine.read(im, strip_bars(im)[1])
    assert res.clean.lower() == "oh great another group project my favorite thing ever"
    assert {ln.block for ln in res.lines} == {"bar"}


def test_a_picture_without_text_reads_nothing_much(engine):
    res = engine.read(draw_template("pointing-robot"))
    assert len(res.clean) <= 3


def test_reading_order_joins_split_lines():
    from memescope.ocr.base import OcrLine, reading_order

    a = OcrLine("DURING", 0.9, (40, 302, 120, 340))
    b = OcrLine("THE FINAL BOSS", 0.9, (130, 300, 400, 338))
    c = OcrLine("WHEN THE WIFI DROPS", 0.9, (30, 10, 420, 50))
    assert [l.text for l in reading_order([b, a, c])] == ["WHEN THE WIFI DROPS", "DURING", "THE FINAL BOSS"]


def test_engine_registry_fails_loudly():
    with pytest.raises(UnknownNameError, match="unknown OCR engine 'easyocr'"):
        ocr_engines["easyocr"]


def test_clean_text():
    assert clean_text("WHEN  THE\nq\nWIFI   DROPS !") == "WHEN THE WIFI DROPS!"
    assert clean_text("I\nAM FINE") == "I AM FINE"  # single 'I' is a word, not noise
    assert clean_text("ｆｕｌｌ ｗｉｄｔｈ") == "full width"
    assert clean_text("MY FAVORITE THING\n0000\n|||") == "MY FAVORITE THING"
    assert clean_text("NOOOO\nAAAA") == "NOOOO AAAA"  # letters repeated are words people shout
